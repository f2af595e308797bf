"""The quarterly report's figures from a store whose every count is known, quarter by quarter.

The store (built once for the module through the services, as a coordinator would fill it) has
referrals on both sides of 31 March / 1 April and 30 June / 1 July, repeats across the year end
and across quarters, a referral whose 12 months lapsed a day earlier, coordinator overrides both
ways, a joint referral, meetings held, cancelled and planned on both sides of the quarter, a case
heard twice, actions due on the quarter's edges, attendance, research and minutes. The report is
for Q1 2024/25 (1 April – 30 June 2024), seen on 10 July 2024.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PARTNERSHIP, PASSPHRASE, USER
from store_support import cache_key_derivation

from marac_desk.core.periods import date_range, parse_period, quarter
from marac_desk.core.suppression import Mode
from marac_desk.export.report_view import publish
from marac_desk.services import actions, meetings, panels, referrals, reports, settings
from marac_desk.services.actions import ActionInput
from marac_desk.services.meetings import AttendanceInput
from marac_desk.services.referrals import (
    ChildInput,
    PerpetratorInput,
    PersonInput,
    ReferralInput,
)
from marac_desk.services.session import OpenStore, create_store

TODAY = date(2027, 3, 1)  # the day the data is entered: every date below is in the past
AS_AT = date(2024, 7, 10)  # the day the report is made
GENERATED = datetime(2024, 7, 10, 9, 30)
Q1 = quarter(2024, 1)  # Q1 2024/25
PANEL = "Northtown MARAC"
COMMUNITY = "Northtown Community MARAC"
POPULATION = 20_000

SAFE = {"phone": "07700 900123", "safe_to_call": "yes"}


@dataclass
class Known:
    opened: OpenStore
    refs: dict[str, int] = field(default_factory=dict)  # r1 … r16, c1 … c5 → referral id
    victims: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → person ids
    meetings: dict[str, int] = field(default_factory=dict)
    cases: dict[tuple[str, str], int] = field(default_factory=dict)  # (meeting, ref) → case id

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.opened.store


def _refer(
    k: Known,
    key: str,
    on: date,
    victim: str,
    perpetrator: PerpetratorInput,
    *,
    agency: str = "Police",
    joint: str = "",
    dob: date | None = date(1990, 4, 12),
    gender: str = "female",
    facts: dict[str, str] | None = None,
    children: int = 0,
    children_status: str = "none",
    extra_perpetrators: tuple[PerpetratorInput, ...] = (),
    panel: str = PANEL,
    repeat: bool | None = None,
) -> None:
    """A referral; victim and perpetrator are linked to earlier referrals of the same names."""
    first = victim.split(maxsplit=1)[0]
    linked = k.victims.get(victim)
    person = PersonInput(
        first, victim.split()[1], dob, gender, person_id=linked[0] if linked else None
    )
    perp = perpetrator
    if linked:
        from dataclasses import replace

        perp = replace(perpetrator, person_id=linked[1])
    inp = ReferralInput(
        referral_date=on,
        referring_agency=agency,
        joint_agency=joint,
        panel=panel,
        victim=person,
        perpetrators=(perp, *extra_perpetrators),
        children=tuple(ChildInput(f"Child{n}", "X", date(2015, 1, 1)) for n in range(children)),
        children_status="listed" if children else children_status,
        victim_facts={"victim_gender": gender, **(facts or {})},
        crit_visible_high_risk=True,
        risk_score=15,
    )
    saved = referrals.create_referral(k.store, k.opened.actor, inp, today=TODAY)
    k.refs[key] = saved.id
    k.victims.setdefault(victim, (saved.victim_id, saved.perpetrator_ids[0]))
    if repeat is not None:
        assert saved.is_repeat == repeat, f"{key}: repeat flag {saved.is_repeat}"


def _perp(name: str, **kw: object) -> PerpetratorInput:
    first, last = name.split()
    kw.setdefault("dob", date(1985, 3, 3))
    kw.setdefault("gender", "male")
    kw.setdefault("relationship_to_victim", "current_partner")
    kw.setdefault("mental_health", "no")
    kw.setdefault("substance_misuse", "no")
    return PerpetratorInput(first, last, **kw)  # type: ignore[arg-type]


KARL = _perp("Karl Dunn", mental_health="yes")
MARK = _perp("Mark Hill", relationship_to_victim="ex_partner")
LUKE = _perp("Luke Ward")
NEIL = _perp("Neil Shaw", dob=date(2006, 5, 11))  # 17 on 10 May 2024
OMAR = _perp("Omar Aziz", relationship_to_victim="ex_partner")
QUIN = _perp(
    "Quin Lowe",
    gender="not_known",
    relationship_to_victim="not_known",
    mental_health="not_known",
    substance_misuse="not_known",
)
TOM = _perp(
    "Tom Lowe",
    dob=date(2006, 6, 15),  # 18 on the day of the referral (15 June 2024)
    relationship_to_victim="family_member",
    mental_health="not_known",
    substance_misuse="not_known",
)
ROB = _perp("Rob Kent", dob=None, relationship_to_victim="other")


def _referrals(k: Known) -> None:
    # Q1 2023/24 (April–June 2023): 2 referrals, 2 children in 1 family.
    _refer(k, "r2", date(2023, 4, 1), "Cara Hill", MARK, agency="IDVA", facts=SAFE, repeat=False)
    _refer(k, "r1", date(2023, 6, 30), "Anna Dunn", KARL, children=2, repeat=False)
    # Q2 2023/24: 1 referral (1 July).
    _refer(k, "r3", date(2023, 7, 1), "Bella Ward", LUKE, repeat=False)
    # Q3 2023/24: 1 referral.
    _refer(k, "r4", date(2023, 10, 1), "Ella Aziz", OMAR, agency="IDVA", dob=None, repeat=False)
    # Q4 2023/24: 2 referrals, 1 repeat (Anna, 9 months after r1), 1 child.
    _refer(
        k, "r6", date(2024, 1, 2), "Dina Shaw", NEIL, dob=date(2007, 5, 11), children=1,
        repeat=False,
    )  # fmt: skip
    _refer(k, "r5", date(2024, 3, 31), "Anna Dunn", KARL, repeat=True)
    # Q1 2024/25, the report's quarter: 8 referrals.
    _refer(
        k, "r7", date(2024, 4, 1), "Anna Dunn", KARL, children=2, repeat=True,
        facts={**SAFE, "victim_bame": "yes", "victim_lgbt": "no", "victim_disability": "yes",
               "victim_mental_health": "yes", "victim_substance_misuse": "no"},
    )  # fmt: skip
    _refer(  # Cara's last referral was 12 months and a day ago: not a repeat
        k, "r8", date(2024, 4, 2), "Cara Hill", MARK, agency="IDVA", dob=date(2006, 4, 2),
        repeat=False,
        facts={**SAFE, "victim_bame": "no", "victim_lgbt": "not_known",
               "victim_disability": "yes", "victim_mental_health": "no",
               "victim_substance_misuse": "no"},
    )  # fmt: skip
    _refer(
        k, "r10", date(2024, 5, 10), "Dina Shaw", NEIL, dob=date(2007, 5, 11),
        children_status="not_known", repeat=True,
        facts={**SAFE, "victim_bame": "no", "victim_lgbt": "not_stated",
               "victim_disability": "no", "victim_mental_health": "yes",
               "victim_substance_misuse": "no"},
    )  # fmt: skip
    _refer(
        k, "r11", date(2024, 6, 15), "Fay Lowe", QUIN, agency="Police", joint="IDVA",
        children=1, extra_perpetrators=(TOM,), repeat=False,
        facts={**SAFE, "victim_bame": "no", "victim_lgbt": "yes", "victim_disability": "no",
               "victim_mental_health": "no", "victim_substance_misuse": "no"},
    )  # fmt: skip
    _refer(
        k, "r12", date(2024, 5, 20), "Glen Kent", ROB, agency="Children's Social Care",
        gender="male", children=3, repeat=False,
        facts={**SAFE, "victim_bame": "yes", "victim_lgbt": "no", "victim_disability": "no",
               "victim_mental_health": "no", "victim_substance_misuse": "no"},
    )  # fmt: skip
    _refer(
        k, "r13", date(2024, 5, 21), "Anna Dunn",
        _perp("Karl Dunn", substance_misuse="yes"), agency="Housing", gender="not_known",
        repeat=True,
        facts={"victim_bame": "not_known", "victim_lgbt": "no", "victim_disability": "no",
               "victim_mental_health": "no", "victim_substance_misuse": "yes"},
    )  # fmt: skip
    _refer(
        k, "r16", date(2024, 6, 1), "Ella Aziz", OMAR, agency="IDVA", dob=None,
        children_status="not_known", repeat=True,
        facts={"victim_bame": "not_stated", "victim_lgbt": "no",
               "victim_disability": "not_known", "victim_mental_health": "not_known",
               "victim_substance_misuse": "no"},
    )  # fmt: skip
    _refer(
        k, "r9", date(2024, 6, 30), "Ella Aziz", _perp("Omar Aziz", mental_health="yes",
        relationship_to_victim="ex_partner"), dob=None, repeat=True,
        facts={**SAFE, "victim_bame": "yes", "victim_lgbt": "not_known",
               "victim_disability": "no", "victim_mental_health": "yes",
               "victim_substance_misuse": "no"},
    )  # fmt: skip
    # Q2 2024/25 (1 July): outside the quarter, with 4 children.
    _refer(k, "r14", date(2024, 7, 1), "Bella Ward", LUKE, children=4)
    # The coordinator's word over the computed flag, both ways.
    s, a = k.store, k.opened.actor
    referrals.override_repeat(s, a, k.refs["r12"], True, "heard at a MARAC elsewhere in May")
    referrals.override_repeat(s, a, k.refs["r16"], False, "entered twice by mistake")


def _meeting(k: Known, key: str, day: date, refs: dict[str, str], *, held: bool = True) -> int:
    """A meeting with `refs` listed, then held with those outcomes (or left planned)."""
    s, a = k.store, k.opened.actor
    panel_id = panels.find_panel(s, PANEL).id
    assert panel_id is not None
    mid = meetings.add_meeting(s, a, panel_id, day)
    k.meetings[key] = mid
    for ref in refs:
        k.cases[(key, ref)] = meetings.add_case(s, a, mid, k.refs[ref])
    if held:
        meetings.start_meeting(s, a, mid, time(10, 0))
        for ref, outcome in refs.items():
            reason = "ran out of time" if outcome == "deferred" else ""
            meetings.set_outcome(s, a, k.cases[(key, ref)], outcome, reason)
    return mid


def _meetings(k: Known) -> None:
    s, a = k.store, k.opened.actor
    # A year earlier: Q1 2023/24.
    _meeting(k, "M-1", date(2023, 6, 28), {"r2": "heard_closed"})
    # Q4 2023/24, inside the 12 months to 30 June 2024.
    _meeting(k, "M0", date(2024, 3, 27), {"r3": "heard_closed", "r4": "heard_closed"})
    # Q1 2024/25.
    _meeting(
        k,
        "M1",
        date(2024, 4, 3),
        {"r5": "heard_closed", "r6": "deferred", "r7": "heard_open", "r8": "heard_closed"},
    )
    _meeting(
        k,
        "M2",
        date(2024, 5, 15),
        {"r7": "heard_closed", "r10": "heard_open", "r12": "heard_closed", "r6": "heard_open"},
    )
    cancelled = _meeting(k, "M3", date(2024, 6, 12), {}, held=False)
    meetings.cancel_meeting(s, a, cancelled, "chair ill")
    _meeting(k, "M7", date(2024, 6, 19), {"r13": "pending"}, held=False)  # still planned
    _meeting(k, "M4", date(2024, 6, 30), {"r16": "heard_open"})  # a Sunday: the last day
    _meeting(k, "M6", date(2024, 7, 1), {"r11": "heard_closed", "r9": "heard_closed"})


def _actions(k: Known) -> None:
    s, a = k.store, k.opened.actor

    def add(meeting: str, ref: str, agency: str, person: str, category: str, due: date) -> int:
        return actions.add_action(
            s,
            a,
            k.cases[(meeting, ref)],
            ActionInput(agency, f"{category} action", person, "", category, due),
        )

    a0 = add("M0", "r4", "Police", "PC Jones", "other", date(2024, 4, 1))
    actions.set_status(s, a, a0, "completed", on=date(2024, 4, 1))  # on the day: on time
    a1 = add("M1", "r7", "Police", "PC Jones", "perpetrator_disruption", date(2024, 5, 1))
    actions.set_status(s, a, a1, "completed", on=date(2024, 4, 30))
    a2 = add("M1", "r7", "IDVA", "", "victim_safety", date(2024, 5, 1))  # no named owner
    actions.set_status(s, a, a2, "completed", on=date(2024, 5, 2))  # a day late
    add("M1", "r8", "Housing", "A. Patel", "housing", date(2024, 7, 15))  # due after the quarter
    add("M2", "r10", "Police", "DC Smith", "perpetrator_disruption", date(2024, 6, 12))  # overdue
    a5 = add("M2", "r12", "Children's Social Care", "SW Brown", "children", date(2024, 6, 30))
    actions.set_status(s, a, a5, "not_possible", note="family moved away", on=date(2024, 6, 20))
    add("M2", "r6", "Probation", "PO Green", "perpetrator_disruption", date(2024, 7, 1))


def _attendance_research_minutes(k: Known) -> None:
    s, a = k.store, k.opened.actor
    m = k.meetings
    for meeting, agency, status, sent in (
        ("M1", "Police", "present", False),
        ("M1", "IDVA", "present", False),
        ("M1", "Housing", "apologies", True),
        ("M2", "Police", "present", False),
        ("M2", "IDVA", "apologies", False),
        ("M2", "Housing", "present", False),
        ("M4", "Police", "present", False),
        ("M6", "Police", "present", False),  # outside the quarter
        ("M0", "IDVA", "present", False),  # outside the quarter
    ):
        meetings.add_attendance(
            s, a, m[meeting], AttendanceInput(agency, "Someone", status, information_sent=sent)
        )
    meetings.add_attendance(
        s, a, m["M1"], AttendanceInput("Probation", "Obs", "observer", statement_signed=True)
    )
    meetings.request_research(s, a, m["M1"], ["Police", "Housing"])
    meetings.set_research(s, a, k.cases[("M1", "r7")], "Police", "received")
    meetings.set_research(s, a, k.cases[("M1", "r8")], "Police", "nothing_held")
    meetings.set_research(s, a, k.cases[("M1", "r7")], "Housing", "received")
    meetings.request_research(s, a, m["M6"], ["Police"])  # outside the quarter
    meetings.set_minutes_circulated(s, a, m["M1"], date(2024, 4, 8))  # deadline 8 April
    meetings.set_minutes_circulated(s, a, m["M4"], date(2024, 7, 4))  # deadline 3 July
    # M2's minutes were never circulated: late since 20 May.


def _community(k: Known) -> None:
    """A Community MARAC meeting monthly: March, April, (no May), June."""
    s, a = k.store, k.opened.actor
    panels.save_panel(
        s,
        a,
        panels.PanelConfig(
            id=None, name=COMMUNITY, panel_type="community_marac", cadence="monthly:1:tue"
        ),
    )
    pid = panels.find_panel(s, COMMUNITY).id
    assert pid is not None
    people = {
        "c1": "Ivy Bond",
        "c2": "Jo Reed",
        "c3": "Kim Lane",
        "c4": "Lee Park",
        "c5": "Mo Page",
    }
    for key, name in people.items():
        _refer(k, key, date(2024, 3, 1), name, _perp(f"Nick {name.split()[1]}"), panel=COMMUNITY)

    def sitting(key: str, day: date, outcomes: dict[str, str]) -> None:
        mid = meetings.add_meeting(s, a, pid, day)
        k.meetings[key] = mid
        for ref in outcomes:
            k.cases[(key, ref)] = meetings.add_case(s, a, mid, k.refs[ref])
        meetings.start_meeting(s, a, mid, time(14, 0))
        for ref, outcome in outcomes.items():
            meetings.set_outcome(s, a, k.cases[(key, ref)], outcome)

    sitting("C-Mar", date(2024, 3, 5), {"c5": "heard_open"})
    sitting(
        "C-Apr",
        date(2024, 4, 2),
        {"c1": "heard_closed", "c2": "heard_open", "c3": "heard_open", "c5": "heard_open"},
    )
    sitting(
        "C-Jun", date(2024, 6, 4), {"c2": "heard_closed", "c3": "heard_open", "c4": "heard_open"}
    )


def build_known(opened: OpenStore) -> Known:
    k = Known(opened)
    panels.save_panel(
        opened.store, opened.actor, panels.PanelConfig(id=None, name=PANEL, cadence="weekly:wed")
    )
    settings.update(opened.store, opened.actor, {"adult_female_population": POPULATION})
    _referrals(k)
    _meetings(k)
    _actions(k)
    _attendance_research_minutes(k)
    _community(k)
    return k


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Known]:
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("reports")
        mp.setenv("MARAC_DESK_HOME", str(home / "marac"))
        cache_key_derivation(mp)
        opened = create_store(
            home / "known.store", PASSPHRASE, PASSPHRASE, partnership=PARTNERSHIP, user_name=USER
        )
        try:
            yield build_known(opened)
        finally:
            opened.store.close()


def q1(k: Known, panel: str | None = None):  # type: ignore[no-untyped-def]
    return reports.quarterly_report(k.store, Q1, panel=panel, as_at=AS_AT, generated_at=GENERATED)


# ----- referrals, repeats, children ---------------------------------------------------------------


def test_the_quarter_against_the_four_before_it(known: Known) -> None:
    report = q1(known)
    assert [
        (c.period.label, c.referrals, c.children, c.families, c.repeats) for c in report.trend
    ] == [
        ("Q1 2023/24", 2, 2, 1, 0),  # 1 April and 30 June 2023 both in
        ("Q2 2023/24", 1, 0, 0, 0),  # 1 July 2023
        ("Q3 2023/24", 1, 0, 0, 0),
        ("Q4 2023/24", 2, 1, 1, 1),  # 31 March 2024 is Q4: Anna's repeat
        ("Q1 2024/25", 8, 6, 3, 5),  # 1 April – 30 June 2024; 1 July 2024 is not in it
    ]
    assert report.referrals == 8
    assert report.year_earlier.period.label == "Q1 2023/24"
    assert report.scope == reports.ALL_PANELS
    assert report.panels == (PANEL,)  # the Community MARAC has its own section


def test_repeats_follow_overrides_and_cross_quarter_and_year_ends(known: Known) -> None:
    view = publish(q1(known), Mode.INTERNAL)
    # Anna 31 Mar → 1 Apr (year end), Ella 1 Jun → 30 Jun but overridden "not a repeat" on
    # 1 June, Dina (Q4 → Q1), Glen overridden "repeat", Anna again in May; Cara lapsed by a day.
    assert view.indicator("repeat_referrals").shown.value == "5"
    assert view.indicator("repeat_rate_pct").shown.value == "63"  # 62.5% rounds half-up


def test_headline_csv_values_for_the_quarter(known: Known) -> None:
    view = publish(q1(known), Mode.INTERNAL)
    values = {i.key: i.shown.value for i in view.indicators}
    assert {k: values[k] for k in (
        "referrals", "cases_heard", "meetings_held", "repeat_referrals", "repeat_rate_pct",
        "children_in_household", "families_with_children", "cases_per_10k_women",
        "non_police_referrals_pct", "bame_victims_pct", "lgbt_victims_pct",
        "disabled_victims_pct", "male_victims_pct", "victims_16_17", "perpetrators_under_18",
    )} == {
        "referrals": "8",
        "cases_heard": "7",  # r7 heard twice counts once
        "meetings_held": "3",  # 3 April, 15 May, 30 June; not the cancelled or planned ones
        "repeat_referrals": "5",
        "repeat_rate_pct": "63",
        "children_in_household": "6",
        "families_with_children": "3",
        "cases_per_10k_women": "4.5",  # 9 cases heard from 1 July 2023 to 30 June 2024
        "non_police_referrals_pct": "56",  # police 3 + 0.5 (joint) of 8: 4.5 / 8 = 56.25%
        "bame_victims_pct": "38",  # 3 of 8 = 37.5%
        "lgbt_victims_pct": "13",  # 1 of 8 = 12.5%: half-up, not banker's 12
        "disabled_victims_pct": "25",
        "male_victims_pct": "13",
        "victims_16_17": "1",  # Dina (16); Cara turned 18 on the day
        "perpetrators_under_18": "1",  # Neil (17); Tom turned 18 on the day
    }  # fmt: skip


def test_year_on_year_cases_per_meeting_and_the_rate(known: Known) -> None:
    report = q1(known)
    assert (report.cases_heard, report.cases_heard_year_earlier, report.hearings) == (7, 1, 8)
    assert report.rate_cases == 9 and report.adult_female_population == POPULATION
    assert (report.rate_period.start, report.rate_period.end) == (date(2023, 7, 1), Q1.end)
    values = {i.key: i.shown.value for i in publish(report, Mode.INTERNAL).indicators}
    assert values["referrals_year_earlier"] == "2"
    assert values["referrals_change_pct"] == "300"
    assert values["cases_heard_year_earlier"] == "1"
    assert values["cases_heard_change_pct"] == "600"
    assert values["cases_per_meeting"] == "2.7"  # 8 hearings at 3 meetings


def test_referral_sources_count_a_joint_referral_half_to_each(known: Known) -> None:
    sources = q1(known).sources
    counts = {c.key: n for c, n in zip(sources.categories, sources.counts, strict=True)}
    assert counts["Police"] == Decimal("3.5")
    assert counts["IDVA"] == Decimal("2.5")
    assert counts["Children's Social Care"] == 1 and counts["Housing"] == 1
    assert sum(counts.values()) == 8 and len(counts) == 14
    values = {i.key: i.shown.value for i in publish(q1(known), Mode.INTERNAL).indicators}
    assert values["source_police"] == "3.5" and values["source_idva"] == "2.5"
    assert values["source_police_pct"] == "44"  # 43.75%
    assert values["source_mash"] == "0"


# ----- victims and perpetrators -------------------------------------------------------------------


def test_victims_with_not_known_and_not_stated_beside_them(known: Known) -> None:
    v = q1(known).victims
    assert (v.bame.count, v.bame.other, v.bame.unknown) == (3, 3, 2)  # not known + not stated
    assert (v.lgbt.count, v.lgbt.other, v.lgbt.unknown) == (1, 4, 3)
    assert (v.disabled.count, v.disabled.other, v.disabled.unknown) == (2, 5, 1)
    assert (v.male.count, v.male.other, v.male.unknown) == (1, 6, 1)
    assert (v.aged_16_17.count, v.aged_16_17.other, v.aged_16_17.unknown) == (1, 5, 2)
    assert (v.mental_health.count, v.mental_health.unknown) == (3, 1)
    assert (v.substance_misuse.count, v.substance_misuse.unknown) == (1, 0)
    values = {i.key: i.shown.value for i in publish(q1(known), Mode.INTERNAL).indicators}
    assert values["bame_victims_not_known_pct"] == "25"
    assert values["lgbt_victims_not_known_pct"] == "38"  # 3 of 8 = 37.5%
    assert values["victims_16_17_pct"] == "13"
    assert values["victims_age_not_known_pct"] == "25"
    assert values["victims_mental_health_pct"] == "38"


def test_perpetrators_sex_relationship_age_and_needs(known: Known) -> None:
    p = q1(known).perpetrators
    assert p.total == 9  # Fay's referral names two
    assert (p.male.count, p.male.other, p.male.unknown) == (8, 0, 1)
    rel = dict(zip((c.key for c in p.relationship.categories), p.relationship.counts, strict=True))
    assert rel == {
        "current_partner": 3,
        "ex_partner": 3,
        "family_member": 1,
        "other": 1,
        "not_known": 1,
    }
    assert (p.aged_17_or_under.count, p.aged_17_or_under.unknown) == (1, 1)  # Rob: no DOB
    assert (p.mental_health.count, p.mental_health.other, p.mental_health.unknown) == (2, 5, 2)
    assert (p.substance_misuse.count, p.substance_misuse.unknown) == (1, 2)
    values = {i.key: i.shown.value for i in publish(q1(known), Mode.INTERNAL).indicators}
    assert values["male_perpetrators_pct"] == "89"
    assert values["perpetrators_current_partner_pct"] == "33"
    assert values["perpetrators_family_member_pct"] == "11"


def test_referral_completeness(known: Known) -> None:
    c = q1(known).completeness
    assert (c.complete, c.referrals) == (2, 8)
    missing = dict(zip((x.key for x in c.missing.categories), c.missing.counts, strict=True))
    assert missing == {
        "perpetrator": 0,
        "relationship to victim": 1,
        "children in the household": 2,
        "sexual orientation": 2,
        "safe contact": 2,
        "victim's date of birth": 2,
    }


# ----- actions, attendance, research, minutes -----------------------------------------------------


def test_actions_agreed_due_completed_on_time_and_overdue(known: Known) -> None:
    a = q1(known).actions
    assert (a.agreed, a.with_owner_and_due, a.perpetrator_focused) == (6, 5, 3)
    # Due 1 April (completed that day), 1 May (on time and a day late), 12 June (open) and
    # 30 June (not possible); 1 July and 15 July are after the quarter.
    assert (a.due, a.completed_on_time, a.completed_late, a.still_open, a.closed_otherwise) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert a.overdue_now == 2  # 12 June and 1 July, on 10 July
    values = {i.key: i.shown.value for i in publish(q1(known), Mode.INTERNAL).indicators}
    assert values["actions_per_case"] == "0.8"  # 6 actions, 8 hearings: 0.75 half-up
    assert values["actions_owner_and_due_pct"] == "83"
    assert values["actions_perpetrator_focused_pct"] == "50"
    assert values["actions_completed_on_time_pct"] == "40"
    assert values["actions_overdue_now"] == "2"


def test_attendance_research_and_minutes(known: Known) -> None:
    report = q1(known)
    assert [(x.agency, x.attended, x.apologies, x.information_sent) for x in report.attendance] == [
        ("Housing", 1, 1, 1),
        ("IDVA", 1, 1, 0),
        ("Police", 3, 0, 0),
    ]  # the observer is not an attendance; meetings outside the quarter do not count
    assert [(x.agency, x.requested, x.returned) for x in report.research] == [
        ("Housing", 4, 1),  # four cases listed at the meeting of 3 April, one deferred
        ("Police", 4, 2),
    ]
    m = report.minutes
    assert (m.on_time, m.late, m.not_yet_due) == (1, 2, 0)
    values = {i.key: i.shown.value for i in publish(report, Mode.INTERNAL).indicators}
    assert values["minutes_on_time_pct"] == "33"
    assert values["research_returned_pct"] == "38"  # 3 of 8 = 37.5%


def test_minutes_are_late_only_once_their_deadline_has_passed(known: Known) -> None:
    def minutes(as_at: date) -> tuple[int, int, int]:
        m = reports.quarterly_report(known.store, Q1, as_at=as_at, generated_at=GENERATED).minutes
        return m.on_time, m.late, m.not_yet_due

    # 15 May's minutes (never circulated) are due 3 working days later, on Monday 20 May.
    assert minutes(date(2024, 5, 20)) == (1, 1, 1)
    assert minutes(date(2024, 5, 21)) == (1, 2, 0)


# ----- panels, periods, community ---------------------------------------------------------------


def test_community_marac_by_month_with_a_month_without_a_meeting(known: Known) -> None:
    community = q1(known).community
    assert community is not None and community.panels == (COMMUNITY,)
    assert [(m.month.label, m.meetings, m.new, m.ongoing, m.closed) for m in community.months] == [
        ("April 2024", 1, 3, 1, 1),  # c5 was heard in March
        ("May 2024", 0, 0, 0, 0),
        ("June 2024", 1, 1, 2, 1),
    ]
    view = publish(q1(known), Mode.INTERNAL)
    table = view.table("community_months")
    assert table is not None
    texts = [[c if isinstance(c, str) else c.text for c in row] for row in table.rows]
    assert texts[1] == ["May 2024", "No meeting held", "–", "–", "–", "–"]
    assert texts[3] == ["Period", "2", "4", "3", "7", "2"]
    assert texts[4] == ["Per meeting", "", "2.0", "1.5", "3.5", "1.0"]
    assert view.table("community_meetings") is not None


def test_one_panel_and_a_community_panel_on_its_own(known: Known) -> None:
    only = q1(known, PANEL)
    assert only.scope == PANEL and only.community is None
    assert only.referrals == 8 and only.adult_female_population == POPULATION  # the only one
    community = q1(known, "northtown  community marac")
    assert community.scope == COMMUNITY and community.referrals == 0
    assert community.cases_heard == 5 and community.meetings_held == 2
    assert community.adult_female_population is None
    assert community.community is not None
    with pytest.raises(reports.ReportError, match="no panel called"):
        q1(known, "Southmoor MARAC")


def test_any_date_range_and_a_financial_year(known: Known) -> None:
    march_april = reports.quarterly_report(
        known.store,
        date_range(date(2024, 3, 31), date(2024, 4, 1)),
        as_at=AS_AT,
        generated_at=GENERATED,
    )
    assert march_april.referrals == 2  # Anna on 31 March and 1 April
    assert [c.period.start for c in march_april.trend] == [date(2023, 3, 31), date(2024, 3, 31)]
    year = reports.quarterly_report(
        known.store, parse_period("2023/24"), as_at=AS_AT, generated_at=GENERATED
    )
    assert year.referrals == 6 and year.current.repeats == 1
    assert publish(year, Mode.INTERNAL).heading == "Annual report to the MARAC steering group"
    assert publish(march_april, Mode.INTERNAL).heading == "Report to the MARAC steering group"
    assert publish(q1(known), Mode.INTERNAL).title == (
        "All domestic abuse panels — quarterly report, Q1 2024/25"
    )


def test_an_empty_period_reports_zeros_and_no_percentages(known: Known) -> None:
    report = reports.quarterly_report(
        known.store, quarter(2019, 1), as_at=AS_AT, generated_at=GENERATED
    )
    view = publish(report, Mode.INTERNAL)
    assert view.indicator("referrals").shown.value == "0"
    assert view.indicator("repeat_rate_pct").shown.value == ""  # nothing to count
    assert view.indicator("referrals_change_pct").shown.value == ""
    for mode in Mode:  # and every document can still be made from it
        empty = publish(report, mode)
        assert reports.render(empty, ".pdf")[1].startswith(b"%PDF")
        assert reports.render(empty, ".csv")[1].startswith(b"\xef\xbb\xbfindicator,value")
        assert reports.render(empty, ".xlsx")[1].startswith(b"PK")


def test_the_population_setting_and_bands_from_settings(known: Known) -> None:
    s, a = known.store, known.opened.actor
    try:
        settings.update(
            s, a, {"adult_female_population": 0, "expected_band_repeat_rate_pct": "20-30"}
        )
        view = publish(q1(known), Mode.INTERNAL)
        assert view.indicator("cases_per_10k_women").shown.value == ""
        rate = view.indicator("repeat_rate_pct")
        assert rate.expected == "20–30%"
        assert "Repeat rate 63% is above the expected 20–30%." in view.band_notes
        with pytest.raises(ValueError, match="range like"):
            settings.update(s, a, {"expected_band_male_victims_pct": "lots"})
    finally:
        settings.update(
            s,
            a,
            {"adult_female_population": POPULATION, "expected_band_repeat_rate_pct": ""},
        )


def test_the_report_reads_in_a_fixed_number_of_queries(known: Known) -> None:
    """However many referrals: one read transaction, the same statements."""
    from sqlalchemy import event

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(known.store.engine, "before_cursor_execute", count)
    try:
        q1(known)
    finally:
        event.remove(known.store.engine, "before_cursor_execute", count)
    assert len(statements) <= 20


def test_the_file_exists_only_if_its_disclosure_is_recorded(
    known: Known, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "q1.pdf"

    def refuse(*_: object, **__: object) -> int:
        raise RuntimeError("the audit trail could not be written")

    monkeypatch.setattr(reports.audit, "record", refuse)
    with pytest.raises(RuntimeError):
        reports.export_quarterly_report(
            known.store, known.opened.actor, out, Q1, as_at=AS_AT, generated_at=GENERATED
        )
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    done = reports.export_quarterly_report(
        known.store,
        known.opened.actor,
        out,
        Q1,
        mode=Mode.PUBLISHABLE,
        round_to_5=True,
        as_at=AS_AT,
        generated_at=GENERATED,
    )
    assert done.kind == "PDF" and out.read_bytes().startswith(b"%PDF")
    with pytest.raises(reports.ReportError, match="publishable"):
        reports.export_quarterly_report(
            known.store,
            known.opened.actor,
            tmp_path / "x.csv",
            Q1,
            round_to_5=True,
            as_at=AS_AT,
            generated_at=GENERATED,
        )
