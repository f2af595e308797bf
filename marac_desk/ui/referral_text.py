"""Words and dates the referral screens share: UK dates typed and shown, labels for the
controlled vocabularies, and how a risk score or grade reads in a list."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP

from marac_desk.core.vocab import NO, NOT_KNOWN, NOT_STATED, YES
from marac_desk.ui.widgets import tr

CONTEXT = "Referrals"

# ----- dates --------------------------------------------------------------------------------------

_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,4})\s*$")


@dataclass(frozen=True)
class ParsedDate:
    value: date | None
    problem: str = ""  # why the text is not a date ("" when it is one, or when it is empty)
    complete: bool = True  # False while the text is still being typed (e.g. "04/0")


def parse_uk_date(text: str) -> ParsedDate:  # noqa: PLR0911 - one return per kind of mistake
    """A date typed the UK way, day first: 04/03/1990, 4/3/1990, 04.03.1990 or 04-03-1990."""
    text = text.strip()
    if not text:
        return ParsedDate(None)
    match = _DATE.match(text)
    if match is None:
        return ParsedDate(
            None,
            tr("Type the date as DD/MM/YYYY, day first (for example 04/03/1990).", CONTEXT),
            complete=False,
        )
    day, month, year = (int(part) for part in match.groups())
    if len(match.group(3)) != 4:
        return ParsedDate(
            None, tr("Type the year in full, with four digits (for example 1990).", CONTEXT), False
        )
    if not 1 <= month <= 12:
        return ParsedDate(
            None,
            tr(
                "There is no month {month}: type the day first, then the month (DD/MM/YYYY).",
                CONTEXT,
            ).format(month=month),
        )
    if year < 1:
        return ParsedDate(None, tr("There is no year 0.", CONTEXT))
    last_day = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last_day:
        return ParsedDate(
            None,
            tr("{text} is not a date: {month} {year} has {days} days.", CONTEXT).format(
                text=text, month=month_name(month), year=year, days=last_day
            ),
        )
    return ParsedDate(date(year, month, day))


def uk_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def long_date(day: date | None) -> str:
    return day.strftime("%d %b %Y") if day else ""


def month_name(month: int) -> str:
    return tr(calendar.month_name[month], CONTEXT)


def age_text(dob: date | None, on: date) -> str:
    if dob is None:
        return ""
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    return tr("aged {n}", CONTEXT).format(n=age)


# ----- vocabularies -------------------------------------------------------------------------------

TRI_STATE_LABELS: tuple[tuple[str, str], ...] = (
    (NOT_KNOWN, QT_TRANSLATE_NOOP("Referrals", "Not known (not asked)")),
    (YES, QT_TRANSLATE_NOOP("Referrals", "Yes")),
    (NO, QT_TRANSLATE_NOOP("Referrals", "No")),
    (NOT_STATED, QT_TRANSLATE_NOOP("Referrals", "Not stated (declined)")),
)

TRI_STATE_SHORT: tuple[tuple[str, str], ...] = (
    (NOT_KNOWN, QT_TRANSLATE_NOOP("Referrals", "not known")),
    (YES, QT_TRANSLATE_NOOP("Referrals", "yes")),
    (NO, QT_TRANSLATE_NOOP("Referrals", "no")),
    (NOT_STATED, QT_TRANSLATE_NOOP("Referrals", "not stated")),
)

GENDER_LABELS: tuple[tuple[str, str], ...] = (
    (NOT_KNOWN, QT_TRANSLATE_NOOP("Referrals", "Not known")),
    ("female", QT_TRANSLATE_NOOP("Referrals", "Female")),
    ("male", QT_TRANSLATE_NOOP("Referrals", "Male")),
    ("non_binary", QT_TRANSLATE_NOOP("Referrals", "Non-binary")),
    (NOT_STATED, QT_TRANSLATE_NOOP("Referrals", "Not stated (declined)")),
)

RELATIONSHIP_LABELS: tuple[tuple[str, str], ...] = (
    (NOT_KNOWN, QT_TRANSLATE_NOOP("Referrals", "Not known")),
    ("current_partner", QT_TRANSLATE_NOOP("Referrals", "Current partner")),
    ("ex_partner", QT_TRANSLATE_NOOP("Referrals", "Ex-partner")),
    ("family_member", QT_TRANSLATE_NOOP("Referrals", "Family member")),
    ("other", QT_TRANSLATE_NOOP("Referrals", "Other")),
)

CHILDREN_STATUS_LABELS: tuple[tuple[str, str], ...] = (
    (NOT_KNOWN, QT_TRANSLATE_NOOP("Referrals", "Not known")),
    ("none", QT_TRANSLATE_NOOP("Referrals", "No children in the household")),
    ("listed", QT_TRANSLATE_NOOP("Referrals", "Children listed below")),
)

RISK_TOOL_LABELS: tuple[tuple[str, str], ...] = (
    ("", QT_TRANSLATE_NOOP("Referrals", "Not recorded")),
    ("checklist", QT_TRANSLATE_NOOP("Referrals", "Risk checklist (24 questions)")),
    ("police_checklist", QT_TRANSLATE_NOOP("Referrals", "Police version of the checklist")),
    ("dara", QT_TRANSLATE_NOOP("Referrals", "Police DARA (graded, no score)")),
    ("local", QT_TRANSLATE_NOOP("Referrals", "Local tool")),
)

RISK_GRADE_LABELS: tuple[tuple[str, str], ...] = (
    ("", QT_TRANSLATE_NOOP("Referrals", "No grade")),
    ("standard", QT_TRANSLATE_NOOP("Referrals", "Standard")),
    ("medium", QT_TRANSLATE_NOOP("Referrals", "Medium")),
    ("high", QT_TRANSLATE_NOOP("Referrals", "High")),
)

ETHNICITY_CHOICES: tuple[str, ...] = (
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Mixed or multiple ethnic groups",
    "White",
    "Other ethnic group",
)

STATUS_LABELS: tuple[tuple[str, str], ...] = (
    ("received", QT_TRANSLATE_NOOP("Referrals", "Received")),
    ("listed", QT_TRANSLATE_NOOP("Referrals", "Listed for a meeting")),
    ("heard", QT_TRANSLATE_NOOP("Referrals", "Heard")),
    ("closed", QT_TRANSLATE_NOOP("Referrals", "Closed")),
    ("diverted", QT_TRANSLATE_NOOP("Referrals", "Diverted")),
    ("withdrawn", QT_TRANSLATE_NOOP("Referrals", "Withdrawn")),
)

MATCH_LABELS: tuple[tuple[str, str], ...] = (
    ("linked", QT_TRANSLATE_NOOP("Referrals", "Linked")),
    ("new", QT_TRANSLATE_NOOP("Referrals", "New")),
    ("review", QT_TRANSLATE_NOOP("Referrals", "⚑ Needs review")),
)

CRITERIA_LABELS: tuple[tuple[str, str], ...] = (
    ("visible_high_risk", QT_TRANSLATE_NOOP("Referrals", "Visible high risk")),
    ("professional_judgement", QT_TRANSLATE_NOOP("Referrals", "Professional judgement")),
    ("potential_escalation", QT_TRANSLATE_NOOP("Referrals", "Potential escalation")),
    ("repeat", QT_TRANSLATE_NOOP("Referrals", "Repeat")),
)


def label(pairs: tuple[tuple[str, str], ...], code: str | None) -> str:
    """The words for a stored code; an unknown code is shown tidied, never hidden."""
    for key, text in pairs:
        if key == code:
            return tr(text, CONTEXT)
    return (code or "").replace("_", " ").capitalize()


def status_label(status: str) -> str:
    return label(STATUS_LABELS, status)


def band_of_score(score: int) -> str:
    """The common bands of a checklist score (DOMAIN.md §4), as the list's risk filter uses them."""
    return "high" if score >= 14 else "medium" if score >= 10 else "standard"


def risk_text(score: int | None, grade: str) -> str:
    """'16 · high' for a checklist (the band worked out when no grade was recorded), 'high'
    for a graded tool, '' when neither is known."""
    parts = [str(score)] if score is not None else []
    if not grade and score is not None:
        grade = band_of_score(score)
    if grade:
        parts.append(label(RISK_GRADE_LABELS, grade).lower())
    return " · ".join(parts)


def person_name(first: str, last: str) -> str:
    """Surname in capitals, as on the paper forms."""
    return " ".join(p for p in (first.strip(), last.strip().upper()) if p) or tr(
        "(no name)", CONTEXT
    )
