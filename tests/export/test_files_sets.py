"""Sets of files (one per agency, a meeting's whole set): safe names no two alike, written all or
nothing, never over a file already there."""

from __future__ import annotations

from pathlib import Path

import pytest

from marac_desk.export import files
from marac_desk.export.files import (
    FileClash,
    agency_file_names,
    safe_file_name,
    write_all_new,
    write_new,
)


def test_agency_names_become_safe_distinct_file_names() -> None:
    assert safe_file_name('Police: "CID" / DV unit', ".pdf") == "Police- -CID- - DV unit.pdf"
    assert safe_file_name(" ..", ".pdf") == "agency.pdf"
    assert agency_file_names(["A/B", "A-B", "a-b", "Housing"]) == [
        "A-B.pdf",
        "A-B (2).pdf",
        "a-b (3).pdf",  # Windows and macOS would take it for the first
        "Housing.pdf",
    ]


def test_write_new_refuses_an_existing_file_and_leaves_it_alone(tmp_path: Path) -> None:
    target = tmp_path / "Housing.pdf"
    assert write_new(target, b"first") == target
    with pytest.raises(FileClash) as caught:
        write_new(target, b"second")
    assert caught.value.path == target
    assert "A file already exists at" in str(caught.value)
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["Housing.pdf"]


def test_a_clash_anywhere_in_the_set_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "Police.pdf").write_bytes(b"older")
    with pytest.raises(FileClash) as caught:
        write_all_new([(tmp_path / "Housing.pdf", b"h"), (tmp_path / "Police.pdf", b"p")])
    assert caught.value.path == tmp_path / "Police.pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Police.pdf"]
    assert (tmp_path / "Police.pdf").read_bytes() == b"older"


def test_a_failure_part_way_removes_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = files.write_new
    calls: list[Path] = []

    def flaky(path: Path, data: bytes) -> Path:
        calls.append(Path(path))
        if len(calls) == 2:
            raise OSError("disk full")
        return real(path, data)

    monkeypatch.setattr(files, "write_new", flaky)
    with pytest.raises(OSError, match="disk full"):
        write_all_new([(tmp_path / "a.pdf", b"a"), (tmp_path / "b.pdf", b"b")])
    assert list(tmp_path.iterdir()) == []


def test_two_files_of_one_set_cannot_share_a_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both be"):
        write_all_new([(tmp_path / "x.pdf", b"1"), (tmp_path / "X.PDF", b"2")])
    assert list(tmp_path.iterdir()) == []


def test_without_hard_links_it_still_never_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(_src: str, _dst: str) -> None:
        raise OSError("operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    target = tmp_path / "agenda.pdf"
    write_new(target, b"one")
    assert target.read_bytes() == b"one"
    with pytest.raises(FileClash):
        write_new(target, b"two")
    assert target.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["agenda.pdf"]
