"""The live meeting, driven from the keyboard the way a coordinator types while the room talks:
statement and attendance, the review of outstanding actions, two cases (notes as fact or
opinion, the victim's voice, risks, actions, timer, outcome), the closing — then the window is
opened again and everything typed is there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QRadioButton
from referral_support import TODAY, days_ago, make_referral
from store_support import cache_key_derivation
from ui_support import qt_quiet

from marac_desk.services import actions, meetings, panels
from marac_desk.services.actions import ActionInput
from marac_desk.services.session import OpenStore
from marac_desk.ui import live_common
from marac_desk.ui.area import AppEvents, AreaContext
from marac_desk.ui.live_meeting import LiveMeetingWindow
from marac_desk.ui.referral_text import long_date
from marac_desk.ui.tasks import TaskRunner
from marac_desk.ui.widgets import unnamed_controls

pytestmark = qt_quiet

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@dataclass(frozen=True)
class LiveSetup:
    meeting_id: int
    earlier_meeting_id: int
    next_meeting: date
    earlier_case: int
    repeat_case: int  # first on today's list
    new_case: int
    review_actions: tuple[int, int, int]  # Police, Housing, Probation


def build_meeting(opened: OpenStore) -> LiveSetup:
    """A panel meeting today with a repeat and a new case, after a meeting two weeks ago that
    left three actions open."""
    s, a = opened.store, opened.actor
    pid = panels.save_panel(s, a, panels.PanelConfig(id=None, name="Northtown MARAC"))
    earlier = meetings.add_meeting(s, a, pid, days_ago(14))
    today = meetings.add_meeting(s, a, pid, TODAY)
    meetings.add_meeting(s, a, pid, TODAY + timedelta(days=7))
    dob, perp_dob = date(1991, 5, 12), date(1989, 2, 3)
    first = make_referral(
        opened, "Amira", "Haddad", dob, on=days_ago(40), perpetrator=("Sami", "Haddad", perp_dob)
    )
    earlier_case = meetings.add_case(s, a, earlier, first.id)
    meetings.start_meeting(s, a, earlier, time(9, 30))
    review = (
        actions.add_action(
            s,
            a,
            earlier_case,
            ActionInput("Police", "Arrest on the outstanding warrant", due_date=days_ago(2)),
        ),
        actions.add_action(
            s,
            a,
            earlier_case,
            ActionInput("Housing", "Fit a door chain and new locks", due_date=days_ago(1)),
        ),
        actions.add_action(
            s,
            a,
            earlier_case,
            ActionInput("Probation", "Review licence conditions", due_date=TODAY),
        ),
    )
    meetings.set_outcome(s, a, earlier_case, "heard_open")
    repeat = make_referral(
        opened,
        "Amira",
        "Haddad",
        dob,
        on=days_ago(6),
        perpetrator=("Sami", "Haddad", perp_dob),
        victim_id=first.victim_id,
        perpetrator_id=first.perpetrator_ids[0],
    )
    assert repeat.is_repeat
    new = make_referral(opened, "Beth", "Morgan", date(1985, 9, 30), on=days_ago(7), agency="IDVA")
    repeat_case = meetings.add_case(s, a, today, repeat.id)
    new_case = meetings.add_case(s, a, today, new.id)
    return LiveSetup(
        today, earlier, TODAY + timedelta(days=7), earlier_case, repeat_case, new_case, review
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


def open_live(
    qtbot: Any, opened: OpenStore, meeting_id: int, clock: FakeClock
) -> LiveMeetingWindow:
    ctx = AreaContext(opened, TaskRunner(), AppEvents())
    win = LiveMeetingWindow(ctx, meeting_id, clock=clock)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    return win


def focused() -> Any:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def key(qtbot: Any, k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), k, mod)


def alt(qtbot: Any, letter: str) -> None:
    key(qtbot, getattr(Qt.Key, f"Key_{letter}"), ALT)


def type_text(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def saved(qtbot: Any, win: LiveMeetingWindow) -> None:
    """Wait until the debounced saves have run."""
    qtbot.waitUntil(lambda: not win.hub.pending, timeout=5_000)
    assert win.hub.state == "saved", win.hub.text


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


@pytest.fixture
def setup(open_store: OpenStore) -> LiveSetup:
    return build_meeting(open_store)


@pytest.fixture
def no_questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def confirm(_parent: object, title: str, _text: str) -> bool:
        asked.append(title)
        return True

    monkeypatch.setattr(live_common, "confirm", confirm)
    return asked


def test_a_whole_meeting_by_keyboard_is_kept(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup, no_questions: list[str]
) -> None:
    s = open_store.store
    clock = FakeClock()
    win = open_live(qtbot, open_store, setup.meeting_id, clock)
    opening = win.opening
    assert win.current_page is opening
    assert unnamed_controls(win) == []

    # ----- the statement, the header, the start ---------------------------------------------
    assert focused() is opening.statement_read
    alt(qtbot, "R")
    assert meetings.meeting_details(s, setup.meeting_id).confidentiality_read
    alt(qtbot, "C")
    type_text(qtbot, "DI Rezan Ahmadi")
    alt(qtbot, "M")  # leaving the chair's field saves it at once
    assert meetings.meeting_details(s, setup.meeting_id).chair == "DI Rezan Ahmadi"
    type_text(qtbot, "Sam Coordinator")
    saved(qtbot, win)
    assert meetings.meeting_details(s, setup.meeting_id).minute_taker == "Sam Coordinator"
    alt(qtbot, "T")
    started = meetings.meeting_details(s, setup.meeting_id).meeting
    assert started.status == "held" and started.start_time is not None
    assert "started" in win.header.text()

    # ----- attendance and the quorum line ------------------------------------------------
    assert focused() is opening.agency
    assert opening.quorum_line.text().startswith("⚠ Not quorate")
    type_text(qtbot, "Police")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "DS Reid")
    key(qtbot, Qt.Key.Key_Return)
    assert opening.quorum_line.text() == (
        "⚠ Not quorate: IDVA is not present; 1 agency present where at least 3 are needed."
    )
    assert focused() is opening.agency

    type_text(qtbot, "Housing")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "J Patel")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "A")  # Apologies
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is opening.info_sent
    key(qtbot, Qt.Key.Key_Space)
    assert opening.info_sent_on.text() == date.today().strftime("%d/%m/%Y")
    key(qtbot, Qt.Key.Key_Return)

    type_text(qtbot, "Education")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "A visiting student")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "O")  # Observer
    key(qtbot, Qt.Key.Key_Return)
    assert opening.f_signed.message.is_error
    assert "sign the confidentiality statement" in opening.f_signed.message.text()
    assert focused() is opening.signed
    assert len(meetings.list_attendance(s, setup.meeting_id)) == 2  # not added
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_Return)
    assert not opening.f_signed.message.isVisible()

    for agency, person in (("IDVA", "K Owusu"), ("Ch", "M Li")):
        type_text(qtbot, agency)
        key(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, person)
        key(qtbot, Qt.Key.Key_Return)
    assert opening.quorum_line.text() == (
        "✓ Quorate: 3 agencies present, including Police and IDVA."
    )
    register = {
        (
            r.agency,
            r.person_name,
            r.status,
            r.information_sent,
            r.information_sent_on,
            r.statement_signed,
        )
        for r in meetings.list_attendance(s, setup.meeting_id)
    }
    assert register == {
        ("Police", "DS Reid", "present", False, None, False),
        ("Housing", "J Patel", "apologies", True, date.today(), False),
        ("Education", "A visiting student", "observer", False, None, True),
        ("IDVA", "K Owusu", "present", False, None, False),
        ("Children's Social Care", "M Li", "present", False, None, False),
    }
    assert opening.table.rowCount() == 5

    # ----- the review of outstanding actions --------------------------------------------
    key(qtbot, Qt.Key.Key_PageDown)
    review = win.review
    assert win.current_page is review and focused() is review.table
    assert [r.id for r in review.rows] == list(setup.review_actions)
    assert review.current_action().id == setup.review_actions[0]
    key(qtbot, Qt.Key.Key_C)  # completed
    assert review.current_action().id == setup.review_actions[1]
    key(qtbot, Qt.Key.Key_U)  # not undertaken: a note is needed
    assert review.f_note.message.text() == "Say why the agency did not undertake the action."
    assert focused() is review.note
    type_text(qtbot, "No contractor available until next month")
    key(qtbot, Qt.Key.Key_Return)
    assert review.current_action().id == setup.review_actions[2]
    key(qtbot, Qt.Key.Key_F)  # carried forward: a new date is needed
    assert review.f_due.message.text() == "Give the new due date to carry the action forward to."
    assert focused() is review.new_due
    new_due = TODAY + timedelta(days=21)
    type_text(qtbot, new_due.strftime("%d/%m/%Y"))
    key(qtbot, Qt.Key.Key_Return)
    outcomes = actions.reviewed_at(s, setup.meeting_id)
    assert {i: (u.status, u.note, u.new_due_date) for i, u in outcomes.items()} == {
        setup.review_actions[0]: ("completed", "", None),
        setup.review_actions[1]: (
            "not_undertaken",
            "No contractor available until next month",
            None,
        ),
        setup.review_actions[2]: ("carried_forward", "", new_due),
    }
    assert review.count.text() == "3 of 3 reviewed"
    assert win.sidebar.item(1).text() == "Outstanding actions (3/3 reviewed)"

    # ----- the first case: a repeat ------------------------------------------------------
    key(qtbot, Qt.Key.Key_PageDown)
    page = win.case_page
    assert win.current_page is page and page.case_id == setup.repeat_case
    assert page.badge.text().startswith("REPEAT — previous referral")
    assert page.previous_group.isVisible()
    assert page.previous.topLevelItemCount() == 1
    assert unnamed_controls(win) == []
    # The referring agency (Police) is offered for the first note: Enter adds it.
    assert focused() is page.note_agency and page.note_agency.currentText() == "Police"
    key(qtbot, Qt.Key.Key_Return)
    police_note = page.note_editors[0]
    assert focused() is police_note.text
    type_text(qtbot, "Three call-outs since June; bail conditions breached twice.")
    alt(qtbot, "N")
    type_text(qtbot, "IDVA")
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is page.note_kind
    key(qtbot, Qt.Key.Key_O)
    assert page.note_kind.text() == "OPINION"
    key(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, "Her fear is escalating; she minimises the risk.")
    alt(qtbot, "V")
    type_text(qtbot, "She wants the locks changed and to stay in her home.")
    alt(qtbot, "R")
    risks = (
        "Threats to kill",
        "Two children witnessed the assault",
        "His brother is intimidating neighbours",
        "Aggressive towards the housing officer",
    )
    for i, text in enumerate(risks):
        if i:
            key(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, text)
    # Two actions, typed: Enter saves each and the row is ready for the next.
    alt(qtbot, "A")
    assert focused() is page.owner
    type_text(qtbot, "Housing")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "J Patel")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Fit target hardening to the front door")
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is page.owner and page.action_text.text() == ""
    type_text(qtbot, "Police")
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Place a warning marker on the address")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Threats to kill")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "P")  # Perpetrator disruption
    key(qtbot, Qt.Key.Key_Return)
    default_due = TODAY + timedelta(days=28)
    assert [
        (r.owner_agency, r.owner_person, r.text, r.linked_risk, r.category, r.due_date)
        for r in actions.actions_of_case(s, setup.repeat_case)
    ] == [
        ("Housing", "J Patel", "Fit target hardening to the front door", "", "other", default_due),
        (
            "Police",
            "",
            "Place a warning marker on the address",
            "Threats to kill",
            "perpetrator_disruption",
            default_due,
        ),
    ]
    assert page.actions_table.rowCount() == 2
    assert unnamed_controls(win) == []  # the notes added since are named too

    # The timer: started and paused with Ctrl+T, a warning in words once over time.
    key(qtbot, Qt.Key.Key_T, CTRL)
    assert page.timer.running
    clock.now += 16 * 60 + 5
    qtbot.waitUntil(lambda: "Over time by 01:05" in page.timer_state.text(), timeout=5_000)
    assert page.timer_label.text() == "⚠ 16:05 / 15:00"
    key(qtbot, Qt.Key.Key_T, CTRL)
    assert not page.timer.running
    assert meetings.get_case_sheet(s, setup.repeat_case).case.elapsed_seconds == 965

    # The outcome: deferred needs a reason, and the case cannot be left without one.
    alt(qtbot, "U")
    assert isinstance(focused(), QRadioButton)
    key(qtbot, Qt.Key.Key_4)
    assert page.f_reason.message.text() == "Say why the case is deferred."
    assert focused() is page.reason
    key(qtbot, Qt.Key.Key_PageDown)
    assert win.current_page is page and page.case_id == setup.repeat_case
    assert win.notice.text() == "Say why the case is deferred."
    type_text(qtbot, "Referring officer not present")
    key(qtbot, Qt.Key.Key_Return)
    assert "deferred" in win.sidebar.item(2).text()
    saved(qtbot, win)

    # ----- the second case: new ----------------------------------------------------------
    key(qtbot, Qt.Key.Key_PageDown)
    assert page.case_id == setup.new_case
    assert page.badge.text() == "NEW"
    assert not page.previous_group.isVisible()
    assert page.note_agency.currentText() == "IDVA"
    key(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, "Engaging well; safety plan agreed.")
    alt(qtbot, "V")
    type_text(qtbot, "I just want him to stop contacting me.")
    alt(qtbot, "R")
    type_text(qtbot, "Stalking at work")
    alt(qtbot, "A")
    for owner, text in (
        ("Police", "Serve a stalking protection order"),
        ("IDVA", "Refer to the workplace scheme"),
    ):
        type_text(qtbot, owner)
        key(qtbot, Qt.Key.Key_Tab)
        key(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, text)
        key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_T, CTRL)
    clock.now += 300
    alt(qtbot, "U")
    key(qtbot, Qt.Key.Key_2)  # heard and closed: saved at once
    assert meetings.get_case_sheet(s, setup.new_case).case.outcome == "heard_closed"
    assert "heard, closed" in win.sidebar.item(3).text()

    # ----- the closing -------------------------------------------------------------------
    key(qtbot, Qt.Key.Key_PageDown)  # leaving the case writes its running timer
    assert meetings.get_case_sheet(s, setup.new_case).case.elapsed_seconds == 300
    closing = win.closing
    assert win.current_page is closing
    assert closing.next_meeting.text() == f"Next meeting: {long_date(setup.next_meeting)}"
    assert "1 heard and closed" in closing.summary.text()
    assert "4 actions agreed" in closing.summary.text()
    alt(qtbot, "B")
    type_text(qtbot, "Training on the new risk checklist next month.")
    alt(qtbot, "F")
    details = meetings.meeting_details(s, setup.meeting_id)
    assert details.any_other_business == "Training on the new risk checklist next month."
    assert details.end_time is not None
    assert win.hub.slowest_ms < 250, win.hub.slowest_ms  # saves never hold up typing

    key(qtbot, Qt.Key.Key_W, CTRL)
    assert not win.isVisible()
    assert no_questions == []

    # ----- opened again: everything is there ---------------------------------------------
    again = open_live(qtbot, open_store, setup.meeting_id, FakeClock())
    o = again.opening
    assert o.statement_read.isChecked()
    assert (o.chair.text(), o.minute_taker.text()) == ("DI Rezan Ahmadi", "Sam Coordinator")
    assert o.table.rowCount() == 5
    assert o.quorum_line.text().startswith("✓ Quorate")
    texts = {o.table.item(r, 2).text() for r in range(5)}
    assert f"Apologies — information sent {long_date(date.today())}" in texts
    again.go(1)
    assert [again.review.table.item(r, 5).text()[:2] for r in range(3)] == ["✓ "] * 3
    assert again.go_to_case(setup.repeat_case)
    p = again.case_page
    assert [(e.agency, e.kind.kind, e.text.toPlainText()) for e in p.note_editors] == [
        ("Police", "fact", "Three call-outs since June; bail conditions breached twice."),
        ("IDVA", "opinion", "Her fear is escalating; she minimises the risk."),
    ]
    assert p.voice.toPlainText() == "She wants the locks changed and to stay in her home."
    assert tuple(e.toPlainText() for e in p.risk_edits.values()) == risks
    assert p.actions_table.rowCount() == 2
    assert p.chosen_outcome() == "deferred"
    assert p.reason.text() == "Referring officer not present"
    assert p.timer_label.text() == "⚠ 16:05 / 15:00"
    again.next_page()
    assert p.case_id == setup.new_case
    assert p.timer_label.text() == "05:00 / 15:00"
    assert p.chosen_outcome() == "heard_closed"
    assert p.actions_table.rowCount() == 2
    again.next_page()
    assert again.closing.aob.toPlainText() == "Training on the new risk checklist next month."
    assert again.closing.end_time.text() == details.end_time.strftime("%H:%M")


# ----- saving as typed ----------------------------------------------------------------------------


def _at_case(
    qtbot: Any, opened: OpenStore, setup: LiveSetup, clock: FakeClock | None = None
) -> LiveMeetingWindow:
    win = open_live(qtbot, opened, setup.meeting_id, clock or FakeClock())
    assert win.go_to_case(setup.repeat_case)
    return win


def test_typing_is_saved_when_it_pauses_and_at_once_when_focus_leaves(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup
) -> None:
    s = open_store.store
    win = _at_case(qtbot, open_store, setup)
    page = win.case_page
    alt(qtbot, "V")
    type_text(qtbot, "She is afraid")
    assert win.hub.state == "pending" and win.save_state.text() == "Saving…"
    assert meetings.get_case_sheet(s, setup.repeat_case).victim_voice == ""  # not yet
    with qtbot.waitSignal(win.hub.saved, timeout=5_000):
        pass
    assert meetings.get_case_sheet(s, setup.repeat_case).victim_voice == "She is afraid"
    assert win.save_state.text().startswith("✓ Saved")

    alt(qtbot, "R")
    type_text(qtbot, "Threats to kill")
    key(qtbot, Qt.Key.Key_Tab)  # focus leaves: saved now, not after the pause
    assert meetings.get_case_sheet(s, setup.repeat_case).risks_to_victim == "Threats to kill"
    assert not win.hub.pending
    # The linked-risk choices offer what was typed under the risks.
    choices = [page.linked_risk.itemText(i) for i in range(page.linked_risk.count())]
    assert choices[0] == "Threats to kill"


def test_a_save_that_fails_says_so_and_is_retried(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = open_store.store
    win = _at_case(qtbot, open_store, setup)
    real = meetings.save_case_text

    def broken(*_args: object, **_kw: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(meetings, "save_case_text", broken)
    alt(qtbot, "V")
    type_text(qtbot, "Wants to move")
    qtbot.waitUntil(lambda: win.hub.state == "error", timeout=5_000)
    assert win.save_state.text() == "⚠ Not saved: an unexpected error (OSError)"
    key(qtbot, Qt.Key.Key_PageDown)  # what is typed stays on screen until it is saved
    assert win.case_page.case_id == setup.repeat_case
    assert win.notice.text() == (
        "⚠ Not saved: an unexpected error (OSError) — stay on this page until it is saved."
    )
    monkeypatch.setattr(meetings, "save_case_text", real)
    type_text(qtbot, " away")  # the next keystroke (or the retry a little later) saves it
    saved(qtbot, win)
    assert meetings.get_case_sheet(s, setup.repeat_case).victim_voice == "Wants to move away"
    key(qtbot, Qt.Key.Key_PageDown)
    assert win.case_page.case_id == setup.new_case


def test_an_action_is_saved_as_it_is_typed_edited_and_taken_back(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = open_store.store
    win = _at_case(qtbot, open_store, setup)
    page = win.case_page
    alt(qtbot, "A")
    type_text(qtbot, "IDVA")
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Refer to the sanctuary scheme")
    saved(qtbot, win)  # the pause saved it: an action with an owner and text exists
    (row,) = actions.actions_of_case(s, setup.repeat_case)
    assert (row.owner_agency, row.text) == ("IDVA", "Refer to the sanctuary scheme")
    assert page.actions_table.item(0, 6).text() == "✎ being typed"
    type_text(qtbot, " today")
    saved(qtbot, win)
    assert actions.actions_of_case(s, setup.repeat_case)[0].text == (
        "Refer to the sanctuary scheme today"
    )
    key(qtbot, Qt.Key.Key_Escape)  # Escape takes the action being typed back
    assert actions.actions_of_case(s, setup.repeat_case) == []
    assert page.action_text.text() == "" and focused() is page.owner

    # An owner is required: Enter with none says so beside the owner.
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Visit the victim at home")
    key(qtbot, Qt.Key.Key_Return)
    assert page.f_owner.message.text() == "Every action needs an owner agency."
    assert focused() is page.owner
    type_text(qtbot, "Police")
    key(qtbot, Qt.Key.Key_Return)
    (row,) = actions.actions_of_case(s, setup.repeat_case)
    assert (row.owner_agency, row.text) == ("Police", "Visit the victim at home")

    # Edited from the list: Enter loads it, changes save as typed, Enter finishes.
    alt(qtbot, "L")
    page.actions_table.setCurrentCell(0, 0)
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is page.action_text and page.action_text.text() == row.text
    type_text(qtbot, " with the IDVA")
    saved(qtbot, win)
    assert actions.actions_of_case(s, setup.repeat_case)[0].text == (
        "Visit the victim at home with the IDVA"
    )
    key(qtbot, Qt.Key.Key_Return)
    assert page.action_text.text() == ""

    # Deleted from the list after a question.
    answers = [False, True]
    monkeypatch.setattr(live_common, "confirm", lambda *_a: answers.pop(0))
    alt(qtbot, "L")
    page.actions_table.setCurrentCell(0, 0)
    key(qtbot, Qt.Key.Key_Delete)
    assert len(actions.actions_of_case(s, setup.repeat_case)) == 1  # answered no
    key(qtbot, Qt.Key.Key_Delete)
    assert actions.actions_of_case(s, setup.repeat_case) == []


def test_a_running_timer_is_written_every_half_minute(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup
) -> None:
    clock = FakeClock()
    win = _at_case(qtbot, open_store, setup, clock)
    key(qtbot, Qt.Key.Key_T, CTRL)
    assert win.case_page.timer_state.text() == "running"
    clock.now += 31
    qtbot.waitUntil(
        lambda: (
            meetings.get_case_sheet(open_store.store, setup.repeat_case).case.elapsed_seconds == 31
        ),
        timeout=5_000,
    )
    assert win.case_page.timer.running  # still running: written, not stopped


def test_closing_saves_what_is_waiting_and_asks_about_a_half_typed_action(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = open_store.store
    win = _at_case(qtbot, open_store, setup)
    page = win.case_page
    key(qtbot, Qt.Key.Key_Return)  # the Police note
    type_text(qtbot, "Bail conditions breached")
    alt(qtbot, "A")
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Check CCTV")  # no owner yet: cannot be an action
    key(qtbot, Qt.Key.Key_PageDown)  # moving on keeps it for when the case comes back
    assert page.case_id == setup.new_case and page.action_text.text() == ""
    key(qtbot, Qt.Key.Key_PageUp)
    assert page.case_id == setup.repeat_case and page.action_text.text() == "Check CCTV"
    assert [n.text for n in meetings.get_case_sheet(s, setup.repeat_case).agency_notes] == [
        "Bail conditions breached"
    ]
    alt(qtbot, "V")
    type_text(qtbot, "Scared")

    asked: list[str] = []
    monkeypatch.setattr(live_common, "confirm", lambda _p, _t, text: asked.append(text) or False)
    key(qtbot, Qt.Key.Key_W, CTRL)
    assert win.isVisible()  # answered "no": still open
    assert asked == [
        "An action is half typed: it needs an owner agency and its text.\n\n"
        "Close the live meeting anyway?"
    ]
    assert meetings.get_case_sheet(s, setup.repeat_case).victim_voice == "Scared"


def test_the_window_closes_and_saves_when_the_main_window_closes(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup
) -> None:
    from PySide6.QtWidgets import QMainWindow

    main = QMainWindow()
    qtbot.addWidget(main)
    main.show()
    ctx = AreaContext(open_store, TaskRunner(), AppEvents())
    win = LiveMeetingWindow(ctx, setup.meeting_id, main, clock=FakeClock())
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    win.go_to_case(setup.repeat_case)
    alt(qtbot, "V")
    type_text(qtbot, "Typed just before the lock")
    main.close()  # an idle lock closes the main window before the store
    assert not win.isVisible()
    sheet = meetings.get_case_sheet(open_store.store, setup.repeat_case)
    assert sheet.victim_voice == "Typed just before the lock"


def test_the_list_of_pages_can_be_browsed_without_leaving_it(
    qtbot: Any, open_store: OpenStore, setup: LiveSetup
) -> None:
    win = open_live(qtbot, open_store, setup.meeting_id, FakeClock())
    key(qtbot, Qt.Key.Key_G, CTRL)
    assert focused() is win.sidebar
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)
    assert win.current_page is win.case_page and win.case_page.case_id == setup.repeat_case
    assert focused() is win.sidebar  # browsing does not pull the cursor away
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is win.case_page.note_agency
    hints = win.hints.text()
    for shortcut in ("Ctrl+T", "Alt+N", "Alt+V", "Alt+R", "Alt+A", "Alt+U", "PageDown"):
        assert shortcut in hints
    assert [win.sidebar.item(i).text() for i in range(win.sidebar.count())] == [
        "Opening — statement, attendance",
        "Outstanding actions (0/3 reviewed)",
        f"1. {win.agenda_cases[0].case_ref} · Amira Haddad · repeat",
        f"2. {win.agenda_cases[1].case_ref} · Beth Morgan",
        "Closing — AOB, finish",
    ]
