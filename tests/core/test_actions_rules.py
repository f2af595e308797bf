"""What may happen to an action, and when it is overdue."""

from __future__ import annotations

from datetime import date

import pytest

from marac_desk.core import actions_rules as ar
from marac_desk.core.actions_rules import (
    CARRIED_FORWARD,
    CLOSED_ACTION_STATUSES,
    COMPLETED,
    NOT_POSSIBLE,
    NOT_UNDERTAKEN,
    OPEN,
    check_action_transition,
    days_overdue,
    is_overdue,
)
from marac_desk.core.referral_rules import Problem
from marac_desk.core.vocab import ACTION_STATUSES, OPEN_ACTION_STATUSES
from marac_desk.core.working_days import Region

D = date.fromisoformat
TODAY = D("2024-06-12")  # a Wednesday


def problems(old: str, new: str, note: str = "", new_due: str | None = None, **kw: str) -> list:
    due = D(new_due) if new_due else None
    old_due = D(kw["old_due"]) if "old_due" in kw else None
    found = check_action_transition(old, new, note, due, TODAY, old_due=old_due)
    return [(p.field, p.message) for p in found]


def test_the_status_names_are_the_vocabulary_s() -> None:
    assert (OPEN, COMPLETED, NOT_POSSIBLE, NOT_UNDERTAKEN, CARRIED_FORWARD) == (
        "open",
        "completed",
        "not_possible",
        "not_undertaken",
        "carried_forward",
    )
    assert set(OPEN_ACTION_STATUSES) | set(CLOSED_ACTION_STATUSES) == set(ACTION_STATUSES)
    assert CLOSED_ACTION_STATUSES == ("completed", "not_possible", "not_undertaken")


def test_completing_an_open_action_needs_nothing_more() -> None:
    assert problems(OPEN, COMPLETED) == []
    assert problems(CARRIED_FORWARD, COMPLETED) == []
    assert problems(OPEN, OPEN, "chased by email") == []


def test_not_undertaken_and_not_possible_need_a_note_saying_why() -> None:
    assert problems(OPEN, NOT_UNDERTAKEN) == [
        ("note", "Say why the agency did not undertake the action.")
    ]
    assert problems(OPEN, NOT_UNDERTAKEN, "   ") == [
        ("note", "Say why the agency did not undertake the action.")
    ]
    assert problems(OPEN, NOT_POSSIBLE) == [
        ("note", "Say what changed that made the action not possible.")
    ]
    assert problems(OPEN, NOT_UNDERTAKEN, "Worker on leave; not reallocated") == []
    assert problems(OPEN, NOT_POSSIBLE, "Victim moved out of area") == []


def test_carrying_forward_needs_a_new_due_date_after_today_and_the_old_one() -> None:
    assert problems(OPEN, CARRIED_FORWARD) == [
        ("due_date", "Give the new due date to carry the action forward to.")
    ]
    assert problems(OPEN, CARRIED_FORWARD, new_due="2024-06-12") == [
        ("due_date", "The new due date must be after today (12 June 2024).")
    ]
    assert problems(OPEN, CARRIED_FORWARD, new_due="2024-06-20", old_due="2024-06-25") == [
        ("due_date", "The new due date must be after the current one (25 June 2024).")
    ]
    assert problems(OPEN, CARRIED_FORWARD, new_due="2024-06-26", old_due="2024-06-05") == []


def test_carrying_forward_again_needs_a_later_date_but_a_note_alone_is_fine() -> None:
    assert problems(CARRIED_FORWARD, CARRIED_FORWARD, "still waiting") == []
    assert problems(CARRIED_FORWARD, CARRIED_FORWARD, new_due="2024-06-01") == [
        ("due_date", "The new due date must be after today (12 June 2024).")
    ]
    assert problems(CARRIED_FORWARD, CARRIED_FORWARD, new_due="2024-07-01") == []


@pytest.mark.parametrize("closed", ["completed", "not_possible", "not_undertaken"])
def test_a_closed_action_is_reopened_only_with_a_note(closed: str) -> None:
    assert problems(closed, OPEN) == [("note", "Say why the action is reopened.")]
    assert problems(closed, OPEN, "Perpetrator released early") == []
    assert problems(closed, CARRIED_FORWARD, new_due="2024-07-01") == [
        ("note", "Say why the action is reopened.")
    ]
    assert problems(closed, CARRIED_FORWARD, "Not finished after all", "2024-07-01") == []


def test_changing_one_recorded_outcome_into_another_needs_a_note() -> None:
    assert problems(COMPLETED, NOT_POSSIBLE) == [
        ("note", "Say what changed that made the action not possible.")
    ]
    assert problems(NOT_POSSIBLE, COMPLETED) == [
        ("note", "Say why the recorded outcome is changed.")
    ]
    assert problems(NOT_POSSIBLE, COMPLETED, "Done after all") == []
    assert problems(COMPLETED, COMPLETED) == []


def test_a_closed_action_takes_no_new_due_date() -> None:
    assert problems(OPEN, COMPLETED, new_due="2024-07-01") == [
        ("due_date", "Only an open or carried-forward action takes a new due date.")
    ]
    assert problems(CARRIED_FORWARD, OPEN, new_due="2024-07-01") == []


def test_unknown_statuses_are_named() -> None:
    assert problems("done", COMPLETED) == [("status", "'done' is not an action status.")]
    assert problems("pending", "pending") == [("status", "'pending' is not an action status.")]


def test_problems_are_the_referral_rules_problems() -> None:
    found = ar.check_action_transition(OPEN, NOT_UNDERTAKEN, "", None, TODAY)
    assert all(isinstance(p, Problem) for p in found)


def test_an_action_is_overdue_from_the_day_after_it_is_due() -> None:
    due = D("2024-06-14")  # Friday
    assert not is_overdue(due, D("2024-06-14"))
    assert is_overdue(due, D("2024-06-15"))
    assert days_overdue(due, D("2024-06-15")) == 0  # Saturday: no working day has passed
    assert days_overdue(due, D("2024-06-17")) == 1
    assert days_overdue(due, D("2024-06-21")) == 5
    assert days_overdue(due, D("2024-06-10")) == 0
    assert not is_overdue(None, TODAY)
    assert days_overdue(None, TODAY) == 0


def test_closed_actions_are_never_overdue() -> None:
    due = D("2024-06-03")
    for status in CLOSED_ACTION_STATUSES:
        assert not is_overdue(due, TODAY, status)
        assert days_overdue(due, TODAY, status) == 0
    assert is_overdue(due, TODAY, CARRIED_FORWARD)


def test_days_overdue_skip_bank_holidays_of_the_region() -> None:
    due = D("2022-12-23")
    assert days_overdue(due, D("2023-01-04")) == 5  # 28, 29, 30 Dec, 3, 4 Jan
    assert days_overdue(due, D("2023-01-04"), region=Region.SCOTLAND) == 4  # and 3 Jan
