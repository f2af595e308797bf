"""Backups that are proven to open, restores that never destroy the current store, and
passphrase changes that either complete or leave the store exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PASSPHRASE, USER
from store_support import (
    cache_key_derivation,
    damage_page,
    fingerprint,
    raw_query,
    root_page,
    sidecars,
)

from marac_desk.db import errors
from marac_desk.db import store as store_module
from marac_desk.db.store import Store, restore_backup
from marac_desk.services import users
from marac_desk.services.session import OpenStore

NEW_PASSPHRASE = "violet harbour kettle 42 slowly"


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def _names(store: Store) -> list[str]:
    return [p.name for p in users.list_profiles(store)]


# ----- backup ------------------------------------------------------------------------------------


def test_a_backup_opens_with_the_passphrase_and_holds_everything(
    open_store: OpenStore, tmp_path: Path
) -> None:

    users.add_profile(open_store.store, open_store.actor, "Dana Deputy", "deputy")
    written = open_store.store.backup_to(tmp_path / "monday.store")
    assert written == tmp_path / "monday.store"
    # any SQLCipher tool opens it with the passphrase alone
    assert raw_query(written, PASSPHRASE, "SELECT name FROM user_profiles ORDER BY name") == [
        ("Dana Deputy",),
        (USER,),
    ]
    open_store.store.close()
    with Store.unlock(written, PASSPHRASE) as copy:
        assert _names(copy) == ["Dana Deputy", USER]
        assert copy.integrity_check().ok
    # nothing but the backup was left in its folder
    assert sorted(p.name for p in tmp_path.iterdir() if "monday" in p.name) == [
        "monday.store",
        "monday.store.lock",
    ]


def test_a_backup_refuses_an_existing_destination(open_store: OpenStore, tmp_path: Path) -> None:
    dest = tmp_path / "existing.store"
    dest.write_bytes(b"last week's backup")
    with pytest.raises(errors.BackupFailed, match="already exists"):
        open_store.store.backup_to(dest)
    assert dest.read_bytes() == b"last week's backup"


def test_a_backup_refuses_a_missing_folder(open_store: OpenStore, tmp_path: Path) -> None:
    with pytest.raises(errors.BackupFailed, match="folder"):
        open_store.store.backup_to(tmp_path / "usb" / "b.store")


def test_a_backup_that_fails_to_verify_leaves_nothing(
    open_store: OpenStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bad_verify(self: Store, copy: Path) -> None:
        raise errors.BackupFailed("The backup did not verify; no backup was kept.")

    monkeypatch.setattr(Store, "_verify_copy", bad_verify)
    with pytest.raises(errors.BackupFailed, match="did not verify"):
        open_store.store.backup_to(tmp_path / "b.store")
    assert list(tmp_path.glob("*b.store*")) == []


def test_a_backup_from_the_cli_message_does_not_name_the_error_text(
    open_store: OpenStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Store, copy: Path) -> None:
        raise OSError("No space left on device: Zephyrine")

    monkeypatch.setattr(Store, "_verify_copy", broken)
    with pytest.raises(errors.BackupFailed) as caught:
        open_store.store.backup_to(tmp_path / "b.store")
    assert str(caught.value) == "The backup could not be written (OSError)."


# ----- restore -----------------------------------------------------------------------------------


def test_restore_puts_the_backup_in_place_and_keeps_the_old_store_aside(
    open_store: OpenStore, tmp_path: Path
) -> None:
    path = open_store.store.path
    backup = open_store.store.backup_to(tmp_path / "b.store")
    users.add_profile(open_store.store, open_store.actor, "Added After Backup", "deputy")
    open_store.lock()
    before = fingerprint(path)
    aside = restore_backup(path, backup, PASSPHRASE)
    assert aside is not None
    assert aside.parent == path.parent
    assert fingerprint(aside)[aside.name] == before[path.name]  # the old store, untouched
    with Store.unlock(path, PASSPHRASE) as restored:
        assert _names(restored) == [USER]
    with Store.unlock(aside, PASSPHRASE) as old:
        assert "Added After Backup" in _names(old)
    assert backup.exists()  # the backup itself is kept


def test_restore_twice_never_overwrites_an_earlier_aside_copy(
    open_store: OpenStore, tmp_path: Path
) -> None:
    path = open_store.store.path
    backup = open_store.store.backup_to(tmp_path / "b.store")
    open_store.lock()
    first = restore_backup(path, backup, PASSPHRASE)
    second = restore_backup(path, backup, PASSPHRASE)
    assert first is not None and second is not None
    assert first != second
    assert first.exists() and second.exists()


def test_restore_onto_a_new_machine_with_no_store_yet(
    open_store: OpenStore, tmp_path: Path
) -> None:
    backup = open_store.store.backup_to(tmp_path / "b.store")
    open_store.lock()
    fresh = tmp_path / "new-laptop" / "marac-desk.store"
    assert restore_backup(fresh, backup, PASSPHRASE) is None
    with Store.unlock(fresh, PASSPHRASE) as restored:
        assert _names(restored) == [USER]


def test_restore_refuses_a_damaged_backup_and_leaves_the_store_alone(
    open_store: OpenStore, tmp_path: Path
) -> None:
    path = open_store.store.path
    backup = open_store.store.backup_to(tmp_path / "b.store")
    open_store.lock()
    damage_page(backup, root_page(backup, PASSPHRASE, "user_profiles"))
    before = fingerprint(path)
    with pytest.raises(errors.DamagedStore, match="backup is damaged"):
        restore_backup(path, backup, PASSPHRASE)
    assert fingerprint(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, f"{path.name}.lock"]
    with Store.unlock(path, PASSPHRASE) as store:
        assert _names(store) == [USER]


@pytest.mark.parametrize(
    ("make_bad", "kind"),
    [
        (lambda p: p.write_bytes(b""), errors.NotAStore),
        (lambda p: p.write_text("not a backup at all " * 50), errors.NotAStore),
        (lambda p: p.write_bytes(p.read_bytes()[:5000]), errors.DamagedStore),
    ],
)
def test_restore_refuses_files_that_are_not_good_backups(
    open_store: OpenStore, tmp_path: Path, make_bad: object, kind: type[errors.StoreError]
) -> None:
    path = open_store.store.path
    backup = open_store.store.backup_to(tmp_path / "b.store")
    open_store.lock()
    make_bad(backup)  # type: ignore[operator]
    before = fingerprint(path)
    with pytest.raises(kind):
        restore_backup(path, backup, PASSPHRASE)
    assert fingerprint(path) == before


def test_restore_with_the_wrong_passphrase_changes_nothing(
    open_store: OpenStore, tmp_path: Path
) -> None:
    path = open_store.store.path
    backup = open_store.store.backup_to(tmp_path / "b.store")
    open_store.lock()
    before, backup_before = fingerprint(path), fingerprint(backup)
    with pytest.raises(errors.WrongPassphrase):
        restore_backup(path, backup, "not the backup's passphrase")
    assert fingerprint(path) == before
    assert fingerprint(backup) == backup_before


def test_restore_refuses_a_backup_from_a_newer_version(
    open_store: OpenStore, tmp_path: Path
) -> None:
    from store_support import raw_execute

    path = open_store.store.path
    backup = open_store.store.backup_to(tmp_path / "b.store")
    open_store.lock()
    raw_execute(backup, PASSPHRASE, "UPDATE alembic_version SET version_num = '0099_future'")
    before = fingerprint(path)
    with pytest.raises(errors.NewerStore):
        restore_backup(path, backup, PASSPHRASE)
    assert fingerprint(path) == before


# ----- change passphrase -------------------------------------------------------------------------


def test_after_a_change_only_the_new_passphrase_opens_the_store(open_store: OpenStore) -> None:
    store = open_store.store
    path = store.path
    users.add_profile(store, open_store.actor, "Dana Deputy", "deputy")
    safety = store.change_passphrase(NEW_PASSPHRASE)
    assert _names(store) == ["Dana Deputy", USER]  # work goes on without unlocking again
    users.add_profile(store, open_store.actor, "After Rekey", "deputy")
    open_store.lock()
    with pytest.raises(errors.WrongPassphrase):
        Store.unlock(path, PASSPHRASE)
    with Store.unlock(path, NEW_PASSPHRASE) as reopened:
        assert _names(reopened) == ["After Rekey", "Dana Deputy", USER]
        assert reopened.integrity_check().ok
    # and a stock SQLCipher tool agrees
    assert raw_query(path, NEW_PASSPHRASE, "SELECT count(*) FROM agencies") == [(14,)]
    # the safety copy was taken first and opens with the old passphrase only
    assert safety.exists()
    assert safety.parent == path.parent
    with Store.unlock(safety, PASSPHRASE) as old:
        assert _names(old) == ["Dana Deputy", USER]
    with pytest.raises(errors.WrongPassphrase):
        Store.unlock(safety, NEW_PASSPHRASE)


def test_a_failure_after_the_rekey_began_puts_the_store_back(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store.store
    path = store.path
    users.add_profile(store, open_store.actor, "Dana Deputy", "deputy")
    real_derive = store_module.derive_key
    calls = []

    def derive_then_fail(passphrase: str, salt: bytes):  # type: ignore[no-untyped-def]
        calls.append(passphrase)
        if len(calls) == 2:  # the fresh derivation that verifies the rekeyed file
            raise RuntimeError("power cut while checking the rekeyed store")
        return real_derive(passphrase, salt)

    monkeypatch.setattr(store_module, "derive_key", derive_then_fail)
    with pytest.raises(errors.StoreError, match="put back as it was"):
        store.change_passphrase(NEW_PASSPHRASE)
    assert len(calls) == 2  # the rekey had happened
    monkeypatch.undo()
    # the open store carries on with the old passphrase's key
    assert _names(store) == ["Dana Deputy", USER]
    open_store.lock()
    with pytest.raises(errors.WrongPassphrase):
        Store.unlock(path, NEW_PASSPHRASE)
    with Store.unlock(path, PASSPHRASE) as again:
        assert _names(again) == ["Dana Deputy", USER]
        assert again.integrity_check().ok


def test_a_failure_during_the_rekey_itself_puts_the_store_back(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store.store
    path = store.path
    real_connect = store_module._raw_connect

    class Failing:
        def __init__(self, conn: object) -> None:
            self._conn = conn

        def execute(self, sql: str, *args: object) -> object:
            if sql.startswith("PRAGMA rekey"):
                self._conn.execute(sql, *args)  # type: ignore[attr-defined]
                raise OSError("disk full after rekey")
            return self._conn.execute(sql, *args)  # type: ignore[attr-defined]

        def close(self) -> None:
            self._conn.close()  # type: ignore[attr-defined]

    def connect(*args: object, **kwargs: object) -> object:
        return Failing(real_connect(*args, **kwargs))  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "_raw_connect", connect)
    with pytest.raises(errors.StoreError, match="put back"):
        store.change_passphrase(NEW_PASSPHRASE)
    monkeypatch.undo()
    open_store.lock()
    with Store.unlock(path, PASSPHRASE) as again:
        assert _names(again) == [USER]
    assert not any(p.exists() for p in sidecars(path))


def test_the_old_passphrase_copy_is_a_real_backup_until_deleted(
    open_store: OpenStore, tmp_path: Path
) -> None:
    safety = open_store.store.change_passphrase(NEW_PASSPHRASE)
    open_store.lock()
    copy = tmp_path / "safety-copy.store"
    shutil.copyfile(safety, copy)
    with Store.unlock(copy, PASSPHRASE) as old:
        assert old.integrity_check().ok
