"""The steering group's quarterly report as **exact** figures: plain, frozen data.

`services.reports` fills it from the store; `export.report_view.publish` turns it into what a
document prints, applying disclosure control (internal or publishable) once, so every document
made from one view shows the same figure the same way. Nothing here is rounded or hidden, and
nothing here should ever be written to a file directly: the PDF, CSV and XLSX builders take the
view, never this model.

What is counted (DOMAIN.md §6), for the panels in `scope` and the days of `period`:

- **Referrals** by referral date; a repeat is the coordinator's override if set, otherwise the
  computed flag. **Children in the household** is the number of children recorded on those
  referrals; **families with children** the referrals with at least one.
- **Cases heard** by meeting date: referrals with an outcome "heard" (closed or kept open) at a
  meeting held in the period; a case heard at two meetings in the period is one case. **Hearings**
  count each time, and give cases per meeting.
- **Victims** are counted once per referral, as referred; **perpetrators** once per perpetrator
  named on a referral.
- **Actions agreed** at meetings held in the period; **actions due** in the period (by their
  current due date) for completion on time; **overdue now** on the `as_at` date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from marac_desk.core.indicators import Band, Number, Share, exact
from marac_desk.core.periods import Period


@dataclass(frozen=True)
class Category:
    key: str  # stable snake_case: a CSV key is made from it
    label: str  # as a table prints it


@dataclass(frozen=True)
class Breakdown:
    """Counts by category that add up to the whole (every category present, zeros too).

    A count may be a half: a joint referral counts 0.5 to each of its two sources.
    """

    categories: tuple[Category, ...]
    counts: tuple[Number, ...]

    def __post_init__(self) -> None:
        if len(self.categories) != len(self.counts):
            raise ValueError("a breakdown needs one count per category")
        if len({c.key for c in self.categories}) != len(self.categories):
            raise ValueError("two categories of a breakdown share a key")

    @property
    def total(self) -> Number:
        return _total(self.counts)

    def count(self, key: str) -> Number:
        for category, n in zip(self.categories, self.counts, strict=True):
            if category.key == key:
                return n
        raise KeyError(key)


def _total(counts: Sequence[Number]) -> Number:
    """The sum, kept as a whole number when it is one (halves add up to whole referrals)."""
    total = sum((exact(n) for n in counts), start=exact(0))
    return int(total) if total.denominator == 1 else Decimal(total.numerator) / total.denominator


@dataclass(frozen=True)
class Characteristic:
    """How many people have a characteristic: yes, no, and not known or not stated.

    The published figure is out of everyone (`count` of `total`), the unknown share beside it.
    """

    count: int  # with the characteristic (e.g. disabled, aged 16–17, male)
    other: int  # known, without it
    unknown: int  # not known (not asked) or not stated (declined)

    def __post_init__(self) -> None:
        if min(self.count, self.other, self.unknown) < 0:
            raise ValueError("a count cannot be negative")

    @property
    def total(self) -> int:
        return self.count + self.other + self.unknown

    @property
    def share(self) -> Share:
        return Share(count=self.count, known=self.count + self.other, unknown=self.unknown)


@dataclass(frozen=True)
class PeriodCounts:
    """The steering group's trend table, one column: referrals received in `period`."""

    period: Period
    referrals: int
    repeats: int  # override if set, else the computed flag
    children: int  # children recorded in the households
    families: int  # referrals with at least one child recorded

    def __post_init__(self) -> None:
        if not (0 <= self.repeats <= self.referrals and 0 <= self.families <= self.referrals):
            raise ValueError("repeats and families are among the referrals")
        if self.children < self.families:
            raise ValueError("each family with children has at least one child")


@dataclass(frozen=True)
class Victims:
    """Victims as referred in the period, once per referral (`total` = referrals)."""

    bame: Characteristic  # Black, Asian or racially minoritised
    lgbt: Characteristic
    disabled: Characteristic
    male: Characteristic  # other = female or non-binary
    aged_16_17: Characteristic  # on the referral date; unknown = no date of birth
    mental_health: Characteristic  # mental-health needs
    substance_misuse: Characteristic  # substance-misuse needs


@dataclass(frozen=True)
class Perpetrators:
    """Perpetrators named on the period's referrals, once per referral they are named on."""

    male: Characteristic
    relationship: Breakdown  # current partner, ex-partner, family member, other, not known
    aged_17_or_under: Characteristic  # on the referral date; unknown = no date of birth
    mental_health: Characteristic
    substance_misuse: Characteristic

    @property
    def total(self) -> int:
        return self.male.total


@dataclass(frozen=True)
class Actions:
    agreed: int  # at meetings held in the period
    with_owner_and_due: int  # ... with a named owner in the agency and a due date
    perpetrator_focused: int  # ... in the category "perpetrator disruption"
    due: int  # due in the period (current due date), whatever happened to them
    completed_on_time: int  # ... completed on or before the due date
    completed_late: int  # ... completed after it
    still_open: int  # ... not completed and still open (or carried forward)
    closed_otherwise: int  # ... not possible or not undertaken
    overdue_now: int  # open and past their due date on `QuarterlyReport.as_at`

    def __post_init__(self) -> None:
        parts = self.completed_on_time + self.completed_late + self.still_open
        if parts + self.closed_otherwise != self.due:
            raise ValueError("actions due must add up by outcome")
        if not (
            0 <= self.with_owner_and_due <= self.agreed
            and 0 <= self.perpetrator_focused <= self.agreed
        ):
            raise ValueError("those with an owner or a perpetrator focus are among those agreed")


@dataclass(frozen=True)
class AgencyAttendance:
    agency: str
    attended: int  # meetings held in the period with the agency present
    apologies: int  # ... where it sent apologies
    information_sent: int  # ... of those, with its information sent beforehand


@dataclass(frozen=True)
class AgencyResearch:
    agency: str
    requested: int  # cases at meetings held in the period the agency was asked to research
    returned: int  # ... research received, or "nothing held" reported

    def __post_init__(self) -> None:
        if not 0 <= self.returned <= self.requested:
            raise ValueError("research returned is among research requested")


@dataclass(frozen=True)
class Minutes:
    """Minutes of the meetings held in the period against each panel's deadline (N working days
    after the meeting)."""

    on_time: int  # circulated on or before the deadline
    late: int  # circulated after it, or not yet circulated with the deadline passed
    not_yet_due: int  # not circulated, deadline still to come on `as_at`

    @property
    def due(self) -> int:
        return self.on_time + self.late


@dataclass(frozen=True)
class Completeness:
    """Referrals with nothing missing (core.referral_rules.missing_information)."""

    complete: int
    referrals: int
    missing: Breakdown  # referrals missing each item; one referral may miss several, so this
    # breakdown does not add up to the referrals (each item is reported against all of them)

    def __post_init__(self) -> None:
        if not 0 <= self.complete <= self.referrals:
            raise ValueError("complete referrals are among the referrals")


@dataclass(frozen=True)
class CommunityMeeting:
    panel: str
    meeting_date: date
    new: int  # cases heard for the first time
    ongoing: int  # cases heard before, heard again
    closed: int  # cases closed at this meeting (new or ongoing)

    def __post_init__(self) -> None:
        if not 0 <= self.closed <= self.new + self.ongoing:
            raise ValueError("closed cases are among the cases heard")


@dataclass(frozen=True)
class CommunityMonth:
    month: Period  # a calendar month, cut to the report's period at either end
    meetings: int  # meetings held in the month (0: the month had no meeting)
    new: int
    ongoing: int
    closed: int

    def __post_init__(self) -> None:
        if not 0 <= self.closed <= self.new + self.ongoing:
            raise ValueError("closed cases are among the cases heard")
        if self.meetings == 0 and self.new + self.ongoing:
            raise ValueError("a month without a meeting heard no cases")


@dataclass(frozen=True)
class Community:
    """Community MARAC panels: cases stay open across meetings."""

    panels: tuple[str, ...]
    months: tuple[CommunityMonth, ...]  # every month of the period, meeting or not
    meetings: tuple[CommunityMeeting, ...]  # every meeting held, in date order

    def __post_init__(self) -> None:
        if sum(m.meetings for m in self.months) != len(self.meetings):
            raise ValueError("the months must count the meetings held")

    @property
    def meetings_held(self) -> int:
        return len(self.meetings)


@dataclass(frozen=True)
class QuarterlyReport:
    """Everything the steering group's quarterly report shows, exactly."""

    partnership: str
    scope: str  # "All domestic abuse panels", or the panel's name
    panels: tuple[str, ...]  # the panels counted, A-Z
    period: Period
    as_at: date  # "overdue now" and whether minutes are late are judged on this day
    generated_at: datetime
    marking: str  # the protective marking printed on every page
    bands: tuple[tuple[str, Band], ...]  # indicator key → expected band (settings or SafeLives)

    # Referrals in this period and in earlier ones, oldest first; the last is `period` itself.
    # A quarter comes with the four before it; any other period with the same days a year before.
    trend: tuple[PeriodCounts, ...]
    year_earlier: PeriodCounts  # the same period a year before (year-on-year change)

    cases_heard: int
    cases_heard_year_earlier: int
    hearings: int  # cases heard, counting each meeting a case was heard at
    meetings_held: int

    # Cases per 10,000 adult women: SafeLives compares a year's cases with its recommended 40,
    # so the rate takes the cases heard in the 12 months to the period's last day.
    rate_period: Period
    rate_cases: int
    adult_female_population: int | None  # None: not set, or not for this scope
    population_note: str  # why there is no rate, when there is none

    sources: Breakdown  # the 14 referral-source categories; a joint referral 0.5 to each
    victims: Victims
    perpetrators: Perpetrators
    actions: Actions
    attendance: tuple[AgencyAttendance, ...]  # agencies present or apologising, A-Z
    research: tuple[AgencyResearch, ...]  # agencies asked for research, A-Z
    minutes: Minutes
    completeness: Completeness
    community: Community | None  # None when no Community MARAC panel is in scope

    def __post_init__(self) -> None:
        if not self.trend or self.trend[-1].period != self.period:
            raise ValueError("the trend ends with the report's own period")
        if _total(self.sources.counts) != self.current.referrals:
            raise ValueError("referral sources must add up to the referrals")

    @property
    def current(self) -> PeriodCounts:
        return self.trend[-1]

    @property
    def referrals(self) -> int:
        return self.current.referrals

    def band(self, key: str) -> Band | None:
        return dict(self.bands).get(key)
