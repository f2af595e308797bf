"""One store, one window: a second opener, in this process or another, is told it is open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from store_support import assert_one_line_error, cache_key_derivation, child_env, run_cli

from marac_desk.db import errors
from marac_desk.db.store import Store, restore_backup
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def test_a_second_unlock_in_the_same_process_is_refused(open_store: OpenStore) -> None:
    path = open_store.store.path
    with pytest.raises(errors.AlreadyOpen, match="already open"):
        Store.unlock(path, PASSPHRASE)
    # spelled differently, it is still the same file
    relative = Path(os.path.relpath(path))
    with pytest.raises(errors.AlreadyOpen):
        Store.unlock(relative, PASSPHRASE)
    assert not open_store.store.closed


def test_a_wrong_passphrase_while_open_does_not_unlock_or_disturb_it(open_store: OpenStore) -> None:
    with pytest.raises(errors.AlreadyOpen):
        Store.unlock(open_store.store.path, "someone guessing here")
    assert open_store.store.integrity_check().ok


def test_after_locking_it_opens_again(open_store: OpenStore) -> None:
    path = open_store.store.path
    open_store.lock()
    with Store.unlock(path, PASSPHRASE):
        pass
    with Store.unlock(path, PASSPHRASE):
        pass


def test_a_failed_unlock_does_not_leave_the_store_marked_open(open_store: OpenStore) -> None:
    path = open_store.store.path
    open_store.lock()
    with pytest.raises(errors.WrongPassphrase):
        Store.unlock(path, "wrong wrong wrong wrong")
    Store.unlock(path, PASSPHRASE).close()


def test_restore_refuses_while_the_store_is_open(open_store: OpenStore, tmp_path: Path) -> None:
    backup = open_store.store.backup_to(tmp_path / "b.store")
    with pytest.raises(errors.AlreadyOpen):
        restore_backup(open_store.store.path, backup, PASSPHRASE)
    assert not open_store.store.closed


@pytest.mark.slow
def test_a_second_process_is_refused_while_open_and_works_after(open_store: OpenStore) -> None:
    path = open_store.store.path
    env = child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE)
    refused = run_cli(["--store", str(path), "check"], env)
    assert refused.returncode == 1
    assert_one_line_error(refused.stderr, must_contain="already open")
    assert refused.stdout == ""
    assert PASSPHRASE not in refused.stderr
    open_store.lock()
    works = run_cli(["--store", str(path), "check"], env)
    assert works.returncode == 0, works.stderr
    assert "Store integrity: ok" in works.stdout


@pytest.mark.slow
def test_a_store_held_by_another_process_cannot_be_opened_here(
    open_store: OpenStore, tmp_path: Path
) -> None:
    path = open_store.store.path
    open_store.lock()
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys; from marac_desk.db.store import Store; "
            "s = Store.unlock(sys.argv[1], os.environ['MARAC_DESK_PASSPHRASE']); "
            "print('open', flush=True); sys.stdin.read(); s.close()",
            str(path),
        ],
        env=child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None
        assert holder.stdout is not None
        try:
            # readline returns "" at once if the child fails: no hang
            assert holder.stdout.readline().strip() == "open"
            with pytest.raises(errors.AlreadyOpen, match="another MARAC Desk window or command"):
                Store.unlock(path, PASSPHRASE)
        finally:
            holder.stdin.close()  # lets the child close the store and exit
            holder.wait(timeout=30)
    assert holder.returncode == 0
    Store.unlock(path, PASSPHRASE).close()


def test_the_same_store_through_a_symlink_is_still_already_open(
    open_store: OpenStore, tmp_path: Path
) -> None:
    link = tmp_path / "shortcut.store"
    link.symlink_to(open_store.store.path)
    with pytest.raises(errors.AlreadyOpen):
        Store.unlock(link, PASSPHRASE)
    folder_link = tmp_path / "shared-drive"
    folder_link.symlink_to(open_store.store.path.parent, target_is_directory=True)
    with pytest.raises(errors.AlreadyOpen):
        Store.unlock(folder_link / open_store.store.path.name, PASSPHRASE)
    with pytest.raises(errors.AlreadyOpen):
        restore_backup(link, open_store.store.path, PASSPHRASE)
    assert open_store.store.integrity_check().ok
