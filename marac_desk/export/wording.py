"""How the documents word the vocabularies (statuses, outcomes, criteria) for people to read.

Spreadsheets keep the vocabulary ids (they are for filtering and re-use); PDFs use these words.
"""

from __future__ import annotations

from datetime import date, datetime, time

from marac_desk.core.periods import MONTH_NAMES
from marac_desk.export.model import Action, Case, OutstandingAction, Person

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def fmt_date(value: date | None, empty: str = "—") -> str:
    """5 Mar 2025 (month names fixed in English, whatever the process locale)."""
    if value is None:
        return empty
    return f"{value.day} {MONTH_NAMES[value.month - 1][:3]} {value.year}"


def long_date(value: date) -> str:
    """Wednesday 5 March 2025."""
    return f"{_DAYS[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def fmt_time(value: time | None, empty: str = "—") -> str:
    return empty if value is None else f"{value.hour:02d}:{value.minute:02d}"


def fmt_datetime(value: datetime) -> str:
    return f"{fmt_date(value.date())} {fmt_time(value.time())}"


ACTION_STATUS_LABELS: dict[str, str] = {
    "open": "Open",
    "completed": "Completed",
    "not_possible": "Not possible — change in circumstances",
    "not_undertaken": "Not undertaken by agency",
    "carried_forward": "Carried forward",
}

CASE_OUTCOME_LABELS: dict[str, str] = {
    "pending": "Not yet recorded",
    "heard_closed": "Heard and closed",
    "heard_open": "Heard and kept open",
    "deferred": "Deferred",
}

CRITERION_LABELS: dict[str, str] = {
    "visible_high_risk": "Visible high risk (checklist score)",
    "professional_judgement": "Professional judgement",
    "potential_escalation": "Potential escalation (police-reported incidents)",
    "repeat": "Repeat referral",
}

ATTENDANCE_LABELS: dict[str, str] = {
    "present": "Present",
    "apologies": "Apologies",
    "observer": "Observer",
}

RESEARCH_LABELS: dict[str, str] = {
    "requested": "Requested",
    "received": "Received",
    "nothing_held": "Nothing held",
}

NOTE_KIND_LABELS: dict[str, str] = {"fact": "Fact", "opinion": "Opinion"}


def referral_kind(case: Case) -> str:
    """ "New" or "Repeat (previous referral 12 Jan 2025)"."""
    if not case.is_repeat:
        return "New"
    if case.previous_referral_on is None:
        return "Repeat"
    return f"Repeat (previous referral {fmt_date(case.previous_referral_on)})"


def risk_summary(case: Case) -> str:
    """ "DASH checklist: 16 of 24 — High" (whatever parts are known)."""
    tool = case.risk_tool or "Checklist"
    if case.risk_score is None:
        score = "no score recorded"
    elif case.risk_max:
        score = f"{case.risk_score} of {case.risk_max}"
    else:
        score = str(case.risk_score)
    text = f"{tool}: {score}"
    return f"{text} — {case.risk_band}" if case.risk_band else text


def criteria_text(case: Case) -> str:
    if not case.criteria_met:
        return "None recorded"
    return "; ".join(CRITERION_LABELS[c] for c in case.criteria_met)


def outcome_text(case: Case) -> str:
    label = CASE_OUTCOME_LABELS[case.outcome]
    return f"{label}: {case.outcome_reason}" if case.outcome_reason else label


def action_status_text(action: Action) -> str:
    """The status as a person reads it, with its date and note."""
    text = ACTION_STATUS_LABELS[action.status]
    if action.status == "completed" and action.completed_on is not None:
        text += f" ({fmt_date(action.completed_on)})"
    if action.status_note:
        text += f": {action.status_note}"
    return text


def review_outcome_text(item: OutstandingAction) -> str:
    """The outcome of an earlier action's review at this meeting."""
    action = item.action
    if action.status == "carried_forward":
        moved = f"to {fmt_date(action.due_date)}"
        if item.previous_due_date is not None:
            moved = f"from {fmt_date(item.previous_due_date)} {moved}"
        text = f"Carried forward {moved}"
        return f"{text}: {action.status_note}" if action.status_note else text
    if action.status == "open":
        text = "Still open"
        return f"{text}: {action.status_note}" if action.status_note else text
    return action_status_text(action)


def identify_text(person: Person, case_ref: str, identify: str) -> str:
    """A case as an agency list identifies it: reference only, with initials, or name and DOB."""
    if identify == "case_ref":
        return case_ref
    if identify == "initials":
        return f"{case_ref}\n{person.initials or '—'}"
    return f"{case_ref}\n{person.full_name or '—'}\nDOB {fmt_date(person.dob)}"
