"""The documents of a meeting from the GUI: opened from the Meetings area (Ctrl+D), the whole set
written into a folder and read back as a recipient would, never over existing files, minutes
approved and the approved copy saved, password-protected lists, every export in the audit
trail; and every agency's list of open actions from the Actions area (Ctrl+Shift+E)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from meetings_area_support import show_meetings
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from referral_support import ctrl, open_window
from ui_support import qt_quiet

from marac_desk.services import audit, meetings, minutes
from marac_desk.services.audit import AuditFilter
from marac_desk.services.session import OpenStore
from marac_desk.ui import documents_dialog
from marac_desk.ui.actions_view import ActionsView
from marac_desk.ui.documents_dialog import DocumentsDialog
from marac_desk.ui.meetings_view import MeetingsView
from marac_desk.ui.password_dialog import PasswordDialog
from marac_desk.ui.widgets import unnamed_controls
from tests.services.meeting_support import two_meetings

pytestmark = qt_quiet

PASSWORD = "river otter 91 lantern"
DAY = "2026-12-02"  # the second meeting of `two_meetings`, which gave Housing an action


@pytest.fixture
def meeting(open_store: OpenStore) -> int:
    _first, second, _reviewed = two_meetings(open_store)
    return second


@pytest.fixture
def folder_picker(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """The folder each QFileDialog.getExistingDirectory answers with, in turn; what was asked
    is kept in `asked`."""
    answers: list[Path | None] = []

    def pick(*_args: Any, **_kw: Any) -> str:
        answer = answers.pop(0)
        return "" if answer is None else str(answer)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick))
    return answers


@pytest.fixture
def file_picker(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    answers: list[Path] = []

    def pick(*args: Any, **_kw: Any) -> tuple[str, str]:
        return str(answers.pop(0)), args[4] if len(args) > 4 else ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(pick))
    return answers


def text_of(path: Path, password: str | None = None) -> str:
    reader = PdfReader(path)
    if password is not None:
        assert reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def open_documents(qtbot: Any, opened: OpenStore, meeting_id: int) -> DocumentsDialog:
    """The Meetings area with the meeting chosen, then Ctrl+D: the dialog, read and ready."""
    _win, view = show_meetings(qtbot, opened)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.reload(meeting_id=meeting_id)
    assert view.meeting_id == meeting_id
    view.schedule.setFocus()
    ctrl(qtbot, view.schedule, Qt.Key.Key_D)
    dialog = view.documents_dialog
    assert isinstance(dialog, DocumentsDialog)
    qtbot.waitUntil(lambda: dialog.data is not None and dialog.isVisible(), timeout=10_000)
    return dialog


def work(qtbot: Any, dialog: DocumentsDialog, action: Any) -> tuple[bool, str]:
    """Press something and wait for the dialog to say how it went."""
    with qtbot.waitSignal(dialog.worked, timeout=20_000) as blocker:
        action()
    ok, text = blocker.args
    assert text == dialog.message.text()
    return bool(ok), str(text)


def type_password(qtbot: Any, dialog: DocumentsDialog, first: str, again: str) -> PasswordDialog:
    pw = dialog.password_dialog
    assert isinstance(pw, PasswordDialog)
    qtbot.waitUntil(pw.isVisible, timeout=5_000)
    pw.first.setText(first)
    pw.second.setText(again)
    return pw


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_whole_set_from_the_meetings_area_and_never_over_it(
    qtbot: Any, open_store: OpenStore, meeting: int, tmp_path: Path, folder_picker: list[Any]
) -> None:
    dialog = open_documents(qtbot, open_store, meeting)
    assert unnamed_controls(dialog) == []
    assert "Not approved yet" in dialog.minutes_status.text()
    assert [dialog.agency_list.item(i).text() for i in range(dialog.agency_list.count())] == [
        "Housing — 1 action"
    ]
    assert not dialog.approved_button.isEnabled()

    out = tmp_path / "sent"
    out.mkdir()
    folder_picker.append(out)
    ok, text = work(qtbot, dialog, dialog.whole_set_button.click)
    assert ok, text
    names = [f"Agenda {DAY}.pdf", "Housing.pdf", f"Minutes {DAY} (draft).pdf"]
    assert sorted(p.name for p in out.iterdir()) == names
    assert str(out) in text and "DRAFT" in text and "Housing.pdf" in text
    assert "Nia New" in text_of(out / f"Agenda {DAY}.pdf")
    draft = text_of(out / f"Minutes {DAY} (draft).pdf")
    assert "DRAFT" in draft and "Sanctuary scheme" in draft
    housing = text_of(out / "Housing.pdf")
    assert "Sanctuary scheme" in housing
    assert "Serve DVPN" not in housing  # Police's action is not Housing's to see
    assert "Nia" not in housing  # case references only, the store's setting

    # The same folder again: refused, naming the file in the way; nothing new, nothing changed.
    before = snapshot(out)
    exported = len(audit.list_events(open_store.store, AuditFilter(action="export")))
    folder_picker.append(out)
    ok, text = work(qtbot, dialog, dialog.whole_set_button.click)
    assert not ok
    assert "already exists" in text and f"Agenda {DAY}.pdf" in text
    assert dialog.message.is_error
    assert snapshot(out) == before
    # ... and nothing was disclosed, so nothing new in the audit trail.
    assert len(audit.list_events(open_store.store, AuditFilter(action="export"))) == exported

    # A cancelled folder picker does nothing at all.
    folder_picker.append(None)
    dialog.whole_set_button.click()
    assert dialog.password_dialog is None and not dialog.busy


def test_approve_then_save_the_approved_minutes_and_the_set_sends_them(
    qtbot: Any,
    open_store: OpenStore,
    meeting: int,
    tmp_path: Path,
    folder_picker: list[Any],
    file_picker: list[Path],
) -> None:
    dialog = open_documents(qtbot, open_store, meeting)
    dialog.approve_button.click()
    approve = dialog.approve_dialog
    assert approve is not None
    qtbot.waitUntil(approve.isVisible, timeout=5_000)
    assert approve.approved_by.text() == "DI Shah"  # the chair, to start with
    assert unnamed_controls(approve) == []
    approve.on.setText("03/12/2026")
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        ok, text = work(qtbot, dialog, approve.ok_button.click)
    assert ok and "version 1" in text
    assert dialog.approve_dialog is None or not approve.isVisible()
    assert "Version 1 approved by DI Shah" in dialog.minutes_status.text()
    assert dialog.approved_button.isEnabled()
    assert minutes.state(open_store.store, meeting).approved_and_current

    target = tmp_path / "approved"  # no suffix typed: the filter's is added
    file_picker.append(target)
    ok, text = work(qtbot, dialog, dialog.approved_button.click)
    assert ok, text
    saved = tmp_path / "approved.pdf"
    assert str(saved) in text
    final = text_of(saved)
    assert "Approved by DI Shah" in final and "DRAFT" not in final

    # Saving over it is refused before anything is made.
    file_picker.append(saved)
    dialog.approved_button.click()
    assert dialog.message.is_error and "already exists" in dialog.message.text()

    out = tmp_path / "set"
    out.mkdir()
    folder_picker.append(out)
    ok, text = work(qtbot, dialog, dialog.whole_set_button.click)
    assert ok and "approved version 1" in text
    assert f"Minutes {DAY} (version 1).pdf" in {p.name for p in out.iterdir()}
    assert "Approved by DI Shah" in text_of(out / f"Minutes {DAY} (version 1).pdf")

    # The meeting changes: the approved version no longer matches; an earlier one is still
    # there to save exactly as issued, by choosing it.
    case_id = meetings.get_agenda(open_store.store, meeting).cases[0].id
    meetings.save_case_text(
        open_store.store, open_store.actor, case_id, "victim_voice", "Wants to move away"
    )
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.reload()
    assert "changed since version 1" in dialog.minutes_status.text()
    file_picker.append(tmp_path / "latest.pdf")
    ok, text = work(qtbot, dialog, dialog.approved_button.click)
    assert not ok and "changed since version 1" in text
    assert not (tmp_path / "latest.pdf").exists()
    dialog.version_choice.setCurrentIndex(dialog.version_choice.findData(1))
    file_picker.append(tmp_path / "v1.pdf")
    ok, _ = work(qtbot, dialog, dialog.approved_button.click)
    assert ok and (tmp_path / "v1.pdf").read_bytes() == saved.read_bytes()

    events = audit.list_events(open_store.store, AuditFilter(action="export"))
    said = [e.description for e in events]
    assert "minutes version 1" in said
    assert any(d.startswith("action list for Housing") for d in said)
    assert any(d.startswith("agenda PDF") for d in said)
    assert all("Nia" not in d for d in said)


def test_a_protected_set_needs_its_password_typed_twice(
    qtbot: Any, open_store: OpenStore, meeting: int, tmp_path: Path, folder_picker: list[Any]
) -> None:
    dialog = open_documents(qtbot, open_store, meeting)
    dialog.protect.setChecked(True)
    out = tmp_path / "locked"
    out.mkdir()
    folder_picker.append(out)
    dialog.whole_set_button.click()
    pw = type_password(qtbot, dialog, "short", "short")
    assert unnamed_controls(pw) == []
    pw.ok_button.click()
    assert pw.isVisible() and "at least 10" in pw.messages["first"].text()
    type_password(qtbot, dialog, PASSWORD, PASSWORD + "x")
    pw.ok_button.click()
    assert pw.isVisible() and "not the same" in pw.messages["second"].text()
    assert list(out.iterdir()) == []
    type_password(qtbot, dialog, PASSWORD, PASSWORD)
    fields: list[tuple[str, str]] = []
    pw.chosen.connect(lambda _p: fields.append((pw.first.text(), pw.second.text())))
    ok, text = work(qtbot, dialog, pw.ok_button.click)
    assert ok and "password" in text
    assert fields == [("", "")]  # cleared as soon as it was handed over
    assert dialog.password_dialog is None  # and the dialog is gone
    housing = PdfReader(out / "Housing.pdf")
    assert housing.is_encrypted
    with pytest.raises(Exception):  # noqa: B017 - pypdf will not read it without the password
        housing.pages[0].extract_text()
    assert "Sanctuary scheme" in text_of(out / "Housing.pdf", PASSWORD)
    assert PdfReader(out / f"Agenda {DAY}.pdf").is_encrypted
    assert PdfReader(out / f"Minutes {DAY} (draft).pdf").is_encrypted
    events = audit.list_events(open_store.store, AuditFilter(action="export"))
    assert any(
        "action list for Housing" in e.description and "password-protected" in e.description
        for e in events
    )
    assert all(PASSWORD not in e.description for e in events)


def test_every_agency_gets_its_own_open_actions_from_the_actions_area(
    qtbot: Any, open_store: OpenStore, tmp_path: Path, folder_picker: list[Any]
) -> None:
    two_meetings(open_store)
    win = open_window(qtbot, open_store)
    view = win.areas["actions"]
    assert isinstance(view, ActionsView)
    with qtbot.waitSignal(view.model.counted, timeout=10_000):
        win.show_area("actions")
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    view.table.setFocus()
    ctrl(qtbot, view.table, Qt.Key.Key_E, shift=True)
    dialog = view.documents_dialog
    assert isinstance(dialog, DocumentsDialog)
    qtbot.waitUntil(lambda: dialog.data is not None and dialog.isVisible(), timeout=10_000)
    assert not dialog.whole_set_button.isVisible() and not dialog.minutes_box.isVisible()
    assert [dialog.agency_list.item(i).text() for i in range(dialog.agency_list.count())] == [
        "Housing — 1 action",
        "Police — 1 action",
    ]
    assert unnamed_controls(dialog) == []

    # Nobody ticked: nothing to do, and the button says so by being unavailable.
    dialog.all_agencies.click()
    assert dialog.ticked_agencies() == [] and not dialog.lists_button.isEnabled()
    dialog.all_agencies.click()
    assert dialog.ticked_agencies() == ["Housing", "Police"]
    assert dialog.identify.currentData() == "case_ref"  # the store's setting
    assert dialog.identify_note.text() == documents_dialog.IDENTIFY_NOTES["case_ref"]
    dialog.identify.setCurrentIndex(dialog.identify.findData("initials"))
    assert "initials" in dialog.identify_note.text()
    out = tmp_path / "open"
    out.mkdir()
    folder_picker.append(out)
    ok, text = work(qtbot, dialog, dialog.lists_button.click)
    assert ok, text
    assert sorted(p.name for p in out.iterdir()) == ["Housing.pdf", "Police.pdf"]
    housing, police = text_of(out / "Housing.pdf"), text_of(out / "Police.pdf")
    assert "Sanctuary scheme" in housing and "Serve DVPN" not in housing
    assert "Serve DVPN" in police and "Sanctuary scheme" not in police
    assert "NN" in housing and "OO" in police  # the victims' initials, as chosen

    # One agency only, into a folder that already holds its list: refused, nothing written.
    dialog.agency_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.ticked_agencies() == ["Police"]
    before = snapshot(out)
    folder_picker.append(out)
    ok, text = work(qtbot, dialog, dialog.lists_button.click)
    assert not ok and "Police.pdf" in text
    assert snapshot(out) == before


def test_single_files_agenda_spreadsheet_and_calendar(
    qtbot: Any, open_store: OpenStore, meeting: int, tmp_path: Path, file_picker: list[Path]
) -> None:
    dialog = open_documents(qtbot, open_store, meeting)
    file_picker.append(tmp_path / "agenda.csv")
    ok, _ = work(qtbot, dialog, dialog.agenda_button.click)
    assert ok and "Nia" in (tmp_path / "agenda.csv").read_text(encoding="utf-8-sig")
    file_picker.append(tmp_path / "actions.xlsx")
    ok, _ = work(qtbot, dialog, dialog.table_button.click)
    assert ok and (tmp_path / "actions.xlsx").read_bytes()[:2] == b"PK"
    file_picker.append(tmp_path / "meetings.ics")
    ok, _ = work(qtbot, dialog, dialog.calendar_button.click)
    assert ok and (tmp_path / "meetings.ics").read_text(encoding="utf-8").startswith(
        "BEGIN:VCALENDAR"
    )
    file_picker.append(tmp_path / "draft.pdf")
    ok, _ = work(qtbot, dialog, dialog.draft_button.click)
    assert ok and "DRAFT" in text_of(tmp_path / "draft.pdf")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "actions.xlsx",
        "agenda.csv",
        "draft.pdf",
        "meetings.ics",
    ]  # and nothing else: no temporary files left behind


def test_the_documents_button_follows_the_chosen_meeting(
    qtbot: Any, open_store: OpenStore, meeting: int
) -> None:
    _win, view = show_meetings(qtbot, open_store)
    assert isinstance(view, MeetingsView)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.reload(meeting_id=meeting)
    assert view.documents_button.isEnabled()
    assert "Ctrl+D" in view.documents_button.toolTip()


def test_a_meeting_without_actions_has_no_lists_to_send(
    qtbot: Any, open_store: OpenStore, meeting: int, tmp_path: Path, folder_picker: list[Any]
) -> None:
    later = meetings.find_meeting(open_store.store, "2026-12-09").id
    dialog = open_documents(qtbot, open_store, later)
    assert dialog.agency_list.count() == 0
    assert "No agency has actions" in dialog.lists_note.text()
    assert not dialog.lists_button.isEnabled() and not dialog.all_agencies.isEnabled()
    out = tmp_path / "later"
    out.mkdir()
    folder_picker.append(out)
    ok, text = work(qtbot, dialog, dialog.whole_set_button.click)
    assert ok, text
    assert sorted(p.name for p in out.iterdir()) == [
        "Agenda 2026-12-09.pdf",
        "Minutes 2026-12-09 (draft).pdf",
    ]
