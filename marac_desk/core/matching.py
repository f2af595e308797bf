"""Is this the same person? Scoring a typed person against people already in the store.

A false link joins one person's abuse history to a stranger's (a data-protection breach that can
put someone in danger); a missed link hides a repeat. So matching *proposes* with reasons and the
coordinator decides, except at overwhelming confidence.

The score is a sum of evidence weights in the Fellegi–Sunter spirit: each field's level of
agreement adds (or, for clear disagreement, subtracts) weight. Weights were set so that:
- same names (allowing known variants and small typos) AND the same date of birth is a link;
- twins (same surname and DOB, different first names) stay apart;
- common names with different dates of birth stay apart;
- a changed surname with the same first name and DOB is proposed for review, not linked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from operator import ne
from typing import Any

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from marac_desk.core.names import (
    are_variants,
    compact,
    phonetic_keys,
    skeleton,
    without_particles,
)


@dataclass(frozen=True)
class NameForm:
    first: str
    last: str


@dataclass(frozen=True)
class PersonEvidence:
    """What matching knows about one person: every name and DOB it has been recorded under."""

    person_id: int | None
    names: tuple[NameForm, ...]
    dobs: tuple[date, ...] = ()
    postcodes: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


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


# ----- weights -------------------------------------------------------------------------------

W_FIRST = {"exact": 4.0, "variant": 3.2, "sound": 2.6, "typo": 2.2, "close": 0.6, "initial": 0.8}
W_FIRST_DIFFERENT = -4.0
W_LAST = {"exact": 4.5, "variant": 3.6, "sound": 3.0, "typo": 2.6, "close": 0.8}
W_LAST_DIFFERENT = -1.5  # surnames change (marriage, separation): weak evidence against
W_SWAPPED_PENALTY = 0.6
W_DOB = {"exact": 5.0, "swapped": 3.8, "digit": 3.2, "near": 1.5}
W_DOB_DIFFERENT = -5.0
W_POSTCODE = {"exact": 2.0, "sector": 0.8}
W_ADDRESS = 1.5

LINK_AT = 12.5
REVIEW_AT = 6.0
FULL_MARKS = 15.5  # exact names and DOB and postcode: shown as 100


@lru_cache(maxsize=1 << 17)
def _name_level(a: str, b: str, *, given: bool) -> tuple[str | None, str]:  # noqa: PLR0911 - one return per level, strongest first
    """Agreement level of two names and the words to explain it."""
    ca, cb = compact(a), compact(b)
    if not ca or not cb:
        return None, ""
    kind = "first name" if given else "surname"
    if ca == cb:
        return "exact", f"same {kind}"
    if given and are_variants(a, b):
        return "variant", f"{kind} is a known variant"
    if not given and (are_variants(a, b) or (without_particles(a) == without_particles(b))):
        return "variant", f"{kind} is a known variant"
    if phonetic_keys(a) & phonetic_keys(b) or (len(ca) > 3 and skeleton(a) == skeleton(b)):
        return "sound", f"{kind} sounds alike"
    similarity = JaroWinkler.normalized_similarity(ca, cb)
    if similarity >= 0.92 or (len(ca) >= 5 and _one_edit_apart(ca, cb)):
        return "typo", f"{kind} differs by a typo"
    if given and (len(ca) == 1 or len(cb) == 1) and ca[0] == cb[0]:
        return "initial", "same first initial"
    if similarity >= 0.85:
        return "close", f"{kind} is similar"
    return "different", f"different {kind}"


def _one_edit_apart(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or adjacent transposition."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


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


def _pair_evidence(a: NameForm, b: NameForm) -> tuple[float, list[str]]:
    """Best reading of two name forms, straight or with first and last swapped."""
    f_level, f_why = _name_level(a.first, b.first, given=True)
    l_level, l_why = _name_level(a.last, b.last, given=False)
    straight = _GIVEN_WEIGHT[f_level] + _FAMILY_WEIGHT[l_level]
    reasons = [r for r in (f_why, l_why) if r]

    sf_level, sf_why = _name_level(a.first, b.last, given=True)
    if sf_level in (None, "different"):  # no swapped reading (the common case: skip its cost)
        return straight, reasons
    sl_level, sl_why = _name_level(a.last, b.first, given=False)
    swapped = _GIVEN_WEIGHT[sf_level] + _FAMILY_WEIGHT[sl_level] - W_SWAPPED_PENALTY
    if (
        swapped > straight
        and sf_level not in (None, "different")
        and sl_level
        not in (
            None,
            "different",
        )
    ):
        why = ["first and last names swapped"]
        why += [w for w, lvl in ((sf_why, sf_level), (sl_why, sl_level)) if lvl != "exact"]
        return swapped, why
    return straight, reasons


@lru_cache(maxsize=1 << 16)
def _digits(day: date) -> str:
    return day.strftime("%d%m%Y")


def _dob_level(a: date, b: date) -> str:
    if a == b:
        return "exact"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swapped"
    sa, sb = _digits(a), _digits(b)
    if len(sa) != len(sb):
        raise ValueError("dates of birth of different lengths")
    if sum(map(ne, sa, sb)) == 1:
        return "digit"
    if abs((a - b).days) <= 2 or (
        a.day == b.day and a.month == b.month and abs(a.year - b.year) == 1
    ):
        return "near"
    return "different"


_DOB_WHY = {
    "exact": "same date of birth",
    "swapped": "date of birth with day and month swapped",
    "digit": "date of birth one digit different",
    "near": "date of birth nearly the same",
    "different": "different date of birth",
}


def _dob_evidence(a: Sequence[date], b: Sequence[date]) -> tuple[float, str]:
    if not a or not b:
        return 0.0, ""
    best_weight, best_why = W_DOB_DIFFERENT, _DOB_WHY["different"]
    for x in a:
        for y in b:
            level = _dob_level(x, y)
            weight = W_DOB.get(level, W_DOB_DIFFERENT)
            if weight > best_weight:
                best_weight, best_why = weight, _DOB_WHY[level]
    return best_weight, best_why


def normalise_postcode(text: str) -> str:
    return "".join(text.upper().split())


def _postcode_evidence(a: Sequence[str], b: Sequence[str]) -> tuple[float, str]:
    if not a or not b:
        return 0.0, ""
    pa = {normalise_postcode(p) for p in a if p.strip()}
    pb = {normalise_postcode(p) for p in b if p.strip()}
    if not pa or not pb:
        return 0.0, ""
    if pa & pb:
        return W_POSTCODE["exact"], "same postcode"
    # The sector is the postcode without its last two letters (e.g. "NT1 4").
    if {p[:-2] for p in pa if len(p) > 4} & {p[:-2] for p in pb if len(p) > 4}:
        return W_POSTCODE["sector"], "same postcode sector"
    return 0.0, ""


def _address_evidence(a: Iterable[str], b: Iterable[str]) -> tuple[float, str]:
    best = 0.0
    for x in a:
        for y in b:
            if x.strip() and y.strip():
                best = max(best, token_set_ratio(x.lower(), y.lower()))
    return (W_ADDRESS, "same address") if best >= 90 else (0.0, "")


def _names_evidence(probe: PersonEvidence, known: PersonEvidence) -> tuple[float, list[str]]:
    """The best reading of any of the probe's names against any of the known person's."""
    name_weight, name_why = -99.0, []
    for a in probe.names:
        for b in known.names:
            weight, why = _pair_evidence(a, b)
            if weight > name_weight:
                name_weight, name_why = weight, why
    if name_weight == -99.0:
        name_weight = 0.0
    return name_weight, name_why


def _best_without_names(probe: PersonEvidence, known: PersonEvidence) -> float:
    """The most the DOB, postcode and address evidence could add to the names' weight."""
    best = W_DOB["exact"] if probe.dobs and known.dobs else 0.0
    if probe.postcodes and known.postcodes:
        best += max(W_POSTCODE.values())
    if probe.addresses and known.addresses:
        best += W_ADDRESS
    return best


def compare(probe: PersonEvidence, known: PersonEvidence) -> MatchResult:
    """Score `probe` (what the coordinator typed) against one `known` person."""
    return _scored(probe, known, *_names_evidence(probe, known))


def _scored(
    probe: PersonEvidence, known: PersonEvidence, name_weight: float, name_why: list[str]
) -> MatchResult:
    """`compare`, the names already weighed."""
    dob_weight, dob_why = _dob_evidence(probe.dobs, known.dobs)
    pc_weight, pc_why = _postcode_evidence(probe.postcodes, known.postcodes)
    addr_weight, addr_why = _address_evidence(probe.addresses, known.addresses)
    total = name_weight + dob_weight + pc_weight + addr_weight

    reasons = tuple(r for r in (dob_why, *name_why, pc_why, addr_why) if r)
    decision = Decision.DISTINCT
    if total >= REVIEW_AT:
        decision = Decision.REVIEW
    # A link needs the DOB to agree exactly and both names to agree closely, whatever else.
    if (
        total >= LINK_AT
        and dob_weight == W_DOB["exact"]
        and "different first name" not in reasons
        and "different surname" not in reasons
    ):
        decision = Decision.LINK
    score = max(0, min(100, round(100 * total / FULL_MARKS)))
    return MatchResult(known.person_id, round(total, 2), score, decision, reasons)


# The most the names can add: both agreeing exactly (a swapped reading scores less).
NAME_WEIGHT_MAX = max(W_FIRST.values()) + max(W_LAST.values())


def dob_screen(probe: PersonEvidence) -> Callable[[Sequence[date]], bool] | None:
    """For one probe, a test of a known person's dates of birth that is False only when
    `compare(probe, known)` is certain to be DISTINCT: both sides have dates of birth, no pair
    of them agrees at any level, and the most the names, postcode and address could add then
    does not reach review. None when no dates of birth can rule anyone out (the probe has none,
    or the rest could reach review on its own). Lets `rank` (and callers holding many
    candidates) skip the full comparison; it never changes a decision."""
    best = NAME_WEIGHT_MAX + W_DOB_DIFFERENT
    if probe.postcodes:
        best += max(W_POSTCODE.values())
    if probe.addresses:
        best += W_ADDRESS
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
    month), the same day and month (a digit of the year, a year apart) or dates at most two
    days apart."""
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
) -> list[MatchResult]:
    """The candidates worth showing, best first. `screen` is `dob_screen(probe)` when the
    caller has made it already."""
    worth = dob_screen(probe) if screen is _SCREEN_NOT_GIVEN else screen
    results = []
    for c in candidates:
        if c.person_id == probe.person_id or (worth is not None and not worth(c.dobs)):
            continue
        # Names first: when even the best of the rest cannot lift them to review, the result
        # is DISTINCT and not shown, so it need not be worked out in full.
        name_weight, name_why = _names_evidence(probe, c)
        if name_weight + _best_without_names(probe, c) < REVIEW_AT:
            continue
        results.append(_scored(probe, c, name_weight, name_why))
    shown = [r for r in results if r.decision is not Decision.DISTINCT]
    shown.sort(key=lambda r: (-r.weight, r.person_id or 0))
    return shown[:limit]


# ----- blocking: which people are worth comparing at all --------------------------------------


@lru_cache(maxsize=1 << 16)
def _meta(name: str) -> str:
    keys = sorted(k for k in phonetic_keys(name) if k.startswith("m:"))
    return keys[0][2:] if keys else ""


def blocking_keys(person: PersonEvidence) -> frozenset[str]:
    """Keys stored for a known person. Two records of one person share at least one key under
    every variation matching allows for, so candidate search is an indexed lookup."""
    keys: set[str] = set()
    years = {d.year for d in person.dobs}
    for form in person.names:
        last_meta, last_skel = _meta(form.last), skeleton(form.last)
        if last_meta:
            keys.add(f"l:{last_meta}")
        if last_skel:
            keys.add(f"s:{last_skel}")
        first_meta = _meta(form.first)
        if first_meta:
            keys.update(f"fy:{first_meta}:{year}" for year in years)
            if last_meta:
                keys.add(f"fl:{first_meta}:{last_meta}")
    keys.update(f"d:{d.isoformat()}" for d in person.dobs)
    keys.update(f"p:{normalise_postcode(p)}" for p in person.postcodes if p.strip())
    return frozenset(k[:60] for k in keys)


def probe_keys(probe: PersonEvidence) -> frozenset[str]:
    """Keys to look up for a typed person: its own, with first and last names swapped, and
    with day and month of birth swapped."""
    swapped = tuple(NameForm(n.last, n.first) for n in probe.names)
    dobs = list(probe.dobs)
    for d in probe.dobs:
        if d.day <= 12 and d.day != d.month:
            dobs.append(date(d.year, d.day, d.month))
    widened = PersonEvidence(probe.person_id, probe.names + swapped, tuple(dobs), probe.postcodes)
    return blocking_keys(widened)
