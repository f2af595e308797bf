"""Demo people are findable: their matching keys are those the store computes itself."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from marac_desk.core.matching import blocking_keys
from marac_desk.db.models import Person, PersonKey
from marac_desk.db.person_keys import load_evidence
from marac_desk.services import demo, people
from marac_desk.services.session import OpenStore


def test_demo_people_are_indexed_like_any_other(open_store: OpenStore) -> None:
    demo.generate_demo_data(open_store, referrals=150, seed=4, today=date(2026, 11, 20))
    with open_store.store.read() as session:
        ids = list(session.scalars(select(Person.id)))
        stored: dict[int, set[str]] = {}
        for pid, key in session.execute(select(PersonKey.person_id, PersonKey.key)):
            stored.setdefault(pid, set()).add(key)
        evidence = load_evidence(session.connection(), ids)
        someone = session.get(Person, ids[len(ids) // 2])
        assert someone is not None
    assert all(blocking_keys(evidence[pid]) == stored.get(pid, set()) for pid in ids)
    found = people.find_candidates(
        open_store.store, people.evidence_from(someone.first_name, someone.last_name, someone.dob)
    )
    assert found and found[0].person.id == someone.id
