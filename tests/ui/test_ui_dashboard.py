"""The dashboard: SQL aggregates over a store with figures worked out by hand, and what the
coordinator reads on the cards."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from ui_support import fill_known_figures, qt_quiet

from marac_desk.services import dashboard
from marac_desk.services.session import OpenStore
from marac_desk.ui.dashboard_view import DashboardView
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.widgets import format_date

pytestmark = qt_quiet


def test_summary_counts_what_the_rules_say(open_store: OpenStore) -> None:
    today = date.today()
    expected = fill_known_figures(open_store.store, today)

    s = dashboard.summarise(open_store.store, today)

    assert s.referrals_total == expected.total
    assert tuple((c.status, c.count) for c in s.referrals_by_status) == expected.by_status
    assert s.received_recent == expected.recent_28_days
    assert s.referrals_12_months == expected.referrals_12_months
    assert s.repeats_12_months == expected.repeats_12_months
    assert s.repeat_percent == expected.repeat_percent
    assert s.next_meeting is not None
    assert (s.next_meeting.meeting_date - today).days == expected.next_meeting_in_days
    assert s.next_meeting.cases == expected.next_meeting_cases
    assert s.next_meeting.panel == "Northtown MARAC"
    assert s.open_actions == expected.open_actions
    assert tuple((a.agency, a.count) for a in s.overdue_by_agency) == expected.overdue
    assert s.overdue_actions == sum(n for _, n in expected.overdue)
    assert s.reviews_overdue == expected.reviews_overdue
    assert s.reviews_due_soon == expected.reviews_due_soon


def test_empty_store_has_no_percentage_and_no_meeting(open_store: OpenStore) -> None:
    s = dashboard.summarise(open_store.store)
    assert s.referrals_total == 0
    assert s.repeat_percent is None
    assert s.next_meeting is None
    assert s.overdue_by_agency == ()
    assert [c.count for c in s.referrals_by_status] == [0] * 6


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(1, 8, 13), (1, 200, 1), (1, 201, 0), (5, 15, 33), (2, 3, 67), (0, 4, 0), (3, 0, None)],
)
def test_percent_rounds_half_up(part: int, whole: int, percent: int | None) -> None:
    # 1/8 = 12.5% -> 13 (half-up, where Python's round() would give 12); 1/200 = 0.5% -> 1.
    assert dashboard.percent_half_up(part, whole) == percent


def test_one_year_before_handles_29_february() -> None:
    assert dashboard.one_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert dashboard.one_year_before(date(2026, 5, 19)) == date(2025, 5, 19)


def test_dashboard_shows_the_figures(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    expected = fill_known_figures(open_store.store, today)
    window = MainWindow(open_store)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    view = window.areas["dashboard"]
    assert isinstance(view, DashboardView)

    assert view.card_recent.value.text() == str(expected.recent_28_days)
    assert view.card_repeats.value.text() == f"{expected.repeats_12_months}  (33%)"
    assert "33% of 15 referrals (expected 28–40%)" in view.card_repeats.detail.text()
    meeting_day = date.fromordinal(today.toordinal() + expected.next_meeting_in_days)
    assert view.card_meeting.value.text() == format_date(meeting_day)
    assert view.card_meeting.detail.text() == "Northtown MARAC · in 5 days · 3 cases listed"
    assert view.card_actions.value.text() == "3"
    assert "of 5 open actions" in view.card_actions.detail.text()
    assert view.card_reviews.value.text() == "1"
    assert view.card_reviews.detail.text() == "1 more due in the next 14 days"
    assert view.card_total.value.text() == "18"
    assert view.card_awaiting.value.text() == "4"  # the four still "received"

    # Late minutes name the oldest meeting and its deadline, in words as well as colour.
    late = dashboard.MinutesOverdue(7, date(2026, 12, 23), "Northtown MARAC", date(2026, 12, 30))
    view.show_summary(replace(view.summary, minutes_overdue=(late,)))  # type: ignore[arg-type]
    assert view.card_minutes.value.text() == "1"
    assert view.card_minutes.detail.text() == (
        f"oldest: Northtown MARAC, {format_date(late.meeting_date)} (due {format_date(late.due)})"
    )

    status_rows = [
        (view.status_model.cell(r, 0), view.status_model.cell(r, 1))
        for r in range(view.status_model.rowCount())
    ]
    assert status_rows[0] == ("Received", 4)
    assert ("Listed for a meeting", 4) in status_rows
    overdue_rows = [
        (view.overdue_model.cell(r, 0), view.overdue_model.cell(r, 1))
        for r in range(view.overdue_model.rowCount())
    ]
    assert overdue_rows == list(expected.overdue)
    assert view.overdue_table.isVisible()


def test_dashboard_never_names_a_victim(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    fill_known_figures(open_store.store)
    window = MainWindow(open_store)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    view = window.areas["dashboard"]
    shown = " ".join(label.text() for label in view.findChildren(type(view.card_total.value)))
    assert "Victim" not in shown and "Test" not in shown
