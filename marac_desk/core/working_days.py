"""Working days: Monday to Friday, except the bank holidays of the panel's part of the UK.

A coordinator's questions and the answers here:

- *Is it a working day?* Monday to Friday and not a bank holiday (including substitute days,
  e.g. Christmas Day on a Saturday gives Tuesday 28 December) and one-off days such as the
  Platinum Jubilee (3 June 2022), the Queen's funeral (19 September 2022) and the King's
  coronation (8 May 2023).
- *Whose bank holidays?* England and Wales (one calendar) by default; Scotland (2 January,
  St Andrew's Day, first Monday of August, no Easter Monday) and Northern Ireland (St Patrick's
  Day, 12 July) can be chosen per panel. The dates come from the `holidays` library.
- *"3 working days after the meeting"*: count the working days that follow it, so minutes of a
  Thursday meeting are due the next Tuesday (Friday, Monday, Tuesday).
- *Working days between two dates* count the days after the first, up to and including the
  second: due Monday, today Wednesday is 2 working days.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

# The years the holidays library knows UK bank holidays for; outside them every weekday would
# silently look like a working day, so we refuse instead.
FIRST_YEAR, LAST_YEAR = 1872, 2100
FRIDAY, SATURDAY = 4, 5
_ONE_DAY = timedelta(days=1)


class OutsideCalendar(ValueError):
    """A date whose bank holidays are not known (before 1872 or after 2100)."""


class Region(StrEnum):
    """Whose bank holidays apply. England and Wales share one calendar."""

    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"

    @property
    def label(self) -> str:
        """'England and Wales', 'Scotland', 'Northern Ireland'."""
        return self.value.replace("_", " ").title().replace(" And ", " and ")

    @property
    def cli_name(self) -> str:
        """The command-line spelling: 'england-and-wales'."""
        return self.value.replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> Region:
        """Any of 'england-and-wales', 'England and Wales', 'ENG', 'wales', 'scotland', 'NIR'…"""
        key = "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
        found = _REGION_ALIASES.get(key)
        if found is None:
            names = ", ".join(r.cli_name for r in cls)
            raise ValueError(f"{text.strip()[:40]!r} is not a region: use one of {names}.")
        return found


# The holidays library's subdivisions of GB; its ENG and WLS calendars are one and the same.
_SUBDIVISION = {
    Region.ENGLAND_AND_WALES: "ENG",
    Region.SCOTLAND: "SCT",
    Region.NORTHERN_IRELAND: "NIR",
}

_REGION_ALIASES: dict[str, Region] = {
    **{r.value: r for r in Region},
    "england": Region.ENGLAND_AND_WALES,
    "wales": Region.ENGLAND_AND_WALES,
    "eng": Region.ENGLAND_AND_WALES,
    "wls": Region.ENGLAND_AND_WALES,
    "e&w": Region.ENGLAND_AND_WALES,
    "sct": Region.SCOTLAND,
    "nir": Region.NORTHERN_IRELAND,
    "ni": Region.NORTHERN_IRELAND,
}

DEFAULT_REGION = Region.ENGLAND_AND_WALES


@lru_cache(maxsize=512)
def _bank_holidays(region: Region, year: int) -> Mapping[date, str]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutsideCalendar(
            f"Bank holidays are known for {FIRST_YEAR} to {LAST_YEAR} only, not for {year}."
        )
    import holidays  # not at module level: the command line starts faster without it

    found = holidays.country_holidays("GB", subdiv=_SUBDIVISION[region], years=year)
    return MappingProxyType({day: str(name) for day, name in found.items()})


def bank_holiday_name(day: date, region: Region = DEFAULT_REGION) -> str | None:
    """The bank holiday's name ('Easter Monday', "Christmas Day (observed)"), or None."""
    return _bank_holidays(region, day.year).get(day)


def bank_holidays(start: date, end: date, region: Region = DEFAULT_REGION) -> dict[date, str]:
    """Every bank holiday from start to end inclusive, weekend ones included, in date order."""
    found = {
        day: name
        for year in range(start.year, end.year + 1)
        for day, name in _bank_holidays(region, year).items()
        if start <= day <= end
    }
    return dict(sorted(found.items()))


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


def is_working_day(day: date, region: Region = DEFAULT_REGION) -> bool:
    """Monday to Friday and not a bank holiday in the region."""
    return not is_weekend(day) and day not in _bank_holidays(region, day.year)


def next_working_day(day: date, region: Region = DEFAULT_REGION) -> date:
    """The first working day after `day` (never `day` itself)."""
    day += _ONE_DAY
    while not is_working_day(day, region):
        day += _ONE_DAY
    return day


def previous_working_day(day: date, region: Region = DEFAULT_REGION) -> date:
    """The last working day before `day` (never `day` itself)."""
    day -= _ONE_DAY
    while not is_working_day(day, region):
        day -= _ONE_DAY
    return day


def working_day_on_or_after(day: date, region: Region = DEFAULT_REGION) -> date:
    """`day` if it is a working day, otherwise the next one: where a meeting moves to."""
    return day if is_working_day(day, region) else next_working_day(day, region)


def add_working_days(day: date, n: int, region: Region = DEFAULT_REGION) -> date:
    """The n-th working day after `day` (before it when n is negative); n = 0 gives `day`.

    Minutes due 3 working days after a meeting on Thursday 22 December 2022 are due on
    Thursday 29 December (Friday 23, then Wednesday 28 and Thursday 29: 26 and 27 are bank
    holidays).
    """
    step = next_working_day if n > 0 else previous_working_day
    for _ in range(abs(n)):
        day = step(day, region)
    return day


def working_days(start: date, end: date, region: Region = DEFAULT_REGION) -> Iterator[date]:
    """Every working day from start to end, both included."""
    day = start
    while day <= end:
        if is_working_day(day, region):
            yield day
        day += _ONE_DAY


def working_days_between(start: date, end: date, region: Region = DEFAULT_REGION) -> int:
    """Working days after `start`, up to and including `end`; negative when end is earlier.

    So `add_working_days(start, working_days_between(start, end)) == end` whenever `end` is a
    working day after `start`. Due Friday, today Monday: 1.
    """
    if end < start:
        return -working_days_between(end, start, region)
    return sum(1 for _ in working_days(start + _ONE_DAY, end, region))
