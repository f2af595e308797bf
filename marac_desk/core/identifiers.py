"""Identifiers agencies give people, as matching compares them.

Two kinds: the NHS number (ten digits, the last a modulus-11 check digit, so a mistyped digit
or two swapped digits are caught at entry) and an agency person ID (a police PNC or nominal
number, another agency's own id for the person: no check digit, so a typo is possible). The
same identifier on two records is overwhelming evidence of one person; two *valid* NHS numbers
that differ are overwhelming evidence of two people (twins have their own), while agency person
IDs that differ may be a typo.

A field may hold several of a kind separated by ";" (a person with two police numbers; an
export writes them so). Stored and compared as "kind:value" text with the value normalised
(digits only for NHS numbers; upper case without spaces, dashes, slashes or dots for agency
person IDs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NHS = "nhs"
REFERENCE = "ref"
KIND_WORDS = {NHS: "NHS number", REFERENCE: "agency person ID"}

_NOT_DIGITS = re.compile(r"[\s-]")
_SEPARATORS = re.compile(r"[\s\-/.]")
MAX_REFERENCE = 40


def nhs_number_problem(text: str) -> str | None:
    """Why `text` is not a valid NHS number, or list of them (None when it is, or blank)."""
    return next(filter(None, map(_one_nhs_problem, _parts(text))), None)


def _parts(text: str) -> list[str]:
    return [part for part in text.split(";") if part.strip()]


def _one_nhs_problem(text: str) -> str | None:
    digits = _NOT_DIGITS.sub("", text)
    if not digits:
        return None
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 10:
        return "An NHS number has 10 digits (spaces allowed, e.g. 943 476 5919)."
    # Systems write these for "unknown" (all pass the check digit), and 999 numbers are the
    # NHS's test range: never a person's, so they must not make two people one.
    if len(set(digits)) == 1 or digits.startswith("999"):
        return "This is a placeholder or test NHS number, not a person's: leave it blank."
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        return "This NHS number's check digit does not match: a digit is probably mistyped."
    return None


def reference_problem(text: str) -> str | None:
    """Why `text` is not an agency person ID, or list of them (None when it is, or blank)."""
    return next(filter(None, map(_one_reference_problem, _parts(text))), None)


def _one_reference_problem(text: str) -> str | None:
    value = _SEPARATORS.sub("", text)
    if len(value) > MAX_REFERENCE:
        return f"An agency person ID has at most {MAX_REFERENCE} letters and digits."
    if value and not (value.isascii() and value.isalnum()):
        return "An agency person ID has letters and digits only (spaces, - / . allowed)."
    return None


def nhs_identifier(text: str) -> str:
    """The stored form of a valid NHS number ("" when blank); ValueError when invalid."""
    problem = _one_nhs_problem(text)
    if problem:
        raise ValueError(problem)
    digits = _NOT_DIGITS.sub("", text)
    return f"{NHS}:{digits}" if digits else ""


def reference_identifier(text: str) -> str:
    """The stored form of an agency person ID ("" when blank); ValueError when invalid."""
    problem = _one_reference_problem(text)
    if problem:
        raise ValueError(problem)
    value = _SEPARATORS.sub("", text).upper()
    return f"{REFERENCE}:{value}" if value else ""


def identifiers_of(nhs_number: str, agency_person_id: str) -> tuple[str, ...]:
    """The stored forms of what was typed (blank ones left out); ValueError when invalid."""
    found = [*map(nhs_identifier, _parts(nhs_number))]
    found += map(reference_identifier, _parts(agency_person_id))
    return tuple(dict.fromkeys(i for i in found if i))


def valid_identifiers_of(nhs_number: str, agency_person_id: str) -> tuple[str, ...]:
    """`identifiers_of` while they are still being typed: whatever is not (yet) valid is left
    out, so a half-typed NHS number does not stop the agency person ID being searched for."""
    found: list[str] = []
    for part, stored in [
        *((p, nhs_identifier) for p in _parts(nhs_number)),
        *((p, reference_identifier) for p in _parts(agency_person_id)),
    ]:
        try:
            found.append(stored(part))
        except ValueError:
            continue
    return tuple(dict.fromkeys(i for i in found if i))


def packed(identifiers: Iterable[str]) -> str:
    """Stored forms in one column: none holds ";", which separates them as typed."""
    return ";".join(identifiers)


def unpacked(text: str) -> tuple[str, ...]:
    return tuple(i for i in text.split(";") if i)


def typed_forms(identifiers: Iterable[str], kind: str) -> str:
    """A person's identifiers of one kind as a field shows them ("a; b"), for an export that
    imports again."""
    return "; ".join(value for k, _, value in (i.partition(":") for i in identifiers) if k == kind)


def kind_of(identifier: str) -> str:
    return identifier.partition(":")[0]


def display(identifier: str) -> str:
    """How a coordinator reads a stored identifier: "NHS number 943 476 5919"."""
    kind, _, value = identifier.partition(":")
    if kind == NHS and len(value) == 10:
        value = f"{value[:3]} {value[3:6]} {value[6:]}"
    return f"{KIND_WORDS.get(kind, 'ID')} {value}"
