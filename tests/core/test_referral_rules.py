"""Referral validation and statuses, as the referral form states them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from marac_desk.core.referral_rules import (
    ChildDraft,
    PerpetratorDraft,
    PersonDraft,
    ReferralDraft,
    Severity,
    Thresholds,
    check_transition,
    errors_only,
    missing_information,
    validate,
)

TODAY = date(2026, 11, 20)
GOOD = ReferralDraft(
    referral_date=date(2026, 11, 2),
    referring_agency="Police",
    victim=PersonDraft("Amira", "Haddad", date(1994, 5, 1)),
    perpetrators=(PerpetratorDraft("Karl", "Dunn", date(1990, 1, 1), "ex_partner"),),
    children_status="none",
    crit_visible_high_risk=True,
    risk_score=16,
    phone="07700 900123",
    safe_to_call="yes",
    victim_lgbt="no",
)


def fields(problems, severity=Severity.ERROR):
    return [p.field for p in problems if p.severity is severity]


def test_a_complete_referral_has_no_problems_and_nothing_missing():
    assert validate(GOOD, TODAY) == []
    assert missing_information(GOOD) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"referral_date": None}, "referral_date", "required"),
        ({"referral_date": date(2026, 11, 21)}, "referral_date", "future"),
        ({"referring_agency": " "}, "referring_agency", "required"),
        ({"joint_agency": "Police"}, "joint_agency", "two different"),
        ({"victim": PersonDraft("", "", None)}, "victim.name", "required"),
        ({"victim": PersonDraft("A", "B", date(2027, 1, 1))}, "victim.dob", "future"),
        ({"victim": PersonDraft("A", "B", date(2026, 11, 10))}, "victim.dob", "after the referral"),
        (
            {"perpetrators": (PerpetratorDraft("K", "D", date(2026, 11, 3)),)},
            "perpetrators[1].dob",
            "after the referral",
        ),
        ({"crit_professional_judgement": True}, "professional_judgement_reason", "reason"),
        ({"risk_score": 11}, "crit_visible_high_risk", "14 or more; the score is 11"),
        ({"risk_score": 25}, "risk_score", "between 0 and 24"),
        ({"crit_potential_escalation": True}, "police_incidents_12m", "number of police"),
        ({"children": (ChildDraft("Z", "H", date(2020, 1, 1)),)}, "children_status", "no children"),
        ({"tri_state_fields": {"victim_disability": "maybe"}}, "victim_disability", "not stated"),
    ],
)
def test_each_error_is_reported_beside_its_field(change, field, words):
    problems = validate(replace(GOOD, **change), TODAY)
    errors = errors_only(problems)
    assert field in fields(errors)
    assert words in next(p.message for p in errors if p.field == field)


def test_under_16_victim_and_young_perpetrator_warn_without_blocking():
    draft = replace(
        GOOD,
        victim=PersonDraft("A", "B", date(2011, 1, 1)),
        perpetrators=(PerpetratorDraft("K", "D", date(2010, 6, 1), "current_partner"),),
    )
    problems = validate(draft, TODAY)
    assert errors_only(problems) == []
    warnings = {p.field: p.message for p in problems if p.severity is Severity.WARNING}
    assert "aged 16 and over" in warnings["victim.dob"]
    assert "16 on the referral date" in warnings["perpetrators[1].dob"]
    assert "17 or under" in warnings["perpetrators[1].dob"]


def test_escalation_threshold_is_a_setting():
    draft = replace(GOOD, crit_potential_escalation=True, police_incidents_12m=2)
    assert "police_incidents_12m" in fields(validate(draft, TODAY), Severity.WARNING)
    assert validate(draft, TODAY, Thresholds(escalation_incidents=2)) == []


def test_unborn_child_may_have_a_due_date_in_the_future():
    draft = replace(
        GOOD, children_status="listed", children=(ChildDraft("", "", date(2027, 2, 1), True),)
    )
    assert errors_only(validate(draft, TODAY)) == []


def test_completeness_lists_what_is_missing():
    bare = ReferralDraft(date(2026, 11, 2), "Police", PersonDraft("Amira", "", None))
    assert missing_information(bare) == [
        "perpetrator",
        "children in the household",
        "sexual orientation",
        "safe contact",
        "victim's date of birth",
    ]
    with_perp = replace(GOOD, perpetrators=(PerpetratorDraft("K", "D"),))
    assert missing_information(with_perp) == ["relationship to victim"]


def test_no_criterion_is_a_warning():
    draft = replace(GOOD, crit_visible_high_risk=False)
    assert "criteria" in fields(validate(draft, TODAY), Severity.WARNING)


def test_status_flow_and_no_silent_rejection():
    assert check_transition("received", "listed") == []
    assert check_transition("listed", "heard") == []
    assert check_transition("heard", "closed") == []
    assert fields(check_transition("received", "closed")) == ["status"]
    assert fields(check_transition("received", "diverted")) == [
        "status_reason",
        "status_decided_by",
    ]
    assert check_transition("received", "diverted", "professionals meeting", "Chair") == []
    assert fields(check_transition("closed", "heard")) == ["status_reason", "status_decided_by"]
