"""The actions area: the list filtered in the database (overdue, agency, week, meeting, words),
the overdue badge, and recording an update with a dated note, shown in the history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from meetings_area_support import active_dialog, back_in, make_panel, refer
from PySide6.QtCore import Qt
from referral_support import TODAY, ctrl, days_ago, open_window
from ui_support import qt_quiet

from marac_desk.core.working_days import working_days_between
from marac_desk.services import actions, meetings
from marac_desk.services.actions import ActionInput
from marac_desk.services.session import OpenStore
from marac_desk.ui.actions_view import ActionsView, StatusDialog
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.widgets import unnamed_controls

pytestmark = qt_quiet


@pytest.fixture
def agreed(open_store: OpenStore) -> dict[str, int]:
    """Actions from two past meetings: one overdue (Police), two for Housing (due today, and
    in a month), one completed (IDVA), and one from the later meeting (Probation)."""
    s, a = open_store.store, open_store.actor
    panel_id = make_panel(open_store)
    earlier = meetings.add_meeting(s, a, panel_id, days_ago(28))
    later = meetings.add_meeting(s, a, panel_id, days_ago(7))
    case = meetings.add_case(s, a, earlier, refer(open_store, 1, days=40).id)
    other = meetings.add_case(s, a, later, refer(open_store, 2, days=20).id)

    def add(case_id: int, agency: str, text: str, due_in: int, person: str = "") -> int:
        due = TODAY + timedelta(days=due_in)
        inp = ActionInput(agency, text, owner_person=person, due_date=due, category="housing")
        return actions.add_action(s, a, case_id, inp)

    made = {
        "police": add(case, "Police", "Serve the non-molestation order", -10, "DS Reid"),
        "today": add(case, "Housing", "Fit a door chain", 0),
        "month": add(case, "Housing", "Review the tenancy", 30, "J Patel"),
        "idva": add(case, "IDVA", "Agree a safety plan", -20),
        "probation": add(other, "Probation", "Check licence conditions", 14),
    }
    actions.set_status(s, a, made["idva"], "completed", on=days_ago(21))
    made["earlier"], made["later"] = earlier, later
    return made


def show_actions(qtbot: Any, opened: OpenStore) -> tuple[MainWindow, ActionsView]:
    win = open_window(qtbot, opened)
    view = win.areas["actions"]
    assert isinstance(view, ActionsView)
    with qtbot.waitSignal(view.model.counted, timeout=10_000):
        win.show_area("actions")
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    return win, view


def texts(view: ActionsView) -> list[str]:
    return [view.model.row_at(r).text for r in range(view.model.rowCount())]


def counted(qtbot: Any, view: ActionsView, action: Any) -> None:
    with qtbot.waitSignal(view.model.counted, timeout=10_000):
        action()


def test_open_actions_are_listed_earliest_due_first_with_the_overdue_marked(
    qtbot, open_store: OpenStore, agreed
) -> None:  # type: ignore[no-untyped-def]
    win, view = show_actions(qtbot, open_store)
    assert texts(view) == [
        "Serve the non-molestation order",
        "Fit a door chain",
        "Check licence conditions",
        "Review the tenancy",
    ]  # completed ones are left out until asked for
    model = view.model
    late = working_days_between(TODAY - timedelta(days=10), TODAY)
    assert model.data(model.index(0, 7)) == f"⚠ {late} days"
    assert model.data(model.index(1, 7)) == ""  # due today: not overdue yet
    assert model.data(model.index(0, 2)) == "Police · DS Reid"
    assert model.data(model.index(0, 6)) == "Open"
    assert view.count_label.text().startswith("4 actions match the filters")
    nav = [win.nav.item(i).text() for i in range(win.nav.count())]
    assert "Actions  (1 overdue)" in nav
    assert unnamed_controls(view) == []


def test_filters_are_applied_by_the_database(qtbot, open_store: OpenStore, agreed) -> None:  # type: ignore[no-untyped-def]
    _win, view = show_actions(qtbot, open_store)
    counted(qtbot, view, lambda: view.overdue_filter.setChecked(True))
    assert texts(view) == ["Serve the non-molestation order"]

    counted(qtbot, view, view.clear_filters)
    assert len(texts(view)) == 5  # every status, the completed one too
    agency = view.agency_filter
    counted(qtbot, view, lambda: agency.setCurrentIndex(agency.findData("Housing")))
    assert texts(view) == ["Fit a door chain", "Review the tenancy"]
    counted(qtbot, view, lambda: view.week_filter.setChecked(True))
    assert texts(view) == ["Fit a door chain"]

    counted(qtbot, view, view.clear_filters)
    meeting = view.meeting_filter
    counted(qtbot, view, lambda: meeting.setCurrentIndex(meeting.findData(agreed["later"])))
    assert texts(view) == ["Check licence conditions"]

    counted(qtbot, view, view.clear_filters)
    counted(qtbot, view, lambda: qtbot.keyClicks(view.text_filter, "patel"))  # debounced
    assert texts(view) == ["Review the tenancy"]
    view.table.setFocus()
    counted(qtbot, view, lambda: ctrl(qtbot, view.table, Qt.Key.Key_X, shift=True))
    assert view.text_filter.text() == ""


def test_carrying_forward_needs_a_date_and_the_update_joins_the_history(
    qtbot, open_store: OpenStore, agreed
) -> None:  # type: ignore[no-untyped-def]
    win, view = show_actions(qtbot, open_store)
    row = texts(view).index("Review the tenancy")
    view.table.setCurrentIndex(view.model.index(row, 0))
    qtbot.waitUntil(lambda: "No updates yet" in view.history_view.toPlainText(), timeout=5_000)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    dialog = active_dialog(qtbot, view)
    assert isinstance(dialog, StatusDialog)
    assert unnamed_controls(dialog) == []
    dialog.set_status("carried_forward")
    qtbot.keyClicks(dialog.note, "Awaiting the tenancy panel")
    with qtbot.waitSignal(view.saved, timeout=10_000) as refused:
        dialog.ok_button.click()
    assert refused.args[0] is False
    problem = dialog.messages["due_date"]
    assert problem.is_error
    assert problem.text() == "Give the new due date to carry the action forward to."
    assert view.dialog is dialog and dialog.isVisible()

    new_due = TODAY + timedelta(days=60)
    dialog.new_due.setText(new_due.strftime("%d/%m/%Y"))
    with qtbot.waitSignal(view.history_loaded, timeout=10_000):
        dialog.ok_button.click()
    assert view.dialog is None
    history = view.history_view.toPlainText()
    assert "Carried forward" in history and "Awaiting the tenancy panel" in history
    assert f"new due date {new_due:%a %d %b %Y}" in history
    assert "Sam Coordinator" in history
    (update,) = actions.updates_of(open_store.store, agreed["month"])
    assert (update.status, update.note, update.new_due_date) == (
        "carried_forward",
        "Awaiting the tenancy panel",
        new_due,
    )
    qtbot.waitUntil(lambda: view.model.rowCount() == 4, timeout=5_000)
    selected = view.selected()
    assert selected is not None and selected.id == agreed["month"]
    assert view.model.data(view.model.index(view.table.currentIndex().row(), 6)) == (
        "Carried forward"
    )

    # Closing the overdue one as not possible needs a note, shown beside it.
    back_in(qtbot, view.table)
    view.table.setCurrentIndex(view.model.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    dialog = active_dialog(qtbot, view)
    dialog.set_status("not_possible")
    assert not dialog.new_due.isEnabled()
    with qtbot.waitSignal(view.saved, timeout=10_000):
        dialog.ok_button.click()
    assert dialog.messages["note"].text() == "Say what changed that made the action not possible."
    qtbot.keyClicks(dialog.note, "Victim moved out of the area")
    with qtbot.waitSignal(view.badge_changed, timeout=10_000) as badge:
        dialog.ok_button.click()
    assert badge.args == [""]  # nothing overdue any more
    qtbot.waitUntil(lambda: "Actions" in [win.nav.item(i).text() for i in range(win.nav.count())])
