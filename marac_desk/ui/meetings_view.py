"""The meetings area: a panel's settings, its schedule, and each meeting's case list (agenda)
with the research agencies have returned.

Everything is read in the task runner as one snapshot (panels, the panel's meetings, the chosen
meeting's agenda and proposed referrals) and written through the services there too, one unit of
work per change. Edits that the keyboard repeats quickly — adding the next proposed referral,
moving a case up, removing one — change the list on screen at once and are written in order
behind it; a snapshot that arrives while writes are still queued is dropped, and the last write
reads the list again.

Keys (inside the area): Ctrl+R run the meeting, Ctrl+D the meeting's documents (minutes, agency
action lists, agenda: ui.documents_dialog), Ctrl+E panel settings, Ctrl+Shift+N new panel,
Alt+Page Up / Alt+Page Down previous / next meeting. Schedule: Ctrl+P plan meetings, Insert add a
meeting, Ctrl+M move it, Delete cancel it, Ctrl+Shift+U reinstate, Enter open its agenda. Agenda:
Enter or Insert on a proposed referral adds it, Delete removes a case, Ctrl+Up / Ctrl+Down
reorder, Ctrl+M move a case to another meeting, F2 edits the minutes. Research: Space moves a cell
on (requested → received → nothing held → none), F2 chooses, Ctrl+Shift+R requests research.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core.meeting_rules import referral_cutoff
from marac_desk.core.working_days import Region, bank_holiday_name, is_weekend
from marac_desk.services import meetings, panels, referrals
from marac_desk.services.meetings import (
    RESEARCH_STATUSES,
    Agenda,
    AgendaCase,
    MeetingRow,
    Proposal,
)
from marac_desk.services.panels import PanelConfig
from marac_desk.ui.area import AreaContext
from marac_desk.ui.documents_dialog import DocumentsDialog
from marac_desk.ui.live_meeting import LiveMeetingWindow
from marac_desk.ui.panel_dialog import (
    AgencyChecklist,
    FormDialog,
    PanelDialog,
    PlanChoice,
    PlanDialog,
    from_qtime,
    hhmm,
    short_date,
    to_qtime,
)
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import risk_text, uk_date
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    heading,
    name_unnamed_buttons,
    named,
    safe_error,
    tr,
)

CONTEXT = "Meetings"
STATUS_WORDS = {"planned": "Planned", "held": "Held", "cancelled": "Cancelled"}
RESEARCH_WORDS = {
    "requested": "… Requested",
    "received": "✓ Received",
    "nothing_held": "∅ Nothing held",
    "": "—",
}
# Space moves a research cell on through these.
RESEARCH_CYCLE: tuple[str, ...] = ("", *RESEARCH_STATUSES)
BANNER_STYLES = {
    "warn": "background: #fff3cd; color: #5c4400; border: 1px solid #e0c060;"
    " border-radius: 4px; padding: 6px 10px;",
    "strong": "background: #fde2e1; color: #7a0010; border: 2px solid #b00020;"
    " border-radius: 4px; padding: 6px 10px; font-weight: bold;",
}


# ----- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the area shows, read in one go in the worker."""

    panels: tuple[PanelConfig, ...]
    panel: PanelConfig | None
    meetings: tuple[MeetingRow, ...]
    meeting_id: int | None
    agenda: Agenda | None
    proposals: tuple[Proposal, ...]
    agencies: tuple[str, ...]


def default_meeting(rows: Sequence[MeetingRow], today: date) -> int | None:
    """The next meeting that is not cancelled; else the latest one."""
    live = [m for m in rows if m.status != "cancelled"]
    upcoming = [m for m in live if m.meeting_date >= today]
    if upcoming:
        return upcoming[0].id
    if live:
        return live[-1].id
    return rows[-1].id if rows else None


def load_snapshot(
    ctx: AreaContext, panel_id: int | None, meeting_id: int | None, today: date
) -> Snapshot:
    store = ctx.opened.store
    agencies = tuple(referrals.agency_names(store))
    found = tuple(panels.list_panels(store))
    panel = next((p for p in found if p.id == panel_id), None) or (found[0] if found else None)
    if panel is None or panel.id is None:
        return Snapshot(found, None, (), None, None, (), agencies)
    rows = tuple(meetings.list_meetings(store, panel_id=panel.id))
    if not any(m.id == meeting_id for m in rows):
        meeting_id = default_meeting(rows, today)
    agenda = meetings.get_agenda(store, meeting_id) if meeting_id is not None else None
    proposals: tuple[Proposal, ...] = ()
    if agenda is not None and agenda.meeting.status == "planned":
        proposals = tuple(meetings.propose_cases(store, agenda.meeting.id))
    return Snapshot(found, panel, rows, meeting_id, agenda, proposals, agencies)


# ----- words --------------------------------------------------------------------------------------


def long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def meeting_label(m: MeetingRow) -> str:
    text = short_date(m.meeting_date)
    if m.start_time:
        text += f" {hhmm(m.start_time)}"
    cases = tr("1 case", CONTEXT) if m.cases == 1 else tr("{n} cases", CONTEXT).format(n=m.cases)
    return f"{text} ({cases})"


def marker_text(case: AgendaCase | Proposal) -> str:
    if case.ongoing:
        return tr("ONGOING", CONTEXT)
    if case.is_repeat:
        previous = getattr(case, "previous_referral_date", None)
        if previous:
            return tr("REPEAT · previous {date}", CONTEXT).format(date=uk_date(previous))
        return tr("REPEAT", CONTEXT)
    return tr("NEW", CONTEXT)


def marker_tip(case: AgendaCase | Proposal) -> str:
    if case.ongoing:
        return tr("Ongoing: kept open at an earlier meeting and heard again", CONTEXT)
    if case.is_repeat:
        previous = getattr(case, "previous_referral_date", None)
        if previous:
            return tr("Repeat: the previous referral was on {date}", CONTEXT).format(
                date=long_day(previous)
            )
        return tr("Repeat: referred to MARAC within the last 12 months", CONTEXT)
    return tr("New: no MARAC referral in the last 12 months", CONTEXT)


def marker_brush(case: AgendaCase | Proposal) -> QBrush | None:
    if case.ongoing:
        return QBrush(QColor(WARNING_COLOUR))
    if case.is_repeat:
        return QBrush(QColor(ERROR_COLOUR))
    return None


def research_summary(case: AgendaCase) -> str:
    if not case.research:
        return tr("not requested", CONTEXT)
    back = sum(1 for r in case.research if r.status != "requested")
    return tr("{back} of {asked} back", CONTEXT).format(back=back, asked=len(case.research))


def minutes_words(total: int) -> str:
    hours, minutes = divmod(total, 60)
    if not hours:
        return tr("{m} min", CONTEXT).format(m=minutes)
    return tr("{h} h {m:02d} min", CONTEXT).format(h=hours, m=minutes)


def bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def _right() -> int:
    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


# ----- tables -------------------------------------------------------------------------------------


class PlaceholderTable(QTableView):
    """A table that says what to do when it has no rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = ""

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.setAccessibleDescription(text)
        self.viewport().update()

    def placeholder(self) -> str:
        return self._placeholder

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is None or model.rowCount() or not self._placeholder:
            return
        painter = QPainter(self.viewport())
        painter.setPen(QColor(MUTED_COLOUR))
        rect = self.viewport().rect().adjusted(24, 24, -24, -24)
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        painter.drawText(rect, flags | int(Qt.TextFlag.TextWordWrap), self._placeholder)
        painter.end()


def table(parent: QWidget, model: QAbstractTableModel, name: str) -> PlaceholderTable:
    view = PlaceholderTable(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    named(view, name)
    return view


def size_columns(view: QTableView, samples: Sequence[tuple[str, bool]], stretch: int) -> None:
    """Widths from the widest usual value of each column (bold where the column is bold)."""
    bold = QFont(view.font())
    bold.setBold(True)
    plain_metrics, bold_metrics = view.fontMetrics(), QFontMetrics(bold)
    header = view.horizontalHeader()
    for column, (sample, is_bold) in enumerate(samples):
        metrics = bold_metrics if is_bold else plain_metrics
        title = str(view.model().headerData(column, Qt.Orientation.Horizontal))
        width = max(metrics.horizontalAdvance(sample), bold_metrics.horizontalAdvance(title))
        view.setColumnWidth(column, width + 16)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(False)


class ScheduleModel(QAbstractTableModel):
    HEADERS = ("Date", "Time", "Venue", "Status", "Cases", "Note")
    SAMPLES = (
        ("Wed 00 Sep 0000", True),
        ("00:00", False),
        ("Northtown Police Station", False),
        ("Cancelled", False),
        ("Cases", False),
        ("Moved from Wed 00 Sep 0000: room", False),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[MeetingRow] = []
        self.next_id: int | None = None

    def set_rows(self, rows: Sequence[MeetingRow], next_id: int | None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.next_id = next_id
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def note(self, m: MeetingRow) -> str:
        if m.status == "cancelled":
            return self.tr("Cancelled: {why}").format(why=m.status_reason)
        if m.original_date is not None:
            text = self.tr("Moved from {date}").format(date=short_date(m.original_date))
            return f"{text}: {m.status_reason}" if m.status_reason else text
        if m.id == self.next_id:
            return self.tr("Next meeting")
        return ""

    def text(self, m: MeetingRow, column: int) -> str:
        return (
            short_date(m.meeting_date),
            hhmm(m.start_time),
            m.venue,
            self.tr(STATUS_WORDS.get(m.status, m.status)),
            str(m.cases),
            self.note(m),
        )[column]

    def data(  # noqa: PLR0911 - one answer per role
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        m = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(m, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.text(m, column) or None
        if role == Qt.ItemDataRole.ForegroundRole and m.status == "cancelled":
            return QBrush(QColor(MUTED_COLOUR))
        if role == Qt.ItemDataRole.FontRole and (column == 0 or m.id == self.next_id):
            font = bold_font()
            font.setStrikeOut(m.status == "cancelled" and column == 0)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return _right()
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        return None


class AgendaModel(QAbstractTableModel):
    """The meeting's cases in order; the minutes column can be edited (F2 or typing)."""

    HEADERS = (
        "#",
        "Case ref",
        "Victim",
        "Referring agency",
        "New / repeat",
        "Risk",
        "Minutes",
        "Research",
    )
    SAMPLES = (
        ("00", False),
        ("NT-2026-00000", True),
        ("Aleksandra Wiśniewska", False),
        ("Children's Social C", False),
        ("REPEAT · previous 00/00/0000", True),
        ("24 · medium", False),
        ("120", False),
        ("10 of 10 back", False),
    )
    MINUTES = 6
    minutes_edited = Signal(int, int)  # case id, minutes

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AgendaCase] = []
        self.editable = False

    def set_rows(self, rows: Sequence[AgendaCase], editable: bool) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.editable = editable
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def text(self, c: AgendaCase, column: int) -> str:
        return (
            str(c.position),
            c.case_ref,
            c.victim_name,
            c.referring_agency,
            marker_text(c),
            risk_text(c.risk_score, c.risk_grade),
            str(c.allotted_minutes),
            research_summary(c),
        )[column]

    def tooltip(self, c: AgendaCase, column: int) -> str | None:
        if column == 4:
            return marker_tip(c)
        if column == 2 and c.victim_dob:
            return self.tr("{name}, born {dob}").format(
                name=c.victim_name, dob=uk_date(c.victim_dob)
            )
        if column == 7 and c.research:
            return "\n".join(
                f"{r.agency}: {self.tr(RESEARCH_WORDS.get(r.status, r.status))}" for r in c.research
            )
        if column == self.MINUTES:
            return self.tr("Minutes allowed for the case (F2 to change)")
        return self.text(c, column) or None

    def data(  # noqa: PLR0911 - one answer per role
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(c, column)
        if role == Qt.ItemDataRole.EditRole:
            return c.allotted_minutes if column == self.MINUTES else self.text(c, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(c, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            return marker_brush(c)
        if role == Qt.ItemDataRole.FontRole and (
            column == 1 or (column == 4 and (c.is_repeat or c.ongoing))
        ):
            return bold_font()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, self.MINUTES):
            return _right()
        if role == Qt.ItemDataRole.UserRole:
            return c.id
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == self.MINUTES and self.editable:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != self.MINUTES:
            return False
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            return False
        case = self.rows[index.row()]
        if not 1 <= minutes <= 120 or minutes == case.allotted_minutes:
            return False
        self.rows[index.row()] = replace(case, allotted_minutes=minutes)
        self.dataChanged.emit(index, index)
        self.minutes_edited.emit(case.id, minutes)
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (0, self.MINUTES):
            return _right()
        return None

    def move_row(self, row: int, to: int) -> None:
        """Move a case on screen (the service is told separately); positions are renumbered."""
        if row == to or not (0 <= row < len(self.rows) and 0 <= to < len(self.rows)):
            return
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), to + 1 if to > row else to)
        self.rows.insert(to, self.rows.pop(row))
        self.endMoveRows()
        self._renumber()

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()
        self._renumber()

    def _renumber(self) -> None:
        self.rows = [replace(c, position=i) for i, c in enumerate(self.rows, start=1)]
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))


class ProposalModel(QAbstractTableModel):
    HEADERS = ("Case ref", "Victim", "Referred", "Referring agency", "New / repeat")
    SAMPLES = (
        ("NT-2026-00000", True),
        ("Aleksandra Wiśniewska", False),
        ("00/00/0000", False),
        ("Children's Social C", False),
        ("ONGOING", True),
    )
    MARKER = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Proposal] = []

    def set_rows(self, rows: Sequence[Proposal]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(  # noqa: PLR0911 - one answer per role
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        p = self.rows[index.row()]
        column = index.column()
        text = (
            p.case_ref,
            p.victim_name,
            uk_date(p.referral_date),
            p.referring_agency,
            marker_text(p),
        )[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.MARKER:
                return marker_tip(p)
            return self.tr("{ref}: {victim}, referred by {agency} on {date}").format(
                ref=p.case_ref,
                victim=p.victim_name,
                agency=p.referring_agency,
                date=uk_date(p.referral_date),
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == self.MARKER:
            return marker_brush(p)
        if role == Qt.ItemDataRole.FontRole and (
            column == 0 or (column == self.MARKER and (p.is_repeat or p.ongoing))
        ):
            return bold_font()
        if role == Qt.ItemDataRole.UserRole:
            return p.referral_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        return None


class ResearchModel(QAbstractTableModel):
    """Cases down, agencies across; each cell an agency's research return for the case."""

    edited = Signal(int, str, str)  # case id, agency, status ("" clears)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cases: list[AgendaCase] = []
        self.agencies: list[str] = []
        self._cells: dict[tuple[int, str], str] = {}
        self.editable = False

    def set_cases(self, cases: Sequence[AgendaCase], editable: bool) -> None:
        self.beginResetModel()
        self.cases = list(cases)
        self.editable = editable
        self._cells = {(c.id, r.agency): r.status for c in cases for r in c.research}
        self.agencies = sorted({agency for _case, agency in self._cells}, key=str.casefold)
        self.endResetModel()

    def status(self, row: int, column: int) -> str:
        return self._cells.get((self.cases[row].id, self.agencies[column]), "")

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self.agencies else len(self.cases)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.agencies)

    def data(  # noqa: PLR0911 - one answer per role
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        status = self.status(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(RESEARCH_WORDS.get(status, status))
        if role == Qt.ItemDataRole.EditRole:
            return status
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            case = self.cases[index.row()]
            return self.tr("{ref}, {agency}: {status}").format(
                ref=case.case_ref,
                agency=self.agencies[index.column()],
                status=self.tr(RESEARCH_WORDS.get(status, status)).lstrip("…✓∅ "),
            )
        if role == Qt.ItemDataRole.ForegroundRole:
            if status == "requested":
                return QBrush(QColor(WARNING_COLOUR))
            if not status:
                return QBrush(QColor(MUTED_COLOUR))
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if self.editable else base

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        status = str(value or "")
        if role != Qt.ItemDataRole.EditRole or status not in RESEARCH_CYCLE:
            return False
        key = (self.cases[index.row()].id, self.agencies[index.column()])
        if self._cells.get(key, "") == status:
            return False
        if status:
            self._cells[key] = status
        else:
            self._cells.pop(key, None)
        self.dataChanged.emit(index, index)
        self.edited.emit(key[0], key[1], status)
        return True

    def cycle(self, index: QModelIndex) -> None:
        if not index.isValid() or not self.editable:
            return
        now = self.status(index.row(), index.column())
        following = RESEARCH_CYCLE[(RESEARCH_CYCLE.index(now) + 1) % len(RESEARCH_CYCLE)]
        self.setData(index, following)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.agencies[section]
        case = self.cases[section]
        return f"{case.position}. {case.case_ref} · {case.victim_name}"


class ResearchDelegate(QStyledItemDelegate):
    """A list of the research statuses to choose from (F2 or double-click)."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        combo = QComboBox(parent)
        for status in RESEARCH_CYCLE:
            combo.addItem(tr(RESEARCH_WORDS[status], "ResearchModel"), status)
        named(combo, tr("Research status", CONTEXT))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(
        self,
        editor: QWidget,
        model: Any,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class MinutesDelegate(QStyledItemDelegate):
    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        box = QSpinBox(parent)
        box.setRange(1, 120)
        box.setSuffix(tr(" min", CONTEXT))
        named(box, tr("Minutes allowed for the case", CONTEXT))
        return box


class ResponsiveSplitter(QSplitter):
    """The case list beside the proposed referrals when there is room for every column of
    both, the proposed ones below the list otherwise."""

    WIDE_FROM = 1180

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setChildrenCollapsible(False)
        self._sized = False

    def resizeEvent(self, event: Any) -> None:
        wide = event.size().width() >= self.WIDE_FROM
        wanted = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if wanted != self.orientation() or not self._sized:
            self._sized = True
            self.setOrientation(wanted)
            total = event.size().width() if wide else event.size().height()
            first = total * 2 // 3 if wide else total * 3 // 5
            self.setSizes([first, total - first])
        super().resizeEvent(event)


class ResearchTable(PlaceholderTable):
    """Space moves the current cell on to the next research status."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        if (
            event.key() == Qt.Key.Key_Space
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and isinstance(model, ResearchModel)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            model.cycle(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


# ----- dialogs ------------------------------------------------------------------------------------


def working_day_warning(day: date | None, region: Region) -> str:
    if day is None:
        return ""
    holiday = bank_holiday_name(day, region)
    if holiday:
        return tr("{date} is a bank holiday ({name}).", CONTEXT).format(
            date=long_day(day), name=holiday
        )
    if is_weekend(day):
        return tr("{date} is a weekend.", CONTEXT).format(date=long_day(day))
    return ""


@dataclass(frozen=True)
class NewMeeting:
    day: date
    start_time: time
    venue: str


class AddMeetingDialog(FormDialog):
    """A meeting the cadence does not produce: an extra sitting."""

    def __init__(self, config: PanelConfig, parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Add a meeting to {panel}", CONTEXT).format(panel=config.name),
            tr("Add meeting", CONTEXT),
            parent,
        )
        self.setMinimumWidth(480)
        self._region = config.region
        self.day = DateField(self, self.tr("Meeting date"))
        self.when = QTimeEdit(to_qtime(config.default_time), self)
        self.when.setDisplayFormat("HH:mm")
        named(self.when, self.tr("Start time"))
        self.venue = QLineEdit(config.venue, self)
        self.venue.setMaxLength(200)
        named(self.venue, self.tr("Venue"))
        self.add_field("day", self.tr("&Date"), self.day)
        self.add_field("time", self.tr("&Starts at"), self.when)
        self.add_field("venue", self.tr("&Venue"), self.venue)
        self.finish()
        self.day.textChanged.connect(lambda _t: self._check_day())
        self.day.setFocus()

    def _check_day(self) -> None:
        warning = working_day_warning(self.day.parsed().value, self._region)
        message = self.messages["day"]
        if warning:
            message.show_warning(warning)
        else:
            message.clear_message()

    def values(self) -> NewMeeting | None:
        parsed = self.day.parsed()
        if parsed.value is None:
            self.problem("day", parsed.problem or self.tr("Type the date of the meeting."))
            self.day.setFocus()
            return None
        return NewMeeting(parsed.value, from_qtime(self.when.time()), self.venue.text().strip())


@dataclass(frozen=True)
class MoveChoice:
    day: date
    reason: str


class MoveMeetingDialog(FormDialog):
    def __init__(self, meeting: MeetingRow, region: Region, parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Move the meeting of {date}", CONTEXT).format(date=short_date(meeting.meeting_date)),
            tr("Move meeting", CONTEXT),
            parent,
        )
        self.setMinimumWidth(480)
        self._region = region
        self.day = DateField(self, self.tr("New date"))
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(self.tr("For example: room unavailable"))
        named(self.reason, self.tr("Why the meeting is moving"))
        self.add_field("day", self.tr("&New date"), self.day)
        self.add_field(
            "reason",
            self.tr("&Reason"),
            self.reason,
            self.tr("Kept with the meeting and shown in the schedule."),
        )
        self.finish()
        self.day.textChanged.connect(lambda _t: self._check_day())
        self.day.setFocus()

    def _check_day(self) -> None:
        warning = working_day_warning(self.day.parsed().value, self._region)
        if warning:
            self.messages["day"].show_warning(warning)
        else:
            self.messages["day"].clear_message()

    def values(self) -> MoveChoice | None:
        parsed = self.day.parsed()
        ok = True
        if parsed.value is None:
            self.problem("day", parsed.problem or self.tr("Type the new date."))
            ok = False
        if not self.reason.text().strip():
            self.problem("reason", self.tr("Say why the meeting is moving."))
            ok = False
        if not ok or parsed.value is None:
            return None
        return MoveChoice(parsed.value, self.reason.text().strip())


def meeting_choice(parent: QWidget, targets: Sequence[MeetingRow], name: str) -> QComboBox:
    combo = QComboBox(parent)
    for m in targets:
        combo.addItem(meeting_label(m), m.id)
    named(combo, name)
    return combo


def later_first(targets: Sequence[MeetingRow], after: date) -> int:
    """The index of the first target after `after` (the usual place for a case to go)."""
    return next((i for i, m in enumerate(targets) if m.meeting_date > after), 0)


@dataclass(frozen=True)
class CancelChoice:
    reason: str
    move_to: int | None


class CancelMeetingDialog(FormDialog):
    """Cancel with a reason; a meeting with cases needs another meeting to take them."""

    def __init__(
        self, meeting: MeetingRow, targets: Sequence[MeetingRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(
            tr("Cancel the meeting of {date}", CONTEXT).format(
                date=short_date(meeting.meeting_date)
            ),
            tr("Cancel meeting", CONTEXT),
            parent,
        )
        self.setMinimumWidth(500)
        self._meeting = meeting
        self.cancel_button.setText(self.tr("Keep the meeting"))
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(self.tr("For example: chair unavailable"))
        named(self.reason, self.tr("Why the meeting is cancelled"))
        self.add_field("reason", self.tr("&Reason"), self.reason)
        self.target: QComboBox | None = None
        if meeting.cases:
            self.target = meeting_choice(self, targets, self.tr("Meeting to move the cases to"))
            self.target.setCurrentIndex(later_first(targets, meeting.meeting_date))
            caption = (
                self.tr("&Move its case to")
                if meeting.cases == 1
                else self.tr("&Move its {n} cases to").format(n=meeting.cases)
            )
            message = self.add_field(
                "move_to",
                caption,
                self.target,
                self.tr("They join the end of that meeting's list, in their present order."),
            )
            if not targets:
                self.target.setEnabled(False)
                message.show_error(
                    self.tr("There is no other planned meeting for the cases: add one first.")
                )
        self.finish()
        self.reason.setFocus()

    def values(self) -> CancelChoice | None:
        reason = self.reason.text().strip()
        ok = True
        if not reason:
            self.problem("reason", self.tr("Say why the meeting is cancelled."))
            ok = False
        move_to = None
        if self.target is not None:
            move_to = self.target.currentData()
            if move_to is None:
                self.problem(
                    "move_to",
                    self.tr("There is no other planned meeting for the cases: add one first."),
                )
                ok = False
        if not ok:
            return None
        return CancelChoice(reason, int(move_to) if move_to is not None else None)


class MoveCaseDialog(FormDialog):
    def __init__(
        self, case: AgendaCase, targets: Sequence[MeetingRow], after: date, parent: QWidget | None
    ) -> None:
        super().__init__(
            tr("Move {ref} to another meeting", CONTEXT).format(ref=case.case_ref),
            tr("Move case", CONTEXT),
            parent,
        )
        self.setMinimumWidth(460)
        self.target = meeting_choice(self, targets, self.tr("Meeting to move the case to"))
        self.target.setCurrentIndex(later_first(targets, after))
        message = self.add_field(
            "move_to",
            self.tr("&Move to"),
            self.target,
            self.tr("The case goes to the end of that meeting's list."),
        )
        if not targets:
            message.show_error(self.tr("There is no other planned meeting: add one first."))
        self.finish()
        self.target.setFocus()

    def values(self) -> int | None:
        chosen = self.target.currentData()
        if chosen is None:
            self.problem("move_to", self.tr("There is no other planned meeting: add one first."))
            return None
        return int(chosen)


class RequestResearchDialog(FormDialog):
    def __init__(
        self, agencies: Sequence[str], ticked: Sequence[str], cases: int, parent: QWidget | None
    ) -> None:
        super().__init__(tr("Request research", CONTEXT), tr("Request research", CONTEXT), parent)
        self.setMinimumSize(420, 460)
        intro = QLabel(
            self.tr(
                "Ask these agencies to research their records for the {n} case(s) on the list. "
                "Cases that already have a return from an agency keep it."
            ).format(n=cases),
            self,
        )
        intro.setWordWrap(True)
        self.outer.insertWidget(0, intro)
        self.agencies = AgencyChecklist(self, agencies, ticked, self.tr("Agencies to ask"))
        self.add_field("agencies", self.tr("&Agencies"), self.agencies, self.tr("Space ticks."))
        self.finish()
        self.agencies.setFocus()

    def values(self) -> list[str] | None:
        chosen = self.agencies.ticked()
        if not chosen:
            self.problem("agencies", self.tr("Tick at least one agency."))
            return None
        return chosen


# ----- the area -----------------------------------------------------------------------------------


class MeetingsView(QWidget):
    run_meeting_requested = Signal(int)  # the meeting to run (the live meeting window opens)
    refreshed = Signal()  # a snapshot is showing
    saved = Signal(bool, str)  # a change finished: ok, the message shown

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self._writes = 0
        self._announcing = False
        self._selecting = False
        self._scroll_schedule = True  # the first time the schedule shows, and for a new panel
        self.snapshot: Snapshot | None = None
        self.panel_id: int | None = None
        self.meeting_id: int | None = None
        self.dialog: QDialog | None = None
        self.documents_dialog: DocumentsDialog | None = None
        self.today: Callable[[], date] = date.today
        # One live meeting window per meeting: asking again brings the open one forward.
        self.live_windows: dict[int, LiveMeetingWindow] = {}
        self.run_meeting_requested.connect(self.open_live_meeting)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        outer.addLayout(self._build_top())
        self.panel_summary = QLabel(self)
        self.panel_summary.setWordWrap(True)
        self.panel_summary.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.panel_summary.setAccessibleName(self.tr("The panel's rules"))
        outer.addWidget(self.panel_summary)
        self.message = MessageLabel(self, name=self.tr("Meetings message"))
        outer.addWidget(self.message)

        self.stack = QStackedWidget(self)
        self.no_panels = QLabel(
            self.tr(
                "No panels yet. A panel is the meeting you run — its cadence, bank holidays, "
                "case limit and quorum. Press New panel… (Ctrl+Shift+N) to set one up; "
                "referrals and meetings then belong to it."
            ),
            self.stack,
        )
        self.no_panels.setWordWrap(True)
        self.no_panels.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.no_panels.setStyleSheet(f"color: {MUTED_COLOUR}; padding: 40px;")
        self.no_panels.setAccessibleName(self.no_panels.text())
        self.tabs = QTabWidget(self.stack)
        named(self.tabs, self.tr("Schedule, agenda and research"))
        self.tabs.addTab(self._build_schedule(), self.tr("&Schedule"))
        self.tabs.addTab(self._build_agenda(), self.tr("&Agenda"))
        self.tabs.addTab(self._build_research(), self.tr("R&esearch"))
        self.tabs.currentChanged.connect(lambda _i: self._focus_tab())
        self.stack.addWidget(self.no_panels)
        self.stack.addWidget(self.tabs)
        outer.addWidget(self.stack, 1)

        for keys, slot in (
            ("Ctrl+R", self.run_meeting),
            ("Ctrl+D", self.open_documents),
            ("Ctrl+E", self.edit_panel),
            ("Ctrl+Shift+N", self.new_panel),
            ("Alt+PgUp", lambda: self.step_meeting(-1)),
            ("Alt+PgDown", lambda: self.step_meeting(1)),
        ):
            self._shortcut(keys, self, slot)
        ctx.events.data_changed.connect(self._data_changed)
        name_unnamed_buttons(self)
        self._show(None)

    # ----- building --------------------------------------------------------------------------

    @staticmethod
    def _shortcut(
        keys: str | QKeySequence.StandardKey | Qt.Key,
        scope: QWidget,
        slot: Callable[[], object],
        *,
        widget_only: bool = False,
    ) -> QShortcut:
        shortcut = QShortcut(QKeySequence(keys), scope)
        shortcut.setContext(
            Qt.ShortcutContext.WidgetShortcut
            if widget_only
            else Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        shortcut.activated.connect(slot)
        return shortcut

    def _button(
        self, parent: QWidget, text: str, keys: str, slot: Callable[[], object]
    ) -> QPushButton:
        button = QPushButton(text, parent)
        plain = text.replace("&", "")
        button.setToolTip(f"{plain} ({keys})" if keys else plain)
        named(button, plain.rstrip("…"))
        button.clicked.connect(lambda _c=False: slot())
        return button

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Meetings"), 1, self))
        top.addStretch(1)
        caption = QLabel(self.tr("&Panel"), self)
        self.panel_choice = QComboBox(self)
        self.panel_choice.setMinimumWidth(200)
        named(self.panel_choice, self.tr("Panel"))
        caption.setBuddy(self.panel_choice)
        self.panel_choice.activated.connect(lambda _i: self._panel_chosen())
        top.addWidget(caption)
        top.addWidget(self.panel_choice)
        self.edit_panel_button = self._button(
            self, self.tr("Panel settings…"), "Ctrl+E", self.edit_panel
        )
        self.new_panel_button = self._button(
            self, self.tr("New panel…"), "Ctrl+Shift+N", self.new_panel
        )
        self.run_button = self._button(self, self.tr("Run meeting"), "Ctrl+R", self.run_meeting)
        self.run_button.setDefault(False)
        self.run_button.setStyleSheet("font-weight: bold;")
        self.documents_button = self._button(
            self, self.tr("Documents…"), "Ctrl+D", self.open_documents
        )
        for button in (
            self.edit_panel_button,
            self.new_panel_button,
            self.documents_button,
            self.run_button,
        ):
            top.addWidget(button)
        return top

    def _build_schedule(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        buttons = QHBoxLayout()
        self.plan_button = self._button(
            page, self.tr("Plan meetings…"), "Ctrl+P", self.plan_meetings
        )
        self.add_button = self._button(page, self.tr("Add meeting…"), "Insert", self.add_meeting)
        self.move_button = self._button(page, self.tr("Move…"), "Ctrl+M", self.move_meeting)
        self.cancel_button = self._button(
            page, self.tr("Cancel meeting…"), "Delete", self.cancel_meeting
        )
        self.reinstate_button = self._button(
            page, self.tr("Reinstate"), "Ctrl+Shift+U", self.reinstate_meeting
        )
        self.open_button = self._button(page, self.tr("Open agenda"), "Enter", self.open_agenda)
        for button in (
            self.plan_button,
            self.add_button,
            self.move_button,
            self.cancel_button,
            self.reinstate_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout.addLayout(buttons)
        self.schedule_model = ScheduleModel(self)
        self.schedule = table(page, self.schedule_model, self.tr("Meetings of the panel"))
        size_columns(self.schedule, ScheduleModel.SAMPLES, 5)
        self.schedule.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.schedule.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._meeting_chosen(current.row())
        )
        self.schedule.doubleClicked.connect(lambda _i: self.open_agenda())
        layout.addWidget(self.schedule, 1)
        self.schedule_count = QLabel(page)
        self.schedule_count.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.schedule_count.setAccessibleName(self.tr("Number of meetings"))
        layout.addWidget(self.schedule_count)
        self._shortcut("Ctrl+P", page, self.plan_meetings)
        self._shortcut("Ctrl+M", page, self.move_meeting)
        self._shortcut("Ctrl+Shift+U", page, self.reinstate_meeting)
        self._shortcut(Qt.Key.Key_Insert, self.schedule, self.add_meeting, widget_only=True)
        self._shortcut(Qt.Key.Key_Delete, self.schedule, self.cancel_meeting, widget_only=True)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._shortcut(key, self.schedule, self.open_agenda, widget_only=True)
        return page

    def _build_agenda(self) -> QWidget:  # noqa: PLR0915 - builds the widgets in reading order
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        head = QHBoxLayout()
        self.agenda_title = heading("", 2, page)
        self.agenda_title.setWordWrap(True)
        head.addWidget(self.agenda_title, 1)
        self.previous_button = self._button(
            page, self.tr("◀ Previous"), "Alt+Page Up", lambda: self.step_meeting(-1)
        )
        self.next_button = self._button(
            page, self.tr("Next ▶"), "Alt+Page Down", lambda: self.step_meeting(1)
        )
        named(self.previous_button, self.tr("Previous meeting"))
        named(self.next_button, self.tr("Next meeting"))
        head.addWidget(self.previous_button)
        head.addWidget(self.next_button)
        layout.addLayout(head)
        self.agenda_notice = MessageLabel(page, name=self.tr("About this meeting"))
        layout.addWidget(self.agenda_notice)
        self.cap_banner = QLabel(page)
        self.cap_banner.setWordWrap(True)
        self.cap_banner.setAccessibleName(self.tr("Case limit warning"))
        self.cap_banner.hide()
        layout.addWidget(self.cap_banner)
        self.totals = QLabel(page)
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName(self.tr("Cases and time"))
        layout.addWidget(self.totals)
        self.outstanding = QLabel(page)
        self.outstanding.setWordWrap(True)
        self.outstanding.setAccessibleName(self.tr("Outstanding actions"))
        layout.addWidget(self.outstanding)

        splitter = ResponsiveSplitter(page)
        self.agenda_splitter = splitter
        named(splitter, self.tr("The case list and the proposed referrals"))
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.agenda_model = AgendaModel(self)
        self.agenda_model.minutes_edited.connect(self._minutes_edited)
        self.agenda = table(left, self.agenda_model, self.tr("Case list"))
        self.agenda.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.agenda.setItemDelegateForColumn(AgendaModel.MINUTES, MinutesDelegate(self.agenda))
        size_columns(self.agenda, AgendaModel.SAMPLES, 2)
        left_layout.addWidget(self.agenda, 1)
        case_buttons = QHBoxLayout()
        self.up_button = self._button(
            left, self.tr("Move up"), "Ctrl+Up", lambda: self.shift_case(-1)
        )
        self.down_button = self._button(
            left, self.tr("Move down"), "Ctrl+Down", lambda: self.shift_case(1)
        )
        self.remove_button = self._button(left, self.tr("Remove"), "Delete", self.remove_case)
        self.move_case_button = self._button(
            left, self.tr("Move to meeting…"), "Ctrl+M", self.move_case
        )
        for button in (self.up_button, self.down_button, self.remove_button, self.move_case_button):
            case_buttons.addWidget(button)
        case_buttons.addStretch(1)
        left_layout.addLayout(case_buttons)

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.proposed_label = QLabel(right)
        self.proposed_label.setWordWrap(True)
        self.proposed_label.setAccessibleName(self.tr("About the proposed referrals"))
        right_layout.addWidget(self.proposed_label)
        self.proposal_model = ProposalModel(self)
        self.proposals = table(right, self.proposal_model, self.tr("Proposed referrals"))
        size_columns(self.proposals, ProposalModel.SAMPLES, 1)
        self.proposals.doubleClicked.connect(lambda _i: self.add_case())
        right_layout.addWidget(self.proposals, 1)
        self.add_case_button = self._button(
            right, self.tr("Add to agenda"), "Enter or Insert", self.add_case
        )
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_case_button)
        add_row.addStretch(1)
        right_layout.addLayout(add_row)
        splitter.addWidget(left)
        splitter.addWidget(right)
        layout.addWidget(splitter, 1)

        self._shortcut("Ctrl+M", page, self.move_case)
        self._shortcut("Ctrl+Up", self.agenda, lambda: self.shift_case(-1), widget_only=True)
        self._shortcut("Ctrl+Down", self.agenda, lambda: self.shift_case(1), widget_only=True)
        self._shortcut(Qt.Key.Key_Delete, self.agenda, self.remove_case, widget_only=True)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Insert):
            self._shortcut(key, self.proposals, self.add_case, widget_only=True)
        return page

    def _build_research(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        intro = QLabel(
            self.tr(
                "Each agency's research return for each case. Space moves the selected cell on: "
                "requested → received → nothing held → none. F2 chooses from a list."
            ),
            page,
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {MUTED_COLOUR};")
        top.addWidget(intro, 1)
        self.request_button = self._button(
            page, self.tr("Request research from…"), "Ctrl+Shift+R", self.request_research
        )
        top.addWidget(self.request_button)
        layout.addLayout(top)
        self.research_model = ResearchModel(self)
        self.research_model.edited.connect(self._research_edited)
        self.research = ResearchTable(page)
        self.research.setModel(self.research_model)
        self.research.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.research.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.research.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.research.setItemDelegate(ResearchDelegate(self.research))
        self.research.setTabKeyNavigation(False)
        self.research.setAlternatingRowColors(True)
        self.research.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.research.horizontalHeader().setMinimumSectionSize(110)
        named(self.research, self.tr("Research returns: cases down, agencies across"))
        layout.addWidget(self.research, 1)
        self._shortcut("Ctrl+Shift+R", page, self.request_research)
        return page

    # ----- loading ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.reload()
        if self.tabs.currentIndex() == 0:
            self.schedule.setFocus()
        else:
            self._focus_tab()

    def _data_changed(self) -> None:
        if self._announcing:
            return
        if self.isVisible():
            self.reload()

    def reload(self, *, panel_id: int | None = None, meeting_id: int | None = None) -> None:
        """Read everything the area shows again (in the worker)."""
        store = self._ctx.opened.store
        if store.closed:
            return
        if panel_id is not None:
            self.panel_id = panel_id
        if meeting_id is not None:
            self.meeting_id = meeting_id
        self._generation += 1
        generation = self._generation
        wanted_panel, wanted_meeting, today = self.panel_id, self.meeting_id, self.today()

        def work(_task: Any) -> Snapshot | None:
            if generation != self._generation:
                return None
            return load_snapshot(self._ctx, wanted_panel, wanted_meeting, today)

        self._ctx.runner.run(
            self.tr("Reading the meetings"),
            work,
            show_progress=False,
            on_success=lambda snap: self._apply(generation, snap),
            on_error=lambda exc: self._load_failed(generation, exc),
            context=self,
        )

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.message.show_error(
                self.tr("The meetings could not be read: {error}").format(error=safe_error(exc))
            )

    def _apply(self, generation: int, snap: Snapshot | None) -> None:
        if snap is None or generation != self._generation or self._writes:
            return
        self._show(snap)
        self.refreshed.emit()

    def _show(self, snap: Snapshot | None) -> None:
        self.snapshot = snap
        panel = snap.panel if snap is not None else None
        self.panel_id = panel.id if panel is not None else None
        self.meeting_id = snap.meeting_id if snap is not None else None
        self.panel_choice.blockSignals(True)
        self.panel_choice.clear()
        for p in snap.panels if snap is not None else ():
            self.panel_choice.addItem(
                p.name if p.active else self.tr("{name} (inactive)").format(name=p.name), p.id
            )
        self.panel_choice.setCurrentIndex(max(0, self.panel_choice.findData(self.panel_id)))
        self.panel_choice.blockSignals(False)
        self.panel_choice.setEnabled(panel is not None)
        self.edit_panel_button.setEnabled(panel is not None)
        self.stack.setCurrentWidget(self.tabs if panel is not None else self.no_panels)
        self.panel_summary.setText(self._summary(panel) if panel is not None else "")
        self.panel_summary.setVisible(panel is not None)
        self._show_schedule(snap)
        self._show_agenda(snap)

    def _summary(self, p: PanelConfig) -> str:
        parts = [f"{p.type_label}", self.tr(p.parsed_cadence.describe())]
        if p.default_time:
            parts.append(hhmm(p.default_time))
        if p.venue:
            parts.append(p.venue)
        holiday = (
            self.tr("moved to the next working day")
            if p.on_holiday.value == "next_working_day"
            else self.tr("skipped")
        )
        parts.append(
            self.tr("{region} bank holidays: {rule}").format(region=p.region.label, rule=holiday)
        )
        if p.chair_agency:
            parts.append(self.tr("chaired by {agency}").format(agency=p.chair_agency))
        parts.append(self.tr("cut-off {n} days before").format(n=p.referral_cutoff_days))
        parts.append(
            self.tr("case limit {warn}–{strong}").format(
                warn=p.case_cap_warn, strong=p.case_cap_strong
            )
        )
        return " · ".join(parts)

    def _show_schedule(self, snap: Snapshot | None) -> None:
        rows = snap.meetings if snap is not None else ()
        next_id = default_meeting(rows, self.today()) if rows else None
        if (
            next_id is not None
            and next(m for m in rows if m.id == next_id).meeting_date < self.today()
        ):
            next_id = None
        if list(rows) != self.schedule_model.rows or next_id != self.schedule_model.next_id:
            self.schedule_model.set_rows(rows, next_id)
        self.schedule.set_placeholder(
            self.tr(
                "No meetings in the schedule. Press Plan meetings… (Ctrl+P) to create them from "
                "the panel's cadence, or Add meeting… (Insert) for a one-off sitting."
            )
        )
        row = next((i for i, m in enumerate(rows) if m.id == self.meeting_id), -1)
        if row >= 0 and self.schedule.currentIndex().row() != row:
            self._selecting = True
            try:
                self.schedule.setCurrentIndex(self.schedule_model.index(row, 0))
            finally:
                self._selecting = False
        if row >= 0 and self._scroll_schedule:
            self._scroll_schedule = False
            index = self.schedule_model.index(row, 0)
            # After the layout: the chosen meeting at the top, the ones before it above.
            QTimer.singleShot(
                0,
                self,
                lambda: self.schedule.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop),
            )
        planned = sum(1 for m in rows if m.status == "planned")
        upcoming = [m for m in rows if m.status == "planned" and m.meeting_date >= self.today()]
        text = self.tr("{n} meetings, {planned} planned").format(n=len(rows), planned=planned)
        if upcoming:
            text += self.tr(" · next: {when}").format(when=meeting_label(upcoming[0]))
        self.schedule_count.setText(text if rows else "")
        self._update_buttons()

    def current_meeting(self) -> MeetingRow | None:
        if self.snapshot is None:
            return None
        return next((m for m in self.snapshot.meetings if m.id == self.meeting_id), None)

    def _show_agenda(self, snap: Snapshot | None) -> None:  # noqa: PLR0915 - one screen of text
        agenda = snap.agenda if snap is not None else None
        meeting = agenda.meeting if agenda is not None else None
        editable = meeting is not None and meeting.status == "planned"
        keep_case = self.agenda.currentIndex().data(Qt.ItemDataRole.UserRole)
        keep_row = self.agenda.currentIndex().row()
        self.agenda_model.set_rows(agenda.cases if agenda else (), editable)
        cell = self.research.currentIndex()
        self.research_model.set_cases(agenda.cases if agenda else (), editable)
        if cell.isValid() or self.research_model.rowCount():
            row = min(max(cell.row(), 0), self.research_model.rowCount() - 1)
            column = min(max(cell.column(), 0), self.research_model.columnCount() - 1)
            if row >= 0 and column >= 0:
                self.research.setCurrentIndex(self.research_model.index(row, column))
        proposal_row = self.proposals.currentIndex().row()
        self.proposal_model.set_rows(snap.proposals if snap is not None else ())
        self._restore(self.agenda, keep_case, keep_row)
        self._restore(self.proposals, None, proposal_row)
        if meeting is None:
            self.agenda_title.setText(self.tr("No meeting chosen"))
            self.agenda_notice.show_note(
                self.tr("Choose a meeting in the Schedule tab (Alt+S), or plan some first.")
            )
            self.cap_banner.hide()
            self.totals.clear()
            self.outstanding.clear()
            self.proposed_label.clear()
            self.agenda.set_placeholder("")
            self.proposals.set_placeholder("")
            self.research.set_placeholder("")
            self._update_buttons()
            return
        assert agenda is not None
        title = long_day(meeting.meeting_date)
        if meeting.start_time:
            title += self.tr(" at {time}").format(time=hhmm(meeting.start_time))
        if meeting.venue:
            title += f" · {meeting.venue}"
        self.agenda_title.setText(title)
        self.agenda_title.setAccessibleName(title)
        if meeting.status == "cancelled":
            self.agenda_notice.show_error(
                self.tr(
                    "This meeting was cancelled ({why}). Reinstate it (Ctrl+Shift+U in the "
                    "Schedule) to change its list."
                ).format(why=meeting.status_reason)
            )
        elif meeting.status == "held":
            self.agenda_notice.show_note(
                self.tr("This meeting has been held: its list is the record of what was heard.")
            )
        else:
            self.agenda_notice.clear_message()
        self._show_cap(agenda)
        self._show_totals(agenda)
        n = agenda.outstanding_actions
        self.outstanding.setText(
            self.tr("No outstanding actions from earlier meetings.")
            if not n
            else self.tr("1 outstanding action from earlier meetings is reviewed first.")
            if n == 1
            else self.tr(
                "{n} outstanding actions from earlier meetings are reviewed first."
            ).format(n=n)
        )
        self.outstanding.setStyleSheet(f"color: {WARNING_COLOUR if n else MUTED_COLOUR};")
        self.agenda.set_placeholder(
            self.tr(
                "No cases listed yet. Choose a proposed referral on the right and press Enter or "
                "Insert to add it."
            )
            if editable
            else self.tr("No cases were listed for this meeting.")
        )
        config = snap.panel if snap is not None else None
        if editable and config is not None:
            cutoff = referral_cutoff(meeting.meeting_date, config.referral_cutoff_days)
            self.proposed_label.setText(
                self.tr(
                    "<b>Proposed</b>: received by the cut-off ({date}), not yet listed. "
                    "Enter or Insert adds the selected one."
                ).format(date=short_date(cutoff))
            )
            self.proposals.set_placeholder(
                self.tr(
                    "No referrals are waiting: everything received by {date} is listed. Later "
                    "referrals are proposed for the next meeting."
                ).format(date=short_date(cutoff))
            )
        else:
            self.proposed_label.setText(self.tr("<b>Proposed</b>: only for a planned meeting."))
            self.proposals.set_placeholder("")
        self.research.set_placeholder(
            self.tr(
                "No research requested yet. Press Request research from… (Ctrl+Shift+R) to ask "
                "agencies to check their records for every case on the list."
            )
            if agenda.cases and editable
            else self.tr("Research is recorded per case: list cases on the agenda first.")
            if editable
            else self.tr("No research was recorded for this meeting.")
        )
        self._update_buttons()

    def _show_cap(self, agenda: Agenda) -> None:
        level = agenda.cap.level
        if level == "ok":
            self.cap_banner.hide()
            return
        prefix = self.tr("⚠ Caution — ") if level == "warn" else self.tr("⛔ Too many cases — ")
        text = prefix + self.tr(agenda.cap.message)
        self.cap_banner.setText(text)
        self.cap_banner.setAccessibleName(text)
        self.cap_banner.setStyleSheet(BANNER_STYLES[level])
        self.cap_banner.setProperty("level", level)
        self.cap_banner.show()

    def _show_totals(self, agenda: Agenda) -> None:
        n = len(agenda.cases)
        total = sum(c.allotted_minutes for c in self.agenda_model.rows)
        text = (self.tr("1 case") if n == 1 else self.tr("{n} cases").format(n=n)) + self.tr(
            " · {minutes} allowed"
        ).format(minutes=minutes_words(total))
        start = agenda.meeting.start_time
        if start is not None and n:
            ends = (
                datetime.combine(agenda.meeting.meeting_date, start) + timedelta(minutes=total)
            ).time()
            text += self.tr(" · ends about {time} if every case keeps to time").format(
                time=hhmm(ends)
            )
        self.totals.setText(text)

    @staticmethod
    def _restore(view: QTableView, item_id: Any, row: int) -> None:
        model = view.model()
        count = model.rowCount()
        if not count:
            return
        found = -1
        if item_id is not None:
            found = next(
                (
                    r
                    for r in range(count)
                    if model.index(r, 0).data(Qt.ItemDataRole.UserRole) == item_id
                ),
                -1,
            )
        if found < 0:
            found = min(max(row, 0), count - 1)
        view.setCurrentIndex(model.index(found, 0))

    def _update_buttons(self) -> None:
        meeting = self.current_meeting()
        planned = meeting is not None and meeting.status == "planned"
        cancelled = meeting is not None and meeting.status == "cancelled"
        has_panel = self.panel_id is not None
        for button in (self.plan_button, self.add_button):
            button.setEnabled(has_panel)
        self.move_button.setEnabled(planned)
        self.cancel_button.setEnabled(planned)
        self.reinstate_button.setEnabled(cancelled)
        self.open_button.setEnabled(meeting is not None)
        self.run_button.setEnabled(meeting is not None and not cancelled)
        self.documents_button.setEnabled(meeting is not None and not cancelled)
        has_cases = bool(self.agenda_model.rows)
        for button in (self.up_button, self.down_button, self.remove_button, self.move_case_button):
            button.setEnabled(planned and has_cases)
        self.add_case_button.setEnabled(planned and bool(self.proposal_model.rows))
        self.request_button.setEnabled(planned and has_cases)
        rows = self.snapshot.meetings if self.snapshot is not None else ()
        index = next((i for i, m in enumerate(rows) if m.id == self.meeting_id), -1)
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(0 <= index < len(rows) - 1)

    # ----- choosing --------------------------------------------------------------------------

    def _panel_chosen(self) -> None:
        chosen = self.panel_choice.currentData()
        if chosen is not None and chosen != self.panel_id:
            self.panel_id = int(chosen)
            self.meeting_id = None
            self._scroll_schedule = True
            self.reload()

    def _meeting_chosen(self, row: int) -> None:
        if self._selecting:
            return
        rows = self.schedule_model.rows
        if 0 <= row < len(rows) and rows[row].id != self.meeting_id:
            self.meeting_id = rows[row].id
            self._update_buttons()
            self.reload()

    def select_meeting(self, meeting_id: int) -> None:
        row = next((i for i, m in enumerate(self.schedule_model.rows) if m.id == meeting_id), -1)
        if row >= 0:
            self.schedule.setCurrentIndex(self.schedule_model.index(row, 0))

    def step_meeting(self, step: int) -> None:
        rows = self.schedule_model.rows
        index = next((i for i, m in enumerate(rows) if m.id == self.meeting_id), -1)
        if index >= 0 and 0 <= index + step < len(rows):
            self.select_meeting(rows[index + step].id)

    def open_agenda(self) -> None:
        if self.current_meeting() is not None:
            self.tabs.setCurrentIndex(1)

    def _focus_tab(self) -> None:
        index = self.tabs.currentIndex()
        if index == 1:
            target = (
                self.agenda
                if self.agenda_model.rows or not self.proposal_model.rows
                else self.proposals
            )
            target.setFocus()
        elif index == 2:
            self.research.setFocus()
            if not self.research.currentIndex().isValid() and self.research_model.rowCount():
                self.research.setCurrentIndex(self.research_model.index(0, 0))
        else:
            self.schedule.setFocus()

    def run_meeting(self) -> None:
        meeting = self.current_meeting()
        if meeting is None:
            self.message.show_error(self.tr("Choose a meeting to run first."))
            return
        if meeting.status == "cancelled":
            self.message.show_error(self.tr("That meeting was cancelled: reinstate it to run it."))
            return
        self.run_meeting_requested.emit(meeting.id)

    def open_live_meeting(self, meeting_id: int) -> LiveMeetingWindow:
        window = self.live_windows.get(meeting_id)
        if window is None:
            window = LiveMeetingWindow(self._ctx, meeting_id, self.window())
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.live_windows[meeting_id] = window

            def forget() -> None:
                self.live_windows.pop(meeting_id, None)
                self.reload()  # the meeting's outcomes and timings changed

            window.closed.connect(forget)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def open_documents(self) -> None:
        """The selected meeting's documents: minutes, agency action lists, agenda, the set."""
        meeting = self.current_meeting()
        if meeting is None or meeting.status == "cancelled":
            return
        if self.documents_dialog is not None:
            self.documents_dialog.raise_()
            return
        dialog = DocumentsDialog(self._ctx, meeting.id, self)
        self.documents_dialog = dialog

        def closed(_code: int) -> None:
            if self.documents_dialog is dialog:
                self.documents_dialog = None
            dialog.deleteLater()
            self.window().activateWindow()

        dialog.finished.connect(closed)
        dialog.open()

    # ----- writing ---------------------------------------------------------------------------

    def _write(
        self,
        title: str,
        work: Callable[[], object],
        ok_text: str | Callable[[Any], str],
        dialog: FormDialog | None = None,
        after: Callable[[Any], None] | None = None,
    ) -> None:
        """Run one change in the worker; then read the area again (once no change is queued)."""
        self._writes += 1
        self.message.clear_message()

        def finished() -> None:
            self._writes -= 1
            if not self._writes:
                self.reload()

        def succeeded(result: Any) -> None:
            text = ok_text(result) if callable(ok_text) else ok_text
            if dialog is not None:
                dialog.succeeded()
            if after is not None:
                after(result)
            self.message.show_ok(text)
            self._announce(text)
            self.saved.emit(True, text)
            finished()

        def failed(exc: BaseException) -> None:
            text = safe_error(exc)
            if dialog is not None:
                dialog.failed(text, getattr(exc, "problems", ()))
            else:
                self.message.show_error(self.tr("Not saved: {error}").format(error=text))
            self.saved.emit(False, text)
            finished()

        self._ctx.runner.run(
            title, lambda _t: work(), on_success=succeeded, on_error=failed, context=self
        )

    def _announce(self, text: str) -> None:
        self._announcing = True
        try:
            self._ctx.events.data_changed.emit()
        finally:
            self._announcing = False
        self._ctx.events.notice.emit(text, False)

    def _open(self, dialog: FormDialog, submit: Callable[[Any], None]) -> FormDialog | None:
        if self.dialog is not None:
            self.dialog.raise_()
            return None
        self.dialog = dialog
        dialog.submitted.connect(submit)
        back_to = QApplication.focusWidget()

        def closed(_code: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()
            # Keys go back to where they were (some window managers leave the focus nowhere).
            self.window().activateWindow()
            if back_to is not None and shiboken6.isValid(back_to) and back_to.isVisible():
                back_to.setFocus()

        dialog.finished.connect(closed)
        dialog.open()
        return dialog

    @property
    def store_actor(self) -> tuple[Any, Any]:
        return self._ctx.opened.store, self._ctx.opened.actor

    # ----- panels ----------------------------------------------------------------------------

    def new_panel(self) -> None:
        self._panel_dialog(None)

    def edit_panel(self) -> None:
        if self.snapshot is not None and self.snapshot.panel is not None:
            self._panel_dialog(self.snapshot.panel)

    def _panel_dialog(self, config: PanelConfig | None) -> None:
        agencies = self.snapshot.agencies if self.snapshot is not None else ()
        if not agencies and not self._ctx.opened.store.closed:
            agencies = tuple(referrals.agency_names(self._ctx.opened.store))
        dialog = PanelDialog(config, agencies, self, today=self.today())
        store, actor = self.store_actor

        def submit(values: Any) -> None:
            assert isinstance(values, PanelConfig)
            self._write(
                self.tr("Saving the panel"),
                lambda: panels.save_panel(store, actor, values),
                self.tr("Panel {name} saved.").format(name=values.name),
                dialog,
                after=lambda panel_id: setattr(self, "panel_id", int(panel_id)),
            )

        self._open(dialog, submit)

    # ----- the schedule ----------------------------------------------------------------------

    def _taken_dates(self) -> set[date]:
        rows = self.snapshot.meetings if self.snapshot is not None else ()
        taken = {m.meeting_date for m in rows}
        taken |= {m.original_date for m in rows if m.original_date is not None}
        return taken

    def plan_meetings(self) -> None:
        snap = self.snapshot
        if snap is None or snap.panel is None or snap.panel.id is None:
            return
        config, panel_id = snap.panel, snap.panel.id
        latest = max((m.meeting_date for m in snap.meetings), default=None)
        start = max(self.today(), latest + timedelta(days=1)) if latest else self.today()
        dialog = PlanDialog(config, self._taken_dates(), start, self)
        store, actor = self.store_actor

        def submit(values: Any) -> None:
            assert isinstance(values, PlanChoice)
            self._write(
                self.tr("Planning meetings"),
                lambda: meetings.schedule_meetings(
                    store, actor, panel_id, values.start, values.end
                ),
                lambda n: self.tr("{n} meeting(s) added to the schedule.").format(n=n),
                dialog,
            )

        self._open(dialog, submit)

    def add_meeting(self) -> None:
        snap = self.snapshot
        if snap is None or snap.panel is None or snap.panel.id is None:
            return
        panel_id = snap.panel.id
        dialog = AddMeetingDialog(snap.panel, self)
        store, actor = self.store_actor

        def submit(values: Any) -> None:
            assert isinstance(values, NewMeeting)
            self._write(
                self.tr("Adding a meeting"),
                lambda: meetings.add_meeting(
                    store,
                    actor,
                    panel_id,
                    values.day,
                    start_time=values.start_time,
                    venue=values.venue,
                ),
                self.tr("Meeting added for {date}.").format(date=short_date(values.day)),
                dialog,
                after=lambda new_id: setattr(self, "meeting_id", int(new_id)),
            )

        self._open(dialog, submit)

    def move_meeting(self) -> None:
        meeting = self.current_meeting()
        snap = self.snapshot
        if meeting is None or snap is None or snap.panel is None or meeting.status != "planned":
            return
        dialog = MoveMeetingDialog(meeting, snap.panel.region, self)
        store, actor = self.store_actor

        def submit(values: Any) -> None:
            assert isinstance(values, MoveChoice)
            self._write(
                self.tr("Moving the meeting"),
                lambda: meetings.move_meeting(store, actor, meeting.id, values.day, values.reason),
                self.tr("Meeting moved to {date}.").format(date=short_date(values.day)),
                dialog,
            )

        self._open(dialog, submit)

    def _targets(self, meeting: MeetingRow) -> list[MeetingRow]:
        """Other planned meetings of the panel a case can go to."""
        rows = self.snapshot.meetings if self.snapshot is not None else ()
        return [m for m in rows if m.status == "planned" and m.id != meeting.id]

    def cancel_meeting(self) -> None:
        meeting = self.current_meeting()
        if meeting is None or meeting.status != "planned":
            return
        dialog = CancelMeetingDialog(meeting, self._targets(meeting), self)
        store, actor = self.store_actor

        def submit(values: Any) -> None:
            assert isinstance(values, CancelChoice)

            def text(_r: Any) -> str:
                done = self.tr("Meeting of {date} cancelled.").format(
                    date=short_date(meeting.meeting_date)
                )
                target = next((m for m in self._targets(meeting) if m.id == values.move_to), None)
                if target is not None and meeting.cases:
                    done += " " + self.tr("Its cases moved to {date}.").format(
                        date=short_date(target.meeting_date)
                    )
                return done

            self._write(
                self.tr("Cancelling the meeting"),
                lambda: meetings.cancel_meeting(
                    store, actor, meeting.id, values.reason, move_cases_to=values.move_to
                ),
                text,
                dialog,
            )

        self._open(dialog, submit)

    def reinstate_meeting(self) -> None:
        meeting = self.current_meeting()
        if meeting is None or meeting.status != "cancelled":
            return
        store, actor = self.store_actor
        self._write(
            self.tr("Reinstating the meeting"),
            lambda: meetings.reinstate_meeting(store, actor, meeting.id),
            self.tr("Meeting of {date} reinstated.").format(date=short_date(meeting.meeting_date)),
        )

    # ----- the agenda ------------------------------------------------------------------------

    def _editable_meeting(self) -> MeetingRow | None:
        meeting = self.current_meeting()
        return meeting if meeting is not None and meeting.status == "planned" else None

    def add_case(self) -> None:
        meeting = self._editable_meeting()
        row = self.proposals.currentIndex().row()
        if meeting is None or not 0 <= row < len(self.proposal_model.rows):
            return
        proposal = self.proposal_model.rows[row]
        self.proposal_model.remove_row(row)  # the next Enter adds the next one
        if self.proposal_model.rows:
            self.proposals.setCurrentIndex(
                self.proposal_model.index(min(row, len(self.proposal_model.rows) - 1), 0)
            )
        store, actor = self.store_actor
        self._write(
            self.tr("Listing the case"),
            lambda: meetings.add_case(store, actor, meeting.id, proposal.referral_id),
            self.tr("{ref} added to the agenda.").format(ref=proposal.case_ref),
        )

    def _selected_case(self) -> tuple[int, AgendaCase] | None:
        row = self.agenda.currentIndex().row()
        if 0 <= row < len(self.agenda_model.rows):
            return row, self.agenda_model.rows[row]
        return None

    def remove_case(self) -> None:
        meeting = self._editable_meeting()
        selected = self._selected_case()
        if meeting is None or selected is None:
            return
        row, case = selected
        self.agenda_model.remove_row(row)
        if self.agenda_model.rows:
            self.agenda.setCurrentIndex(
                self.agenda_model.index(min(row, len(self.agenda_model.rows) - 1), 0)
            )
        store, actor = self.store_actor
        self._write(
            self.tr("Removing the case"),
            lambda: meetings.remove_case(store, actor, case.id),
            self.tr("{ref} taken off the agenda; it is proposed again.").format(ref=case.case_ref),
        )

    def shift_case(self, step: int) -> None:
        meeting = self._editable_meeting()
        selected = self._selected_case()
        if meeting is None or selected is None:
            return
        row, case = selected
        to = row + step
        if not 0 <= to < len(self.agenda_model.rows):
            return
        self.agenda_model.move_row(row, to)
        self.agenda.setCurrentIndex(
            self.agenda_model.index(to, self.agenda.currentIndex().column())
        )
        order = [c.id for c in self.agenda_model.rows]
        store, actor = self.store_actor
        self._write(
            self.tr("Reordering the agenda"),
            lambda: meetings.reorder_cases(store, actor, meeting.id, order),
            self.tr("{ref} is now number {n}.").format(ref=case.case_ref, n=to + 1),
        )

    def move_case(self) -> None:
        meeting = self._editable_meeting()
        selected = self._selected_case()
        if meeting is None or selected is None:
            return
        _row, case = selected
        targets = self._targets(meeting)
        dialog = MoveCaseDialog(case, targets, meeting.meeting_date, self)
        store, actor = self.store_actor

        def submit(values: Any) -> None:
            target = next(m for m in targets if m.id == int(values))
            self._write(
                self.tr("Moving the case"),
                lambda: meetings.move_case(store, actor, case.id, target.id),
                self.tr("{ref} moved to the meeting of {date}.").format(
                    ref=case.case_ref, date=short_date(target.meeting_date)
                ),
                dialog,
            )

        self._open(dialog, submit)

    def _minutes_edited(self, case_id: int, minutes: int) -> None:
        store, actor = self.store_actor
        if self.snapshot is not None and self.snapshot.agenda is not None:
            self._show_totals(self.snapshot.agenda)
        self._write(
            self.tr("Saving the time allowed"),
            lambda: meetings.set_allotted_minutes(store, actor, case_id, minutes),
            self.tr("{n} minutes allowed.").format(n=minutes),
        )

    # ----- research --------------------------------------------------------------------------

    def _research_edited(self, case_id: int, agency: str, status: str) -> None:
        store, actor = self.store_actor
        ref = next((c.case_ref for c in self.research_model.cases if c.id == case_id), "")
        words = self.tr(RESEARCH_WORDS.get(status, status)).lstrip("…✓∅ ").lower()
        self._write(
            self.tr("Saving the research return"),
            lambda: meetings.set_research(store, actor, case_id, agency, status),
            self.tr("{ref}: research from {agency} {what}.").format(
                ref=ref, agency=agency, what=words if status else self.tr("cleared")
            ),
        )

    def request_research(self) -> None:
        meeting = self._editable_meeting()
        snap = self.snapshot
        if meeting is None or snap is None or not self.agenda_model.rows:
            return
        asked = set(self.research_model.agencies)
        if snap.panel is not None:
            asked |= set(snap.panel.quorum.required_agencies)
        dialog = RequestResearchDialog(
            snap.agencies, sorted(asked), len(self.agenda_model.rows), self
        )
        store, actor = self.store_actor

        def submit(values: Any) -> None:
            chosen = list(values)
            self._write(
                self.tr("Requesting research"),
                lambda: meetings.request_research(store, actor, meeting.id, chosen),
                lambda n: self.tr("Research requested from {agencies}: {n} new request(s).").format(
                    agencies=", ".join(chosen), n=n
                ),
                dialog,
            )

        self._open(dialog, submit)
