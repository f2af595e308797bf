"""Pieces the live meeting's pages share: the page protocol, key helpers, small fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from marac_desk.ui.widgets import MUTED_COLOUR, MessageLabel, named, tr

CONTEXT = "LiveMeeting"

_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.h]?\s*(\d{2})\s*$")


def ltr(text: str) -> str:
    return tr(text, CONTEXT)


def parse_time(text: str) -> time | None:
    """'9:30', '09.30', '0930' → 09:30; anything else → None."""
    match = _TIME.match(text)
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def time_text(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask before something that cannot be undone (patched in tests)."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class LivePage(QWidget):
    """One page of the live meeting. The window calls `enter()` when it is shown and `leave()`
    before another page is shown (save what is waiting, stop timers)."""

    title = ""

    def enter(self, focus: bool = True) -> None:
        """Refresh from the store and (with `focus`) put the cursor where the coordinator
        types first; without it the focus stays where it is (the case list being browsed)."""

    def blocking_problem(self) -> str:
        """A decision half made that must be finished before leaving ("" when none)."""
        return ""

    def leave(self) -> None:
        """Save everything waiting."""

    def hints(self) -> str:
        return ""


def page_shortcut(page: QWidget, keys: str, slot: Callable[[], object]) -> QShortcut:
    """A shortcut that works while the focus is anywhere on this page (pages are stacked, so
    the same keys can mean something else on another page)."""
    shortcut = QShortcut(QKeySequence(keys), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut


class KeyFilter(QObject):
    """Calls a function for some keys pressed in the widgets it is installed on; the key is
    then consumed. Keys are (key, modifiers) pairs."""

    def __init__(
        self,
        parent: QObject,
        keys: Mapping[tuple[Qt.Key, Qt.KeyboardModifier], Callable[[], object]],
    ) -> None:
        super().__init__(parent)
        self._keys = keys

    def install(self, *widgets: QWidget) -> KeyFilter:
        for widget in widgets:
            widget.installEventFilter(self)
        return self

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        slot = self._keys.get((Qt.Key(event.key()), modifiers))
        if slot is None:
            return False
        slot()
        return True


NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def on_enter(parent: QObject, slot: Callable[[], object], *widgets: QWidget) -> KeyFilter:
    """Enter (or Return) in any of these widgets calls `slot`."""
    return KeyFilter(
        parent, {(Qt.Key.Key_Return, NO_MODIFIER): slot, (Qt.Key.Key_Enter, NO_MODIFIER): slot}
    ).install(*widgets)


def agency_combo(parent: QWidget, names: Iterable[str], name: str, prompt: str) -> QComboBox:
    """The agencies, chosen by typing the first letters (type-ahead); "" until one is chosen."""
    combo = QComboBox(parent)
    combo.addItem(prompt, "")
    for agency in names:
        combo.addItem(agency, agency)
    combo.setMaxVisibleItems(16)
    named(combo, name, ltr("Type the first letters of the agency"))
    return combo


def reset_type_ahead(combo: QComboBox) -> None:
    """Start the next type-ahead afresh (letters typed for the previous entry are forgotten)."""
    combo.view().keyboardSearch("")


def combo_value(combo: QComboBox) -> str:
    return str(combo.currentData() or "")


def set_combo_value(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def text_area(parent: QWidget, name: str, lines: int = 3, *, fixed: bool = False) -> QPlainTextEdit:
    """A text box for typing notes; Tab moves on. `fixed`: exactly `lines` high (it scrolls)."""
    box = QPlainTextEdit(parent)
    box.setTabChangesFocus(True)
    height = box.fontMetrics().lineSpacing() * lines + 14
    if fixed:
        box.setFixedHeight(height)
    else:
        box.setMinimumHeight(height)
    named(box, name)
    return box


class Field(QWidget):
    """A caption above a control and its problem below it (shown beside the field)."""

    def __init__(self, parent: QWidget, caption: str, widget: QWidget, *, stretch: bool = False):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.caption = QLabel(caption, self)
        self.caption.setBuddy(widget)
        self.caption.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.widget = widget
        self.message = MessageLabel(self, name=f"{widget.accessibleName()}: problem")
        layout.addWidget(self.caption)
        layout.addWidget(widget)
        layout.addWidget(self.message)
        if not stretch:
            layout.addStretch(1)
