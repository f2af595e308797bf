"""Unlocking: every way it can fail has its own clear message, and none of them changes a byte."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import PASSPHRASE, USER
from sqlalchemy import select
from store_support import (
    PAGE,
    cache_key_derivation,
    damage_page,
    fingerprint,
    raw_execute,
    raw_open,
    root_page,
    sidecars,
)

from marac_desk.db import errors, keys
from marac_desk.db import store as store_module
from marac_desk.db.models import Agency
from marac_desk.db.store import Store
from marac_desk.services import audit, users
from marac_desk.services.context import utcnow
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


WRONG = "orchard plum lantern 7 quietly"


@pytest.fixture
def closed_store(open_store: OpenStore) -> Path:
    path = open_store.store.path
    open_store.lock()
    return path


def _refused(path: Path, passphrase: str, kind: type[errors.StoreError]) -> str:
    """Unlock must fail with `kind`, leave every file as it was and create no sidecar."""
    before = fingerprint(path)
    had_sidecars = {p.name for p in sidecars(path) if p.exists()}
    with pytest.raises(kind) as caught:
        Store.unlock(path, passphrase)
    assert type(caught.value) is kind
    assert fingerprint(path) == before
    assert {p.name for p in sidecars(path) if p.exists()} == had_sidecars
    message = str(caught.value)
    assert passphrase not in message
    assert "\n" not in message
    return message


def test_right_passphrase_unlocks_and_shows_the_data(closed_store: Path) -> None:
    with Store.unlock(closed_store, PASSPHRASE) as store:
        assert [p.name for p in users.list_profiles(store)] == [USER]
        assert audit.verify(store).ok


def test_wrong_passphrase_changes_nothing(closed_store: Path) -> None:
    message = _refused(closed_store, WRONG, errors.WrongPassphrase)
    assert message == "The passphrase is not right for this store."
    assert not any(p.exists() for p in sidecars(closed_store))
    with Store.unlock(closed_store, PASSPHRASE):  # and the store is not left locked
        pass


def test_wrong_passphrase_on_a_store_with_a_crash_log_changes_none_of_the_three_files(
    open_store: OpenStore, tmp_path: Path
) -> None:
    """A laptop died with committed work still in the -wal: a typo must not disturb it."""
    users.add_profile(open_store.store, open_store.actor, "Dana Deputy", "deputy")
    crashed = tmp_path / "crashed" / "test.store"
    crashed.parent.mkdir()
    for src in (open_store.store.path, *sidecars(open_store.store.path)):
        shutil.copyfile(src, crashed.parent / src.name)
    open_store.lock()
    assert sidecars(crashed)[0].stat().st_size > 0  # there is committed work in the log
    _refused(crashed, WRONG, errors.WrongPassphrase)
    with Store.unlock(crashed, PASSPHRASE) as store:  # the right one recovers the work
        assert "Dana Deputy" in [p.name for p in users.list_profiles(store)]


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.StoreNotFound):
        Store.unlock(tmp_path / "nowhere.store", PASSPHRASE)
    assert not (tmp_path / "nowhere.store").exists()


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.store"
    path.touch()
    assert "empty" in _refused(path, PASSPHRASE, errors.NotAStore)


def test_a_plain_unencrypted_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.store"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE referrals (id INTEGER)")
    conn.commit()
    conn.close()
    assert "unencrypted SQLite" in _refused(path, PASSPHRASE, errors.NotAStore)


def test_a_pdf_renamed_to_look_like_a_store(tmp_path: Path) -> None:
    path = tmp_path / "minutes.store"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 200)
    assert "PDF" in _refused(path, PASSPHRASE, errors.NotAStore)


def test_a_text_file_renamed_to_look_like_a_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.store"
    path.write_text("Action: Police to check address history before the next meeting.\n" * 100)
    assert "text file" in _refused(path, PASSPHRASE, errors.NotAStore)


def test_a_store_truncated_mid_page(closed_store: Path) -> None:
    data = closed_store.read_bytes()
    closed_store.write_bytes(data[: 10 * PAGE + 1234])
    assert "truncated" in _refused(closed_store, PASSPHRASE, errors.DamagedStore)


def test_a_store_missing_its_last_pages(closed_store: Path) -> None:
    data = closed_store.read_bytes()
    closed_store.write_bytes(data[:-PAGE])
    message = _refused(closed_store, PASSPHRASE, errors.DamagedStore)
    assert "incomplete" in message or "truncated" in message
    assert "backup" in message


def test_a_store_cut_off_at_a_page_boundary_in_the_middle(closed_store: Path) -> None:
    data = closed_store.read_bytes()
    closed_store.write_bytes(data[: 8 * PAGE])
    assert "backup" in _refused(closed_store, PASSPHRASE, errors.DamagedStore)


def test_a_store_whose_first_page_is_damaged_reads_as_a_wrong_passphrase(
    closed_store: Path,
) -> None:
    # Page 1 carries the key check: damage there cannot be told from a wrong passphrase.
    damage_page(closed_store, 1, at=100)
    _refused(closed_store, PASSPHRASE, errors.WrongPassphrase)


def test_another_apps_sqlcipher_database_with_the_same_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "other-app.db"
    raw_execute(
        path, PASSPHRASE, "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('x')"
    )
    message = _refused(path, PASSPHRASE, errors.NotAStore)
    assert "encrypted database, but not a MARAC Desk store" in message


def test_another_apps_sqlcipher_database_with_another_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "other-app.db"
    raw_execute(path, "a different app's passphrase", "CREATE TABLE notes (body TEXT)")
    _refused(path, PASSPHRASE, errors.WrongPassphrase)


def test_a_store_from_a_newer_version_is_refused_and_not_touched(closed_store: Path) -> None:
    raw_execute(closed_store, PASSPHRASE, "UPDATE alembic_version SET version_num = '0099_future'")
    assert not any(p.exists() for p in sidecars(closed_store))
    message = _refused(closed_store, PASSPHRASE, errors.NewerStore)
    assert "newer version" in message
    assert "nothing was changed" in message
    assert not any(p.exists() for p in sidecars(closed_store))
    assert not list(closed_store.parent.glob("*.backup-*"))


def test_unlocking_a_current_store_takes_no_migration_backup(closed_store: Path) -> None:
    calls: list[Path] = []
    with Store.unlock(closed_store, PASSPHRASE, backup_before_migrate=calls.append):
        pass
    assert calls == []
    assert not list(closed_store.parent.glob("*.backup-*"))


def test_every_refusal_has_its_own_message(tmp_path: Path, closed_store: Path) -> None:
    empty = tmp_path / "e.store"
    empty.touch()
    text = tmp_path / "t.store"
    text.write_text("plain words " * 100)
    pdf = tmp_path / "p.store"
    pdf.write_bytes(b"%PDF-1.4" + b"\0" * 5000)
    cut = tmp_path / "c.store"
    cut.write_bytes(closed_store.read_bytes()[:5000])
    messages = set()
    for path, passphrase in (
        (empty, PASSPHRASE),
        (text, PASSPHRASE),
        (pdf, PASSPHRASE),
        (cut, PASSPHRASE),
        (closed_store, WRONG),
    ):
        with pytest.raises(errors.StoreError) as caught:
            Store.unlock(path, passphrase)
        messages.add(str(caught.value))
    assert len(messages) == 5


# ----- damage inside the file -------------------------------------------------------------------


def _damage_table(path: Path, table: str) -> None:
    damage_page(path, root_page(path, PASSPHRASE, table))


def test_a_damaged_page_is_reported_by_the_integrity_check(closed_store: Path) -> None:
    _damage_table(closed_store, "agencies")
    with Store.unlock(closed_store, PASSPHRASE) as store:
        report = store.integrity_check()
    assert not report.ok
    assert any("page authentication" in p for p in report.problems)
    assert any("HMAC" in p for p in report.problems)


def test_reading_a_damaged_page_raises_a_clean_store_error(closed_store: Path) -> None:
    _damage_table(closed_store, "agencies")
    with Store.unlock(closed_store, PASSPHRASE) as store:
        with pytest.raises(errors.DamagedStore) as caught, store.read() as s:
            s.scalars(select(Agency)).all()  # the whole rows, not just the name index
        assert "Restore it from a backup" in str(caught.value)
        # the message is the whole story: no SQL, no parameters, nothing from the store
        assert caught.value.__cause__ is None
        assert "SELECT" not in str(caught.value)


def test_services_reading_a_damaged_table_raise_a_store_error(closed_store: Path) -> None:
    _damage_table(closed_store, "user_profiles")
    with Store.unlock(closed_store, PASSPHRASE) as store:
        with pytest.raises(errors.DamagedStore):
            users.list_profiles(store)
        assert not store.integrity_check().ok


def test_writing_next_to_a_damaged_page_raises_a_store_error(closed_store: Path) -> None:
    _damage_table(closed_store, "audit_events")
    with (
        Store.unlock(closed_store, PASSPHRASE) as store,
        pytest.raises(errors.DamagedStore),
        store.write() as s,
    ):
        audit.record(s, users.Profile(1, USER, "coordinator", True).actor, "sign_in", "x")


def test_constraint_errors_are_not_mistaken_for_damage(closed_store: Path) -> None:
    with Store.unlock(closed_store, PASSPHRASE) as store:
        with pytest.raises(Exception) as caught, store.write() as s:
            s.add(Agency(name="Police", category="Police", created_at=utcnow()))
        assert not isinstance(caught.value, errors.StoreError)
        assert "UNIQUE" in str(caught.value)
        assert store.integrity_check().ok


def test_a_healthy_store_passes_the_integrity_check(closed_store: Path) -> None:
    with Store.unlock(closed_store, PASSPHRASE) as store:
        report = store.integrity_check()
    assert report.ok
    assert report.problems == ()


def test_a_page_from_another_store_is_detected(
    closed_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages are authenticated with the key: splicing in a page of another store is damage
    (each store has its own salt, so the same passphrase gives another key)."""
    monkeypatch.setattr(store_module, "new_salt", keys.new_salt)  # undo the tests' fixed salt
    other = Store.create(tmp_path / "other.store", PASSPHRASE)
    other.close()
    page = root_page(closed_store, PASSPHRASE, "agencies")
    mine = bytearray(closed_store.read_bytes())
    theirs = (tmp_path / "other.store").read_bytes()
    mine[(page - 1) * PAGE : page * PAGE] = theirs[(page - 1) * PAGE : page * PAGE]
    closed_store.write_bytes(bytes(mine))
    with Store.unlock(closed_store, PASSPHRASE) as store:
        assert not store.integrity_check().ok


def test_the_stock_driver_also_sees_the_damage(closed_store: Path) -> None:
    _damage_table(closed_store, "agencies")
    conn = raw_open(closed_store, PASSPHRASE)
    try:
        bad = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    finally:
        conn.close()
    assert bad


def test_unlocking_and_locking_leaves_no_files_beside_the_store(closed_store: Path) -> None:
    expected = [closed_store.name, f"{closed_store.name}.lock"]
    Store.unlock(closed_store, PASSPHRASE).close()  # unlocked, nothing read, locked
    assert sorted(p.name for p in closed_store.parent.iterdir()) == expected
    with Store.unlock(closed_store, PASSPHRASE) as store:
        users.list_profiles(store)
    assert sorted(p.name for p in closed_store.parent.iterdir()) == expected


def test_an_sqlcipher_on_too_old_an_sqlite_is_named_not_half_used(
    closed_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module.sqlcipher3, "sqlite_version_info", (3, 43, 2))
    before = closed_store.read_bytes()
    with pytest.raises(errors.StoreError, match=r"SQLite 3\.44\.0 or later"):
        Store.unlock(closed_store, PASSPHRASE)
    assert closed_store.read_bytes() == before
