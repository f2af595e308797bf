"""The case cap, quorum, and the dates around one meeting."""

from __future__ import annotations

from datetime import date

import pytest

from marac_desk.core.meeting_rules import (
    CaseLoad,
    QuorumRule,
    agenda_circulation_deadline,
    check_case_cap,
    first_meeting_in_time,
    in_time_for,
    minutes_due,
    referral_cutoff,
)
from marac_desk.core.working_days import Region

D = date.fromisoformat


# ----- the case cap -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cases", "level"),
    [
        (0, CaseLoad.OK),
        (14, CaseLoad.OK),
        (15, CaseLoad.WARN),
        (20, CaseLoad.WARN),
        (21, CaseLoad.STRONG),
        (40, CaseLoad.STRONG),
    ],
)
def test_warn_at_15_cases_and_strongly_above_20(cases: int, level: CaseLoad) -> None:
    assert check_case_cap(cases).level is level


def test_the_cap_messages_say_what_to_do() -> None:
    assert check_case_cap(1).message == "1 case listed."
    assert check_case_cap(12).message == "12 cases listed."
    assert check_case_cap(16).message == (
        "16 cases listed: at or above 15, near the most a meeting can hear well (15 to 20). "
        "Consider moving some to the next meeting."
    )
    assert check_case_cap(23).message == (
        "23 cases listed: more than 20, too many to hear each one with care. "
        "Move some to the next meeting or arrange an extra one."
    )


def test_the_cap_is_a_panel_setting() -> None:
    assert check_case_cap(10, warn_at=10, strong_above=12).level is CaseLoad.WARN
    assert check_case_cap(13, warn_at=10, strong_above=12).level is CaseLoad.STRONG
    assert check_case_cap(12, warn_at=12, strong_above=12).level is CaseLoad.WARN
    with pytest.raises(ValueError, match="no more than the strong limit"):
        check_case_cap(5, warn_at=21, strong_above=20)
    with pytest.raises(ValueError):
        check_case_cap(-1)


# ----- quorum -----------------------------------------------------------------------------------


def test_quorate_with_police_idva_and_another_agency() -> None:
    verdict = QuorumRule().check(["Police", "IDVA", "Housing"])
    assert verdict.met
    assert verdict.message == "Quorate: 3 agencies present, including Police and IDVA."
    assert (verdict.present, verdict.missing_agencies, verdict.agencies_short) == (3, (), 0)


def test_names_ignore_case_and_spacing_and_each_agency_counts_once() -> None:
    verdict = QuorumRule().check(["police", " IDVA ", "Police", "", "Mental  Health"])
    assert verdict.met
    assert verdict.present == 3


def test_not_quorate_says_who_is_missing_and_how_many_more_are_needed() -> None:
    verdict = QuorumRule().check(["Housing", "Police", "Police"])
    assert not verdict.met
    assert verdict.missing_agencies == ("IDVA",)
    assert verdict.agencies_short == 1
    assert verdict.message == (
        "Not quorate: IDVA is not present; 2 agencies present where at least 3 are needed."
    )
    nobody = QuorumRule().check([])
    assert nobody.message == (
        "Not quorate: Police and IDVA are not present; 0 agencies present where at least 3 "
        "are needed."
    )
    assert QuorumRule().check(["Police", "IDVA"]).message == (
        "Not quorate: 2 agencies present where at least 3 are needed."
    )


def test_a_panel_sets_its_own_quorum() -> None:
    rule = QuorumRule(required_agencies=("Police", "IDVA", "Children's Social Care"))
    verdict = rule.check(["Police", "Housing", "Probation"])
    assert verdict.message == ("Not quorate: IDVA and Children's Social Care are not present.")
    assert QuorumRule((), 1).check(["Police"]).message == "Quorate: 1 agency present."
    assert QuorumRule((), 0).check([]).met
    with pytest.raises(ValueError):
        QuorumRule((), -1)


# ----- dates around a meeting -------------------------------------------------------------------


def test_the_case_list_goes_out_five_calendar_days_before() -> None:
    assert agenda_circulation_deadline(D("2024-03-13")) == D("2024-03-08")  # Wed → Fri
    assert agenda_circulation_deadline(D("2024-03-13"), days_before=7) == D("2024-03-06")


def test_referrals_received_on_or_before_the_cut_off_are_proposed() -> None:
    meeting = D("2024-03-13")
    assert referral_cutoff(meeting) == D("2024-03-08")
    assert in_time_for(D("2024-03-08"), meeting)
    assert not in_time_for(D("2024-03-09"), meeting)
    assert in_time_for(D("2024-03-06"), meeting, days_before=7)
    assert not in_time_for(D("2024-03-07"), meeting, days_before=7)


def test_a_late_referral_goes_to_the_following_meeting() -> None:
    meetings = [D("2024-03-20"), D("2024-03-13"), D("2024-03-27")]
    assert first_meeting_in_time(D("2024-03-08"), meetings) == D("2024-03-13")
    assert first_meeting_in_time(D("2024-03-09"), meetings) == D("2024-03-20")
    assert first_meeting_in_time(D("2024-03-23"), meetings) is None


def test_minutes_are_due_three_working_days_after_the_meeting() -> None:
    assert minutes_due(D("2024-06-13")) == D("2024-06-18")
    assert minutes_due(D("2022-12-22")) == D("2022-12-29")
    assert minutes_due(D("2022-12-29"), Region.SCOTLAND) == D("2023-01-05")
    assert minutes_due(D("2024-06-13"), working_days=5) == D("2024-06-20")
