"""Exports are written whole or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from marac_desk.export import files
from marac_desk.export.files import write_atomic


def test_writes_and_replaces_leaving_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "minutes.pdf"
    assert write_atomic(target, b"first") == target
    assert target.read_bytes() == b"first"
    write_atomic(str(target), b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minutes.pdf"]
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failure_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "actions.csv"
    target.write_bytes(b"old")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["actions.csv"]


def test_a_missing_folder_is_an_error_not_a_new_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "nowhere" / "x.pdf", b"x")
    assert not (tmp_path / "nowhere").exists()
