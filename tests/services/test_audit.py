"""The audit trail as a coordinator and an auditor see it: complete, filterable, tamper-evident."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import PASSPHRASE, USER
from sqlalchemy import text
from store_support import cache_key_derivation, raw_execute, raw_query

from marac_desk.db.store import Store
from marac_desk.services import audit, users
from marac_desk.services.audit import AuditFilter
from marac_desk.services.context import SYSTEM, Actor
from marac_desk.services.session import OpenStore

DROP_GUARDS = (
    "DROP TRIGGER audit_events_no_update",
    "DROP TRIGGER audit_events_no_delete",
)


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def _add_events(opened: OpenStore, n: int, **kw: object) -> list[int]:
    seqs = []
    for i in range(n):
        with opened.store.write() as s:
            seqs.append(
                audit.record(
                    s, opened.actor, "export", "report", f"Q{i}", f"quarterly report {i}", **kw
                )
            )
    return seqs


def _reopen_after(opened: OpenStore, *sql: str) -> Store:
    """Close, change the file behind the app's back with the passphrase, and unlock again."""
    path = opened.store.path
    opened.lock()
    raw_execute(path, PASSPHRASE, *sql)
    return Store.unlock(path, PASSPHRASE)


def test_events_get_consecutive_numbers_and_the_chain_verifies(open_store: OpenStore) -> None:
    first = audit.count_events(open_store.store)
    seqs = _add_events(open_store, 3)
    assert seqs == [first + 1, first + 2, first + 3]
    verdict = audit.verify(open_store.store)
    assert verdict.ok
    assert verdict.events_checked == first + 3


def test_an_event_exists_only_if_its_unit_of_work_committed(open_store: OpenStore) -> None:
    before = audit.count_events(open_store.store)
    with pytest.raises(RuntimeError), open_store.store.write() as s:
        audit.record(s, open_store.actor, "delete", "referral", "7", "referral deleted")
        raise RuntimeError("the change itself failed")
    assert audit.count_events(open_store.store) == before
    assert audit.verify(open_store.store).ok
    _add_events(open_store, 1)  # the chain carries on from the last committed event
    assert audit.verify(open_store.store).ok


def test_an_unknown_action_is_refused(open_store: OpenStore) -> None:
    with pytest.raises(ValueError, match="unknown audit action"), open_store.store.write() as s:
        audit.record(s, open_store.actor, "peek", "referral", "1")


def test_listing_newest_first_and_oldest_first_with_paging(open_store: OpenStore) -> None:
    _add_events(open_store, 5)
    store = open_store.store
    total = audit.count_events(store)
    newest = audit.list_events(store, limit=3)
    assert [e.seq for e in newest] == [total, total - 1, total - 2]
    oldest = audit.list_events(store, newest_first=False, limit=2, offset=1)
    assert [e.seq for e in oldest] == [2, 3]
    assert len(audit.list_events(store, limit=None)) == total


def test_filters_by_action_entity_actor_text_and_dates(open_store: OpenStore) -> None:
    store = open_store.store
    deputy = users.add_profile(store, open_store.actor, "Dana Deputy", "deputy")
    with store.write() as s:
        audit.record(
            s,
            deputy.actor,
            "export",
            "minutes",
            "M-2026-04-01",
            "minutes exported",
            at=datetime(2026, 4, 1, 10, 0),
        )
        audit.record(
            s,
            open_store.actor,
            "merge",
            "person",
            "12",
            "merged into 9",
            at=datetime(2026, 4, 3, 23, 59),
        )
        audit.record(
            s,
            SYSTEM,
            "backup",
            "store",
            "",
            "encrypted backup written",
            at=datetime(2026, 4, 5, 0, 0),
        )
    assert [e.entity_id for e in audit.list_events(store, AuditFilter(action="export"))] == [
        "M-2026-04-01"
    ]
    assert [e.action for e in audit.list_events(store, AuditFilter(entity="person"))] == ["merge"]
    by_dana = audit.list_events(store, AuditFilter(actor="Dana Deputy"))
    assert [(e.actor, e.entity) for e in by_dana] == [("Dana Deputy", "minutes")]
    assert [e.entity_id for e in audit.list_events(store, AuditFilter(text="merged"))] == ["12"]
    assert [e.entity_id for e in audit.list_events(store, AuditFilter(text="m-2026"))] == [
        "M-2026-04-01"
    ]
    # `until` includes the whole of that day; `since` starts at its midnight
    window = audit.list_events(
        store, AuditFilter(since=date(2026, 4, 1), until=date(2026, 4, 3)), newest_first=False
    )
    assert [e.action for e in window] == ["export", "merge"]
    assert audit.count_events(store, AuditFilter(since=date(2026, 4, 4))) >= 1
    assert audit.count_events(store, AuditFilter(action="export", actor=USER)) == 0


def test_distinct_values_offer_the_filter_choices(open_store: OpenStore) -> None:
    actions, entities, actors = audit.distinct_values(open_store.store)
    assert actions == ("create", "sign_in", "update")
    assert entities == ("session", "setting", "store", "user_profile")
    assert actors == (USER,)


def test_the_database_refuses_to_edit_or_delete_audit_events(open_store: OpenStore) -> None:
    store = open_store.store
    for sql in (
        "UPDATE audit_events SET description = 'nothing to see' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "DELETE FROM audit_events",
    ):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(sql))
    assert audit.verify(store).ok
    assert audit.count_events(store) == 4


def test_an_edited_event_is_reported_with_its_number(open_store: OpenStore) -> None:
    _add_events(open_store, 3)
    store = _reopen_after(
        open_store,
        *DROP_GUARDS,
        "UPDATE audit_events SET description = 'report not exported' WHERE seq = 6",
    )
    with store:
        verdict = audit.verify(store)
    assert not verdict.ok
    assert verdict.first_bad_seq == 6
    assert verdict.problem == "event 6 was altered"


def test_an_edited_actor_is_reported(open_store: OpenStore) -> None:
    store = _reopen_after(
        open_store, *DROP_GUARDS, "UPDATE audit_events SET actor = 'Somebody Else' WHERE seq = 2"
    )
    with store:
        assert audit.verify(store).first_bad_seq == 2


def test_a_deleted_middle_event_is_reported(open_store: OpenStore) -> None:
    _add_events(open_store, 3)
    store = _reopen_after(open_store, *DROP_GUARDS, "DELETE FROM audit_events WHERE seq = 5")
    with store:
        verdict = audit.verify(store)
    assert not verdict.ok
    assert verdict.problem == "event 5 is missing (deleted)"


def test_deleting_the_newest_events_is_reported_through_the_head(open_store: OpenStore) -> None:
    _add_events(open_store, 3)
    store = _reopen_after(open_store, *DROP_GUARDS, "DELETE FROM audit_events WHERE seq >= 6")
    with store:
        verdict = audit.verify(store)
    assert not verdict.ok
    assert verdict.problem == "events 6 to 8 are missing"


def test_a_fully_recomputed_forgery_is_still_caught_by_the_head(open_store: OpenStore) -> None:
    """Someone with the passphrase deletes the newest event and moves the head back, but the
    head's hash was written with the deleted event: they would need to recompute it too."""
    _add_events(open_store, 2)
    store = _reopen_after(
        open_store,
        *DROP_GUARDS,
        "DELETE FROM audit_events WHERE seq >= 6",  # the two exports and the sign-out
        "UPDATE audit_head SET seq = 5",
    )
    with store:
        verdict = audit.verify(store)
    assert not verdict.ok
    assert verdict.problem == "the newest event does not match the record"


def test_events_written_after_a_tampering_do_not_hide_it(open_store: OpenStore) -> None:
    store = _reopen_after(
        open_store, *DROP_GUARDS, "UPDATE audit_events SET entity_id = 'x' WHERE seq = 1"
    )
    with store:
        actor = Actor(1, USER)
        for _ in range(3):
            with store.write() as s:
                audit.record(s, actor, "sign_in", "session")
        verdict = audit.verify(store)
    assert not verdict.ok
    assert verdict.first_bad_seq == 1


def test_writers_on_several_threads_keep_one_unbroken_chain(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                with store.write() as s:
                    audit.record(s, actor, "update", "referral", f"{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    verdict = audit.verify(store)
    assert verdict.ok, verdict.problem
    assert verdict.events_checked == 4 + 40


def test_the_trail_lives_in_the_encrypted_file(open_store: OpenStore, tmp_path: Path) -> None:
    path = open_store.store.path
    open_store.lock()
    rows = raw_query(path, PASSPHRASE, "SELECT action FROM audit_events ORDER BY seq")
    assert rows[-1] == ("sign_out",)
