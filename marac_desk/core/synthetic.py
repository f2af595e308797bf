"""Synthetic demo data of realistic shape: a pure function of (referrals, seed, today).

Nothing here is about a real person. Names are invented combinations of forenames and surnames of
the origins common in UK cities (shipped in `resources/synthetic/names.json`, with diacritics and
a few native-script forms); wording is in `resources/synthetic/texts.json`. The only I/O is
reading those two files.

What the data looks like, and why:

- **Period and panels.** One weekly MARAC ("Northtown MARAC", Wednesdays) hears about 850
  referrals a year (16 a week), so the referrals cover one year for up to ~850 referrals and
  stretch to five years (the common retention period) as N grows. Beyond what one panel hears in
  five years (4,250) the referrals are shared by more panels ("Southmoor MARAC", …), as a national
  caseload would be, so every meeting stays within 8–20 cases. Below ~450 referrals a year the
  meetings are simply smaller.
- **Repeats with real semantics.** About 30% of referrals reuse a victim and perpetrator pair whose
  previous referral was within the last 12 months; a few name a new perpetrator for a victim
  referred within the year, and a few come back after the year lapsed. The flags (`is_repeat`,
  `previous_referral_key`, `new_perpetrator_flag`) are computed by `core.repeats`, not asserted.
- **People as referred.** Later referrals often spell people differently: typos, nicknames,
  other transliterations, names without diacritics, first and last name swapped, surname in
  capitals, changed surnames, dates of birth with day and month swapped or the year wrong. The
  referral keeps what was written; the person keeps every variant as an alias or an alternative
  date of birth.
- **Meetings.** Every Wednesday hears the referrals received up to the Friday before (at most
  20; the rest wait a week), with attendance, outcomes and 1–5 actions per heard case. Meetings
  before `today` are held (a few cancelled); the next one has its case list; a few more are
  planned. Older actions are mostly completed, some are overdue.

Keys are 1-based positions (people in creation order; referrals, meetings, cases and actions in
date order); `services.demo` turns them into database ids. `generate` returns everything at
once; `SyntheticStream` hands the same data out in date-ordered slices for large stores.
Other structural facts: victims are 16–84 (a few 16–17), ~9% male; perpetrators are usually one
partner or ex-partner, sometimes with a family member, a few aged 17 or under, and a few reappear
with a new victim; ~5% of referrals are joint; 2–3% are diverted and ~1% withdrawn, each with
the reason and who decided.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

from marac_desk.core import repeats
from marac_desk.core.collector import paused_gc
from marac_desk.core.vocab import NO, NOT_KNOWN, NOT_STATED, YES

_T = TypeVar("_T")

# ----- the knobs ---------------------------------------------------------------------------------

REFERRALS_PER_PANEL_YEAR = 850
MAX_YEARS = 5
MAX_CASES_PER_MEETING = 20
FUTURE_MEETINGS = 4
REPEAT_TARGET = 0.30
NEW_PERPETRATOR_SHARE = 0.035
LAPSED_SHARE = 0.02
MIN_DAYS_BETWEEN_REPEATS = 14
CADENCE = "weekly:wed"
PANEL_TYPE = "marac"
DEFAULT_MEETING_TIME = time(9, 30)

FORM_ID = "marac-desk-checklist"
FORM_VERSION = "1"
QUESTION_IDS: tuple[str, ...] = tuple(f"q{i:02d}" for i in range(1, 25))
RISK_TOOL_CHECKLIST = "checklist"
RISK_TOOL_DARA = "dara"
REVIEW_AFTER = timedelta(weeks=6)

_ANSWER_CODES = {"y": "yes", "n": "no", "d": "dont_know"}
_PLAIN_ANSWERS = {
    code: {"answer": answer, "comment": "", "source": ""} for code, answer in _ANSWER_CODES.items()
}

# How referral sources split (police ~60%), by the store's seeded agency names.
REFERRING_AGENCY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("Police", 60),
    ("IDVA", 11),
    ("Children's Social Care", 5),
    ("Adult Social Care", 2),
    ("Primary Care", 2),
    ("Acute Trust", 4),
    ("Mental Health", 3),
    ("Substance Misuse", 1),
    ("Probation", 2),
    ("Voluntary Sector", 3),
    ("MASH", 3),
    ("Education", 1),
    ("Housing", 2),
    ("Other", 1),
)
JOINT_REFERRAL_SHARE = 0.05

# The agencies expected at every meeting, and how likely each is to be there.
CORE_AGENCIES: tuple[tuple[str, float], ...] = (
    ("Police", 1.0),
    ("IDVA", 1.0),
    ("Children's Social Care", 0.92),
    ("Housing", 0.85),
    ("Probation", 0.85),
    ("Primary Care", 0.7),
    ("Acute Trust", 0.75),
    ("Mental Health", 0.75),
    ("Substance Misuse", 0.7),
    ("Adult Social Care", 0.75),
    ("Education", 0.7),
    ("Voluntary Sector", 0.8),
)

ACTION_CATEGORY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("victim_safety", 22),
    ("children", 20),
    ("perpetrator_disruption", 20),
    ("housing", 12),
    ("health", 14),
    ("criminal_justice", 8),
    ("other", 4),
)

# ----- the data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alias:
    first_name: str
    last_name: str
    kind: str  # alias | spelling | previous


@dataclass(frozen=True, slots=True)
class Person:
    key: int
    role: str  # victim | perpetrator
    first_name: str
    middle_names: str
    last_name: str
    dob: date | None
    gender: str
    origin: str
    aliases: tuple[Alias, ...]
    alternative_dobs: tuple[date, ...]
    first_referral_key: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Panel:
    key: int
    name: str
    code: str  # the case reference prefix, e.g. "NT"
    town: str
    panel_type: str
    cadence: str
    default_time: time
    venue: str


@dataclass(frozen=True, slots=True)
class ReferralPerpetrator:
    person_key: int
    first_name: str
    last_name: str
    dob: date | None
    gender: str
    relationship_to_victim: str
    address: str
    mental_health: str
    substance_misuse: str


@dataclass(frozen=True, slots=True)
class ReferralChild:
    first_name: str
    last_name: str
    dob: date | None
    relationship_to_victim: str
    relationship_to_perpetrator: str
    school: str


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    form_id: str
    form_version: str
    kind: str
    assessed_on: date
    assessor: str
    # One letter per question q01..q24: y(es), n(o), d(on't know); see `answers_json`.
    answer_codes: str
    source: str  # where the "yes" answers came from
    comments: tuple[tuple[int, str], ...]  # (question index, comment), sparse
    score: int
    band: str
    judgement_band: str
    judgement_reason: str
    review_due: date

    def answers_json(self) -> dict[str, dict[str, str]]:
        """The answers as the store keeps them: {question_id: {answer, comment, source}}."""
        # Uncommented answers share one dict per (answer, source): this runs for every
        # referral of a large demo store.
        plain = {
            "y": {"answer": "yes", "comment": "", "source": self.source},
            "n": _PLAIN_ANSWERS["n"],
            "d": _PLAIN_ANSWERS["d"],
        }
        out = {QUESTION_IDS[i]: plain[code] for i, code in enumerate(self.answer_codes)}
        for index, comment in self.comments:
            code = self.answer_codes[index]
            out[QUESTION_IDS[index]] = {
                "answer": _ANSWER_CODES[code],
                "comment": comment,
                "source": self.source if code == "y" else "",
            }
        return out

    def answers_text(self) -> str:
        """`answers_json()` as compact JSON text (no spaces, non-ASCII kept, keys in question
        order), the way the store writes JSON columns.

        Put together from pieces encoded once per source: encoding a fresh dict of 24 dicts
        for every referral cost more than writing the row itself in a large demo store.
        """
        pieces = _answer_pieces(self.source)
        codes = self.answer_codes
        parts = [pieces[code][i] for i, code in enumerate(codes)]
        for index, comment in self.comments:
            code = codes[index]
            source = self.source if code == "y" else ""
            parts[index] = _answer_piece(index, _ANSWER_CODES[code], comment, source)
        return "{" + ",".join(parts) + "}"


@lru_cache(maxsize=8192)  # comments come from a short list, so commented answers repeat too
def _answer_piece(index: int, answer: str, comment: str, source: str) -> str:
    """One `"qNN":{...}` member of the answers' JSON text."""
    value = {"answer": answer, "comment": comment, "source": source}
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return f"{json.dumps(QUESTION_IDS[index])}:{encoded}"


@lru_cache(maxsize=64)
def _answer_pieces(source: str) -> dict[str, tuple[str, ...]]:
    """Every uncommented answer's JSON member, by answer code and question index."""
    return {
        code: tuple(
            _answer_piece(i, answer, "", source if code == "y" else "")
            for i in range(len(QUESTION_IDS))
        )
        for code, answer in _ANSWER_CODES.items()
    }


@dataclass(frozen=True, slots=True)
class Referral:
    key: int
    panel_key: int
    case_prefix: str
    case_year: int
    case_number: int  # per panel and year, from 1
    referral_date: date
    referring_agency: str
    joint_agency: str | None
    referrer_name: str
    referrer_contact: str
    external_ref: str
    victim_key: int
    victim_first_name: str
    victim_last_name: str
    victim_dob: date | None
    victim_gender: str
    victim_ethnicity: str
    victim_bame: str
    victim_lgbt: str
    victim_disability: str
    victim_mental_health: str
    victim_substance_misuse: str
    victim_pregnant: str
    address: str
    postcode: str
    phone: str
    safe_to_call: str
    safe_to_text: str
    safe_to_leave_message: str
    best_contact_time: str
    language: str
    interpreter_needed: str
    reason: str
    others_feared: str
    victim_aware: str
    victim_consented: str
    no_consent_reason: str
    previous_marac_elsewhere: str
    crit_visible_high_risk: bool
    crit_professional_judgement: bool
    professional_judgement_reason: str
    crit_potential_escalation: bool
    police_incidents_12m: int | None
    crit_repeat: bool
    risk_tool: str
    risk_score: int | None
    risk_grade: str
    status: str
    status_reason: str
    status_decided_by: str
    is_repeat: bool
    previous_referral_key: int | None
    new_perpetrator_flag: bool
    perpetrators: tuple[ReferralPerpetrator, ...]
    children: tuple[ReferralChild, ...]
    risk_assessment: RiskAssessment | None
    created_at: datetime
    updated_at: datetime

    def case_ref(self, offset: int = 0) -> str:
        return format_case_ref(self.case_prefix, self.case_year, self.case_number + offset)


@dataclass(frozen=True, slots=True)
class ActionUpdate:
    updated_on: date
    status: str
    note: str
    new_due_date: date | None


@dataclass(frozen=True, slots=True)
class Action:
    key: int
    referral_key: int
    owner_agency: str
    owner_person: str
    text: str
    linked_risk: str
    category: str
    due_date: date
    status: str
    completed_on: date | None
    created_at: datetime
    updated_at: datetime
    updates: tuple[ActionUpdate, ...]


@dataclass(frozen=True, slots=True)
class MeetingCase:
    key: int
    referral_key: int
    position: int
    allotted_minutes: int
    outcome: str
    outcome_reason: str
    victim_voice: str
    risks_identified: str
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Attendance:
    agency: str
    person_name: str
    status: str  # present | apologies | observer
    information_sent: bool
    information_sent_on: date | None
    statement_signed: bool
    substitute_for: str


@dataclass(frozen=True, slots=True)
class Meeting:
    key: int
    panel_key: int
    meeting_date: date
    start_time: time | None
    end_time: time | None
    venue: str
    chair: str
    minute_taker: str
    status: str  # planned | held | cancelled
    status_reason: str
    confidentiality_read: bool
    minutes_circulated_on: date | None
    created_at: datetime
    attendance: tuple[Attendance, ...]
    cases: tuple[MeetingCase, ...]


@dataclass(frozen=True, slots=True)
class SyntheticData:
    referral_count: int
    seed: int
    today: date
    start: date
    panels: tuple[Panel, ...]
    people: tuple[Person, ...]
    referrals: tuple[Referral, ...]
    meetings: tuple[Meeting, ...]

    @property
    def repeat_count(self) -> int:
        return sum(1 for r in self.referrals if r.is_repeat)

    @property
    def meeting_case_count(self) -> int:
        return sum(len(m.cases) for m in self.meetings)

    @property
    def action_count(self) -> int:
        return sum(len(c.actions) for m in self.meetings for c in m.cases)

    def actions(self) -> tuple[Action, ...]:
        return tuple(a for m in self.meetings for c in m.cases for a in c.actions)


def _builder(cls: type[_T]) -> Callable[..., _T]:
    """A constructor for a frozen, slotted dataclass that fills the slots directly.

    A frozen dataclass's `__init__` sets every field through `object.__setattr__`, and a large
    demo store sets tens of millions of fields. `build` fills an unfrozen twin class with the
    very same `__slots__` by plain assignment (several times cheaper) and then makes the object
    an instance of `cls`: Python allows changing `__class__` between classes whose instances
    have the same layout, which identical slots give (tried once here, so a class this cannot
    serve fails at import). `build(*values)` or `build(**values)` makes the same object as
    `cls(...)`: same class, same fields in the same order, frozen from then on. Only for the
    dataclasses below, which have no defaults, no `__post_init__` and no validation that this
    would skip.
    """
    cls_fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    plain = all(f.init and f.default is dataclasses.MISSING for f in cls_fields)
    names = [f.name for f in cls_fields]
    if not plain or hasattr(cls, "__post_init__") or cls.__dict__.get("__slots__") != tuple(names):
        raise TypeError(f"{cls.__name__} needs its own __init__")
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": tuple(names)})
    namespace: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    lines = [f"def build({', '.join(names)}):", "    self = _new(_twin)"]
    lines += [f"    self.{name} = {name}" for name in names]
    lines += ["    self.__class__ = _cls", "    return self"]
    exec("\n".join(lines), namespace)  # noqa: S102 - our own field names, as dataclasses does
    build: Callable[..., _T] = namespace["build"]
    build(*[None] * len(names))  # TypeError now if the layouts ever differ
    return build


_build_person = _builder(Person)
_build_referral = _builder(Referral)
_build_referral_perpetrator = _builder(ReferralPerpetrator)
_build_referral_child = _builder(ReferralChild)
_build_risk_assessment = _builder(RiskAssessment)
_build_action = _builder(Action)
_build_action_update = _builder(ActionUpdate)
_build_meeting_case = _builder(MeetingCase)


def format_case_ref(prefix: str, year: int, number: int) -> str:
    """Case references look like NT-2025-00042: panel, year of referral, number in that year."""
    return f"{prefix}-{year}-{number:05d}"


def risk_band(score: int) -> str:
    """The common bands: 1–9 standard, 10–13 medium, 14+ high (visible high risk)."""
    if score >= 14:
        return "high"
    if score >= 10:
        return "medium"
    return "standard"


def plan_shape(referrals: int) -> tuple[int, int]:
    """(number of panels, days covered) for a given number of referrals."""
    if referrals < 1:
        raise ValueError("At least one referral is needed.")
    panels = max(1, math.ceil(referrals / (REFERRALS_PER_PANEL_YEAR * MAX_YEARS)))
    years = min(MAX_YEARS, max(1.0, referrals / (REFERRALS_PER_PANEL_YEAR * panels)))
    return panels, round(years * 365.25)


# ----- the shipped catalogue -------------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    name: str
    weight: float
    ethnicity: str
    bame: bool
    language: str
    interpreter_share: float
    middle_style: str
    family_name_first: bool
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]  # (male form, female form)
    scripts: dict[str, str]


@dataclass(frozen=True)
class Catalogue:
    origins: tuple[_Origin, ...]
    middle_names: dict[str, dict[str, Any]]
    nicknames: dict[str, tuple[str, ...]]
    spellings: dict[str, tuple[str, ...]]
    texts: dict[str, Any]


def _read_json(name: str) -> Any:
    ref = resources.files("marac_desk.resources").joinpath("synthetic", name)
    return json.loads(ref.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The shipped names and wording (read once)."""
    names = _read_json("names.json")
    origins = []
    for key, spec in names["origins"].items():
        surnames = tuple(
            (s, s) if isinstance(s, str) else (s["male"], s["female"]) for s in spec["surnames"]
        )
        origins.append(
            _Origin(
                name=key,
                weight=float(spec["weight"]),
                ethnicity=spec["ethnicity"],
                bame=bool(spec["bame"]),
                language=spec["language"],
                interpreter_share=float(spec["interpreter_share"]),
                middle_style=spec.get("middle_names", "none"),
                family_name_first=bool(spec.get("family_name_first", False)),
                female=tuple(spec["female"]),
                male=tuple(spec["male"]),
                surnames=surnames,
                scripts=dict(spec.get("scripts", {})),
            )
        )
    return Catalogue(
        origins=tuple(origins),
        middle_names=names["middle_names"],
        nicknames={k: tuple(v) for k, v in names["nicknames"].items()},
        spellings={k: tuple(v) for k, v in names["spellings"].items()},
        texts=_read_json("texts.json"),
    )


# ----- small helpers ---------------------------------------------------------------------------

_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ı": "i", "İ": "I", "đ": "d", "Đ": "D", "ø": "o", "ß": "ss", "æ": "ae"}
)


def ascii_fold(text: str) -> str:
    """How a name is often keyed on systems without diacritics: Łukasz → Lukasz."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def _slug(text: str, space: str = "") -> str:
    return ascii_fold(text).lower().replace("'", "").replace(" ", space)


class _Weighted:
    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self._items = [item for item, _ in pairs]
        total = 0.0
        self._cum: list[float] = []
        for _, weight in pairs:
            total += weight
            self._cum.append(total)
        self._total = total

    def pick(self, rng: random.Random) -> Any:
        return self._items[bisect_right(self._cum, rng.random() * self._total)]


def _pick(rng: random.Random, seq: Sequence[_T]) -> _T:
    """rng.choice, but a few times faster (one float per draw; the bias is far below noise)."""
    return seq[int(rng.random() * len(seq))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from low to high inclusive (like rng.randint, faster)."""
    return low + int(rng.random() * (high - low + 1))


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _sample(rng: random.Random, seq: Sequence[_T], k: int) -> list[_T]:
    """k distinct items (a partial Fisher-Yates shuffle)."""
    pool = list(seq)
    n = len(pool)
    for i in range(k):
        j = i + int(rng.random() * (n - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def _tri(rng: random.Random, yes: float, no: float, not_known: float) -> str:
    """yes / no / not_known / not_stated with the remainder going to not_stated."""
    u = rng.random()
    if u < yes:
        return YES
    if u < yes + no:
        return NO
    if u < yes + no + not_known:
        return NOT_KNOWN
    return NOT_STATED


def _recorded(rng: random.Random, truth: str) -> str:
    """A stable trait as one referral records it: often asked, sometimes not."""
    u = rng.random()
    if u < 0.72:
        return truth
    if u < 0.95:
        return NOT_KNOWN
    return NOT_STATED


def _first_wednesday_on_or_after(day: date) -> date:
    return day + timedelta(days=(2 - day.weekday()) % 7)


def _add_working_days(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


# timedelta(days=n) for every n a generated period can need (children's ages reach 18 years):
# indexing this is several times faster than making a timedelta, and the values are the same.
_DAYS: tuple[timedelta, ...] = tuple(timedelta(days=n) for n in range(8192))
_WEEKS: tuple[timedelta, ...] = tuple(timedelta(weeks=n) for n in range(8))


@lru_cache(maxsize=8192)
def _window_end(day: date) -> date:
    """`repeats.window_end`, remembered: a five-year store asks it about the same few thousand
    dates over and over."""
    return repeats.window_end(day)


# ----- builders (mutable while generating, frozen at the end) -----------------------------------


class _P:
    """A person while the data is being made."""

    __slots__ = (
        "address",
        "age_at_first",
        "alias_seen",
        "aliases",
        "alt_dobs",
        "children",
        "created",
        "dob",
        "emitted_aliases",
        "emitted_dobs",
        "first",
        "first_ref",
        "gender",
        "history",
        "key",
        "language",
        "last",
        "middle",
        "n_children",
        "origin",
        "phone",
        "postcode",
        "role",
        "traits",
    )

    def __init__(  # noqa: PLR0917 - private builder
        self,
        key: int,
        role: str,
        origin: _Origin,
        gender: str,
        first: str,
        middle: str,
        last: str,
        dob: date,
    ) -> None:
        self.key = key
        self.role = role
        self.origin = origin
        self.gender = gender
        self.first = first
        self.middle = middle
        self.last = last
        self.dob = dob
        self.aliases: list[Alias] = []
        self.alias_seen: set[tuple[str, str]] = {(first, last)}
        self.alt_dobs: list[date] = []
        self.first_ref = 0
        self.created: datetime | None = None
        self.history: list[repeats.ReferralFacts] = []
        self.traits: tuple[str, ...] = ()
        self.n_children = 0
        self.children: list[tuple[str, str, date, str, str]] = []
        self.address = ""
        self.postcode = ""
        self.phone = ""
        self.language = "English"
        self.age_at_first = 0
        self.emitted_aliases = -1  # -1: the person has not been handed out yet
        self.emitted_dobs = 0

    def add_alias(self, first: str, last: str, kind: str) -> None:
        if (first, last) not in self.alias_seen:
            self.alias_seen.add((first, last))
            self.aliases.append(Alias(first, last, kind))

    def add_dob(self, dob: date | None) -> None:
        if dob is not None and dob != self.dob and dob not in self.alt_dobs:
            self.alt_dobs.append(dob)

    def freeze(self) -> Person:
        created = self.created or datetime(2000, 1, 1)
        return _build_person(
            key=self.key,
            role=self.role,
            first_name=self.first,
            middle_names=self.middle,
            last_name=self.last,
            dob=self.dob,
            gender=self.gender,
            origin=self.origin.name,
            aliases=tuple(self.aliases),
            alternative_dobs=tuple(self.alt_dobs),
            first_referral_key=self.first_ref,
            created_at=created,
            updated_at=created,
        )


class _Pair:
    """A victim and the perpetrator(s) referred together, for repeats."""

    __slots__ = ("last_date", "perps", "relationships", "victim", "window_end")

    def __init__(
        self, victim: _P, perps: tuple[_P, ...], relationships: tuple[str, ...], day: date
    ) -> None:
        self.victim = victim
        self.perps = perps
        self.relationships = relationships
        self.touch(day)

    def touch(self, day: date) -> None:
        self.last_date = day
        self.window_end = _window_end(day)


class _Draft:
    """The structure of one referral, decided before its wording."""

    __slots__ = (
        "date",
        "fate",
        "fate_by",
        "fate_reason",
        "key",
        "panel",
        "perps",
        "relationships",
        "settled_on",
        "status",
        "verdict",
        "victim",
    )

    def __init__(  # noqa: PLR0917 - private builder
        self,
        key: int,
        day: date,
        panel: int,
        victim: _P,
        perps: tuple[_P, ...],
        relationships: tuple[str, ...],
        verdict: repeats.RepeatVerdict,
    ) -> None:
        self.key = key
        self.date = day
        self.panel = panel
        self.victim = victim
        self.perps = perps
        self.relationships = relationships
        self.verdict = verdict
        self.fate = "normal"
        self.fate_reason = ""
        self.fate_by = ""
        self.status = "received"
        self.settled_on: date | None = None


class _PanelState:
    __slots__ = ("active", "lapsed", "perp_pool", "since_prune")

    def __init__(self) -> None:
        self.active: list[_Pair] = []
        self.lapsed: list[_Pair] = []
        self.perp_pool: list[_P] = []
        self.since_prune = 0


# ----- the generator -------------------------------------------------------------------------


class _Generator:
    def __init__(self, referrals: int, seed: int, today: date) -> None:
        self.n = referrals
        self.seed = seed
        self.today = today
        self.cat = catalogue()
        self.texts = self.cat.texts
        # Separate streams, so changing how one part is worded leaves the others as they were.
        # Reproducible pseudo-random data, nothing secret: S311 does not apply.
        self.rng_struct = random.Random(f"marac-desk/structure/{seed}")  # noqa: S311
        self.rng_meet = random.Random(f"marac-desk/meetings/{seed}")  # noqa: S311
        self.rng_text = random.Random(f"marac-desk/wording/{seed}")  # noqa: S311
        self.n_panels, self.days = plan_shape(referrals)
        self.start = today - timedelta(days=self.days - 1)
        self.origins = _Weighted([(o, o.weight) for o in self.cat.origins])
        self.english = next(o for o in self.cat.origins if o.name == "english")
        self.agencies = _Weighted(REFERRING_AGENCY_WEIGHTS)
        self.categories = _Weighted(ACTION_CATEGORY_WEIGHTS)
        self.people: list[_P] = []
        self.drafts: list[_Draft] = []
        self.panels = self._make_panels()
        self.rosters = [self._make_roster(p) for p in self.panels]
        self.cases: dict[int, list[tuple[int, date]]] = {}
        schools: list[str] = self.texts["schools"]
        self._primary_schools = schools[:4] + schools[7:]
        self._secondary_schools = schools[3:6]
        # (panel, agency, referrer) -> the referrer's e-mail address (a few hundred of them).
        self._contacts: dict[tuple[int, str, str], str] = {}

    # -- panels and staff --

    def _make_panels(self) -> list[Panel]:
        towns: list[list[str]] = self.texts["panels"]
        venues: list[str] = self.texts["venues"]
        made = []
        for index in range(self.n_panels):
            town, code = towns[index % len(towns)]
            if index >= len(towns):
                suffix = index // len(towns) + 1
                town, code = f"{town} {suffix}", f"{code}{suffix}"
            made.append(
                Panel(
                    key=index + 1,
                    name=f"{town} MARAC",
                    code=code,
                    town=town,
                    panel_type=PANEL_TYPE,
                    cadence=CADENCE,
                    default_time=DEFAULT_MEETING_TIME,
                    venue=venues[0].format(town=town),
                )
            )
        return made

    def _make_roster(self, panel: Panel) -> dict[str, list[str]]:
        rng = self.rng_meet
        roster: dict[str, list[str]] = {}
        for agency, _ in REFERRING_AGENCY_WEIGHTS:
            staff = []
            for _ in range(4):
                origin = self.origins.pick(rng)
                gender = "female" if rng.random() < 0.7 else "male"
                first = _pick(rng, origin.female if gender == "female" else origin.male)
                last = _pick(rng, origin.surnames)[1 if gender == "female" else 0]
                staff.append(f"{first} {last}")
            roster[agency] = staff
        roster["_chair"] = [f"DI {roster['Police'][0]}", f"DCI {roster['Police'][1]}"]
        return roster

    # -- people --

    def _name(self, origin: _Origin, gender: str) -> tuple[str, str, str]:
        rng = self.rng_struct
        female = gender == "female" or (gender != "male" and rng.random() < 0.5)
        first = _pick(rng, origin.female if female else origin.male)
        last = _pick(rng, origin.surnames)[1 if female else 0]
        middle = ""
        style = self.cat.middle_names.get(origin.middle_style)
        if style and rng.random() < float(style["share"]):
            middle = _pick(rng, style["female" if female else "male"])
        return first, middle, last

    def _new_person(  # noqa: PLR0917
        self, role: str, origin: _Origin, gender: str, age: int, day: date, surname: str = ""
    ) -> _P:
        rng = self.rng_struct
        first, middle, last = self._name(origin, gender)
        if surname:
            last = surname
        dob = day - timedelta(days=int(age * 365.25) + _below(rng, 365))
        person = _P(len(self.people) + 1, role, origin, gender, first, middle, last, dob)
        person.age_at_first = age
        self.people.append(person)
        # Native-script forms and previous surnames are known from the start.
        native_first, native_last = origin.scripts.get(first), origin.scripts.get(last)
        if native_first and native_last and rng.random() < 0.35:
            person.add_alias(native_first, native_last, "alias")
        if gender == "female" and role == "victim" and rng.random() < 0.06:
            person.add_alias(first, _pick(rng, origin.surnames)[1], "previous")
        return person

    def _victim_age(self) -> int:
        rng = self.rng_struct
        if rng.random() < 0.025:
            return _pick(rng, (16, 17))
        return max(18, min(84, round(rng.triangular(18, 75, 30))))

    def _new_victim(self, day: date) -> _P:
        rng = self.rng_struct
        u = rng.random()
        gender = "female" if u < 0.905 else "male" if u < 0.985 else "non_binary"
        age = self._victim_age()
        victim = self._new_person("victim", self.origins.pick(rng), gender, age, day)
        victim.traits = (
            _tri(rng, 0.045, 0.90, 0.055),  # LGBT+
            _tri(rng, 0.20, 0.76, 0.04),  # disability
            _tri(rng, 0.38, 0.58, 0.04),  # mental health
            _tri(rng, 0.12, 0.84, 0.04),  # substance misuse
        )
        max_children = 0 if age < 18 else min(4, (age - 16) // 2)
        victim.n_children = min(max_children, _CHILD_PICKER.pick(rng))
        if victim.origin.language != "English" and rng.random() < victim.origin.interpreter_share:
            victim.language = victim.origin.language
        return victim

    def _new_perpetrator(self, victim: _P, relationship: str, day: date) -> _P:
        rng = self.rng_struct
        origin = victim.origin if rng.random() < 0.75 else self.origins.pick(rng)
        age_now = (day - victim.dob).days // 365
        surname = ""
        if relationship == "family_member":
            origin = victim.origin
            gender = "male" if rng.random() < 0.8 else "female"
            if age_now >= 38 and rng.random() < 0.6:
                age = age_now - _between(rng, 18, 30)  # adult son or daughter
            elif rng.random() < 0.08:
                age = _between(rng, 14, 17)
            else:
                age = max(16, age_now + _between(rng, -8, 30))  # sibling, parent, in-law
            if rng.random() < 0.7:
                surname = victim.last
        else:
            if victim.gender == "female":
                gender = "male" if rng.random() < 0.93 else "female"
            else:
                gender = "female" if rng.random() < 0.6 else "male"
            if age_now < 18:
                age = max(16, min(24, age_now + _between(rng, 0, 5)))
            else:
                age = max(17, min(85, round(age_now + rng.gauss(2.5, 5))))
        if rng.random() < 0.02:
            age = _between(rng, 15, 17)
        perp = self._new_person("perpetrator", origin, gender, age, day, surname)
        perp.traits = (
            _tri(rng, 0.42, 0.30, 0.26),  # mental health
            _tri(rng, 0.55, 0.22, 0.21),  # substance misuse
        )
        return perp

    def _relationship(self) -> str:
        u = self.rng_struct.random()
        if u < 0.40:
            return "current_partner"
        if u < 0.85:
            return "ex_partner"
        if u < 0.97:
            return "family_member"
        if u < 0.99:
            return "other"
        return NOT_KNOWN

    # -- phase 1: who is referred when --

    def _dates(self) -> list[tuple[date, int]]:
        random = self.rng_struct.random
        # Every day of the period and whether it is a weekday, looked up rather than computed.
        days = [self.start + _DAYS[offset] for offset in range(self.days)]
        weekday = [day.weekday() < 5 for day in days]
        n_days, n_panels = self.days, self.n_panels
        slots = []
        for index in range(self.n):
            while True:
                offset = int(random() * n_days)  # _below(rng, self.days)
                if weekday[offset] or random() < 0.2:
                    break
            slots.append((days[offset], index % n_panels, index))
        slots.sort()
        return [(day, panel) for day, panel, _ in slots]

    @staticmethod
    def _pick_pair(rng: random.Random, pairs: list[_Pair], day: date, lapsed: bool) -> _Pair | None:
        if not pairs:
            return None
        for _ in range(8):
            pair = pairs[_below(rng, len(pairs))]
            if lapsed:
                if pair.window_end < day:
                    return pair
            elif pair.window_end >= day and (day - pair.last_date).days >= (
                MIN_DAYS_BETWEEN_REPEATS
            ):
                return pair
        return None

    def _prune(self, state: _PanelState, day: date) -> None:
        # Two comprehensions are much faster than one loop appending to either list.
        active = state.active
        gone = [pair for pair in active if pair.window_end < day]
        if gone:
            state.active = [pair for pair in active if pair.window_end >= day]
        horizon = day - _DAYS[730]
        state.lapsed = [p for p in state.lapsed + gone if p.last_date >= horizon][-3000:]
        state.since_prune = 0

    def phase_structure(self) -> None:  # noqa: PLR0912, PLR0915 - one walk through time
        rng = self.rng_struct
        states = [_PanelState() for _ in self.panels]
        repeats_so_far = 0
        for index, (day, panel) in enumerate(self._dates()):
            key = index + 1
            state = states[panel]
            state.since_prune += 1
            if state.since_prune >= 40:
                self._prune(state, day)
            deficit = REPEAT_TARGET * index - repeats_so_far
            p_repeat = min(0.85, max(0.05, REPEAT_TARGET + 0.08 * deficit))
            u = rng.random()
            pair: _Pair | None = None
            kind = "new"
            if u < p_repeat:
                pair = self._pick_pair(rng, state.active, day, lapsed=False)
                kind = "repeat" if pair else "new"
            elif u < p_repeat + NEW_PERPETRATOR_SHARE:
                pair = self._pick_pair(rng, state.active, day, lapsed=False)
                kind = "new_perpetrator" if pair else "new"
            elif u < p_repeat + NEW_PERPETRATOR_SHARE + LAPSED_SHARE:
                pair = self._pick_pair(rng, state.lapsed, day, lapsed=True)
                kind = "lapsed" if pair else "new"

            if kind in ("repeat", "lapsed") and pair is not None:
                victim = pair.victim
                perps = pair.perps
                if len(perps) > 1 and rng.random() < 0.15:
                    perps = perps[:1]
                relationships = tuple(
                    "ex_partner" if r == "current_partner" and rng.random() < 0.3 else r
                    for r in pair.relationships[: len(perps)]
                )
                pair.relationships = relationships + pair.relationships[len(perps) :]
                if kind == "lapsed":
                    state.lapsed.remove(pair)
                    state.active.append(pair)
                pair.touch(day)
            elif kind == "new_perpetrator" and pair is not None:
                victim = pair.victim
                relationship = "current_partner" if rng.random() < 0.7 else self._relationship()
                perp = self._new_perpetrator(victim, relationship, day)
                state.perp_pool.append(perp)
                perps, relationships = (perp,), (relationship,)
                state.active.append(_Pair(victim, perps, relationships, day))
            else:
                victim = self._new_victim(day)
                relationship = self._relationship()
                if (
                    relationship in ("current_partner", "ex_partner")
                    and state.perp_pool
                    and (rng.random() < 0.03)
                ):
                    perp = state.perp_pool[_below(rng, len(state.perp_pool))]
                    if perp.role != "perpetrator" or perp.gender == victim.gender:
                        perp = self._new_perpetrator(victim, relationship, day)
                else:
                    perp = self._new_perpetrator(victim, relationship, day)
                state.perp_pool.append(perp)
                perps, relationships = (perp,), (relationship,)
                if rng.random() < 0.08:
                    second = self._new_perpetrator(victim, "family_member", day)
                    perps, relationships = (perp, second), (relationship, "family_member")
                state.active.append(_Pair(victim, perps, relationships, day))
            if len(state.perp_pool) > 4000:
                del state.perp_pool[:1000]

            perp_ids = frozenset(p.key for p in perps)
            verdict = repeats.assess_repeat(
                day, victim.key, perp_ids, victim.history, referral_id=key
            )
            victim.history.append(repeats.ReferralFacts(key, day, victim.key, perp_ids))
            if verdict.is_repeat:
                repeats_so_far += 1
            draft = _Draft(key, day, panel, victim, perps, relationships, verdict)
            for person in (victim, *perps):
                if not person.first_ref:
                    person.first_ref = key
            if (self.today - day).days >= 3:
                u = rng.random()
                texts = self.texts
                if u < 0.025:
                    draft.fate = "diverted"
                    draft.fate_reason, draft.fate_by = _pick(rng, texts["diverted_reasons"])
                elif u < 0.035:
                    draft.fate = "withdrawn"
                    draft.fate_reason, draft.fate_by = _pick(rng, texts["withdrawn_reasons"])
                if draft.fate != "normal":
                    draft.status = draft.fate
                    draft.settled_on = min(self.today, day + timedelta(days=_between(rng, 1, 5)))
            self.drafts.append(draft)

    # -- phase 2: meetings --

    def phase_meetings(self) -> list[Meeting]:
        by_panel: list[list[_Draft]] = [[] for _ in self.panels]
        for draft in self.drafts:
            if draft.fate == "normal":
                by_panel[draft.panel].append(draft)
        raw: list[tuple[date, int, dict[str, Any]]] = []
        for panel, queue in zip(self.panels, by_panel, strict=True):
            for meeting in self._panel_meetings(panel, queue):
                raw.append((meeting["meeting_date"], panel.key, meeting))
        raw.sort(key=lambda item: (item[0], item[1]))
        meetings = []
        case_key = action_key = 0
        for key, (_, _, spec) in enumerate(raw, start=1):
            cases = []
            for position, case in enumerate(spec.pop("cases"), start=1):
                case_key += 1
                referral_key, allotted, outcome, reason, voice, risks, action_fields = case
                actions = []
                for fields in action_fields:
                    action_key += 1
                    actions.append(_build_action(action_key, *fields))
                cases.append(
                    _build_meeting_case(
                        case_key,
                        referral_key,
                        position,
                        allotted,
                        outcome,
                        reason,
                        voice,
                        risks,
                        tuple(actions),
                    )
                )
            meetings.append(Meeting(key=key, cases=tuple(cases), **spec))
        return meetings

    def _panel_meetings(  # noqa: PLR0915 - one panel's year, week by week
        self, panel: Panel, queue: list[_Draft]
    ) -> list[dict[str, Any]]:
        rng = self.rng_meet
        texts = self.texts
        roster = self.rosters[panel.key - 1]
        first = _first_wednesday_on_or_after(self.start + timedelta(days=7))
        next_meeting = _first_wednesday_on_or_after(self.today)
        last = next_meeting + timedelta(weeks=FUTURE_MEETINGS - 1)
        out: list[dict[str, Any]] = []
        pointer = 0
        carried: list[_Draft] = []
        deferred: set[int] = set()
        day = first
        while day <= last:
            cutoff = day - timedelta(days=5)
            held = day < self.today
            spec: dict[str, Any] = {
                "panel_key": panel.key,
                "meeting_date": day,
                "start_time": panel.default_time,
                "end_time": None,
                "venue": panel.venue
                if rng.random() < 0.6
                else _pick(rng, texts["venues"]).format(town=panel.town),
                "chair": roster["_chair"][0 if rng.random() < 0.75 else 1],
                "minute_taker": "MARAC Coordinator",
                "status": "planned",
                "status_reason": "",
                "confidentiality_read": False,
                "minutes_circulated_on": None,
                "created_at": _at(day - timedelta(days=28), 9),
                "attendance": (),
                "cases": [],
            }
            out.append(spec)
            if held and day != first and rng.random() < 0.012:
                spec["status"] = "cancelled"
                spec["status_reason"] = _pick(rng, texts["cancel_reasons"])
                day += timedelta(weeks=1)
                continue
            if not held and day != next_meeting:
                day += timedelta(weeks=1)
                continue
            limit = cutoff if held else min(cutoff, self.today - timedelta(days=2))
            listed = carried[:MAX_CASES_PER_MEETING]
            carried = carried[MAX_CASES_PER_MEETING:]
            while (
                len(listed) < MAX_CASES_PER_MEETING
                and pointer < len(queue)
                and queue[pointer].date <= limit
            ):
                listed.append(queue[pointer])
                pointer += 1
            if not held:
                for draft in listed:
                    draft.status = "listed"
                    spec["cases"].append(self._case(draft, 15, "pending", "", "", ""))
                day += timedelta(weeks=1)
                continue
            minutes = 0
            next_carried: list[_Draft] = []
            for draft in listed:
                allotted = 15 if draft.verdict.is_repeat or rng.random() < 0.6 else 10
                minutes += allotted
                if rng.random() < 0.02 and draft.key not in deferred:
                    deferred.add(draft.key)
                    next_carried.append(draft)
                    reason = _pick(rng, texts["deferred_reasons"])
                    spec["cases"].append(self._case(draft, allotted, "deferred", reason, "", ""))
                    continue
                spec["cases"].append(self._heard_case(draft, day, allotted, roster))
            carried = next_carried + carried
            spec["status"] = "held"
            spec["confidentiality_read"] = True
            end = datetime.combine(day, panel.default_time) + timedelta(minutes=minutes + 15)
            spec["end_time"] = end.time()
            circulated = _add_working_days(day, 1 + min(9, int(rng.expovariate(0.8))))
            spec["minutes_circulated_on"] = circulated if circulated <= self.today else None
            spec["attendance"] = self._attendance(day, roster)
            day += timedelta(weeks=1)
        # Whatever is still waiting (never listed) keeps the status "received".
        return out

    @staticmethod
    def _case(  # noqa: PLR0917
        draft: _Draft,
        allotted: int,
        outcome: str,
        reason: str,
        voice: str,
        risks: str,
        actions: list[_ActionFields] | None = None,
    ) -> _CaseFields:
        return (draft.key, allotted, outcome, reason, voice, risks, actions or [])

    def _heard_case(
        self, draft: _Draft, day: date, allotted: int, roster: dict[str, list[str]]
    ) -> _CaseFields:
        rng = self.rng_meet
        random = rng.random
        texts = self.texts
        templates = texts["actions"]
        pick_category = self.categories.pick
        has_children = draft.victim.n_children > 0
        count = _ACTION_PICKER.pick(rng)
        chosen: list[tuple[str, list[str]]] = []
        used: set[str] = set()
        if random() < 0.85:
            template = templates["victim_safety"][0]
            chosen.append(("victim_safety", template))
            used.add(template[1])
        tries = 0
        while len(chosen) < count and tries < 20:
            tries += 1
            category = pick_category(rng)
            if category == "children" and not has_children:
                continue
            options = templates[category]
            template = options[int(random() * len(options))]  # _pick
            if template[1] in used:
                continue
            used.add(template[1])
            chosen.append((category, template))
        action = self._action
        actions = [action(draft, day, cat, tpl, roster) for cat, tpl in chosen]
        risks = "; ".join(_sample(rng, texts["risks"], _between(rng, 1, 3)))
        open_left = any(a[_A_STATUS] in ("open", "carried_forward") for a in actions)
        closed_at_meeting = random() < 0.12
        if closed_at_meeting or not open_left:
            draft.status = "closed"
            settled = [a[_A_COMPLETED_ON] or a[_A_UPDATED_AT].date() for a in actions]
            draft.settled_on = max([day, *settled])
        else:
            draft.status = "heard"
            draft.settled_on = day
        return self._case(
            draft,
            allotted,
            "heard_closed" if closed_at_meeting else "heard_open",
            "",
            _pick(rng, texts["victim_voice"]),
            risks,
            actions,
        )

    def _action(
        self,
        draft: _Draft,
        meeting_day: date,
        category: str,
        template: list[str],
        roster: dict[str, list[str]],
    ) -> _ActionFields:
        # Several hundred thousand of these for a large store: the random draws are written out
        # (the helper each replaces is named in a comment) and day counts index `_DAYS`.
        random = self.rng_meet.random
        notes = self.texts["update_notes"]
        agency, text, risk = template
        due = meeting_day + _WEEKS[2 + int(random() * 5)]  # _between(rng, 2, 6) weeks
        today = self.today
        updates: list[ActionUpdate] = []
        completed_on: date | None = None
        if due < today:
            u = random()
            status = (
                "completed"
                if u < 0.84
                else "open"
                if u < 0.90
                else "carried_forward"
                if u < 0.93
                else "not_possible"
                if u < 0.97
                else "not_undertaken"
            )
        else:
            elapsed = (today - meeting_day).days / max(1, (due - meeting_day).days)
            status = "completed" if random() < 0.6 * elapsed else "open"
        latest = min(today, due + _DAYS[10])
        span = max(1, (latest - meeting_day).days)
        if status == "completed":
            completed_on = meeting_day + _DAYS[1 + int(random() * span)]  # _between(rng, 1, span)
            completed_on = min(completed_on, today)
            if random() < 0.2 and (completed_on - meeting_day).days > 2:
                mid = meeting_day + _DAYS[(completed_on - meeting_day).days // 2]
                progress = notes["progress"]
                note = progress[int(random() * len(progress))]  # _pick
                updates.append(_build_action_update(mid, "open", note, None))
            done = notes["completed"]
            note = done[int(random() * len(done))]  # _pick
            updates.append(_build_action_update(completed_on, "completed", note, None))
        elif status in ("not_possible", "not_undertaken"):
            on = min(today, meeting_day + _DAYS[1 + int(random() * span)])  # _between(1, span)
            updates.append(
                _build_action_update(on, status, _pick(self.rng_meet, notes[status]), None)
            )
        elif status == "carried_forward":
            on = min(today, due)
            new_due = due + _WEEKS[2 + int(random() * 3)]  # _between(rng, 2, 4) weeks
            updates.append(
                _build_action_update(on, status, _pick(self.rng_meet, notes[status]), new_due)
            )
            due = new_due
        elif (today - meeting_day).days > 10 and random() < 0.35:
            # _between(rng, 1, days - 1)
            on = meeting_day + _DAYS[1 + int(random() * ((today - meeting_day).days - 1))]
            progress = notes["progress"]
            note = progress[int(random() * len(progress))]  # _pick
            updates.append(_build_action_update(on, "open", note, None))
        created = _at(meeting_day, 12, int(random() * 60))  # _below(rng, 60)
        updated = _at(updates[-1].updated_on, 15, int(random() * 60)) if updates else created
        staff = roster.get(agency) or [""]
        owner = staff[int(random() * len(staff))] if random() < 0.7 else ""  # _pick
        # Action's fields after `key`, in order (see _ActionFields).
        return (
            draft.key,
            agency,
            owner,
            text,
            risk,
            category,
            due,
            status,
            completed_on,
            created,
            max(created, updated),
            tuple(updates),
        )

    def _attendance(self, day: date, roster: dict[str, list[str]]) -> tuple[Attendance, ...]:
        rng = self.rng_meet
        rows = []
        for agency, presence in CORE_AGENCIES:
            staff = roster[agency]
            name = staff[0] if rng.random() < 0.7 else _pick(rng, staff)
            u = rng.random()
            if u < presence * 0.97:
                substitute = staff[0] if name != staff[0] and rng.random() < 0.5 else ""
                rows.append(Attendance(agency, name, "present", False, None, True, substitute))
            else:
                sent = rng.random() < 0.7
                sent_on = day - timedelta(days=_between(rng, 1, 2)) if sent else None
                rows.append(Attendance(agency, name, "apologies", sent, sent_on, False, ""))
        if rng.random() < 0.06:
            agency = _pick(rng, ("MASH", "Other", "Voluntary Sector"))
            rows.append(
                Attendance(agency, _pick(rng, roster[agency]), "observer", False, None, True, "")
            )
        return tuple(rows)

    # -- phase 3: what each referral says --

    def _variant(  # noqa: PLR0911, PLR0912 - one branch per kind of variant
        self, person: _P, chance: float
    ) -> tuple[str, str]:
        """The person's name as one referral writes it; new variants become aliases."""
        rng = self.rng_text
        first, last = person.first, person.last
        if rng.random() >= chance:
            return first, last
        cat = self.cat
        options: list[tuple[str, float]] = [("typo", 0.16), ("swap", 0.07), ("capitals", 0.06)]
        if person.origin.family_name_first:
            options.append(("swap", 0.25))
        if not (first + last).isascii():
            options.append(("fold", 0.3))
        if first in cat.nicknames:
            options.append(("nickname", 0.22))
        if first in cat.spellings or last in cat.spellings:
            options.append(("spelling", 0.22))
        if person.gender == "female" and person.role == "victim":
            options.append(("surname", 0.04))
        kind = _Weighted(options).pick(rng)
        if kind == "capitals":
            return first, last.upper()
        if kind == "fold":
            new = (ascii_fold(first), ascii_fold(last))
            person.add_alias(*new, "spelling")
            return new
        if kind == "nickname":
            new = (_pick(rng, cat.nicknames[first]), last)
            person.add_alias(*new, "alias")
            return new
        if kind == "spelling":
            if first in cat.spellings and (last not in cat.spellings or rng.random() < 0.5):
                new = (_pick(rng, cat.spellings[first]), last)
            else:
                new = (first, _pick(rng, cat.spellings[last]))
            person.add_alias(*new, "spelling")
            return new
        if kind == "swap":
            person.add_alias(last, first, "alias")
            return last, first
        if kind == "surname":
            new = (first, _pick(rng, person.origin.surnames)[1])
            person.add_alias(*new, "alias")
            return new
        # typo: a transposed, dropped or doubled letter in the longer name
        typo_first = len(first) >= len(last)
        word = first if typo_first else last
        if len(word) < 4:
            return first, last
        i = _between(rng, 1, len(word) - 2)
        how = rng.random()
        if how < 0.45 and word[i] != word[i + 1]:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif how < 0.8:
            word = word[:i] + word[i + 1 :]
        else:
            word = word[:i] + word[i] + word[i:]
        new = (word, last) if typo_first else (first, word)
        person.add_alias(*new, "spelling")
        return new

    def _dob_as_written(self, person: _P, chance: float, missing: float) -> date | None:
        rng = self.rng_text
        dob = person.dob
        u = rng.random()
        if u < missing:
            return None
        if u >= missing + chance:
            return dob
        if dob.day <= 12 and dob.day != dob.month and rng.random() < 0.7:
            slipped = date(dob.year, dob.day, dob.month)
        else:
            year = dob.year + _pick(rng, (-1, 1))
            slipped = date(year, dob.month, min(dob.day, 28))
        person.add_dob(slipped)
        return slipped

    def _setup_victim_home(self, victim: _P, panel: Panel) -> None:
        rng = self.rng_text
        texts = self.texts
        number = _between(rng, 1, 180)
        street = _pick(rng, texts["streets"])
        if rng.random() < float(texts["flat_share"]):
            victim.address = f"Flat {_between(rng, 1, 40)}, {number} {street}, {panel.town}"
        else:
            victim.address = f"{number} {street}, {panel.town}"
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        victim.postcode = (
            f"{panel.code[:2]}{_between(rng, 1, 12)} {_between(rng, 1, 9)}"
            f"{_pick(rng, letters)}{_pick(rng, letters)}"
        )
        victim.phone = f"07700 900{_below(rng, 1000):03d}"  # Ofcom's range for drama

    def _children(
        self, victim: _P, perps: tuple[_P, ...], day: date, town: str
    ) -> list[ReferralChild]:
        if not victim.n_children:
            return []  # the usual case, and nothing to draw
        rng = self.rng_text
        if not victim.children:
            victim_age = (day - victim.dob).days // 365
            for _ in range(victim.n_children):
                age = _between(rng, 0, max(0, min(17, victim_age - 17)))
                dob = day - _DAYS[age * 365 + _below(rng, 365)]
                female = rng.random() < 0.5
                names = victim.origin.female if female else victim.origin.male
                first = _pick(rng, names)
                perp = perps[0] if perps else None
                if perp is not None and rng.random() < 0.45:
                    last = perp.last
                    to_perp = "daughter" if female else "son"
                else:
                    last = victim.last
                    to_perp = _pick(
                        rng,
                        (
                            "stepdaughter" if female else "stepson",
                            "none",
                            "daughter" if female else "son",
                        ),
                    )
                victim.children.append((first, last, dob, "daughter" if female else "son", to_perp))
        out = []
        schools: list[str] = self.texts["schools"]
        primary, secondary = self._primary_schools, self._secondary_schools
        for first, last, dob, to_victim, to_perp in victim.children:
            age = (day - dob).days // 365
            if dob > day or age >= 18:
                continue
            if age < 4:
                school = schools[6] if age >= 2 and rng.random() < 0.5 else ""
            elif age < 11:
                school = _pick(rng, primary)
            elif age < 16:
                school = _pick(rng, secondary)
            else:
                school = ""
            out.append(
                _build_referral_child(
                    first, last, dob, to_victim, to_perp, school.format(town=town)
                )
            )
        return out

    def _risk(
        self, draft: _Draft, agency: str, referrer: str
    ) -> tuple[dict[str, Any], RiskAssessment | None]:
        rng = self.rng_text
        texts = self.texts
        u = rng.random()
        if u < 0.62:
            route = "visible"
            score = min(22, 14 + int(abs(rng.gauss(0, 2.6))))
        elif u < 0.88:
            route = "judgement"
            score = _between(rng, 6, 13)
        else:
            route = "escalation"
            score = _between(rng, 3, 13)
        incidents: int | None = None
        if route == "escalation":
            incidents = _between(rng, 3, 9)
        elif (agency == "Police" and rng.random() < 0.9) or rng.random() < 0.2:
            incidents = min(8, int(rng.expovariate(0.7)))
        dara = agency == "Police" and rng.random() < 0.04
        judgement = route == "judgement" or dara or (route == "visible" and rng.random() < 0.05)
        reason = ""
        if judgement:
            reason = (
                "Police DARA assessment graded high risk."
                if dara
                else _pick(rng, texts["judgement_reasons"])
            )
        fields: dict[str, Any] = {
            "crit_visible_high_risk": (not dara) and score >= 14,
            "crit_professional_judgement": judgement,
            "professional_judgement_reason": reason,
            "crit_potential_escalation": incidents is not None and incidents >= 3,
            "police_incidents_12m": incidents,
            "crit_repeat": draft.verdict.is_repeat and rng.random() < 0.8,
            "risk_tool": RISK_TOOL_DARA if dara else RISK_TOOL_CHECKLIST,
            "risk_score": None if dara else score,
            "risk_grade": "high" if dara else risk_band(score),
        }
        if dara:
            return fields, None
        yes = _sample(rng, _QUESTION_INDEXES, score)
        random = rng.random
        marks = ["d" if random() < 0.12 else "n" for _ in _QUESTION_INDEXES]
        for i in yes:
            marks[i] = "y"
        codes = "".join(marks)
        commented = _sample(rng, yes, min(len(yes), _COMMENT_COUNTS.pick(rng)))
        comments = tuple((i, _pick(rng, texts["risk_comments"])) for i in sorted(commented))
        assessed = draft.date - _DAYS[_pick(rng, (0, 0, 0, 1, 1, 2, 3))]
        assessment = _build_risk_assessment(
            form_id=FORM_ID,
            form_version=FORM_VERSION,
            kind="initial",
            assessed_on=assessed,
            assessor=referrer,
            answer_codes=codes,
            source=_pick(rng, texts["risk_sources"]),
            comments=comments,
            score=score,
            band=risk_band(score),
            judgement_band="high" if judgement else "",
            judgement_reason=reason,
            review_due=assessed + REVIEW_AFTER,
        )
        return fields, assessment

    def iter_wording(self) -> Iterator[Referral]:  # noqa: PLR0912, PLR0915 - field by field
        rng = self.rng_text
        texts = self.texts
        numbers: dict[tuple[int, int], int] = {}
        contacts = self._contacts
        for draft in self.drafts:
            panel = self.panels[draft.panel]
            roster = self.rosters[draft.panel]
            victim = draft.victim
            day = draft.date
            created = _at(day, 8 + _below(rng, 10), _below(rng, 60))
            first_time = victim.created is None
            if first_time:
                victim.created = created
                self._setup_victim_home(victim, panel)
            elif rng.random() < 0.12:
                self._setup_victim_home(victim, panel)  # moved since the last referral
            later = 0.45 if not first_time else 0.06
            v_first, v_last = self._variant(victim, later)
            v_dob = self._dob_as_written(victim, 0.08 if not first_time else 0.02, 0.03)

            perps = []
            for perp, relationship in zip(draft.perps, draft.relationships, strict=True):
                if perp.created is None:
                    perp.created = created
                    p_chance = 0.05
                else:
                    p_chance = 0.3
                p_first, p_last = self._variant(perp, p_chance)
                p_dob = self._dob_as_written(perp, 0.06, 0.12)
                lives_with = relationship == "current_partner" and rng.random() < 0.45
                if lives_with:
                    p_address = victim.address
                elif rng.random() < 0.6:
                    p_address = (
                        f"{_between(rng, 1, 200)} {_pick(rng, texts['streets'])}, {panel.town}"
                    )
                else:
                    p_address = ""
                perps.append(
                    _build_referral_perpetrator(
                        person_key=perp.key,
                        first_name=p_first,
                        last_name=p_last,
                        dob=p_dob,
                        gender=perp.gender,
                        relationship_to_victim=relationship,
                        address=p_address,
                        mental_health=_recorded(rng, perp.traits[0]),
                        substance_misuse=_recorded(rng, perp.traits[1]),
                    )
                )

            agency = self.agencies.pick(rng)
            joint = None
            if rng.random() < JOINT_REFERRAL_SHARE:
                joint = "IDVA" if agency != "IDVA" and rng.random() < 0.5 else agency
                while joint == agency:
                    joint = self.agencies.pick(rng)
            referrer = _pick(rng, roster[agency])
            title = texts["staff_titles"][agency]
            contact = contacts.get((draft.panel, agency, referrer))
            if contact is None:
                initial, surname = referrer[0], referrer.rsplit(" ", 1)[-1]
                contact = (
                    f"{initial.lower()}.{_slug(surname)}@{_slug(agency, '-')}"
                    f".{_slug(panel.town)}.example"
                )
                contacts[draft.panel, agency, referrer] = contact
            external = ""
            if agency == "Police":
                # day.year % 100 is f"{day:%y}", without strftime's cost
                external = f"{panel.code}/{day.year % 100:02d}/{_between(rng, 1, 99998):05d}"

            risk_fields, assessment = self._risk(draft, agency, f"{title} {referrer}")

            known = rng.random()
            origin = victim.origin
            if known < 0.85:
                ethnicity, bame = origin.ethnicity, YES if origin.bame else NO
            elif known < 0.96:
                ethnicity, bame = NOT_KNOWN, NOT_KNOWN
            else:
                ethnicity, bame = NOT_STATED, NOT_STATED
            age = (day - victim.dob).days // 365
            if victim.gender == "female" and 16 <= age <= 45:
                pregnant = _tri(rng, 0.06, 0.6, 0.32)
            else:
                pregnant = NO
            aware = _tri(rng, 0.86, 0.1, 0.04)
            if aware == YES:
                consented = _tri(rng, 0.76, 0.19, 0.05)
            else:
                consented = NO if aware == NO else NOT_KNOWN
            interpreter = YES if victim.language != "English" and rng.random() < 0.8 else NO

            key_year = (draft.panel, day.year)
            numbers[key_year] = numbers.get(key_year, 0) + 1
            verdict = draft.verdict
            settled = draft.settled_on
            updated = max(created, _at(settled, 16)) if settled else created
            yield (
                _build_referral(
                    key=draft.key,
                    panel_key=panel.key,
                    case_prefix=panel.code,
                    case_year=day.year,
                    case_number=numbers[key_year],
                    referral_date=day,
                    referring_agency=agency,
                    joint_agency=joint,
                    referrer_name=f"{title} {referrer}",
                    referrer_contact=contact,
                    external_ref=external,
                    victim_key=victim.key,
                    victim_first_name=v_first,
                    victim_last_name=v_last,
                    victim_dob=v_dob,
                    victim_gender=victim.gender if rng.random() < 0.99 else NOT_KNOWN,
                    victim_ethnicity=ethnicity,
                    victim_bame=bame,
                    victim_lgbt=_recorded(rng, victim.traits[0]),
                    victim_disability=_recorded(rng, victim.traits[1]),
                    victim_mental_health=_recorded(rng, victim.traits[2]),
                    victim_substance_misuse=_recorded(rng, victim.traits[3]),
                    victim_pregnant=pregnant,
                    address=victim.address,
                    postcode=victim.postcode,
                    phone=victim.phone if rng.random() < 0.9 else "",
                    safe_to_call=_tri(rng, 0.6, 0.2, 0.2),
                    safe_to_text=_tri(rng, 0.55, 0.2, 0.25),
                    safe_to_leave_message=_tri(rng, 0.35, 0.4, 0.25),
                    best_contact_time=_pick(rng, texts["best_contact_times"]),
                    language=victim.language,
                    interpreter_needed=interpreter,
                    reason=_pick(rng, texts["reasons"]),
                    others_feared=_pick(rng, texts["others_feared"]),
                    victim_aware=aware,
                    victim_consented=consented,
                    no_consent_reason=_pick(rng, texts["no_consent_reasons"])
                    if consented == NO
                    else "",
                    previous_marac_elsewhere=_tri(rng, 0.03, 0.7, 0.27),
                    status=draft.status,
                    status_reason=draft.fate_reason,
                    status_decided_by=draft.fate_by,
                    is_repeat=verdict.is_repeat,
                    previous_referral_key=verdict.previous_referral_id,
                    new_perpetrator_flag=verdict.new_perpetrator,
                    perpetrators=tuple(perps),
                    children=tuple(self._children(victim, draft.perps, day, panel.town)),
                    risk_assessment=assessment,
                    created_at=created,
                    updated_at=updated,
                    **risk_fields,
                )
            )


# An action or a meeting case before its key is known, as a plain tuple (a large store makes
# hundreds of thousands): an action's are Action's fields after `key`, in order; a case's are
# (referral_key, allotted_minutes, outcome, outcome_reason, victim_voice, risks_identified,
# actions), MeetingCase's fields without `key` and `position`.
_ActionFields = tuple[Any, ...]
_CaseFields = tuple[int, int, str, str, str, str, list[_ActionFields]]
_A_STATUS, _A_COMPLETED_ON, _A_UPDATED_AT = 7, 8, 10  # where those fields are in _ActionFields

_CHILD_COUNTS: tuple[tuple[int, float], ...] = ((0, 38), (1, 25), (2, 20), (3, 11), (4, 6))
_ACTION_COUNTS: tuple[tuple[int, float], ...] = ((1, 8), (2, 22), (3, 32), (4, 24), (5, 14))
_CHILD_PICKER = _Weighted(_CHILD_COUNTS)
_ACTION_PICKER = _Weighted(_ACTION_COUNTS)
_QUESTION_INDEXES = tuple(range(len(QUESTION_IDS)))
_COMMENT_COUNTS = _Weighted(((0, 45), (1, 30), (2, 15), (3, 10)))


@dataclass(frozen=True, slots=True)
class SyntheticChunk:
    """One slice of a stream, in an order that can be written as it comes: people first named
    in it (with the aliases known so far), aliases and dates of birth found in it for people of
    earlier slices, its referrals, then every meeting up to its last referral date."""

    people: tuple[Person, ...]
    new_aliases: tuple[tuple[int, Alias], ...]  # (person key, alias)
    new_dobs: tuple[tuple[int, date], ...]  # (person key, alternative date of birth)
    referrals: tuple[Referral, ...]
    meetings: tuple[Meeting, ...]


class SyntheticStream:
    """The data `generate` makes, handed out in date order, slice by slice.

    For large stores: only the people, meetings and the slice in hand are kept, and a consumer
    can write one slice while the next is being made. Who is referred when, the meetings and
    the actions are decided when the stream is made; the wording of each referral as its slice
    is asked for. Iterate `chunks` once.
    """

    def __init__(self, referrals: int, seed: int = 1, today: date | None = None) -> None:
        self.referral_count = referrals
        self.seed = seed
        self.today = today or date.today()
        with paused_gc():
            self._gen = _Generator(referrals, seed, self.today)
            self._gen.phase_structure()
            self.meetings: tuple[Meeting, ...] = tuple(self._gen.phase_meetings())
        self.start = self._gen.start
        self.panels: tuple[Panel, ...] = tuple(self._gen.panels)
        self._used = False

    def chunks(self, size: int) -> Iterator[SyntheticChunk]:
        """Slices of about `size` referrals; a slice never splits the referrals of one day."""
        if self._used:
            raise RuntimeError("A synthetic stream can be read only once.")
        self._used = True
        gen = self._gen
        drafts = gen.drafts
        wording = gen.iter_wording()
        meetings = self.meetings
        next_meeting = 0
        begin = 0
        while begin < len(drafts):
            end = min(len(drafts), begin + max(1, size))
            while end < len(drafts) and drafts[end].date == drafts[end - 1].date:
                end += 1
            referrals = tuple(next(wording) for _ in range(begin, end))
            people, aliases, dobs = self._people(drafts[begin:end])
            stop = next_meeting
            if end == len(drafts):
                stop = len(meetings)  # and the meetings planned after the last referral
            else:
                last_day = drafts[end - 1].date
                while stop < len(meetings) and meetings[stop].meeting_date <= last_day:
                    stop += 1
            yield SyntheticChunk(people, aliases, dobs, referrals, meetings[next_meeting:stop])
            next_meeting = stop
            begin = end

    @staticmethod
    def _people(
        drafts: Sequence[_Draft],
    ) -> tuple[tuple[Person, ...], tuple[tuple[int, Alias], ...], tuple[tuple[int, date], ...]]:
        first_seen: list[_P] = []
        touched: list[_P] = []
        seen: set[int] = set()
        for draft in drafts:
            for person in (draft.victim, *draft.perps):
                if person.key in seen:
                    continue
                seen.add(person.key)
                (first_seen if person.emitted_aliases < 0 else touched).append(person)
        aliases: list[tuple[int, Alias]] = []
        dobs: list[tuple[int, date]] = []
        for person in touched:
            aliases.extend((person.key, a) for a in person.aliases[person.emitted_aliases :])
            dobs.extend((person.key, d) for d in person.alt_dobs[person.emitted_dobs :])
            person.emitted_aliases = len(person.aliases)
            person.emitted_dobs = len(person.alt_dobs)
        people = []
        for person in sorted(first_seen, key=lambda p: p.key):
            people.append(person.freeze())
            person.emitted_aliases = len(person.aliases)
            person.emitted_dobs = len(person.alt_dobs)
        return tuple(people), tuple(aliases), tuple(dobs)


def generate(referrals: int, seed: int = 1, today: date | None = None) -> SyntheticData:
    """Make `referrals` synthetic referrals and everything around them, ending on `today`.

    The same arguments give the same data, field for field (and the same as reading a
    `SyntheticStream` of the same arguments to the end).
    """
    with paused_gc():
        stream = SyntheticStream(referrals, seed, today)
        people: dict[int, Person] = {}
        late_aliases: dict[int, list[Alias]] = {}
        late_dobs: dict[int, list[date]] = {}
        referral_rows: list[Referral] = []
        for chunk in stream.chunks(2000):
            for person in chunk.people:
                people[person.key] = person
            for key, alias in chunk.new_aliases:
                late_aliases.setdefault(key, []).append(alias)
            for key, dob in chunk.new_dobs:
                late_dobs.setdefault(key, []).append(dob)
            referral_rows.extend(chunk.referrals)
        for key in set(late_aliases) | set(late_dobs):
            person = people[key]
            people[key] = replace(
                person,
                aliases=person.aliases + tuple(late_aliases.get(key, ())),
                alternative_dobs=person.alternative_dobs + tuple(late_dobs.get(key, ())),
            )
        return SyntheticData(
            referral_count=referrals,
            seed=seed,
            today=stream.today,
            start=stream.start,
            panels=stream.panels,
            people=tuple(people[key] for key in sorted(people)),
            referrals=tuple(referral_rows),
            meetings=stream.meetings,
        )
