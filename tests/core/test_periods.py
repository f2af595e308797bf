"""Reporting periods: UK financial-year quarters (DOMAIN.md §6), read as the rules."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marac_desk.core.periods import (
    Period,
    PeriodError,
    PeriodKind,
    date_range,
    financial_year,
    financial_year_of,
    month,
    months_in,
    parse_period,
    parse_quarter,
    previous_quarter,
    previous_quarters,
    quarter,
    quarter_of,
    year_earlier,
)

# ----- quarters and their boundaries ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2024, 3, 31), "Q4 2023/24"),
        (date(2024, 4, 1), "Q1 2024/25"),
        (date(2024, 6, 30), "Q1 2024/25"),
        (date(2024, 7, 1), "Q2 2024/25"),
        (date(2024, 9, 30), "Q2 2024/25"),
        (date(2024, 10, 1), "Q3 2024/25"),
        (date(2023, 12, 31), "Q3 2023/24"),
        (date(2024, 1, 1), "Q4 2023/24"),
    ],
)
def test_each_day_falls_in_its_financial_year_quarter(day: date, label: str) -> None:
    assert quarter_of(day).label == label
    assert day in quarter_of(day)


def test_q1_is_april_to_june_and_q4_is_january_to_march_of_the_next_calendar_year() -> None:
    assert quarter(2023, 1) == Period(
        date(2023, 4, 1), date(2023, 6, 30), "Q1 2023/24", PeriodKind.QUARTER
    )
    assert (quarter(2023, 2).start, quarter(2023, 2).end) == (date(2023, 7, 1), date(2023, 9, 30))
    assert (quarter(2023, 3).start, quarter(2023, 3).end) == (date(2023, 10, 1), date(2023, 12, 31))
    q4 = quarter(2023, 4)
    assert (q4.start, q4.end, q4.label) == (date(2024, 1, 1), date(2024, 3, 31), "Q4 2023/24")
    assert q4.days == 31 + 29 + 31  # 2024 is a leap year: 29 February is in Q4 2023/24


def test_the_last_day_of_march_and_the_first_of_april_are_in_different_years() -> None:
    assert financial_year_of(date(2024, 3, 31)).label == "2023/24"
    assert financial_year_of(date(2024, 4, 1)).label == "2024/25"


def test_a_financial_year_runs_from_1_april_to_31_march_inclusive() -> None:
    year = financial_year(2023)
    assert (year.start, year.end, year.label, year.kind) == (
        date(2023, 4, 1),
        date(2024, 3, 31),
        "2023/24",
        PeriodKind.YEAR,
    )
    assert date(2024, 3, 31) in year
    assert date(2024, 4, 1) not in year
    assert financial_year("2023/24") == year
    assert financial_year(1999).label == "1999/00"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_is_in_exactly_one_quarter_of_its_financial_year(day: date) -> None:
    found = quarter_of(day)
    assert found.start <= day <= found.end
    assert found.financial_year == financial_year_of(day).financial_year
    others = [quarter(found.financial_year, n) for n in (1, 2, 3, 4) if n != found.quarter_number]
    assert not any(day in other for other in others)


@given(st.integers(min_value=1990, max_value=2100))
def test_the_four_quarters_cover_the_financial_year_without_gaps(year: int) -> None:
    quarters = [quarter(year, n) for n in (1, 2, 3, 4)]
    assert quarters[0].start == financial_year(year).start
    assert quarters[-1].end == financial_year(year).end
    for earlier, later in itertools.pairwise(quarters):
        assert later.start == earlier.end + timedelta(days=1)


# ----- comparisons ----------------------------------------------------------------------------


def test_a_quarter_is_compared_with_the_four_before_it_oldest_first() -> None:
    labels = [q.label for q in previous_quarters(parse_quarter("Q2 2023/24"))]
    assert labels == ["Q2 2022/23", "Q3 2022/23", "Q4 2022/23", "Q1 2023/24"]


def test_the_quarter_before_q1_is_q4_of_the_previous_financial_year() -> None:
    assert previous_quarter(quarter(2024, 1)).label == "Q4 2023/24"
    assert previous_quarter(quarter(2024, 4)).label == "Q3 2024/25"


def test_only_a_quarter_has_previous_quarters() -> None:
    with pytest.raises(PeriodError, match="only a quarter"):
        previous_quarters(financial_year(2023))


def test_year_on_year_compares_the_same_quarter_or_year_a_year_earlier() -> None:
    assert year_earlier(quarter(2023, 4)).label == "Q4 2022/23"
    assert year_earlier(financial_year(2023)).label == "2022/23"
    assert year_earlier(month(2024, 2)) == month(2023, 2)


def test_a_range_a_year_earlier_keeps_whole_months_whole_and_moves_29_february() -> None:
    feb_2025 = date_range(date(2025, 2, 1), date(2025, 2, 28))
    assert (year_earlier(feb_2025).start, year_earlier(feb_2025).end) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )
    leap = year_earlier(date_range(date(2024, 2, 29), date(2024, 3, 15)))
    assert (leap.start, leap.end) == (date(2023, 2, 28), date(2023, 3, 15))
    assert leap.kind is PeriodKind.RANGE


# ----- months and ranges ----------------------------------------------------------------------


def test_a_quarter_has_three_whole_months() -> None:
    assert [m.label for m in months_in(quarter(2023, 4))] == [
        "January 2024",
        "February 2024",
        "March 2024",
    ]


def test_a_range_is_cut_into_calendar_months_with_part_months_at_the_ends() -> None:
    months = months_in(date_range(date(2023, 4, 15), date(2023, 6, 10)))
    assert [(m.start, m.end, m.kind) for m in months] == [
        (date(2023, 4, 15), date(2023, 4, 30), PeriodKind.RANGE),
        (date(2023, 5, 1), date(2023, 5, 31), PeriodKind.MONTH),
        (date(2023, 6, 1), date(2023, 6, 10), PeriodKind.RANGE),
    ]
    assert months[1].label == "May 2023"
    assert months[0].label == "15 Apr 2023 – 30 Apr 2023"


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(PeriodError, match="before it starts"):
        date_range(date(2024, 5, 1), date(2024, 4, 30))


def test_a_one_day_range_is_a_period() -> None:
    one = date_range(date(2024, 5, 1), date(2024, 5, 1))
    assert one.days == 1
    assert date(2024, 5, 1) in one


# ----- reading labels -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Q2 2023/24",
        "q2 2023-24",
        "Q2 2023/2024",
        "  Q2   2023 / 24 ",
        "2023/24 Q2",
        "Q2 FY2023/24",
        "q2 fy 2023-24",
        "Q2 2023–24",
    ],
)
def test_a_quarter_label_may_be_written_in_the_usual_ways(text: str) -> None:
    assert parse_period(text) == quarter(2023, 2)


@pytest.mark.parametrize("text", ["2023/24", "2023-24", "2023/2024", "FY 2023/24", "fy2023/24"])
def test_a_financial_year_may_be_written_in_the_usual_ways(text: str) -> None:
    assert parse_period(text) == financial_year(2023)


def test_the_year_that_ends_in_2000_is_written_1999_00() -> None:
    assert parse_period("Q4 1999/00") == quarter(1999, 4)
    assert parse_period("1999/2000") == financial_year(1999)


def test_iso_dates_make_a_range() -> None:
    expected = date_range(date(2023, 4, 1), date(2023, 6, 30))
    assert parse_period("2023-04-01 to 2023-06-30") == expected
    assert parse_period("2023-04-01..2023-06-30") == expected


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Q5 2023/24", "There is no Q5"),
        ("Q0 2023/24", "There is no Q0"),
        ("2023/25", "2023/25 is not a financial year"),
        ("Q1 2023/22", "2023/22 is not a financial year"),
        ("2023/2025", "the one starting in 2023 is written 2023/24"),
        ("Q2 2023", "gives a calendar year"),
        ("2023", "is a calendar year"),
        ("2023-02-30 to 2023-03-31", "2023-02-30 is not a date"),
        ("2023-06-30 to 2023-04-01", "ends (2023-04-01) before it starts"),
        ("next quarter", "Could not read"),
        ("", "Could not read"),
    ],
)
def test_an_impossible_or_ambiguous_label_is_refused_saying_why(text: str, complaint: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert complaint in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_parse_quarter_wants_a_quarter() -> None:
    with pytest.raises(PeriodError, match="not a quarter"):
        parse_quarter("2023/24")


def test_a_calendar_quarter_is_refused_with_both_readings_offered() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("Q2 2023")
    assert "Q2 2023/24" in str(caught.value)
    assert "Q2 2022/23" in str(caught.value)


@given(st.integers(min_value=1900, max_value=2999), st.integers(min_value=1, max_value=4))
def test_every_quarter_label_reads_back_as_the_same_quarter(year: int, number: int) -> None:
    made = quarter(year, number)
    assert parse_period(made.label) == made
    assert parse_period(financial_year(year).label) == financial_year(year)


@given(st.text(max_size=30))
def test_reading_any_text_gives_a_period_or_a_period_error(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError:
        return
    assert period.start <= period.end
