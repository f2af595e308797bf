"""What may happen to an action, and when it is overdue.

Statuses (core.vocab.ACTION_STATUSES), as the outstanding-actions review uses them (DOMAIN.md §5):

- open: agreed, not yet done.
- carried_forward: still open, with a new due date later than today and later than the old one.
- completed: done.
- not_possible: could not be done because circumstances changed; the note says what changed.
- not_undertaken: the agency did not do it; the note says why. The panel keeps these two apart.

Changes that need a note: closing as not possible or not undertaken, reopening a closed action
(back to open or carried forward), and changing one closed outcome into another. A new due date
goes only with open or carried-forward actions.

Overdue: an open action due on day D is overdue from the day after D. How overdue it is counts
working days after D up to today: due Friday, on Monday it is 1 working day overdue (and on the
Saturday it is overdue by 0 working days).
"""

from __future__ import annotations

from datetime import date

from marac_desk.core.referral_rules import Problem
from marac_desk.core.vocab import ACTION_STATUSES, OPEN_ACTION_STATUSES
from marac_desk.core.working_days import DEFAULT_REGION, Region, working_days_between

# Unpacked, not retyped: a status added to the vocabulary fails here until it has its rules.
OPEN, COMPLETED, NOT_POSSIBLE, NOT_UNDERTAKEN, CARRIED_FORWARD = ACTION_STATUSES
CLOSED_ACTION_STATUSES: tuple[str, ...] = tuple(
    s for s in ACTION_STATUSES if s not in OPEN_ACTION_STATUSES
)
_NOTE_NEEDED_TO_CLOSE = {
    NOT_POSSIBLE: "Say what changed that made the action not possible.",
    NOT_UNDERTAKEN: "Say why the agency did not undertake the action.",
}


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_action_transition(
    old: str,
    new: str,
    note: str,
    new_due: date | None,
    today: date,
    *,
    old_due: date | None = None,
) -> list[Problem]:
    """Every problem with changing an action's status from `old` to `new` (empty: allowed).

    `note` is the update's note; `new_due` the new due date, if one is given; `old_due` the
    current due date, if it has one.
    """
    unknown = [
        Problem("status", f"{s!r} is not an action status.")
        for s in dict.fromkeys((old, new))
        if s not in ACTION_STATUSES
    ]
    if unknown:
        return unknown
    problems: list[Problem] = []
    has_note = bool(note.strip())
    closed_before, closed_after = old in CLOSED_ACTION_STATUSES, new in CLOSED_ACTION_STATUSES
    if not has_note:
        if new in _NOTE_NEEDED_TO_CLOSE and old != new:
            problems.append(Problem("note", _NOTE_NEEDED_TO_CLOSE[new]))
        elif closed_before and not closed_after:
            problems.append(Problem("note", "Say why the action is reopened."))
        elif closed_before and closed_after and old != new:
            problems.append(Problem("note", "Say why the recorded outcome is changed."))
    if closed_after and new_due is not None:
        problems.append(
            Problem("due_date", "Only an open or carried-forward action takes a new due date.")
        )
    # Carrying forward into the same status with no date is only a note on the action.
    if new == CARRIED_FORWARD and (old != CARRIED_FORWARD or new_due is not None):
        problems.extend(_carry_forward_problems(new_due, today, old_due))
    return problems


def _carry_forward_problems(
    new_due: date | None, today: date, old_due: date | None
) -> list[Problem]:
    if new_due is None:
        return [Problem("due_date", "Give the new due date to carry the action forward to.")]
    if new_due <= today:
        return [Problem("due_date", f"The new due date must be after today ({_long(today)}).")]
    if old_due is not None and new_due <= old_due:
        return [
            Problem(
                "due_date", f"The new due date must be after the current one ({_long(old_due)})."
            )
        ]
    return []


def is_open(status: str) -> bool:
    return status in OPEN_ACTION_STATUSES


def is_overdue(due: date | None, today: date, status: str = OPEN) -> bool:
    """An open action due on D is overdue when today is after D; closed ones never are."""
    return due is not None and is_open(status) and today > due


def days_overdue(
    due: date | None, today: date, status: str = OPEN, region: Region = DEFAULT_REGION
) -> int:
    """Working days after the due date up to today, for an overdue action; 0 otherwise."""
    if due is None or not is_overdue(due, today, status):
        return 0
    return working_days_between(due, today, region)
