"""Nothing personal is written outside the encrypted file: not beside it, not in the app's
folders, not in temp files, not even while work is uncommitted."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PARTNERSHIP, PASSPHRASE, USER
from sqlalchemy import select, text
from store_support import cache_key_derivation, sidecars

from marac_desk import cli
from marac_desk.db.models import Person
from marac_desk.db.store import lock_path_for
from marac_desk.services import settings, users
from marac_desk.services.context import utcnow
from marac_desk.services.paths import AppConfig, AppPaths
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


FIRST, LAST = "Zephyrine", "Quixlowe"
MARKER = f"{FIRST} {LAST}"
# what must never be readable on disk: the names, the partnership, the user, and the schema
SECRETS = (
    FIRST,
    LAST,
    "Northtown",
    USER,
    "CREATE TABLE",
    "referrals",
    "user_profiles",
    "audit_events",
    "risk_assessments",
)


def _needles() -> list[tuple[str, bytes]]:
    out = []
    for word in SECRETS:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            out.append((f"{word!r} ({encoding})", word.encode(encoding)))
        out.append((f"{word!r} (lower)", word.lower().encode()))
    return out


def _files_under(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
    elif root.is_dir():
        for p in root.rglob("*"):
            if p.is_file() and not p.is_symlink():
                yield p


def _open_fds() -> dict[str, str]:
    fd_dir = Path("/proc/self/fd")
    found = {}
    for entry in fd_dir.iterdir() if fd_dir.is_dir() else ():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith("/") and not target.startswith(("/dev", "/proc", "/sys")):
            found[entry.name] = target
    return found


def _leaks(contents: dict[str, bytes]) -> list[str]:
    needles = _needles()
    return [
        f"{where}: {label}"
        for where, data in contents.items()
        for label, needle in needles
        if needle in data
    ]


@pytest.fixture
def temp_entries_before() -> set[str]:
    return set(os.listdir(tempfile.gettempdir()))


def test_no_name_or_schema_is_readable_anywhere_while_the_store_is_open(
    open_store: OpenStore,
    app_home: Path,
    tmp_path: Path,
    temp_entries_before: set[str],
) -> None:
    store, actor = open_store.store, open_store.actor
    fds_before = _open_fds()
    settings.update(store, actor, {"partnership_name": f"{MARKER} Partnership"})
    users.add_profile(store, actor, MARKER, "deputy")
    now = utcnow()
    with store.write() as s:  # committed, still in the -wal
        s.add(Person(first_name=FIRST, last_name=LAST, created_at=now, updated_at=now))

    with store.write() as s:  # uncommitted, and big enough to spill to disk
        s.connection().exec_driver_sql("PRAGMA cache_size = 10")
        for i in range(600):
            s.add(
                Person(
                    first_name=f"{FIRST}{i}",
                    middle_names=f"{MARKER} " * 8,
                    last_name=LAST,
                    created_at=now,
                    updated_at=now,
                )
            )
        s.flush()
        # a big sort of the uncommitted rows: SQLite would use a temp file if allowed to
        sorted_names = s.execute(
            text("SELECT middle_names, first_name FROM people ORDER BY middle_names, first_name")
        ).all()
        assert len(sorted_names) == 601
        assert s.scalar(select(Person.last_name).where(Person.first_name == FIRST)) == LAST

        path = store.path
        wal, shm = sidecars(path)
        assert wal.stat().st_size > 100_000  # the work really is on disk, in the log
        contents: dict[str, bytes] = {}
        for f in (path, wal, shm, lock_path_for(path)):
            contents[str(f)] = f.read_bytes()
        for f in _files_under(app_home):
            contents[str(f)] = f.read_bytes()
        for f in _files_under(tmp_path):
            contents.setdefault(str(f), f.read_bytes())
        tmp_root = Path(tempfile.gettempdir())
        for name in set(os.listdir(tmp_root)) - temp_entries_before:
            for f in _files_under(tmp_root / name):
                contents.setdefault(str(f), f.read_bytes())
        # files this process opened during the test, including deleted temp files
        for fd, target in _open_fds().items():
            if fds_before.get(fd) == target:
                continue
            try:
                with open(f"/proc/self/fd/{fd}", "rb") as fh:
                    contents.setdefault(f"fd {fd} -> {target}", fh.read())
            except OSError:
                continue
        assert str(wal) in contents
        assert _leaks(contents) == []
        s.rollback()

    # and after everything is committed and the store is locked
    path = store.path
    open_store.lock()
    contents = {str(f): f.read_bytes() for f in _files_under(path.parent)}
    contents.update({str(f): f.read_bytes() for f in _files_under(app_home)})
    assert _leaks(contents) == []


def test_the_partnership_name_and_user_are_inside_the_store_only(open_store: OpenStore) -> None:
    assert settings.get(open_store.store, "partnership_name") == PARTNERSHIP
    raw = open_store.store.path.read_bytes() + sidecars(open_store.store.path)[0].read_bytes()
    assert PARTNERSHIP.encode() not in raw
    assert USER.encode() not in raw


def test_the_app_config_keeps_only_a_store_path_and_a_profile_id(app_paths: AppPaths) -> None:
    config = AppConfig(app_paths)
    config.set("last_store", "/data/marac-desk.store")
    config.set("last_profile_id", 3)
    for forbidden in ("partnership_name", "last_case", "recent_people", "passphrase"):
        with pytest.raises(KeyError):
            config.set(forbidden, MARKER)
    stored = json.loads(app_paths.config_file.read_text())
    assert stored == {"last_store": "/data/marac-desk.store", "last_profile_id": 3}
    assert set(stored) <= AppConfig.ALLOWED == {"last_store", "last_profile_id"}
    # it was written atomically: no temporary file is left beside it
    assert [p.name for p in app_paths.config_dir.iterdir()] == ["config.json"]


def test_cli_work_leaves_nothing_personal_in_the_app_folders(
    app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)
    store = tmp_path / "cli.store"
    assert (
        cli.main(["--store", str(store), "init", "--partnership", PARTNERSHIP, "--user", MARKER])
        == 0
    )
    for argv in (["check"], ["audit", "list"], ["backup", "--out", str(tmp_path / "b.store")]):
        assert cli.main(["--store", str(store), *argv]) == 0
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", "a wrong guess of a passphrase")
    assert cli.main(["--store", str(store), "check"]) == 1
    contents = {str(f): f.read_bytes() for f in _files_under(app_home)}
    contents.update({str(f): f.read_bytes() for f in _files_under(tmp_path)})
    assert _leaks(contents) == []
    for f in _files_under(app_home):  # and never the passphrase
        assert PASSPHRASE.encode() not in f.read_bytes()
        assert b"a wrong guess" not in f.read_bytes()
    config = AppPaths.default().config_file
    if config.exists():
        assert set(json.loads(config.read_text())) <= AppConfig.ALLOWED
