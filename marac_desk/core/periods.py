"""Reporting periods: UK financial-year quarters and years, calendar months and date ranges.

The rules, as the quarterly return uses them (DOMAIN.md §6):

- A **financial year** runs from 1 April to 31 March and is written "2023/24"
  (1 April 2023 – 31 March 2024). "1999/00" is the year that ends in March 2000.
- Its **quarters**: Q1 = April–June, Q2 = July–September, Q3 = October–December,
  Q4 = January–March. So "Q4 2023/24" is January–March **2024**.
- Every period is a span of whole days, first and last day **included**.
- **Previous quarters** step back across year ends: before Q1 2024/25 comes Q4 2023/24. The
  quarterly report compares a quarter with the four before it (`previous_quarters`).
- **A year earlier** is the same quarter (or financial year, or month) of the year before. A date
  range moves back one calendar year: 29 February becomes 28 February, and a range that ends on the
  last day of a month still does, so February 2025 is compared with all of February 2024.

What `parse_period` reads (case and spacing do not matter):

- a quarter: "Q2 2023/24", "q2 2023-24", "Q2 2023/2024", "2023/24 Q2", "Q2 FY2023/24";
- a financial year: "2023/24", "2023-24", "2023/2024", "FY 2023/24";
- a date range in ISO dates: "2023-04-01 to 2023-06-30" (or "..", or a dash).

It refuses, saying what is wrong: a quarter other than Q1–Q4 ("Q5"), a second year that does not
follow the first ("2023/25"), and a bare calendar year ("Q2 2023", "2023"), which is ambiguous —
Q2 of which financial year?
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodError(ValueError):
    """A period that cannot exist or cannot be read; the message says what is wrong."""


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"  # a financial year
    MONTH = "month"  # a whole calendar month (`months_in`)
    RANGE = "range"  # any other span of days


QUARTER_MONTHS: dict[int, str] = {
    1: "April–June",
    2: "July–September",
    3: "October–December",
    4: "January–March",
}

# Spelt out rather than taken from the locale: Qt sets the process locale, and a report's labels
# must not change with the machine it is printed on.
MONTH_NAMES: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_ABBREVIATIONS: tuple[str, ...] = tuple(name[:3] for name in MONTH_NAMES)

FIRST_MONTH = 4  # April
# date() stops at year 9999, and the financial year starting in 9999 would end in 10000.
_MIN_YEAR, _MAX_YEAR = 1, 9998


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included, with the label a report prints for it."""

    start: date
    end: date
    label: str
    kind: PeriodKind

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(
                f"A period cannot end ({self.end.isoformat()}) before it starts "
                f"({self.start.isoformat()})."
            )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def financial_year(self) -> int:
        """The first calendar year of the financial year the period starts in (2023 for 2023/24)."""
        return financial_year_start(self.start)

    @property
    def quarter_number(self) -> int | None:
        """1–4 for a quarter, otherwise None."""
        if self.kind is not PeriodKind.QUARTER:
            return None
        return _quarter_number(self.start)


# ----- financial years and quarters ---------------------------------------------------------


def financial_year_start(day: date) -> int:
    """The calendar year in which `day`'s financial year began: 2024 for 31 March 2025."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def fy_label(start_year: int) -> str:
    """'2023/24' for the financial year starting in April 2023 ('1999/00' for 1999)."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year(year: int | str) -> Period:
    """The financial year from its first calendar year (2023) or its label ("2023/24")."""
    if isinstance(year, str):
        period = parse_period(year)
        if period.kind is not PeriodKind.YEAR:
            raise PeriodError(f'"{year.strip()}" is a {period.kind}, not a financial year.')
        return period
    _check_year(year)
    return Period(
        date(year, FIRST_MONTH, 1), date(year + 1, 3, 31), fy_label(year), PeriodKind.YEAR
    )


def quarter(fy_start: int, number: int) -> Period:
    """Quarter `number` (1–4) of the financial year starting in April of `fy_start`."""
    _check_year(fy_start)
    if number not in QUARTER_MONTHS:
        raise PeriodError(_no_such_quarter(str(number)))
    first_month = FIRST_MONTH + 3 * (number - 1)  # 4, 7, 10, 13 (= January of the next year)
    year = fy_start + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    start = date(year, month, 1)
    end = _last_day(year, month + 2)
    return Period(start, end, f"Q{number} {fy_label(fy_start)}", PeriodKind.QUARTER)


def quarter_of(day: date) -> Period:
    """The financial-year quarter `day` falls in: 31 March is Q4, 1 April is Q1."""
    return quarter(financial_year_start(day), _quarter_number(day))


def financial_year_of(day: date) -> Period:
    """The financial year `day` falls in."""
    return financial_year(financial_year_start(day))


def previous_quarter(period: Period) -> Period:
    """The quarter before: Q1 2024/25 → Q4 2023/24."""
    return previous_quarters(period, 1)[0]


def previous_quarters(period: Period, count: int = 4) -> tuple[Period, ...]:
    """The `count` quarters before `period`, **oldest first** (the order a trend table reads).

    For Q2 2023/24: Q2 2022/23, Q3 2022/23, Q4 2022/23, Q1 2023/24.
    """
    if period.kind is not PeriodKind.QUARTER:
        raise PeriodError(
            f"{period.label} is a {period.kind}; only a quarter has previous quarters."
        )
    if count < 0:
        raise PeriodError("The number of previous quarters cannot be negative.")
    index = period.financial_year * 4 + _quarter_number(period.start) - 1
    return tuple(quarter(*_fy_and_number(index - back)) for back in range(count, 0, -1))


def year_earlier(period: Period) -> Period:
    """The same period a year before, for year-on-year comparison (see the module notes)."""
    if period.kind is PeriodKind.QUARTER:
        return quarter(period.financial_year - 1, _quarter_number(period.start))
    if period.kind is PeriodKind.YEAR:
        return financial_year(period.financial_year - 1)
    if period.kind is PeriodKind.MONTH:
        return month(period.start.year - 1, period.start.month)
    start = _year_before(period.start, keep_month_end=False)
    end = _year_before(period.end, keep_month_end=True)
    return date_range(start, end)


# ----- months and ranges ----------------------------------------------------------------------


def month(year: int, number: int) -> Period:
    """A whole calendar month, labelled like "April 2023"."""
    if not 1 <= number <= 12:
        raise PeriodError(f"There is no month {number}: months are 1 (January) to 12 (December).")
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise PeriodError(f"{year} is outside the years a period can have.")
    return Period(
        date(year, number, 1),
        _last_day(year, number),
        f"{MONTH_NAMES[number - 1]} {year}",
        PeriodKind.MONTH,
    )


def date_range(start: date, end: date, label: str | None = None) -> Period:
    """Any span of days, both ends included; labelled like "1 Apr 2023 – 15 May 2023".

    The kind is always `range`, even when the dates happen to make a quarter: ask for `quarter`
    when a quarter is meant.
    """
    if label is None:
        label = f"{_short_date(start)} – {_short_date(end)}"
    return Period(start, end, label, PeriodKind.RANGE)


def months_in(period: Period) -> tuple[Period, ...]:
    """The calendar months the period covers, in order, each cut to the period's own dates.

    A month the period covers whole is a `month` ("April 2023"); a part month at either end is a
    `range` of just the days inside the period.
    """
    months: list[Period] = []
    year, number = period.start.year, period.start.month
    while (year, number) <= (period.end.year, period.end.month):
        whole = month(year, number)
        start, end = max(whole.start, period.start), min(whole.end, period.end)
        months.append(whole if (start, end) == (whole.start, whole.end) else date_range(start, end))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return tuple(months)


# ----- reading labels -------------------------------------------------------------------------

_FY = r"(?:fy\s*)?(\d{4})\s*[/\-–]\s*(\d+)"
_QUARTER_FIRST = re.compile(rf"q\s*(\d+)\s+{_FY}")
_YEAR_FIRST = re.compile(rf"{_FY}\s+q\s*(\d+)")
_YEAR_ONLY = re.compile(_FY)
_ISO_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|–|—|-)\s*(\d{4}-\d{2}-\d{2})")
_CALENDAR_QUARTER = re.compile(r"(?:q\s*(\d+)\s+(\d{4})|(\d{4})\s+q\s*(\d+))")
_CALENDAR_YEAR = re.compile(r"(?:fy\s*)?(\d{4})")


def parse_period(text: str) -> Period:
    """Read a quarter, a financial year or an ISO date range (see the module notes)."""
    cleaned = " ".join(text.split()).casefold()
    if match := _QUARTER_FIRST.fullmatch(cleaned):
        number, first, second = match.groups()
        return _quarter_from(number, first, second)
    if match := _YEAR_FIRST.fullmatch(cleaned):
        first, second, number = match.groups()
        return _quarter_from(number, first, second)
    if match := _YEAR_ONLY.fullmatch(cleaned):
        return financial_year(_fy_from(*match.groups()))
    if match := _ISO_RANGE.fullmatch(cleaned):
        start, end = (_iso_date(part) for part in match.groups())
        if end < start:
            raise PeriodError(
                f"The range ends ({end.isoformat()}) before it starts ({start.isoformat()})."
            )
        return date_range(start, end)
    if match := _CALENDAR_QUARTER.fullmatch(cleaned):
        number = match.group(1) or match.group(4)
        year = int(match.group(2) or match.group(3))
        raise PeriodError(
            f'"{text.strip()}" gives a calendar year: write the financial year, e.g. '
            f'"Q{number} {fy_label(year)}" or "Q{number} {fy_label(year - 1)}".'
        )
    if match := _CALENDAR_YEAR.fullmatch(cleaned):
        year = int(match.group(1))
        raise PeriodError(
            f'"{text.strip()}" is a calendar year: write the financial year, e.g. '
            f'"{fy_label(year)}" (April {year} – March {year + 1}).'
        )
    raise PeriodError(
        f'Could not read "{text.strip()}" as a period: write a quarter like "Q2 2023/24", a '
        'financial year like "2023/24", or dates like "2023-04-01 to 2023-06-30".'
    )


def parse_quarter(text: str) -> Period:
    """Like `parse_period`, but only a quarter will do."""
    period = parse_period(text)
    if period.kind is not PeriodKind.QUARTER:
        raise PeriodError(
            f'"{text.strip()}" is a {period.kind}, not a quarter such as "Q2 2023/24".'
        )
    return period


def _quarter_from(number: str, first: str, second: str) -> Period:
    fy_start = _fy_from(first, second)
    if int(number) not in QUARTER_MONTHS:
        raise PeriodError(_no_such_quarter(number))
    return quarter(fy_start, int(number))


def _fy_from(first: str, second: str) -> int:
    start = int(first)
    follows = (len(second) == 2 and int(second) == (start + 1) % 100) or (
        len(second) == 4 and int(second) == start + 1
    )
    if not follows:
        raise PeriodError(
            f"{first}/{second} is not a financial year: a financial year runs from April to "
            f"March, so the one starting in {first} is written {fy_label(start)}."
        )
    return start


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{text} is not a date.") from None


def _no_such_quarter(number: str) -> str:
    return (
        f"There is no Q{number}: a financial year has quarters Q1 (April–June), Q2 "
        "(July–September), Q3 (October–December) and Q4 (January–March)."
    )


# ----- helpers --------------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise PeriodError(f"{year} is outside the financial years a period can have.")


def _quarter_number(day: date) -> int:
    return (day.month - FIRST_MONTH) % 12 // 3 + 1


def _fy_and_number(index: int) -> tuple[int, int]:
    fy_start, zero_based = divmod(index, 4)
    return fy_start, zero_based + 1


def _last_day(year: int, number: int) -> date:
    return date(year, number, calendar.monthrange(year, number)[1])


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _year_before(day: date, *, keep_month_end: bool) -> date:
    if keep_month_end and _is_month_end(day):
        return _last_day(day.year - 1, day.month)
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _short_date(day: date) -> str:
    return f"{day.day} {_MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"
