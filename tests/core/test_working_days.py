"""Working days and bank holidays, as a coordinator counts them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marac_desk.core.working_days import (
    OutsideCalendar,
    Region,
    add_working_days,
    bank_holiday_name,
    bank_holidays,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_day_on_or_after,
    working_days,
    working_days_between,
)

EW, SCOTLAND, NI = Region.ENGLAND_AND_WALES, Region.SCOTLAND, Region.NORTHERN_IRELAND
D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2022-01-03", "New Year's Day (observed)"),  # 1 January was a Saturday
        ("2022-04-15", "Good Friday"),
        ("2022-04-18", "Easter Monday"),
        ("2022-05-02", "May Day"),
        ("2022-06-02", "Spring Bank Holiday"),
        ("2022-06-03", "Platinum Jubilee of Elizabeth II"),
        ("2022-08-29", "Late Summer Bank Holiday"),
        ("2022-09-19", "State Funeral of Queen Elizabeth II"),
        ("2022-12-26", "Boxing Day"),
        ("2022-12-27", "Christmas Day (observed)"),  # 25 December was a Sunday
        ("2023-01-02", "New Year's Day (observed)"),
        ("2023-05-08", "Coronation of Charles III"),
        ("2020-05-08", "May Day"),  # moved to VE Day's 75th anniversary that year
        ("2020-12-28", "Boxing Day (observed)"),  # 26 December was a Saturday
        ("2021-12-28", "Boxing Day (observed)"),  # both fell on the weekend
    ],
)
def test_england_and_wales_bank_holidays_are_not_working_days(day: str, name: str) -> None:
    assert not is_working_day(D(day))
    assert bank_holiday_name(D(day)) == name


@pytest.mark.parametrize(
    "day",
    [
        "2023-01-03",  # Scotland's 2 January holiday (observed)
        "2022-08-01",  # Scotland's summer bank holiday
        "2022-11-30",  # St Andrew's Day
        "2022-03-17",  # St Patrick's Day
        "2022-07-12",  # Battle of the Boyne
        "2020-05-04",  # the early May bank holiday moved away that year
    ],
)
def test_other_nations_holidays_are_working_days_in_england_and_wales(day: str) -> None:
    assert is_working_day(D(day), EW)
    assert bank_holiday_name(D(day), EW) is None


def test_scotland_has_2_january_and_st_andrews_day_with_substitutes_but_no_easter_monday() -> None:
    assert not is_working_day(D("2023-01-03"), SCOTLAND)  # 2 January was the observed New Year
    assert not is_working_day(D("2021-01-04"), SCOTLAND)  # 2 January 2021 was a Saturday
    assert not is_working_day(D("2022-11-30"), SCOTLAND)
    assert not is_working_day(D("2019-12-02"), SCOTLAND)  # 30 November 2019 was a Saturday
    assert not is_working_day(D("2025-12-01"), SCOTLAND)  # 30 November 2025 is a Sunday
    assert is_working_day(D("2022-04-18"), SCOTLAND)  # Easter Monday is not a Scottish one
    assert not is_working_day(D("2022-08-01"), SCOTLAND)  # first Monday of August
    assert is_working_day(D("2022-08-29"), SCOTLAND)


def test_northern_ireland_has_st_patricks_day_and_12_july_with_substitutes() -> None:
    assert not is_working_day(D("2022-03-17"), NI)
    assert not is_working_day(D("2024-03-18"), NI)  # the 17th was a Sunday
    assert not is_working_day(D("2022-07-12"), NI)
    assert not is_working_day(D("2025-07-14"), NI)  # the 12th is a Saturday
    assert not is_working_day(D("2022-04-18"), NI)  # Easter Monday, as in England


def test_weekends_are_never_working_days() -> None:
    assert not is_working_day(D("2024-06-08"))  # Saturday
    assert not is_working_day(D("2024-06-09"))  # Sunday
    assert is_working_day(D("2024-06-10"))


def test_bank_holidays_lists_the_year_in_order() -> None:
    found = bank_holidays(D("2023-01-01"), D("2023-12-31"), EW)
    assert list(found) == sorted(found)
    assert [d.isoformat() for d in found] == [
        "2023-01-01",
        "2023-01-02",
        "2023-04-07",
        "2023-04-10",
        "2023-05-01",
        "2023-05-08",
        "2023-05-29",
        "2023-08-28",
        "2023-12-25",
        "2023-12-26",
    ]


def test_next_and_previous_working_day_step_over_christmas() -> None:
    assert next_working_day(D("2022-12-23")) == D("2022-12-28")  # Fri → Wed
    assert previous_working_day(D("2022-12-28")) == D("2022-12-23")
    assert next_working_day(D("2024-06-10")) == D("2024-06-11")  # never the day itself
    assert working_day_on_or_after(D("2024-06-10")) == D("2024-06-10")
    assert working_day_on_or_after(D("2022-12-25")) == D("2022-12-28")


def test_minutes_due_three_working_days_after_a_meeting() -> None:
    # Thursday: Friday, Monday, Tuesday.
    assert add_working_days(D("2024-06-13"), 3) == D("2024-06-18")
    # Thursday before Christmas 2022: Friday 23, then Wednesday 28 and Thursday 29.
    assert add_working_days(D("2022-12-22"), 3) == D("2022-12-29")
    # Over Easter 2023: Thursday 6 April + 1 is Tuesday 11 April.
    assert add_working_days(D("2023-04-06"), 1) == D("2023-04-11")
    assert add_working_days(D("2024-06-15"), 0) == D("2024-06-15")
    assert add_working_days(D("2022-12-28"), -1) == D("2022-12-23")


def test_add_working_days_follows_the_region() -> None:
    meeting = D("2022-12-29")  # Thursday
    assert add_working_days(meeting, 3, EW) == D("2023-01-04")  # Fri 30, Tue 3, Wed 4
    assert add_working_days(meeting, 3, SCOTLAND) == D("2023-01-05")  # 3 January too


def test_working_days_between_counts_days_after_the_first_up_to_the_second() -> None:
    assert working_days_between(D("2024-06-14"), D("2024-06-17")) == 1  # Fri → Mon
    assert working_days_between(D("2024-06-10"), D("2024-06-12")) == 2  # Mon → Wed
    assert working_days_between(D("2024-06-12"), D("2024-06-12")) == 0
    assert working_days_between(D("2024-06-12"), D("2024-06-10")) == -2
    assert working_days_between(D("2022-12-23"), D("2022-12-28")) == 1


def test_working_days_lists_them_inclusive() -> None:
    got = list(working_days(D("2022-12-23"), D("2022-12-30")))
    assert got == [D("2022-12-23"), D("2022-12-28"), D("2022-12-29"), D("2022-12-30")]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("england-and-wales", EW),
        ("England and Wales", EW),
        ("england_and_wales", EW),
        ("Wales", EW),
        ("ENG", EW),
        ("scotland", SCOTLAND),
        ("SCT", SCOTLAND),
        ("northern-ireland", NI),
        ("NIR", NI),
    ],
)
def test_region_names(text: str, region: Region) -> None:
    assert Region.parse(text) is region


def test_region_words() -> None:
    assert [r.label for r in Region] == ["England and Wales", "Scotland", "Northern Ireland"]
    assert [r.cli_name for r in Region] == ["england-and-wales", "scotland", "northern-ireland"]
    with pytest.raises(ValueError, match="'Cornwall' is not a region: use one of england-and"):
        Region.parse("Cornwall")


def test_dates_whose_bank_holidays_are_unknown_are_refused() -> None:
    with pytest.raises(OutsideCalendar, match="1872 to 2100"):
        is_working_day(D("2101-01-03"))
    with pytest.raises(OutsideCalendar):
        is_working_day(D("1871-06-05"))


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
regions = st.sampled_from(list(Region))


@given(days, st.integers(min_value=0, max_value=60), regions)
def test_adding_then_counting_working_days_agree(day: date, n: int, region: Region) -> None:
    later = add_working_days(day, n, region)
    assert working_days_between(day, later, region) == n
    assert n == 0 or is_working_day(later, region)
    if is_working_day(day, region):
        assert add_working_days(later, -n, region) == day


@given(days, st.integers(min_value=0, max_value=40), regions)
def test_counting_matches_listing(day: date, span: int, region: Region) -> None:
    end = day + timedelta(days=span)
    listed = list(working_days(day + timedelta(days=1), end, region))
    assert working_days_between(day, end, region) == len(listed)
    assert all(is_working_day(d, region) for d in listed)


@given(days, regions)
def test_the_working_day_a_meeting_moves_to_is_the_first_one(day: date, region: Region) -> None:
    moved = working_day_on_or_after(day, region)
    assert is_working_day(moved, region)
    assert day <= moved <= day + timedelta(days=10)
    assert not any(
        is_working_day(day + timedelta(days=i), region) for i in range((moved - day).days)
    )
