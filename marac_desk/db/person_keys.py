"""Keeping the `person_keys` blocking index in step with people, their aliases and their DOBs.

Written against Core table definitions (not the ORM models) so the schema-2 migration can
rebuild every key with the same code the services use afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

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
_aliases = sa.table(
    "person_aliases",
    sa.column("person_id", sa.Integer),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
)
_dobs = sa.table("person_dobs", sa.column("person_id", sa.Integer), sa.column("dob", sa.Date))
_referrals = sa.table(
    "referrals", sa.column("victim_id", sa.Integer), sa.column("postcode", sa.String)
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


def load_evidence(conn: Connection, person_ids: Iterable[int]) -> dict[int, PersonEvidence]:
    """Everything matching knows about these people (merged-away people included as they are)."""
    ids = sorted(set(person_ids))
    names: dict[int, list[NameForm]] = defaultdict(list)
    dobs: dict[int, list[date]] = defaultdict(list)
    postcodes: dict[int, set[str]] = defaultdict(set)
    found: set[int] = set()
    for chunk in _chunks(ids):
        for pid, first, last, dob, _merged in conn.execute(
            sa.select(_people).where(_people.c.id.in_(chunk))
        ):
            found.add(pid)
            names[pid].insert(0, NameForm(first or "", last or ""))
            if dob:
                dobs[pid].insert(0, dob)
        for pid, first, last in conn.execute(
            sa.select(_aliases).where(_aliases.c.person_id.in_(chunk))
        ):
            names[pid].append(NameForm(first or "", last or ""))
        for pid, dob in conn.execute(sa.select(_dobs).where(_dobs.c.person_id.in_(chunk))):
            if dob not in dobs[pid]:
                dobs[pid].append(dob)
        for pid, postcode in conn.execute(
            sa.select(_referrals.c.victim_id, _referrals.c.postcode)
            .where(_referrals.c.victim_id.in_(chunk))
            .where(_referrals.c.postcode != "")
        ):
            postcodes[pid].add(postcode)
    return {
        pid: PersonEvidence(
            pid, tuple(dict.fromkeys(names[pid])), tuple(dobs[pid]), tuple(sorted(postcodes[pid]))
        )
        for pid in ids
        if pid in found
    }


def refresh_person_keys(conn: Connection, person_ids: Iterable[int]) -> None:
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
        for pid, evidence in load_evidence(conn, ids).items()
        if pid not in merged
        for key in sorted(blocking_keys(evidence))
    ]
    if rows:
        conn.execute(sa.insert(_keys), rows)


def rebuild_all_person_keys(conn: Connection) -> int:
    """Recompute every person's keys; returns how many people were indexed."""
    conn.execute(sa.delete(_keys))
    ids = [pid for (pid,) in conn.execute(sa.select(_people.c.id).order_by(_people.c.id))]
    for start in range(0, len(ids), 5000):
        refresh_person_keys(conn, ids[start : start + 5000])
    return len(ids)
