"""The audit trail: every change, export and sign-in, hash-chained (see core.audit_chain).

`record` is called by every service inside the same unit of work as the change it describes, so
an event exists if and only if the change was committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import Session

from marac_desk.core.audit_chain import (
    GENESIS_HASH,
    ChainedEvent,
    ChainVerdict,
    event_hash,
    verify_chain,
)
from marac_desk.db.bulk import insert_rows
from marac_desk.db.models import AuditEvent, AuditHead
from marac_desk.db.store import Store
from marac_desk.services.context import Actor, utcnow

# The verbs the trail uses; descriptions carry identifiers (case references, ids), never names.
ACTIONS: tuple[str, ...] = (
    "create",
    "update",
    "delete",
    "link",
    "unlink",
    "merge",
    "unmerge",
    "export",
    "import",
    "sign_in",
    "sign_out",
    "backup",
    "restore",
    "rekey",
)


@dataclass(frozen=True)
class AuditEventView:
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    description: str


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    entity: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None


def record(  # noqa: PLR0917 - reads as a sentence: who did what to which thing
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = "",
    description: str = "",
    *,
    at: datetime | None = None,
) -> int:
    """Append one event in the caller's unit of work; returns its sequence number."""
    head = session.get(AuditHead, 1)
    prev_seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    row = _event_row(prev_seq, prev_hash, actor, action, entity, entity_id, description, at)
    session.add(AuditEvent(**row))
    if head is None:
        session.add(AuditHead(id=1, seq=row["seq"], hash=row["hash"]))
    else:
        head.seq, head.hash = row["seq"], row["hash"]
    session.flush()
    return int(row["seq"])


def _event_row(  # noqa: PLR0917 - record's sentence, after the chain's head
    prev_seq: int,
    prev_hash: str,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    description: str,
    at: datetime | None,
) -> dict[str, Any]:
    """The audit_events row that follows (prev_seq, prev_hash) in the chain."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    fields: dict[str, Any] = {
        "seq": prev_seq + 1,
        "occurred_at": at or utcnow(),
        "actor": actor.name,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "description": description,
    }
    digest = event_hash(prev_hash=prev_hash, **fields)
    return {**fields, "user_id": actor.user_id, "prev_hash": prev_hash, "hash": digest}


class BulkEvents:
    """The events of a bulk unit of work (the importer), chained in memory and written in one
    executemany at the end, with the chain's head moved once. Nothing else may record events
    in the same unit of work between the first `add` and `write`."""

    def __init__(self, session: Session) -> None:
        self._session = session
        head = session.get(AuditHead, 1)
        self._seq, self._hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        self._rows: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(
        self,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: object = "",
        description: str = "",
        *,
        at: datetime | None = None,
    ) -> int:
        row = _event_row(self._seq, self._hash, actor, action, entity, entity_id, description, at)
        self._rows.append(row)
        self._seq, self._hash = row["seq"], row["hash"]
        return int(row["seq"])

    def write(self) -> None:
        if not self._rows:
            return
        session = self._session
        session.flush()
        insert_rows(session.connection(), cast(Table, AuditEvent.__table__), self._rows)
        head = session.get(AuditHead, 1)
        if head is None:
            session.add(AuditHead(id=1, seq=self._seq, hash=self._hash))
        else:
            head.seq, head.hash = self._seq, self._hash
        session.flush()
        self._rows = []


def _chained(session: Session) -> Iterator[ChainedEvent]:
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for ev in rows.yield_per(2000):
        yield ChainedEvent(
            seq=ev.seq,
            occurred_at=ev.occurred_at,
            actor=ev.actor,
            action=ev.action,
            entity=ev.entity,
            entity_id=ev.entity_id,
            description=ev.description,
            prev_hash=ev.prev_hash,
            hash=ev.hash,
        )


def verify(store: Store) -> ChainVerdict:
    with store.read() as session:
        head = session.get(AuditHead, 1)
        expected = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        return verify_chain(_chained(session), head=expected)


def _filtered(query: Select[Any], flt: AuditFilter) -> Select[Any]:
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.entity:
        query = query.where(AuditEvent.entity == flt.entity)
    if flt.actor:
        query = query.where(AuditEvent.actor == flt.actor)
    if flt.since:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(flt.since, time.min))
    if flt.until:
        query = query.where(
            AuditEvent.occurred_at < datetime.combine(flt.until + timedelta(days=1), time.min)
        )
    if flt.text:
        like = f"%{flt.text}%"
        query = query.where(AuditEvent.description.ilike(like) | AuditEvent.entity_id.ilike(like))
    return query


def list_events(
    store: Store,
    flt: AuditFilter | None = None,
    *,
    offset: int = 0,
    limit: int | None = 200,
    newest_first: bool = True,
) -> tuple[AuditEventView, ...]:
    query = _filtered(select(AuditEvent), flt or AuditFilter())
    order = AuditEvent.seq.desc() if newest_first else AuditEvent.seq
    query = query.order_by(order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with store.read() as session:
        return tuple(
            AuditEventView(
                seq=ev.seq,
                occurred_at=ev.occurred_at,
                actor=ev.actor,
                action=ev.action,
                entity=ev.entity,
                entity_id=ev.entity_id,
                description=ev.description,
            )
            for ev in session.scalars(query)
        )


def count_events(store: Store, flt: AuditFilter | None = None) -> int:
    query = _filtered(select(AuditEvent), flt or AuditFilter())
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def distinct_values(store: Store) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(actions, entities, actors) present in the trail, for filter choices."""
    with store.read() as session:
        actions = tuple(session.scalars(select(AuditEvent.action).distinct().order_by("action")))
        entities = tuple(session.scalars(select(AuditEvent.entity).distinct().order_by("entity")))
        actors = tuple(session.scalars(select(AuditEvent.actor).distinct().order_by("actor")))
    return actions, entities, actors
