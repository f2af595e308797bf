"""Keeping the `person_keys` blocking index in step with people, their aliases and their DOBs.

Written against Core table definitions (not the ORM models) so the schema-2 migration can
rebuild every key with the same code the services use afterwards.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from marac_desk.core.matching import NameForm, PersonEvidence, blocking_keys

_people = sa.table(
    "people",
    sa.column("id", sa.Integer),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
    sa.column("dob", sa.Date),
    sa.column("merged_into_id", sa.Integer),
)
_keys = sa.table(
    "person_keys",
    sa.column("person_id", sa.Integer),
    sa.column("key", sa.String),
)

_CHUNK = 900  # under SQLite's bound-parameter limit


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class EvidenceParts:
    """The rows that make up people's evidence (names, aliases, DOBs, postcodes of referrals
    they are the victim in), put together the one way matching sees them: the person's own name
    first, then aliases in the order they were added; their own DOB first, then the others."""

    def __init__(self) -> None:
        self.people: dict[int, tuple[str, str, date | None]] = {}
        self.aliases: dict[int, list[tuple[str, str]]] = defaultdict(list)
        self.dobs: dict[int, list[date]] = defaultdict(list)
        self.postcodes: dict[int, set[str]] = defaultdict(set)
        self.identifiers: dict[int, set[str]] = defaultdict(set)

    def add_person(self, pid: int, first: str | None, last: str | None, dob: date | None) -> None:
        self.people[pid] = (first or "", last or "", dob)

    def add_alias(self, pid: int, first: str | None, last: str | None) -> None:
        self.aliases[pid].append((first or "", last or ""))

    def add_dob(self, pid: int, dob: date) -> None:
        self.dobs[pid].append(dob)

    def add_postcode(self, pid: int, postcode: str) -> None:
        self.postcodes[pid].add(postcode)

    def add_identifier(self, pid: int, identifier: str) -> None:
        self.identifiers[pid].add(identifier)

    def all_dobs(self, pid: int) -> tuple[date, ...]:
        own = self.people[pid][2]
        dobs = [own] if own else []
        for dob in self.dobs.get(pid, ()):
            if dob not in dobs:
                dobs.append(dob)
        return tuple(dobs)

    def evidence(self, pid: int) -> PersonEvidence | None:
        if pid not in self.people:
            return None
        first, last, _dob = self.people[pid]
        names = [NameForm(first, last)]
        names += (NameForm(*alias) for alias in self.aliases.get(pid, ()))
        return PersonEvidence(
            pid,
            tuple(dict.fromkeys(names)),
            self.all_dobs(pid),
            tuple(sorted(self.postcodes.get(pid, ()))),
            identifiers=tuple(sorted(self.identifiers.get(pid, ()))),
        )


# Each statement gives its rows as one JSON text: five statements however many people, no
# chunks of bound parameters and no row processing (the bulk intake reads thousands at once).
_AMONG = "IN (SELECT value FROM json_each(?))"
_EVIDENCE_PEOPLE = (
    "SELECT json_group_array(json_array(id, first_name, last_name, dob)) "
    f"FROM people WHERE id {_AMONG}"
)
# Aliases and other dates of birth in the order they were added.
_EVIDENCE_ALIASES = (
    "SELECT json_group_array(json_array(person_id, first_name, last_name) ORDER BY person_id, id) "
    f"FROM person_aliases WHERE person_id {_AMONG}"
)
_EVIDENCE_DOBS = (
    "SELECT json_group_array(json_array(person_id, dob) ORDER BY person_id, id) "
    f"FROM person_dobs WHERE person_id {_AMONG}"
)
_EVIDENCE_POSTCODES = (
    "SELECT json_group_array(json_array(victim_id, postcode)) "
    f"FROM referrals WHERE victim_id {_AMONG} AND postcode != ''"
)
_EVIDENCE_IDENTIFIERS = (
    "SELECT json_group_array(json_array(person_id, identifier)) "
    f"FROM person_identifiers WHERE person_id {_AMONG}"
)


def load_evidence(
    conn: Connection, person_ids: Iterable[int], *, identifiers: bool = True
) -> dict[int, PersonEvidence]:
    """Everything matching knows about these people (merged-away people included as they are).
    `identifiers=False` for stores older than schema 7 (the schema-2 migration's rebuild)."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    return read_evidence(dbapi, person_ids, identifiers=identifiers)


def read_evidence(
    dbapi: Any, person_ids: Iterable[int], *, identifiers: bool = True
) -> dict[int, PersonEvidence]:
    """`load_evidence` on the driver's connection (in the caller's transaction)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    wanted = (json.dumps(ids),)

    def rows(query: str) -> list[list[Any]]:
        return cast(list[list[Any]], json.loads(dbapi.execute(query, wanted).fetchone()[0]))

    parts = EvidenceParts()
    for pid, first, last, dob in rows(_EVIDENCE_PEOPLE):
        parts.add_person(pid, first, last, date.fromisoformat(dob) if dob else None)
    for pid, first, last in rows(_EVIDENCE_ALIASES):
        parts.add_alias(pid, first, last)
    for pid, dob in rows(_EVIDENCE_DOBS):
        parts.add_dob(pid, date.fromisoformat(dob))
    for pid, postcode in rows(_EVIDENCE_POSTCODES):
        parts.add_postcode(pid, postcode)
    if identifiers:
        for pid, identifier in rows(_EVIDENCE_IDENTIFIERS):
            parts.add_identifier(pid, identifier)
    found = (parts.evidence(pid) for pid in ids)
    return {e.person_id: e for e in found if e is not None and e.person_id is not None}


def refresh_person_keys(
    conn: Connection, person_ids: Iterable[int], *, identifiers: bool = True
) -> None:
    """Recompute the keys of these people (after a create, edit, alias, merge or un-merge).

    People merged into someone else get no keys: candidates are always live people.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return
    for chunk in _chunks(ids):
        conn.execute(sa.delete(_keys).where(_keys.c.person_id.in_(chunk)))
    merged = {
        pid
        for chunk in _chunks(ids)
        for (pid,) in conn.execute(
            sa.select(_people.c.id)
            .where(_people.c.id.in_(chunk))
            .where(_people.c.merged_into_id.is_not(None))
        )
    }
    rows = [
        {"person_id": pid, "key": key}
        for pid, evidence in load_evidence(conn, ids, identifiers=identifiers).items()
        if pid not in merged
        for key in sorted(blocking_keys(evidence))
    ]
    if rows:
        conn.execute(sa.insert(_keys), rows)


def rebuild_all_person_keys(conn: Connection, *, identifiers: bool = True) -> int:
    """Recompute every person's keys; returns how many people were indexed. `identifiers`:
    False before schema 7 made their table."""
    conn.execute(sa.delete(_keys))
    ids = [pid for (pid,) in conn.execute(sa.select(_people.c.id).order_by(_people.c.id))]
    for start in range(0, len(ids), 5000):
        refresh_person_keys(conn, ids[start : start + 5000], identifiers=identifiers)
    return len(ids)
