"""The settings area: saving with validation and audit, the store file, user profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PASSPHRASE, USER
from PySide6.QtCore import Qt
from ui_support import qt_quiet

from marac_desk.db import errors
from marac_desk.db.store import Store
from marac_desk.services import audit, settings, users
from marac_desk.services.session import OpenStore
from marac_desk.ui import store_actions
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.settings_view import SettingsView

pytestmark = qt_quiet

NEW_PASSPHRASE = "copper meadow bicycle 19 gently"


@pytest.fixture
def window(qtbot, open_store: OpenStore) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(open_store)
    win.runner.progress_delay_ms = 0
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=10_000):
        win.show()
    return win


@pytest.fixture
def view(window: MainWindow) -> SettingsView:
    widget = window.show_area("settings")
    assert isinstance(widget, SettingsView)
    return widget


def test_shows_the_stored_values(view: SettingsView, open_store: OpenStore) -> None:
    assert view.partnership.text() == settings.get(open_store.store, "partnership_name")
    assert view.marking.currentText() == "OFFICIAL-SENSITIVE"
    assert view.auto_lock.value() == 10
    assert view.auto_lock.suffix() == " minutes"
    assert view.location.text() == str(open_store.store.path)


def test_save_round_trip_is_audited(
    qtbot, view: SettingsView, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    view.partnership.setText("  Southmoor   Safeguarding Partnership ")
    view.marking.setCurrentText("OFFICIAL")
    view.auto_lock.setValue(25)
    with qtbot.waitSignal(window.events.settings_changed, timeout=5_000):
        view.save_button.click()

    assert view.save_message.text() == "Settings saved."
    stored = settings.get_all(open_store.store)
    assert {
        k: stored[k] for k in ("partnership_name", "protective_marking", "auto_lock_minutes")
    } == {
        "partnership_name": "Southmoor   Safeguarding Partnership",
        "protective_marking": "OFFICIAL",
        "auto_lock_minutes": 25,
    }
    changed = {
        ev.entity_id
        for ev in audit.list_events(open_store.store, audit.AuditFilter(entity="setting"))
        if ev.description.endswith("changed")
    }
    assert {"protective_marking", "auto_lock_minutes"} <= changed
    # The rest of the window follows at once.
    assert window.partnership_label.text() == "Southmoor   Safeguarding Partnership"
    assert window.marking_label.text() == "OFFICIAL"
    assert "Southmoor" in window.windowTitle()


def test_empty_marking_is_refused_next_to_the_field(
    view: SettingsView, open_store: OpenStore
) -> None:
    before = audit.count_events(open_store.store)
    view.marking.setCurrentText("   ")
    view.auto_lock.setValue(30)
    view.save_button.click()
    assert view.marking_message.isVisible() and view.marking_message.is_error
    assert view.marking_message.text() == "The protective marking cannot be empty."
    assert not view.partnership_message.isVisible()
    assert "Nothing was saved" in view.save_message.text()
    assert settings.get(open_store.store, "auto_lock_minutes") == 10
    assert audit.count_events(open_store.store) == before


def test_add_and_deactivate_profiles(view: SettingsView, open_store: OpenStore) -> None:
    view.new_profile_name.setText("Alex Deputy")
    view.new_profile_role.setCurrentIndex(view.new_profile_role.findData("deputy"))
    view.add_button.click()
    assert view.add_message.text() == "Profile added: Alex Deputy"
    names = [view.profile_model.cell(r, 0) for r in range(view.profile_model.rowCount())]
    assert names == ["Alex Deputy", f"{USER}  (you)"]
    assert view.profile_model.cell(0, 1) == "Deputy coordinator"

    view.new_profile_name.setText(
        "alex   deputy ".replace("alex", "Alex").replace("deputy", "Deputy")
    )
    view.add_button.click()
    assert view.add_message.is_error
    assert view.add_message.text() == "A user profile with that name already exists."

    view.profile_table.selectRow(0)
    assert view.toggle_button.text() == "&Deactivate"
    view.toggle_button.click()
    assert view.profile_model.cell(0, 2) == "Deactivated"
    assert [p.name for p in users.list_profiles(open_store.store)] == [USER]
    assert view.toggle_button.text() == "&Reactivate"
    view.toggle_button.click()
    assert view.profile_model.cell(0, 2) == "Active"

    view.profile_table.selectRow(1)
    view.toggle_button.click()
    assert (
        view.profile_message.text() == "You cannot deactivate the profile you are signed in with."
    )


def test_back_up_now(qtbot, view: SettingsView, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "weekly.store"
    monkeypatch.setattr(store_actions, "pick_save_file", lambda *a: dest)
    view.backup_button.click()
    qtbot.waitUntil(view.store_message.isVisible, timeout=20_000)
    assert "Backup written and verified" in view.store_message.text()
    assert dest.is_file()
    # The backup opens with the store's passphrase.
    Store.unlock(dest, PASSPHRASE).close()


def test_change_passphrase(qtbot, view: SettingsView, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    view.passphrase_button.click()
    dialog = view.passphrase_dialog
    assert dialog is not None and dialog.isVisible()

    dialog.passphrase.setText("short")
    dialog.confirmation.setText("short")
    dialog.ok_button.click()
    assert dialog.passphrase_message.is_error and "at least 12" in dialog.passphrase_message.text()
    assert dialog.passphrase.text() == "" and dialog.confirmation.text() == ""

    dialog.passphrase.setText(NEW_PASSPHRASE)
    dialog.confirmation.setText(NEW_PASSPHRASE + "!")
    dialog.ok_button.click()
    assert dialog.confirmation_message.text() == "The two passphrases do not match."

    dialog.passphrase.setText(NEW_PASSPHRASE)
    dialog.confirmation.setText(NEW_PASSPHRASE)
    dialog.ok_button.click()
    qtbot.waitUntil(view.store_message.isVisible, timeout=30_000)
    assert view.store_message.text().startswith("Passphrase changed."), view.store_message.text()
    assert view.passphrase_dialog is None  # closed (and deleted)

    rekeys = audit.list_events(open_store.store, audit.AuditFilter(action="rekey"))
    assert len(rekeys) == 1
    path = open_store.store.path
    open_store.store.close()
    with pytest.raises(errors.WrongPassphrase):
        Store.unlock(path, PASSPHRASE)
    Store.unlock(path, NEW_PASSPHRASE).close()


def test_meeting_settings_keep_a_long_statement_and_the_identification(
    qtbot, view: SettingsView, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    assert view.statement.toPlainText() == settings.CONFIDENTIALITY_STATEMENT
    statement = "Our protocol's own wording. " * 40  # longer than any one-line setting
    view.statement.setPlainText(statement)
    view.action_days.setValue(21)
    view.identify.setCurrentIndex(view.identify.findData("initials"))
    qtbot.mouseClick(view.meetings_save, Qt.MouseButton.LeftButton)
    assert view.meetings_message.text() == "Meeting settings saved."
    values = settings.get_all(open_store.store)
    assert values["confidentiality_statement"] == statement.strip()
    assert values["action_due_days"] == 21
    assert values["action_list_identify"] == "initials"

    view.statement.setPlainText("x" * 4001)
    qtbot.mouseClick(view.meetings_save, Qt.MouseButton.LeftButton)
    assert "at most 4000 characters" in view.statement_message.text()
    assert settings.get(open_store.store, "confidentiality_statement") == statement.strip()
