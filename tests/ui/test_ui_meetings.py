"""The meetings area: panels, the schedule (planning over bank holidays, moving, cancelling),
and building a meeting's case list by keyboard, with the case-limit warnings and research."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from meetings_area_support import (
    FIRST,
    SECOND,
    active_dialog,
    agenda_refs,
    make_panel,
    refer,
    refreshed,
    show_meetings,
    stored_refs,
)
from PySide6.QtCore import Qt
from referral_support import ctrl, days_ago, make_referral
from ui_support import qt_quiet

from marac_desk.services import meetings, panels, referrals
from marac_desk.services.session import OpenStore
from marac_desk.ui.meetings_view import (
    CancelMeetingDialog,
    MeetingsView,
    MoveCaseDialog,
    RequestResearchDialog,
)
from marac_desk.ui.panel_dialog import PanelDialog, PlanDialog
from marac_desk.ui.widgets import unnamed_controls

pytestmark = qt_quiet


def key(qtbot, widget, k: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(widget, k)


# ----- panels ---------------------------------------------------------------------------------


def test_a_panel_is_created_by_keyboard_and_its_cadence_read_back(
    qtbot, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    _win, view = show_meetings(qtbot, open_store)
    assert view.stack.currentWidget() is view.no_panels
    assert "New panel… (Ctrl+Shift+N)" in view.no_panels.text()

    view.panel_choice.setFocus()
    ctrl(qtbot, view.panel_choice, Qt.Key.Key_N, shift=True)
    dialog = active_dialog(qtbot, view)
    assert isinstance(dialog, PanelDialog) and dialog.isVisible()
    assert unnamed_controls(dialog) == []
    qtbot.keyClicks(dialog.name, "Southtown MARAC")
    dialog.cadence.selectAll()
    qtbot.keyClicks(dialog.cadence, "weekly:funday")
    assert dialog.cadence_description.is_error
    assert "'funday' is not a day of the week" in dialog.cadence_description.text()
    dialog.cadence.selectAll()
    qtbot.keyClicks(dialog.cadence, "Fortnightly:Tuesday")
    assert dialog.cadence_description.text() == "Fortnightly on Tuesday"
    assert not dialog.cadence_description.is_error
    assert dialog.next_dates.text().startswith("Next: Tue ")
    assert dialog.anchor.isEnabled()  # a fortnightly series counts from its first meeting
    dialog.anchor.setText("03/11/2026")

    refreshed(qtbot, view, lambda: key(qtbot, dialog.cadence, Qt.Key.Key_Return))
    assert view.dialog is None
    saved = panels.find_panel(open_store.store, "Southtown MARAC")
    assert (saved.cadence, saved.anchor) == ("fortnightly:tue", date(2026, 11, 3))
    assert view.stack.currentWidget() is view.tabs
    assert view.panel_choice.currentText() == "Southtown MARAC"
    assert "Fortnightly on Tuesday" in view.panel_summary.text()
    assert "No meetings in the schedule" in view.schedule.placeholder()


def test_panel_settings_are_checked_before_saving(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    make_panel(open_store)
    _win, view = show_meetings(qtbot, open_store)
    view.schedule.setFocus()
    ctrl(qtbot, view.schedule, Qt.Key.Key_E)
    dialog = active_dialog(qtbot, view)
    assert isinstance(dialog, PanelDialog)
    assert dialog.name.text() == "Northtown MARAC"
    assert set(dialog.quorum.ticked()) == {"Police", "IDVA"}
    dialog.cap_warn.setValue(25)  # after the strong limit (20)
    dialog.cadence.setText("monthly:5:wed")
    dialog.ok_button.click()
    assert "monthly:last:wed" in dialog.cadence_description.text()
    assert dialog.messages["case_cap"].is_error
    assert view.dialog is dialog and not dialog.busy
    dialog.cadence.setText("monthly:last:wed")
    dialog.cap_warn.setValue(12)
    refreshed(qtbot, view, dialog.ok_button.click)
    saved = panels.find_panel(open_store.store, "Northtown MARAC")
    assert (saved.cadence, saved.case_cap_warn) == ("monthly:last:wed", 12)
    assert "Monthly on the last Wednesday" in view.panel_summary.text()


# ----- the schedule ---------------------------------------------------------------------------


def test_planning_over_easter_shows_the_moved_meeting_first(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    panel_id = make_panel(open_store, cadence="weekly:mon")
    _win, view = show_meetings(qtbot, open_store)
    view.schedule.setFocus()
    ctrl(qtbot, view.schedule, Qt.Key.Key_P)
    dialog = active_dialog(qtbot, view)
    assert isinstance(dialog, PlanDialog)
    dialog.start.setText("30/03/2026")
    dialog.end.setText("13/04/2026")
    preview = [
        (dialog.preview_model.cell(r, 0), dialog.preview_model.cell(r, 1))
        for r in range(dialog.preview_model.rowCount())
    ]
    assert preview == [
        ("Mon 30 Mar 2026", "New meeting"),
        ("Tue 07 Apr 2026", "New meeting — moved from Monday 6 April 2026 (Easter Monday)"),
        ("Mon 13 Apr 2026", "New meeting"),
    ]
    assert dialog.summary.text() == "3 new meetings will be added."
    assert meetings.list_meetings(open_store.store, panel_id=panel_id) == []  # nothing yet

    refreshed(qtbot, view, lambda: key(qtbot, dialog.end, Qt.Key.Key_Return))
    shown = [view.schedule_model.text(m, 0) for m in view.schedule_model.rows]
    assert shown == ["Mon 30 Mar 2026", "Tue 07 Apr 2026", "Mon 13 Apr 2026"]
    assert view.message.text() == "3 meeting(s) added to the schedule."

    # The same period again: nothing new to add.
    ctrl(qtbot, view.schedule, Qt.Key.Key_P)
    again = active_dialog(qtbot, view)
    assert isinstance(again, PlanDialog)
    again.start.setText("30/03/2026")
    again.end.setText("13/04/2026")
    assert {again.preview_model.cell(r, 1) for r in range(3)} == {"Already in the schedule"}
    assert not again.ok_button.isEnabled()
    again.reject()


def test_a_meeting_is_added_moved_with_a_reason_and_the_next_is_chosen(
    qtbot, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    panel_id = make_panel(open_store)
    first = meetings.add_meeting(open_store.store, open_store.actor, panel_id, FIRST)
    _win, view = show_meetings(qtbot, open_store)
    assert view.meeting_id == first
    view.schedule.setFocus()
    key(qtbot, view.schedule, Qt.Key.Key_Insert)
    dialog = active_dialog(qtbot, view)
    assert dialog is not None
    dialog.day.setText(SECOND.strftime("%d/%m/%Y"))  # type: ignore[attr-defined]
    refreshed(qtbot, view, dialog.ok_button.click)
    added = [m for m in view.schedule_model.rows if m.meeting_date == SECOND]
    assert len(added) == 1 and view.meeting_id == added[0].id

    view.select_meeting(first)
    qtbot.waitUntil(lambda: not view._ctx.runner.busy, timeout=10_000)
    ctrl(qtbot, view.schedule, Qt.Key.Key_M)
    move = active_dialog(qtbot, view)
    assert move is not None
    new_day = FIRST + timedelta(days=1)
    move.day.setText(new_day.strftime("%d/%m/%Y"))  # type: ignore[attr-defined]
    move.ok_button.click()  # no reason
    assert move.messages["reason"].is_error
    assert move.messages["reason"].text() == "Say why the meeting is moving."
    move.reason.setText("Room unavailable")  # type: ignore[attr-defined]
    refreshed(qtbot, view, move.ok_button.click)
    row = next(m for m in view.schedule_model.rows if m.id == first)
    assert row.meeting_date == new_day
    assert view.schedule_model.note(row).endswith(": Room unavailable")
    assert view.schedule_model.note(row).startswith("Moved from ")


# ----- the agenda -----------------------------------------------------------------------------


@pytest.fixture
def two_meetings(open_store: OpenStore) -> tuple[int, int]:
    panel_id = make_panel(open_store)
    s, a = open_store.store, open_store.actor
    return meetings.add_meeting(s, a, panel_id, FIRST), meetings.add_meeting(s, a, panel_id, SECOND)


def test_an_agenda_is_built_by_keyboard(qtbot, open_store: OpenStore, two_meetings) -> None:  # type: ignore[no-untyped-def]
    first, second = two_meetings
    s = open_store
    earlier = make_referral(
        s, "Amira", "Haddad", date(1991, 5, 12), on=days_ago(200),
        perpetrator=("Sami", "Haddad", date(1989, 2, 3)),
    )  # fmt: skip
    referrals.set_status(
        s.store, s.actor, earlier.id, "diverted", reason="Professionals meeting", decided_by="Chair"
    )
    repeat = make_referral(
        s, "Amira", "Haddad", date(1991, 5, 12), on=days_ago(40),
        perpetrator=("Sami", "Haddad", date(1989, 2, 3)),
        victim_id=earlier.victim_id, perpetrator_id=earlier.perpetrator_ids[0],
    )  # fmt: skip
    new_ones = [refer(s, n, days=30 - n) for n in range(2)]
    assert repeat.is_repeat

    _win, view = show_meetings(qtbot, open_store)
    assert view.meeting_id == first
    view.schedule.setFocus()
    key(qtbot, view.schedule, Qt.Key.Key_Return)  # Enter opens the agenda
    assert view.tabs.currentIndex() == 1
    assert "No cases listed yet" in view.agenda.placeholder()
    proposed = [p.case_ref for p in view.proposal_model.rows]
    assert proposed == [repeat.case_ref, *(r.case_ref for r in new_ones)]  # oldest first
    assert view.proposals.hasFocus()

    refreshed(qtbot, view, lambda: key(qtbot, view.proposals, Qt.Key.Key_Return))
    refreshed(qtbot, view, lambda: key(qtbot, view.proposals, Qt.Key.Key_Insert))
    refreshed(qtbot, view, lambda: key(qtbot, view.proposals, Qt.Key.Key_Enter))
    order = [repeat.case_ref, new_ones[0].case_ref, new_ones[1].case_ref]
    assert agenda_refs(view) == order == stored_refs(open_store, first)
    assert view.proposal_model.rows == []
    assert "No referrals are waiting" in view.proposals.placeholder()
    marker = view.agenda_model.text(view.agenda_model.rows[0], 4)
    assert marker == f"REPEAT · previous {days_ago(200):%d/%m/%Y}"
    assert view.agenda_model.text(view.agenda_model.rows[1], 4) == "NEW"
    assert view.totals.text().startswith("3 cases · 45 min allowed")
    assert view.outstanding.text() == "No outstanding actions from earlier meetings."

    # Ctrl+Down moves the first case down; Ctrl+Up brings the last one up.
    view.agenda.setFocus()
    view.agenda.setCurrentIndex(view.agenda_model.index(0, 1))
    refreshed(qtbot, view, lambda: ctrl(qtbot, view.agenda, Qt.Key.Key_Down))
    order = [new_ones[0].case_ref, repeat.case_ref, new_ones[1].case_ref]
    assert agenda_refs(view) == order == stored_refs(open_store, first)
    assert view.agenda.currentIndex().row() == 1  # the moved case stays selected
    view.agenda.setCurrentIndex(view.agenda_model.index(2, 1))
    refreshed(qtbot, view, lambda: ctrl(qtbot, view.agenda, Qt.Key.Key_Up))
    order = [new_ones[0].case_ref, new_ones[1].case_ref, repeat.case_ref]
    assert agenda_refs(view) == order == stored_refs(open_store, first)
    assert [c.position for c in view.agenda_model.rows] == [1, 2, 3]

    # Move to another meeting (Ctrl+M): the next meeting is offered first.
    view.agenda.setCurrentIndex(view.agenda_model.index(0, 1))
    ctrl(qtbot, view.agenda, Qt.Key.Key_M)
    dialog = active_dialog(qtbot, view)
    assert isinstance(dialog, MoveCaseDialog)
    assert dialog.target.currentData() == second
    refreshed(qtbot, view, dialog.ok_button.click)
    assert stored_refs(open_store, first) == [new_ones[1].case_ref, repeat.case_ref]
    assert stored_refs(open_store, second) == [new_ones[0].case_ref]
    assert agenda_refs(view) == stored_refs(open_store, first)

    # Delete takes a case off the list; it is proposed again.
    view.agenda.setCurrentIndex(view.agenda_model.index(0, 1))
    refreshed(qtbot, view, lambda: key(qtbot, view.agenda, Qt.Key.Key_Delete))
    assert stored_refs(open_store, first) == [repeat.case_ref]
    assert [p.case_ref for p in view.proposal_model.rows] == [new_ones[1].case_ref]
    assert referrals.get_referral(open_store.store, new_ones[1].id).status == "received"

    # F2 on the minutes: the running total follows.
    view.agenda.setCurrentIndex(view.agenda_model.index(0, view.agenda_model.MINUTES))
    refreshed(
        qtbot,
        view,
        lambda: view.agenda_model.setData(view.agenda.currentIndex(), 25),
    )
    assert meetings.get_agenda(open_store.store, first).total_minutes == 25
    assert view.totals.text().startswith("1 case · 25 min allowed")


def test_the_case_limit_warns_at_15_and_strongly_above_20(
    qtbot, open_store: OpenStore, two_meetings
) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_meetings
    s, a = open_store.store, open_store.actor
    made = [refer(open_store, n, days=40 - n) for n in range(21)]
    for r in made[:14]:
        meetings.add_case(s, a, first, r.id)
    _win, view = show_meetings(qtbot, open_store)
    view.open_agenda()
    assert len(view.agenda_model.rows) == 14
    assert view.cap_banner.isHidden()

    view.proposals.setFocus()
    view.proposals.setCurrentIndex(view.proposal_model.index(0, 0))
    refreshed(qtbot, view, lambda: key(qtbot, view.proposals, Qt.Key.Key_Insert))
    assert not view.cap_banner.isHidden()
    assert view.cap_banner.property("level") == "warn"
    assert view.cap_banner.text().startswith("⚠ Caution — 15 cases listed: at or above 15")

    for r in made[15:20]:
        meetings.add_case(s, a, first, r.id)
    refreshed(qtbot, view, view.reload)
    assert view.cap_banner.property("level") == "warn"  # 20 is still a warning
    assert "20 cases listed" in view.cap_banner.text()
    refreshed(qtbot, view, lambda: key(qtbot, view.proposals, Qt.Key.Key_Return))
    assert view.cap_banner.property("level") == "strong"
    assert view.cap_banner.text().startswith(
        "⛔ Too many cases — 21 cases listed: more than 20, too many to hear each one with care."
    )
    assert view.totals.text().startswith("21 cases · 5 h 15 min allowed")


def test_research_is_requested_and_edited_by_keyboard(
    qtbot, open_store: OpenStore, two_meetings
) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_meetings
    s, a = open_store.store, open_store.actor
    cases = [meetings.add_case(s, a, first, refer(open_store, n).id) for n in range(2)]
    _win, view = show_meetings(qtbot, open_store)
    view.tabs.setCurrentIndex(2)
    assert view.research_model.rowCount() == 0
    assert "Request research from… (Ctrl+Shift+R)" in view.research.placeholder()

    ctrl(qtbot, view.research, Qt.Key.Key_R, shift=True)
    dialog = active_dialog(qtbot, view)
    assert isinstance(dialog, RequestResearchDialog)
    assert set(dialog.agencies.ticked()) == {"Police", "IDVA"}  # the panel's quorum agencies
    housing = next(
        i for i in range(dialog.agencies.count()) if dialog.agencies.item(i).text() == "Housing"
    )
    dialog.agencies.setCurrentRow(housing)
    dialog.agencies.setFocus()
    key(qtbot, dialog.agencies, Qt.Key.Key_Space)  # Space ticks
    assert "Housing" in dialog.agencies.ticked()
    refreshed(qtbot, view, dialog.ok_button.click)
    assert view.research_model.agencies == ["Housing", "IDVA", "Police"]
    assert view.research_model.rowCount() == 2
    assert view.research_model.index(0, 2).data() == "… Requested"

    view.research.setFocus()
    police = view.research_model.index(1, 2)
    view.research.setCurrentIndex(police)
    refreshed(qtbot, view, lambda: key(qtbot, view.research, Qt.Key.Key_Space))
    assert view.research_model.index(1, 2).data() == "✓ Received"
    refreshed(qtbot, view, lambda: key(qtbot, view.research, Qt.Key.Key_Space))
    assert view.research_model.index(1, 2).data() == "∅ Nothing held"
    stored = {
        (c.id, r.agency): r.status for c in meetings.get_agenda(s, first).cases for r in c.research
    }
    assert stored[(cases[1], "Police")] == "nothing_held"
    assert stored[(cases[0], "Police")] == "requested"
    assert view.agenda_model.text(view.agenda_model.rows[1], 7) == "1 of 3 back"


def test_cancelling_needs_a_reason_and_sends_the_cases_on(
    qtbot, open_store: OpenStore, two_meetings
) -> None:  # type: ignore[no-untyped-def]
    first, second = two_meetings
    s, a = open_store.store, open_store.actor
    refs = [refer(open_store, n) for n in range(2)]
    for r in refs:
        meetings.add_case(s, a, first, r.id)
    _win, view = show_meetings(qtbot, open_store)
    view.schedule.setFocus()
    key(qtbot, view.schedule, Qt.Key.Key_Delete)
    dialog = active_dialog(qtbot, view)
    assert isinstance(dialog, CancelMeetingDialog)
    assert dialog.target is not None and dialog.target.currentData() == second
    dialog.ok_button.click()
    assert dialog.messages["reason"].text() == "Say why the meeting is cancelled."
    assert meetings.get_meeting(s, first).status == "planned"
    qtbot.keyClicks(dialog.reason, "Chair unavailable")
    refreshed(qtbot, view, dialog.ok_button.click)

    row = next(m for m in view.schedule_model.rows if m.id == first)
    assert view.schedule_model.text(row, 3) == "Cancelled"
    assert view.schedule_model.note(row) == "Cancelled: Chair unavailable"
    assert stored_refs(open_store, second) == [r.case_ref for r in refs]
    assert view.reinstate_button.isEnabled() and not view.cancel_button.isEnabled()
    refreshed(qtbot, view, lambda: ctrl(qtbot, view.schedule, Qt.Key.Key_U, shift=True))
    assert meetings.get_meeting(s, first).status == "planned"


def test_run_meeting_asks_for_the_live_meeting(qtbot, open_store: OpenStore, two_meetings) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_meetings
    _win, view = show_meetings(qtbot, open_store)
    view.schedule.setFocus()
    with qtbot.waitSignal(view.run_meeting_requested, timeout=5_000) as asked:
        ctrl(qtbot, view.schedule, Qt.Key.Key_R)
    assert asked.args == [first]
    live = view.live_windows[first]
    assert live.isVisible() and live.meeting_id == first
    # Asking again brings the same window forward rather than opening a second one.
    assert view.open_live_meeting(first) is live
    with qtbot.waitSignal(live.closed, timeout=5_000):
        live.close_now()
    assert first not in view.live_windows


def test_every_control_of_the_area_has_a_name(qtbot, open_store: OpenStore, two_meetings) -> None:  # type: ignore[no-untyped-def]
    _win, view = show_meetings(qtbot, open_store)
    for tab in range(3):
        view.tabs.setCurrentIndex(tab)
        assert unnamed_controls(view) == []
    assert isinstance(view, MeetingsView)


def test_every_dialog_of_the_area_names_its_controls(
    qtbot, open_store: OpenStore, two_meetings
) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_meetings
    s, a = open_store.store, open_store.actor
    meetings.add_case(s, a, first, refer(open_store, 1).id)
    _win, view = show_meetings(qtbot, open_store)
    view.open_agenda()
    for opener in (
        view.new_panel,
        view.edit_panel,
        view.plan_meetings,
        view.add_meeting,
        view.move_meeting,
        view.cancel_meeting,
        view.move_case,
        view.request_research,
    ):
        opener()
        dialog = active_dialog(qtbot, view)
        assert unnamed_controls(dialog) == [], type(dialog).__name__
        dialog.reject()
        assert view.dialog is None
