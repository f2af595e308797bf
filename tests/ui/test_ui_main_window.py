"""The main window: the areas that exist, keyboard use, the menus, the status bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PARTNERSHIP, USER
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from ui_support import qt_quiet

from marac_desk import __version__
from marac_desk.services import audit
from marac_desk.services.session import OpenStore
from marac_desk.ui import main_window as main_window_module
from marac_desk.ui import store_actions
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.widgets import unnamed_controls

pytestmark = qt_quiet


@pytest.fixture
def window(qtbot, open_store: OpenStore) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(open_store)
    win.runner.progress_delay_ms = 0
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=10_000):
        win.show()
    return win


def test_navigation_lists_exactly_the_built_areas(window: MainWindow) -> None:
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == [
        "Dashboard",
        "Referrals",
        "Meetings",
        "Actions",
        "Reports",
        "People to review",
        "Audit trail",
        "Settings",
    ]
    assert window.stack.count() == 8
    assert window.current_area() == "dashboard"
    menu_titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menu_titles == ["File", "Go", "Help"]


def test_areas_follow_ctrl_number(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    shortcuts = {k: a.shortcut().toString() for k, a in window.area_actions.items()}
    assert shortcuts == {
        "dashboard": "Ctrl+1",
        "referrals": "Ctrl+2",
        "meetings": "Ctrl+3",
        "actions": "Ctrl+4",
        "reports": "Ctrl+5",
        "reviews": "Ctrl+6",
        "audit": "Ctrl+7",
        "settings": "Ctrl+8",
    }
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "settings"
    assert window.stack.currentWidget() is window.areas["settings"]
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "audit"
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "reports"
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "actions"
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "meetings"
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "referrals"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "dashboard"


def test_every_action_has_a_shortcut(window: MainWindow) -> None:
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        for action in menu.actions():
            if action.isSeparator():
                continue
            assert not action.shortcut().isEmpty(), action.text()
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    for key in window.area_keys():
        window.show_area(key)
    assert unnamed_controls(window) == []


def test_status_bar_and_title(window: MainWindow, open_store: OpenStore) -> None:
    assert window.partnership_label.text() == PARTNERSHIP
    assert window.profile_label.text() == f"Signed in: {USER}"
    assert window.file_label.text() == f"Store: {open_store.store.path.name}"
    assert window.marking_label.text() == "OFFICIAL-SENSITIVE"
    assert window.windowTitle() == f"MARAC Desk — {PARTNERSHIP}"
    assert "DEMO" not in window.windowTitle()


def test_about_shows_the_version(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.about_action.trigger()
    box = window.message_box
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    assert f"MARAC Desk {__version__}" in box.text()
    box.accept()


def test_backup_from_the_menu(qtbot, window: MainWindow, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "copies" / "backup"
    dest.parent.mkdir()
    monkeypatch.setattr(store_actions, "pick_save_file", lambda *a: dest)
    with qtbot.waitSignal(window.events.notice, timeout=20_000) as notice:
        window.backup_action.trigger()
    text, is_error = notice.args
    assert not is_error, text
    written = dest.with_suffix(".store")
    assert written.is_file()
    assert window.statusBar().currentMessage() == f"Backup written and verified: {written.name}"
    events = audit.list_events(window.opened.store, audit.AuditFilter(action="backup"))
    assert len(events) == 1


def test_backup_cancelled_in_the_picker_does_nothing(window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(store_actions, "pick_save_file", lambda *a: None)
    window.backup_action.trigger()
    assert not window.runner.busy


def test_integrity_check_reports_intact(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.events.notice, timeout=20_000):
        window.check_action.trigger()
    box = window.message_box
    assert isinstance(box, QMessageBox)
    assert "Store file: intact" in box.text()
    assert "Audit trail: intact" in box.text()
    assert box.icon() == QMessageBox.Icon.Information
    box.accept()


def test_adding_an_area_is_one_line(monkeypatch, qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    extra = main_window_module.AreaSpec("extra", "Extra", lambda ctx, parent: QLabel("x", parent))
    monkeypatch.setattr(main_window_module, "AREAS", (*main_window_module.AREAS, extra))
    win = MainWindow(open_store)
    qtbot.addWidget(win)
    assert win.area_keys() == [
        "dashboard",
        "referrals",
        "meetings",
        "actions",
        "reports",
        "reviews",
        "audit",
        "settings",
        "extra",
    ]
    assert win.area_actions["extra"].shortcut().toString() == "Ctrl+9"
    with qtbot.waitSignal(win.ready, timeout=10_000):
        win.show()
