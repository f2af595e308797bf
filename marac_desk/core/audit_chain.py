"""The hash chain that makes the audit trail tamper-evident.

Each event's hash covers its own fields and the previous event's hash, so editing or deleting
any event breaks every hash after it. Pure functions: the store reads and writes, this decides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainedEvent:
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    description: str
    prev_hash: str
    hash: str


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    description: str,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [seq, occurred_at.isoformat(), actor, action, entity, entity_id, description, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    events_checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(
    events: Iterable[ChainedEvent], head: tuple[int, str] | None = None
) -> ChainVerdict:
    """Walk the events in sequence order; report the first one that does not fit the chain.

    `head` is the (seq, hash) of the newest event as recorded separately when it was written:
    without it, deleting the newest events would leave a chain that still looks whole.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for ev in events:
        if ev.seq != expected_seq:
            missing = "deleted" if ev.seq > expected_seq else "out of order"
            return ChainVerdict(
                False, checked, expected_seq, f"event {expected_seq} is missing ({missing})"
            )
        if ev.prev_hash != expected_prev:
            return ChainVerdict(
                False, checked, ev.seq, f"event {ev.seq} does not follow the event before it"
            )
        recomputed = event_hash(
            seq=ev.seq,
            occurred_at=ev.occurred_at,
            actor=ev.actor,
            action=ev.action,
            entity=ev.entity,
            entity_id=ev.entity_id,
            description=ev.description,
            prev_hash=ev.prev_hash,
        )
        if recomputed != ev.hash:
            return ChainVerdict(False, checked, ev.seq, f"event {ev.seq} was altered")
        expected_prev = ev.hash
        expected_seq += 1
        checked += 1
    if head is not None and head != (expected_seq - 1, expected_prev):
        head_seq = head[0]
        if head_seq >= expected_seq:
            return ChainVerdict(
                False, checked, expected_seq, f"events {expected_seq} to {head_seq} are missing"
            )
        return ChainVerdict(False, checked, head_seq, "the newest event does not match the record")
    return ChainVerdict(True, checked)
