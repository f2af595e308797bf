"""The audit area: the trail of every change, filtered in the database and read page by page."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import audit
from marac_desk.services.audit import AuditEventView, AuditFilter
from marac_desk.services.session import OpenStore
from marac_desk.ui.area import AreaContext
from marac_desk.ui.tasks import TaskContext
from marac_desk.ui.widgets import (
    MUTED_COLOUR,
    MessageLabel,
    format_datetime,
    heading,
    named,
    safe_error,
)

PAGE_SIZE = 200
_NO_DATE = QDate(2000, 1, 1)


class AuditModel(QAbstractTableModel):
    """Events newest first; rows arrive a page at a time as the view scrolls (fetchMore)."""

    counted = Signal(int)  # how many events match the filter

    COLUMNS = ("When", "Who", "Action", "Record", "Record id", "Description", "No.")

    def __init__(self, opened: OpenStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._opened = opened
        self._filter = AuditFilter()
        self._rows: list[AuditEventView] = []
        self._total = 0
        self.page_size = PAGE_SIZE

    @property
    def total(self) -> int:
        return self._total

    @property
    def current_filter(self) -> AuditFilter:
        return self._filter

    def set_filter(self, flt: AuditFilter) -> None:
        """Count the matches and load the first page; the view asks for more as it scrolls."""
        store = self._opened.store
        self.beginResetModel()
        self._filter = flt
        self._total = 0 if store.closed else audit.count_events(store, flt)
        self._rows = (
            list(audit.list_events(store, flt, offset=0, limit=self.page_size))
            if self._total
            else []
        )
        self.endResetModel()
        self.counted.emit(self._total)

    def reload(self) -> None:
        self.set_filter(self._filter)

    def event_at(self, row: int) -> AuditEventView:
        return self._rows[row]

    # ----- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._opened.store.closed:
            return
        page = audit.list_events(
            self._opened.store, self._filter, offset=len(self._rows), limit=self.page_size
        )
        if not page:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        ev = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                format_datetime(ev.occurred_at),
                ev.actor,
                ev.action.replace("_", " "),
                ev.entity.replace("_", " "),
                ev.entity_id,
                ev.description,
                str(ev.seq),
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.COLUMNS[section])
        return None


class AuditView(QWidget):
    verified = Signal(bool, str)  # ok, the text shown

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._verifying = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)

        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Audit trail"), 1, self))
        top.addStretch(1)
        self.verify_button = QPushButton(self.tr("&Verify chain"), self)
        self.verify_button.setToolTip(
            self.tr("Check that no event has been altered or removed (Ctrl+Shift+V)")
        )
        named(self.verify_button, self.tr("Verify the audit chain"))
        self.verify_button.clicked.connect(self.verify)
        self.verify_button.setShortcut(self.tr("Ctrl+Shift+V"))
        top.addWidget(self.verify_button)
        outer.addLayout(top)
        self.verify_message = MessageLabel(self, name=self.tr("Verification result"))
        outer.addWidget(self.verify_message)

        outer.addLayout(self._build_filters())
        outer.addWidget(self._build_table(), 1)
        self.count_label = QLabel("", self)
        self.count_label.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.count_label.setAccessibleName(self.tr("Number of events"))
        outer.addWidget(self.count_label)
        self.model.counted.connect(self._show_count)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.apply_filters)
        for combo in (self.action_filter, self.entity_filter, self.actor_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _d: self.apply_filters())
        self.text_filter.textChanged.connect(lambda _t: self._debounce.start())
        self.text_filter.returnPressed.connect(self.apply_filters)
        self._loading_choices = False

    def _build_filters(self) -> QGridLayout:
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.setVerticalSpacing(4)
        self.action_filter = self._combo(self.tr("Filter by action"))
        self.entity_filter = self._combo(self.tr("Filter by record type"))
        self.actor_filter = self._combo(self.tr("Filter by user"))
        self.since = self._date(self.tr("Events from date"))
        self.until = self._date(self.tr("Events up to date"))
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText(self.tr("Case ref, id or words"))
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMinimumWidth(220)
        named(self.text_filter, self.tr("Search the audit trail"))
        self.clear_button = QPushButton(self.tr("C&lear filters"), self)
        named(self.clear_button, self.tr("Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        labelled = (
            (self.tr("&Action"), self.action_filter),
            (self.tr("&Record type"), self.entity_filter),
            (self.tr("&User"), self.actor_filter),
            (self.tr("&From"), self.since),
            (self.tr("&To"), self.until),
            (self.tr("&Search"), self.text_filter),
        )
        for column, (text, widget) in enumerate(labelled):
            label = QLabel(text, self)
            label.setBuddy(widget)
            label.setStyleSheet(f"color: {MUTED_COLOUR};")
            filters.addWidget(label, 0, column)
            filters.addWidget(widget, 1, column)
        filters.addWidget(self.clear_button, 1, len(labelled))
        filters.setColumnStretch(5, 2)
        return filters

    def _build_table(self) -> QTableView:
        self.model = AuditModel(self._ctx.opened, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 150, 90, 110, 150, 0, 60)):
            if width:
                self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        named(self.table, self.tr("Audit events"))
        return self.table

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setMinimumWidth(120)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        named(combo, name)
        return combo

    def _date(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(self.tr("any date"))
        edit.setDate(_NO_DATE)
        edit.setMinimumWidth(130)
        named(edit, name)
        return edit

    # ----- filters ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.load_choices()
        self.apply_filters()

    def load_choices(self) -> None:
        actions, entities, actors = audit.distinct_values(self._ctx.opened.store)
        self._loading_choices = True
        try:
            for combo, values in (
                (self.action_filter, actions),
                (self.entity_filter, entities),
                (self.actor_filter, actors),
            ):
                current = combo.currentData()
                combo.blockSignals(True)
                combo.clear()
                combo.addItem(self.tr("Any"), None)
                for value in values:
                    combo.addItem(value.replace("_", " "), value)
                index = combo.findData(current) if current is not None else 0
                combo.setCurrentIndex(max(0, index))
                combo.blockSignals(False)
        finally:
            self._loading_choices = False

    def current_filter(self) -> AuditFilter:
        def day(edit: QDateEdit) -> date | None:
            value = edit.date()
            return None if value == _NO_DATE else date(value.year(), value.month(), value.day())

        text = self.text_filter.text().strip()
        return AuditFilter(
            action=self.action_filter.currentData(),
            entity=self.entity_filter.currentData(),
            actor=self.actor_filter.currentData(),
            since=day(self.since),
            until=day(self.until),
            text=text or None,
        )

    def apply_filters(self) -> None:
        if self._loading_choices or self._ctx.opened.store.closed:
            return
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        self._loading_choices = True
        try:
            for combo in (self.action_filter, self.entity_filter, self.actor_filter):
                combo.setCurrentIndex(0)
            self.since.setDate(_NO_DATE)
            self.until.setDate(_NO_DATE)
            self.text_filter.clear()
        finally:
            self._loading_choices = False
        self.apply_filters()

    def _show_count(self, total: int) -> None:
        flt = self.current_filter()
        filtered = any((flt.action, flt.entity, flt.actor, flt.since, flt.until, flt.text))
        text = self.tr("{n} events").format(n=f"{total:,}") if total != 1 else self.tr("1 event")
        if filtered:
            text += self.tr(" match the filters")
        text += self.tr(" · times are local · newest first")
        self.count_label.setText(text)

    # ----- verification ----------------------------------------------------------------------

    def verify(self) -> None:
        if self._verifying:
            return
        self._verifying = True
        self.verify_button.setEnabled(False)
        self.verify_message.show_note(self.tr("Verifying the audit chain…"))
        store = self._ctx.opened.store

        def work(_task: TaskContext) -> Any:
            return audit.verify(store)

        self._ctx.runner.run(
            self.tr("Verifying the audit chain"),
            work,
            on_success=self._verified,
            on_error=self._verify_failed,
            context=self,
        )

    def _verified(self, verdict: Any) -> None:
        self._verifying = False
        self.verify_button.setEnabled(True)
        if verdict.ok:
            text = self.tr("Chain intact: {n} events checked; none altered or removed.").format(
                n=f"{verdict.events_checked:,}"
            )
            self.verify_message.show_ok(text)
        else:
            text = self.tr(
                "CHAIN BROKEN: {problem}. The trail has been tampered with or "
                "damaged; restore from a backup and seek support."
            ).format(problem=verdict.problem)
            self.verify_message.show_error(text)
        self.verified.emit(bool(verdict.ok), text)

    def _verify_failed(self, exc: BaseException) -> None:
        self._verifying = False
        self.verify_button.setEnabled(True)
        text = self.tr("The chain could not be verified: {error}").format(error=safe_error(exc))
        self.verify_message.show_error(text)
        self.verified.emit(False, text)
