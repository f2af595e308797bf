"""Is this the same person? Scoring a typed person against people already in the store.

A false link joins one person's abuse history to a stranger's (a data-protection breach that can
put someone in danger); a missed link hides a repeat. So matching *proposes* with reasons and the
coordinator decides, except at overwhelming confidence.

The score is a sum of evidence weights in the Fellegi–Sunter spirit: each field's level of
agreement adds (or, for clear disagreement, subtracts) weight; every line of evidence is
explained in words. A candidate is shown for review from REVIEW_AT. It is a LINK (may be linked
without asking) only on one of four paths, each overwhelming and specific:

- *same date of birth*: names agree (allowing known variants and small typos) and the total
  reaches LINK_AT;
- *a slip in the date of birth* (one digit, day and month swapped, two adjacent digits
  transposed, or a year out on the same day and month; never decades apart): the first name is
  the same or a known variant, the surname agrees, the postcode or the address agrees, and the
  total reaches LINK_AT;
- *a changed surname*: same first name (or a known variant), same date of birth and same
  postcode (and the same address where both have one);
- *named together before* (`SeenWith`): the candidate was on an earlier referral with someone
  this referral is already linked to (the same victim, or the same perpetrator), the first name
  is the same or a known variant, the surname agrees (or, with the same date of birth, has
  changed), and no date of birth disagrees (none to compare is enough: perpetrators' dates of
  birth are often unknown).

Whatever the path, twins stay apart: a first name that disagrees never links, nor one that
differs only by a final vowel (Daniel / Daniela, Louis / Louise: often a brother and sister),
nor two first names that look or sound alike but are each a name in its own right and not
known variants of one name (Jon / Joan, Tom / Tim). Common names with different dates of birth
stay apart, and two candidates at link strength are asked about, not linked (the caller's
rule).

How common a spelling is counts when the caller passes `NameCounts` (how many people in the
store go by each spelling): a name that differs from the candidate's by a typo, where the typed
spelling is one nobody in the store goes by (and, for a first name, not a known given name in
its own right), weighs like a known variant instead of a typo, so "Sarah Jnoes" with Sarah
Jones's date of birth can link when no Jnoes is known. Without counts, typos weigh as typos.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from itertools import count
from operator import ne
from typing import Any

import jellyfish
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from marac_desk.core.identifiers import KIND_WORDS, NHS, REFERENCE, kind_of
from marac_desk.core.names import (
    compact,
    metaphone,
    name_family,
    nickname_roots,
    skeleton,
    squeeze,
    without_particles,
)


@dataclass(frozen=True)
class NameForm:
    first: str
    last: str


@dataclass(frozen=True, slots=True)
class PersonEvidence:
    """What matching knows about one person: every name and DOB it has been recorded under."""

    person_id: int | None
    names: tuple[NameForm, ...]
    dobs: tuple[date, ...] = ()
    postcodes: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    # Agencies' identifiers, as `core.identifiers` stores them ("nhs:9434765919").
    identifiers: tuple[str, ...] = ()
    # The comparable forms, worked out once per evidence the first time it is compared, and
    # their screen's `tag_bits` (kept here too: `rank` tests long shortlists on them alone).
    _prepared: _Prepared | None = field(default=None, init=False, repr=False, compare=False)
    _bits: int = field(default=0, init=False, repr=False, compare=False)


@dataclass(frozen=True)
class SeenWith:
    """The people named on earlier referrals alongside someone this referral is already linked
    to (the perpetrators of the same victim, or the victims of the same perpetrator). A victim
    naming the same abuser again is strong evidence, so one of these people may link on names
    alone; `reason` says so in words ("named with the same victim before")."""

    people: frozenset[int]
    reason: str

    @classmethod
    def of(cls, people: Iterable[int], *, victims: bool) -> SeenWith | None:
        """The people named before with a referral's linked victims (`victims`) or
        perpetrators; None when there are none."""
        named = frozenset(people)
        if not named:
            return None
        return cls(named, SEEN_WITH_VICTIM if victims else SEEN_WITH_PERPETRATOR)


SEEN_WITH_VICTIM = "named with the same victim before"
SEEN_WITH_PERPETRATOR = "named with the same perpetrator before"
SEEN_WITH_MATCHING_PERPETRATOR = "named before with a perpetrator who matches this one"


class Decision(StrEnum):
    LINK = "link"  # overwhelming: may be linked without asking
    REVIEW = "review"  # plausible: the coordinator decides
    DISTINCT = "distinct"  # not worth showing


@dataclass(frozen=True)
class MatchResult:
    person_id: int | None
    weight: float
    score: int  # 0..100 for display
    decision: Decision
    reasons: tuple[str, ...]
    # The dates of birth agree: the same, or a slip of the pen (not merely "nearly").
    dob_agrees: bool = False


@dataclass
class NameCounts:
    """How many people in the store go by each spelling (`names.compact` form), given names and
    surnames apart, aliases included. Optional evidence for `compare` and `rank`: a typo whose
    spelling nobody goes by is a slip of the pen rather than another person's name."""

    given: dict[str, int] = field(default_factory=dict)
    family: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, people: Iterable[PersonEvidence]) -> NameCounts:
        counts = cls()
        for person in people:
            counts.add(person)
        return counts

    @classmethod
    def of_keys(cls, held: Mapping[str, int]) -> NameCounts:
        """From how many people hold each of some `name_count_keys` (a store's count)."""
        counts = cls()
        for key, n in held.items():
            kind, _, spelling = key.partition(":")
            if n > 0 and spelling:
                (counts.given if kind == "g" else counts.family)[spelling] = n
        return counts

    def add(self, person: PersonEvidence, times: int = 1) -> None:
        """Count a person's spellings (`times=-1` takes them out again)."""
        names = person.names
        if len(names) == 1:
            _count(self.given, (compact(names[0].first),), times)
            _count(self.family, (compact(names[0].last),), times)
        else:
            _count(self.given, {compact(n.first) for n in names}, times)
            _count(self.family, {compact(n.last) for n in names}, times)


# Spellings are counted by their first COUNTED characters (what a 60-character key holds).
COUNTED = 58


def _count(table: dict[str, int], spellings: Iterable[str], times: int) -> None:
    for spelling in spellings:
        if spelling:
            counted = spelling[:COUNTED]
            left = table.get(counted, 0) + times
            if left > 0:
                table[counted] = left
            else:
                table.pop(counted, None)


# ----- weights -------------------------------------------------------------------------------

W_FIRST = {"exact": 4.0, "variant": 3.2, "sound": 2.6, "typo": 2.2, "close": 0.6, "initial": 0.8}
W_FIRST_DIFFERENT = -4.0
W_LAST = {"exact": 4.5, "variant": 3.6, "sound": 3.0, "typo": 2.6, "close": 0.8}
W_LAST_DIFFERENT = -1.5  # surnames change (marriage, separation): weak evidence against
W_SWAPPED_PENALTY = 0.6
# "far": one digit of the year wrong, more than ten years apart (could be a parent and child):
# weighed like a slip for review, never a slip for a link.
W_DOB = {
    "exact": 5.0,
    "swapped": 3.8,
    "digit": 3.2,
    "transposed": 3.2,
    "year": 3.2,
    "far": 3.2,
    "near": 1.5,
}
W_DOB_DIFFERENT = -5.0
W_POSTCODE = {"exact": 2.0, "sector": 0.8}
W_ADDRESS = 1.5
W_SEEN_WITH = 3.0
# The same NHS number is overwhelming (national, checked); the same agency person ID strong
# (two agencies may number people alike). Agency person IDs that differ say nothing (another
# agency's, or a typo: no check digit); two valid NHS numbers that differ are two people.
W_IDENTIFIER = {
    "same nhs": 9.0,
    "same ref": 6.0,
    "typo": 0.0,
    "different": 0.0,
    "different nhs": -8.0,
}
_SAME_IDENTIFIER = frozenset({"same nhs", "same ref"})
MIN_TYPO_ID = 6  # characters: shorter ids one character apart are simply other ids

LINK_AT = 12.5
REVIEW_AT = 6.0
FULL_MARKS = 15.5  # exact names and DOB and postcode: shown as 100

# Date-of-birth levels that are slips of the pen (not another date): a link may get past them.
DOB_SLIPS = frozenset({"swapped", "digit", "transposed", "year"})


# ----- names -------------------------------------------------------------------------------------

_UNKNOWN = "?"  # a level not worked out yet
_CACHE = 1 << 17


class _Name:
    """One spelling's comparable forms (one object per spelling: compared by identity; never
    changed once made)."""

    __slots__ = (
        "bare",
        "compact",
        "family",
        "known_given",
        "meta",
        "nysiis",
        "plain",
        "roots",
        "serial",
        "skeleton",
        "stem",
    )

    def __init__(self, text: str, serial: int) -> None:
        short = self.compact = compact(text)
        self.bare = without_particles(text)  # without particles (al-, van der…)
        # `names.phonetic_keys` as two strings: one set fewer per spelling for the collector.
        self.meta, self.nysiis = metaphone(text), jellyfish.nysiis(short) if short else ""
        self.skeleton = skeleton(text)
        family = self.family = name_family(text)  # known variants and nicknames
        self.roots = nickname_roots(text)  # the full names it is a nickname of, and itself
        self.known_given = len(family) > 1  # the nickname or variant tables know it
        plain = self.plain = squeeze(short)  # without doubled letters
        # Without doubled letters and a final vowel: Daniel, Daniela, Danielle → daniel.
        self.stem = plain[:-1] if plain[-1:] in ("a", "e", "i", "o") else plain
        self.serial = serial  # a number of its own: pairs are cached by pairs of numbers


_SERIALS = count(1)


@lru_cache(maxsize=1 << 16)
def _name(text: str) -> _Name:
    return _Name(text, next(_SERIALS))


def _variants(a: _Name, b: _Name) -> bool:
    """`names.are_variants` on prepared forms."""
    fa, fb = a.family, b.family
    if not fa or not fb:
        return False
    if not fa.isdisjoint(fb) and (a.compact in fb or b.compact in fa):
        return True
    return not a.roots.isdisjoint(b.roots)


def _level_of(a: _Name, b: _Name, given: bool) -> str | None:  # noqa: PLR0911 - one return per level, strongest first
    """Agreement level of two names (None when either is missing)."""
    ca, cb = a.compact, b.compact
    if not ca or not cb:
        return None
    if ca == cb:
        return "exact"
    if _variants(a, b) or (not given and a.bare == b.bare):
        return "variant"
    if a.meta == b.meta or a.nysiis == b.nysiis or (len(ca) > 3 and a.skeleton == b.skeleton):
        return "sound"
    similarity = JaroWinkler.normalized_similarity(ca, cb)
    # One substitution, insertion, deletion or adjacent transposition.
    if similarity >= 0.92 or (len(ca) >= 5 and OSA.distance(ca, cb, score_cutoff=1) <= 1):
        return "typo"
    if given and (len(ca) == 1 or len(cb) == 1) and ca[0] == cb[0]:
        return "initial"
    if similarity >= 0.85:
        return "close"
    return "different"


# Levels of pairs of spellings already compared (names repeat a great deal across a store),
# by the pair of their serial numbers.
_GIVEN_LEVELS: dict[int, str | None] = {}
_FAMILY_LEVELS: dict[int, str | None] = {}


def _given_level(a: _Name, b: _Name) -> str | None:
    key = a.serial << 32 | b.serial
    level = _GIVEN_LEVELS.get(key, _UNKNOWN)
    if level == _UNKNOWN:
        if len(_GIVEN_LEVELS) >= _CACHE:
            _GIVEN_LEVELS.clear()
        level = _GIVEN_LEVELS[key] = _level_of(a, b, True)
    return level


def _family_level(a: _Name, b: _Name) -> str | None:
    key = a.serial << 32 | b.serial
    level = _FAMILY_LEVELS.get(key, _UNKNOWN)
    if level == _UNKNOWN:
        if len(_FAMILY_LEVELS) >= _CACHE:
            _FAMILY_LEVELS.clear()
        level = _FAMILY_LEVELS[key] = _level_of(a, b, False)
    return level


def clear_caches() -> None:
    """Forget every spelling and pair of spellings seen (the benchmark starts cold)."""
    _name.cache_clear()
    _GIVEN_LEVELS.clear()
    _FAMILY_LEVELS.clear()
    _digits.cache_clear()
    _surname_keys.cache_clear()
    _date_key.cache_clear()
    _postcode_key.cache_clear()
    normalise_postcode.cache_clear()


def _name_weight(level: str | None, *, given: bool) -> float:
    if level is None:
        return 0.0
    if level == "different":
        return W_FIRST_DIFFERENT if given else W_LAST_DIFFERENT
    table = W_FIRST if given else W_LAST
    return table.get(level, 0.0)


# _name_weight as lookups (a pair of names is weighed for every candidate).
_LEVELS = (None, "different", *W_FIRST, *W_LAST)
_GIVEN_WEIGHT: dict[str | None, float] = {
    level: _name_weight(level, given=True) for level in _LEVELS
}
_FAMILY_WEIGHT: dict[str | None, float] = {
    level: _name_weight(level, given=False) for level in _LEVELS
}
_SLIPS = ("typo", "sound")  # levels a spelling nobody goes by may be a slip of
# The most a surname, and a swapped reading, can weigh (summed as `_reading` sums it).
_LAST_MOST = max(_FAMILY_WEIGHT.values())
_SWAPPED_MOST = max(_GIVEN_WEIGHT.values()) + _LAST_MOST - W_SWAPPED_PENALTY
_NO_BOUND = float("inf")  # `_reading` without pruning


def _words(given: bool) -> dict[str | None, str]:
    kind = "first name" if given else "surname"
    return {
        None: "",
        "exact": f"same {kind}",
        "variant": f"{kind} is a known variant",
        "sound": f"{kind} sounds alike",
        "typo": f"{kind} differs by a typo",
        "initial": "same first initial",
        "close": f"{kind} is similar",
        "different": f"different {kind}",
    }


_WHY = {True: _words(True), False: _words(False)}
UNSEEN = " (a spelling no one else has)"


def _why(level: str | None, given: bool, unseen: bool = False) -> str:
    why = _WHY[given][level]
    return why + UNSEEN if unseen else why


BROTHER_AND_SISTER = "first names differ only by a final vowel: could be brother and sister"
TWO_NAMES = "two different first names that look alike: could be twins"
_NOT_LINKS = (BROTHER_AND_SISTER, TWO_NAMES)


def _brother_and_sister(a: _Name, b: _Name) -> bool:
    """First names that differ only by a final vowel (Daniel / Daniela, Louis / Louise, Jan /
    Jana): often a brother and sister, so never a slip or a variant of one name."""
    return a.stem == b.stem and a.plain != b.plain and len(a.stem) >= 3


# The best reading of two people's names: its weight, the first name's and surname's levels,
# whether first and last names are swapped, the (typed, known) first names read together, and
# whether the first name's or the surname's typo is in a spelling no one else has. A tuple:
# one is made for every candidate whose names are read.
_Reading = tuple[float, str | None, str | None, bool, _Name | None, _Name | None, bool, bool]
_NO_NAMES: _Reading = (0.0, None, None, False, None, None, False, False)


def _reading(
    af: _Name,
    al: _Name,
    bf: _Name,
    bl: _Name,
    counts: NameCounts | None,
    *,
    rest: float = _NO_BOUND,
) -> _Reading | None:
    """Two name forms (first and last names) read straight, or with first and last swapped
    when that reads better. With `rest` (the most the rest of the evidence can weigh), None
    as soon as the names cannot lift the total to review: the surnames are not compared when
    the first names alone rule out the straight reading (each bound sums as the total does:
    rounding keeps the order of sums)."""
    f_level = _GIVEN_LEVELS.get(af.serial << 32 | bf.serial, _UNKNOWN)
    if f_level == _UNKNOWN:
        f_level = _given_level(af, bf)
    f_weight = _GIVEN_WEIGHT[f_level]
    unseen_first = False
    # A typo whose typed spelling nobody goes by weighs like a known variant (for a first
    # name, only when it is not a real name in its own right: twins).
    if (
        counts is not None
        and f_level in _SLIPS
        and af.compact[:COUNTED] not in counts.given
        and not af.known_given
        and not _brother_and_sister(af, bf)
    ):
        f_weight, unseen_first = W_FIRST["variant"], True
    if f_weight + _LAST_MOST + rest < REVIEW_AT:
        return _swapped_only(af, al, bf, bl, rest)
    l_level = _FAMILY_LEVELS.get(al.serial << 32 | bl.serial, _UNKNOWN)
    if l_level == _UNKNOWN:
        l_level = _family_level(al, bl)
    l_weight = _FAMILY_WEIGHT[l_level]
    unseen_last = False
    if counts is not None and l_level in _SLIPS and al.compact[:COUNTED] not in counts.family:
        l_weight, unseen_last = W_LAST["variant"], True
    straight = f_weight + l_weight
    if straight >= _SWAPPED_MOST:  # no swapped reading can read better (names that agree)
        return (straight, f_level, l_level, False, af, bf, unseen_first, unseen_last)

    sf_level = _GIVEN_LEVELS.get(af.serial << 32 | bl.serial, _UNKNOWN)
    if sf_level == _UNKNOWN:
        sf_level = _given_level(af, bl)
    if sf_level is not None and sf_level != "different":  # else no swapped reading (usual)
        sl_level = _FAMILY_LEVELS.get(al.serial << 32 | bf.serial, _UNKNOWN)
        if sl_level == _UNKNOWN:
            sl_level = _family_level(al, bf)
        if sl_level is not None and sl_level != "different":
            swapped = _GIVEN_WEIGHT[sf_level] + _FAMILY_WEIGHT[sl_level] - W_SWAPPED_PENALTY
            if swapped > straight:
                return (swapped, sf_level, sl_level, True, af, bl, False, False)
    return (straight, f_level, l_level, False, af, bf, unseen_first, unseen_last)


def _swapped_only(af: _Name, al: _Name, bf: _Name, bl: _Name, rest: float) -> _Reading | None:
    """`_reading` once the straight reading cannot reach review: the swapped reading if it
    can (it then reads better than the straight one), else None."""
    sf_level = _given_level(af, bl)
    if sf_level is None or sf_level == "different":
        return None
    sl_level = _family_level(al, bf)
    if sl_level is None or sl_level == "different":
        return None
    swapped = _GIVEN_WEIGHT[sf_level] + _FAMILY_WEIGHT[sl_level] - W_SWAPPED_PENALTY
    if swapped + rest < REVIEW_AT:
        return None
    return (swapped, sf_level, sl_level, True, af, bl, False, False)


def _reading_reasons(reading: _Reading) -> list[str]:
    _, first, last, swapped, _, _, unseen_first, unseen_last = reading
    if not swapped:
        return [r for r in (_why(first, True, unseen_first), _why(last, False, unseen_last)) if r]
    why = ["first and last names swapped"]
    first_why, last_why = _why(first, True), _why(last, False)
    why += [w for w, level in ((first_why, first), (last_why, last)) if level != "exact"]
    return why


def _best_reading(
    p: _Probe, k: _Prepared, counts: NameCounts | None, rest: float = _NO_BOUND
) -> _Reading | None:
    """The best reading of any of the probe's names against any of the known person's; with
    `rest`, None when none can lift the total to review (a reading left out that way is below
    any that could, so the best is the same whenever it matters)."""
    p_forms, k_forms = p.prepared.forms(), k.forms()
    if len(p_forms) == 2 and len(k_forms) == 2:
        return _reading(p_forms[0], p_forms[1], k_forms[0], k_forms[1], counts, rest=rest)
    best: _Reading | None = None
    pairs = 0
    for i in range(0, len(p_forms), 2):
        for j in range(0, len(k_forms), 2):
            pairs += 1
            found = _reading(
                p_forms[i], p_forms[i + 1], k_forms[j], k_forms[j + 1], counts, rest=rest
            )
            if found is not None and (best is None or found[0] > best[0]):
                best = found
    return _NO_NAMES if not pairs else best


# ----- dates of birth ------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _digits(day: date) -> str:
    return day.strftime("%d%m%Y")


def _dob_level(a: date, b: date) -> str:  # noqa: PLR0911 - one return per level, strongest first
    if a == b:
        return "exact"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swapped"
    sa, sb = _digits(a), _digits(b)
    if len(sa) != len(sb):
        raise ValueError("dates of birth of different lengths")
    differ = sum(map(ne, sa, sb))
    if differ == 1:
        return "digit" if abs(a.year - b.year) <= 10 else "far"
    if differ == 2:
        i = next(i for i in range(8) if sa[i] != sb[i])
        # Two adjacent digits of the day, the month or the year transposed (12 / 21, 1978 / 1987).
        if (
            i not in (1, 3)
            and sa[i] == sb[i + 1]
            and sa[i + 1] == sb[i]
            and abs(a.year - b.year) <= 10
        ):
            return "transposed"
    if a.day == b.day and a.month == b.month and abs(a.year - b.year) == 1:
        return "year"
    if abs((a - b).days) <= 2:
        return "near"
    return "different"


_DOB_WHY = {
    "exact": "same date of birth",
    "swapped": "date of birth with day and month swapped",
    "digit": "date of birth one digit different",
    "transposed": "date of birth with two digits transposed",
    "year": "date of birth a year out, same day and month",
    "far": "date of birth a digit slip away but decades apart",
    "near": "date of birth nearly the same",
    "different": "different date of birth",
}
_DOB_WEIGHT = W_DOB | {"different": W_DOB_DIFFERENT}
# The best level of several pairs of dates: the strongest, slips before "far" at equal weight.
_DOB_ORDER = {
    level: i
    for i, level in enumerate(
        ("exact", "swapped", "digit", "transposed", "year", "far", "near", "different")
    )
}


@lru_cache(maxsize=1 << 16)
def normalise_postcode(text: str) -> str:
    return "".join(text.upper().split())


# ----- prepared evidence -----------------------------------------------------------------------


_NOTHING: frozenset[Any] = frozenset()
# A date's tags: its year and month, its year and day, its month and day, and its ordinal, as
# numbers that cannot collide (each kind above the last).
_YEAR_DAY_TAG = 1_000_000
_MONTH_DAY_TAG = 2_000_000
_ORDINAL_TAG = 1_000_000_000
# The screen of someone without a date of birth: a tag no date, postcode or identifier has
# (dates' tags are positive numbers, the rest text), and every probe's first look holds.
_ANYONE_TAG = -1
_ANYONE = (_ANYONE_TAG,)


def _tags(day: date) -> tuple[int, int, int, int]:
    """A date's tags: one of them meets `date_neighbourhood` of every date it agrees with."""
    year, month, day_ = day.year, day.month, day.day
    return (
        100 * year + month,
        _YEAR_DAY_TAG + 100 * year + day_,
        _MONTH_DAY_TAG + 100 * month + day_,
        _ORDINAL_TAG + day.toordinal(),
    )


def date_neighbourhood(day: date) -> list[int]:
    """The tags (`_tags`) a date must have to agree with `day` at any level but "different":
    one digit or two adjacent digits out, or a year out, leave two of day, month and year
    as they were; day and month swapped leave the year and make the day the month; dates at
    most two days apart are near in ordinals. Tighter than `dob_neighbourhood`, whose years
    let in everyone born the same year."""
    year, month, day_ = day.year, day.month, day.day
    o = _ORDINAL_TAG + day.toordinal()
    tags = [
        100 * year + month,
        _YEAR_DAY_TAG + 100 * year + day_,
        _MONTH_DAY_TAG + 100 * month + day_,
        o - 2,
        o - 1,
        o,
        o + 1,
        o + 2,
    ]
    if day_ <= 12:  # day and month swapped: the day is the month
        tags.append(100 * year + day_)
    return tags


TAG_BITS = 512  # a power of two
_TAG_MASK = TAG_BITS - 1
_TAG_BIT = [1 << i for i in range(TAG_BITS)]  # made once: shifting makes a number each time


def tag_bits(tags: Iterable[Hashable]) -> int:
    """One bit (of TAG_BITS) per tag, by its hash: two collections sharing a tag have a bit
    in common, so no bit in common means no tag in common. A test of one number, where a set
    operation would read every tag."""
    bits = 0
    for tag in tags:
        bits |= _TAG_BIT[hash(tag) & _TAG_MASK]
    return bits


class _Prepared:
    """A person's evidence in comparable form, worked out once (the names when first needed:
    most candidates are settled on their dates of birth). Tuples of text and numbers rather
    than sets: a store's worth of them is kept, and the cyclic collector stops tracking such
    tuples but scans every set, again and again. A probe's sets are `_Probe`'s."""

    __slots__ = (
        "_forms",
        "_sectors",
        "addresses",
        "bits",
        "dobs",
        "identifiers",
        "names",
        "nhs",
        "person_id",
        "postcodes",
        "refs",
        "screen",
    )

    def __init__(self, person: PersonEvidence) -> None:
        self.person_id = person.person_id
        self.names = person.names
        self._forms: tuple[_Name, ...] | None = None
        self._sectors: tuple[str, ...] | None = None
        dobs = self.dobs = tuple(person.dobs)
        # Loops rather than comprehensions (a call each): a store's worth of people is made.
        postcodes: tuple[str, ...] = ()
        for code in person.postcodes:
            if code.strip():
                postcodes += (normalise_postcode(code),)
        self.postcodes = postcodes
        addresses: tuple[str, ...] = ()
        for address in person.addresses:
            if address.strip():
                addresses += (address.lower(),)
        self.addresses = addresses
        identifiers = self.identifiers = self.refs = tuple(person.identifiers)
        self.nhs: tuple[str, ...] = ()
        for identifier in identifiers:
            if kind_of(identifier) == NHS:
                nhs = self.nhs = tuple([i for i in identifiers if kind_of(i) == NHS])
                self.refs = tuple([i for i in identifiers if i not in nhs])
                break
        # What `rank` looks at first: the dates' tags (a date agrees with none of a probe's
        # unless its tags meet the probe's neighbourhood), the postcodes and the identifiers;
        # without dates of birth, _ANYONE.
        if not dobs:
            self.screen: tuple[Any, ...] = _ANYONE
        elif len(dobs) == 1:
            self.screen = (*_tags(dobs[0]), *postcodes, *identifiers)
        else:
            self.screen = (*(t for d in dobs for t in _tags(d)), *postcodes, *identifiers)
        self.bits = tag_bits(self.screen)

    def forms(self) -> tuple[_Name, ...]:
        """Each name's first and last names, one after the other (one tuple for the
        collector to look at, not one per name)."""
        forms = self._forms
        if forms is None:
            if len(self.names) == 1:  # most people
                forms = self._forms = (_name(self.names[0].first), _name(self.names[0].last))
            else:
                forms = self._forms = tuple(
                    [_name(t) for n in self.names for t in (n.first, n.last)]
                )
        return forms

    def sectors(self) -> tuple[str, ...]:
        """The postcodes without their last two letters (e.g. "NT1 4")."""
        sectors = self._sectors
        if sectors is None:
            sectors = self._sectors = tuple([p[:-2] for p in self.postcodes if len(p) > 4])
        return sectors


class _Probe:
    """The person searched for, as sets to look candidates' evidence up in; made for one
    search and let go (see `_Prepared`)."""

    __slots__ = (
        "_first_look",
        "_sectors",
        "addresses",
        "dobs",
        "identifiers",
        "neighbourhood",
        "nhs",
        "person_id",
        "postcodes",
        "prepared",
        "refs",
    )

    def __init__(self, p: _Prepared) -> None:
        self.prepared = p
        self.person_id = p.person_id
        self.dobs = p.dobs
        self.addresses = p.addresses
        self.postcodes = frozenset(p.postcodes) if p.postcodes else _NOTHING
        self.identifiers = self.refs = self.nhs = _NOTHING
        if p.identifiers:
            self.identifiers = self.refs = frozenset(p.identifiers)
            if p.nhs:
                self.nhs, self.refs = frozenset(p.nhs), frozenset(p.refs)
        self._first_look: int | None = None
        self._sectors: frozenset[str] | None = None
        # The tags of every date agreeing with one of these at some level: only numbers, so
        # meeting a `screen` means meeting its dates' tags.
        tags: list[int] = []
        for d in p.dobs:
            tags += date_neighbourhood(d)
        self.neighbourhood = frozenset(tags)

    def first_look_bits(self) -> int:
        """`tag_bits` of what a candidate's `screen` must meet to be read at all (a probe
        with dates): the neighbourhood, the postcodes and the identifiers."""
        look = self._first_look
        if look is None:
            look = self._first_look = tag_bits(
                [*self.neighbourhood, *self.postcodes, *self.identifiers, _ANYONE_TAG]
            )
        return look

    def sectors(self) -> frozenset[str]:
        sectors = self._sectors
        if sectors is None:
            sectors = self._sectors = frozenset(self.prepared.sectors())
        return sectors


def _prepared(person: PersonEvidence) -> _Prepared:
    prepared = person._prepared
    if prepared is None:
        prepared = _Prepared(person)
        object.__setattr__(person, "_prepared", prepared)
        object.__setattr__(person, "_bits", prepared.bits)
    return prepared


def _dob_match(p: _Probe, k: _Prepared) -> str | None:
    """The best level of agreement of any of the probe's dates of birth with any of the known
    person's (None when either has none)."""
    if not p.dobs or not k.dobs:
        return None
    neighbourhood = p.neighbourhood
    if neighbourhood.isdisjoint(k.screen):
        return "different"  # outside the neighbourhood nothing agrees
    best, rank_ = "different", _DOB_ORDER["different"]
    for b in k.dobs:
        if b in p.dobs:
            return "exact"
        if not neighbourhood.isdisjoint(_tags(b)):
            for a in p.dobs:
                level = _dob_level(a, b)
                if _DOB_ORDER[level] < rank_:
                    best, rank_ = level, _DOB_ORDER[level]
    return best


_NO_IDENTIFIER: tuple[str | None, str] = (None, "")


def _identifier_level(p: _Probe, k: _Prepared) -> tuple[str | None, str]:  # noqa: PLR0911 - one return per level
    """(level, why) of the two people's identifiers: "different nhs" when both have NHS
    numbers and none agree (whatever else they share), else "same nhs" / "same ref" for a
    shared one, else "typo" / "different" for agency person IDs that differ; (None, "") when
    there is nothing to compare."""
    if not p.identifiers or not k.identifiers:
        return _NO_IDENTIFIER
    if p.nhs and k.nhs:
        if p.nhs.isdisjoint(k.nhs):
            return "different nhs", _DIFFERENT_NHS
        return "same nhs", _SAME_NHS
    refs, known_refs = p.refs, k.refs
    if not refs or not known_refs:
        return _NO_IDENTIFIER
    if not refs.isdisjoint(known_refs):
        return "same ref", _SAME_REF
    # Without a check digit, one character out (a slip, two swapped) may be a typo.
    for a in refs:
        for b in known_refs:
            if min(len(a), len(b)) >= _MIN_TYPO_LEN and OSA.distance(a, b, score_cutoff=1) <= 1:
                return "typo", _REF_TYPO
    return "different", _DIFFERENT_REF


_SAME_NHS, _DIFFERENT_NHS = "same " + KIND_WORDS[NHS], "different " + KIND_WORDS[NHS]
_SAME_REF, _DIFFERENT_REF = "same " + KIND_WORDS[REFERENCE], "different " + KIND_WORDS[REFERENCE]
_REF_TYPO = KIND_WORDS[REFERENCE] + " differs by a typo"
_MIN_TYPO_LEN = len(REFERENCE) + 1 + MIN_TYPO_ID  # "ref:" and the id


_NO_IDENTIFIER_YET: tuple[str | None, str, bool] = (None, "", False)


def _identifier_first_look(p: _Probe, k: _Prepared) -> tuple[str | None, str, bool]:
    """`_identifier_level` when it is cheap, plus whether it is left unsettled: identifiers
    that differ weigh at most a typo's, so `_assess` settles them once its screens pass."""
    if k.identifiers and p.identifiers.isdisjoint(k.identifiers):
        return None, "", True
    return (*_identifier_level(p, k), False)


def _address_agrees(p: _Probe, k: _Prepared) -> bool:
    for x in p.addresses:
        for y in k.addresses:
            if token_set_ratio(x, y, score_cutoff=90) >= 90:
                return True
    return False


# ----- comparing -----------------------------------------------------------------------------

# The most the names can add: both agreeing exactly (a swapped reading scores less).
NAME_WEIGHT_MAX = max(W_FIRST.values()) + max(W_LAST.values())
# `rank` leaves out, unread, candidates whose dates of birth all disagree unless both the
# postcode and the address are the same: the names and one of those cannot lift them to review.
if (
    max(
        NAME_WEIGHT_MAX + W_DOB_DIFFERENT + W_POSTCODE["sector"] + W_ADDRESS,
        NAME_WEIGHT_MAX + W_DOB_DIFFERENT + W_POSTCODE["exact"],
    )
    >= REVIEW_AT
):
    raise ValueError("rank's screen needs weights under which it never changes a decision")
# The most identifiers that share nothing can weigh (`_assess` settles them late).
_UNSETTLED_MOST = max(W_IDENTIFIER[level] for level in ("typo", "different", "different nhs"))
if _UNSETTLED_MOST > 0:
    raise ValueError("rank's screens assume identifiers that differ never add weight")
_IDENTIFIER_WEIGHT: dict[str | None, float] = {None: 0.0}
_IDENTIFIER_WEIGHT.update((level, weight) for level, weight in W_IDENTIFIER.items())
_LINKING_FIRST = frozenset({"exact", "variant"})
_AGREEING = frozenset({"exact", "variant", "sound", "typo"})
_DOB_AGREEING = frozenset({"exact"}) | DOB_SLIPS
_DOB_DISAGREEING = frozenset({"different", "far", "near"})
_AGREEING_LAST = _AGREEING
_CHANGED_LAST = frozenset({"different", "close"})


def _postcode_level(p: _Probe, k: _Prepared) -> str | None:
    if not p.postcodes.isdisjoint(k.postcodes):
        return "exact"
    if not p.sectors().isdisjoint(k.sectors()):
        return "sector"
    return None


def _screened_reading(
    p: _Probe, k: _Prepared, counts: NameCounts | None, rest: float, both_addresses: bool
) -> tuple[_Reading, bool, float] | None:
    """For `_assess` with `prune`, given the weight of the rest of the evidence but the
    address and an identifier not settled yet: the names' reading, whether the addresses
    agree and the rest with the address; None once the total cannot reach review. The
    address is compared before the names only when it decides whether they are read; else
    after them, and only when it could matter (it costs more than names compared before).
    Each bound sums as `_assess` sums the total: rounding keeps the order of sums, and an
    identifier not settled weighs its most."""
    if NAME_WEIGHT_MAX + rest + (W_ADDRESS if both_addresses else 0.0) < REVIEW_AT:
        return None
    address = False
    if both_addresses and NAME_WEIGHT_MAX + rest < REVIEW_AT:
        address = _address_agrees(p, k)
        if not address:
            return None
        rest += W_ADDRESS
        both_addresses = False
    reading = _best_reading(p, k, counts, rest + W_ADDRESS if both_addresses else rest)
    if reading is None:
        return None
    if both_addresses:
        if reading[0] + (rest + W_ADDRESS) < REVIEW_AT:
            return None
        address = _address_agrees(p, k)
        if address:
            rest += W_ADDRESS
    if reading[0] + rest < REVIEW_AT:
        return None
    return reading, address, rest


def _assess(
    p: _Probe,
    k: _Prepared,
    counts: NameCounts | None,
    *,
    prune: bool,
    seen_with: str = "",
) -> MatchResult | None:
    """`compare` on prepared evidence; with `prune`, None as soon as the result is certain to
    be DISTINCT (cheapest evidence first: dates of birth, postcodes, addresses, then names).
    `seen_with`: the reason, when the candidate was named together with this referral's
    already-linked person before."""
    dob = _dob_match(p, k)
    identifier, identifier_why, unsettled = (
        _identifier_first_look(p, k) if p.identifiers else _NO_IDENTIFIER_YET
    )
    dob_weight = (
        (0.0 if dob is None else _DOB_WEIGHT[dob])
        + (W_SEEN_WITH if seen_with else 0.0)
        + (_UNSETTLED_MOST if unsettled else _IDENTIFIER_WEIGHT[identifier])
    )
    postcode = _postcode_level(p, k) if p.postcodes and k.postcodes else None
    rest = dob_weight + (W_POSTCODE[postcode] if postcode else 0.0)
    both_addresses = bool(p.addresses and k.addresses)
    if prune:
        screened = _screened_reading(p, k, counts, rest, both_addresses)
        if screened is None:
            return None
        reading, address, rest = screened
    else:
        address = both_addresses and _address_agrees(p, k)
        if address:
            rest += W_ADDRESS
        unbounded = _best_reading(p, k, counts)
        assert unbounded is not None  # no bound, no pruning
        reading = unbounded
    if unsettled:
        identifier, identifier_why = _identifier_level(p, k)
        rest += _IDENTIFIER_WEIGHT[identifier] - _UNSETTLED_MOST
    total = reading[0] + rest
    if prune and total < REVIEW_AT:
        return None

    reasons = [_DOB_WHY[dob]] if dob else []
    reasons += _reading_reasons(reading)
    if postcode:
        reasons.append("same postcode" if postcode == "exact" else "same postcode sector")
    reasons += [
        why for why in ("same address" if address else "", seen_with, identifier_why) if why
    ]
    decision = Decision.DISTINCT
    if total >= REVIEW_AT:
        decision = Decision.REVIEW
        path = _link_path(
            reading,
            dob,
            postcode,
            address,
            both_addresses,
            total,
            bool(seen_with),
            identifier,
        )
        if path is not None:
            decision = Decision.REVIEW if path in _NOT_LINKS else Decision.LINK
            if path:
                reasons.append(path)
    score = max(0, min(100, round(100 * total / FULL_MARKS)))
    return MatchResult(
        k.person_id, round(total, 2), score, decision, tuple(reasons), dob in _DOB_AGREEING
    )


def _twins(first: str | None, typed: _Name | None, known: _Name | None) -> str | None:
    """Why two first names must never link: "" when they plainly differ (twins), words when
    they only look alike; None when they may link."""
    if first == "different":
        return ""
    if first != "exact" and typed is not None and known is not None:
        if _brother_and_sister(typed, known):
            return BROTHER_AND_SISTER
        if first != "variant" and typed.known_given and known.known_given:
            return TWO_NAMES  # Jon and Joan, Tom and Tim: each a name in its own right
    return None


def _corroborated(first: str | None, last: str | None, dob: str | None, home: bool) -> bool:
    """Whether a shared identifier is backed by two of: the first name, the surname, the date
    of birth (or a slip of it), the home (postcode or address). One agreeing could be an
    identifier typed onto the wrong record; a person known by another name (a middle name, a
    new surname) keeps their identifier, date of birth and home."""
    agreeing = (first in _AGREEING) + (last in _AGREEING) + (dob in _DOB_AGREEING) + home
    return agreeing >= 2


def _link_path(  # noqa: PLR0911, PLR0917 - the paths, in words
    reading: _Reading,
    dob: str | None,
    postcode: str | None,
    address: bool,
    both_addresses: bool,
    total: float,
    seen_with: bool = False,
    identifier: str | None = None,
) -> str | None:
    """Why a candidate (already at review strength) is a link: "" for the plain path (same
    date of birth, names agree), for one named together before and for the same identifier
    (the reasons already say so), words for the others; None when it is not a link, or one of
    _NOT_LINKS (not a link, whatever else agrees, and why)."""
    _, first, last, swapped, typed_first, known_first, unseen_first, _ = reading
    if identifier == "different nhs":
        return None  # two valid NHS numbers: two people, whatever else agrees
    twins = _twins(first, typed_first, known_first)
    if (
        identifier in _SAME_IDENTIFIER
        and dob not in _DOB_DISAGREEING
        and _corroborated(first, last, dob, postcode == "exact" or address)
        and (
            (twins is None and (first in _AGREEING or dob in _DOB_AGREEING))
            # Twins have NHS numbers of their own: with one number, one birth date and one
            # surname, another first name is a middle name, not a twin.
            or (identifier == "same nhs" and dob == "exact" and last in _AGREEING)
        )
    ):
        return ""
    if twins is not None:
        return twins or None
    if seen_with and (first in _LINKING_FIRST or unseen_first):
        if (dob is None or dob == "exact" or dob in DOB_SLIPS) and last in _AGREEING_LAST:
            return ""
        if dob == "exact" and last in _CHANGED_LAST and not swapped:
            return "surname changed: first name and date of birth agree"
    if dob == "exact":
        if last != "different" and total >= LINK_AT:
            return ""
        if (
            first in _LINKING_FIRST
            and last in _CHANGED_LAST
            and not swapped
            and postcode == "exact"
            and (address or not both_addresses)
        ):
            return "surname changed: first name, date of birth and postcode agree"
        return None
    if (
        dob in DOB_SLIPS
        and first in _LINKING_FIRST
        and last in _AGREEING_LAST
        and (postcode == "exact" or address)
        and total >= LINK_AT
    ):
        where = "postcode" if postcode == "exact" else "address"
        return f"date of birth slip: names and {where} agree"
    return None


def compare(
    probe: PersonEvidence,
    known: PersonEvidence,
    *,
    counts: NameCounts | None = None,
    seen_with: SeenWith | None = None,
) -> MatchResult:
    """Score `probe` (what the coordinator typed) against one `known` person. `counts`: how
    many people in the store go by each spelling, when the caller knows; `seen_with`, as for
    `rank`."""
    reason = ""
    if seen_with is not None and known.person_id in seen_with.people:
        reason = seen_with.reason
    result = _assess(
        _Probe(_prepared(probe)), _prepared(known), counts, prune=False, seen_with=reason
    )
    assert result is not None
    return result


def dob_screen(probe: PersonEvidence) -> Callable[[Sequence[date]], bool] | None:
    """For one probe, a test of a known person's dates of birth that is False only when
    `compare(probe, known)` is certain to be DISTINCT: both sides have dates of birth, no pair
    of them agrees at any level, and the most the names, postcode and address could add then
    does not reach review. None when no dates of birth can rule anyone out (the probe has none,
    or the rest could reach review on its own). Lets callers holding many candidates skip
    reading them; it never changes a decision."""
    best = NAME_WEIGHT_MAX + W_DOB_DIFFERENT
    if probe.postcodes:
        best += max(W_POSTCODE.values())
    if probe.addresses:
        best += W_ADDRESS
    if probe.identifiers:
        best += max(W_IDENTIFIER.values())
    dobs = probe.dobs
    if not dobs or best >= REVIEW_AT:
        return None
    years, days, near = dob_neighbourhood(dobs)

    def worth(known_dobs: Sequence[date]) -> bool:
        if not known_dobs:
            return True
        for b in known_dobs:
            if (b.year in years or (b.month, b.day) in days or b.toordinal() in near) and any(
                _dob_level(a, b) != "different" for a in dobs
            ):
                return True
        return False

    return worth


def dob_neighbourhood(
    dobs: Sequence[date],
) -> tuple[set[int], set[tuple[int, int]], set[int]]:
    """(years, (month, day)s, ordinals) such that a date agreeing with any of `dobs` at a level
    other than "different" has one of the years, one of the days of the year or one of the
    ordinals: every level but "different" needs the same year (swapped, a digit of the day or
    month, two of its digits transposed), the same day and month (a digit of the year or two of
    them transposed, a year apart) or dates at most two days apart."""
    years = {d.year for d in dobs}
    days = {(d.month, d.day) for d in dobs}
    near = {d.toordinal() + k for d in dobs for k in range(-2, 3)}
    return years, days, near


def worth_comparing(probe: PersonEvidence, known_dobs: Sequence[date]) -> bool:
    """`dob_screen(probe)(known_dobs)`, for a single comparison."""
    worth = dob_screen(probe)
    return worth is None or worth(known_dobs)


_SCREEN_NOT_GIVEN: Any = object()


def rank(
    probe: PersonEvidence,
    candidates: Iterable[PersonEvidence],
    limit: int = 10,
    *,
    screen: Callable[[Sequence[date]], bool] | None = _SCREEN_NOT_GIVEN,
    counts: NameCounts | None = None,
    seen_with: SeenWith | None = None,
) -> list[MatchResult]:
    """The candidates worth showing (as `compare` says), best first. `screen` is
    `dob_screen(probe)` when the caller has made it already (the comparison screens on dates of
    birth itself, so it only saves work). `seen_with`: people named together before with
    someone this referral is already linked to (the caller includes them in `candidates`;
    no screen leaves them out)."""
    worth = None if screen is _SCREEN_NOT_GIVEN else screen
    own = probe.person_id
    p = _Probe(_prepared(probe))
    together = seen_with.people if seen_with is not None else _NOTHING
    if together:
        candidates = list(candidates)
        known_together = [
            c._prepared or _prepared(c)
            for c in candidates
            if c.person_id in together and c.person_id != own
        ]
        candidates = [c for c in candidates if c.person_id not in together]
    if worth is not None:
        candidates = [c for c in candidates if worth(c.dobs)]
    if p.dobs:
        # Most candidates: no date of birth agrees at any level, so only the same postcode
        # and the same address together could lift them to review (with the names), or a
        # shared identifier. First those whose tags' bits meet none of the probe's go (one
        # operation on one number each: shortlists are long), then those sharing no tag.
        look = p.first_look_bits()
        people = []
        for c in candidates:
            if (c._bits or _prepared(c).bits) & look:
                people.append(c._prepared or _prepared(c))
        neighbourhood = p.neighbourhood
        ids = p.identifiers
        people = [
            k
            for k in people
            if k.screen is _ANYONE
            or not neighbourhood.isdisjoint(k.screen)
            or (ids and not ids.isdisjoint(k.identifiers))
            or (
                p.addresses
                and k.addresses
                and not p.postcodes.isdisjoint(k.postcodes)
                and _address_agrees(p, k)
            )
        ]
    else:
        people = [c._prepared or _prepared(c) for c in candidates]
    people = [k for k in people if k.person_id != own]
    shown = []
    for k in people:
        result = _assess(p, k, counts, prune=True)
        if result is not None:
            shown.append(result)
    if together:
        assert seen_with is not None
        for k in known_together:
            result = _assess(p, k, counts, prune=True, seen_with=seen_with.reason)
            if result is not None:
                shown.append(result)
    shown.sort(key=lambda r: (-r.weight, r.person_id or 0))
    return shown[:limit]


# ----- blocking: which people are worth comparing at all --------------------------------------


@lru_cache(maxsize=_CACHE)
def _surname_keys(last: str) -> tuple[tuple[str, ...], str]:
    """A surname's keys (its sound and skeleton) and its sound. Cached by surname rather
    than by whole name: a typed name with first and last swapped is new every time."""
    last_meta, last_skel = metaphone(last), skeleton(last)
    keys = []
    if last_meta:
        keys.append(f"l:{last_meta}"[:60])
    if last_skel:
        keys.append(f"s:{last_skel}"[:60])
    return tuple(keys), last_meta


@lru_cache(maxsize=1 << 16)
def _date_key(day: date) -> str:
    return f"d:{day.isoformat()}"


@lru_cache(maxsize=1 << 16)
def _postcode_key(postcode: str) -> str:
    return f"p:{normalise_postcode(postcode)}"[:60] if postcode.strip() else ""


def _keys(
    forms: Iterable[tuple[str, str]],
    dobs: Sequence[date],
    postcodes: Sequence[str],
    identifiers: Sequence[str] = (),
) -> list[str]:
    """The keys, some perhaps more than once (a list: every probe and person makes one)."""
    keys: list[str] = []
    firsts: list[str] = []
    for first, last in forms:
        name_keys, last_meta = _surname_keys(last)
        keys += name_keys
        first_meta = metaphone(first)
        if first_meta:
            firsts.append(first_meta)
            if last_meta:
                keys.append(f"fl:{first_meta}:{last_meta}"[:60])
    # Loops rather than comprehensions: each comprehension is a call of its own.
    if dobs:
        years = {d.year for d in dobs} if len(dobs) > 1 else (dobs[0].year,)
        for first in firsts:
            for year in years:
                keys.append(f"fy:{first}:{year}"[:60])
        keys += map(_date_key, dobs)
    for postcode in postcodes:
        key = _postcode_key(postcode)
        if key:
            keys.append(key)
    for identifier in identifiers:
        keys.append(f"i:{identifier}"[:60])  # as identifier_keys
    return keys


def identifier_keys(identifiers: Iterable[str]) -> frozenset[str]:
    """The `i:` keys of identifiers: whoever holds one is compared whatever else the shortlist
    says (it ranks people by how many keys they share, and one shared number is one key)."""
    return frozenset(f"i:{i}"[:60] for i in identifiers)


def blocking_keys(person: PersonEvidence) -> frozenset[str]:
    """Keys stored for a known person. Two records of one person share at least one key under
    every variation matching allows for, so candidate search is an indexed lookup: the
    surname's sound (`l:`) and consonant skeleton (`s:`), the first name's sound with each
    year of birth (`fy:`) and with the surname's sound (`fl:`), each date of birth (`d:`),
    postcode (`p:`) and identifier (`i:`); at most 60 characters each. Also each spelling the
    person goes by (`g:` given names, `f:` surnames, `names.compact` form), which no probe
    looks up: counted, they are the store's `NameCounts` (`name_count_keys`)."""
    keys = _keys(
        [(n.first, n.last) for n in person.names],
        person.dobs,
        person.postcodes,
        person.identifiers,
    )
    keys += _name_count_keys(person)
    return frozenset(keys)


def name_count_keys(person: PersonEvidence) -> frozenset[str]:
    """The `g:` and `f:` keys of a person's spellings: how many people hold a key is how many
    go by that spelling (for a probe, the keys to count)."""
    return frozenset(_name_count_keys(person))


def _name_count_keys(person: PersonEvidence) -> list[str]:
    keys = []
    for n in person.names:
        first, last = compact(n.first), compact(n.last)
        if first:
            keys.append(f"g:{first[:COUNTED]}")
        if last:
            keys.append(f"f:{last[:COUNTED]}")
    return keys


def probe_keys(probe: PersonEvidence) -> frozenset[str]:
    """Keys to look up for a typed person: its own, with first and last names swapped, and
    with day and month of birth swapped."""
    forms: list[tuple[str, str]] = []
    for n in probe.names:
        forms += ((n.first, n.last), (n.last, n.first))
    dobs: Sequence[date] = probe.dobs
    for d in probe.dobs:
        if d.day <= 12 and d.day != d.month:
            dobs = [*dobs, date(d.year, d.day, d.month)]
    return frozenset(_keys(forms, dobs, probe.postcodes, probe.identifiers))
