"""The referrals area: the list (filtered and sorted in the database, read a page at a time in
the background), the "12 months lapsed this month" list, the new-referral form and the detail.

Everything that reads the list runs in the task runner and comes back tagged with the request
it answers, so typing in the search box never freezes the window and a late answer to an old
search is dropped. Ctrl+N starts a referral from anywhere in this area.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import shiboken6
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
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeySequence, QShortcut
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
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import people, referrals
from marac_desk.services.referrals import ReferralFilter, ReferralRow, SavedReferral
from marac_desk.services.session import Store
from marac_desk.ui.area import AreaContext
from marac_desk.ui.paged_model import PagedQueryModel, TaskTitles
from marac_desk.ui.referral_detail import ReferralDetailView
from marac_desk.ui.referral_form import ReferralForm
from marac_desk.ui.referral_text import (
    MATCH_LABELS,
    STATUS_LABELS,
    label,
    month_name,
    risk_text,
    status_label,
    uk_date,
)
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    heading,
    name_unnamed_buttons,
    named,
    safe_error,
)

SEARCH_DEBOUNCE_MS = 250
_NO_DATE = QDate(2000, 1, 1)

# (sort key for the service, header) in column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("case_ref", "Case ref"),
    ("referral_date", "Date"),
    ("victim", "Victim (as referred)"),
    ("victim_dob", "Born"),
    ("referring_agency", "Referring agency"),
    ("status", "Status"),
    ("repeat", "Repeat"),
    ("risk_score", "Risk"),
    ("match_status", "Match"),
    ("panel", "Panel"),
)
VICTIM_COLUMN = 2
STATUS_COLUMN = 5
REPEAT_COLUMN = 6
MATCH_COLUMN = 8
PANEL_COLUMN = 9
# The widest usual value of each column, and whether it is shown in bold.
COLUMN_SAMPLES: tuple[tuple[str, bool], ...] = (
    ("NT-2026-00000", True),
    ("00/00/0000", False),
    ("Aleksandra WISNIEWSKA", False),
    ("00/00/0000", False),
    ("Children's Social C", False),
    ("Withdrawn", False),
    ("◆ New perpetrator", True),
    ("24 · standard", False),
    ("⚑ Needs review", True),
    ("Northtown MARAC", False),
)


class ReferralTableModel(QAbstractTableModel):
    """Referral rows as the list shows them: repeats and "needs review" stand out."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ReferralRow] = []

    def row_at(self, row: int) -> ReferralRow:
        return self._rows[row]

    def set_rows(self, rows: list[ReferralRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def text(self, r: ReferralRow, column: int) -> str:
        if column == REPEAT_COLUMN:
            if r.repeat:
                return self.tr("● REPEAT")
            return self.tr("◆ New perpetrator") if r.new_perpetrator else ""
        return (
            r.case_ref,
            uk_date(r.referral_date),
            r.victim_name,
            uk_date(r.victim_dob),
            r.referring_agency,
            self.tr("Listed") if r.status == "listed" else status_label(r.status),
            "",
            risk_text(r.risk_score, r.risk_grade),
            label(MATCH_LABELS, r.match_status),
            r.panel,
        )[column]

    def data(  # noqa: PLR0911, PLR0912 - one answer per role
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == REPEAT_COLUMN and r.repeat:
                return self.tr("A repeat: same victim and perpetrator within 12 months")
            if column == REPEAT_COLUMN and r.new_perpetrator:
                return self.tr("Previous MARAC within 12 months, new perpetrator")
            if column == MATCH_COLUMN and r.match_status == "review":
                return self.tr(
                    "The victim may be someone already in the store: see People to review"
                )
            if column == STATUS_COLUMN:
                return status_label(r.status)
            return self.text(r, column) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == REPEAT_COLUMN and r.repeat:
                return QBrush(QColor(ERROR_COLOUR))
            if (column == REPEAT_COLUMN and r.new_perpetrator) or (
                column == MATCH_COLUMN and r.match_status == "review"
            ):
                return QBrush(QColor(WARNING_COLOUR))
            if column == MATCH_COLUMN and r.match_status == "new":
                return QBrush(QColor(MUTED_COLOUR))
            return None
        if role == Qt.ItemDataRole.FontRole and (
            column in (REPEAT_COLUMN, 0) or (column == MATCH_COLUMN and r.match_status == "review")
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(COLUMNS[section][1])
        return None


class ReferralListModel(PagedQueryModel[ReferralRow, ReferralFilter], ReferralTableModel):
    """The whole list, filtered and sorted by the database, fetched a page at a time.

    The paging comes from `PagedQueryModel`, how a row looks from `ReferralTableModel`.
    """

    def __init__(self, ctx: AreaContext, parent: QObject | None = None) -> None:
        super().__init__(ctx, ReferralFilter(), parent)
        self.sort_key = "referral_date"
        self.descending = True

    def load(
        self,
        flt: ReferralFilter | None = None,
        *,
        sort: str | None = None,
        descending: bool | None = None,
    ) -> None:
        """Ask again from the first page (the rows shown stay until the answer arrives)."""
        if self._ctx.opened.store.closed:
            return
        if sort is not None:
            self.sort_key = sort
        if descending is not None:
            self.descending = descending
        super().load(flt)

    def _page_reader(
        self, store: Store, offset: int, limit: int
    ) -> Callable[[], list[ReferralRow]]:
        flt, sort, desc = self.filter, self.sort_key, self.descending
        return lambda: referrals.list_referrals(
            store, flt, offset=offset, limit=limit, sort=sort, descending=desc
        )

    def _count_reader(self, store: Store) -> Callable[[], int]:
        flt = self.filter
        return lambda: referrals.count_referrals(store, flt)

    def _task_titles(self) -> TaskTitles:
        return TaskTitles(
            self.tr("Loading referrals"),
            self.tr("Counting referrals"),
            self.tr("Loading more referrals"),
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            self.load(sort=COLUMNS[column][0], descending=order == Qt.SortOrder.DescendingOrder)


def _table(parent: QWidget, model: QAbstractTableModel, name: str) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    # Widths from the longest usual value of each column (no per-row measuring: rows are lazy).
    bold = QFont(table.font())
    bold.setBold(True)
    plain_metrics, bold_metrics = table.fontMetrics(), QFontMetrics(bold)
    for column, (sample, is_bold) in enumerate(COLUMN_SAMPLES):
        metrics = bold_metrics if is_bold else plain_metrics
        table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 12)
    header.setSectionResizeMode(VICTIM_COLUMN, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(False)
    named(table, name, table.tr("Enter or double-click opens the referral"))
    return table


class ReferralListPage(QWidget):
    """The list with its filters, and the lapsed-this-month tab."""

    open_requested = Signal(int)
    new_requested = Signal()

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._loading_choices = False
        self.lapsed_rows: list[ReferralRow] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)

        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Referrals"), 1, self))
        top.addStretch(1)
        self.review_link = QLabel(self)
        self.review_link.setTextFormat(Qt.TextFormat.RichText)
        self.review_link.linkActivated.connect(lambda _l: self._go_to_reviews())
        self.review_link.setAccessibleName(self.tr("People to review"))
        self.review_link.hide()
        top.addWidget(self.review_link)
        self.new_button = QPushButton(self.tr("New referral"), self)
        self.new_button.setToolTip(self.tr("Take a new referral in (Ctrl+N)"))
        named(self.new_button, self.tr("New referral"))
        self.new_button.clicked.connect(self.new_requested.emit)
        top.addWidget(self.new_button)
        outer.addLayout(top)

        self.tabs = QTabWidget(self)
        named(self.tabs, self.tr("Referral lists"))
        self.tabs.addTab(self._build_all(), self.tr("&All referrals"))
        self.tabs.addTab(self._build_lapsed(), self.tr("12 months &lapsed this month"))
        self.tabs.currentChanged.connect(self._tab_changed)
        outer.addWidget(self.tabs, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self.text_filter.textChanged.connect(lambda _t: self._debounce.start())
        self.text_filter.returnPressed.connect(self.apply_filters)
        for combo in (
            self.status_filter,
            self.repeat_filter,
            self.agency_filter,
            self.risk_filter,
            self.panel_filter,
        ):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _d: self.apply_filters())

        for keys, slot in (
            ("Ctrl+F", self.focus_search),
            ("Ctrl+Shift+X", self.clear_filters),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        for table in (self.table, self.lapsed_table):
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                enter = QShortcut(QKeySequence(key), table)
                enter.setContext(Qt.ShortcutContext.WidgetShortcut)
                enter.activated.connect(lambda t=table: self._open_current(t))
            table.doubleClicked.connect(lambda index, t=table: self._open_index(t, index))
        name_unnamed_buttons(self)

    # ----- building --------------------------------------------------------------------------

    def _build_all(self) -> QWidget:  # noqa: PLR0915 - builds the widgets in reading order
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.setVerticalSpacing(2)
        self.text_filter = QLineEdit(page)
        self.text_filter.setPlaceholderText(
            self.tr("Start of a name (victim, alias, perpetrator), case ref or reference")
        )
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMinimumWidth(240)
        named(self.text_filter, self.tr("Search referrals by name, alias or reference"))
        self.status_filter = self._combo(page, self.tr("Filter by status"))
        self.repeat_filter = self._combo(page, self.tr("Filter by repeat"))
        self.risk_filter = self._combo(page, self.tr("Filter by risk level"))
        self.agency_filter = self._combo(page, self.tr("Filter by referring agency"))
        self.panel_filter = self._combo(page, self.tr("Filter by panel"))
        self.since = self._date(page, self.tr("Referred from date"))
        self.until = self._date(page, self.tr("Referred up to date"))
        self.status_filter.addItem(self.tr("Any"), None)
        for code, text in STATUS_LABELS:
            self.status_filter.addItem(self.tr(text), code)
        self.repeat_filter.addItem(self.tr("Any"), None)
        self.repeat_filter.addItem(self.tr("Repeats only"), True)
        self.repeat_filter.addItem(self.tr("Not repeats"), False)
        self.risk_filter.addItem(self.tr("Any"), None)
        self.risk_filter.addItem(self.tr("High (14 or more)"), "high")
        self.risk_filter.addItem(self.tr("Medium (10 to 13)"), "medium")
        self.risk_filter.addItem(self.tr("Standard (under 10)"), "standard")
        self.clear_button = QPushButton(self.tr("Clear filters"), page)
        self.clear_button.setToolTip(self.tr("Clear every filter (Ctrl+Shift+X)"))
        named(self.clear_button, self.tr("Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        labelled = (
            (self.tr("&Search (Ctrl+F)"), self.text_filter, 2),
            (self.tr("S&tatus"), self.status_filter, 1),
            (self.tr("&Repeat"), self.repeat_filter, 1),
            (self.tr("Ris&k"), self.risk_filter, 1),
            (self.tr("Referring a&gency"), self.agency_filter, 1),
            (self.tr("&Panel"), self.panel_filter, 1),
            (self.tr("&From"), self.since, 1),
            (self.tr("T&o"), self.until, 1),
        )
        column = 0
        for row, items in enumerate((labelled[:4], labelled[4:])):
            column = 0
            for text, widget, span in items:
                caption = QLabel(text, page)
                caption.setBuddy(widget)
                caption.setStyleSheet(f"color: {MUTED_COLOUR};")
                filters.addWidget(caption, row * 2, column, 1, span)
                filters.addWidget(widget, row * 2 + 1, column, 1, span)
                column += span
        filters.addWidget(self.clear_button, 3, column)
        for c in range(column + 1):
            filters.setColumnStretch(c, 1)
        layout.addLayout(filters)

        self.model = ReferralListModel(self._ctx, self)
        self.table = _table(page, self.model, self.tr("Referrals"))
        self.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_changed)
        self.table.horizontalHeader().setSectionsClickable(True)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel("", page)
        self.count_label.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.count_label.setAccessibleName(self.tr("Number of referrals"))
        self.message = MessageLabel(page, name=self.tr("Referral list message"))
        layout.addWidget(self.message)
        layout.addWidget(self.count_label)
        self.model.loaded.connect(self._loaded)
        self.model.counted.connect(self._show_count)
        self.model.failed.connect(self._load_failed)
        return page

    def _build_lapsed(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        intro = QLabel(
            self.tr(
                "Victims whose most recent referral was 12 months before this month: a further "
                "referral from now on is a new referral, not a repeat. Many areas send this list "
                "out monthly."
            ),
            page,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        caption = QLabel(self.tr("&Month"), page)
        self.lapsed_month = QDateEdit(page)
        self.lapsed_month.setDisplayFormat("MMMM yyyy")
        self.lapsed_month.setCalendarPopup(False)
        today = date.today()
        self.lapsed_month.setDate(QDate(today.year, today.month, 1))
        named(self.lapsed_month, self.tr("Month whose lapses are listed"))
        caption.setBuddy(self.lapsed_month)
        self.lapsed_month.dateChanged.connect(lambda _d: self.load_lapsed())
        row.addWidget(caption)
        row.addWidget(self.lapsed_month)
        row.addStretch(1)
        layout.addLayout(row)
        self.lapsed_model = ReferralTableModel(self)
        self.lapsed_table = _table(page, self.lapsed_model, self.tr("Referrals lapsed this month"))
        layout.addWidget(self.lapsed_table, 1)
        self.lapsed_label = QLabel("", page)
        self.lapsed_label.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.lapsed_label.setAccessibleName(self.tr("Number of lapsed referrals"))
        layout.addWidget(self.lapsed_label)
        return page

    def _combo(self, parent: QWidget, name: str) -> QComboBox:
        combo = QComboBox(parent)
        combo.setMinimumWidth(120)
        named(combo, name)
        return combo

    def _date(self, parent: QWidget, name: str) -> QDateEdit:
        edit = QDateEdit(parent)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(self.tr("any date"))
        edit.setDate(_NO_DATE)
        named(edit, name)
        return edit

    # ----- loading ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.load_choices()
        if self.tabs.currentIndex() == 1:
            self.load_lapsed()
        else:
            self.apply_filters()
        self.refresh_review_count()

    def load_choices(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        self._loading_choices = True
        try:
            for combo, values in (
                (self.agency_filter, referrals.agency_names(store)),
                (self.panel_filter, referrals.panel_names(store)),
            ):
                current = combo.currentData()
                combo.blockSignals(True)
                combo.clear()
                combo.addItem(self.tr("Any"), None)
                for value in values:
                    combo.addItem(value, value)
                index = combo.findData(current) if current is not None else 0
                combo.setCurrentIndex(max(0, index))
                combo.blockSignals(False)
        finally:
            self._loading_choices = False
        # One panel (the usual case): its name in every row says nothing.
        single = self.panel_filter.count() <= 2
        for table in (self.table, self.lapsed_table):
            table.setColumnHidden(PANEL_COLUMN, single)

    def refresh_review_count(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        n = people.count_open_reviews(store)
        if n:
            text = (
                self.tr("1 possible duplicate person to review")
                if n == 1
                else self.tr("{n} possible duplicate people to review").format(n=n)
            )
            self.review_link.setText(
                f'<a href="reviews" style="color: {WARNING_COLOUR};">⚑ {text}</a>'
            )
            self.review_link.setAccessibleName(text)
        self.review_link.setVisible(bool(n))

    def current_filter(self) -> ReferralFilter:
        def day(edit: QDateEdit) -> date | None:
            value = edit.date()
            return None if value == _NO_DATE else date(value.year(), value.month(), value.day())

        return ReferralFilter(
            text=self.text_filter.text().strip(),
            status=self.status_filter.currentData(),
            repeat=self.repeat_filter.currentData(),
            agency=self.agency_filter.currentData(),
            date_from=day(self.since),
            date_to=day(self.until),
            risk_band=self.risk_filter.currentData(),
            panel=self.panel_filter.currentData(),
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
            for combo in (
                self.status_filter,
                self.repeat_filter,
                self.agency_filter,
                self.risk_filter,
                self.panel_filter,
            ):
                combo.setCurrentIndex(0)
            self.since.setDate(_NO_DATE)
            self.until.setDate(_NO_DATE)
            self.text_filter.clear()
        finally:
            self._loading_choices = False
        self.apply_filters()

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.count_label.setText(self.tr("Sorting…"))
        self.model.sort(column, order)

    def _loaded(self) -> None:
        self.message.clear_message()
        if self.model.rowCount() and self.table.currentIndex().row() < 0:
            self.table.setCurrentIndex(self.model.index(0, 0))
        if self.model.total is None:
            self.count_label.setText(self.tr("Counting…"))

    def _show_count(self, total: int) -> None:
        flt = self.model.filter
        filtered = flt != ReferralFilter()
        if total == 1:
            text = self.tr("1 referral")
        else:
            text = self.tr("{n} referrals").format(n=f"{total:,}")
        if filtered:
            text += self.tr(" match the filters")
        column = next((i for i, (key, _h) in enumerate(COLUMNS) if key == self.model.sort_key), 1)
        order = self.tr("descending") if self.model.descending else self.tr("ascending")
        text += self.tr(" · sorted by {column}, {order} · click a heading to sort").format(
            column=self.tr(COLUMNS[column][1]).lower(), order=order
        )
        self.count_label.setText(text)

    def _load_failed(self, text: str) -> None:
        self.count_label.setText("")
        self.message.show_error(
            self.tr("The referrals could not be read: {error}").format(error=text)
        )

    def load_lapsed(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        month = self.lapsed_month.date()
        year, number = month.year(), month.month()
        self.lapsed_label.setText(self.tr("Looking…"))
        self._ctx.runner.run(
            self.tr("Finding lapsed referrals"),
            lambda _t: referrals.lapsing_in_month(store, year, number),
            show_progress=False,
            on_success=lambda rows: self._lapsed_loaded(year, number, rows),
            on_error=lambda exc: self.lapsed_label.setText(safe_error(exc)),
            context=self,
        )

    def _lapsed_loaded(self, year: int, month: int, rows: list[ReferralRow]) -> None:
        current = self.lapsed_month.date()
        if (current.year(), current.month()) != (year, month):
            return
        self.lapsed_rows = rows
        self.lapsed_model.set_rows(rows)
        when = f"{month_name(month)} {year}"
        self.lapsed_label.setText(
            self.tr("{n} referral(s) reach 12 months in {when}, oldest first.").format(
                n=len(rows), when=when
            )
            if rows
            else self.tr("No referral reaches 12 months in {when}.").format(when=when)
        )

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.load_lapsed()

    # ----- opening ---------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.text_filter.setFocus()
        self.text_filter.selectAll()

    def _open_current(self, table: QTableView) -> None:
        self._open_index(table, table.currentIndex())

    def _open_index(self, table: QTableView, index: QModelIndex) -> None:
        if not index.isValid():
            return
        model = table.model()
        assert isinstance(model, ReferralTableModel)
        self.open_requested.emit(model.row_at(index.row()).id)

    def _go_to_reviews(self) -> None:
        show_area = getattr(self.window(), "show_area", None)
        if callable(show_area):
            show_area("reviews")


class ReferralsView(QWidget):
    """The area: list ⇄ form ⇄ detail, one at a time."""

    opened_referral = Signal(int)  # the detail of this referral is showing

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._stale = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack)
        self.list_page = ReferralListPage(ctx, self.stack)
        self.detail = ReferralDetailView(ctx, self.stack)
        self.form: ReferralForm | None = None
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.detail)
        self.list_page.open_requested.connect(self.open_referral)
        self.list_page.new_requested.connect(self.new_referral)
        self.detail.back_requested.connect(self.show_list)
        self.detail.open_requested.connect(self.open_referral)
        self.detail.changed.connect(self._data_changed_here)
        ctx.events.data_changed.connect(self._data_changed)

        new = QShortcut(QKeySequence.StandardKey.New, self)
        new.setContext(Qt.ShortcutContext.WindowShortcut)
        new.activated.connect(self.new_referral)

    def activated(self) -> None:
        current = self.stack.currentWidget()
        if current is self.list_page:
            self.list_page.activated()
            self._stale = False
            self.list_page.table.setFocus()
        elif current is self.detail:
            self.detail.reload()

    def _data_changed(self) -> None:
        self._stale = True
        if self.isVisible() and self.stack.currentWidget() is self.list_page:
            self.activated()

    def _data_changed_here(self) -> None:
        self._ctx.events.data_changed.emit()

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        self.list_page.activated()
        self.list_page.table.setFocus()

    def new_referral(self) -> ReferralForm:
        if self.form is None or not shiboken6.isValid(self.form):
            self.form = ReferralForm(self._ctx, self.stack)
            self.form.saved.connect(self._saved)
            self.form.closed.connect(self._form_closed)
            self.stack.addWidget(self.form)
        self.stack.setCurrentWidget(self.form)
        self.form.focus_start()
        return self.form

    def _drop_form(self) -> None:
        if self.form is not None:
            form, self.form = self.form, None
            self.stack.removeWidget(form)
            form.deleteLater()

    def _form_closed(self) -> None:
        self._drop_form()
        self.show_list()

    def _saved(self, saved: SavedReferral) -> None:
        self._drop_form()
        self._ctx.events.data_changed.emit()
        notice = self.tr("Saved as {ref}.").format(ref=saved.case_ref)
        if saved.reviews_queued:
            notice += " " + self.tr(
                "{n} possible duplicate(s) were put in People to review."
            ).format(n=saved.reviews_queued)
        self._ctx.events.notice.emit(
            self.tr("Referral saved as {ref}").format(ref=saved.case_ref), False
        )
        self.open_referral(saved.id, notice=notice)

    def open_referral(self, referral_id: int, notice: str = "") -> None:
        self.detail.load(referral_id, notice=notice)
        self.stack.setCurrentWidget(self.detail)
        self.detail.setFocus()
        self.opened_referral.emit(referral_id)

    def current_page(self) -> str:
        current = self.stack.currentWidget()
        if current is self.list_page:
            return "list"
        return "form" if current is self.form else "detail"
