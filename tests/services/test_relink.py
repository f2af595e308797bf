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


def said_of_a_merged_person(opened: OpenStore):  # type: ignore[no-untyped-def]
    """Sarah Jones (kept); Sarah Jonas (merged into her), whose later referral `said` Sara
    Jonas, 4/12/1990 and an NHS number. Returns (kept, merged, said, merge id)."""
    kept = save(opened, date(2026, 1, 5), SARAH)
    merged = save(opened, date(2026, 2, 1), PersonInput("Sarah", "Jonas", None), DEAN)
    said = save(
        opened, date(2026, 3, 1), replace(SARA, person_id=merged.victim_id, decided=True), DEAN
    )
    merge_id = people.merge_people(opened.store, opened.actor, kept.victim_id, merged.victim_id)
    return kept, merged, said, merge_id


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
    kept, merged, said, merge_id = said_of_a_merged_person(open_store)
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


def test_relinking_one_role_keeps_what_another_role_of_the_referral_says(
    open_store: OpenStore,
) -> None:
    """The victim and (wrongly) a perpetrator of one referral were linked to the same person:
    relinking the perpetrator leaves what the victim side said."""
    store, actor = open_store.store, open_store.actor
    sarah = save(open_store, date(2026, 1, 5), SARAH)
    p = sarah.victim_id
    other = save(open_store, date(2026, 2, 1), PersonInput("Amy", "Cole", None), DEAN)
    as_perp = PerpetratorInput(
        "Sarah", "Jonez", date(1991, 1, 1), person_id=p, decided=True, agency_person_id="NT 9"
    )
    r = save(open_store, date(2026, 3, 1), replace(SARA, person_id=p, decided=True), as_perp)
    row_id = referrals.get_referral(store, r.id).perpetrators[0].row_id
    referrals.relink_person(
        store, actor, r.id, role="perpetrator", row_id=row_id, person_id=other.perpetrator_ids[0]
    )
    assert variants(open_store, p) == {
        "aliases": {("Sara", "Jonas", r.id)},
        "dobs": {(date(1990, 12, 4), r.id)},
        "identifiers": {("nhs:9434765919", r.id)},
    }
    moved = variants(open_store, other.perpetrator_ids[0])
    assert moved["identifiers"] == {("ref:NT9", r.id)}


def test_relinking_one_of_two_perpetrator_rows_keeps_the_others(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    first = save(open_store, date(2026, 1, 5), SARAH)
    karl = first.perpetrator_ids[0]
    other = save(open_store, date(2026, 2, 1), PersonInput("Amy", "Cole", None), DEAN)
    carl = replace(KARL, first_name="Carl", person_id=karl, decided=True, agency_person_id="NT 1")
    kar1 = replace(KARL, first_name="Kar1", person_id=karl, decided=True, agency_person_id="NT 2")
    r = save(open_store, date(2026, 3, 1), PersonInput("Amy", "Cole", None), carl, kar1)
    rows = referrals.get_referral(store, r.id).perpetrators
    referrals.relink_person(
        store,
        actor,
        r.id,
        role="perpetrator",
        row_id=rows[1].row_id,
        person_id=other.perpetrator_ids[0],
    )
    left = variants(open_store, karl)
    assert left["aliases"] == {("Carl", "Dunn", r.id)}
    assert left["identifiers"] == {("ref:NT1", r.id)}


def test_undoing_a_merge_never_deletes_rows_made_since(open_store: OpenStore) -> None:
    """A relink deletes the merge's copies; rows noted afterwards (on the right person, or on
    anyone) must survive undoing the merge (ids are never reused)."""
    store, actor = open_store.store, open_store.actor
    _kept, _merged, said, merge_id = said_of_a_merged_person(open_store)
    stranger = save(open_store, date(2026, 4, 1), PersonInput("Zoe", "Quinn", None), KARL)
    referrals.relink_person(store, actor, said.id, role="victim", person_id=stranger.victim_id)
    amy = save(open_store, date(2026, 5, 1), PersonInput("Amy", "Cole", date(1980, 1, 1)), KARL)
    aimee = PersonInput(
        "Aimee",
        "Cole",
        date(1980, 1, 2),
        person_id=amy.victim_id,
        decided=True,
        nhs_number="401 023 2137",
    )
    save(open_store, date(2026, 6, 1), aimee, KARL)
    amy_before = variants(open_store, amy.victim_id)
    stranger_before = variants(open_store, stranger.victim_id)
    assert ("Sara", "Jonas", said.id) in stranger_before["aliases"]

    people.unmerge(store, actor, merge_id)
    assert variants(open_store, amy.victim_id) == amy_before
    assert variants(open_store, stranger.victim_id) == stranger_before


def test_undoing_a_merge_after_relinking_away_and_back(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    kept, merged, said, merge_id = said_of_a_merged_person(open_store)
    stranger = save(open_store, date(2026, 4, 1), PersonInput("Zoe", "Quinn", None), KARL)
    referrals.relink_person(store, actor, said.id, role="victim", person_id=stranger.victim_id)
    referrals.relink_person(store, actor, said.id, role="victim", person_id=kept.victim_id)
    people.unmerge(store, actor, merge_id)
    # The referral names the restored person again: what it said is with her, not the kept one.
    assert referrals.get_referral(store, said.id).victim.person_id == merged.victim_id
    assert nothing(open_store, kept.victim_id)
    assert variants(open_store, merged.victim_id) == {
        "aliases": {("Sara", "Jonas", said.id)},
        "dobs": {(date(1990, 12, 4), said.id)},
        "identifiers": {("nhs:9434765919", said.id)},
    }
    assert nothing(open_store, stranger.victim_id)


def test_a_merged_person_keeps_only_what_their_own_referrals_said(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    kept = save(open_store, date(2026, 1, 5), SARAH)
    merged = save(open_store, date(2026, 2, 1), replace(SARAH, decided=True), DEAN)
    m, k = merged.victim_id, kept.victim_id
    # One referral of each says Sara Jonas, 4/12/1990 and the NHS number.
    rm = save(open_store, date(2026, 3, 1), replace(SARA, person_id=m, decided=True), DEAN)
    save(open_store, date(2026, 3, 2), replace(SARA, person_id=k, decided=True), DEAN)
    merge_id = people.merge_people(store, actor, k, m)
    stranger = save(open_store, date(2026, 4, 1), PersonInput("Zoe", "Quinn", None), KARL)
    referrals.relink_person(store, actor, rm.id, role="victim", person_id=stranger.victim_id)
    people.unmerge(store, actor, merge_id)
    # Her one referral left says Sarah Jones, 12/4/1990, as her own record does.
    assert nothing(open_store, m)


def test_a_review_merge_then_a_relink_takes_the_new_persons_name_back(
    open_store: OpenStore,
) -> None:
    """The referral made a new person, the review said "same person" (merge), and later the
    referral turns out to be about someone else: her name and DOB leave the kept person."""
    store, actor = open_store.store, open_store.actor
    kept = save(open_store, date(2026, 1, 5), SARAH)
    mistake = save(open_store, date(2026, 2, 1), SARA, DEAN)
    people.merge_people(store, actor, kept.victim_id, mistake.victim_id)
    assert variants(open_store, kept.victim_id)["aliases"] == {("Sara", "Jonas", mistake.id)}
    stranger = save(open_store, date(2026, 4, 1), PersonInput("Zoe", "Quinn", None), KARL)
    referrals.relink_person(store, actor, mistake.id, role="victim", person_id=stranger.victim_id)
    assert nothing(open_store, kept.victim_id)
