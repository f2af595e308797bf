"""Background work: run a callable off the GUI thread, deliver the outcome back on it.

The callable gets a `TaskContext`: it may report progress (which also raises `TaskCancelled`
once the user pressed Cancel) and must never touch widgets. Services open their own sessions
per call, so calling them from the worker is fine. Results and errors come back through the
`Task`'s signals, emitted on the GUI thread.

Tasks run one at a time (the pool has one thread): store work is serialised, so a backup never
races a passphrase change, and `TaskRunner.busy` tells the idle lock to wait.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

PROGRESS_DELAY_MS = 500

_OK, _FAILED, _CANCELLED = 0, 1, 2


class TaskCancelled(Exception):
    """Raised inside the task by `TaskContext.progress` once the user cancelled."""


class TaskContext:
    """What the task function sees in the worker thread."""

    def __init__(self, task: Task) -> None:
        self._task = task
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelled

    def progress(self, done: int, total: int) -> None:
        """Report progress; raises TaskCancelled if the user has cancelled."""
        self.check()
        self._task.progressed.emit(int(done), int(total))


class Task(QObject):
    """One piece of background work. Connect to its signals before the event loop runs."""

    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    finished = Signal()  # after any of the three above
    progressed = Signal(int, int)
    ended = Signal(object)  # this Task, after `finished` (for the runner's bookkeeping)
    _outcome = Signal(int, object)  # worker → GUI thread

    def __init__(self, title: str, fn: Callable[[TaskContext], Any], *, cancellable: bool) -> None:
        super().__init__()
        self.title = title
        self.cancellable = cancellable
        self.context = TaskContext(self)
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._fn = fn
        self._outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        if self.cancellable:
            self.context.cancel()

    def _run_in_worker(self) -> None:
        try:
            outcome: tuple[int, object] = (_OK, self._fn(self.context))
        except TaskCancelled:
            outcome = (_CANCELLED, None)
        except Exception as exc:
            outcome = (_FAILED, exc)
        # RuntimeError: the Task was deleted with its window while working; nobody is waiting.
        with contextlib.suppress(RuntimeError):
            self._outcome.emit(*outcome)

    def _deliver(self, kind: int, payload: object) -> None:
        self.done = True
        if kind == _OK:
            self.result = payload
            self.succeeded.emit(payload)
        elif kind == _CANCELLED:
            self.cancelled.emit()
        else:
            self.error = payload if isinstance(payload, BaseException) else None
            self.failed.emit(payload)
        self.finished.emit()
        self.ended.emit(self)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task

    def run(self) -> None:
        self._task._run_in_worker()


class ProgressDialog(QDialog):
    """Shown for a task that is still running after a moment; Cancel if the task allows it."""

    def __init__(self, task: Task, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(task.title)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(420)
        self._task = task
        layout = QVBoxLayout(self)
        self.label = QLabel(task.title + "…", self)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(self.tr("Progress message"))
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy until the task reports numbers
        self.bar.setAccessibleName(self.tr("Progress"))
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.buttons = QDialogButtonBox(self)
        if task.cancellable:
            cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            cancel.setAccessibleName(self.tr("Cancel"))
            cancel.clicked.connect(self._cancel)
        layout.addWidget(self.buttons)
        task.progressed.connect(self._progress)

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.label.setText(
                self.tr("{title}… {done} of {total}").format(
                    title=self._task.title, done=done, total=total
                )
            )

    def _cancel(self) -> None:
        self._task.cancel()
        self.label.setText(self.tr("Cancelling…"))
        for button in self.buttons.buttons():
            button.setEnabled(False)

    def reject(self) -> None:  # Escape cancels rather than hiding a running task
        if self._task.cancellable:
            self._cancel()

    def closeEvent(self, event: Any) -> None:
        if not self._task.done:
            event.ignore()
            self.reject()
        else:
            super().closeEvent(event)


def _guarded(callback: Callable[[Any], object], context: QObject | None) -> Callable[[Any], None]:
    def call(value: Any) -> None:
        if context is None or shiboken6.isValid(context):
            callback(value)

    return call


class TaskRunner(QObject):
    """Starts tasks on a one-thread pool and shows a progress dialog for slow ones."""

    idle = Signal()  # no task is running any more
    started = Signal(object)  # a Task

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._running: list[Task] = []
        self.dialog_parent: QWidget | None = None
        self.progress_delay_ms = PROGRESS_DELAY_MS
        self.progress_dialog: ProgressDialog | None = None

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(
        self,
        title: str,
        fn: Callable[[TaskContext], Any],
        *,
        cancellable: bool = False,
        show_progress: bool = True,
        on_success: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        context: QObject | None = None,
    ) -> Task:
        """Start `fn(TaskContext)` in the worker.

        `on_success` / `on_error` run on the GUI thread; with a `context`, only while that
        object still exists (a window closed by an idle lock does not get its results).
        """
        task = Task(title, fn, cancellable=cancellable)
        if on_success is not None:
            task.succeeded.connect(_guarded(on_success, context))
        if on_error is not None:
            task.failed.connect(_guarded(on_error, context))
        # A bound method of this QObject: Qt drops the connection if the runner goes first.
        task.ended.connect(self._finished)
        self._running.append(task)
        if show_progress:
            QTimer.singleShot(self.progress_delay_ms, self, lambda: self._show_progress(task))
        self.started.emit(task)
        self._pool.start(_Runnable(task))
        return task

    def _show_progress(self, task: Task) -> None:
        if task.done or self.progress_dialog is not None:
            return
        dialog = ProgressDialog(task, self.dialog_parent)
        self.progress_dialog = dialog
        task.finished.connect(dialog.accept)
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        dialog.show()

    def _forget_dialog(self, dialog: ProgressDialog) -> None:
        if self.progress_dialog is dialog:
            self.progress_dialog = None
        dialog.deleteLater()

    def _finished(self, task: Task) -> None:
        if task in self._running:
            self._running.remove(task)
        if not self._running:
            self.idle.emit()

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the worker is free (at shutdown)."""
        for task in self._running:
            task.cancel()
        return bool(self._pool.waitForDone(msecs))
