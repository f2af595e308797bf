"""Synthetic demo data: deterministic, and shaped like a real MARAC's year."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from dataclasses import fields
from datetime import date, timedelta

import pytest

from marac_desk.core import repeats, synthetic
from marac_desk.core.vocab import (
    ACTION_CATEGORIES,
    ACTION_STATUSES,
    ATTENDANCE_STATUSES,
    CASE_OUTCOMES,
    GENDERS,
    REFERRAL_STATUSES,
    RELATIONSHIPS_TO_VICTIM,
    TRI_STATE,
)

TODAY = date(2026, 3, 18)  # a Wednesday: the meeting that day is still to be held


@pytest.fixture(scope="module")
def data() -> synthetic.SyntheticData:
    return synthetic.generate(2000, seed=7, today=TODAY)


# ----- determinism ---------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_data_field_for_field() -> None:
    assert synthetic.generate(300, seed=5, today=TODAY) == synthetic.generate(
        300, seed=5, today=TODAY
    )


def test_a_different_seed_gives_different_data() -> None:
    one = synthetic.generate(300, seed=5, today=TODAY)
    other = synthetic.generate(300, seed=6, today=TODAY)
    assert [r.victim_last_name for r in one.referrals] != [
        r.victim_last_name for r in other.referrals
    ]
    assert [r.referral_date for r in one.referrals] != [r.referral_date for r in other.referrals]


def test_everything_ends_on_today() -> None:
    shifted = synthetic.generate(300, seed=5, today=TODAY + timedelta(days=7))
    assert max(r.referral_date for r in shifted.referrals) <= TODAY + timedelta(days=7)
    assert shifted != synthetic.generate(300, seed=5, today=TODAY)


def test_a_stream_read_in_small_slices_holds_the_same_data() -> None:
    whole = synthetic.generate(400, seed=5, today=TODAY)
    stream = synthetic.SyntheticStream(400, seed=5, today=TODAY)
    people: dict[int, synthetic.Person] = {}
    aliases: dict[int, list[synthetic.Alias]] = {}
    referrals: list[synthetic.Referral] = []
    meetings: list[synthetic.Meeting] = []
    seen_keys: set[int] = set()
    for chunk in stream.chunks(37):
        seen_keys |= {r.key for r in chunk.referrals}
        for m in chunk.meetings:  # a meeting comes after every referral it hears
            assert all(c.referral_key in seen_keys for c in m.cases)
        for p in chunk.people:
            people[p.key] = p
        for key, alias in chunk.new_aliases:
            assert key in people  # only for people handed out before
            aliases.setdefault(key, []).append(alias)
        referrals.extend(chunk.referrals)
        meetings.extend(chunk.meetings)
    assert tuple(referrals) == whole.referrals
    assert tuple(meetings) == whole.meetings
    for person in whole.people:
        assert person.aliases == people[person.key].aliases + tuple(aliases.get(person.key, ()))
    with pytest.raises(RuntimeError, match="only once"):
        next(stream.chunks(37))


@pytest.mark.parametrize("n", [1, 2, 5, 40])
def test_tiny_stores_are_still_consistent(n: int) -> None:
    small = synthetic.generate(n, seed=3, today=TODAY)
    assert len(small.referrals) == n
    assert {r.victim_key for r in small.referrals} <= {p.key for p in small.people}


def test_no_referrals_is_refused() -> None:
    with pytest.raises(ValueError, match="At least one referral"):
        synthetic.generate(0, seed=1, today=TODAY)


# ----- the period and the panels --------------------------------------------------------------


def test_small_stores_cover_a_year_and_large_ones_up_to_five_years() -> None:
    assert synthetic.plan_shape(200) == (1, 365)
    assert synthetic.plan_shape(2000) == (1, round(2000 / 850 * 365.25))
    panels, days = synthetic.plan_shape(10_000)
    assert panels == 3
    assert days <= 5 * 366
    # One year of the national caseload needs many panels, each hearing a realistic list.
    panels, days = synthetic.plan_shape(120_000)
    assert 120_000 / panels / (days / 7) <= 17


def test_one_weekly_wednesday_panel_for_small_stores(data: synthetic.SyntheticData) -> None:
    assert len(data.panels) == 1
    panel = data.panels[0]
    assert (panel.name, panel.code, panel.cadence) == ("Northtown MARAC", "NT", "weekly:wed")
    assert all(m.meeting_date.weekday() == 2 for m in data.meetings)
    dates = [m.meeting_date for m in data.meetings]
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(dates))
    assert min(r.referral_date for r in data.referrals) >= data.start
    assert max(r.referral_date for r in data.referrals) <= TODAY


def test_case_references_are_unique_and_numbered_per_year(data: synthetic.SyntheticData) -> None:
    refs = [r.case_ref() for r in data.referrals]
    assert len(set(refs)) == len(refs)
    assert refs[0] == f"NT-{data.referrals[0].referral_date.year}-00001"
    by_year: dict[int, list[int]] = {}
    for r in data.referrals:
        by_year.setdefault(r.case_year, []).append(r.case_number)
    for numbers in by_year.values():
        assert numbers == list(range(1, len(numbers) + 1))


# ----- repeats ------------------------------------------------------------------------------


def test_about_thirty_percent_are_repeats(data: synthetic.SyntheticData) -> None:
    share = data.repeat_count / len(data.referrals)
    assert 0.25 <= share <= 0.35


def test_repeat_flags_are_the_rule_applied_to_the_data(data: synthetic.SyntheticData) -> None:
    facts = [
        repeats.ReferralFacts(
            r.key, r.referral_date, r.victim_key, frozenset(p.person_key for p in r.perpetrators)
        )
        for r in data.referrals
    ]
    verdicts = repeats.assess_history(facts)
    for r in data.referrals:
        verdict = verdicts[r.key]
        assert r.is_repeat == verdict.is_repeat
        assert r.previous_referral_key == verdict.previous_referral_id
        assert r.new_perpetrator_flag == verdict.new_perpetrator


def test_a_repeat_names_the_same_victim_and_a_perpetrator_from_its_previous_referral(
    data: synthetic.SyntheticData,
) -> None:
    by_key = {r.key: r for r in data.referrals}
    for r in data.referrals:
        if not r.is_repeat:
            continue
        assert r.previous_referral_key is not None
        previous = by_key[r.previous_referral_key]
        assert previous.victim_key == r.victim_key
        assert {p.person_key for p in previous.perpetrators} & {
            p.person_key for p in r.perpetrators
        }
        assert repeats.within_window(previous.referral_date, r.referral_date)


def test_some_victims_come_back_with_a_new_perpetrator(data: synthetic.SyntheticData) -> None:
    flagged = [r for r in data.referrals if r.new_perpetrator_flag]
    assert 0.01 <= len(flagged) / len(data.referrals) <= 0.06
    assert not any(r.is_repeat for r in flagged)


# ----- people as referred -------------------------------------------------------------------


def test_names_of_many_origins_with_diacritics_and_other_scripts(
    data: synthetic.SyntheticData,
) -> None:
    names = [f"{p.first_name} {p.last_name}" for p in data.people]
    assert sum(not n.isascii() for n in names) / len(names) > 0.05
    letters = set("".join(names))
    assert letters & set("łżąśń")  # Polish
    assert letters & set("ğşİıöüç")  # Turkish
    assert letters & set("ễịươạđ")  # Vietnamese
    aliases = [f"{a.first_name} {a.last_name}" for p in data.people for a in p.aliases]
    assert any("\u0600" <= ch <= "\u06ff" for name in aliases for ch in name)  # Arabic script
    origins = Counter(p.origin for p in data.people)
    assert len(origins) >= 15
    assert origins.most_common(1)[0][0] == "english"


def test_later_referrals_spell_people_differently_and_people_keep_the_variants(
    data: synthetic.SyntheticData,
) -> None:
    people = {p.key: p for p in data.people}
    differing = 0
    for r in data.referrals:
        victim = people[r.victim_key]
        as_written = (r.victim_first_name, r.victim_last_name)
        if as_written != (victim.first_name, victim.last_name):
            differing += 1
            known = {(a.first_name, a.last_name) for a in victim.aliases}
            # Every variant is an alias, except a surname only written in capitals.
            assert as_written in known or (
                r.victim_last_name == victim.last_name.upper()
                and r.victim_first_name == victim.first_name
            )
        if r.victim_dob not in (None, victim.dob):
            assert r.victim_dob in victim.alternative_dobs
    assert differing > 0.05 * len(data.referrals)
    kinds = Counter(a.kind for p in data.people for a in p.aliases)
    assert {"alias", "spelling", "previous"} <= set(kinds)
    swapped = [
        r
        for r in data.referrals
        if (r.victim_first_name, r.victim_last_name)
        == (people[r.victim_key].last_name, people[r.victim_key].first_name)
    ]
    assert swapped
    assert any(p.alternative_dobs for p in data.people)


def test_victims_are_mostly_women_and_diversity_uses_the_national_vocabulary(
    data: synthetic.SyntheticData,
) -> None:
    genders = Counter(r.victim_gender for r in data.referrals)
    assert set(genders) <= set(GENDERS)
    assert 0.04 <= genders["male"] / len(data.referrals) <= 0.11
    for r in data.referrals:
        for value in (
            r.victim_bame,
            r.victim_lgbt,
            r.victim_disability,
            r.victim_mental_health,
            r.victim_substance_misuse,
            r.victim_pregnant,
            r.safe_to_call,
            r.interpreter_needed,
            r.victim_consented,
        ):
            assert value in TRI_STATE
        if r.victim_consented == "no":
            assert r.no_consent_reason
    lgbt = Counter(r.victim_lgbt for r in data.referrals)
    assert lgbt["not_known"] and lgbt["not_stated"] and lgbt["yes"]


def test_perpetrators_and_children(data: synthetic.SyntheticData) -> None:
    counts = Counter(len(r.perpetrators) for r in data.referrals)
    assert set(counts) <= {1, 2}
    assert counts[2] > 0
    for r in data.referrals:
        for p in r.perpetrators:
            assert p.relationship_to_victim in RELATIONSHIPS_TO_VICTIM
        assert len(r.children) <= 4
        for child in r.children:
            assert child.dob is not None
            assert child.dob <= r.referral_date
            assert (r.referral_date - child.dob).days < 18 * 366
    with_children = sum(1 for r in data.referrals if r.children)
    assert 0.4 <= with_children / len(data.referrals) <= 0.8


def test_police_refer_about_sixty_percent_and_some_referrals_are_joint(
    data: synthetic.SyntheticData,
) -> None:
    agencies = Counter(r.referring_agency for r in data.referrals)
    assert 0.55 <= agencies["Police"] / len(data.referrals) <= 0.65
    joint = [r for r in data.referrals if r.joint_agency]
    assert 0.03 <= len(joint) / len(data.referrals) <= 0.07
    assert all(r.joint_agency != r.referring_agency for r in joint)


# ----- criteria and the checklist ---------------------------------------------------------------


def test_criteria_follow_the_checklist_score(data: synthetic.SyntheticData) -> None:
    for r in data.referrals:
        assert (
            r.crit_visible_high_risk
            or r.crit_professional_judgement
            or (r.crit_potential_escalation)
        )
        if r.crit_professional_judgement:
            assert r.professional_judgement_reason
        if r.crit_potential_escalation:
            assert r.police_incidents_12m is not None and r.police_incidents_12m >= 3
        ra = r.risk_assessment
        if ra is None:
            assert r.risk_tool == "dara"
            assert r.risk_score is None
            continue
        assert ra.score == ra.answer_codes.count("y") == r.risk_score
        assert r.crit_visible_high_risk == (ra.score >= 14)
        assert ra.band == synthetic.risk_band(ra.score) == r.risk_grade
        assert ra.review_due == ra.assessed_on + timedelta(weeks=6)
        answers = ra.answers_json()
        assert sorted(answers) == [f"q{i:02d}" for i in range(1, 25)]
        assert {a["answer"] for a in answers.values()} <= {"yes", "no", "dont_know"}
        assert sum(a["answer"] == "yes" for a in answers.values()) == ra.score
    visible = sum(r.crit_visible_high_risk for r in data.referrals) / len(data.referrals)
    assert 0.5 <= visible <= 0.7


def test_the_answers_text_is_the_answers_as_compact_json(data: synthetic.SyntheticData) -> None:
    assessments = [r.risk_assessment for r in data.referrals if r.risk_assessment]
    assert any(ra.comments for ra in assessments)
    quoted = synthetic.RiskAssessment(
        **{
            **{f.name: getattr(assessments[0], f.name) for f in fields(synthetic.RiskAssessment)},
            "answer_codes": "y" * 24,
            "source": 'the "victim" – herself',
            "comments": ((0, 'Said "he\'ll kill me".'), (23, "Łódź\nnext line")),
        }
    )
    for ra in [*assessments, quoted]:
        text = ra.answers_text()
        assert text == json.dumps(ra.answers_json(), ensure_ascii=False, separators=(",", ":"))
        assert json.loads(text) == ra.answers_json()


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high")],
)
def test_risk_bands(score: int, band: str) -> None:
    assert synthetic.risk_band(score) == band


# ----- meetings, statuses and actions ------------------------------------------------------------


def test_referral_statuses_match_what_happened_to_them(data: synthetic.SyntheticData) -> None:
    heard_at: dict[int, list[str]] = {}
    listed: set[int] = set()
    for m in data.meetings:
        for c in m.cases:
            if m.status == "held":
                heard_at.setdefault(c.referral_key, []).append(c.outcome)
            else:
                assert m.status == "planned"
                assert c.outcome == "pending"
                listed.add(c.referral_key)
    statuses = Counter(r.status for r in data.referrals)
    assert set(statuses) <= set(REFERRAL_STATUSES)
    for r in data.referrals:
        if r.status in ("heard", "closed"):
            assert any(o.startswith("heard") for o in heard_at.get(r.key, []))
        elif r.status == "listed":
            assert r.key in listed
        elif r.status == "received":
            assert r.key not in listed
            assert r.key not in heard_at
        else:
            assert r.status in ("diverted", "withdrawn")
            assert r.status_reason and r.status_decided_by
            assert r.key not in listed and r.key not in heard_at
    assert statuses["diverted"] and statuses["withdrawn"] and statuses["closed"]
    assert statuses["listed"]


def test_meetings_hear_up_to_twenty_cases_received_by_the_friday_before(
    data: synthetic.SyntheticData,
) -> None:
    by_key = {r.key: r for r in data.referrals}
    held = [m for m in data.meetings if m.status == "held"]
    sizes = [len(m.cases) for m in held]
    assert max(sizes) <= 20
    assert sum(8 <= s <= 20 for s in sizes) / len(sizes) > 0.8
    for m in data.meetings:
        for c in m.cases:
            assert by_key[c.referral_key].referral_date <= m.meeting_date - timedelta(days=5)
        assert [c.position for c in m.cases] == list(range(1, len(m.cases) + 1))
    future = [m for m in data.meetings if m.meeting_date >= TODAY]
    assert len(future) == synthetic.FUTURE_MEETINGS
    assert all(m.status == "planned" for m in future)
    assert {m.status for m in data.meetings if m.meeting_date < TODAY} <= {"held", "cancelled"}


def test_attendance_records_the_core_agencies(data: synthetic.SyntheticData) -> None:
    held = [m for m in data.meetings if m.status == "held"]
    for m in held:
        agencies = {a.agency for a in m.attendance}
        assert {"Police", "IDVA", "Children's Social Care", "Housing"} <= agencies
        assert m.confidentiality_read
        for a in m.attendance:
            assert a.status in ATTENDANCE_STATUSES
            if a.information_sent:
                assert a.status == "apologies" and a.information_sent_on is not None
    statuses = Counter(a.status for m in held for a in m.attendance)
    assert statuses["present"] > statuses["apologies"] > statuses["observer"] > 0


def test_heard_cases_have_one_to_five_actions_with_owners_and_timescales(
    data: synthetic.SyntheticData,
) -> None:
    for m in data.meetings:
        for c in m.cases:
            assert c.outcome in CASE_OUTCOMES
            if c.outcome.startswith("heard"):
                assert 1 <= len(c.actions) <= 5
            else:
                assert not c.actions
            for a in c.actions:
                assert a.category in ACTION_CATEGORIES
                assert a.status in ACTION_STATUSES
                assert a.owner_agency
                weeks = (a.due_date - m.meeting_date).days / 7
                if a.status == "carried_forward":
                    assert a.updates[-1].new_due_date == a.due_date
                else:
                    assert 2 <= weeks <= 6
                if a.status == "completed":
                    assert a.completed_on is not None and a.completed_on <= TODAY
                    assert a.updates[-1].status == "completed"


def test_old_actions_are_mostly_done_and_some_are_overdue(data: synthetic.SyntheticData) -> None:
    actions = data.actions()
    past_due = [a for a in actions if a.due_date < TODAY - timedelta(weeks=8)]
    done = sum(a.status == "completed" for a in past_due) / len(past_due)
    assert 0.75 <= done <= 0.92
    overdue = [a for a in actions if a.status == "open" and a.due_date < TODAY]
    assert overdue
    statuses = Counter(a.status for a in actions)
    assert statuses["not_possible"] and statuses["not_undertaken"]
    categories = Counter(a.category for a in actions)
    assert categories["perpetrator_disruption"] / len(actions) > 0.1


def test_the_data_counts(data: synthetic.SyntheticData) -> None:
    assert data.action_count == len(data.actions())
    assert data.meeting_case_count == sum(len(m.cases) for m in data.meetings)
    assert [p.key for p in data.people] == list(range(1, len(data.people) + 1))
    assert [r.key for r in data.referrals] == list(range(1, len(data.referrals) + 1))
    assert [m.key for m in data.meetings] == list(range(1, len(data.meetings) + 1))
    dates = [r.referral_date for r in data.referrals]
    assert dates == sorted(dates)


def test_ascii_fold_removes_diacritics_the_way_keyboards_do() -> None:
    assert synthetic.ascii_fold("Łukasz Wiśniewski") == "Lukasz Wisniewski"
    assert synthetic.ascii_fold("İbrahim Yılmaz") == "Ibrahim Yilmaz"
    assert synthetic.ascii_fold("Nguyễn Thị Hương") == "Nguyen Thi Huong"
    assert synthetic.ascii_fold("Đặng") == "Dang"


def test_agencies_are_named_as_the_store_seeds_them() -> None:
    from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES

    referring = {name for name, _ in synthetic.REFERRING_AGENCY_WEIGHTS}
    assert referring == set(REFERRAL_SOURCE_CATEGORIES)
    assert {name for name, _ in synthetic.CORE_AGENCIES} <= referring
    owners = {a[0] for group in synthetic.catalogue().texts["actions"].values() for a in group}
    assert owners <= referring


def test_the_fast_builders_make_the_same_objects_as_the_dataclasses(
    data: synthetic.SyntheticData,
) -> None:
    import dataclasses

    referral = next(r for r in data.referrals if r.risk_assessment and r.children)
    action = next(a for a in data.actions() if a.updates)
    case = next(c for m in data.meetings for c in m.cases if c.actions)
    samples = [
        (synthetic._build_person, data.people[0]),
        (synthetic._build_referral, referral),
        (synthetic._build_referral_perpetrator, referral.perpetrators[0]),
        (synthetic._build_referral_child, referral.children[0]),
        (synthetic._build_risk_assessment, referral.risk_assessment),
        (synthetic._build_action, action),
        (synthetic._build_action_update, action.updates[0]),
        (synthetic._build_meeting_case, case),
    ]
    for build, original in samples:
        values = {f.name: getattr(original, f.name) for f in dataclasses.fields(original)}
        built = build(**values)
        assert type(built) is type(original)
        assert built == original
        assert repr(built) == repr(original)
        assert build(*values.values()) == type(original)(**values)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(built, next(iter(values)), None)
