"""Risk forms as data: the definition model, its validation, scoring, bands, professional
judgement, the referral criteria summary and risk review dates.

A risk form (the domestic abuse checklist, the ASB matrix, a partnership's own licensed form) is a
JSON definition (format 1, `resources/forms/risk-form.schema.json`). Loading one runs two checks:
the JSON Schema for its structure, then the rules a schema cannot say (unique ids, bands that
cover every possible score exactly once, thresholds that can be reached, answer options that
exist, "don't know" never scoring). Every problem names the file, the question (or band, option…)
and what is wrong, so a partnership can fix its file without help.

The rules, as a coordinator would ask about them:
- A form's score is either the number of answers of the kinds it counts (the checklist: the
  number of "yes") or the sum of points per answer (the ASB matrix). A "don't know" answer never
  counts and never scores, and neither does an unanswered question.
- The score falls in exactly one band. Some forms also say that a particular answer makes the case
  at least a given band whatever the score (a "band floor": fire at the home is high risk).
- Professional judgement can raise the level, never lower it, and needs a written reason.
- A risk review is due a number of weeks after the assessment (6 by default, a setting).
- Every assessment keeps the form id and version it was answered on; a version never changes.

Plain Python: no Qt, no SQLAlchemy. Only the shipped definitions and the schema are read, through
importlib.resources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from marac_desk.core.referral_rules import Thresholds
from marac_desk.core.vocab import PANEL_TYPES

FORMAT = 1
SCHEMA_FILE = "risk-form.schema.json"
DA_CHECKLIST_ID = "marac-desk-checklist"
ASB_MATRIX_ID = "marac-desk-asb-matrix"
SHIPPED_FILES: tuple[str, ...] = ("marac-desk-checklist.json", "marac-desk-asb-matrix.json")

DONT_KNOW = "dont_know"  # an option with this id is always a "don't know"
DEFAULT_REVIEW_WEEKS = 6
REVIEW_SOON_DAYS = 14
ASSESSMENT_KINDS: tuple[str, ...] = ("initial", "review")

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_PROBLEMS = 40
MAX_MESSAGE = 240
MAX_ANSWER_TEXT = 4000  # a comment, a source of information or a follow-up answer
MAX_REASON = 4000
MAX_SOURCE = 200

_VERSION = re.compile(r"[0-9]{1,6}(\.[0-9]{1,6}){0,2}")


# ----- the definition model ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerOption:
    id: str
    label: str
    key: str  # the key that picks it (Y, N, D, 1…); "" when none
    unknown: bool  # a "don't know": never counts, never scores


@dataclass(frozen=True)
class FollowUp:
    """A free-text question shown when the main question gets one of the `when` answers."""

    id: str
    text: str
    help: str
    when: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    text: str
    help: str
    section_id: str
    number: int  # position within its section, from 1
    options: tuple[str, ...]  # answer option ids, in display order
    points: tuple[tuple[str, int], ...]  # (option id, points); points scoring only
    follow_ups: tuple[FollowUp, ...]
    scored: bool

    def points_for(self, answer: str) -> int:
        return dict(self.points).get(answer, 0)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    help: str
    scored: bool
    optional: bool
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    min: int
    max: int | None  # None: no upper limit (the top band)
    help: str = ""

    def contains(self, score: int) -> bool:
        return score >= self.min and (self.max is None or score <= self.max)

    def describe(self) -> str:
        if self.max is None:
            return f"{self.label}: {self.min} or more"
        if self.max == self.min:
            return f"{self.label}: {self.min}"
        return f"{self.label}: {self.min} to {self.max}"


@dataclass(frozen=True)
class BandFloor:
    """These answers to this question make the case at least `band`, whatever the score."""

    question: str
    answers: tuple[str, ...]
    band: str
    reason: str


class ScoringMethod(StrEnum):
    COUNT = "count"  # the number of answers among `count_answers`
    POINTS = "points"  # the sum of each answer's points


@dataclass(frozen=True)
class FormDefinition:
    form_id: str
    version: str
    title: str
    description: str
    licence: str
    panel_types: tuple[str, ...]
    options: tuple[AnswerOption, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]  # every question of every section, in form order
    method: ScoringMethod
    count_answers: tuple[str, ...]
    scoring_explanation: str
    bands: tuple[Band, ...]  # lowest first; together they cover 0..max_score exactly once
    floors: tuple[BandFloor, ...]
    visible_high_risk: int | None  # score threshold for the visible-high-risk criterion
    refer_at_band: str | None  # or: the band at which the form alone meets the threshold
    max_score: int
    # The definition as loaded (what the store keeps, so the form reads the same forever).
    document: Mapping[str, Any] = field(compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.form_id, self.version)

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.scored)

    def question(self, question_id: str) -> Question | None:
        return _index(self.questions).get(question_id)

    def option(self, option_id: str) -> AnswerOption | None:
        return next((o for o in self.options if o.id == option_id), None)

    def option_label(self, option_id: str) -> str:
        found = self.option(option_id)
        return found.label if found else option_id

    def band(self, band_id: str) -> Band | None:
        return next((b for b in self.bands if b.id == band_id), None)

    def band_rank(self, band_id: str) -> int | None:
        """0 for the lowest band; None for an id this form does not have."""
        return next((i for i, b in enumerate(self.bands) if b.id == band_id), None)

    def band_for_score(self, score: int) -> Band:
        for band in self.bands:
            if band.contains(score):
                return band
        # Validation guarantees cover from 0 upwards; a negative or odd score reads as the lowest.
        return self.bands[0] if score < self.bands[0].min else self.bands[-1]

    def band_label(self, band_id: str) -> str:
        found = self.band(band_id)
        return found.label if found else band_id

    def counts(self, question: Question, answer: str) -> int:
        """What one answer adds to the score (0 for unscored questions and "don't know")."""
        if not question.scored or answer not in question.options:
            return 0
        option = self.option(answer)
        if option is None or option.unknown:
            return 0
        if self.method is ScoringMethod.COUNT:
            return 1 if answer in self.count_answers else 0
        return question.points_for(answer)


def _index(questions: tuple[Question, ...]) -> dict[str, Question]:
    return {q.id: q for q in questions}


def version_key(version: str) -> tuple[int, ...]:
    """Dotted versions compare as numbers ("10" after "9"); "2.0" equals "2"."""
    if not _VERSION.fullmatch(version):
        return (-1,)
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


# ----- validation -----------------------------------------------------------------------------


class FormDefinitionError(ValueError):
    """A definition that cannot be used; `problems` holds every message, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems) or ("the definition is not usable",)
        first = self.problems[0]
        more = len(self.problems) - 1
        super().__init__(first if not more else f"{first} (and {more} more problems)")


class _JsonProblem(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JsonProblem(f"the key {_quote(key)} appears twice in one object")
        out[key] = value
    return out


def _no_constants(word: str) -> Any:
    raise _JsonProblem(f"{word} is not a number JSON allows")


def _quote(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return "'" + shown.replace("\n", " ").replace("\r", " ") + "'"


def decode(data: bytes | str, name: str) -> Any:
    """The JSON document in a definition file, or FormDefinitionError saying why not."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise FormDefinitionError(
                [f"{name}: the file is larger than {MAX_FILE_BYTES // 1000} kB"]
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormDefinitionError(
                [f"{name}: the file is not UTF-8 text (byte {exc.start})"]
            ) from None
    else:
        text = data.removeprefix("\ufeff")
        if len(text) > MAX_FILE_BYTES:
            raise FormDefinitionError(
                [f"{name}: the file is larger than {MAX_FILE_BYTES // 1000} kB"]
            )
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise FormDefinitionError(
            [f"{name}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    except _JsonProblem as exc:
        raise FormDefinitionError([f"{name}: not valid JSON: {exc}"]) from None
    except RecursionError:
        raise FormDefinitionError([f"{name}: not valid JSON: nested too deeply"]) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise FormDefinitionError([f"{name}: not valid JSON: {_clip(str(exc))}"]) from None


def _clip(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _walk_problems(doc: Any, name: str) -> list[str]:
    """Limits a schema cannot state: depth, and text that is not valid Unicode."""
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return [f"{name}: the definition is nested more than {MAX_DEPTH} levels deep"]
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return [f"{name}: the definition contains text that is not valid Unicode"]
        elif isinstance(node, dict):
            stack.extend((k, depth + 1) for k in node)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return []


@cache
def schema() -> dict[str, Any]:
    source = resources.files("marac_desk.resources").joinpath("forms", SCHEMA_FILE)
    loaded: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


_CONTAINERS = {
    "sections": "section",
    "questions": "question",
    "follow_ups": "follow-up",
    "answer_options": "answer option",
    "bands": "band",
    "band_floors": "band floor",
}


def _where(doc: Any, path: Iterable[Any]) -> str:
    """'question q07: text' for a path like sections/0/questions/6/text (innermost thing named)."""
    node: Any = doc
    label = ""
    fields: list[str] = []
    items = list(path)
    i = 0
    while i < len(items):
        step = items[i]
        kind = _CONTAINERS.get(step) if isinstance(step, str) else None
        child = _step(node, step)
        if kind and i + 1 < len(items) and isinstance(items[i + 1], int):
            index = items[i + 1]
            entry = _step(child, index)
            ident = entry.get("id") if isinstance(entry, dict) else None
            if kind == "band floor" or not isinstance(ident, str) or not ident:
                label = f"{kind} {index + 1}"
            else:
                label = f"{kind} {_quote(ident, 40)[1:-1]}"
            node, fields = entry, []
            i += 2
            continue
        fields.append(_quote(str(step), 40)[1:-1])  # a field name is data from the file
        node = child
        i += 1
    where = label
    if fields:
        where = f"{where}: {'.'.join(fields)}" if where else ".".join(fields)
    return where


def _step(node: Any, step: Any) -> Any:
    if isinstance(node, dict) and isinstance(step, str):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


_FRIENDLY_PATTERNS = {
    "id": "is not a valid id (letters, digits, '.', '_' or '-', up to 40; the form id is "
    "lower case, up to 60)",
    "version": "is not a version like '1', '2' or '2.1'",
    "key": "is not a key: one capital letter or digit",
}


def _schema_message(error: ValidationError) -> str:
    last = error.absolute_path[-1] if error.absolute_path else None
    if error.validator == "pattern" and isinstance(error.instance, str):
        field_name = last if isinstance(last, str) else ""
        # a pattern on a list item (an option id in `options`, `when`…) or a property name
        friendly = _FRIENDLY_PATTERNS.get(field_name, _FRIENDLY_PATTERNS["id"])
        return f"{_quote(error.instance, 40)} {friendly}"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        extra = sorted(k for k in error.instance if k not in known and not k.startswith("x-"))
        if extra:
            names = ", ".join(_quote(k, 40) for k in extra[:5])
            return (
                f"unknown field {names} (a misspelling? fields of your own must start with 'x-')"
                if len(extra) == 1
                else f"unknown fields {names} (misspelt? fields of your own must start with 'x-')"
            )
    if error.validator == "const" and last == "format":
        return f"this file is not in definition format {FORMAT}"
    return _clip(error.message)


def _schema_problems(doc: Any, name: str) -> list[str]:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    problems: list[str] = []
    for error in errors:
        where = _where(doc, error.absolute_path)
        prefix = f"{name}: {where}: " if where else f"{name}: "
        problem = prefix + _schema_message(error)
        if problem not in problems:
            problems.append(problem)
    return problems


def check_definition(data: bytes | str, name: str) -> list[str]:
    """Every problem with a definition file (empty: it can be installed)."""
    try:
        load_definition(data, name)
    except FormDefinitionError as exc:
        return list(exc.problems)
    return []


def load_definition(data: bytes | str, name: str) -> FormDefinition:
    """Decode and validate a definition file; FormDefinitionError lists every problem."""
    return parse_definition(decode(data, name), name)


def parse_definition(doc: Any, name: str) -> FormDefinition:
    """Validate an already decoded definition (a file's JSON, or what a store kept)."""
    problems = _walk_problems(doc, name)
    if problems:
        raise FormDefinitionError(problems)
    try:
        problems = _schema_problems(doc, name)
    except RecursionError:
        problems = [f"{name}: the definition is nested too deeply"]
    if problems:
        raise FormDefinitionError(_capped(problems))
    builder = _Builder(doc, name)
    form = builder.build()
    if builder.problems or form is None:
        raise FormDefinitionError(_capped(builder.problems))
    return form


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], f"… and {extra} more problems"]


def _int(value: Any) -> int:
    """JSON Schema counts 3.0 as an integer; so do we, as 3."""
    return int(value)


def _default_key(label: str) -> str:
    for char in label:
        if char.isascii() and char.isalnum():
            return char.upper()
    return ""


class _Builder:
    """The rules beyond the schema, run on a document the schema accepted (types are known)."""

    def __init__(self, doc: dict[str, Any], name: str) -> None:
        self.doc = doc
        self.name = name
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        text = f"{self.name}: {where}: {message}" if where else f"{self.name}: {message}"
        if text not in self.problems:
            self.problems.append(text)

    def build(self) -> FormDefinition | None:
        doc = self.doc
        panel_types = self._panel_types(doc["panel_types"])
        options = self._options(doc["answer_options"])
        by_id = {o.id: o for o in options}
        default = self._option_list("", "default_options", doc.get("default_options"), by_id)
        default_options = default or tuple(o.id for o in options)
        self._keys("", "default answer options", default_options, by_id)
        method = ScoringMethod(doc["scoring"]["method"])
        count_answers = self._count_answers(doc["scoring"], method, by_id)
        sections, questions = self._sections(doc["sections"], default_options, by_id, method)
        scored = [q for q in questions if q.scored]
        if not scored:
            self.problem("", "no question is scored, so every score would be 0")
        max_score = sum(self._max_points(q, method, count_answers, by_id) for q in scored)
        bands = self._bands(doc["bands"], max_score)
        floors = self._floors(doc.get("band_floors", []), questions, bands, by_id)
        visible, refer_at = self._thresholds(doc.get("thresholds", {}), max_score, bands)
        if self.problems:
            return None
        return FormDefinition(
            form_id=doc["id"],
            version=doc["version"],
            title=doc["title"].strip(),
            description=doc.get("description", ""),
            licence=doc.get("licence", ""),
            panel_types=panel_types,
            options=options,
            sections=sections,
            questions=questions,
            method=method,
            count_answers=count_answers,
            scoring_explanation=doc["scoring"].get("explanation", ""),
            bands=bands,
            floors=floors,
            visible_high_risk=visible,
            refer_at_band=refer_at,
            max_score=max_score,
            document=doc,
        )

    def _panel_types(self, values: list[str]) -> tuple[str, ...]:
        seen: list[str] = []
        for value in values:
            if value not in PANEL_TYPES:
                self.problem(
                    "panel_types",
                    f"{_quote(value)} is not a panel type (use {', '.join(PANEL_TYPES)})",
                )
            elif value in seen:
                self.problem("panel_types", f"{_quote(value)} is listed twice")
            else:
                seen.append(value)
        return tuple(seen)

    def _options(self, items: list[dict[str, Any]]) -> tuple[AnswerOption, ...]:
        out: list[AnswerOption] = []
        for item in items:
            option_id = item["id"]
            if any(o.id == option_id for o in out):
                self.problem(f"answer option {option_id}", "the id is used twice")
                continue
            unknown = bool(item.get("unknown", False))
            if option_id == DONT_KNOW and item.get("unknown") is False:
                self.problem(
                    f"answer option {option_id}",
                    "'dont_know' is always a don't-know answer and cannot be marked otherwise",
                )
            out.append(
                AnswerOption(
                    id=option_id,
                    label=item["label"].strip(),
                    key=item.get("key") or _default_key(item["label"]),
                    unknown=unknown or option_id == DONT_KNOW,
                )
            )
        return tuple(out)

    def _option_list(
        self, where: str, what: str, values: list[str] | None, by_id: Mapping[str, AnswerOption]
    ) -> tuple[str, ...]:
        if values is None:
            return ()
        out: list[str] = []
        for value in values:
            if value not in by_id:
                self.problem(where, f"answer option {_quote(value)} is not defined ({what})")
            elif value in out:
                self.problem(where, f"answer option {_quote(value)} is listed twice ({what})")
            else:
                out.append(value)
        return tuple(out)

    def _keys(
        self, where: str, what: str, ids: tuple[str, ...], by_id: Mapping[str, AnswerOption]
    ) -> None:
        seen: dict[str, str] = {}
        for option_id in ids:
            option = by_id.get(option_id)
            if option is None or not option.key:
                continue
            if option.key in seen:
                self.problem(
                    where,
                    f"answer options {_quote(seen[option.key])} and {_quote(option_id)} share "
                    f"the key {option.key} ({what})",
                )
            else:
                seen[option.key] = option_id

    def _count_answers(
        self, scoring: dict[str, Any], method: ScoringMethod, by_id: Mapping[str, AnswerOption]
    ) -> tuple[str, ...]:
        if method is not ScoringMethod.COUNT:
            if "count_answers" in scoring:
                self.problem("scoring", "count_answers is only used with the 'count' method")
            return ()
        counted = self._option_list("scoring", "count_answers", scoring["count_answers"], by_id)
        for option_id in counted:
            if by_id[option_id].unknown:
                self.problem(
                    "scoring",
                    f"answer option {_quote(option_id)} is a don't-know answer and can never "
                    "count towards the score",
                )
        return tuple(o for o in counted if not by_id[o].unknown)

    def _sections(
        self,
        items: list[dict[str, Any]],
        default_options: tuple[str, ...],
        by_id: Mapping[str, AnswerOption],
        method: ScoringMethod,
    ) -> tuple[tuple[Section, ...], tuple[Question, ...]]:
        sections: list[Section] = []
        questions: list[Question] = []
        used_ids: set[str] = set()
        for item in items:
            section_id = item["id"]
            where = f"section {section_id}"
            if any(s.id == section_id for s in sections):
                self.problem(where, "the id is used twice")
            scored = bool(item.get("scored", True))
            optional = bool(item.get("optional", False))
            if scored and optional:
                self.problem(
                    where,
                    "an optional section cannot be scored (leaving it out would lower the score)",
                )
            ids: list[str] = []
            for number, q in enumerate(item["questions"], start=1):
                question = self._question(
                    q,
                    section_id=section_id,
                    number=number,
                    scored=scored,
                    default_options=default_options,
                    by_id=by_id,
                )
                for ident in (question.id, *(f.id for f in question.follow_ups)):
                    if ident in used_ids:
                        self.problem(f"question {question.id}", f"the id {ident} is used twice")
                    used_ids.add(ident)
                self._question_points(question, method, by_id, bool(q.get("points")))
                questions.append(question)
                ids.append(question.id)
            sections.append(
                Section(
                    id=section_id,
                    title=item["title"].strip(),
                    help=item.get("help", ""),
                    scored=scored,
                    optional=optional,
                    question_ids=tuple(ids),
                )
            )
        return tuple(sections), tuple(questions)

    def _question(
        self,
        q: dict[str, Any],
        *,
        section_id: str,
        number: int,
        scored: bool,
        default_options: tuple[str, ...],
        by_id: Mapping[str, AnswerOption],
    ) -> Question:
        qid = q["id"]
        where = f"question {qid}"
        own = self._option_list(where, "options", q.get("options"), by_id)
        options = own or default_options
        if own:
            self._keys(where, "options", own, by_id)
        points: list[tuple[str, int]] = []
        for option_id, value in q.get("points", {}).items():
            if option_id not in by_id:
                self.problem(where, f"answer option {_quote(option_id)} is not defined (points)")
            elif option_id not in options:
                self.problem(
                    where,
                    f"points are given for {_quote(option_id)}, which is not one of its answers",
                )
            else:
                points.append((option_id, _int(value)))
        follow_ups: list[FollowUp] = []
        for f in q.get("follow_ups", []):
            when = self._option_list(f"{where}: follow-up {f['id']}", "when", f["when"], by_id)
            for option_id in when:
                if option_id not in options:
                    self.problem(
                        f"{where}: follow-up {f['id']}",
                        f"it is asked on {_quote(option_id)}, which is not one of the answers",
                    )
            follow_ups.append(FollowUp(f["id"], f["text"].strip(), f.get("help", ""), when))
        return Question(
            id=qid,
            topic=q["topic"].strip(),
            text=q["text"].strip(),
            help=q.get("help", ""),
            section_id=section_id,
            number=number,
            options=options,
            points=tuple(points),
            follow_ups=tuple(follow_ups),
            scored=scored,
        )

    def _question_points(
        self,
        question: Question,
        method: ScoringMethod,
        by_id: Mapping[str, AnswerOption],
        has_points: bool,
    ) -> None:
        where = f"question {question.id}"
        if method is ScoringMethod.COUNT:
            if has_points:
                self.problem(where, "points are only used with the 'points' scoring method")
            return
        if not question.scored:
            if has_points:
                self.problem(where, "points are given in a section that is not scored")
            return
        for option_id, value in question.points:
            option = by_id.get(option_id)
            if option is not None and option.unknown and value > 0:
                self.problem(
                    where,
                    f"answer option {_quote(option_id)} is a don't-know answer and must score 0",
                )
        if not any(value > 0 for _, value in question.points):
            self.problem(where, "a scored question needs points for at least one answer")

    def _max_points(
        self,
        question: Question,
        method: ScoringMethod,
        count_answers: tuple[str, ...],
        by_id: Mapping[str, AnswerOption],
    ) -> int:
        usable = [o for o in question.options if o in by_id and not by_id[o].unknown]
        if method is ScoringMethod.COUNT:
            if not any(o in count_answers for o in usable):
                if count_answers:
                    self.problem(
                        f"question {question.id}",
                        "none of its answer options counts towards the score",
                    )
                return 0
            return 1
        values = dict(question.points)
        return max((values.get(o, 0) for o in usable), default=0)

    def _bands(self, items: list[dict[str, Any]], max_score: int) -> tuple[Band, ...]:
        bands: list[Band] = []
        for item in items:
            band = Band(
                id=item["id"],
                label=item["label"].strip(),
                min=_int(item["min"]),
                max=_int(item["max"]) if "max" in item else None,
                help=item.get("help", ""),
            )
            where = f"band {band.id}"
            if any(b.id == band.id for b in bands):
                self.problem(where, "the id is used twice")
            if band.max is not None and band.max < band.min:
                self.problem(where, f"it ends ({band.max}) before it starts ({band.min})")
            if band.min > max_score:
                self.problem(
                    where,
                    f"it starts at {band.min} but the highest possible score is {max_score}",
                )
            bands.append(band)
        self._band_coverage(bands, max_score)
        return tuple(bands)

    def _band_coverage(self, bands: list[Band], max_score: int) -> None:
        first, last = bands[0], bands[-1]
        if first.min > 0:
            self.problem(
                f"band {first.id}",
                f"the lowest band starts at {first.min}, so a score of 0 has no band",
            )
        for lower, upper in pairwise(bands):
            if upper.min <= lower.min:
                self.problem(
                    f"band {upper.id}", "bands must be listed from the lowest score to the highest"
                )
            elif lower.max is None:
                self.problem(
                    f"band {lower.id}", "only the highest band can be left without a 'max'"
                )
            elif lower.max >= upper.min:
                self.problem(
                    f"band {upper.id}",
                    f"it overlaps band {lower.id} (a score of {upper.min} would be in both)",
                )
            elif lower.max + 1 < upper.min:
                gap = (
                    f"{lower.max + 1}"
                    if lower.max + 2 == upper.min
                    else (f"{lower.max + 1} to {upper.min - 1}")
                )
                self.problem(
                    f"band {upper.id}",
                    f"a score of {gap} falls between bands {lower.id} and {upper.id}",
                )
        if last.max is not None and last.max < max_score:
            self.problem(
                f"band {last.id}",
                f"the highest band ends at {last.max} but scores go up to {max_score}",
            )

    def _floors(
        self,
        items: list[dict[str, Any]],
        questions: tuple[Question, ...],
        bands: tuple[Band, ...],
        by_id: Mapping[str, AnswerOption],
    ) -> tuple[BandFloor, ...]:
        by_question = _index(questions)
        floors: list[BandFloor] = []
        for n, item in enumerate(items, start=1):
            where = f"band floor {n}"
            question = by_question.get(item["question"])
            if question is None:
                self.problem(where, f"question {_quote(item['question'])} is not in the form")
                continue
            if not any(b.id == item["band"] for b in bands):
                self.problem(where, f"band {_quote(item['band'])} is not defined")
            answers = self._option_list(where, "answers", item["answers"], by_id)
            for option_id in answers:
                if option_id not in question.options:
                    self.problem(
                        where,
                        f"{_quote(option_id)} is not one of the answers to question {question.id}",
                    )
                elif by_id[option_id].unknown:
                    self.problem(
                        where,
                        f"{_quote(option_id)} is a don't-know answer and cannot raise the band",
                    )
            floors.append(BandFloor(question.id, answers, item["band"], item.get("reason", "")))
        return tuple(floors)

    def _thresholds(
        self, items: dict[str, Any], max_score: int, bands: tuple[Band, ...]
    ) -> tuple[int | None, str | None]:
        visible = _int(items["visible_high_risk"]) if "visible_high_risk" in items else None
        refer_at = items.get("refer_at_band")
        if visible is not None and refer_at is not None:
            self.problem("thresholds", "give either visible_high_risk or refer_at_band, not both")
        if visible is not None and visible > max_score:
            self.problem(
                "thresholds",
                f"visible_high_risk is {visible} but the highest possible score is {max_score}",
            )
        if refer_at is not None and not any(b.id == refer_at for b in bands):
            self.problem("thresholds", f"refer_at_band: band {_quote(refer_at)} is not defined")
        return visible, refer_at


# ----- shipped forms -----------------------------------------------------------------------------


@cache
def shipped_forms() -> tuple[FormDefinition, ...]:
    """The forms MARAC Desk ships (a broken shipped file is a defect: it raises)."""
    folder = resources.files("marac_desk.resources").joinpath("forms")
    return tuple(
        load_definition(folder.joinpath(name).read_bytes(), name) for name in SHIPPED_FILES
    )


def shipped_form(form_id: str, version: str) -> FormDefinition | None:
    return next((f for f in shipped_forms() if f.key == (form_id, version)), None)


def newest(forms: Iterable[FormDefinition]) -> dict[str, FormDefinition]:
    """The newest version of each form id."""
    out: dict[str, FormDefinition] = {}
    for form in forms:
        have = out.get(form.form_id)
        if have is None or version_key(form.version) > version_key(have.version):
            out[form.form_id] = form
    return out


# ----- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer as the store keeps it: the option, a comment, where it came from, and the
    answers to any follow-up questions."""

    answer: str
    comment: str = ""
    source: str = ""
    follow_ups: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"answer": self.answer, "comment": self.comment}
        out["source"] = self.source
        if self.follow_ups:
            out["follow_ups"] = dict(self.follow_ups)
        return out


def answers_to_json(answers: Mapping[str, Answer]) -> dict[str, dict[str, Any]]:
    return {qid: a.to_json() for qid, a in answers.items()}


def answers_from_json(data: Any) -> dict[str, Answer]:
    """The stored answers, read tolerantly (an old or odd record still displays)."""
    out: dict[str, Answer] = {}
    if not isinstance(data, Mapping):
        return out
    for qid, item in data.items():
        if isinstance(item, str):
            out[str(qid)] = Answer(item)
            continue
        if not isinstance(item, Mapping):
            continue
        follow = item.get("follow_ups")
        follow_ups = (
            tuple((str(k), str(v)) for k, v in follow.items())
            if isinstance(follow, Mapping)
            else ()
        )
        out[str(qid)] = Answer(
            answer=str(item.get("answer", "")),
            comment=str(item.get("comment", "") or ""),
            source=str(item.get("source", "") or ""),
            follow_ups=follow_ups,
        )
    return out


def check_answers(form: FormDefinition, answers: Mapping[str, Answer]) -> list[str]:
    """Problems with answers about to be recorded on this form (empty: they can be saved).

    Unanswered questions are allowed (completion is measured, not enforced): they add nothing.
    """
    problems: list[str] = []
    for qid, answer in answers.items():
        question = form.question(qid)
        where = f"question {qid}"
        if question is None:
            problems.append(f"{where}: there is no such question on {form.title}")
            continue
        if answer.answer not in question.options:
            choices = ", ".join(form.option_label(o) for o in question.options)
            problems.append(f"{where}: {_quote(answer.answer)} is not an answer (use {choices})")
        for label, text, limit in (
            ("the comment", answer.comment, MAX_ANSWER_TEXT),
            ("the source of information", answer.source, MAX_SOURCE),
        ):
            if len(text) > limit:
                problems.append(f"{where}: {label} is longer than {limit} characters")
        follow_ups = {f.id: f for f in question.follow_ups}
        for fid, text in answer.follow_ups:
            follow = follow_ups.get(fid)
            if follow is None:
                problems.append(f"{where}: it has no follow-up question {fid}")
            elif text.strip() and answer.answer not in follow.when:
                asked = " or ".join(form.option_label(o) for o in follow.when)
                problems.append(
                    f"{where}: follow-up {fid} is only asked when the answer is {asked}"
                )
            elif len(text) > MAX_ANSWER_TEXT:
                problems.append(
                    f"{where}: follow-up {fid} is longer than {MAX_ANSWER_TEXT} characters"
                )
    return problems


# ----- scoring and bands ------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    score: int
    max_score: int
    score_band: Band  # from the score alone
    band: Band  # the score band raised by any band floor the answers trigger
    floors_applied: tuple[BandFloor, ...]
    answered: int  # scored questions with an answer
    unanswered: tuple[str, ...]  # scored questions without one
    dont_know: int  # scored questions answered "don't know"
    threshold: int | str | None  # the score or band that meets the form's threshold
    threshold_met: bool | None  # None: the form has no threshold

    @property
    def complete(self) -> bool:
        return not self.unanswered


def answer_values(answers: Mapping[str, Answer | str]) -> dict[str, str]:
    return {qid: a if isinstance(a, str) else a.answer for qid, a in answers.items()}


def evaluate(
    form: FormDefinition,
    answers: Mapping[str, Answer | str],
    *,
    visible_high_risk: int | None = None,
) -> Evaluation:
    """Score and band answers on this form. `visible_high_risk` replaces the form's score
    threshold (a setting) for forms that have one. Unknown questions and answers add nothing."""
    values = answer_values(answers)
    score = answered = dont_know = 0
    unanswered: list[str] = []
    for question in form.scored_questions:
        value = values.get(question.id)
        if value is None or value == "" or value not in question.options:
            unanswered.append(question.id)
            continue
        answered += 1
        option = form.option(value)
        if option is not None and option.unknown:
            dont_know += 1
        score += form.counts(question, value)
    score_band = form.band_for_score(score)
    band, applied = score_band, []
    for floor in form.floors:
        if values.get(floor.question) in floor.answers:
            floor_band = form.band(floor.band)
            if floor_band is None:
                continue
            applied.append(floor)
            if form.bands.index(floor_band) > form.bands.index(band):
                band = floor_band
    threshold: int | str | None = None
    met: bool | None = None
    if form.visible_high_risk is not None:
        threshold = visible_high_risk if visible_high_risk is not None else form.visible_high_risk
        met = score >= threshold
    elif form.refer_at_band is not None:
        threshold = form.refer_at_band
        rank = form.band_rank(form.refer_at_band)
        met = rank is not None and form.bands.index(band) >= rank
    return Evaluation(
        score=score,
        max_score=form.max_score,
        score_band=score_band,
        band=band,
        floors_applied=tuple(applied),
        answered=answered,
        unanswered=tuple(unanswered),
        dont_know=dont_know,
        threshold=threshold,
        threshold_met=met,
    )


# ----- professional judgement -----------------------------------------------------------------


def check_judgement(
    form: FormDefinition, computed_band: str, judgement_band: str, reason: str
) -> list[str]:
    """Professional judgement can raise the level, never lower it, and needs a written reason.

    An empty `judgement_band` means no judgement was applied (a reason alone is refused, so a
    reason never sits on a record without the level it justified).
    """
    if not judgement_band:
        if reason.strip():
            return [
                "Choose the level professional judgement raises the case to, or clear the reason."
            ]
        return []
    problems: list[str] = []
    raised, computed = form.band_rank(judgement_band), form.band_rank(computed_band)
    if raised is None:
        names = ", ".join(b.label for b in form.bands)
        problems.append(f"{_quote(judgement_band)} is not a level on this form (use {names}).")
    elif computed is not None and raised <= computed:
        now = form.bands[computed].label.lower()
        problems.append(
            f"Professional judgement can only raise the level: the answers already give {now}, "
            "so choose a higher level or none."
        )
    if not reason.strip():
        problems.append("Professional judgement needs the reason in writing.")
    elif len(reason) > MAX_REASON:
        problems.append(f"The reason is longer than {MAX_REASON} characters.")
    return problems


def effective_band(form: FormDefinition | None, band: str, judgement_band: str) -> str:
    """The level that stands: the higher of the answers' band and the judgement's. A stored
    judgement is never allowed to lower the level, even on a record written by other means."""
    if not judgement_band:
        return band
    if form is None:
        return judgement_band or band
    raised, computed = form.band_rank(judgement_band), form.band_rank(band)
    if raised is None:
        return band
    if computed is None or raised > computed:
        return judgement_band
    return band


# ----- referral criteria ------------------------------------------------------------------------

CRITERIA: tuple[str, ...] = (
    "visible_high_risk",
    "professional_judgement",
    "potential_escalation",
    "repeat",
)


@dataclass(frozen=True)
class CriterionResult:
    criterion: str  # one of CRITERIA
    met: bool
    reason: str


def meets_visible_high_risk(score: int | None, thresholds: Thresholds) -> bool:
    return score is not None and score >= thresholds.visible_high_risk_score


def meets_potential_escalation(incidents: int | None, thresholds: Thresholds) -> bool:
    return incidents is not None and incidents >= thresholds.escalation_incidents


def _incidents(n: int) -> str:
    return f"{n} police-reported incident{'' if n == 1 else 's'}"


def eligibility(
    *,
    risk_score: int | None,
    risk_tool: str = "",
    risk_grade: str = "",
    professional_judgement: bool = False,
    judgement_reason: str = "",
    police_incidents_12m: int | None = None,
    is_repeat: bool = False,
    thresholds: Thresholds | None = None,
) -> tuple[CriterionResult, ...]:
    """Which referral criteria (DOMAIN.md §2) a referral meets, and why, in criteria order."""
    limits = thresholds or Thresholds()
    need = limits.visible_high_risk_score
    if risk_score is None:
        tool = f" (risk from {risk_tool}" + (f", graded {risk_grade})" if risk_grade else ")")
        visible = CriterionResult(
            "visible_high_risk",
            False,
            "No checklist score is recorded" + (tool if risk_tool else "") + ".",
        )
    elif meets_visible_high_risk(risk_score, limits):
        visible = CriterionResult(
            "visible_high_risk", True, f"Checklist score {risk_score}: {need} or more is needed."
        )
    else:
        visible = CriterionResult(
            "visible_high_risk",
            False,
            f"Checklist score {risk_score} is below {need}.",
        )
    if not professional_judgement:
        judgement = CriterionResult("professional_judgement", False, "Not claimed.")
    elif not judgement_reason.strip():
        judgement = CriterionResult(
            "professional_judgement", False, "Ticked, but the referrer's reason is not written."
        )
    else:
        judgement = CriterionResult(
            "professional_judgement", True, f"Referrer's reason: {judgement_reason.strip()}"
        )
    n, need_n = police_incidents_12m, limits.escalation_incidents
    if n is None:
        escalation = CriterionResult(
            "potential_escalation",
            False,
            "The number of police-reported incidents in 12 months is not recorded.",
        )
    else:
        escalation = CriterionResult(
            "potential_escalation",
            meets_potential_escalation(n, limits),
            f"{_incidents(n)} in 12 months; {need_n} or more is needed.",
        )
    repeat = CriterionResult(
        "repeat",
        is_repeat,
        "Same victim and perpetrator within the repeat window of the last referral."
        if is_repeat
        else "Not a repeat.",
    )
    return (visible, judgement, escalation, repeat)


def criteria_met(results: Iterable[CriterionResult]) -> tuple[str, ...]:
    return tuple(r.criterion for r in results if r.met)


# ----- risk reviews and trend --------------------------------------------------------------------


class ReviewState(StrEnum):
    NONE = "none"  # no review date
    NOT_DUE = "not_due"
    DUE_SOON = "due_soon"  # today or within REVIEW_SOON_DAYS
    OVERDUE = "overdue"  # the date has passed


def review_due_date(assessed_on: date, weeks: int = DEFAULT_REVIEW_WEEKS) -> date:
    """A risk review is due `weeks` after the assessment (DOMAIN.md §4: within 6 to 8 weeks)."""
    if weeks < 1:
        raise ValueError("A review period is at least one week.")
    return assessed_on + timedelta(weeks=weeks)


def review_state(
    review_due: date | None, today: date, soon_days: int = REVIEW_SOON_DAYS
) -> ReviewState:
    if review_due is None:
        return ReviewState.NONE
    if review_due < today:
        return ReviewState.OVERDUE
    if review_due <= today + timedelta(days=soon_days):
        return ReviewState.DUE_SOON
    return ReviewState.NOT_DUE


def score_trend(previous: int | None, current: int | None) -> str:
    """'up', 'down' or 'same' against the previous score on the same form; '' when either is
    missing (scores of different forms are not compared)."""
    if previous is None or current is None:
        return ""
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "same"


# ----- display ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    """One question and its answer, as a history or a document shows it."""

    section: str
    question_id: str
    number: int
    topic: str
    text: str
    answer: str  # the option id ("" when unanswered)
    answer_label: str
    counts: int  # what the answer added to the score
    comment: str
    source: str
    follow_ups: tuple[tuple[str, str], ...]  # (follow-up question, answer)


def answer_rows(
    form: FormDefinition | None, answers: Mapping[str, Answer]
) -> tuple[AnswerRow, ...]:
    """Every question of the form in order with its answer; answers to questions the form does
    not have (or with no form at all) are kept at the end rather than lost."""
    rows: list[AnswerRow] = []
    seen: set[str] = set()
    if form is not None:
        titles = {s.id: s.title for s in form.sections}
        for q in form.questions:
            a = answers.get(q.id)
            seen.add(q.id)
            follow_text = {f.id: f.text for f in q.follow_ups}
            rows.append(
                AnswerRow(
                    section=titles.get(q.section_id, ""),
                    question_id=q.id,
                    number=q.number,
                    topic=q.topic,
                    text=q.text,
                    answer=a.answer if a else "",
                    answer_label=form.option_label(a.answer) if a and a.answer else "",
                    counts=form.counts(q, a.answer) if a else 0,
                    comment=a.comment if a else "",
                    source=a.source if a else "",
                    follow_ups=tuple(
                        (follow_text.get(fid, fid), text)
                        for fid, text in (a.follow_ups if a else ())
                        if text.strip()
                    ),
                )
            )
    extra = sorted(qid for qid in answers if qid not in seen)
    for n, qid in enumerate(extra, start=1):
        a = answers[qid]
        rows.append(
            AnswerRow(
                "",
                qid,
                n,
                "",
                "(not on this form)",
                a.answer,
                a.answer,
                0,
                a.comment,
                a.source,
                a.follow_ups,
            )
        )
    return tuple(rows)


def iter_problems(problems: Iterable[str]) -> Iterator[str]:
    """One line per problem, whatever the text held (for a terminal or a message box)."""
    for problem in problems:
        yield " ".join(str(problem).split())
