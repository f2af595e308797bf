"""The quarterly indicators' arithmetic (DOMAIN.md §6), read as the rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.core.indicators import (
    DEFAULT_BANDS,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    INDICATORS,
    Band,
    IndicatorKind,
    Position,
    age_at,
    band_note,
    change_pct,
    count_referral_sources,
    indicator,
    indicator_note,
    is_aged_16_17,
    is_aged_17_or_under,
    non_police_pct,
    percent,
    rate_per_10k,
    round_half_up,
    share,
)

# ----- percentages: half-up, never banker's rounding -----------------------------------------


def test_a_half_percent_rounds_up() -> None:
    assert percent(1, 8) == 13  # 12.5%
    assert percent(1, 40) == 3  # 2.5% (banker's rounding would say 2)
    assert round(2.5) == 2  # ...which is what Python's round() does, and why we do not use it


def test_half_a_case_from_a_joint_referral_counts_exactly() -> None:
    assert percent(Decimal("0.5"), 4) == 13  # 12.5%
    assert percent(Decimal("2.5"), 20) == 13  # 12.5%
    assert percent(Fraction(1, 2), 100) == 1  # 0.5%


def test_just_under_a_half_rounds_down() -> None:
    assert percent(1249, 10_000) == 12  # 12.49%


def test_there_is_no_percentage_of_nothing() -> None:
    assert percent(0, 0) is None
    assert percent(0, 10) == 0


def test_a_fall_rounds_away_from_zero_like_a_rise() -> None:
    assert round_half_up(Decimal("-12.5")) == Decimal(-13)
    assert change_pct(35, 40) == -13  # -12.5%
    assert change_pct(45, 40) == 13  # +12.5%


def test_floats_are_refused_because_reports_must_add_up() -> None:
    with pytest.raises(TypeError, match="not float"):
        percent(0.5, 4)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_percent_is_the_exact_share_rounded_half_up(part: int, whole: int) -> None:
    exact = Fraction(part * 100, whole)
    result = percent(part, whole)
    assert result is not None
    assert result - Fraction(1, 2) <= exact < result + Fraction(1, 2)


# ----- rates and change -----------------------------------------------------------------------


def test_cases_per_10000_adult_women_to_one_decimal_place_half_up() -> None:
    assert rate_per_10k(47, 10_000) == Decimal("47.0")
    assert rate_per_10k(412, 87_650) == Decimal("47.0")  # 47.005...
    assert rate_per_10k(1, 40_000) == Decimal("0.3")  # 0.25 rounds up
    assert rate_per_10k(10, 0) is None


def test_year_on_year_change_needs_a_figure_a_year_earlier() -> None:
    assert change_pct(120, 100) == 20
    assert change_pct(100, 100) == 0
    assert change_pct(12, 0) is None


# ----- referral sources -----------------------------------------------------------------------


def test_a_joint_referral_counts_half_to_each_source() -> None:
    counts = count_referral_sources(
        [("Police",), ("Police", "IDVA"), ("Housing", "Education"), ("Police",)]
    )
    assert counts["Police"] == Decimal("2.5")
    assert counts["IDVA"] == Decimal("0.5")
    assert counts["Housing"] == Decimal("0.5")
    assert counts["Education"] == Decimal("0.5")
    assert sum(counts.values()) == 4  # the counts still add up to the number of referrals


def test_every_category_is_listed_in_the_returns_order_even_when_zero() -> None:
    counts = count_referral_sources([("MASH",)])
    assert list(counts) == list(REFERRAL_SOURCE_CATEGORIES)
    assert counts["Other"] == 0


def test_two_agencies_of_one_category_refer_one_whole_referral_to_it() -> None:
    assert count_referral_sources([("Voluntary Sector", "Voluntary Sector")])[
        "Voluntary Sector"
    ] == Decimal(1)


def test_a_single_source_may_be_given_as_a_plain_string() -> None:
    assert count_referral_sources(["Police"])["Police"] == 1


def test_non_police_share_counts_the_other_half_of_a_police_joint_referral() -> None:
    counts = count_referral_sources([("Police",), ("Police", "IDVA"), ("Housing",), ("IDVA",)])
    assert non_police_pct(counts) == 63  # 2.5 of 4 = 62.5%


def test_non_police_share_of_no_referrals_is_none() -> None:
    assert non_police_pct(count_referral_sources([])) is None


@pytest.mark.parametrize(
    ("referrals", "complaint"),
    [
        ([("Polce",)], 'Referral 1: "Polce" is not one of the referral-source categories'),
        ([("Police",), ()], "Referral 2 has 0 referring agencies"),
        ([("Police", "IDVA", "MASH")], "has 3 referring agencies"),
    ],
)
def test_an_impossible_source_is_refused_naming_the_referral(
    referrals: list[tuple[str, ...]], complaint: str
) -> None:
    with pytest.raises(ValueError) as caught:
        count_referral_sources(referrals)
    assert complaint in str(caught.value)


@given(
    st.lists(
        st.lists(st.sampled_from(REFERRAL_SOURCE_CATEGORIES), min_size=1, max_size=2),
        max_size=60,
    )
)
def test_source_counts_always_add_up_to_the_referrals(referrals: list[list[str]]) -> None:
    counts = count_referral_sources(referrals)
    assert sum(counts.values()) == len(referrals)
    assert all(n % Decimal("0.5") == 0 for n in counts.values())


# ----- not known / not stated -----------------------------------------------------------------


def test_a_characteristic_is_reported_against_everyone_and_against_the_known() -> None:
    disabled = share({"yes": 12, "no": 80, "not_known": 5, "not_stated": 3})
    assert (disabled.count, disabled.known, disabled.unknown, disabled.total) == (12, 92, 8, 100)
    assert disabled.pct_of_all == 12  # the published figure
    assert disabled.pct_of_known == 13  # 13.04%
    assert disabled.pct_unknown == 8


def test_a_multi_category_characteristic_names_its_positive_answers() -> None:
    ethnicity = {"white_british": 60, "black": 10, "asian": 20, "mixed": 5, "not_stated": 5}
    minoritised = share(ethnicity, positive=("black", "asian", "mixed"))
    assert minoritised.pct_of_all == 35
    assert minoritised.pct_of_known == 37  # 35 of 95 = 36.8%


def test_nobody_recorded_gives_no_percentages() -> None:
    empty = share({})
    assert (empty.pct_of_all, empty.pct_of_known, empty.pct_unknown) == (None, None, None)


def test_an_answer_cannot_be_both_positive_and_unknown() -> None:
    with pytest.raises(ValueError, match="both"):
        share({"yes": 1}, positive=("yes", "not_known"))


# ----- expected bands -------------------------------------------------------------------------


def test_the_band_note_says_where_the_figure_sits() -> None:
    repeats = DEFAULT_BANDS["repeat_rate_pct"]
    assert band_note("Repeat rate", 22, repeats, "%") == (
        "Repeat rate 22% is below the expected 28–40%"
    )
    assert indicator_note("repeat_rate_pct", 31) == "Repeat rate 31% is within the expected 28–40%"
    assert indicator_note("male_victims_pct", 12) == "Male victims 12% is above the expected 5–10%"


def test_both_ends_of_a_band_are_within_it() -> None:
    repeats = DEFAULT_BANDS["repeat_rate_pct"]
    assert repeats.position(28) is Position.WITHIN
    assert repeats.position(40) is Position.WITHIN
    assert repeats.position(Decimal("27.9")) is Position.BELOW
    assert repeats.position(41) is Position.ABOVE
    assert DEFAULT_BANDS["lgbt_victims_pct"].position(Decimal("2.5")) is Position.WITHIN


def test_an_open_ended_band_reads_as_a_minimum() -> None:
    assert indicator_note("disabled_victims_pct", 15) == (
        "Disabled victims 15% is below the expected minimum of 19%"
    )
    assert indicator_note("disabled_victims_pct", 31) == (
        "Disabled victims 31% meets the expected minimum of 19%"
    )
    assert indicator_note("cases_per_10k_women", Decimal("35.2")) == (
        "Cases per 10,000 adult women 35.2 is below the expected minimum of 40"
    )
    assert DEFAULT_BANDS["disabled_victims_pct"].describe("%") == "19% or more"


def test_a_band_with_only_a_maximum() -> None:
    cap = Band(high=Decimal(10))
    assert band_note("X", 12, cap, "%") == "X 12% is above the expected maximum of 10%"
    assert band_note("X", 7, cap, "%") == "X 7% is within the expected maximum of 10%"
    assert cap.describe("%") == "10% or less"


def test_a_band_must_make_sense() -> None:
    with pytest.raises(ValueError, match="needs"):
        Band()
    with pytest.raises(ValueError, match="cannot run"):
        Band(Decimal(40), Decimal(28))


def test_an_indicator_without_a_band_has_no_note() -> None:
    assert indicator_note("referrals", 120) is None
    assert indicator_note("repeat_rate_pct", None) is None


# ----- the indicator list (the CSV contract) --------------------------------------------------


def test_the_indicator_keys_are_fixed_and_in_order() -> None:
    assert INDICATOR_KEYS == (
        "referrals",
        "cases_heard",
        "meetings_held",
        "repeat_referrals",
        "repeat_rate_pct",
        "children_in_household",
        "families_with_children",
        "cases_per_10k_women",
        "non_police_referrals_pct",
        "bame_victims_pct",
        "lgbt_victims_pct",
        "disabled_victims_pct",
        "male_victims_pct",
        "victims_16_17",
        "perpetrators_under_18",
    )
    assert list(INDICATOR_LABELS) == list(INDICATOR_KEYS)
    assert all(label.strip() for label in INDICATOR_LABELS.values())


def test_percent_indicators_are_the_ones_keyed_pct() -> None:
    for item in INDICATORS:
        assert (item.kind is IndicatorKind.PERCENT) == item.key.endswith("_pct")
    assert indicator("cases_per_10k_women").kind is IndicatorKind.RATE


def test_every_default_band_belongs_to_an_indicator() -> None:
    assert set(DEFAULT_BANDS) <= set(INDICATOR_KEYS)
    with pytest.raises(KeyError, match="not an indicator"):
        indicator("repeat_pct")


# ----- ages on the referral date --------------------------------------------------------------


def test_a_victim_is_16_from_their_sixteenth_birthday() -> None:
    dob = date(2008, 6, 15)
    assert age_at(dob, date(2024, 6, 14)) == 15
    assert age_at(dob, date(2024, 6, 15)) == 16
    assert not is_aged_16_17(dob, date(2024, 6, 14))
    assert is_aged_16_17(dob, date(2024, 6, 15))


def test_a_victim_is_no_longer_16_17_on_their_eighteenth_birthday() -> None:
    dob = date(2006, 6, 15)
    assert is_aged_16_17(dob, date(2024, 6, 14))
    assert not is_aged_16_17(dob, date(2024, 6, 15))


def test_a_perpetrator_aged_17_or_under_is_under_18_on_the_referral_date() -> None:
    dob = date(2006, 6, 15)
    assert is_aged_17_or_under(dob, date(2024, 6, 14))
    assert not is_aged_17_or_under(dob, date(2024, 6, 15))
    assert is_aged_17_or_under(date(2012, 1, 1), date(2024, 6, 15))  # 12 counts too


def test_someone_born_on_29_february_turns_older_on_1_march_in_other_years() -> None:
    dob = date(2008, 2, 29)
    assert age_at(dob, date(2026, 2, 28)) == 17
    assert age_at(dob, date(2026, 3, 1)) == 18
    assert is_aged_16_17(dob, date(2026, 2, 28))
    assert not is_aged_16_17(dob, date(2026, 3, 1))
    assert age_at(dob, date(2024, 2, 29)) == 16  # a leap year has the birthday itself
    assert age_at(dob, date(2024, 2, 28)) == 15


def test_a_date_of_birth_after_the_referral_is_refused() -> None:
    with pytest.raises(ValueError, match="after"):
        age_at(date(2024, 6, 2), date(2024, 6, 1))
