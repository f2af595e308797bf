"""Schema migrations: a new store is at the newest revision, matches the models, and its audit
trail is append-only in the database itself."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from store_support import cache_key_derivation, raw_query

from marac_desk.db import migrate
from marac_desk.db.models import Base
from marac_desk.services import audit
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def test_a_fresh_store_is_at_the_head_revision(open_store: OpenStore) -> None:
    with open_store.store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == migrate.head_revision()
    assert not migrate.needs_upgrade(version)
    assert not migrate.is_newer_than_app(version)


def test_revision_rules() -> None:
    head = migrate.head_revision()
    assert migrate.is_newer_than_app("0099_from_the_future")
    assert not migrate.is_newer_than_app(None)  # an empty file is not "newer"
    assert migrate.needs_upgrade(None)
    assert head in migrate.known_revisions()


def test_the_migrated_schema_matches_the_models(open_store: OpenStore) -> None:
    with open_store.store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_events SET description = 'edited' WHERE seq = 1",
        "UPDATE audit_events SET actor = 'Someone Else'",
        "DELETE FROM audit_events WHERE seq = 2",
        "DELETE FROM audit_events",
    ],
)
def test_the_audit_table_refuses_update_and_delete(open_store: OpenStore, sql: str) -> None:
    store = open_store.store
    before = audit.list_events(store, limit=None)
    with pytest.raises(IntegrityError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(sql))
    assert audit.list_events(store, limit=None) == before
    assert audit.verify(store).ok


def test_the_audit_table_still_accepts_new_events(open_store: OpenStore) -> None:
    with open_store.store.write() as s:
        audit.record(s, open_store.actor, "export", "report", "Q1")
    assert audit.verify(open_store.store).ok


def test_an_older_store_is_backed_up_then_upgraded_with_keys_for_its_people(
    open_store: OpenStore, store_path
) -> None:
    """A schema-1 store (as an earlier MARAC Desk wrote it) opens in this version: a verified
    backup appears beside it first, then the upgrade indexes the people already there."""
    from alembic import command
    from alembic.config import Config
    from conftest import PASSPHRASE
    from sqlalchemy import select

    from marac_desk.db.models import PersonKey
    from marac_desk.db.store import Store
    from marac_desk.services import people

    store = open_store.store
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate._MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001_schema_v1")
        conn.execute(
            text(
                "INSERT INTO people (first_name, middle_names, last_name, dob, gender, "
                "created_at, updated_at) VALUES ('Aisha', '', 'Rahman', '1991-02-03', "
                "'female', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    store.close()
    before = set(store_path.parent.iterdir())

    reopened = Store.unlock(store_path, PASSPHRASE)
    try:
        backups = [p for p in set(store_path.parent.iterdir()) - before if ".backup-" in p.name]
        assert len(backups) == 1
        with reopened.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
                migrate.head_revision()
            )
        with reopened.read() as session:
            assert session.scalars(select(PersonKey.key)).first() is not None
        found = people.find_candidates(reopened, people.evidence_from("Ayesha", "Rahman", None))
        assert [c.person.first_name for c in found] == ["Aisha"]
    finally:
        reopened.close()
    # The backup is the schema-1 store, readable by stock SQLCipher with the same passphrase.
    assert raw_query(backups[0], PASSPHRASE, "SELECT version_num FROM alembic_version") == [
        ("0001_schema_v1",)
    ]


def test_schema_8_down_and_up_again_keeps_every_row(open_store: OpenStore, store_path) -> None:
    """Provenance columns come and go without touching anything else: no table that others
    hang off is rebuilt (a rebuild of `referrals` would cascade to its perpetrators, children
    and risk assessments, or fail on its meeting cases), and the rebuilt variant tables keep
    every row and never reuse an id."""
    from alembic import command
    from alembic.config import Config
    from conftest import PASSPHRASE

    from marac_desk.db.store import Store
    from marac_desk.services import demo

    demo.generate_demo_data(open_store, referrals=60, seed=3)
    store = open_store.store

    def counts(conn) -> dict[str, int]:  # type: ignore[no-untyped-def]
        names = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        )
        return {
            name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for (name,) in names
        }

    with store.engine.connect() as conn:
        before = counts(conn)
    assert before["referral_perpetrators"] and before["meeting_cases"]
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate._MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007_person_identifiers")
        assert counts(conn) == before
        assert "victim_identifiers" not in {
            c[1] for c in conn.execute(text("PRAGMA table_info(referrals)"))
        }
    store.close()

    reopened = Store.unlock(store_path, PASSPHRASE)  # upgraded again on the way in
    try:
        with reopened.engine.connect() as conn:
            assert counts(conn) == before
            for table in ("person_aliases", "person_dobs", "person_identifiers"):
                sql = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
                ).scalar_one()
                assert "AUTOINCREMENT" in sql, table
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
    finally:
        reopened.close()


def test_schema_8_attributes_older_spellings_and_dates_of_birth(
    open_store: OpenStore, store_path
) -> None:
    """A store from before schema 8 has spellings and dates of birth that linked referrals
    added, with no record of which: the upgrade finds the referral that says each one."""
    from datetime import date

    from alembic import command
    from alembic.config import Config
    from conftest import PASSPHRASE

    from marac_desk.db.store import Store
    from marac_desk.services import referrals

    def save(on: date, victim: referrals.PersonInput):  # type: ignore[no-untyped-def]
        inp = referrals.ReferralInput(
            referral_date=on,
            referring_agency="Police",
            victim=victim,
            perpetrators=(referrals.PerpetratorInput("Karl", "Dunn", date(1988, 1, 1)),),
            crit_visible_high_risk=True,
        )
        return referrals.create_referral(
            open_store.store, open_store.actor, inp, today=date(2026, 11, 20)
        )

    first = save(date(2026, 1, 5), referrals.PersonInput("Sarah", "Jones", date(1990, 4, 12)))
    linked = referrals.PersonInput(
        "Sara", "Jonas", date(1990, 12, 4), person_id=first.victim_id, decided=True
    )
    second = save(date(2026, 2, 1), linked)
    save(date(2026, 3, 1), linked)  # says the same again: the first to say it is recorded

    provenance = (
        "SELECT 'alias', first_name || ' ' || last_name, referral_id FROM person_aliases "
        "UNION ALL SELECT 'dob', dob, referral_id FROM person_dobs ORDER BY 1, 2"
    )
    with open_store.store.engine.connect() as conn:
        before = conn.execute(text(provenance)).all()
    assert before == [("alias", "Sara Jonas", second.id), ("dob", "1990-12-04", second.id)]

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate._MIGRATIONS))
    with open_store.store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007_person_identifiers")
    open_store.store.close()
    reopened = Store.unlock(store_path, PASSPHRASE)
    try:
        with reopened.engine.connect() as conn:
            assert conn.execute(text(provenance)).all() == before
    finally:
        reopened.close()
