"""The bulk intake reads people's evidence on the driver (`intake_batch.read_evidence`) exactly
as `db.person_keys.load_evidence` puts it together: names then aliases in the order added, own
date of birth then the others, postcodes of the referrals naming them as the victim,
identifiers; people not in the store are left out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from marac_desk.db.models import Person, PersonAlias, PersonDob, PersonIdentifier
from marac_desk.db.person_keys import load_evidence
from marac_desk.services.demo import generate_demo_data
from marac_desk.services.intake_batch import read_evidence
from marac_desk.services.session import OpenStore


def test_read_evidence_is_load_evidence(open_store: OpenStore) -> None:
    generate_demo_data(open_store, referrals=150, seed=11, today=date(2026, 6, 30))
    with open_store.store.write() as session:
        top = int(session.scalar(select(func.max(Person.id))) or 0)
        # Awkward spellings and several of everything, out of id order.
        session.add_all(
            [
                PersonAlias(person_id=3, first_name='Zoë, "Jo"', last_name="Ó Briain\u00a0"),
                PersonAlias(person_id=3, first_name="", last_name="O'Brien"),
                PersonAlias(person_id=2, first_name="Ann", last_name="Lee"),
                PersonDob(person_id=3, dob=date(1980, 2, 1)),
                PersonDob(person_id=3, dob=date(1980, 1, 2)),
                PersonIdentifier(person_id=3, identifier="nhs:9434765919"),
                PersonIdentifier(person_id=3, identifier="ref:PNC 12/3456"),
            ]
        )
        session.flush()
        ids = [*range(1, top + 1), top + 5]  # (and someone who is not there)
        dbapi = session.connection().connection.dbapi_connection
        found = read_evidence(dbapi, ids)
        assert found == load_evidence(session.connection(), ids)
        assert top + 5 not in found
        assert len(found[3].names) >= 3 and len(found[3].identifiers) == 2
        assert len(found[3].dobs) >= 2 and any(e.postcodes for e in found.values())
        assert read_evidence(dbapi, []) == {}
        session.rollback()
