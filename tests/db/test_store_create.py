"""A new store is a standard SQLCipher 4 file: any SQLCipher tool opens it with the passphrase."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3
from conftest import PASSPHRASE
from store_support import raw_open, raw_query, sidecars

from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.db import errors, migrate
from marac_desk.db.store import APPLICATION_ID, Store, lock_path_for
from marac_desk.services.session import OpenStore

SAFELIVES_AGENCIES = [
    "Police",
    "IDVA",
    "Children's Social Care",
    "Adult Social Care",
    "Primary Care",
    "Acute Trust",
    "Mental Health",
    "Substance Misuse",
    "Probation",
    "Voluntary Sector",
    "MASH",
    "Education",
    "Housing",
    "Other",
]


@pytest.fixture
def closed_store(open_store: OpenStore) -> Path:
    path = open_store.store.path
    open_store.lock()
    return path


def test_the_stock_driver_opens_it_with_the_passphrase_alone(closed_store: Path) -> None:
    conn = raw_open(closed_store, PASSPHRASE)
    try:
        tables = {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        agencies = [n for (n,) in conn.execute("SELECT name FROM agencies ORDER BY id")]
        categories = [c for (c,) in conn.execute("SELECT category FROM agencies ORDER BY id")]
    finally:
        conn.close()
    assert {"referrals", "people", "meetings", "actions", "audit_events", "settings"} <= tables
    assert agencies == SAFELIVES_AGENCIES
    assert list(REFERRAL_SOURCE_CATEGORIES) == SAFELIVES_AGENCIES
    assert categories == SAFELIVES_AGENCIES


def test_it_uses_sqlcipher_4_default_cipher_settings(closed_store: Path) -> None:
    conn = raw_open(closed_store, PASSPHRASE)
    try:
        settings = {row[0] for row in conn.execute("PRAGMA cipher_settings")}
        defaults = {row[0] for row in conn.execute("PRAGMA cipher_default_settings")}
        (kdf_iter,) = conn.execute("PRAGMA kdf_iter").fetchone()
        (app_id,) = conn.execute("PRAGMA application_id").fetchone()
        conn.execute("SELECT count(*) FROM agencies").fetchone()
    finally:
        conn.close()
    assert int(kdf_iter) == 256_000
    assert settings == {
        "PRAGMA kdf_iter = 256000;",
        "PRAGMA cipher_page_size = 4096;",
        "PRAGMA cipher_use_hmac = 1;",
        "PRAGMA cipher_hmac_algorithm = HMAC_SHA512;",
        "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512;",
        "PRAGMA cipher_plaintext_header_size = 0;",
    }
    # ...which are the driver's out-of-the-box ones: nothing to configure to open it elsewhere
    as_defaults = {s.replace("PRAGMA ", "PRAGMA cipher_default_", 1) for s in settings}
    as_defaults = {s.replace("cipher_default_cipher_", "cipher_default_") for s in as_defaults}
    assert as_defaults == defaults
    assert app_id == APPLICATION_ID


def test_the_file_starts_with_random_salt_not_the_sqlite_header(closed_store: Path) -> None:
    head = closed_store.read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    assert closed_store.stat().st_size % 4096 == 0


def test_the_stock_driver_refuses_a_wrong_passphrase(closed_store: Path) -> None:
    conn = raw_open(closed_store, PASSPHRASE + "x")
    try:
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    finally:
        conn.close()


def test_a_fresh_store_is_at_the_newest_schema_revision(closed_store: Path) -> None:
    assert raw_query(closed_store, PASSPHRASE, "SELECT version_num FROM alembic_version") == [
        (migrate.head_revision(),)
    ]
    assert migrate.head_revision() in migrate.known_revisions()


def test_the_audit_trail_guards_are_in_the_file(closed_store: Path) -> None:
    triggers = {
        name
        for (name,) in raw_query(
            closed_store, PASSPHRASE, "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    assert {"audit_events_no_update", "audit_events_no_delete"} <= triggers


def test_two_stores_with_one_passphrase_have_different_salts(tmp_path: Path) -> None:
    a = Store.create(tmp_path / "a.store", PASSPHRASE)
    b = Store.create(tmp_path / "b.store", PASSPHRASE)
    a.close()
    b.close()
    assert (tmp_path / "a.store").read_bytes()[:16] != (tmp_path / "b.store").read_bytes()[:16]


def test_create_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "minutes.store"
    path.write_bytes(b"someone's work")
    with pytest.raises(errors.StoreExists, match="already exists"):
        Store.create(path, PASSPHRASE)
    assert path.read_bytes() == b"someone's work"


def test_create_refuses_when_only_a_wal_is_left_beside_the_name(tmp_path: Path) -> None:
    path = tmp_path / "new.store"
    wal, _ = sidecars(path)
    wal.write_bytes(b"\x00" * 32)  # a crashed store's log: creating over it would corrupt
    with pytest.raises(errors.StoreExists):
        Store.create(path, PASSPHRASE)
    assert not path.exists()
    assert wal.read_bytes() == b"\x00" * 32


def test_create_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(errors.StoreNotFound, match="folder"):
        Store.create(tmp_path / "no" / "such" / "x.store", PASSPHRASE)


def test_a_closed_store_leaves_only_the_file_and_its_empty_lock(closed_store: Path) -> None:
    names = sorted(p.name for p in closed_store.parent.iterdir())
    assert names == [closed_store.name, lock_path_for(closed_store).name]
    assert lock_path_for(closed_store).stat().st_size == 0
