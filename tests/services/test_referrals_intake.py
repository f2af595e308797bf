"""Referral intake, matching and repeat flags, as a coordinator sees them in the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from marac_desk.core.matching import Decision
from marac_desk.db.models import MatchReview, PersonKey
from marac_desk.services import audit, people, referrals, settings
from marac_desk.services.referrals import PerpetratorInput, PersonInput, ReferralInput
from marac_desk.services.session import OpenStore

TODAY = date(2026, 11, 20)
SARAH = PersonInput("Sarah", "Jones", date(1990, 4, 12))
KARL = PerpetratorInput("Karl", "Dunn", date(1988, 1, 1), relationship_to_victim="ex_partner")
# Someone else: with him, a victim's typo is not backed by a perpetrator named with her before.
DEAN = PerpetratorInput("Dean", "Walsh", date(1979, 6, 3), relationship_to_victim="partner")


def someone_called_jnoes(opened: OpenStore) -> None:
    """Another woman, who really is called Jnoes: "Jnoes" is then a spelling someone has, not a
    slip of the pen, so Sarah Jnoes with Sarah Jones's DOB is asked about (NameCounts)."""
    ian = PerpetratorInput("Ian", "Moss", date(1960, 2, 2), relationship_to_victim="partner")
    save(opened, referral(date(2025, 12, 1), PersonInput("Sarah", "Jnoes", date(1971, 2, 3)), ian))


def referral(
    on: date, victim: PersonInput = SARAH, *perps: PerpetratorInput, **kw
) -> ReferralInput:
    return ReferralInput(
        referral_date=on,
        referring_agency=kw.pop("agency", "Police"),
        victim=victim,
        perpetrators=perps or (KARL,),
        crit_visible_high_risk=True,
        risk_score=15,
        **kw,
    )


def save(opened: OpenStore, inp: ReferralInput, **kw):
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY, **kw)


def test_first_referral_is_new_and_indexed(open_store: OpenStore) -> None:
    saved = save(open_store, referral(date(2026, 1, 5)))
    assert saved.case_ref.endswith("-2026-00001")
    assert not saved.is_repeat
    assert saved.match_status == "new"
    with open_store.store.read() as s:
        keys = set(s.scalars(select(PersonKey.key).where(PersonKey.person_id == saved.victim_id)))
    assert "d:1990-04-12" in keys


def test_errors_block_the_save_and_name_the_field(open_store: OpenStore) -> None:
    bad = referral(date(2026, 1, 5), crit_professional_judgement=True)
    with pytest.raises(referrals.ReferralRejected) as caught:
        save(open_store, bad)
    assert [p.field for p in caught.value.problems] == ["professional_judgement_reason"]
    assert referrals.count_referrals(open_store.store) == 0


def test_linked_people_within_twelve_months_make_a_repeat(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    again = referral(
        date(2026, 9, 1),
        replace(SARAH, person_id=first.victim_id),
        replace(KARL, person_id=first.perpetrator_ids[0]),
    )
    second = save(open_store, again)
    assert second.is_repeat
    assert second.previous_referral_id == first.id
    detail = referrals.get_referral(open_store.store, second.id)
    assert detail.is_repeat
    assert [p.case_ref for p in detail.previous] == [first.case_ref]


def test_same_victim_new_perpetrator_is_flagged_separately(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    other = PerpetratorInput("Lee", "Marsh", date(1985, 3, 3), decided=True)
    second = save(
        open_store, referral(date(2026, 3, 1), replace(SARAH, person_id=first.victim_id), other)
    )
    assert not second.is_repeat
    assert second.new_perpetrator_flag


def test_after_twelve_months_it_is_a_new_referral(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2025, 1, 5)))
    later = referral(
        date(2026, 1, 6),
        replace(SARAH, person_id=first.victim_id),
        replace(KARL, person_id=first.perpetrator_ids[0]),
    )
    assert not save(open_store, later).is_repeat


def test_window_is_a_setting(open_store: OpenStore) -> None:
    settings.update(open_store.store, open_store.actor, {"repeat_window_months": 6})
    first = save(open_store, referral(date(2026, 1, 5)))
    later = referral(
        date(2026, 8, 1),
        replace(SARAH, person_id=first.victim_id),
        replace(KARL, person_id=first.perpetrator_ids[0]),
    )
    assert not save(open_store, later).is_repeat


def test_exact_match_auto_links_only_when_asked(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    imported = save(open_store, referral(date(2026, 5, 1)), auto_link=True)
    assert imported.victim_id == first.victim_id
    assert imported.match_status == "linked"
    assert imported.is_repeat  # Karl linked too: same DOB and names


def test_a_typo_goes_to_the_review_list_not_linked(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    someone_called_jnoes(open_store)
    typo = save(
        open_store,
        referral(date(2026, 5, 1), PersonInput("Sarah", "Jnoes", date(1990, 4, 12)), DEAN),
        auto_link=True,
    )
    assert typo.victim_id != first.victim_id
    assert typo.match_status == "review"
    assert not typo.is_repeat
    reviews = people.list_reviews(open_store.store)
    assert {(r.person_a.id, r.person_b.id) for r in reviews} == {
        tuple(sorted((first.victim_id, typo.victim_id)))
    }
    assert "surname sounds alike" in reviews[0].reasons


def test_a_typo_in_a_spelling_no_one_has_links(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    typo = save(
        open_store,
        referral(date(2026, 5, 1), PersonInput("Sarah", "Jnoes", date(1990, 4, 12)), DEAN),
        auto_link=True,
    )
    assert typo.victim_id == first.victim_id and typo.match_status == "linked"


def test_the_same_perpetrator_backs_a_victim_typo(open_store: OpenStore) -> None:
    # The typo alone goes to review (above); with the perpetrator named with Sarah before
    # (linked on his own date of birth), the pair is overwhelming: linked, and a repeat.
    first = save(open_store, referral(date(2026, 1, 5)))
    again = save(
        open_store,
        referral(date(2026, 5, 1), PersonInput("Sarah", "Jnoes", date(1990, 4, 12))),
        auto_link=True,
    )
    assert (again.victim_id, again.perpetrator_ids) == (first.victim_id, first.perpetrator_ids)
    assert again.match_status == "linked" and again.is_repeat
    assert people.list_reviews(open_store.store) == []


def test_a_perpetrator_without_a_date_of_birth_links_through_the_same_victim(
    open_store: OpenStore,
) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    no_dob = replace(KARL, dob=None)
    again = save(open_store, referral(date(2026, 5, 1), SARAH, no_dob), auto_link=True)
    assert again.perpetrator_ids == first.perpetrator_ids and again.is_repeat
    # Another victim naming a Karl Dunn with no date of birth is only a possible match.
    other = save(
        open_store,
        referral(date(2026, 6, 1), PersonInput("Amy", "Hart", date(1995, 2, 2)), no_dob),
        auto_link=True,
    )
    assert other.perpetrator_ids != first.perpetrator_ids
    found = people.find_candidates(open_store.store, people.evidence_from("Karl", "Dunn"))
    assert found and all(c.decision is not Decision.LINK for c in found)


def test_merge_makes_the_repeat_and_unmerge_restores_everything(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    first = save(open_store, referral(date(2026, 1, 5)))
    # The coordinator links Karl and leaves Sarah Jnoes to the review list (no automatic links).
    karl = replace(KARL, person_id=first.perpetrator_ids[0])
    typo = save(
        open_store,
        referral(date(2026, 5, 1), PersonInput("Sarah", "Jnoes", date(1990, 4, 12)), karl),
    )
    assert typo.victim_id != first.victim_id and not typo.is_repeat
    review = people.list_reviews(store)[0]
    merge_id = people.decide_review(store, actor, review.id, True, keep_id=first.victim_id)
    assert merge_id is not None
    assert referrals.get_referral(store, typo.id).is_repeat
    kept = people.get_person(store, first.victim_id)
    assert kept is not None and "Sarah Jnoes" in kept.aliases
    # Candidates never offer the merged-away person.
    found = people.find_candidates(store, people.evidence_from("Sarah", "Jnoes", date(1990, 4, 12)))
    assert [c.person.id for c in found] == [first.victim_id]

    people.unmerge(store, actor, merge_id)
    assert not referrals.get_referral(store, typo.id).is_repeat
    assert referrals.get_referral(store, typo.id).victim.person_id == typo.victim_id
    restored = people.get_person(store, first.victim_id)
    assert restored is not None and restored.aliases == ()
    actions = [e.action for e in audit.list_events(store, limit=None, newest_first=False)]
    assert "merge" in actions and "unmerge" in actions
    assert audit.verify(store).ok


def test_not_the_same_person_closes_the_review(open_store: OpenStore) -> None:
    save(open_store, referral(date(2026, 1, 5)))
    someone_called_jnoes(open_store)
    save(
        open_store,
        referral(date(2026, 5, 1), PersonInput("Sarah", "Jnoes", date(1990, 4, 12)), DEAN),
        auto_link=True,
    )
    review = people.list_reviews(open_store.store)[0]
    assert people.decide_review(open_store.store, open_store.actor, review.id, False) is None
    assert people.list_reviews(open_store.store) == []
    with open_store.store.read() as s:
        assert s.scalar(select(MatchReview.status)) == "not_same"


def test_override_needs_a_reason_and_wins(open_store: OpenStore) -> None:
    saved = save(open_store, referral(date(2026, 1, 5)))
    with pytest.raises(referrals.ReferralRejected):
        referrals.override_repeat(open_store.store, open_store.actor, saved.id, True, "")
    referrals.override_repeat(
        open_store.store, open_store.actor, saved.id, True, "same couple, police records"
    )
    detail = referrals.get_referral(open_store.store, saved.id)
    assert detail.is_repeat and not detail.computed_repeat
    rows = referrals.list_referrals(open_store.store, referrals.ReferralFilter(repeat=True))
    assert [r.id for r in rows] == [saved.id]


def test_status_changes_need_reasons_where_the_rule_says(open_store: OpenStore) -> None:
    saved = save(open_store, referral(date(2026, 1, 5)))
    with pytest.raises(referrals.ReferralRejected) as caught:
        referrals.set_status(open_store.store, open_store.actor, saved.id, "diverted")
    assert {p.field for p in caught.value.problems} == {"status_reason", "status_decided_by"}
    referrals.set_status(
        open_store.store,
        open_store.actor,
        saved.id,
        "diverted",
        reason="professionals meeting",
        decided_by="Chair",
    )
    detail = referrals.get_referral(open_store.store, saved.id)
    assert (detail.status, detail.status_reason, detail.status_decided_by) == (
        "diverted",
        "professionals meeting",
        "Chair",
    )


def test_list_filters_in_the_database(open_store: OpenStore) -> None:
    save(open_store, referral(date(2026, 1, 5)))
    save(
        open_store,
        referral(
            date(2026, 2, 5),
            PersonInput("Amira", "Haddad", date(1994, 5, 1), decided=True),
            agency="Housing",
        ),
    )
    store = open_store.store
    assert [
        r.victim_name for r in referrals.list_referrals(store, referrals.ReferralFilter(text="had"))
    ] == ["Amira HADDAD"]
    assert [
        r.referring_agency
        for r in referrals.list_referrals(store, referrals.ReferralFilter(agency="Housing"))
    ] == ["Housing"]
    assert (
        referrals.count_referrals(store, referrals.ReferralFilter(date_from=date(2026, 2, 1))) == 1
    )
    dates = [
        r.referral_date
        for r in referrals.list_referrals(store, sort="referral_date", descending=False)
    ]
    assert dates == sorted(dates)


# ----- agencies' identifiers --------------------------------------------------------------------

NHS_NUMBER = "943 476 5919"


def test_an_nhs_number_is_checked_stored_and_links_a_person_under_another_first_name(
    open_store: OpenStore,
) -> None:
    with pytest.raises(referrals.ReferralRejected) as rejected:
        save(open_store, referral(date(2026, 1, 5), replace(SARAH, nhs_number="943 476 5918")))
    assert [p.field for p in rejected.value.problems] == ["victim.nhs_number"]

    first = save(open_store, referral(date(2026, 1, 5), replace(SARAH, nhs_number=NHS_NUMBER)))
    view = people.get_person(open_store.store, first.victim_id)
    assert view is not None and view.identifiers == ("NHS number 943 476 5919",)
    # Known by her middle name, same NHS number and date of birth, another perpetrator.
    middle = PersonInput("Louise", "Jones", SARAH.dob, nhs_number="9434765919")
    again = save(open_store, referral(date(2026, 5, 1), middle, DEAN), auto_link=True)
    assert again.victim_id == first.victim_id and again.match_status == "linked"


def test_a_different_nhs_number_keeps_namesakes_apart(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2026, 1, 5), replace(SARAH, nhs_number=NHS_NUMBER)))
    namesake = replace(SARAH, nhs_number="401 023 2137")
    other = save(open_store, referral(date(2026, 5, 1), namesake, DEAN), auto_link=True)
    # Two valid NHS numbers are two people: not even proposed.
    assert other.victim_id != first.victim_id and other.match_status == "new"


def test_merge_and_unmerge_carry_identifiers(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    first = save(open_store, referral(date(2026, 1, 5)))
    typo = PersonInput("Sarah", "Jnoes", date(1990, 4, 12), nhs_number=NHS_NUMBER)
    second = save(open_store, referral(date(2026, 5, 1), typo, DEAN))
    assert second.victim_id != first.victim_id
    merge_id = people.merge_people(store, actor, first.victim_id, second.victim_id)
    kept = people.get_person(store, first.victim_id)
    assert kept is not None and kept.identifiers == ("NHS number 943 476 5919",)
    found = people.find_candidates(
        store, people.evidence_from("Sarah", "Jones", None, identifiers=("nhs:9434765919",))
    )
    assert [c.person.id for c in found] == [first.victim_id]
    people.unmerge(store, actor, merge_id)
    kept = people.get_person(store, first.victim_id)
    assert kept is not None and kept.identifiers == ()


# ----- a pair named together before -----------------------------------------------------------


def test_a_victim_and_perpetrator_named_together_before_link_together(
    open_store: OpenStore,
) -> None:
    # Neither links alone (no DOB for her; a slip in his DOB, with no postcode to back it),
    # but they were on a referral together, and his date of birth is a slip of the pen.
    first = save(open_store, referral(date(2026, 1, 5)))
    sarah, karl = replace(SARAH, dob=None), replace(KARL, dob=date(1988, 1, 2))
    assert people.find_candidates(open_store.store, people.evidence_from("Sarah", "Jones"))
    again = save(open_store, referral(date(2026, 5, 1), sarah, karl), auto_link=True)
    assert (again.victim_id, again.perpetrator_ids) == (first.victim_id, first.perpetrator_ids)
    assert again.is_repeat and people.list_reviews(open_store.store) == []


def test_two_couples_of_the_same_names_without_dates_of_birth_are_asked_about(
    open_store: OpenStore,
) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    sarah, karl = replace(SARAH, dob=None), replace(KARL, dob=None)
    again = save(open_store, referral(date(2026, 5, 1), sarah, karl), auto_link=True)
    assert again.victim_id != first.victim_id
    assert again.perpetrator_ids != first.perpetrator_ids
    assert len(people.list_reviews(open_store.store)) == 2


def test_a_couple_links_together_whoever_else_is_named(open_store: OpenStore) -> None:
    # As above, with a second perpetrator named both times: every pair points at one victim.
    first = save(open_store, referral(date(2026, 1, 5), SARAH, KARL, DEAN))
    karl, dean = replace(KARL, dob=date(1988, 1, 2)), replace(DEAN, dob=date(1979, 6, 4))
    again = save(
        open_store, referral(date(2026, 5, 1), replace(SARAH, dob=None), karl, dean), auto_link=True
    )
    assert (again.victim_id, again.perpetrator_ids) == (first.victim_id, first.perpetrator_ids)


def test_nobody_is_both_victim_and_perpetrator_on_one_referral(open_store: OpenStore) -> None:
    first = save(open_store, referral(date(2026, 1, 5)))
    as_perp = PerpetratorInput("Sarah", "Jones", SARAH.dob, relationship_to_victim="other")
    again = save(open_store, referral(date(2026, 5, 1), SARAH, as_perp), auto_link=True)
    assert again.victim_id == first.victim_id
    assert again.perpetrator_ids[0] != again.victim_id


def test_whoever_holds_the_typed_nhs_number_is_compared_whatever_the_shortlist(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A namesake fills a shortlist cut down to one; the NHS number's holder is compared anyway.
    namesake = save(open_store, referral(date(2026, 1, 5), PersonInput("Sarah", "Dunn", SARAH.dob)))
    holder = save(
        open_store, referral(date(2026, 2, 5), replace(SARAH, nhs_number=NHS_NUMBER), DEAN)
    )
    shortlist = people._shortlist
    monkeypatch.setattr(people, "_shortlist", lambda session, probe: shortlist(session, probe, 1))
    typed = people.evidence_from("Sarah", "Dunn", SARAH.dob, identifiers=("nhs:9434765919",))
    found = {c.person.id: c for c in people.find_candidates(open_store.store, typed)}
    assert holder.victim_id in found and namesake.victim_id in found
    assert found[holder.victim_id].decision is Decision.LINK
