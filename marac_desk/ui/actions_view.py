"""The actions area: every action agencies agreed at meetings, filtered in the database and read a
page at a time, with each action's history of dated updates and a dialog to record the next one.

The navigation shows how many open actions are overdue (`badge_changed`). Keys: Ctrl+F search,
Ctrl+Shift+X clear the filters, Enter or Ctrl+U update the selected action's status,
Ctrl+Shift+E export every agency's list of its open actions (ui.documents_dialog).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core.actions_rules import CLOSED_ACTION_STATUSES
from marac_desk.core.vocab import ACTION_STATUSES
from marac_desk.services import actions, meetings, referrals
from marac_desk.services.actions import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    ActionFilter,
    ActionRejected,
    ActionRow,
    UpdateRow,
)
from marac_desk.services.session import Store
from marac_desk.ui.area import AreaContext
from marac_desk.ui.documents_dialog import DocumentsDialog
from marac_desk.ui.meetings_view import bold_font, size_columns, table
from marac_desk.ui.paged_model import PagedQueryModel, TaskTitles
from marac_desk.ui.panel_dialog import FormDialog, short_date
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import uk_date
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    OK_COLOUR,
    MessageLabel,
    heading,
    name_unnamed_buttons,
    named,
    safe_error,
    tr,
)

SEARCH_DEBOUNCE_MS = 250
CONTEXT = "Actions"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("case_ref", "Case ref"),
    ("meeting", "Meeting"),
    ("owner", "Owner"),
    ("text", "Action"),
    ("category", "Category"),
    ("due", "Due"),
    ("status", "Status"),
    ("overdue", "Overdue"),
)
TEXT_COLUMN = 3
DUE_COLUMN = 5
STATUS_COLUMN = 6
OVERDUE_COLUMN = 7
COLUMN_SAMPLES: tuple[tuple[str, bool], ...] = (
    ("NT-2026-00000", True),
    ("00/00/0000", False),
    ("Children's Social Care · Fa", False),
    ("", False),
    ("Perpetrator d", False),
    ("00/00/0000", False),
    ("Carried forward", False),
    ("⚠ 000 days", True),
)
# The list's words for a status; the full ones are in the detail and the dialog.
SHORT_STATUS = {
    "not_possible": "Not possible",
    "not_undertaken": "Not undertaken",
}


def status_text(status: str) -> str:
    return tr(STATUS_LABELS.get(status, status.replace("_", " ").capitalize()), CONTEXT)


def category_text(category: str) -> str:
    return tr(CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize()), CONTEXT)


def day_text(day: date | None) -> str:
    return day.strftime("%d %b %Y") if day else ""


def overdue_text(row: ActionRow) -> str:
    if not row.overdue:
        return ""
    n = row.days_overdue
    if n == 0:
        return tr("⚠ since the weekend", CONTEXT)
    return tr("⚠ 1 day", CONTEXT) if n == 1 else tr("⚠ {n} days", CONTEXT).format(n=n)


class ActionListModel(PagedQueryModel[ActionRow, ActionFilter]):
    """Actions matching the filter, in the service's order (due date first), a page at a time."""

    def __init__(self, ctx: AreaContext, parent: QObject | None = None) -> None:
        super().__init__(ctx, ActionFilter(), parent)
        self.today: date = date.today()

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def text(self, r: ActionRow, column: int) -> str:
        return (
            r.case_ref,
            uk_date(r.meeting_date),
            f"{r.owner_agency} · {r.owner_person}" if r.owner_person else r.owner_agency,
            " ".join(r.text.split()),
            category_text(r.category),
            uk_date(r.due_date) or self.tr("no date"),
            self.tr(SHORT_STATUS[r.status]) if r.status in SHORT_STATUS else status_text(r.status),
            overdue_text(r),
        )[column]

    def data(  # noqa: PLR0911 - one answer per role
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == OVERDUE_COLUMN and r.overdue:
                return self.tr("{n} working day(s) overdue: due {date}").format(
                    n=r.days_overdue, date=short_date(r.due_date)
                )
            if column == TEXT_COLUMN:
                return r.text
            if column == STATUS_COLUMN:
                return status_text(r.status)
            return self.text(r, column) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == OVERDUE_COLUMN or (column == DUE_COLUMN and r.overdue):
                return QBrush(QColor(ERROR_COLOUR))
            if column == STATUS_COLUMN and r.status == "completed":
                return QBrush(QColor(OK_COLOUR))
            if r.status in CLOSED_ACTION_STATUSES:
                return QBrush(QColor(MUTED_COLOUR))
            return None
        if role == Qt.ItemDataRole.FontRole and (column in (0, OVERDUE_COLUMN)):
            return bold_font()
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(COLUMNS[section][1])
        return None

    # ----- loading ---------------------------------------------------------------------------

    def _new_request(self) -> None:
        self.today = date.today()  # overdue is judged as of the request

    def _page_reader(self, store: Store, offset: int, limit: int) -> Callable[[], list[ActionRow]]:
        flt, today = self.filter, self.today
        return lambda: actions.list_actions(store, flt, today=today, limit=limit, offset=offset)

    def _count_reader(self, store: Store) -> Callable[[], int]:
        flt, today = self.filter, self.today
        return lambda: actions.count_actions(store, flt, today)

    def _task_titles(self) -> TaskTitles:
        return TaskTitles(
            self.tr("Loading actions"), self.tr("Counting actions"), self.tr("Loading more actions")
        )


# ----- the status dialog --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChoice:
    status: str
    note: str
    new_due: date | None
    on: date


class StatusDialog(FormDialog):
    """Record an update: the new status, a dated note, a new due date to carry it forward.
    Problems the rules find are shown beside their field and the dialog stays open."""

    def __init__(self, row: ActionRow, parent: QWidget | None = None, *, today: date) -> None:
        super().__init__(
            tr("Update the action for {agency}", CONTEXT).format(agency=row.owner_agency),
            tr("Save update", CONTEXT),
            parent,
        )
        self.setMinimumWidth(560)
        self._row = row
        what = QLabel(
            f"<b>{escape(row.case_ref)}</b> · {escape(row.owner_agency)}"
            + (f" ({escape(row.owner_person)})" if row.owner_person else "")
            + f"<br>{escape(row.text)}<br><span style='color:{MUTED_COLOUR}'>"
            + escape(
                self.tr("Now: {status}, due {due}").format(
                    status=status_text(row.status).lower(),
                    due=short_date(row.due_date) or self.tr("no date"),
                )
            )
            + "</span>",
            self,
        )
        what.setWordWrap(True)
        what.setAccessibleName(self.tr("The action"))
        self.outer.insertWidget(0, what)
        self.status = QComboBox(self)
        for code in ACTION_STATUSES:
            self.status.addItem(status_text(code), code)
        self.status.setCurrentIndex(max(0, self.status.findData(row.status)))
        named(self.status, self.tr("New status"))
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 14)
        named(self.note, self.tr("Note"))
        self.on = DateField(self, self.tr("Date of the update"))
        self.on.set_date(today)
        self.new_due = DateField(self, self.tr("New due date"))
        self.add_field("status", self.tr("&Status"), self.status)
        self.add_field(
            "note",
            self.tr("&Note"),
            self.note,
            self.tr("Needed to close as not possible or not undertaken, or to reopen."),
        )
        self.add_field("on", self.tr("&Dated"), self.on)
        self.add_field(
            "due_date",
            self.tr("New d&ue date"),
            self.new_due,
            self.tr("Needed to carry the action forward: a date after today and the current one."),
        )
        self.finish()
        self.status.currentIndexChanged.connect(lambda _i: self._status_changed())
        self._status_changed()
        self.status.setFocus()

    def _status_changed(self) -> None:
        closed = str(self.status.currentData()) in CLOSED_ACTION_STATUSES
        self.new_due.setEnabled(not closed)
        if closed:
            self.new_due.clear()

    def set_status(self, code: str) -> None:
        self.status.setCurrentIndex(self.status.findData(code))

    def values(self) -> StatusChoice | None:
        on, due = self.on.parsed(), self.new_due.parsed()
        ok = True
        if on.value is None:
            self.problem("on", on.problem or self.tr("Type the date of the update."))
            ok = False
        if due.problem:
            self.problem("due_date", due.problem)
            ok = False
        if not ok or on.value is None:
            return None
        return StatusChoice(
            str(self.status.currentData()), self.note.toPlainText().strip(), due.value, on.value
        )


# ----- the area ---------------------------------------------------------------------------------


class ActionsView(QWidget):
    badge_changed = Signal(str)  # the overdue count for the navigation ("" for none)
    saved = Signal(bool, str)  # an update finished: ok, the message
    history_loaded = Signal()

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 - builds the widgets in reading order
        super().__init__(parent)
        self._ctx = ctx
        self._loading_choices = False
        self._announcing = False
        self.dialog: StatusDialog | None = None
        self.documents_dialog: DocumentsDialog | None = None
        self.history: list[UpdateRow] = []
        self._history_for: int | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Actions"), 1, self))
        top.addStretch(1)
        self.update_button = QPushButton(self.tr("Update status…"), self)
        self.update_button.setToolTip(self.tr("Record an update to the selected action (Ctrl+U)"))
        named(self.update_button, self.tr("Update status"))
        self.update_button.clicked.connect(self.update_status)
        self.export_button = QPushButton(self.tr("Export open actions…"), self)
        self.export_button.setToolTip(
            self.tr("Every agency's list of its open actions, one PDF each (Ctrl+Shift+E)")
        )
        named(self.export_button, self.tr("Export open actions"))
        self.export_button.clicked.connect(self.export_open_actions)
        top.addWidget(self.export_button)
        top.addWidget(self.update_button)
        outer.addLayout(top)
        outer.addLayout(self._build_filters())
        self.message = MessageLabel(self, name=self.tr("Actions message"))
        outer.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        named(splitter, self.tr("The actions and the selected one"))
        upper = QWidget(splitter)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        self.model = ActionListModel(ctx, self)
        self.table = table(upper, self.model, self.tr("Actions"))
        size_columns(self.table, COLUMN_SAMPLES, TEXT_COLUMN)
        self.table.horizontalHeader().setMinimumSectionSize(40)
        self.table.setAccessibleDescription(self.tr("Enter updates the selected action"))
        upper_layout.addWidget(self.table, 1)
        self.count_label = QLabel(upper)
        self.count_label.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.count_label.setAccessibleName(self.tr("Number of actions"))
        upper_layout.addWidget(self.count_label)
        splitter.addWidget(upper)
        splitter.addWidget(self._build_detail(splitter))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        outer.addWidget(splitter, 1)

        self.model.loaded.connect(self._loaded)
        self.model.counted.connect(self._show_count)
        self.model.failed.connect(self._load_failed)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_selected())

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self.text_filter.textChanged.connect(lambda _t: self._debounce.start())
        self.text_filter.returnPressed.connect(self.apply_filters)
        for combo in (self.agency_filter, self.status_filter, self.meeting_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for box in (self.overdue_filter, self.week_filter):
            box.toggled.connect(lambda _on: self.apply_filters())

        for keys, slot in (
            ("Ctrl+F", self.focus_search),
            ("Ctrl+Shift+X", self.clear_filters),
            ("Ctrl+U", self.update_status),
            ("Ctrl+Shift+E", self.export_open_actions),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.table)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(self.update_status)
        self.table.doubleClicked.connect(lambda _i: self.update_status())
        ctx.events.data_changed.connect(self._data_changed)
        name_unnamed_buttons(self)
        self._show_selected()

    # ----- building --------------------------------------------------------------------------

    def _build_filters(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.agency_filter = self._combo(self.tr("Filter by owner agency"))
        self.status_filter = self._combo(self.tr("Filter by status"))
        self.status_filter.addItem(self.tr("Any"), None)
        self.status_filter.addItem(self.tr("Open (and carried forward)"), "open")
        for code in ACTION_STATUSES:
            if code != "open":
                self.status_filter.addItem(status_text(code), code)
        # What a coordinator chases: the open ones, until they choose otherwise.
        self.status_filter.setCurrentIndex(1)
        self.status_filter.setMinimumWidth(
            self.status_filter.fontMetrics().horizontalAdvance(self.status_filter.itemText(1)) + 44
        )
        self.meeting_filter = self._combo(self.tr("Filter by meeting"))
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText(self.tr("Case ref, action or person"))
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMinimumWidth(180)
        named(self.text_filter, self.tr("Search actions by case ref, words or person"))
        self.overdue_filter = QCheckBox(self.tr("&Overdue only"), self)
        named(self.overdue_filter, self.tr("Overdue only"))
        self.week_filter = QCheckBox(self.tr("Due this &week"), self)
        named(self.week_filter, self.tr("Due this week"))
        self.clear_button = QPushButton(self.tr("Clear filters"), self)
        self.clear_button.setToolTip(self.tr("Clear every filter (Ctrl+Shift+X)"))
        named(self.clear_button, self.tr("Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        labelled = (
            (self.tr("&Search (Ctrl+F)"), self.text_filter, 2),
            (self.tr("&Agency"), self.agency_filter, 1),
            (self.tr("S&tatus"), self.status_filter, 1),
            (self.tr("&Meeting"), self.meeting_filter, 1),
        )
        column = 0
        for text, widget, span in labelled:
            caption = QLabel(text, self)
            caption.setBuddy(widget)
            caption.setStyleSheet(f"color: {MUTED_COLOUR};")
            grid.addWidget(caption, 0, column, 1, span)
            grid.addWidget(widget, 1, column, 1, span)
            column += span
        for c in range(column):
            grid.setColumnStretch(c, 1)
        line = QHBoxLayout()
        line.addWidget(self.overdue_filter)
        line.addWidget(self.week_filter)
        line.addStretch(1)
        line.addWidget(self.clear_button)
        grid.addLayout(line, 2, 0, 1, column)
        return grid

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setMinimumWidth(130)
        named(combo, name)
        return combo

    def _build_detail(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        about = QGroupBox(self.tr("The action"), box)
        about_layout = QVBoxLayout(about)
        self.detail = QLabel(about)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName(self.tr("The selected action"))
        about_layout.addWidget(self.detail, 1)
        layout.addWidget(about, 2)
        history = QGroupBox(self.tr("History of updates"), box)
        history_layout = QVBoxLayout(history)
        self.history_view = QTextBrowser(history)
        self.history_view.setOpenLinks(False)
        named(self.history_view, self.tr("History of updates, newest first"))
        history_layout.addWidget(self.history_view, 1)
        layout.addWidget(history, 3)
        return box

    # ----- loading ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.load_choices()
        self.apply_filters()
        self.refresh_badge()
        self.table.setFocus()

    def _data_changed(self) -> None:
        if self._announcing:
            return
        self.refresh_badge()
        if self.isVisible():
            self.apply_filters()

    def refresh_badge(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        today = date.today()
        self._ctx.runner.run(
            self.tr("Counting overdue actions"),
            lambda _t: actions.count_actions(store, ActionFilter(overdue=True), today),
            show_progress=False,
            on_success=lambda n: self.badge_changed.emit(
                self.tr("{n} overdue").format(n=n) if n else ""
            ),
            context=self,
        )

    def load_choices(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        today = date.today()
        held = [
            m
            for m in reversed(meetings.list_meetings(store, include_cancelled=False))
            if m.status == "held" or m.meeting_date <= today
        ]
        several = len({m.panel_id for m in held}) > 1
        choices: list[tuple[str, Any]] = [
            (short_date(m.meeting_date) + (f" · {m.panel}" if several else ""), m.id) for m in held
        ]
        self._loading_choices = True
        try:
            for combo, values in (
                (self.agency_filter, [(a, a) for a in referrals.agency_names(store)]),
                (self.meeting_filter, choices),
            ):
                current = combo.currentData()
                combo.blockSignals(True)
                combo.clear()
                combo.addItem(self.tr("Any"), None)
                for text, value in values:
                    combo.addItem(text, value)
                index = combo.findData(current) if current is not None else 0
                combo.setCurrentIndex(max(0, index))
                combo.blockSignals(False)
        finally:
            self._loading_choices = False

    def current_filter(self) -> ActionFilter:
        return ActionFilter(
            agency=self.agency_filter.currentData(),
            status=self.status_filter.currentData(),
            overdue=self.overdue_filter.isChecked(),
            due_this_week=self.week_filter.isChecked(),
            meeting_id=self.meeting_filter.currentData(),
            text=self.text_filter.text().strip(),
        )

    def apply_filters(self) -> None:
        if self._loading_choices or self._ctx.opened.store.closed:
            return
        self._debounce.stop()
        self.count_label.setText(self.tr("Searching…"))
        self.model.load(self.current_filter())

    def clear_filters(self) -> None:
        self._loading_choices = True
        try:
            for combo in (self.agency_filter, self.status_filter, self.meeting_filter):
                combo.setCurrentIndex(0)
            for box in (self.overdue_filter, self.week_filter):
                box.setChecked(False)
            self.text_filter.clear()
        finally:
            self._loading_choices = False
        self.apply_filters()

    def focus_search(self) -> None:
        self.text_filter.setFocus()
        self.text_filter.selectAll()

    def _loaded(self) -> None:
        self.message.clear_message()
        filtered = self.model.filter != ActionFilter()
        self.table.set_placeholder(
            self.tr("No action matches the filters. Clear them (Ctrl+Shift+X) to see every action.")
            if filtered
            else self.tr(
                "No actions yet. Actions are recorded for each case when a meeting is run "
                "(Meetings area, Run meeting); they are followed up here."
            )
        )
        if self.model.rowCount():
            wanted = self._history_for
            row = next(
                (r for r in range(self.model.rowCount()) if self.model.row_at(r).id == wanted), 0
            )
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._show_selected()
        if self.model.total is None:
            self.count_label.setText(self.tr("Counting…"))

    def _show_count(self, total: int) -> None:
        filtered = self.model.filter != ActionFilter()
        text = self.tr("1 action") if total == 1 else self.tr("{n} actions").format(n=f"{total:,}")
        if filtered:
            text += self.tr(" match the filters")
        text += self.tr(" · earliest due first · overdue counts working days after the due date")
        self.count_label.setText(text)

    def _load_failed(self, text: str) -> None:
        self.count_label.setText("")
        self.message.show_error(
            self.tr("The actions could not be read: {error}").format(error=text)
        )

    # ----- the selected action ----------------------------------------------------------------

    def selected(self) -> ActionRow | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def _show_selected(self) -> None:
        row = self.selected()
        self.update_button.setEnabled(row is not None)
        if row is None:
            self.detail.setText(
                f"<span style='color:{MUTED_COLOUR}'>"
                + escape(self.tr("Choose an action in the list to see it and its history."))
                + "</span>"
            )
            self.history_view.clear()
            self._history_for = None
            return
        self.detail.setText(self._detail_html(row))
        self.detail.setAccessibleDescription(row.text)
        if row.id != self._history_for:
            self._history_for = row.id
            self.load_history(row.id)

    def _detail_html(self, r: ActionRow) -> str:
        def line(key: str, value: str) -> str:
            if not value:
                return ""
            return (
                f"<tr><td style='color:{MUTED_COLOUR}; padding-right:10px'>{escape(key)}</td>"
                f"<td>{value}</td></tr>"
            )

        due = escape(short_date(r.due_date) or self.tr("no due date"))
        if r.overdue:
            due += (
                f" <b style='color:{ERROR_COLOUR}'>"
                + escape(self.tr("overdue by {n} working day(s)").format(n=r.days_overdue))
                + "</b>"
            )
        owner = escape(r.owner_agency) + (f" · {escape(r.owner_person)}" if r.owner_person else "")
        meeting = escape(short_date(r.meeting_date)) if r.meeting_date else ""
        if meeting and r.panel:
            meeting += f" ({escape(r.panel)})"
        rows = "".join(
            (
                line(self.tr("Case"), f"<b>{escape(r.case_ref)}</b>"),
                line(self.tr("Agreed at"), meeting),
                line(self.tr("Owner"), owner),
                line(self.tr("Category"), escape(category_text(r.category))),
                line(self.tr("Risk it addresses"), escape(r.linked_risk)),
                line(self.tr("Due"), due),
                line(self.tr("Status"), escape(status_text(r.status))),
                line(self.tr("Completed on"), escape(short_date(r.completed_on))),
            )
        )
        return f"<p>{escape(r.text)}</p><table cellspacing='0' cellpadding='2'>{rows}</table>"

    def load_history(self, action_id: int) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        self._ctx.runner.run(
            self.tr("Reading the action's history"),
            lambda _t: actions.updates_of(store, action_id),
            show_progress=False,
            on_success=lambda rows: self._history_loaded(action_id, rows),
            on_error=lambda exc: self.message.show_error(safe_error(exc)),
            context=self,
        )

    def _history_loaded(self, action_id: int, rows: Sequence[UpdateRow]) -> None:
        if action_id != self._history_for:
            return
        self.history = list(rows)
        self.history_view.setHtml(self._history_html(self.history))
        self.history_loaded.emit()

    def _history_html(self, rows: Sequence[UpdateRow]) -> str:
        if not rows:
            return (
                f"<p style='color:{MUTED_COLOUR}'>"
                + escape(
                    self.tr("No updates yet. Press Update status… (Ctrl+U or Enter) to record one.")
                )
                + "</p>"
            )
        parts = []
        for u in reversed(rows):
            head = f"<b>{escape(short_date(u.updated_on))} · {escape(status_text(u.status))}</b>"
            extra = []
            if u.new_due_date:
                extra.append(self.tr("new due date {date}").format(date=short_date(u.new_due_date)))
            extra.append(self.tr("at a meeting") if u.meeting_id else self.tr("between meetings"))
            if u.by:
                extra.append(self.tr("by {name}").format(name=u.by))
            head += f" <span style='color:{MUTED_COLOUR}'>— {escape(', '.join(extra))}</span>"
            note = f"<br>{escape(u.note)}" if u.note else ""
            parts.append(f"<p>{head}{note}</p>")
        return "".join(parts)

    def export_open_actions(self) -> None:
        if self.documents_dialog is not None:
            self.documents_dialog.raise_()
            return
        dialog = DocumentsDialog(self._ctx, None, self)
        self.documents_dialog = dialog

        def closed(_code: int) -> None:
            if self.documents_dialog is dialog:
                self.documents_dialog = None
            dialog.deleteLater()
            self.window().activateWindow()
            self.table.setFocus()

        dialog.finished.connect(closed)
        dialog.open()

    # ----- updating --------------------------------------------------------------------------

    def update_status(self) -> None:
        row = self.selected()
        if row is None or self.dialog is not None:
            return
        dialog = StatusDialog(row, self, today=date.today())
        self.dialog = dialog
        store, actor = self._ctx.opened.store, self._ctx.opened.actor

        def submit(values: Any) -> None:
            assert isinstance(values, StatusChoice)

            def succeeded(_r: Any) -> None:
                text = self.tr("{ref}: action for {agency} now {status}.").format(
                    ref=row.case_ref,
                    agency=row.owner_agency,
                    status=status_text(values.status).lower(),
                )
                dialog.succeeded()
                self.message.show_ok(text)
                self._announcing = True
                try:
                    self._ctx.events.data_changed.emit()
                finally:
                    self._announcing = False
                self._history_for = row.id
                self.refresh_badge()
                self.apply_filters()
                self.load_history(row.id)
                self.saved.emit(True, text)

            def failed(exc: BaseException) -> None:
                text = safe_error(exc)
                problems = exc.problems if isinstance(exc, ActionRejected) else ()
                dialog.failed(text, problems)
                self.saved.emit(False, text)

            self._ctx.runner.run(
                self.tr("Saving the update"),
                lambda _t: actions.set_status(
                    store,
                    actor,
                    row.id,
                    values.status,
                    note=values.note,
                    new_due=values.new_due,
                    on=values.on,
                ),
                on_success=succeeded,
                on_error=failed,
                context=self,
            )

        dialog.submitted.connect(submit)

        def closed(_code: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()
            self.window().activateWindow()
            self.table.setFocus()

        dialog.finished.connect(closed)
        dialog.open()
