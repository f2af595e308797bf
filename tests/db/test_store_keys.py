"""The key is derived once per unlock, not per connection, and is dropped when the store locks."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE
from sqlalchemy import text

from marac_desk.db import errors
from marac_desk.db.keys import KDF_ITERATIONS, RawKey, derive_key, read_salt
from marac_desk.db.store import Store
from marac_desk.services import users
from marac_desk.services.session import OpenStore


@pytest.fixture
def closed_store(open_store: OpenStore) -> Path:
    path = open_store.store.path
    open_store.lock()
    return path


@pytest.fixture
def kdf_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every PBKDF2 run in Python (the driver's own KDF is timed separately below)."""
    calls: list[int] = []
    real: Callable[..., bytes] = hashlib.pbkdf2_hmac

    def spy(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", spy)
    return calls


def test_unlock_derives_the_key_once(closed_store: Path, kdf_calls: list[int]) -> None:
    store = Store.unlock(closed_store, PASSPHRASE)
    try:
        assert len(kdf_calls) == 1
    finally:
        store.close()


def test_many_connections_after_unlock_derive_nothing_more(
    closed_store: Path, kdf_calls: list[int]
) -> None:
    with Store.unlock(closed_store, PASSPHRASE) as store:
        kdf_calls.clear()
        held = [store.engine.connect() for _ in range(8)]  # the pool and its overflow
        try:
            for conn in held:
                assert conn.execute(text("SELECT count(*) FROM agencies")).scalar() == 14
        finally:
            for conn in held:
                conn.close()
        store.engine.dispose()  # force brand new connections
        for _ in range(5):
            users.list_profiles(store)
            store.raw_connection_time_probe()
        assert kdf_calls == []


def test_a_new_connection_costs_far_less_than_a_key_derivation(closed_store: Path) -> None:
    with Store.unlock(closed_store, PASSPHRASE) as store:
        salt = read_salt(closed_store)
        start = time.perf_counter()
        derive_key(PASSPHRASE, salt).wipe()
        one_derivation = time.perf_counter() - start
        connection_times = []
        for _ in range(5):
            start = time.perf_counter()
            store.raw_connection_time_probe()  # opens a keyed connection and reads
            connection_times.append(time.perf_counter() - start)
    # SQLCipher would spend a whole derivation per connection if given the passphrase
    assert min(connection_times) < one_derivation / 5, (connection_times, one_derivation)


def test_the_derived_key_is_the_one_sqlcipher_derives_from_the_passphrase(
    closed_store: Path,
) -> None:
    key = derive_key(PASSPHRASE, read_salt(closed_store))
    manual = hashlib.pbkdf2_hmac(
        "sha512", PASSPHRASE.encode(), closed_store.read_bytes()[:16], 256_000, 32
    )
    assert KDF_ITERATIONS == 256_000
    assert key.pragma_value() == f"\"x'{manual.hex()}'\""


def test_locking_wipes_the_key_and_refuses_further_work(closed_store: Path) -> None:
    store = Store.unlock(closed_store, PASSPHRASE)
    key: RawKey = store._key
    store.close()
    assert key.wiped
    with pytest.raises(ValueError, match="wiped"):
        key.pragma_value()
    with pytest.raises(errors.StoreLocked):
        users.list_profiles(store)
    with pytest.raises(errors.StoreLocked), store.engine.connect():
        pass
    store.close()  # a second close is harmless


def test_the_key_never_shows_in_a_repr(closed_store: Path) -> None:
    key = derive_key(PASSPHRASE, read_salt(closed_store))
    assert repr(key) == "RawKey(<hidden>)"
    assert PASSPHRASE not in repr(key)


def test_key_material_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError):
        RawKey(b"short", b"0" * 16)
    with pytest.raises(ValueError):
        RawKey(b"k" * 32, b"salt")
