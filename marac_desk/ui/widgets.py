"""Small widgets and helpers shared by the dialogs and areas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

ERROR_COLOUR = "#b00020"
OK_COLOUR = "#1b5e20"
MUTED_COLOUR = "#555555"
WARNING_COLOUR = "#8a5a00"

STORE_FILE_FILTER = "MARAC Desk stores (*.store);;All files (*)"


def tr(text: str, context: str = "MARAC Desk") -> str:
    """Translate a string outside a QObject method."""
    return QCoreApplication.translate(context, text)


def app_icon() -> QIcon:
    ref = resources.files("marac_desk.resources").joinpath("icons", "marac-desk.svg")
    with resources.as_file(ref) as path:
        pixmap = QPixmap(str(path))
    return QIcon(pixmap) if not pixmap.isNull() else QIcon()


def app_pixmap(size: int) -> QPixmap:
    return app_icon().pixmap(size, size)


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a control the name a screen reader announces."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def name_unnamed_buttons(root: QWidget) -> None:
    """Buttons whose accessible name was not set explicitly are named by their text."""
    for button in root.findChildren(QAbstractButton):
        if not button.accessibleName() and button.text():
            button.setAccessibleName(_plain(button.text()))


def unnamed_controls(root: QWidget) -> list[QWidget]:
    """Interactive controls below `root` without an accessible name (used by the tests)."""
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)
    found: list[QWidget] = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or widget.objectName().startswith("qt_"):
            continue
        parent = widget.parentWidget()
        inside_compound = False
        while parent is not None and parent is not root:
            if isinstance(parent, (QComboBox, QAbstractSpinBox, QAbstractItemView, QLineEdit)):
                inside_compound = True
                break
            parent = parent.parentWidget()
        if inside_compound or type(widget).__name__ == "QHeaderView":
            continue
        if not widget.accessibleName():
            found.append(widget)
    return found


class MessageLabel(QLabel):
    """A word-wrapped line under a field: hidden when empty, red for errors, green for success."""

    def __init__(self, parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        if name:
            self.setAccessibleName(name)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, ERROR_COLOUR)

    def show_ok(self, text: str) -> None:
        self._show(text, OK_COLOUR)

    def show_note(self, text: str) -> None:
        self._show(text, MUTED_COLOUR)

    def show_warning(self, text: str) -> None:
        """Worth knowing, but does not stop anything (amber)."""
        self._show(text, WARNING_COLOUR)

    def _show(self, text: str, colour: str) -> None:
        self.setStyleSheet(f"color: {colour};")
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    @property
    def is_error(self) -> bool:
        return self.isVisibleTo(self.parentWidget()) and ERROR_COLOUR in self.styleSheet()


def heading(text: str, level: int = 1, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * (1.6 if level == 1 else 1.2))
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def hline(parent: QWidget | None = None) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def safe_error(exc: BaseException) -> str:
    """Store errors and validation messages are written to be shown; anything else is named by
    its type only, so no data from inside the store reaches the screen through an exception."""
    from marac_desk.services.session import StoreError

    if isinstance(exc, (StoreError, ValueError)):
        return str(exc)
    return tr("an unexpected error ({kind})").format(kind=type(exc).__name__)


# ----- file pickers (patched in tests) -----------------------------------------------------------


def pick_save_file(
    parent: QWidget | None, caption: str, start: Path, file_filter: str
) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, caption, str(start), file_filter)
    return Path(chosen) if chosen else None


def pick_open_file(
    parent: QWidget | None, caption: str, start: Path, file_filter: str
) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(parent, caption, str(start), file_filter)
    return Path(chosen) if chosen else None


# ----- dates -------------------------------------------------------------------------------------


def local_time(stored_utc: datetime) -> datetime:
    """Stored times are naive UTC; show them in the computer's local time."""
    return stored_utc.replace(tzinfo=UTC).astimezone()


def format_date(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def format_datetime(stored_utc: datetime) -> str:
    return local_time(stored_utc).strftime("%d %b %Y %H:%M:%S")


class ScrollBody(QWidget):
    """The widget inside a QScrollArea whose labels wrap. A scroll area sizes its widget from
    the layout's minimum size, which ignores height-for-width, so wrapped labels get squeezed;
    this body asks its layout how tall it must be at its width and holds that minimum."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_height()

    def fit_height(self) -> None:
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        wanted = layout.totalHeightForWidth(self.width())
        if wanted > 0 and wanted != self.minimumHeight():
            self.setMinimumHeight(wanted)
