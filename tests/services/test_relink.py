"""Relinking a referral to another person takes what it said of the person along: a wrong link
must not leave its spelling, date of birth or NHS number on the wrong person (who would then
match, and be linked to, the next referral about someone else)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from marac_desk.db.models import PersonAlias, PersonDob, PersonIdentifier
from marac_desk.services import audit, people, referrals
from marac_desk.services.referrals import PerpetratorInput, PersonInput, ReferralInput
from marac_desk.services.session import OpenStore

TODAY = date(2026, 11, 20)
NHS_NUMBER = "943 476 5919"
SARAH = PersonInput("Sarah", "Jones", date(1990, 4, 12))
SARA = PersonInput("Sara", "Jonas", date(1990, 12, 4), nhs_number=NHS_NUMBER)
KARL = PerpetratorInput("Karl", "Dunn", date(1988, 1, 1), relationship_to_victim="ex_partner")
DEAN = PerpetratorInput("Dean", "Walsh", date(1979, 6, 3), relationship_to_victim="partner")


def save(opened: OpenStore, on: date, victim: PersonInput, *perps: PerpetratorInput):
    inp = ReferralInput(
        referral_date=on,
        referring_agency="Police",
        victim=victim,
        perpetrators=perps or (KARL,),
        crit_visible_high_risk=True,
    )
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY)


def variants(opened: OpenStore, person_id: int) -> dict[str, set]:
    """Aliases, alternative DOBs and identifiers, each with the referral that said it."""
    with opened.store.read() as s:
        return {
            "aliases": {
                (a.first_name, a.last_name, a.referral_id)
                for a in s.scalars(select(PersonAlias).where(PersonAlias.person_id == person_id))
            },
            "dobs": {
                (d.dob, d.referral_id)
                for d in s.scalars(select(PersonDob).where(PersonDob.person_id == person_id))
            },
            "identifiers": {
                (i.identifier, i.referral_id)
                for i in s.scalars(
                    select(PersonIdentifier).where(PersonIdentifier.person_id == person_id)
                )
            },
        }


def nothing(opened: OpenStore, person_id: int) -> bool:
    return not any(variants(opened, person_id).values())


def test_a_wrong_link_leaves_nothing_on_the_wrong_person(open_store: OpenStore) -> None:
    sarah = save(open_store, date(2026, 1, 5), SARAH)
    other = save(open_store, date(2026, 2, 1), PersonInput("Sara", "Jonas", None), DEAN)
    # The coordinator links the next referral to Sarah Jones by mistake.
    wrong = save(
        open_store, date(2026, 3, 1), replace(SARA, person_id=sarah.victim_id, decided=True), DEAN
    )
    assert wrong.victim_id == sarah.victim_id
    assert variants(open_store, sarah.victim_id) == {
        "aliases": {("Sara", "Jonas", wrong.id)},
        "dobs": {(date(1990, 12, 4), wrong.id)},
        "identifiers": {("nhs:9434765919", wrong.id)},
    }
    with open_store.store.read() as s:
        victim_ids = s.scalar(
            select(referrals.Referral.victim_identifiers).where(referrals.Referral.id == wrong.id)
        )
    assert victim_ids == "nhs:9434765919"

    referrals.relink_person(
        open_store.store, open_store.actor, wrong.id, role="victim", person_id=other.victim_id
    )
    assert nothing(open_store, sarah.victim_id)
    # The right person now holds what the referral said (her own name needs no alias).
    assert variants(open_store, other.victim_id) == {
        "aliases": set(),
        "dobs": {(date(1990, 12, 4), wrong.id)},
        "identifiers": {("nhs:9434765919", wrong.id)},
    }
    # The NHS number finds her, and no longer Sarah Jones.
    found = people.find_candidates(
        open_store.store,
        people.evidence_from("Sarah", "Jones", None, identifiers=("nhs:9434765919",)),
    )
    holders = [c.person.id for c in found if "NHS" in " ".join(c.person.identifiers)]
    assert holders == [other.victim_id]
    described = [e.description for e in audit.list_events(open_store.store, limit=None)]
    assert any("relinked" in d for d in described)
    assert audit.verify(open_store.store).ok


def test_what_another_referral_also_says_stays(open_store: OpenStore) -> None:
    sarah = save(open_store, date(2026, 1, 5), SARAH)
    linked = replace(SARA, person_id=sarah.victim_id, decided=True)
    first = save(open_store, date(2026, 2, 1), linked)
    second = save(open_store, date(2026, 3, 1), linked, DEAN)
    other = save(open_store, date(2026, 4, 1), PersonInput("Sara", "Jonas", None), DEAN)

    referrals.relink_person(
        open_store.store, open_store.actor, first.id, role="victim", person_id=other.victim_id
    )
    # The second referral still says Sara Jonas, 4/12/1990 and that NHS number of Sarah's
    # record: kept, and now attributed to it.
    assert variants(open_store, sarah.victim_id) == {
        "aliases": {("Sara", "Jonas", second.id)},
        "dobs": {(date(1990, 12, 4), second.id)},
        "identifiers": {("nhs:9434765919", second.id)},
    }
    referrals.relink_person(
        open_store.store, open_store.actor, second.id, role="victim", person_id=other.victim_id
    )
    assert nothing(open_store, sarah.victim_id)


def test_a_perpetrator_relinked_takes_his_identifier_along(open_store: OpenStore) -> None:
    karl = save(open_store, date(2026, 1, 5), SARAH)
    dean = save(open_store, date(2026, 2, 1), PersonInput("Amy", "Cole", None), DEAN)
    with_id = replace(
        DEAN, person_id=karl.perpetrator_ids[0], decided=True, agency_person_id="NT 77"
    )
    wrong = save(open_store, date(2026, 3, 1), PersonInput("Amy", "Cole", None), with_id)
    assert variants(open_store, karl.perpetrator_ids[0])["identifiers"] == {("ref:NT77", wrong.id)}
    row_id = referrals.get_referral(open_store.store, wrong.id).perpetrators[0].row_id
    referrals.relink_person(
        open_store.store,
        open_store.actor,
        wrong.id,
        role="perpetrator",
        row_id=row_id,
        person_id=dean.perpetrator_ids[0],
    )
    assert nothing(open_store, karl.perpetrator_ids[0])
    assert variants(open_store, dean.perpetrator_ids[0])["identifiers"] == {("ref:NT77", wrong.id)}


def test_a_new_person_made_by_mistake_gives_up_the_referrals_identifier(
    open_store: OpenStore,
) -> None:
    sarah = save(open_store, date(2026, 1, 5), SARAH)
    mistake = save(open_store, date(2026, 2, 1), SARA, DEAN)  # asked, and made new
    assert mistake.victim_id != sarah.victim_id
    assert variants(open_store, mistake.victim_id)["identifiers"] == {
        ("nhs:9434765919", mistake.id)
    }
    referrals.relink_person(
        open_store.store, open_store.actor, mistake.id, role="victim", person_id=sarah.victim_id
    )
    assert nothing(open_store, mistake.victim_id)
    assert variants(open_store, sarah.victim_id) == {
        "aliases": {("Sara", "Jonas", mistake.id)},
        "dobs": {(date(1990, 12, 4), mistake.id)},
        "identifiers": {("nhs:9434765919", mistake.id)},
    }


def test_relinking_after_a_merge_survives_its_undoing(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    kept = save(open_store, date(2026, 1, 5), SARAH)
    merged = save(open_store, date(2026, 2, 1), PersonInput("Sarah", "Jonas", None), DEAN)
    said = save(
        open_store, date(2026, 3, 1), replace(SARA, person_id=merged.victim_id, decided=True), DEAN
    )
    merge_id = people.merge_people(store, actor, kept.victim_id, merged.victim_id)
    # Merged: the kept person holds copies, and the referral now names her.
    assert ("nhs:9434765919", said.id) in variants(open_store, kept.victim_id)["identifiers"]
    stranger = save(open_store, date(2026, 4, 1), PersonInput("Sara", "Jonas", None), KARL)

    referrals.relink_person(store, actor, said.id, role="victim", person_id=stranger.victim_id)
    assert not variants(open_store, kept.victim_id)["identifiers"]
    assert not variants(open_store, merged.victim_id)["identifiers"]

    people.unmerge(store, actor, merge_id)
    # The relink stands: undoing the merge gives back what the merge moved, no more.
    assert referrals.get_referral(store, said.id).victim.person_id == stranger.victim_id
    assert referrals.get_referral(store, merged.id).victim.person_id == merged.victim_id
    assert nothing(open_store, kept.victim_id)
    assert nothing(open_store, merged.victim_id)
    assert ("nhs:9434765919", said.id) in variants(open_store, stranger.victim_id)["identifiers"]
    assert audit.verify(store).ok
