"""Idle auto-lock and Lock now: the window goes, the key is dropped, the unlock dialog returns."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog
from ui_support import (  # noqa: F401 - fixtures
    controller_fixture,
    locked_store_fixture,
    qt_quiet,
    unlock_through_dialog,
)

from marac_desk.services import audit
from marac_desk.services.session import unlock_store
from marac_desk.ui.app import AppController
from marac_desk.ui.main_window import MainWindow

pytestmark = qt_quiet


def _sign_outs(path: Path, reason: str, app_paths) -> int:  # type: ignore[no-untyped-def]
    from conftest import PASSPHRASE

    store = unlock_store(path, PASSPHRASE, paths=app_paths)
    try:
        events = audit.list_events(store, audit.AuditFilter(action="sign_out"))
        return sum(1 for ev in events if ev.description == reason)
    finally:
        store.close()


def test_idle_locks_and_unlocking_reopens(
    qtbot, controller: AppController, locked_store: Path, app_paths
) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    window = unlock_through_dialog(qtbot, controller)
    store = window.opened.store
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10_000)

    with qtbot.waitSignal(controller.locked, timeout=10_000):
        controller.idle.set_timeout_ms(150)  # the test hook: 150 ms instead of minutes

    assert store.closed  # the key was dropped
    assert controller.is_locked and controller.window is None
    assert not window.isVisible()
    dialog = controller.unlock_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    assert not controller.idle.active

    second = unlock_through_dialog(qtbot, controller)
    assert isinstance(second, MainWindow) and second is not window
    assert not second.opened.store.closed
    assert controller.idle.active
    with qtbot.waitSignal(controller.locked, timeout=10_000):
        controller.lock("test over")  # after the dashboard has finished counting
    assert _sign_outs(locked_store, "idle lock", app_paths) == 1


def test_input_keeps_the_store_open(qtbot, controller: AppController, locked_store: Path) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    window = unlock_through_dialog(qtbot, controller)
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10_000)
    controller.idle.set_timeout_ms(600)
    started = time.monotonic()
    moves = 0

    def typed_for_a_while() -> bool:
        nonlocal moves
        assert not controller.is_locked
        qtbot.keyClick(window.nav, Qt.Key.Key_Down)
        qtbot.mouseMove(window.nav, QPoint(10 + moves % 20, 10))
        moves += 1
        return time.monotonic() - started > 1.8  # three idle periods of steady use

    # Keep using the window for longer than the idle time: it stays unlocked throughout.
    qtbot.waitUntil(typed_for_a_while, timeout=20_000)
    assert not controller.is_locked
    assert not window.opened.store.closed


def test_ctrl_l_locks_at_once(qtbot, controller: AppController, locked_store: Path) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    window = unlock_through_dialog(qtbot, controller)
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    with qtbot.waitSignal(controller.locked, timeout=5_000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.opened.store.closed
    assert controller.unlock_dialog is not None and controller.unlock_dialog.isVisible()


def test_lock_waits_for_running_work(qtbot, controller: AppController, locked_store: Path) -> None:  # type: ignore[no-untyped-def]
    import threading

    controller.start()
    window = unlock_through_dialog(qtbot, controller)
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10_000)
    release = threading.Event()
    task = controller.runner.run("Slow work", lambda _ctx: release.wait(10), show_progress=False)
    window.lock_action.trigger()
    assert not controller.is_locked  # the task still uses the store
    with qtbot.waitSignal(controller.locked, timeout=10_000):
        release.set()
    assert task.done and window.opened.store.closed


def test_lock_closes_open_dialogs(qtbot, controller: AppController, locked_store: Path) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    window = unlock_through_dialog(qtbot, controller)
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10_000)
    settings_view = window.show_area("settings")
    settings_view.passphrase_button.click()
    dialog = settings_view.passphrase_dialog
    assert isinstance(dialog, QDialog) and dialog.isVisible()
    dialog.passphrase.setText("half typed")
    with qtbot.waitSignal(controller.locked, timeout=5_000):
        controller.idle.set_timeout_ms(50)
    assert not dialog.isVisible()


def test_a_live_meeting_closed_by_the_lock_opens_again_where_it_was(
    qtbot, controller: AppController, store_path: Path, app_paths
) -> None:  # type: ignore[no-untyped-def]
    """The chair looked away for longer than the idle time in the middle of a meeting: after
    unlocking, the live meeting is back at the case being heard, with what was typed."""
    from conftest import PASSPHRASE
    from test_ui_live_meeting import build_meeting

    from marac_desk.services import meetings
    from marac_desk.services.session import create_store

    store_path.parent.mkdir(parents=True, exist_ok=True)
    opened = create_store(
        store_path,
        PASSPHRASE,
        PASSPHRASE,
        partnership="Northtown",
        user_name="Sam",
        paths=app_paths,
    )
    setup = build_meeting(opened)
    opened.lock("test setup")

    controller.start()
    window = unlock_through_dialog(qtbot, controller)
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10_000)
    view = window.show_area("meetings")
    live = view.open_live_meeting(setup.meeting_id)
    assert live.go_to_case(setup.repeat_case)
    page = live.current
    live.case_page.voice.setPlainText("She wants to stay in her home.")

    with qtbot.waitSignal(controller.locked, timeout=10_000):
        controller.idle.set_timeout_ms(150)
    assert not live.isVisible()

    second = unlock_through_dialog(qtbot, controller)
    again = second.areas["meetings"].live_windows[setup.meeting_id]
    assert again is not live and again.isVisible()
    assert again.entries[again.current] == ("case", setup.repeat_case)
    assert again.current == page
    sheet = meetings.get_case_sheet(second.opened.store, setup.repeat_case)
    assert sheet.victim_voice == "She wants to stay in her home."
    again.close_now()
    with qtbot.waitSignal(controller.locked, timeout=10_000):
        controller.lock("test over")
    # Locked with no live meeting open: nothing is reopened next time.
    third = unlock_through_dialog(qtbot, controller)
    assert third.areas["meetings"].live_windows == {}
