"""The task runner: work off the GUI thread, results back on it, progress and cancel."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from ui_support import qt_quiet

from marac_desk.ui.tasks import TaskContext, TaskRunner

pytestmark = qt_quiet


def test_result_arrives_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    seen: dict[str, object] = {}

    def work(_ctx: TaskContext) -> int:
        seen["worker"] = QThread.currentThread()
        return 42

    def got(value: object) -> None:
        seen["value"] = value
        seen["receiver"] = QThread.currentThread()

    task = runner.run("Sum", work, show_progress=False, on_success=got)
    assert runner.busy
    with qtbot.waitSignal(runner.idle, timeout=5_000):
        pass
    assert seen["value"] == 42 and task.result == 42
    assert seen["receiver"] is qtbot_main_thread()
    assert seen["worker"] is not seen["receiver"]
    assert not runner.busy


def qtbot_main_thread() -> QThread:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None
    return app.thread()


def test_errors_arrive_as_exceptions(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()

    def work(_ctx: TaskContext) -> None:
        raise ValueError("That date is not a date.")

    task = runner.run("Fail", work, show_progress=False)
    with qtbot.waitSignal(task.failed, timeout=5_000) as failed:
        pass
    assert isinstance(failed.args[0], ValueError)
    assert task.error is failed.args[0]


def test_slow_work_shows_progress_and_can_be_cancelled(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    runner.progress_delay_ms = 50
    step = threading.Event()

    def work(ctx: TaskContext) -> str:
        for done in range(1000):
            ctx.progress(done, 1000)
            step.wait(0.01)  # a slice of work, interrupted by cancel
        return "finished"

    task = runner.run("Creating demo data", work, cancellable=True)
    qtbot.waitUntil(lambda: runner.progress_dialog is not None, timeout=5_000)
    dialog = runner.progress_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.bar.maximum() == 1000, timeout=5_000)
    assert "Creating demo data… " in dialog.label.text() and "of 1000" in dialog.label.text()
    with qtbot.waitSignal(task.cancelled, timeout=5_000):
        dialog.buttons.buttons()[0].click()
    assert task.done and task.result is None
    qtbot.waitUntil(lambda: runner.progress_dialog is None, timeout=5_000)


def test_quick_work_shows_no_dialog(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    task = runner.run("Quick", lambda _ctx: 1)
    with qtbot.waitSignal(task.finished, timeout=5_000):
        pass
    assert runner.progress_dialog is None


def test_tasks_run_one_at_a_time(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    release = threading.Event()
    order: list[str] = []

    def first(_ctx: TaskContext) -> None:
        release.wait(5)
        order.append("first")

    def second(_ctx: TaskContext) -> None:
        order.append("second")

    runner.run("First", first, show_progress=False)
    runner.run("Second", second, show_progress=False)
    release.set()
    with qtbot.waitSignal(runner.idle, timeout=5_000):
        pass
    assert order == ["first", "second"]
