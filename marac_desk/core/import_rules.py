"""Reading a spreadsheet of referrals: the columns, the spellings, and what each cell may hold.

Pure rules, no I/O: `services.imports` reads the file and hands rows of text here. Every problem
names the physical line and the column as the file spells it, so a coordinator can find the cell
(`line N, column C: what is wrong`). Whether a referral as a whole is valid (future dates, a DOB
after the referral date, criteria against the score…) is decided by `core.referral_rules`, the
same rules as the referral form; this module only turns text into values.

Values are never echoed when they could be personal (names, addresses): only dates, numbers,
agency names and words from a fixed vocabulary are repeated back, shortened and made printable.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import TypeVar

from marac_desk.core.identifiers import nhs_number_problem, reference_problem
from marac_desk.core.vocab import NO, NOT_KNOWN, NOT_STATED, YES

# ----- columns -----------------------------------------------------------------------------------

CANONICAL_COLUMNS: tuple[str, ...] = (
    "external_ref",
    "referral_date",
    "referring_agency",
    "victim_first_name",
    "victim_last_name",
    "victim_dob",
    "victim_gender",
    "victim_ethnicity",
    "victim_lgbt",
    "victim_disability",
    "victim_address",
    "victim_postcode",
    "perpetrator_first_name",
    "perpetrator_last_name",
    "perpetrator_dob",
    "perpetrator_gender",
    "relationship",
    "children_in_household",
    "criteria",
    "risk_score",
    "heard_on",
)
# Optional columns the referral form's rules need for two criteria: professional judgement needs
# the referrer's reason, potential escalation the number of police incidents in 12 months.
RULE_COLUMNS: tuple[str, ...] = ("professional_judgement_reason", "police_incidents_12m")
# Optional: agencies' identifiers for the victim (and, per perpetrator, `perpetrator_nhs_number`,
# `perpetrator2_agency_person_id`…); several of a kind separated by ";". Exported last.
ID_PARTS: tuple[str, ...] = ("nhs_number", "agency_person_id")
VICTIM_ID_COLUMNS: tuple[str, ...] = tuple(f"victim_{part}" for part in ID_PARTS)
# Written by `export referrals` (and by --skip-invalid's rejects file); accepted and ignored on
# import, so an export or a corrected rejects file imports as it is.
EXPORT_COLUMNS: tuple[str, ...] = (
    "referral_id",
    "victim_id",
    "perpetrator_ids",
    "repeat",
    "previous_referral_id",
    "match_status",
)
REJECTS_COLUMNS: tuple[str, ...] = ("source_line", "rejected_reason")
IGNORED_ON_IMPORT: frozenset[str] = frozenset(EXPORT_COLUMNS + REJECTS_COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = ("referral_date", "referring_agency")
VICTIM_NAME_COLUMNS: tuple[str, ...] = ("victim_first_name", "victim_last_name")
# A mapping file may send a column here to leave it out on purpose.
IGNORE = "ignore"

MAX_PERPETRATORS = 20
PERSON_PARTS: tuple[str, ...] = ("first_name", "last_name", "dob", "gender")
_NUMBERED = re.compile(
    r"perpetrator([0-9]+)_(first_name|last_name|dob|gender|nhs_number|agency_person_id)"
    r"|relationship([0-9]+)"
)

# Lengths the store's columns hold.
MAX_NAME = 120
MAX_ETHNICITY = 60
MAX_POSTCODE = 10
MAX_EXTERNAL_REF = 80
MAX_CHILDREN = 30
MAX_POLICE_INCIDENTS = 1000

CRITERIA: tuple[str, ...] = (
    "visible_high_risk",
    "professional_judgement",
    "potential_escalation",
    "repeat",
)


def perpetrator_columns(slot: int) -> dict[str, str]:
    """Column names of the n-th perpetrator (1 = the unnumbered columns): part → column."""
    return dict(_perpetrator_columns(slot))


@lru_cache(maxsize=64)
def _perpetrator_columns(slot: int) -> Mapping[str, str]:
    """`perpetrator_columns`, made once a slot (every row of an import asks for each slot) and
    read-only, since it is shared."""
    if slot == 1:
        names = {part: f"perpetrator_{part}" for part in PERSON_PARTS + ID_PARTS}
        names["relationship"] = "relationship"
    else:
        names = {part: f"perpetrator{slot}_{part}" for part in PERSON_PARTS + ID_PARTS}
        names["relationship"] = f"relationship{slot}"
    return MappingProxyType(names)


def _perpetrator_slot(name: str) -> int | None:
    """1 for the unnumbered perpetrator columns, n for perpetratorN_… / relationshipN."""
    if name in perpetrator_columns(1).values():
        return 1
    match = _NUMBERED.fullmatch(name)
    if match is None:
        return None
    slot = int(match.group(1) or match.group(3))
    return slot if 2 <= slot <= MAX_PERPETRATORS else None


def is_known_column(name: str) -> bool:
    return (
        name in CANONICAL_COLUMNS
        or name in RULE_COLUMNS
        or name in VICTIM_ID_COLUMNS
        or name in IGNORED_ON_IMPORT
        or _perpetrator_slot(name) is not None
    )


def column_key(header: str) -> str:
    """How a header is compared: case, surrounding spaces, inner spaces and hyphens don't matter
    ("Referral Date" and "referral-date" are referral_date)."""
    text = unicodedata.normalize("NFC", header.replace("\ufeff", "")).casefold()
    return re.sub(r"[\s\-]+", "_", text.strip())


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def printable(value: str, limit: int = 60) -> str:
    """Text from the file made safe for one terminal line: no control characters, not too long."""
    text = " ".join(value.split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: str, limit: int = 40) -> str:
    """A value repeated back in a message, quoted."""
    return f"'{printable(value, limit)}'"


# ----- problems ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class CellError(ValueError):
    """A cell's text cannot be read as what its column holds (the message says why)."""


class MappingError(ValueError):
    """The mapping file is wrong; `problems` holds every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


# ----- the mapping file --------------------------------------------------------------------------


def check_mapping(pairs: Sequence[tuple[int, str, str]]) -> dict[str, str]:
    """(line, header in the file, canonical name) → {header key: canonical}. The canonical
    name may be 'ignore' to leave a column out."""
    problems: list[str] = []
    mapping: dict[str, str] = {}
    seen: dict[str, int] = {}
    for line, source, target in pairs:
        key, canonical = column_key(source), column_key(target)
        if not key:
            problems.append(f"line {line}: the column name is empty")
            continue
        if canonical != IGNORE and not is_known_column(canonical):
            problems.append(
                f"line {line}: {shown(target)} is not a column MARAC Desk knows "
                f"(use one of {', '.join(CANONICAL_COLUMNS)}, or '{IGNORE}')"
            )
            continue
        if key in seen:
            problems.append(f"line {line}: {shown(source)} is already mapped on line {seen[key]}")
            continue
        seen[key] = line
        mapping[key] = canonical
    if problems:
        raise MappingError(problems)
    return mapping


def parse_mapping_json(text: str) -> dict[str, str]:
    """A JSON object {"Header in your file": "canonical_name", …}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError([f"not valid JSON ({exc.msg} at line {exc.lineno})"]) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise MappingError(['write one JSON object of column names, e.g. {"DOB": "victim_dob"}'])
    return check_mapping([(1, k, v) for k, v in data.items()])


def parse_mapping_rows(rows: Sequence[tuple[int, Sequence[str]]]) -> dict[str, str]:
    """CSV rows `column,canonical` (a first row `column,canonical` is a header and skipped)."""
    pairs: list[tuple[int, str, str]] = []
    problems: list[str] = []
    for line, cells in rows:
        values = [c.strip() for c in cells]
        while values and not values[-1]:
            values.pop()
        if not values:
            continue
        if (
            not pairs
            and not problems
            and [column_key(v) for v in values] == ["column", "canonical"]
        ):
            continue
        if len(values) != 2:
            problems.append(f"line {line}: write two values, the column in your file and ours")
            continue
        pairs.append((line, values[0], values[1]))
    if problems:
        raise MappingError(problems)
    return check_mapping(pairs)


# ----- the header --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Which cell holds which canonical column, and how the file names it."""

    line: int
    index: dict[str, int]  # canonical → 0-based cell index
    names: dict[str, str]  # canonical → the header as written in the file
    slots: tuple[int, ...]  # perpetrator slots with at least one column, ascending
    width: int  # cells the header names (values beyond are checked at the header)
    problems: tuple[CellProblem, ...]

    def position(self, column: str) -> int:
        """Where a column (as the file names it) stands, for listing a row's problems in order."""
        for canonical, written in self.names.items():
            if written == column:
                return self.index[canonical]
        return len(self.index) + 1_000

    def name(self, canonical: str) -> str:
        return self.names.get(canonical, canonical)

    def has(self, canonical: str) -> bool:
        return canonical in self.index


def read_header(
    cells: Sequence[str], line: int, mapping: Mapping[str, str] | None = None
) -> Header:
    mapping = mapping or {}
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    problems: list[CellProblem] = []
    for i, raw in enumerate(cells):
        written = raw.replace("\ufeff", "").strip()
        if not written:
            continue  # an unnamed column is a problem only if it holds values: see unnamed()
        label = printable(written)
        key = column_key(written)
        canonical = mapping.get(key, key)
        if canonical == IGNORE or canonical in IGNORED_ON_IMPORT:
            continue
        if not is_known_column(canonical):
            problems.append(
                CellProblem(
                    line,
                    label,
                    "Unknown column: rename it to one MARAC Desk knows, map it with "
                    "--mapping, or remove it.",
                )
            )
            continue
        if canonical in index:
            first = names[canonical]
            also = (
                f"column {shown(first)} ({column_letter(index[canonical])})"
                if first != label
                else f"column {column_letter(index[canonical])}"
            )
            problems.append(
                CellProblem(line, label, f"Duplicate column: {canonical} is already {also}.")
            )
            continue
        index[canonical] = i
        names[canonical] = label
    for required in REQUIRED_COLUMNS:
        if required not in index:
            problems.append(CellProblem(line, required, "This required column is missing."))
    if not any(c in index for c in VICTIM_NAME_COLUMNS):
        problems.append(
            CellProblem(
                line,
                "victim_first_name",
                "A victim name column is required (victim_first_name or victim_last_name).",
            )
        )
    slots = sorted(
        {s for c in index if (s := _perpetrator_slot(c)) is not None},
    )
    return Header(line, index, names, tuple(slots), len(cells), tuple(problems))


def unnamed_columns(
    header_cells: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]], header_line: int
) -> list[CellProblem]:
    """Columns with values but no name in the header row (including cells past its end)."""
    named = {i for i, c in enumerate(header_cells) if c.replace("\ufeff", "").strip()}
    first_seen: dict[int, int] = {}
    for line, cells in rows:
        for i, value in enumerate(cells):
            if i not in named and i not in first_seen and value.strip():
                first_seen[i] = line
    return [
        CellProblem(
            header_line,
            column_letter(i),
            f"This column has values (from line {first_seen[i]}) but no name in the header "
            "row: name it, or delete the column.",
        )
        for i in sorted(first_seen)
    ]


# ----- cells -------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_WHOLE = re.compile(r"[+-]?[0-9]+(?:\.0+)?")


# The same cells come again and again in a file (referral dates, vocabulary words): each text is
# read once. Both functions are pure; a cell that cannot be read raises every time.
@lru_cache(maxsize=8192)
def parse_date(text: str) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY; blank is None."""
    value = text.strip()
    if not value:
        return None
    iso = _ISO_DATE.fullmatch(value)
    uk = _UK_DATE.fullmatch(value)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif uk:
        day, month, year = (int(g) for g in uk.groups())
    else:
        raise CellError(f"{shown(value)} is not a date: write it as YYYY-MM-DD or DD/MM/YYYY.")
    if year < 1:
        raise CellError(f"{shown(value)} is not a real date: there is no year 0.")
    if not 1 <= month <= 12:
        hint = " (dates are day/month/year)" if uk and 1 <= day <= 12 else ""
        raise CellError(f"{shown(value)} is not a real date: there is no month {month}{hint}.")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        month_name = calendar.month_name[month]
        raise CellError(f"{shown(value)} is not a real date: {month_name} {year} has {days} days.")
    return date(year, month, day)


@lru_cache(maxsize=8192)
def _words(text: str) -> str:
    """Lower case, underscores and hyphens as spaces, single spaces: how spellings compare."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return " ".join(re.sub(r"[_\-]+", " ", folded).split()).strip(" .")


_TRI_STATE: dict[str, str] = {
    **dict.fromkeys(("y", "yes", "true", "t", "1"), YES),
    **dict.fromkeys(("n", "no", "false", "f", "0"), NO),
    **dict.fromkeys(
        (
            "",
            "not known",
            "unknown",
            "not asked",
            "n/k",
            "nk",
            "dont know",
            "don't know",
            "unk",
            "?",
        ),
        NOT_KNOWN,
    ),
    **dict.fromkeys(
        (
            "not stated",
            "declined",
            "refused",
            "prefer not to say",
            "declined to say",
            "n/s",
            "ns",
        ),
        NOT_STATED,
    ),
}


def parse_tri_state(text: str) -> str:
    """Yes / no / not known (not asked) / not stated (asked, declined); blank is not known."""
    found = _TRI_STATE.get(_words(text))
    if found is None:
        raise CellError(
            f"{shown(text)} is not an answer: write yes, no, not known (not asked) or "
            "not stated (declined)."
        )
    return found


_GENDERS: dict[str, str] = {
    **dict.fromkeys(("f", "female", "woman", "w"), "female"),
    **dict.fromkeys(("m", "male", "man"), "male"),
    **dict.fromkeys(("non binary", "nonbinary", "nb", "enby"), "non_binary"),
    **dict.fromkeys(("", "not known", "unknown", "u", "n/k", "nk", "not asked"), NOT_KNOWN),
    **dict.fromkeys(("not stated", "declined", "refused", "prefer not to say"), NOT_STATED),
}


def parse_gender(text: str) -> str:
    found = _GENDERS.get(_words(text))
    if found is None:
        raise CellError(
            f"{shown(text)} is not a gender MARAC Desk records: write female, male, "
            "non-binary, not known or not stated."
        )
    return found


_RELATIONSHIPS: dict[str, str] = {
    **dict.fromkeys(
        (
            "current partner",
            "partner",
            "husband",
            "wife",
            "spouse",
            "civil partner",
            "boyfriend",
            "girlfriend",
            "fiance",
            "fiancé",
            "fiancee",
            "fiancée",
        ),
        "current_partner",
    ),
    **dict.fromkeys(
        (
            "ex partner",
            "expartner",
            "ex",
            "former partner",
            "ex husband",
            "ex wife",
            "ex spouse",
            "ex boyfriend",
            "ex girlfriend",
            "former spouse",
        ),
        "ex_partner",
    ),
    **dict.fromkeys(
        (
            "family member",
            "family",
            "son",
            "daughter",
            "father",
            "mother",
            "brother",
            "sister",
            "parent",
            "child",
            "grandson",
            "granddaughter",
            "grandchild",
            "stepson",
            "stepdaughter",
            "stepfather",
            "stepmother",
            "uncle",
            "aunt",
            "cousin",
            "nephew",
            "niece",
            "in law",
        ),
        "family_member",
    ),
    "other": "other",
    **dict.fromkeys(("", "not known", "unknown", "n/k", "nk"), NOT_KNOWN),
}


def parse_relationship(text: str) -> str:
    found = _RELATIONSHIPS.get(_words(text))
    if found is None:
        raise CellError(
            f"{shown(text)} is not a relationship MARAC Desk records: write current partner, "
            "ex-partner, family member, other or not known."
        )
    return found


_CRITERIA: dict[str, str] = {
    **{_words(c): c for c in CRITERIA},
    "professional judgment": "professional_judgement",
    "escalation": "potential_escalation",
}


def parse_criteria(text: str) -> frozenset[str]:
    """`;`-separated (commas are taken too) from visible_high_risk, professional_judgement,
    potential_escalation and repeat."""
    found: set[str] = set()
    for token in re.split(r"[;,]", text):
        if not token.strip():
            continue
        criterion = _CRITERIA.get(_words(token))
        if criterion is None:
            raise CellError(
                f"{shown(token)} is not a referral criterion: use {', '.join(CRITERIA)}, "
                "separated by ';'."
            )
        found.add(criterion)
    return frozenset(found)


def parse_whole_number(text: str, low: int, high: int, what: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not _WHOLE.fullmatch(value):
        raise CellError(f"{shown(value)} is not a whole number ({what}).")
    number = int(value.split(".")[0])
    if not low <= number <= high:
        raise CellError(f"{shown(value)} is out of range: {what} is between {low} and {high}.")
    return number


def parse_children(text: str) -> tuple[str, int]:
    """(children_status, how many unnamed children to record).

    A number is how many children live in the household (0 = none); yes means children but not
    how many; no means none; blank or not known means nobody recorded it."""
    value = _words(text)
    if value in ("", "not known", "unknown", "n/k", "nk", "not stated"):
        return NOT_KNOWN, 0
    if value in ("no", "n", "none"):
        return "none", 0
    if value in ("yes", "y"):
        return "listed", 0
    if _WHOLE.fullmatch(value):
        count = int(value.split(".")[0])
        if 0 <= count <= MAX_CHILDREN:
            return ("listed", count) if count else ("none", 0)
        raise CellError(
            f"{shown(text)} is out of range: the number of children is between 0 and "
            f"{MAX_CHILDREN}."
        )
    raise CellError(
        f"{shown(text)} is not a number of children: write how many (0 for none), yes, no or "
        "not known."
    )


def agency_lookup(names: Sequence[str]) -> dict[str, str]:
    """{spelling key: agency name as the store has it} for parse_agencies."""
    return {" ".join(n.split()).casefold(): n for n in names}


def parse_agencies(text: str, known: Mapping[str, str]) -> tuple[str, str]:
    """(referring agency, joint agency or ""): one agency, or two joined by ';'."""
    parts = [p for p in (" ".join(t.split()) for t in text.split(";")) if p]
    if not parts:
        return "", ""
    if len(parts) > 2:
        raise CellError(
            "At most two agencies (a joint referral), separated by ';'; "
            f"this cell names {len(parts)}."
        )
    resolved: list[str] = []
    for part in parts:
        name = known.get(part.casefold())
        if name is None:
            raise CellError(
                f"No agency is called {shown(part)}; the agencies are: {', '.join(known.values())}."
            )
        resolved.append(name)
    return resolved[0], resolved[1] if len(resolved) > 1 else ""


def _text(value: str, limit: int | None, what: str) -> str:
    clean = " ".join(value.split())
    if limit is not None and len(clean) > limit:
        raise CellError(f"Too long for {what}: at most {limit} characters.")
    return clean


def parse_ethnicity(text: str) -> str:
    value = _words(text)
    if value in ("", "not known", "unknown", "not asked", "n/k", "nk"):
        return NOT_KNOWN
    if value in ("not stated", "declined", "refused", "prefer not to say"):
        return NOT_STATED
    return _text(text, MAX_ETHNICITY, "an ethnicity")


def parse_nhs_numbers(text: str) -> str:
    """An NHS number (or several, separated by ";"), check digits verified."""
    problem = nhs_number_problem(text)
    if problem:
        raise CellError(problem)  # the number itself is not repeated: line and column say where
    return text.strip()


def parse_agency_person_ids(text: str) -> str:
    """An agency person ID (or several, separated by ";")."""
    problem = reference_problem(text)
    if problem:
        raise CellError(problem)
    return text.strip()


def parse_postcode(text: str) -> str:
    return _text(text.upper(), MAX_POSTCODE, "a postcode")


# ----- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    first_name: str = ""
    last_name: str = ""
    dob: date | None = None
    gender: str = NOT_KNOWN
    nhs_number: str = field(default="", kw_only=True)  # as written, checked
    agency_person_id: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class PerpetratorRow(PersonRow):
    relationship: str = NOT_KNOWN
    slot: int = 1  # which numbered columns it came from


@dataclass(frozen=True)
class ParsedRow:
    line: int
    referral_date: date | None
    referring_agency: str
    joint_agency: str
    victim: PersonRow
    external_ref: str = ""
    victim_ethnicity: str | None = None  # None: the file has no such column (store default)
    victim_lgbt: str | None = None
    victim_disability: str | None = None
    address: str = ""
    postcode: str = ""
    perpetrators: tuple[PerpetratorRow, ...] = ()
    children_status: str = NOT_KNOWN
    children_count: int = 0
    criteria: frozenset[str] = field(default_factory=frozenset)
    risk_score: int | None = None
    heard_on: date | None = None
    professional_judgement_reason: str = ""
    police_incidents_12m: int | None = None


_T = TypeVar("_T")


class _Cells:
    """Reads one row's cells by canonical column, collecting problems."""

    def __init__(self, cells: Sequence[str], line: int, header: Header) -> None:
        self.cells = cells
        self.line = line
        self.header = header
        self.problems: list[CellProblem] = []

    def raw(self, canonical: str) -> str:
        i = self.header.index.get(canonical)
        if i is None or i >= len(self.cells):
            return ""
        return self.cells[i]

    def get(self, canonical: str, parse: Callable[[str], _T], default: _T) -> _T:
        try:
            return parse(self.raw(canonical))
        except CellError as exc:
            self.problems.append(CellProblem(self.line, self.header.name(canonical), str(exc)))
            return default

    def text(self, canonical: str, limit: int | None, what: str) -> str:
        return self.get(canonical, lambda v: _text(v, limit, what), "")


def parse_row(
    cells: Sequence[str],
    line: int,
    header: Header,
    agencies: Mapping[str, str],
    today: date,
) -> tuple[ParsedRow, list[CellProblem]]:
    """The row's values, and every cell that could not be read. Whole-referral rules (dates
    against each other, criteria against the score…) are checked afterwards by the caller."""
    c = _Cells(cells, line, header)
    referring, joint = c.get("referring_agency", lambda v: parse_agencies(v, agencies), ("", ""))
    victim = PersonRow(
        c.text("victim_first_name", MAX_NAME, "a first name"),
        c.text("victim_last_name", MAX_NAME, "a last name"),
        c.get("victim_dob", parse_date, None),
        c.get("victim_gender", parse_gender, NOT_KNOWN),
        nhs_number=c.get("victim_nhs_number", parse_nhs_numbers, ""),
        agency_person_id=c.get("victim_agency_person_id", parse_agency_person_ids, ""),
    )
    perpetrators: list[PerpetratorRow] = []
    for slot in header.slots:
        cols = _perpetrator_columns(slot)
        if not any(c.raw(col).strip() for col in cols.values()):
            continue
        perpetrators.append(
            PerpetratorRow(
                c.text(cols["first_name"], MAX_NAME, "a first name"),
                c.text(cols["last_name"], MAX_NAME, "a last name"),
                c.get(cols["dob"], parse_date, None),
                c.get(cols["gender"], parse_gender, NOT_KNOWN),
                nhs_number=c.get(cols["nhs_number"], parse_nhs_numbers, ""),
                agency_person_id=c.get(cols["agency_person_id"], parse_agency_person_ids, ""),
                relationship=c.get(cols["relationship"], parse_relationship, NOT_KNOWN),
                slot=slot,
            )
        )
    children_status, children_count = c.get("children_in_household", parse_children, (NOT_KNOWN, 0))
    referral_date = c.get("referral_date", parse_date, None)
    heard_on = c.get("heard_on", parse_date, None)
    if heard_on is not None:
        if heard_on > today:
            c.problems.append(
                CellProblem(
                    line, header.name("heard_on"), "A case cannot have been heard in the future."
                )
            )
        elif referral_date is not None and heard_on < referral_date:
            c.problems.append(
                CellProblem(
                    line,
                    header.name("heard_on"),
                    "The case was heard before its referral date.",
                )
            )
    row = ParsedRow(
        line=line,
        referral_date=referral_date,
        referring_agency=referring,
        joint_agency=joint,
        victim=victim,
        external_ref=c.text("external_ref", MAX_EXTERNAL_REF, "a reference"),
        victim_ethnicity=(
            c.get("victim_ethnicity", parse_ethnicity, NOT_KNOWN)
            if header.has("victim_ethnicity")
            else None
        ),
        victim_lgbt=c.get("victim_lgbt", parse_tri_state, NOT_KNOWN)
        if header.has("victim_lgbt")
        else None,
        victim_disability=c.get("victim_disability", parse_tri_state, NOT_KNOWN)
        if header.has("victim_disability")
        else None,
        address=c.get("victim_address", lambda v: v.strip(), ""),
        postcode=c.get("victim_postcode", parse_postcode, ""),
        perpetrators=tuple(perpetrators),
        children_status=children_status,
        children_count=children_count,
        criteria=c.get("criteria", parse_criteria, frozenset()),
        risk_score=c.get(
            "risk_score", lambda v: parse_whole_number(v, 0, 24, "a checklist score"), None
        ),
        heard_on=heard_on,
        professional_judgement_reason=c.get(
            "professional_judgement_reason", lambda v: v.strip(), ""
        ),
        police_incidents_12m=c.get(
            "police_incidents_12m",
            lambda v: parse_whole_number(
                v, 0, MAX_POLICE_INCIDENTS, "the number of police incidents in 12 months"
            ),
            None,
        ),
    )
    return row, c.problems


def forget_cells() -> None:
    """Empty the caches of cells read (after a file: they may hold a person's details)."""
    parse_date.cache_clear()
    _words.cache_clear()


def is_blank(cells: Sequence[str]) -> bool:
    return not any(c.strip() for c in cells)


# ----- where the referral rules' problems belong -------------------------------------------------

_RULE_FIELD = re.compile(r"(perpetrators|children)\[([0-9]+)\]\.(\w+)")


def column_for_rule(rule_field: str, row: ParsedRow, header: Header) -> str:
    """The file's column for a `core.referral_rules.Problem.field`."""

    def first_present(*names: str) -> str:
        for name in names:
            if header.has(name):
                return header.name(name)
        return names[0]

    match = _RULE_FIELD.fullmatch(rule_field)
    if match:
        kind, number, part = match.group(1), int(match.group(2)), match.group(3)
        if kind == "children":
            return header.name("children_in_household")
        slot = row.perpetrators[number - 1].slot if number <= len(row.perpetrators) else 1
        cols = _perpetrator_columns(slot)
        if part in ("dob", *ID_PARTS):
            return header.name(cols[part])
        return first_present(cols["first_name"], cols["last_name"])
    simple = {
        "joint_agency": "referring_agency",
        "victim.dob": "victim_dob",
        "victim.nhs_number": "victim_nhs_number",
        "victim.agency_person_id": "victim_agency_person_id",
        "children_status": "children_in_household",
        "crit_visible_high_risk": "criteria",
    }
    if rule_field == "victim.name":
        return first_present(*VICTIM_NAME_COLUMNS)
    if rule_field in ("professional_judgement_reason", "police_incidents_12m"):
        return first_present(rule_field, "criteria")
    return header.name(simple.get(rule_field, rule_field))


# ----- fingerprints ------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def fingerprint(row: ParsedRow) -> str:
    """What makes re-importing the same file harmless (Referral.import_fingerprint, 64 chars).

    With an external reference, the reference itself (case and spacing aside). Without one, the
    referral's identity: the referral date, the agencies, the victim's and perpetrators' names
    and dates of birth — so a row whose risk score or postcode was corrected in the tracker is
    still recognised as the referral already imported, not added a second time (which would
    also make a false repeat)."""
    if row.external_ref.strip():
        digest = hashlib.sha256(("ref\x1f" + _norm(row.external_ref)).encode()).hexdigest()
        return f"ref:{digest[:60]}"
    identity = [
        row.referral_date.isoformat() if row.referral_date else "",
        sorted(_norm(a) for a in (row.referring_agency, row.joint_agency) if a),
        _norm(row.victim.first_name),
        _norm(row.victim.last_name),
        row.victim.dob.isoformat() if row.victim.dob else "",
        sorted(
            [_norm(p.first_name), _norm(p.last_name), p.dob.isoformat() if p.dob else ""]
            for p in row.perpetrators
        ),
    ]
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode()).hexdigest()
    return f"row:{digest[:60]}"


def external_ref_key(text: str) -> str:
    return _norm(text)
