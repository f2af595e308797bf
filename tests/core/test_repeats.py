"""The repeat rule (DOMAIN.md §3), read as the rule."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marac_desk.core.repeats import (
    ReferralFacts,
    RepeatRule,
    add_months,
    assess_history,
    assess_repeat,
    window_end,
    within_window,
)

VICTIM = 1
OTHER_VICTIM = 2
PARTNER = 10
EX_PARTNER = 11
BROTHER = 12


def ref(referral_id: int, day: date, *perps: int, victim: int = VICTIM) -> ReferralFacts:
    return ReferralFacts(referral_id, day, victim, frozenset(perps))


def judge(day: date, perps: set[int], earlier: list[ReferralFacts], **kw: object):  # type: ignore[no-untyped-def]
    rule = RepeatRule(**kw)  # type: ignore[arg-type]
    return assess_repeat(day, VICTIM, perps, earlier, rule)


# ----- the window ----------------------------------------------------------------------------


def test_a_referral_364_days_after_the_last_is_a_repeat() -> None:
    first = date(2024, 3, 1)
    verdict = judge(first + timedelta(days=364), {PARTNER}, [ref(1, first, PARTNER)])
    assert verdict.is_repeat
    assert verdict.previous_referral_id == 1


def test_the_anniversary_itself_is_still_within_twelve_months() -> None:
    verdict = judge(date(2025, 3, 1), {PARTNER}, [ref(1, date(2024, 3, 1), PARTNER)])
    assert verdict.is_repeat


def test_366_days_after_the_last_is_a_new_referral() -> None:
    # 2024-03-01 to 2025-03-02 is 366 days: the day after the anniversary.
    first = date(2024, 3, 1)
    later = first + timedelta(days=366)
    assert later == date(2025, 3, 2)
    verdict = judge(later, {PARTNER}, [ref(1, first, PARTNER)])
    assert not verdict.is_repeat
    assert verdict.previous_referral_id is None
    assert not verdict.new_perpetrator


def test_across_a_leap_day_the_year_has_366_days_and_all_of_them_count() -> None:
    first = date(2023, 3, 1)
    assert (date(2024, 3, 1) - first).days == 366
    assert judge(date(2024, 3, 1), {PARTNER}, [ref(1, first, PARTNER)]).is_repeat
    assert not judge(date(2024, 3, 2), {PARTNER}, [ref(1, first, PARTNER)]).is_repeat


def test_a_referral_on_29_february_runs_to_28_february_next_year() -> None:
    leap_day = date(2024, 2, 29)
    assert window_end(leap_day) == date(2025, 2, 28)
    assert judge(date(2025, 2, 28), {PARTNER}, [ref(1, leap_day, PARTNER)]).is_repeat
    assert not judge(date(2025, 3, 1), {PARTNER}, [ref(1, leap_day, PARTNER)]).is_repeat


def test_a_referral_on_28_february_before_a_leap_year_runs_to_28_february() -> None:
    assert window_end(date(2023, 2, 28)) == date(2024, 2, 28)
    assert not within_window(date(2023, 2, 28), date(2024, 2, 29))


def test_the_window_length_is_a_setting_in_months() -> None:
    six_months = RepeatRule(window_months=6)
    assert window_end(date(2023, 8, 31), six_months) == date(2024, 2, 29)
    earlier = [ref(1, date(2024, 1, 10), PARTNER)]
    assert judge(date(2024, 7, 10), {PARTNER}, earlier, window_months=6).is_repeat
    assert not judge(date(2024, 7, 11), {PARTNER}, earlier, window_months=6).is_repeat


def test_a_window_shorter_than_a_month_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one month"):
        RepeatRule(window_months=0)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 3, 31), 12, date(2025, 3, 31)),
        (date(2024, 5, 31), 1, date(2024, 6, 30)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_short_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


# ----- same victim, same perpetrator ---------------------------------------------------------


def test_one_shared_perpetrator_out_of_several_makes_a_repeat() -> None:
    earlier = [ref(1, date(2024, 1, 5), PARTNER, BROTHER)]
    verdict = judge(date(2024, 6, 1), {BROTHER, EX_PARTNER}, earlier)
    assert verdict.is_repeat
    assert verdict.previous_referral_id == 1
    assert not verdict.new_perpetrator


def test_naming_only_one_of_two_earlier_perpetrators_is_still_a_repeat() -> None:
    earlier = [ref(1, date(2024, 1, 5), PARTNER, BROTHER)]
    assert judge(date(2024, 6, 1), {PARTNER}, earlier).is_repeat


def test_a_new_perpetrator_within_the_year_is_not_a_repeat_but_is_flagged() -> None:
    earlier = [ref(1, date(2024, 1, 5), EX_PARTNER)]
    verdict = judge(date(2024, 6, 1), {PARTNER}, earlier)
    assert not verdict.is_repeat
    assert verdict.previous_referral_id is None
    assert verdict.new_perpetrator
    assert verdict.latest_in_window_id == 1


def test_a_new_perpetrator_after_the_year_is_not_flagged() -> None:
    earlier = [ref(1, date(2023, 1, 5), EX_PARTNER)]
    verdict = judge(date(2024, 6, 1), {PARTNER}, earlier)
    assert not verdict.is_repeat
    assert not verdict.new_perpetrator
    assert verdict.latest_in_window_id is None


def test_a_new_perpetrator_is_not_flagged_when_another_referral_in_the_window_shares_one() -> None:
    earlier = [ref(1, date(2024, 1, 5), EX_PARTNER), ref(2, date(2024, 3, 5), PARTNER)]
    verdict = judge(date(2024, 6, 1), {PARTNER}, earlier)
    assert verdict.is_repeat
    assert verdict.previous_referral_id == 2
    assert not verdict.new_perpetrator


def test_a_referral_naming_no_perpetrator_is_neither_repeat_nor_new_perpetrator() -> None:
    earlier = [ref(1, date(2024, 1, 5), PARTNER)]
    verdict = judge(date(2024, 2, 1), set(), earlier)
    assert not verdict.is_repeat
    assert not verdict.new_perpetrator
    assert verdict.latest_in_window_id == 1  # the coordinator still sees the recent referral


def test_when_the_setting_allows_any_perpetrator_every_recent_referral_counts() -> None:
    earlier = [ref(1, date(2024, 1, 5), EX_PARTNER)]
    verdict = judge(date(2024, 6, 1), {PARTNER}, earlier, same_perpetrator_required=False)
    assert verdict.is_repeat
    assert verdict.previous_referral_id == 1
    assert verdict.new_perpetrator  # still shown: the perpetrator is new


def test_other_victims_referrals_never_count() -> None:
    earlier = [ref(1, date(2024, 1, 5), PARTNER, victim=OTHER_VICTIM)]
    verdict = judge(date(2024, 2, 1), {PARTNER}, earlier)
    assert not verdict.is_repeat
    assert verdict.latest_in_window_id is None


# ----- the baseline is the most recent referral ------------------------------------------------


def test_a_chain_is_measured_from_the_latest_referral_not_the_first() -> None:
    # Each referral less than a year after the one before: all repeats, though the last is
    # more than two years after the first.
    history = [
        ref(1, date(2022, 1, 10), PARTNER),
        ref(2, date(2022, 12, 1), PARTNER),
        ref(3, date(2023, 11, 15), PARTNER),
        ref(4, date(2024, 11, 14), PARTNER),
    ]
    verdicts = assess_history(history)
    assert not verdicts[1].is_repeat
    assert [verdicts[i].previous_referral_id for i in (2, 3, 4)] == [1, 2, 3]
    assert all(verdicts[i].is_repeat for i in (2, 3, 4))


def test_the_previous_referral_is_the_most_recent_with_a_shared_perpetrator() -> None:
    earlier = [
        ref(1, date(2024, 1, 5), PARTNER),
        ref(2, date(2024, 2, 5), EX_PARTNER),
        ref(3, date(2024, 3, 5), PARTNER),
        ref(4, date(2024, 4, 5), EX_PARTNER),
    ]
    verdict = judge(date(2024, 6, 1), {PARTNER}, earlier)
    assert verdict.previous_referral_id == 3
    assert verdict.latest_in_window_id == 4


def test_a_break_of_more_than_a_year_ends_the_chain() -> None:
    history = [
        ref(1, date(2022, 1, 10), PARTNER),
        ref(2, date(2023, 1, 11), PARTNER),  # 12 months and a day later: new
        ref(3, date(2023, 6, 1), PARTNER),
    ]
    verdicts = assess_history(history)
    assert not verdicts[2].is_repeat
    assert verdicts[3].previous_referral_id == 2


# ----- referrals on the same day --------------------------------------------------------------


def test_two_referrals_on_the_same_day_are_taken_in_the_order_entered() -> None:
    day = date(2024, 5, 1)
    history = [ref(7, day, PARTNER), ref(8, day, PARTNER)]
    verdicts = assess_history(history)
    assert not verdicts[7].is_repeat
    assert verdicts[8].is_repeat
    assert verdicts[8].previous_referral_id == 7


def test_a_referral_not_yet_saved_comes_after_every_saved_one_that_day() -> None:
    day = date(2024, 5, 1)
    verdict = assess_repeat(day, VICTIM, {PARTNER}, [ref(7, day, PARTNER)])
    assert verdict.is_repeat
    assert verdict.previous_referral_id == 7


def test_later_referrals_and_the_referral_itself_are_ignored() -> None:
    day = date(2024, 5, 1)
    history = [ref(5, day, PARTNER), ref(6, day, PARTNER), ref(9, date(2024, 6, 1), PARTNER)]
    verdict = assess_repeat(day, VICTIM, {PARTNER}, history, referral_id=5)
    assert not verdict.is_repeat
    assert verdict.latest_in_window_id is None


# ----- properties ------------------------------------------------------------------------------

days = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))
perp_sets = st.frozensets(st.integers(min_value=1, max_value=5), max_size=3)
histories = st.lists(st.tuples(days, perp_sets), min_size=0, max_size=12)


def _facts(rows: list[tuple[date, frozenset[int]]]) -> list[ReferralFacts]:
    return [ReferralFacts(i + 1, day, VICTIM, perps) for i, (day, perps) in enumerate(rows)]


def _anniversary_inclusive(previous: date, new: date) -> bool:
    """The rule spelled out differently: not later than the same date a year on, where a
    missing 29 February is taken as 28 February."""
    try:
        anniversary = previous.replace(year=previous.year + 1)
    except ValueError:
        anniversary = date(previous.year + 1, 2, 28)
    return previous <= new <= anniversary


@given(histories, days, perp_sets)
def test_repeat_exactly_when_some_earlier_referral_shares_a_perpetrator_within_a_year(
    rows: list[tuple[date, frozenset[int]]], day: date, perps: frozenset[int]
) -> None:
    earlier = _facts(rows)
    verdict = assess_repeat(day, VICTIM, perps, earlier)
    qualifying = [
        f
        for f in earlier
        if f.perpetrator_ids & perps and _anniversary_inclusive(f.referral_date, day)
    ]
    assert verdict.is_repeat == bool(qualifying)
    if qualifying:
        latest = max(qualifying, key=lambda f: (f.referral_date, f.referral_id))
        assert verdict.previous_referral_id == latest.referral_id
    else:
        assert verdict.previous_referral_id is None


@given(histories, days, perp_sets)
def test_new_perpetrator_flag_means_a_recent_referral_and_no_shared_perpetrator(
    rows: list[tuple[date, frozenset[int]]], day: date, perps: frozenset[int]
) -> None:
    earlier = _facts(rows)
    verdict = assess_repeat(day, VICTIM, perps, earlier)
    in_window = [f for f in earlier if _anniversary_inclusive(f.referral_date, day)]
    expected = (
        bool(perps) and bool(in_window) and not any(f.perpetrator_ids & perps for f in in_window)
    )
    assert verdict.new_perpetrator == expected
    assert not (verdict.new_perpetrator and verdict.is_repeat)


@given(histories, days, perp_sets, st.randoms(use_true_random=False))
def test_the_order_earlier_referrals_are_given_in_does_not_matter(
    rows: list[tuple[date, frozenset[int]]],
    day: date,
    perps: frozenset[int],
    rnd: random.Random,
) -> None:
    earlier = _facts(rows)
    shuffled = list(earlier)
    rnd.shuffle(shuffled)
    assert assess_repeat(day, VICTIM, perps, earlier) == assess_repeat(day, VICTIM, perps, shuffled)


@given(histories, days, perp_sets)
def test_the_loose_setting_finds_every_strict_repeat_and_more(
    rows: list[tuple[date, frozenset[int]]], day: date, perps: frozenset[int]
) -> None:
    earlier = _facts(rows)
    strict = assess_repeat(day, VICTIM, perps, earlier)
    loose = assess_repeat(day, VICTIM, perps, earlier, RepeatRule(same_perpetrator_required=False))
    assert loose.is_repeat >= strict.is_repeat
    assert loose.is_repeat == (strict.latest_in_window_id is not None)


@given(histories)
def test_a_history_judged_at_once_matches_each_referral_judged_as_it_arrived(
    rows: list[tuple[date, frozenset[int]]],
) -> None:
    facts = sorted(_facts(rows), key=lambda f: (f.referral_date, f.referral_id))
    at_once = assess_history(reversed(facts))
    for index, f in enumerate(facts):
        one_by_one = assess_repeat(
            f.referral_date, VICTIM, f.perpetrator_ids, facts[:index], referral_id=f.referral_id
        )
        assert at_once[f.referral_id] == one_by_one
