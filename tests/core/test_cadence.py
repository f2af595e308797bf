"""Cadence specs and the meeting dates they give, across bank holidays."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marac_desk.core import working_days as wd
from marac_desk.core.cadence import (
    LAST,
    MAX_WEEKS,
    Cadence,
    CadenceError,
    CadenceKind,
    OnHoliday,
    PlannedMeeting,
    meeting_dates,
    parse_cadence,
    plan_meetings,
)
from marac_desk.core.working_days import Region, is_working_day

EW, SCOTLAND, NI = Region.ENGLAND_AND_WALES, Region.SCOTLAND, Region.NORTHERN_IRELAND
SKIP = OnHoliday.SKIP
D = date.fromisoformat


def dates(spec: str, start: str, end: str, **kw: Any) -> list[str]:
    got = meeting_dates(parse_cadence(spec), D(start), D(end), **kw)
    return [d.isoformat() for d in got]


# ----- specs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "canonical", "words"),
    [
        ("daily", "daily", "Every working day"),
        ("weekly:wed", "weekly:wed", "Weekly on Wednesday"),
        ("Weekly:Wednesday", "weekly:wed", "Weekly on Wednesday"),
        ("  WEEKLY : MON ", "weekly:mon", "Weekly on Monday"),
        ("fortnightly:tue", "fortnightly:tue", "Fortnightly on Tuesday"),
        ("fortnightly:tues", "fortnightly:tue", "Fortnightly on Tuesday"),
        ("every-6-weeks:thu", "every-6-weeks:thu", "Every 6 weeks on Thursday"),
        ("every-6-weeks:thursday", "every-6-weeks:thu", "Every 6 weeks on Thursday"),
        ("every-2-weeks:fri", "fortnightly:fri", "Fortnightly on Friday"),
        ("every-1-week:fri", "weekly:fri", "Weekly on Friday"),
        ("monthly:2:wed", "monthly:2:wed", "Monthly on the second Wednesday"),
        ("monthly:1st:mon", "monthly:1:mon", "Monthly on the first Monday"),
        ("monthly:fourth:thurs", "monthly:4:thu", "Monthly on the fourth Thursday"),
        ("monthly:last:fri", "monthly:last:fri", "Monthly on the last Friday"),
        ("MONTHLY:LAST:FRIDAY", "monthly:last:fri", "Monthly on the last Friday"),
    ],
)
def test_specs_read_case_insensitively_with_a_canonical_form(
    spec: str, canonical: str, words: str
) -> None:
    cadence = parse_cadence(spec)
    assert str(cadence) == canonical
    assert cadence.describe() == words
    assert Cadence.parse(canonical) == cadence


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "The cadence is empty: use one of daily, weekly:wed, fortnightly:tue, "),
        ("   ", "The cadence is empty"),
        ("fortnighty:tue", "Cadence 'fortnighty:tue': 'fortnighty' is not a meeting pattern; "),
        ("weekly", "Cadence 'weekly': weekly takes one meeting day, e.g. weekly:wed."),
        ("weekly:wed:thu", "Cadence 'weekly:wed:thu': weekly takes one meeting day"),
        ("weekly:wendsday", "'wendsday' is not a day of the week (mon to fri, or monday to"),
        ("weekly:sat", "Cadence 'weekly:sat': panels meet on working days; choose a day from"),
        ("fortnightly:sunday", "panels meet on working days"),
        ("every-0-weeks:thu", "the number of weeks must be from 1 to 52, not 0."),
        ("every-53-weeks:thu", "the number of weeks must be from 1 to 52, not 53."),
        ("every-x-weeks:thu", "'every-x-weeks' is not a meeting pattern"),
        ("monthly:wed", "monthly takes which week and the day, e.g. monthly:2:wed"),
        (
            "monthly:5:wed",
            "Cadence 'monthly:5:wed': most months have no fifth Wednesday; use monthly:last:wed "
            "for the last Wednesday of each month.",
        ),
        ("monthly:fifth:fri", "most months have no fifth Friday; use monthly:last:fri"),
        ("monthly:0:wed", "'0' is not a week of the month; use 1 to 4 or last."),
        ("daily:mon", "Cadence 'daily:mon': daily takes no day (it means every working day)."),
    ],
)
def test_garbage_is_refused_naming_the_spec_and_the_fault(spec: str, message: str) -> None:
    with pytest.raises(CadenceError) as caught:
        parse_cadence(spec)
    assert str(caught.value).startswith(message) or message in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)


cadences = st.one_of(
    st.just(Cadence(CadenceKind.DAILY)),
    st.builds(
        lambda day, weeks: Cadence(CadenceKind.WEEKLY, day, every_weeks=weeks),
        st.integers(0, 4),
        st.integers(1, MAX_WEEKS),
    ),
    st.builds(
        lambda day, nth: Cadence(CadenceKind.MONTHLY, day, week_of_month=nth),
        st.integers(0, 4),
        st.sampled_from([1, 2, 3, 4, LAST]),
    ),
)


@given(cadences)
def test_the_canonical_form_reads_back_as_the_same_cadence(cadence: Cadence) -> None:
    assert parse_cadence(str(cadence)) == cadence
    assert parse_cadence(str(cadence).upper()) == cadence
    assert len(str(cadence)) <= 40  # the panels.cadence column


@given(st.text(max_size=40) | st.from_regex(r"(weekly|monthly|every-\d+-weeks?)(:\w*){0,3}"))
def test_any_text_is_a_cadence_or_a_cadence_error(text: str) -> None:
    try:
        parse_cadence(text)
    except CadenceError as exc:
        assert "\n" not in str(exc)


def test_a_cadence_cannot_be_built_inconsistent() -> None:
    with pytest.raises(CadenceError):
        Cadence(CadenceKind.WEEKLY)  # no day
    with pytest.raises(CadenceError):
        Cadence(CadenceKind.MONTHLY, 2, week_of_month=5)
    with pytest.raises(CadenceError):
        Cadence(CadenceKind.DAILY, 2)


# ----- weekly meetings across bank holidays -----------------------------------------------------


def test_weekly_monday_meetings_move_to_tuesday_at_easter_and_may_day() -> None:
    assert dates("weekly:mon", "2022-04-01", "2022-05-10") == [
        "2022-04-04",
        "2022-04-11",
        "2022-04-19",  # Easter Monday
        "2022-04-25",
        "2022-05-03",  # early May bank holiday
        "2022-05-09",
    ]


def test_skipping_instead_of_moving() -> None:
    assert dates("weekly:mon", "2022-04-01", "2022-05-10", on_holiday=SKIP) == [
        "2022-04-04",
        "2022-04-11",
        "2022-04-25",
        "2022-05-09",
    ]


def test_good_friday_meetings_move_past_easter_monday() -> None:
    assert dates("weekly:fri", "2023-03-30", "2023-04-20") == [
        "2023-03-31",
        "2023-04-11",  # Good Friday 7th, then the weekend and Easter Monday 10th
        "2023-04-14",
    ]


def test_the_2022_and_2023_extra_bank_holidays() -> None:
    # Thursday 2 June 2022 (spring bank holiday) and Friday 3 June (Platinum Jubilee).
    assert dates("weekly:thu", "2022-05-26", "2022-06-09") == [
        "2022-05-26",
        "2022-06-06",
        "2022-06-09",
    ]
    # The Queen's funeral, Monday 19 September 2022.
    assert dates("weekly:mon", "2022-09-12", "2022-09-26") == [
        "2022-09-12",
        "2022-09-20",
        "2022-09-26",
    ]
    # May 2023: early May, the coronation and the spring bank holiday were all Mondays.
    assert dates("weekly:mon", "2023-05-01", "2023-05-31") == [
        "2023-05-02",
        "2023-05-09",
        "2023-05-15",
        "2023-05-22",
        "2023-05-30",
    ]


def test_christmas_and_new_year_on_a_weekend_give_substitute_days_across_the_year_end() -> None:
    # 2022: Christmas Day a Sunday (Tuesday 27th substitute), New Year's Day a Sunday (Monday 2nd).
    assert dates("weekly:mon", "2022-12-15", "2023-01-15") == [
        "2022-12-19",
        "2022-12-28",
        "2023-01-03",
        "2023-01-09",
    ]
    assert dates("weekly:tue", "2022-12-15", "2023-01-15") == [
        "2022-12-20",
        "2022-12-28",
        "2023-01-03",
        "2023-01-10",
    ]
    # 2020: Boxing Day a Saturday, substitute Monday 28th.
    assert dates("weekly:mon", "2020-12-21", "2021-01-04") == [
        "2020-12-21",
        "2020-12-29",
        "2021-01-04",
    ]


def test_scotland_keeps_easter_monday_but_not_2_january_or_st_andrews_day() -> None:
    assert dates("weekly:mon", "2022-04-18", "2022-04-18", region=SCOTLAND) == ["2022-04-18"]
    assert dates("weekly:mon", "2022-04-18", "2022-04-18", region=EW) == []
    assert dates("weekly:tue", "2023-01-03", "2023-01-04", region=SCOTLAND) == ["2023-01-04"]
    assert dates("weekly:tue", "2023-01-03", "2023-01-04", region=EW) == ["2023-01-03"]
    # St Andrew's Day 2025 is a Sunday: the substitute is Monday 1 December.
    assert dates("weekly:mon", "2025-11-24", "2025-12-08", region=SCOTLAND) == [
        "2025-11-24",
        "2025-12-02",
        "2025-12-08",
    ]
    assert dates("weekly:mon", "2025-11-24", "2025-12-08", region=EW) == [
        "2025-11-24",
        "2025-12-01",
        "2025-12-08",
    ]


def test_northern_ireland_st_patricks_day_and_12_july() -> None:
    assert dates("weekly:thu", "2022-03-17", "2022-03-18", region=NI) == ["2022-03-18"]
    assert dates("weekly:thu", "2022-03-17", "2022-03-18", region=EW) == ["2022-03-17"]
    assert dates("weekly:tue", "2022-07-12", "2022-07-13", region=NI) == ["2022-07-13"]
    # 12 July 2025 is a Saturday: the substitute is Monday the 14th.
    assert dates("weekly:mon", "2025-07-14", "2025-07-15", region=NI) == ["2025-07-15"]


def test_the_plan_says_what_moved_and_what_was_skipped() -> None:
    cadence = parse_cadence("weekly:mon")
    moved = plan_meetings(cadence, D("2022-04-18"), D("2022-04-19"))
    assert moved == [
        PlannedMeeting(
            D("2022-04-18"), D("2022-04-19"), "moved from Monday 18 April 2022 (Easter Monday)"
        )
    ]
    skipped = plan_meetings(cadence, D("2022-04-18"), D("2022-04-19"), on_holiday=SKIP)
    assert skipped == [PlannedMeeting(D("2022-04-18"), None, "skipped: Easter Monday")]


def test_a_meeting_moved_into_the_period_counts_and_one_moved_out_does_not() -> None:
    assert dates("weekly:mon", "2022-04-19", "2022-04-25") == ["2022-04-19", "2022-04-25"]
    assert dates("weekly:mon", "2022-04-11", "2022-04-18") == ["2022-04-11"]


def test_a_moved_meeting_that_lands_on_the_next_one_is_combined_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No UK bank holidays run a week long, so an office closure stands in for one here.
    real = wd._bank_holidays

    def with_closure(region: Region, year: int) -> Mapping[date, str]:
        found = dict(real(region, year))
        for i in range(14):
            found[D("2030-07-01") + timedelta(days=i)] = "Office closure"
        return MappingProxyType(found)

    monkeypatch.setattr(wd, "_bank_holidays", with_closure)
    plan = plan_meetings(parse_cadence("weekly:wed"), D("2030-06-26"), D("2030-07-17"))
    assert plan == [
        PlannedMeeting(D("2030-06-26"), D("2030-06-26")),
        PlannedMeeting(
            D("2030-07-03"), None, "combined with the next meeting, held on Monday 15 July 2030"
        ),
        PlannedMeeting(
            D("2030-07-10"), D("2030-07-15"), "moved from Wednesday 10 July 2030 (Office closure)"
        ),
        PlannedMeeting(D("2030-07-17"), D("2030-07-17")),
    ]
    assert dates("weekly:wed", "2030-06-26", "2030-07-17") == [
        "2030-06-26",
        "2030-07-15",
        "2030-07-17",
    ]


# ----- fortnightly and every N weeks: the anchor ------------------------------------------------


def test_fortnightly_counts_from_the_anchor_whatever_the_period() -> None:
    anchor = {"anchor": D("2024-01-09")}
    expected = ["2024-02-20", "2024-03-05", "2024-03-19"]
    assert dates("fortnightly:tue", "2024-02-12", "2024-03-31", **anchor) == expected
    assert dates("fortnightly:tue", "2024-02-14", "2024-03-31", **anchor) == expected
    assert dates("fortnightly:tue", "2024-01-01", "2024-03-31", **anchor)[-3:] == expected


def test_fortnightly_without_an_anchor_starts_on_the_first_matching_day_of_the_period() -> None:
    assert dates("fortnightly:tue", "2024-02-12", "2024-03-31") == [
        "2024-02-13",
        "2024-02-27",
        "2024-03-12",
        "2024-03-26",
    ]
    assert dates("fortnightly:tue", "2024-02-13", "2024-02-27") == ["2024-02-13", "2024-02-27"]


def test_an_anchor_on_another_weekday_names_its_week() -> None:
    # The first meeting was held on Tuesday 19 April 2022 because Monday was Easter Monday.
    assert dates("fortnightly:mon", "2022-04-19", "2022-06-10", anchor=D("2022-04-19")) == [
        "2022-04-19",
        "2022-05-03",  # 2 May: early May bank holiday
        "2022-05-16",
        "2022-05-30",
    ]


def test_the_series_runs_back_from_an_anchor_after_the_period() -> None:
    assert dates("every-6-weeks:thu", "2024-10-01", "2024-12-31", anchor=D("2025-01-09")) == [
        "2024-10-17",
        "2024-11-28",
    ]


def test_every_six_weeks() -> None:
    assert dates("every-6-weeks:thu", "2024-01-01", "2024-06-30", anchor=D("2024-01-04")) == [
        "2024-01-04",
        "2024-02-15",
        "2024-03-28",
        "2024-05-09",
        "2024-06-20",
    ]


def test_weekly_ignores_the_anchor() -> None:
    assert dates("weekly:wed", "2024-06-01", "2024-06-14", anchor=D("2020-01-07")) == [
        "2024-06-05",
        "2024-06-12",
    ]


# ----- monthly ----------------------------------------------------------------------------------


def test_second_wednesday_of_each_month() -> None:
    assert dates("monthly:2:wed", "2024-01-01", "2024-06-30") == [
        "2024-01-10",
        "2024-02-14",
        "2024-03-13",
        "2024-04-10",
        "2024-05-08",
        "2024-06-12",
    ]


def test_last_friday_of_the_month_including_good_friday_and_february() -> None:
    assert dates("monthly:last:fri", "2024-01-01", "2024-05-31") == [
        "2024-01-26",
        "2024-02-23",
        "2024-04-02",  # 29 March: Good Friday, then the weekend and Easter Monday
        "2024-04-26",
        "2024-05-31",
    ]
    assert dates("monthly:last:thu", "2024-02-01", "2024-02-29") == ["2024-02-29"]  # leap year
    assert dates("monthly:last:thu", "2023-02-01", "2023-02-28") == ["2023-02-23"]


def test_last_monday_of_may_and_august_is_always_a_bank_holiday_in_england() -> None:
    got = dates("monthly:last:mon", "2024-05-01", "2024-08-31")
    assert got == ["2024-05-28", "2024-06-24", "2024-07-29", "2024-08-27"]
    skipped = dates("monthly:last:mon", "2024-05-01", "2024-08-31", on_holiday=SKIP)
    assert skipped == ["2024-06-24", "2024-07-29"]


def test_first_monday_across_the_year_end() -> None:
    assert dates("monthly:1:mon", "2022-11-01", "2023-02-28") == [
        "2022-11-07",
        "2022-12-05",
        "2023-01-03",  # Monday 2 January 2023: New Year's Day substitute
        "2023-02-06",
    ]


def test_fourth_weekday_exists_in_every_month() -> None:
    got = meeting_dates(parse_cadence("monthly:4:fri"), D("2000-01-01"), D("2030-12-31"))
    assert len(got) == 31 * 12


# ----- daily ------------------------------------------------------------------------------------


def test_daily_is_every_working_day_over_christmas() -> None:
    assert dates("daily", "2022-12-22", "2023-01-04") == [
        "2022-12-22",
        "2022-12-23",
        "2022-12-28",
        "2022-12-29",
        "2022-12-30",
        "2023-01-03",
        "2023-01-04",
    ]
    assert dates("daily", "2022-12-22", "2023-01-04", region=SCOTLAND)[-2:] == [
        "2022-12-30",
        "2023-01-04",
    ]
    assert dates("daily", "2024-06-08", "2024-06-09") == []  # a weekend


def test_the_period_is_checked() -> None:
    with pytest.raises(ValueError, match="starts"):
        dates("weekly:wed", "2024-06-10", "2024-06-01")
    with pytest.raises(ValueError, match="1872 to 2100"):
        dates("weekly:wed", "2100-12-01", "2101-01-31")
    assert dates("weekly:wed", "2024-06-12", "2024-06-12") == ["2024-06-12"]


# ----- properties -------------------------------------------------------------------------------

starts = st.dates(min_value=date(1995, 1, 1), max_value=date(2085, 12, 31))
regions = st.sampled_from(list(Region))
rules = st.sampled_from(list(OnHoliday))
anchors = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@settings(max_examples=300)
@given(cadences, starts, st.integers(0, 400), regions, rules, anchors)
def test_meeting_dates_are_sorted_unique_in_range_and_on_working_days(
    cadence: Cadence,
    start: date,
    span: int,
    region: Region,
    rule: OnHoliday,
    anchor: date | None,
) -> None:
    end = start + timedelta(days=span)
    got = meeting_dates(cadence, start, end, region=region, on_holiday=rule, anchor=anchor)
    assert got == sorted(set(got))
    assert all(start <= d <= end for d in got)
    assert all(is_working_day(d, region) for d in got)
    scheduled = cadence.scheduled_dates(start, end, anchor)
    regular = [d for d in scheduled if is_working_day(d, region)]
    assert set(regular) <= set(got)  # no ordinary meeting is ever lost
    if rule is OnHoliday.SKIP:
        assert got == regular
    else:
        assert len(got) >= len(regular)


@given(cadences, starts, st.integers(0, 200), st.integers(0, 200), regions, anchors)
def test_with_an_anchor_the_series_is_the_same_whatever_period_is_asked(
    cadence: Cadence, start: date, span: int, shift: int, region: Region, anchor: date | None
) -> None:
    if cadence.kind is CadenceKind.WEEKLY and cadence.every_weeks > 1 and anchor is None:
        anchor = start  # stability is the anchor's promise
    end = start + timedelta(days=span)
    later_start = start + timedelta(days=shift)
    later_end = later_start + timedelta(days=span)
    first = meeting_dates(cadence, start, end, region=region, anchor=anchor)
    second = meeting_dates(cadence, later_start, later_end, region=region, anchor=anchor)
    overlap_start, overlap_end = later_start, end
    assert [d for d in first if overlap_start <= d <= overlap_end] == [
        d for d in second if overlap_start <= d <= overlap_end
    ]


@given(cadences, starts, st.integers(0, 400), regions)
def test_moved_meetings_stay_in_order_and_skip_is_the_moved_plan_minus_the_moves(
    cadence: Cadence, start: date, span: int, region: Region
) -> None:
    end = start + timedelta(days=span)
    anchor = start - timedelta(days=100)
    moved = plan_meetings(cadence, start, end, region=region, anchor=anchor)
    skipped = plan_meetings(cadence, start, end, region=region, anchor=anchor, on_holiday=SKIP)
    assert [m.held_on for m in skipped if m.held_on] == [
        m.held_on for m in moved if m.held_on and not m.note and m.scheduled >= start
    ]
    for m in moved:
        if m.held_on is not None:
            assert m.scheduled <= m.held_on <= m.scheduled + timedelta(days=10)
            assert (m.note == "") == (m.held_on == m.scheduled)
