"""How often a panel meets, and the meeting dates that follow from it.

Cadence specs (case does not matter; full day names work too, `weekly:wednesday`):

==================  =====================================================================
`daily`             every working day (Monday to Friday, not bank holidays): daily triage
`weekly:wed`        every Wednesday
`fortnightly:tue`   every other Tuesday
`every-6-weeks:thu` every sixth Thursday (any N from 1 to 52)
`monthly:2:wed`     the second Wednesday of each month (1 to 4)
`monthly:last:fri`  the last Friday of each month
==================  =====================================================================

Rules a coordinator may ask about:

- *Which fortnight?* Fortnightly and every-N-weeks meetings count from an anchor: the panel's
  first meeting date, so the series stays the same whatever dates you ask about. An anchor on
  another weekday names its week (a first meeting moved from Monday to Tuesday by a bank holiday
  still means the Mondays of that series); the series runs both ways from it. Without an anchor
  the first meeting is the first matching weekday on or after the start of the period asked
  about.
- *Fifth Wednesday?* Not offered: most months have none, so `monthly:5:wed` is refused with a
  pointer to `monthly:last:wed`.
- *Weekends?* Panels meet on working days, so a weekly Saturday is refused.
- *Bank holidays?* A meeting that falls on one moves to the next working day (Easter Monday's
  meeting is held on the Tuesday), or, if the panel says so, is skipped. A moved meeting that
  would land on the day of the next meeting is combined with it: never two meetings on one day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from marac_desk.core.working_days import (
    DEFAULT_REGION,
    FIRST_YEAR,
    FRIDAY,
    LAST_YEAR,
    Region,
    bank_holiday_name,
    is_working_day,
    working_day_on_or_after,
    working_days,
)

MAX_WEEKS = 52
LAST = -1  # `week_of_month` for "the last <weekday> of the month"
# A meeting up to this long before the period can move into it (Easter Monday's meeting held on
# the Tuesday that starts the period); bank holiday runs are far shorter.
_LOOKBACK = timedelta(days=31)

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES: dict[str, int] = {
    **{name: i for i, name in enumerate(_DAY_NAMES)},
    **{name[:3]: i for i, name in enumerate(_DAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_ORDINALS = ("first", "second", "third", "fourth")
_NTH_ALIASES: dict[str, int] = {
    **{str(i): i for i in range(1, 5)},
    **{word: i for i, word in enumerate(_ORDINALS, start=1)},
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "last": LAST,
}
_EVERY_N_WEEKS = re.compile(r"every-(\d{1,3})-weeks?")
_EXAMPLES = "daily, weekly:wed, fortnightly:tue, every-6-weeks:thu, monthly:2:wed, monthly:last:fri"


class CadenceError(ValueError):
    """A cadence spec that cannot be read; the message names the spec and what is wrong."""


_Fail = Callable[[str], CadenceError]  # builds the error that names the spec


class OnHoliday(StrEnum):
    """What happens to a meeting that falls on a bank holiday."""

    NEXT_WORKING_DAY = "next_working_day"
    SKIP = "skip"

    @property
    def cli_name(self) -> str:
        return self.value.replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> OnHoliday:
        """'next-working-day', 'next_working_day' or 'skip', in any case."""
        key = text.strip().lower().replace("-", "_")
        for rule in cls:
            if rule.value == key:
                return rule
        names = " or ".join(r.cli_name for r in cls)
        raise ValueError(f"{text.strip()[:40]!r} is not a holiday rule: use {names}.")


class CadenceKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # every `every_weeks` weeks: 1 weekly, 2 fortnightly, N every-N-weeks
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Cadence:
    """A panel's meeting pattern. Build one with `Cadence.parse`; `str()` gives the canonical
    spec (`weekly:wed`, `every-6-weeks:thu`, `monthly:last:fri`)."""

    kind: CadenceKind
    weekday: int | None = None  # Monday = 0 … Friday = 4; None for daily
    every_weeks: int = 1  # weekly kind only
    week_of_month: int | None = None  # monthly kind only: 1 to 4, or LAST

    def __post_init__(self) -> None:
        if self.kind is CadenceKind.DAILY:
            ok = self.weekday is None and self.every_weeks == 1 and self.week_of_month is None
        else:
            ok = self.weekday is not None and 0 <= self.weekday <= FRIDAY
            if self.kind is CadenceKind.WEEKLY:
                ok = ok and 1 <= self.every_weeks <= MAX_WEEKS and self.week_of_month is None
            else:
                ok = ok and self.every_weeks == 1 and self.week_of_month in (*range(1, 5), LAST)
        if not ok:
            raise CadenceError(f"Not a cadence: {self!r}")

    @classmethod
    def parse(cls, spec: str) -> Cadence:
        """Read a spec such as `weekly:wed`; raises CadenceError saying what is wrong."""
        return parse_cadence(spec)

    def __str__(self) -> str:
        if self.kind is CadenceKind.DAILY:
            return "daily"
        day = _DAY_NAMES[self._day][:3]
        if self.kind is CadenceKind.MONTHLY:
            nth = "last" if self.week_of_month == LAST else str(self.week_of_month)
            return f"monthly:{nth}:{day}"
        if self.every_weeks == 1:
            return f"weekly:{day}"
        if self.every_weeks == 2:
            return f"fortnightly:{day}"
        return f"every-{self.every_weeks}-weeks:{day}"

    def describe(self) -> str:
        """'Weekly on Wednesday', 'Every 6 weeks on Thursday', 'Monthly on the last Friday'."""
        if self.kind is CadenceKind.DAILY:
            return "Every working day"
        day = _DAY_NAMES[self._day].title()
        if self.kind is CadenceKind.MONTHLY:
            nth = "last" if self.week_of_month == LAST else _ORDINALS[self._nth - 1]
            return f"Monthly on the {nth} {day}"
        if self.every_weeks == 1:
            return f"Weekly on {day}"
        if self.every_weeks == 2:
            return f"Fortnightly on {day}"
        return f"Every {self.every_weeks} weeks on {day}"

    @property
    def _day(self) -> int:
        assert self.weekday is not None  # __post_init__: only daily has no weekday
        return self.weekday

    @property
    def _nth(self) -> int:
        assert self.week_of_month is not None
        return self.week_of_month

    def scheduled_dates(self, start: date, end: date, anchor: date | None = None) -> list[date]:
        """The dates the pattern names from start to end, before any bank holiday is
        considered (for `daily`: every weekday). See the module notes for the anchor."""
        if self.kind is CadenceKind.DAILY:
            days = (start + timedelta(days=i) for i in range((end - start).days + 1))
            return [d for d in days if d.weekday() <= FRIDAY]
        if self.kind is CadenceKind.MONTHLY:
            return [
                day
                for year, month in _months(start, end)
                if start <= (day := _nth_weekday(year, month, self._day, self._nth)) <= end
            ]
        step = timedelta(weeks=self.every_weeks)
        if anchor is None:
            first = _on_or_after(start, self._day)
        else:
            # The cadence's weekday in the anchor's Monday-to-Sunday week, then whole steps
            # towards `start`.
            phase = anchor + timedelta(days=self._day - anchor.weekday())
            first = phase + step * -((phase - start) // step)
        dates: list[date] = []
        day = first
        while day <= end:
            dates.append(day)
            day += step
        return dates


def parse_cadence(spec: str) -> Cadence:
    """Read a cadence spec (see the module notes); CadenceError names the spec and the fault."""
    text = spec.strip().lower()
    shown = repr(spec.strip()[:60])

    def fail(what: str) -> CadenceError:
        return CadenceError(f"Cadence {shown}: {what}.")

    if not text:
        raise CadenceError(f"The cadence is empty: use one of {_EXAMPLES}.")
    head, *rest = (part.strip() for part in text.split(":"))
    if head == "daily":
        if rest:
            raise fail("daily takes no day (it means every working day)")
        return Cadence(CadenceKind.DAILY)
    if head in ("weekly", "fortnightly") or _EVERY_N_WEEKS.fullmatch(head):
        every = _every_weeks(head, fail)
        if len(rest) != 1:
            raise fail(f"{head} takes one meeting day, e.g. {head}:wed")
        return Cadence(CadenceKind.WEEKLY, _weekday(rest[0], fail), every_weeks=every)
    if head == "monthly":
        if len(rest) != 2:
            raise fail(
                "monthly takes which week and the day, e.g. monthly:2:wed (the second "
                "Wednesday) or monthly:last:fri"
            )
        day = _weekday(rest[1], fail)
        return Cadence(CadenceKind.MONTHLY, day, week_of_month=_week_of_month(rest[0], day, fail))
    raise fail(f"{head[:30]!r} is not a meeting pattern; use one of {_EXAMPLES}")


def _every_weeks(head: str, fail: _Fail) -> int:
    if head == "weekly":
        return 1
    if head == "fortnightly":
        return 2
    match = _EVERY_N_WEEKS.fullmatch(head)
    assert match is not None
    weeks = int(match.group(1))
    if not 1 <= weeks <= MAX_WEEKS:
        raise fail(f"the number of weeks must be from 1 to {MAX_WEEKS}, not {weeks}")
    return weeks


def _weekday(word: str, fail: _Fail) -> int:
    day = _DAY_ALIASES.get(word)
    if day is None:
        raise fail(f"{word[:30]!r} is not a day of the week (mon to fri, or monday to friday)")
    if day > FRIDAY:
        raise fail("panels meet on working days; choose a day from Monday to Friday")
    return day


def _week_of_month(word: str, day: int, fail: _Fail) -> int:
    nth = _NTH_ALIASES.get(word)
    name = _DAY_NAMES[day].title()
    if nth is not None:
        return nth
    if word in ("5", "5th", "fifth"):
        raise fail(
            f"most months have no fifth {name}; use monthly:last:{_DAY_NAMES[day][:3]} "
            f"for the last {name} of each month"
        )
    raise fail(f"{word[:30]!r} is not a week of the month; use 1 to 4 or last")


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _months(start: date, end: date) -> list[tuple[int, int]]:
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [divmod(m, 12) for m in range(first, last + 1)]


def _nth_weekday(year: int, month0: int, weekday: int, nth: int) -> date:
    month = month0 + 1
    if nth == LAST:
        next_month = date(year + month // 12, month % 12 + 1, 1)
        last_day = next_month - timedelta(days=1)
        return last_day - timedelta(days=(last_day.weekday() - weekday) % 7)
    return _on_or_after(date(year, month, 1), weekday) + timedelta(weeks=nth - 1)


# ----- meeting dates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMeeting:
    """One meeting of the series: when the pattern puts it and when it is held.

    `held_on` is None when it is not held on a day of its own: skipped for a bank holiday, or
    combined with the next meeting. `note` says why in words, '' for an ordinary meeting.
    """

    scheduled: date
    held_on: date | None
    note: str = ""


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def plan_meetings(
    cadence: Cadence,
    start: date,
    end: date,
    *,
    region: Region = DEFAULT_REGION,
    on_holiday: OnHoliday = OnHoliday.NEXT_WORKING_DAY,
    anchor: date | None = None,
) -> list[PlannedMeeting]:
    """Every meeting held from start to end (both included), plus those skipped or combined
    whose scheduled date is in the period, in date order. See the module notes for the rules.
    """
    if start > end:
        raise ValueError(f"The period starts ({start}) after it ends ({end}).")
    for day in (start, end):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(
                f"Meeting dates can be planned from {FIRST_YEAR} to {LAST_YEAR} only "
                f"(bank holidays are not known for {day.year})."
            )
    if cadence.kind is CadenceKind.DAILY:
        return [PlannedMeeting(day, day) for day in working_days(start, end, region)]
    earliest = max(start - _LOOKBACK, date(FIRST_YEAR, 1, 1))
    if cadence.kind is CadenceKind.WEEKLY and cadence.every_weeks > 1 and anchor is None:
        earliest = start  # without an anchor the series starts in the period, by definition
    scheduled = cadence.scheduled_dates(earliest, end, anchor)
    held: list[date | None] = []
    notes: list[str] = []
    for day in scheduled:
        if is_working_day(day, region):
            held.append(day)
            notes.append("")
            continue
        holiday = bank_holiday_name(day, region) or "not a working day"
        if on_holiday is OnHoliday.SKIP:
            held.append(None)
            notes.append(f"skipped: {holiday}")
        else:
            moved = working_day_on_or_after(day, region)
            held.append(moved)
            notes.append(f"moved from {_long(day)} ({holiday})")
    # Moving keeps order, so a clash can only be with the very next meeting: combine them.
    for i in range(len(held) - 1):
        clash = held[i]
        if clash is not None and clash == held[i + 1]:
            notes[i] = f"combined with the next meeting, held on {_long(clash)}"
            held[i] = None
    return [
        PlannedMeeting(day, on, note)
        for day, on, note in zip(scheduled, held, notes, strict=True)
        if start <= (on if on is not None else day) <= end
    ]


def meeting_dates(
    cadence: Cadence,
    start: date,
    end: date,
    *,
    region: Region = DEFAULT_REGION,
    on_holiday: OnHoliday = OnHoliday.NEXT_WORKING_DAY,
    anchor: date | None = None,
) -> list[date]:
    """The days meetings are held from start to end, in order, each once, all working days."""
    plan = plan_meetings(cadence, start, end, region=region, on_holiday=on_holiday, anchor=anchor)
    return [m.held_on for m in plan if m.held_on is not None]
