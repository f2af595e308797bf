"""Idle auto-lock: an application-wide event filter restarts a timer on every user input."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    """Emits `idle` after `timeout_ms` with no keyboard, mouse or touch input in the app."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._last_restart = 0.0
        self._installed = False
        self.set_minutes(minutes)

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    @property
    def active(self) -> bool:
        return self._installed

    def set_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(max(1, int(minutes)) * 60_000)

    def set_timeout_ms(self, msecs: int) -> None:
        """Change the idle time (tests use a short one); restarts the count if running."""
        self._timer.setInterval(max(1, int(msecs)))
        if self._installed:
            self._timer.start()

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
        self._installed = False
        self._timer.stop()

    def poke(self) -> None:
        """Count as user activity now."""
        self._last_restart = time.monotonic()
        if self._installed:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            # Mouse moves arrive in bursts: restarting the timer a few times a second is plenty.
            now = time.monotonic()
            if now - self._last_restart > min(1.0, self._timer.interval() / 4000):
                self.poke()
        return False
