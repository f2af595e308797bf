"""Saving as the coordinator types: one debouncer per field and one save state per window.

An `Autosaver` is bound to a save callable that reads the field itself and makes one service
call (one unit of work). Every change calls `touch()`, which (re)starts a short timer; when the
typing pauses the save runs. `flush()` saves at once — on focus-out, on leaving a page and on
closing the window — so nothing typed waits on the timer when it matters. A failed save keeps
the field dirty, retries a little later and on the next change, and the `SaveHub` shows it.

Saves run on the GUI thread: a save is one small write transaction (a few milliseconds on a
local disk, measured by the live-meeting tests through `SaveHub.slowest_ms`) and runs while the
typist pauses, so it is not felt; keeping it on this thread also keeps every save in typing order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from marac_desk.ui.widgets import safe_error

SAVE_DELAY_MS = 700  # after the last keystroke
RETRY_MS = 3_000  # after a failed save


class SaveHub(QObject):
    """The save state of one window: pending (typed, about to save), saved, or failed."""

    state_changed = Signal(str, str)  # "saved" | "pending" | "error", a line to show
    saved = Signal()  # after every successful save

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._savers: list[Autosaver] = []
        self._errors: dict[int, str] = {}
        self.state = "saved"
        self.text = ""
        self.save_count = 0
        self.slowest_ms = 0.0
        self.last_saved_at: str = ""

    # ----- registration ---------------------------------------------------------------------

    def register(self, saver: Autosaver) -> None:
        self._savers.append(saver)

    def forget(self, saver: Autosaver) -> None:
        if saver in self._savers:
            self._savers.remove(saver)
        self._errors.pop(id(saver), None)
        self._update()

    # ----- what the savers report -----------------------------------------------------------

    def _succeeded(self, saver: Autosaver, elapsed_ms: float) -> None:
        self._errors.pop(id(saver), None)
        self.save_count += 1
        self.slowest_ms = max(self.slowest_ms, elapsed_ms)
        self.last_saved_at = time.strftime("%H:%M:%S")
        self._update()
        self.saved.emit()

    def _failed(self, saver: Autosaver, message: str) -> None:
        self._errors[id(saver)] = message
        self._update()

    def note_error(self, key: object, message: str) -> None:
        """A save outside any Autosaver failed (a button's one-off save); "" clears it."""
        if message:
            self._errors[id(key)] = message
        else:
            self._errors.pop(id(key), None)
        self._update()

    def note_saved(self) -> None:
        """A one-off save (a button, a toggle) succeeded."""
        self.save_count += 1
        self.last_saved_at = time.strftime("%H:%M:%S")
        self._update()
        self.saved.emit()

    def _update(self) -> None:
        if self._errors:
            state = "error"
            first = next(iter(self._errors.values()))
            text = self.tr("⚠ Not saved: {problem}").format(problem=first)
        elif self.pending:
            state, text = "pending", self.tr("Saving…")
        else:
            state = "saved"
            text = (
                self.tr("✓ Saved {time}").format(time=self.last_saved_at)
                if self.last_saved_at
                else self.tr("✓ Nothing to save yet")
            )
        if (state, text) != (self.state, self.text):
            self.state, self.text = state, text
            self.state_changed.emit(state, text)

    # ----- questions and commands -----------------------------------------------------------

    @property
    def pending(self) -> bool:
        return any(s.dirty for s in self._savers)

    @property
    def has_errors(self) -> bool:
        return bool(self._errors)

    def flush_all(self) -> bool:
        """Save everything typed and not yet saved; False if something could not be saved."""
        for saver in list(self._savers):
            saver.flush()
        return not self._errors


class Autosaver(QObject):
    """Debounces the saves of one field (or one small group of fields).

    `save()` reads the current values and makes the service call; raising means "not saved"
    (the message is shown through `safe_error`). A save callable that has nothing to do yet
    (an action with no owner typed) simply returns.
    """

    def __init__(
        self,
        hub: SaveHub,
        save: Callable[[], object],
        parent: QObject | None = None,
        *,
        delay_ms: int = SAVE_DELAY_MS,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._hub = hub
        self._save = save
        self._on_error = on_error
        self._muted = 0
        self._delay_ms = delay_ms
        self.dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        hub.register(self)

    def touch(self, *_args: object) -> None:
        """Something changed: save when the typing pauses."""
        if self._muted:
            return
        self.dirty = True
        self._timer.start(self._delay_ms)
        self._hub._update()

    def flush(self) -> bool:
        """Save now if anything is waiting; True when nothing is left unsaved."""
        self._timer.stop()
        if not self.dirty:
            return True
        self.dirty = False
        started = time.perf_counter()
        try:
            self._save()
        except Exception as exc:
            self.dirty = True
            self._timer.start(RETRY_MS)
            if self._on_error is not None:
                self._on_error(exc)
            self._hub._failed(self, safe_error(exc))
            return False
        self._hub._succeeded(self, (time.perf_counter() - started) * 1000)
        return True

    def discard(self) -> None:
        """Forget what is waiting (the thing it belonged to is gone or was put back)."""
        self._timer.stop()
        self.dirty = False
        self._hub.note_error(self, "")

    @property
    def is_muted(self) -> bool:
        return self._muted > 0

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Changes made by the program (loading a case) are not typing: no save."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def watch(self, *widgets: QWidget) -> Autosaver:
        """Save as these widgets are edited, and at once when focus leaves one of them."""
        for widget in widgets:
            if isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.touch)
            elif isinstance(widget, QLineEdit):
                widget.textEdited.connect(self.touch)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.touch)
                if widget.isEditable():
                    widget.editTextChanged.connect(self.touch)
            elif isinstance(widget, QAbstractButton):
                widget.toggled.connect(self.touch)
            widget.installEventFilter(self)
        return self

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.flush()
        return False
