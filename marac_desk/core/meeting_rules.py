"""Rules around one meeting: how many cases, who must be there, and the dates around it.

- *Too many cases?* SafeLives treats 15 to 20 cases as the most a meeting can hear with care
  (DOMAIN.md §1). From 15 cases the case list shows a warning; above 20, a strong one. Both
  numbers are panel settings. A warning never stops a coordinator listing a case.
- *Is the meeting quorate?* A panel sets the agencies that must be present (by default Police and
  the IDVA service) and how many agencies at least (by default 3). Each agency counts once however
  many of its people attend; only agencies recorded as present count (not apologies, not
  observers: the caller passes the present ones).
- *When must the case list go out?* A number of calendar days before the meeting, 5 by default.
- *What is the cut-off?* A referral is proposed for a meeting when it was received on or before
  the cut-off: the meeting date minus a number of calendar days (5 by default, a panel setting).
  Later referrals go to the following meeting.
- *When are minutes due?* 3 working days after the meeting (DOMAIN.md §5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from marac_desk.core.working_days import DEFAULT_REGION, Region, add_working_days

# Panel settings' defaults (module notes).
CASES_WARN_AT = 15
CASES_STRONG_ABOVE = 20
AGENDA_DAYS_BEFORE = 5
REFERRAL_CUTOFF_DAYS_BEFORE = 5
MINUTES_DUE_WORKING_DAYS = 3
QUORUM_REQUIRED_AGENCIES: tuple[str, ...] = ("Police", "IDVA")
QUORUM_MINIMUM_AGENCIES = 3


# ----- the case cap -----------------------------------------------------------------------------


class CaseLoad(StrEnum):
    OK = "ok"
    WARN = "warn"
    STRONG = "strong"


@dataclass(frozen=True)
class CaseCapCheck:
    level: CaseLoad
    message: str


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


def check_case_cap(
    cases: int, warn_at: int = CASES_WARN_AT, strong_above: int = CASES_STRONG_ABOVE
) -> CaseCapCheck:
    """OK below `warn_at` cases; a warning from `warn_at`; a strong warning above
    `strong_above`."""
    if cases < 0:
        raise ValueError("A meeting cannot have fewer than no cases.")
    if not 1 <= warn_at <= strong_above:
        raise ValueError("The case warning must be at least 1 and no more than the strong limit.")
    listed = f"{_cases(cases)} listed"
    if cases > strong_above:
        return CaseCapCheck(
            CaseLoad.STRONG,
            f"{listed}: more than {strong_above}, too many to hear each one with care. "
            "Move some to the next meeting or arrange an extra one.",
        )
    if cases >= warn_at:
        return CaseCapCheck(
            CaseLoad.WARN,
            f"{listed}: at or above {warn_at}, near the most a meeting can hear well "
            f"({warn_at} to {strong_above}). Consider moving some to the next meeting.",
        )
    return CaseCapCheck(CaseLoad.OK, f"{listed}.")


# ----- quorum -----------------------------------------------------------------------------------


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _words(names: Iterable[str]) -> str:
    """'Police', 'Police and IDVA', 'Police, IDVA and Housing'."""
    items = list(names)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class QuorumCheck:
    met: bool
    present: int  # distinct agencies present
    missing_agencies: tuple[str, ...]  # required agencies not present, in the rule's order
    agencies_short: int  # how many more agencies the minimum needs
    message: str


@dataclass(frozen=True)
class QuorumRule:
    """A panel's quorum: the agencies that must be present and how many agencies at least.

    Agency names are compared ignoring case and extra spaces ('idva' is 'IDVA').
    """

    required_agencies: tuple[str, ...] = QUORUM_REQUIRED_AGENCIES
    minimum_agencies: int = QUORUM_MINIMUM_AGENCIES

    def __post_init__(self) -> None:
        if self.minimum_agencies < 0:
            raise ValueError("The minimum number of agencies cannot be negative.")

    def check(self, present_agencies: Iterable[str]) -> QuorumCheck:
        """Whether the agencies present make the meeting quorate, and if not, what is missing."""
        present = {_key(name) for name in present_agencies if name.strip()}
        missing = tuple(dict.fromkeys(n for n in self.required_agencies if _key(n) not in present))
        short = max(0, self.minimum_agencies - len(present))
        count = f"{len(present)} {'agency' if len(present) == 1 else 'agencies'} present"
        if not missing and not short:
            including = (
                f", including {_words(self.required_agencies)}" if self.required_agencies else ""
            )
            return QuorumCheck(True, len(present), (), 0, f"Quorate: {count}{including}.")
        reasons = []
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            reasons.append(f"{_words(missing)} {verb} not present")
        if short:
            reasons.append(f"{count} where at least {self.minimum_agencies} are needed")
        return QuorumCheck(
            False, len(present), missing, short, f"Not quorate: {'; '.join(reasons)}."
        )


# ----- dates around a meeting -------------------------------------------------------------------


def agenda_circulation_deadline(meeting: date, days_before: int = AGENDA_DAYS_BEFORE) -> date:
    """The last day to send agencies the case list: `days_before` calendar days before."""
    return meeting - timedelta(days=days_before)


def referral_cutoff(meeting: date, days_before: int = REFERRAL_CUTOFF_DAYS_BEFORE) -> date:
    """The last day a referral can be received and still be proposed for this meeting."""
    return meeting - timedelta(days=days_before)


def in_time_for(
    received: date, meeting: date, days_before: int = REFERRAL_CUTOFF_DAYS_BEFORE
) -> bool:
    """Received on or before the meeting's cut-off."""
    return received <= referral_cutoff(meeting, days_before)


def first_meeting_in_time(
    received: date, meetings: Iterable[date], days_before: int = REFERRAL_CUTOFF_DAYS_BEFORE
) -> date | None:
    """The earliest of `meetings` whose cut-off the referral met, or None if it missed them all."""
    return min((m for m in meetings if in_time_for(received, m, days_before)), default=None)


def minutes_due(
    meeting: date,
    region: Region = DEFAULT_REGION,
    working_days: int = MINUTES_DUE_WORKING_DAYS,
) -> date:
    """When the minutes should be circulated: 3 working days after the meeting by default."""
    return add_working_days(meeting, working_days, region)
