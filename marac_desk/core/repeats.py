"""The repeat rule (SafeLives, 2018): is a new referral a repeat of an earlier one?

A **repeat** is a further referral about **the same victim and the same perpetrator(s)** made
within **12 months of the last referral** of that victim and perpetrator to MARAC. The baseline is
the *most recent* qualifying earlier referral, not the first one, so a chain of referrals each
less than a year apart stays a chain of repeats however long it runs. After the window it is a
new referral.

Precisely, as implemented here:

- *Same perpetrator(s)* means at least one perpetrator (person id) in common. With the setting
  `same_perpetrator_required=False` (some areas count any further referral of the victim) every
  earlier referral of the victim qualifies.
- *Within 12 months* is by the calendar, inclusive of the anniversary: a referral made on
  2024-03-01 makes later referrals repeats up to and including 2025-03-01; 2025-03-02 is new.
  When the anniversary does not exist the window ends on the last day of that month:
  from 2024-02-29 it runs to 2025-02-28 (and from 2023-08-31 plus 6 months to 2024-02-29).
- *Earlier* means an earlier date, or the same date and a smaller referral id (two referrals the
  same day are taken in the order they were entered; a referral not yet saved comes after every
  saved one). Later referrals never change whether an earlier one was a repeat.
- **Previous MARAC, new perpetrator** is flagged separately: the victim has an earlier referral
  within the window, the new referral names at least one perpetrator, and no earlier referral
  within the window shares a perpetrator with it. It is not a repeat under the strict rule, but
  the panel wants to see it. A referral that names no perpetrator is never a strict repeat nor
  flagged as a new perpetrator: `latest_in_window_id` still tells the coordinator there was a
  recent referral to look at.

Matching people across referrals (typos, aliases, DOB slips) is not this module's business: it
receives person ids that the coordinator has already linked.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

DEFAULT_WINDOW_MONTHS = 12


@dataclass(frozen=True)
class RepeatRule:
    """The settings of the rule; the defaults are SafeLives' definition."""

    window_months: int = DEFAULT_WINDOW_MONTHS
    same_perpetrator_required: bool = True

    def __post_init__(self) -> None:
        if self.window_months < 1:
            raise ValueError("The repeat window must be at least one month.")


STRICT = RepeatRule()


@dataclass(frozen=True)
class ReferralFacts:
    """What the rule needs to know about one referral (person ids already resolved)."""

    referral_id: int
    referral_date: date
    victim_id: int
    perpetrator_ids: frozenset[int]


@dataclass(frozen=True)
class RepeatVerdict:
    is_repeat: bool
    # The most recent qualifying earlier referral (set exactly when is_repeat).
    previous_referral_id: int | None
    # Previous MARAC within the window, but with none of this referral's perpetrators.
    new_perpetrator: bool
    # The most recent earlier referral of the victim within the window, whoever the perpetrator.
    latest_in_window_id: int | None


NOT_A_REPEAT = RepeatVerdict(False, None, False, None)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day when that day is missing."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def window_end(previous: date, rule: RepeatRule = STRICT) -> date:
    """The last date on which a new referral is still a repeat of one made on `previous`."""
    return add_months(previous, rule.window_months)


def within_window(previous: date, new: date, rule: RepeatRule = STRICT) -> bool:
    """Whether a referral on `new` falls within the repeat window opened on `previous`."""
    return previous <= new <= window_end(previous, rule)


def _is_earlier(candidate: ReferralFacts, new_date: date, new_id: int | None) -> bool:
    if candidate.referral_date != new_date:
        return candidate.referral_date < new_date
    if new_id is None:
        return True
    return candidate.referral_id < new_id


def _order(facts: ReferralFacts) -> tuple[date, int]:
    return facts.referral_date, facts.referral_id


def assess_repeat(
    referral_date: date,
    victim_id: int,
    perpetrator_ids: Iterable[int],
    earlier: Iterable[ReferralFacts],
    rule: RepeatRule = STRICT,
    *,
    referral_id: int | None = None,
) -> RepeatVerdict:
    """Apply the rule to one referral.

    `earlier` may hold any referrals: those of other victims, the referral itself (same id) and
    referrals that come after it are ignored, so callers can pass a victim's whole history.
    `referral_id` is None for a referral not saved yet.
    """
    perps = frozenset(perpetrator_ids)
    latest_any: ReferralFacts | None = None
    latest_shared: ReferralFacts | None = None
    for prior in earlier:
        if prior.victim_id != victim_id or prior.referral_id == referral_id:
            continue
        if not _is_earlier(prior, referral_date, referral_id):
            continue
        if not within_window(prior.referral_date, referral_date, rule):
            continue
        if latest_any is None or _order(prior) > _order(latest_any):
            latest_any = prior
        if perps & prior.perpetrator_ids and (
            latest_shared is None or _order(prior) > _order(latest_shared)
        ):
            latest_shared = prior
    # The window runs from each qualifying referral, so the most recent one in the window is the
    # baseline: any older qualifying referral's window ends no later than its.
    previous = latest_shared if rule.same_perpetrator_required else latest_any
    new_perpetrator = bool(perps) and latest_any is not None and latest_shared is None
    return RepeatVerdict(
        is_repeat=previous is not None,
        previous_referral_id=previous.referral_id if previous else None,
        new_perpetrator=new_perpetrator,
        latest_in_window_id=latest_any.referral_id if latest_any else None,
    )


def assess_history(
    referrals: Iterable[ReferralFacts], rule: RepeatRule = STRICT
) -> Mapping[int, RepeatVerdict]:
    """The verdict for every referral in a history, each judged against those before it."""
    by_victim: dict[int, list[ReferralFacts]] = defaultdict(list)
    for facts in referrals:
        by_victim[facts.victim_id].append(facts)
    verdicts: dict[int, RepeatVerdict] = {}
    for history in by_victim.values():
        history.sort(key=_order)
        for index, facts in enumerate(history):
            if index == 0:
                verdicts[facts.referral_id] = NOT_A_REPEAT
                continue
            verdicts[facts.referral_id] = assess_repeat(
                facts.referral_date,
                facts.victim_id,
                facts.perpetrator_ids,
                history[:index],
                rule,
                referral_id=facts.referral_id,
            )
    return verdicts
