"""The small calculations behind the quarterly indicators (DOMAIN.md §6).

Rules a coordinator or the steering group may ask about:

- **Percentages** are worked out from the counts, exactly, and rounded **half-up** to a whole
  percent: 12.5% is 13%, 2.5% is 3% (never "banker's rounding", which would give 12% and 2%). A
  negative change rounds the same way, away from zero: -12.5% is -13%. No percentage of nothing:
  with a zero denominator the answer is None, shown as a dash.
- **Cases per 10,000 adult women** = cases × 10,000 ÷ adult women, to one decimal place, half-up.
- **Year-on-year change** = (this period − the same period a year earlier) ÷ the earlier figure,
  as a whole percent; None when the earlier figure is zero.
- **Referral sources** are counted over the 14 SafeLives categories; a **joint referral counts 0.5
  to each** of its two sources, so the counts add up to the number of referrals. "% from agencies
  other than police" is everything that is not the police's share (a police–IDVA joint referral
  adds 0.5 to it).
- **Not known / not stated**: a characteristic is reported against all victims (the published
  figure) and against those whose answer is known, and the unknown share is shown beside it, so a
  low figure caused by poor recording is visible as such.
- **Expected bands** (SafeLives): repeats 28–40%, LGBT+ 2.5–5.8%, disabled 19% or more, male
  5–10%, cases per 10,000 adult women at least 40 (national ≈47). A band is compared with the
  figure as printed, so the note never contradicts the table.
- **Ages** are whole years on the referral date; a birthday counts from the day itself, and
  someone born on 29 February turns a year older on 1 March in other years (as the store's
  validation counts them). "Aged 16–17" and "aged 17 or under" are judged on the referral date.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.core.referral_rules import YOUNG_PERPETRATOR_MAX_AGE, YOUNG_VICTIM_AGES, age_on
from marac_desk.core.vocab import NOT_KNOWN, NOT_STATED, YES

# A count may be a half (joint referrals), so Decimal and Fraction are welcome; float is refused
# because 0.1 + 0.2 is not 0.3 and a report must add up.
Number = int | Decimal | Fraction

POLICE = "Police"
JOINT_SHARE = Decimal("0.5")


# ----- rounding -------------------------------------------------------------------------------


def exact(value: Number) -> Fraction:
    """The value as an exact fraction; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        raise TypeError(f"Use an int, Decimal or Fraction, not {type(value).__name__}.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{value} is not a number a report can show.")
    return Fraction(value)


def round_half_up(value: Number, places: int = 0) -> Decimal:
    """Round to `places` decimals, halves away from zero: 12.5 → 13, -12.5 → -13, 0.25 → 0.3."""
    scaled = exact(value) * 10**places
    magnitude = int(abs(scaled) + Fraction(1, 2))  # int() floors a non-negative Fraction
    whole = magnitude if scaled >= 0 else -magnitude
    return Decimal(whole).scaleb(-places)


def percent(part: Number, whole: Number) -> int | None:
    """`part` as a whole percent of `whole`, half-up; None when `whole` is zero."""
    if exact(whole) == 0:
        return None
    return int(round_half_up(exact(part) * 100 / exact(whole)))


def rate_per_10k(cases: Number, population: Number) -> Decimal | None:
    """Cases per 10,000 people (adult women), one decimal place, half-up; None without people."""
    if exact(population) <= 0:
        return None
    return round_half_up(exact(cases) * 10_000 / exact(population), 1)


def change_pct(current: Number, previous: Number) -> int | None:
    """Year-on-year change as a whole percent (negative for a fall); None when `previous` is 0."""
    if exact(previous) == 0:
        return None
    return int(round_half_up((exact(current) - exact(previous)) * 100 / exact(previous)))


# ----- referral sources -----------------------------------------------------------------------


def count_referral_sources(
    referrals: Iterable[Sequence[str]],
    categories: Sequence[str] = REFERRAL_SOURCE_CATEGORIES,
) -> dict[str, Decimal]:
    """Referrals per source category, every category present (zeros too), in the return's order.

    Each referral is given as the categories of its referring agencies: one, or two for a joint
    referral, which counts 0.5 to each (both halves go to the same category when two agencies of
    one category refer together).
    """
    counts = dict.fromkeys(categories, Decimal(0))
    for position, given in enumerate(referrals, start=1):
        # A bare string would otherwise be read letter by letter.
        sources = (given,) if isinstance(given, str) else tuple(given)
        if not 1 <= len(sources) <= 2:
            raise ValueError(
                f"Referral {position} has {len(sources)} referring agencies; a referral has one, "
                "or two when it is a joint referral."
            )
        share = Decimal(1) if len(sources) == 1 else JOINT_SHARE
        for source in sources:
            if source not in counts:
                raise ValueError(
                    f'Referral {position}: "{source}" is not one of the referral-source categories.'
                )
            counts[source] += share
    return counts


def non_police_pct(counts: Mapping[str, Number]) -> int | None:
    """% of referrals made by agencies other than the police (joint halves included)."""
    total = sum((exact(n) for n in counts.values()), Fraction(0))
    return percent(total - exact(counts.get(POLICE, 0)), total)


# ----- known and unknown ----------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """How many have a characteristic, out of everyone and out of those whose answer is known."""

    count: int
    known: int
    unknown: int  # not known + not stated

    @property
    def total(self) -> int:
        return self.known + self.unknown

    @property
    def pct_of_all(self) -> int | None:
        """The published figure: out of everyone, unknowns included."""
        return percent(self.count, self.total)

    @property
    def pct_of_known(self) -> int | None:
        """Out of those whose answer is known."""
        return percent(self.count, self.known)

    @property
    def pct_unknown(self) -> int | None:
        """The share not known or not stated."""
        return percent(self.unknown, self.total)


def share(
    counts: Mapping[str, int],
    positive: Collection[str] = (YES,),
    unknown: Collection[str] = (NOT_KNOWN, NOT_STATED),
) -> Share:
    """Summarise answer counts, e.g. {"yes": 12, "no": 80, "not_known": 8} for "disabled".

    `positive` are the answers that have the characteristic (for ethnicity, every minoritised
    category); `unknown` are those that say nothing either way; every other answer is known.
    """
    if set(positive) & set(unknown):
        raise ValueError("An answer cannot both have the characteristic and be unknown.")
    for answer, n in counts.items():
        if n < 0:
            raise ValueError(f'The count for "{answer}" is negative.')
    unknown_n = sum(n for answer, n in counts.items() if answer in unknown)
    known_n = sum(n for answer, n in counts.items() if answer not in unknown)
    count_n = sum(n for answer, n in counts.items() if answer in positive)
    return Share(count=count_n, known=known_n, unknown=unknown_n)


# ----- expected bands -------------------------------------------------------------------------


class Position(StrEnum):
    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"


@dataclass(frozen=True)
class Band:
    """An expected range; either end may be open ("19% or more" has no upper end)."""

    low: Decimal | None = None
    high: Decimal | None = None

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError("A band needs a low end, a high end, or both.")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"A band cannot run from {self.low} down to {self.high}.")

    def position(self, value: Number) -> Position:
        """Both ends are inside the band: 28% and 40% are within 28–40%."""
        figure = exact(value)
        if self.low is not None and figure < exact(self.low):
            return Position.BELOW
        if self.high is not None and figure > exact(self.high):
            return Position.ABOVE
        return Position.WITHIN

    def describe(self, unit: str = "") -> str:
        """As an "expected" column prints it: "28–40%", "19% or more", "10% or less"."""
        if self.low is not None and self.high is not None:
            return f"{_plain(self.low)}–{_plain(self.high)}{unit}"
        if self.low is not None:
            return f"{_plain(self.low)}{unit} or more"
        assert self.high is not None
        return f"{_plain(self.high)}{unit} or less"


def band_note(label: str, value: Number, band: Band, unit: str = "") -> str:
    """The note printed beside a figure, e.g. "Repeat rate 22% is below the expected 28–40%".

    One-sided bands read "… is below the expected minimum of 19%" / "… meets the expected minimum
    of 19%", and "… is above the expected maximum of 10%" / "… is within the expected maximum of
    10%".
    """
    where = band.position(value)
    figure = f"{label} {_plain(value)}{unit}"
    if band.low is not None and band.high is not None:
        return f"{figure} is {where} the expected {band.describe(unit)}"
    if band.low is not None:
        verb = "meets" if where is Position.WITHIN else f"is {where}"
        return f"{figure} {verb} the expected minimum of {_plain(band.low)}{unit}"
    assert band.high is not None
    return f"{figure} is {where} the expected maximum of {_plain(band.high)}{unit}"


def _plain(value: Number) -> str:
    """12, 2.5, 47.3: no exponent, no trailing zeros (a fraction to one decimal place)."""
    figure = exact(value)
    if figure.denominator == 1:
        return str(figure.numerator)
    decimal = Decimal(figure.numerator) / Decimal(figure.denominator)
    if decimal * figure.denominator != figure.numerator:  # does not terminate: one place
        decimal = round_half_up(figure, 1)
    return f"{decimal.normalize():f}"


# ----- the indicators of the quarterly return -------------------------------------------------


class IndicatorKind(StrEnum):
    COUNT = "count"
    PERCENT = "percent"  # whole percent, half-up
    RATE = "rate"  # per 10,000, one decimal place


@dataclass(frozen=True)
class Indicator:
    key: str  # stable snake_case key: the CSV contract uses it, never rename one
    label: str  # how a report names it
    kind: IndicatorKind

    @property
    def unit(self) -> str:
        return "%" if self.kind is IndicatorKind.PERCENT else ""


INDICATORS: tuple[Indicator, ...] = (
    Indicator("referrals", "Referrals", IndicatorKind.COUNT),
    Indicator("cases_heard", "Cases heard", IndicatorKind.COUNT),
    Indicator("meetings_held", "Meetings held", IndicatorKind.COUNT),
    Indicator("repeat_referrals", "Repeat referrals", IndicatorKind.COUNT),
    Indicator("repeat_rate_pct", "Repeat rate", IndicatorKind.PERCENT),
    Indicator("children_in_household", "Children in the households", IndicatorKind.COUNT),
    Indicator("families_with_children", "Families with children", IndicatorKind.COUNT),
    Indicator("cases_per_10k_women", "Cases per 10,000 adult women", IndicatorKind.RATE),
    Indicator(
        "non_police_referrals_pct",
        "Referrals from agencies other than police",
        IndicatorKind.PERCENT,
    ),
    Indicator(
        "bame_victims_pct", "Victims Black, Asian or racially minoritised", IndicatorKind.PERCENT
    ),
    Indicator("lgbt_victims_pct", "LGBT+ victims", IndicatorKind.PERCENT),
    Indicator("disabled_victims_pct", "Disabled victims", IndicatorKind.PERCENT),
    Indicator("male_victims_pct", "Male victims", IndicatorKind.PERCENT),
    Indicator("victims_16_17", "Victims aged 16–17", IndicatorKind.COUNT),
    Indicator("perpetrators_under_18", "Perpetrators aged 17 or under", IndicatorKind.COUNT),
)
INDICATOR_KEYS: tuple[str, ...] = tuple(item.key for item in INDICATORS)
INDICATOR_LABELS: Mapping[str, str] = MappingProxyType({i.key: i.label for i in INDICATORS})
_BY_KEY: Mapping[str, Indicator] = MappingProxyType({i.key: i for i in INDICATORS})

DEFAULT_BANDS: Mapping[str, Band] = MappingProxyType(
    {
        "repeat_rate_pct": Band(Decimal(28), Decimal(40)),
        "cases_per_10k_women": Band(low=Decimal(40)),  # SafeLives' recommended level; fewer
        # suggests victims are not being identified, more is not a concern in itself
        "lgbt_victims_pct": Band(Decimal("2.5"), Decimal("5.8")),
        "disabled_victims_pct": Band(low=Decimal(19)),
        "male_victims_pct": Band(Decimal(5), Decimal(10)),
    }
)


def indicator(key: str) -> Indicator:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f'"{key}" is not an indicator of the quarterly return.') from None


def indicator_note(
    key: str, value: Number | None, bands: Mapping[str, Band] = DEFAULT_BANDS
) -> str | None:
    """The band note for an indicator's printed figure; None without a band or a figure."""
    band = bands.get(key)
    if band is None or value is None:
        return None
    item = indicator(key)
    return band_note(item.label, value, band, item.unit)


# ----- ages -----------------------------------------------------------------------------------


def age_at(dob: date, day: date) -> int:
    """Age in whole years on `day` (29 February birthdays count from 1 March in other years)."""
    if dob > day:
        raise ValueError(f"The date of birth {dob.isoformat()} is after {day.isoformat()}.")
    return age_on(dob, day)


def is_aged_16_17(dob: date, referral_date: date) -> bool:
    """A victim counted among those aged 16–17: 16 or 17 on the referral date."""
    return age_at(dob, referral_date) in YOUNG_VICTIM_AGES


def is_aged_17_or_under(dob: date, referral_date: date) -> bool:
    """A perpetrator counted as aged 17 or under (under 18) on the referral date."""
    return age_at(dob, referral_date) <= YOUNG_PERPETRATOR_MAX_AGE
