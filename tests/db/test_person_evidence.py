"""People's evidence as matching sees it (`db.person_keys.load_evidence`), checked against the
rows read through the ORM: the own name first, then aliases in the order they were added; the
own date of birth first, then the others; postcodes of the referrals naming them as the victim;
identifiers. People not in the store are left out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marac_desk.core.matching import NameForm, PersonEvidence
from marac_desk.db.models import Person, PersonAlias, PersonDob, PersonIdentifier, Referral
from marac_desk.db.person_keys import load_evidence
from marac_desk.services.demo import generate_demo_data
from marac_desk.services.session import OpenStore


def _as_orm_reads_it(session: Session, pid: int) -> PersonEvidence | None:
    person = session.get(Person, pid)
    if person is None:
        return None
    names = [NameForm(person.first_name, person.last_name)]
    names += [
        NameForm(a.first_name, a.last_name)
        for a in session.scalars(
            select(PersonAlias).where(PersonAlias.person_id == pid).order_by(PersonAlias.id)
        )
    ]
    dobs = [person.dob] if person.dob else []
    dobs += session.scalars(
        select(PersonDob.dob).where(PersonDob.person_id == pid).order_by(PersonDob.id)
    )
    postcodes = session.scalars(
        select(Referral.postcode).where(Referral.victim_id == pid, Referral.postcode != "")
    )
    identifiers = session.scalars(
        select(PersonIdentifier.identifier).where(PersonIdentifier.person_id == pid)
    )
    return PersonEvidence(
        pid,
        tuple(dict.fromkeys(names)),
        tuple(dict.fromkeys(dobs)),
        tuple(sorted(set(postcodes))),
        identifiers=tuple(sorted(set(identifiers))),
    )


def test_evidence_is_what_the_rows_say(open_store: OpenStore) -> None:
    generate_demo_data(open_store, referrals=150, seed=11, today=date(2026, 6, 30))
    with open_store.store.write() as session:
        top = int(session.scalar(select(func.max(Person.id))) or 0)
        # Awkward spellings and several of everything, added out of id order.
        session.add_all(
            [
                PersonAlias(person_id=3, first_name='Zoë, "Jo"', last_name="Ó Briain\u00a0"),
                PersonAlias(person_id=3, first_name="", last_name="O'Brien"),
                PersonAlias(person_id=2, first_name="Ann", last_name="Lee"),
                PersonDob(person_id=3, dob=date(1980, 2, 1)),
                PersonDob(person_id=3, dob=date(1980, 1, 2)),
                PersonIdentifier(person_id=3, identifier="nhs:9434765919"),
                PersonIdentifier(person_id=3, identifier="ref:PNC123456"),
            ]
        )
        session.flush()
        ids = [top + 5, *range(top, 0, -1)]  # (and someone who is not there)
        found = load_evidence(session.connection(), ids)
        assert top + 5 not in found
        for pid in range(1, top + 1):
            assert found[pid] == _as_orm_reads_it(session, pid), pid
        assert found[3].names[-2:] == (
            NameForm('Zoë, "Jo"', "Ó Briain\u00a0"),
            NameForm("", "O'Brien"),
        )
        assert found[3].dobs[-2:] == (date(1980, 2, 1), date(1980, 1, 2))
        assert found[3].identifiers == ("nhs:9434765919", "ref:PNC123456")
        assert any(e.postcodes for e in found.values())
        assert load_evidence(session.connection(), []) == {}
        without = load_evidence(session.connection(), [3], identifiers=False)
        assert without[3].identifiers == ()
        session.rollback()
