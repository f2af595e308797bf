"""The hash chain that makes edits to, and deletions from, the audit trail visible."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marac_desk.core.audit_chain import (
    GENESIS_HASH,
    ChainedEvent,
    event_hash,
    verify_chain,
)

T0 = datetime(2026, 4, 1, 9, 30)


def build_chain(n: int, descriptions: list[str] | None = None) -> list[ChainedEvent]:
    events: list[ChainedEvent] = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        fields = {
            "seq": i,
            "occurred_at": T0 + timedelta(minutes=i),
            "actor": "Sam Coordinator",
            "action": "update",
            "entity": "referral",
            "entity_id": f"MARAC-{i:04d}",
            "description": descriptions[i - 1] if descriptions else f"status changed ({i})",
        }
        digest = event_hash(prev_hash=prev, **fields)  # type: ignore[arg-type]
        events.append(ChainedEvent(prev_hash=prev, hash=digest, **fields))  # type: ignore[arg-type]
        prev = digest
    return events


def rehash_from(events: list[ChainedEvent], start: int) -> list[ChainedEvent]:
    """What a careful forger would do: recompute every hash from an edited event onwards."""
    out = list(events[:start])
    prev = out[-1].hash if out else GENESIS_HASH
    for ev in events[start:]:
        fields = dataclasses.asdict(ev)
        fields.pop("hash")
        fields["prev_hash"] = prev
        digest = event_hash(**fields)
        out.append(dataclasses.replace(ev, prev_hash=prev, hash=digest))
        prev = digest
    return out


def head_of(events: list[ChainedEvent]) -> tuple[int, str]:
    return (events[-1].seq, events[-1].hash) if events else (0, GENESIS_HASH)


def test_an_untouched_chain_verifies_with_its_head() -> None:
    events = build_chain(6)
    verdict = verify_chain(events, head=head_of(events))
    assert verdict.ok
    assert verdict.events_checked == 6
    assert verdict.first_bad_seq is None


def test_an_empty_trail_verifies() -> None:
    assert verify_chain([], head=(0, GENESIS_HASH)).ok
    assert verify_chain([]).ok


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "status changed (quietly)"),
        ("actor", "Someone Else"),
        ("action", "delete"),
        ("entity", "person"),
        ("entity_id", "MARAC-9999"),
        ("occurred_at", T0 + timedelta(days=3)),
    ],
)
def test_editing_any_field_of_an_event_is_detected_at_that_event(field: str, value: object) -> None:
    events = build_chain(5)
    events[2] = dataclasses.replace(events[2], **{field: value})
    verdict = verify_chain(events, head=head_of(build_chain(5)))
    assert not verdict.ok
    assert verdict.first_bad_seq == 3
    assert verdict.problem == "event 3 was altered"
    assert verdict.events_checked == 2


def test_editing_an_event_and_rehashing_it_breaks_the_link_to_the_next() -> None:
    events = build_chain(5)
    forged = rehash_from([*events[:2], dataclasses.replace(events[2], actor="X")], 2)
    verdict = verify_chain([*forged, *events[3:]])
    assert not verdict.ok
    assert verdict.first_bad_seq == 4
    assert "does not follow" in verdict.problem


def test_rewriting_the_whole_chain_after_an_edit_is_caught_by_the_recorded_head() -> None:
    original = build_chain(5)
    edited = [*original[:2], dataclasses.replace(original[2], description="nothing happened")]
    forged = rehash_from([*edited, *original[3:]], 2)
    assert verify_chain(forged).ok  # without the head, a full rewrite is self-consistent
    verdict = verify_chain(forged, head=head_of(original))
    assert not verdict.ok
    assert verdict.problem == "the newest event does not match the record"


def test_deleting_a_middle_event_is_detected() -> None:
    events = build_chain(5)
    del events[2]
    verdict = verify_chain(events, head=head_of(build_chain(5)))
    assert not verdict.ok
    assert verdict.first_bad_seq == 3
    assert verdict.problem == "event 3 is missing (deleted)"


def test_deleting_the_newest_events_is_detected_only_through_the_head() -> None:
    full = build_chain(6)
    truncated = full[:4]
    assert verify_chain(truncated).ok  # the remaining chain is whole on its own
    verdict = verify_chain(truncated, head=head_of(full))
    assert not verdict.ok
    assert verdict.first_bad_seq == 5
    assert verdict.problem == "events 5 to 6 are missing"


def test_deleting_every_event_is_detected_through_the_head() -> None:
    full = build_chain(3)
    verdict = verify_chain([], head=head_of(full))
    assert not verdict.ok
    assert verdict.problem == "events 1 to 3 are missing"


def test_reordering_events_is_detected() -> None:
    events = build_chain(5)
    events[1], events[2] = events[2], events[1]
    verdict = verify_chain(events, head=head_of(build_chain(5)))
    assert not verdict.ok
    assert verdict.first_bad_seq == 2


def test_renumbering_events_to_hide_a_deletion_is_detected() -> None:
    events = build_chain(5)
    del events[2]
    renumbered = [dataclasses.replace(ev, seq=i) for i, ev in enumerate(events, start=1)]
    verdict = verify_chain(renumbered)
    assert not verdict.ok
    assert verdict.first_bad_seq == 3


def test_a_chain_not_starting_from_genesis_is_detected() -> None:
    events = build_chain(3)
    events[0] = dataclasses.replace(events[0], prev_hash="f" * 64)
    verdict = verify_chain(events)
    assert not verdict.ok
    assert verdict.first_bad_seq == 1


def test_the_hash_is_a_sha256_hex_digest_and_depends_on_the_previous_hash() -> None:
    fields = {
        "seq": 1,
        "occurred_at": T0,
        "actor": "Sam",
        "action": "create",
        "entity": "referral",
        "entity_id": "1",
        "description": "",
    }
    a = event_hash(prev_hash=GENESIS_HASH, **fields)  # type: ignore[arg-type]
    b = event_hash(prev_hash="1" * 64, **fields)  # type: ignore[arg-type]
    assert len(a) == 64
    assert int(a, 16) >= 0
    assert a != b


@given(
    st.lists(st.text(max_size=30), min_size=1, max_size=8),
    st.data(),
)
def test_any_single_edited_description_is_detected(
    descriptions: list[str], data: st.DataObject
) -> None:
    events = build_chain(len(descriptions), descriptions)
    index = data.draw(st.integers(0, len(events) - 1))
    new_text = data.draw(st.text(max_size=30).filter(lambda t: t != descriptions[index]))
    tampered = list(events)
    tampered[index] = dataclasses.replace(events[index], description=new_text)
    verdict = verify_chain(tampered, head=head_of(events))
    assert not verdict.ok
    assert verdict.first_bad_seq == index + 1


@given(st.lists(st.text(max_size=30), max_size=8))
def test_field_boundaries_cannot_be_shifted(descriptions: list[str]) -> None:
    """Moving text between two fields (a|bc -> ab|c) changes the hash."""
    base = {
        "seq": 1,
        "occurred_at": T0,
        "action": "create",
        "entity_id": "1",
        "description": "",
        "prev_hash": GENESIS_HASH,
    }
    a = event_hash(actor="ab", entity="c", **base)  # type: ignore[arg-type]
    b = event_hash(actor="a", entity="bc", **base)  # type: ignore[arg-type]
    assert a != b
    events = build_chain(len(descriptions), descriptions)
    assert verify_chain(events, head=head_of(events)).ok
