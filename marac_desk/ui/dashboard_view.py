"""The dashboard area: what needs attention, as counts. No victim is named here."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import dashboard
from marac_desk.services.dashboard import DashboardSummary
from marac_desk.ui.area import AreaContext, RowsModel
from marac_desk.ui.assessment_history import ReviewsDueDialog
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    MessageLabel,
    format_date,
    heading,
    named,
    safe_error,
    tr,
)

# The band SafeLives recommends for repeat referrals (DOMAIN.md §3).
REPEAT_BAND = (28, 40)
AMBER = "#8a5a00"


class Card(QFrame):
    """A titled figure with a line of explanation under it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#card { background: palette(base); border: 1px solid #c8ccd2; border-radius: 6px; }"
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(118)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(2)
        self.title = QLabel(title, self)
        self.title.setStyleSheet(f"color: {MUTED_COLOUR}; font-weight: bold;")
        self.title.setWordWrap(True)
        self.value = QLabel("—", self)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.1)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel("", self)
        self.detail.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.setAccessibleName(title)

    def show_figure(
        self, value: str, detail: str, *, colour: str = "", detail_colour: str = ""
    ) -> None:
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {colour};" if colour else "")
        self.detail.setText(detail)
        self.detail.setStyleSheet(f"color: {detail_colour};" if detail_colour else "")
        self.setAccessibleDescription(f"{value}. {detail}")


class ClickableCard(Card):
    """A card that opens a list: Enter, Space or a click (it takes the keyboard focus)."""

    clicked = Signal()

    def __init__(self, title: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(
            "#card { background: palette(base); border: 1px solid #c8ccd2; border-radius: 6px; }"
            "#card:focus { border: 2px solid #1f6feb; }"
        )
        self.hint = QLabel(hint, self)
        self.hint.setStyleSheet("color: #1f4e79; text-decoration: underline;")
        self.hint.setWordWrap(True)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.count() - 1, self.hint)
        self.setToolTip(hint)

    def show_figure(
        self, value: str, detail: str, *, colour: str = "", detail_colour: str = ""
    ) -> None:
        super().show_figure(value, detail, colour=colour, detail_colour=detail_colour)
        self.setAccessibleDescription(f"{value}. {detail}. {self.hint.text()}")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class DashboardView(QWidget):
    loaded = Signal(object)  # the DashboardSummary now shown
    referral_requested = Signal(int)  # open this referral (the main window shows it)

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._loading = False
        self.summary: DashboardSummary | None = None
        self.reviews_dialog: ReviewsDueDialog | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(12)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Dashboard"), 1, self))
        top.addStretch(1)
        self.as_of = QLabel("", self)
        self.as_of.setStyleSheet(f"color: {MUTED_COLOUR};")
        top.addWidget(self.as_of)
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setToolTip(self.tr("Count again (F5)"))
        named(self.refresh_button, self.tr("Refresh the dashboard"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        outer.addLayout(top)
        self.message = MessageLabel(self, name=self.tr("Dashboard message"))
        outer.addWidget(self.message)

        outer.addLayout(self._build_cards())

        tables = QHBoxLayout()
        tables.setSpacing(12)
        self.status_model = RowsModel(
            [self.tr("Status"), self.tr("Referrals")], parent=self, numeric_columns=[1]
        )
        self.status_table = self._table(self.status_model, self.tr("Referrals by status"))
        self.overdue_model = RowsModel(
            [self.tr("Owner agency"), self.tr("Overdue actions")], parent=self, numeric_columns=[1]
        )
        self.overdue_table = self._table(
            self.overdue_model, self.tr("Overdue actions by owner agency")
        )
        self.overdue_empty = QLabel(self.tr("No overdue actions."), self)
        self.overdue_empty.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.overdue_empty.hide()
        tables.addLayout(self._titled(self.tr("Referrals by status"), self.status_table), 1)
        tables.addLayout(
            self._titled(
                self.tr("Overdue actions by owner agency"), self.overdue_table, self.overdue_empty
            ),
            1,
        )
        outer.addLayout(tables)
        outer.addStretch(1)

    def _build_cards(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        self.card_recent = Card(self.tr("Referrals received, last 28 days"), self)
        self.card_repeats = Card(self.tr("Repeat referrals, last 12 months"), self)
        self.card_meeting = Card(self.tr("Next planned meeting"), self)
        self.card_actions = Card(self.tr("Overdue actions"), self)
        self.card_reviews = self._build_reviews_card()
        self.card_total = Card(self.tr("Referrals in this store"), self)
        self.card_awaiting = Card(self.tr("Referrals awaiting listing"), self)
        self.card_minutes = Card(self.tr("Minutes past their deadline"), self)
        self.card_lapses = Card(self.tr("12-month lapses this month"), self)
        cards = (
            self.card_recent,
            self.card_repeats,
            self.card_meeting,
            self.card_awaiting,
            self.card_actions,
            self.card_reviews,
            self.card_minutes,
            self.card_lapses,
            self.card_total,
        )
        for i, card in enumerate(cards):
            grid.addWidget(card, i // 3, i % 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        return grid

    def _build_reviews_card(self) -> ClickableCard:
        card = ClickableCard(
            self.tr("Risk reviews overdue"),
            self.tr("List the reviews due (Enter, or Ctrl+Shift+V)"),
            self,
        )
        card.clicked.connect(self.open_reviews)
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+V"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open_reviews)
        return card

    def _table(self, model: RowsModel, name: str) -> QTableView:
        table = QTableView(self)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table.setTabKeyNavigation(False)
        named(table, name)
        return table

    def _titled(self, title: str, *widgets: QWidget) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(6)
        box.addWidget(heading(title, 2, self))
        for widget in widgets:
            box.addWidget(widget)
        box.addStretch(1)
        return box

    @staticmethod
    def _fit_height(table: QTableView, max_rows: int = 12) -> None:
        """Size a short table to its rows, so the dashboard reads as a page, not a grid."""
        rows = min(table.model().rowCount(), max_rows)
        row_height = table.verticalHeader().defaultSectionSize()
        height = table.horizontalHeader().sizeHint().height() + rows * row_height
        table.setFixedHeight(height + 2 * table.frameWidth() + 2)

    # ----- risk reviews due -------------------------------------------------------------------

    def open_reviews(self) -> None:
        """The referrals whose risk review is overdue or due soon; Enter opens one."""
        if self.reviews_dialog is not None or self._ctx.opened.store.closed:
            return
        dialog = ReviewsDueDialog(self._ctx, self)
        self.reviews_dialog = dialog
        dialog.referral_chosen.connect(self.open_referral)

        def finished(_code: int) -> None:
            if self.reviews_dialog is dialog:
                self.reviews_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def open_referral(self, referral_id: int) -> None:
        """Show the referral in the referrals area (through the main window, when there is one)."""
        self.referral_requested.emit(referral_id)
        show_area = getattr(self.window(), "show_area", None)
        if not callable(show_area):
            return
        area = show_area("referrals")
        opener = getattr(area, "open_referral", None)
        if callable(opener):
            opener(referral_id)

    # ----- loading ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        if self._loading or self._ctx.opened.store.closed:
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        store = self._ctx.opened.store
        self._ctx.runner.run(
            self.tr("Counting for the dashboard"),
            lambda _ctx: dashboard.summarise(store, date.today()),
            show_progress=False,
            on_success=self._loaded,
            on_error=self._failed,
            context=self,
        )

    def _loaded(self, summary: DashboardSummary) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.message.clear_message()
        self.show_summary(summary)
        self.loaded.emit(summary)

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.message.show_error(
            self.tr("The dashboard could not be counted: {error}").format(error=safe_error(exc))
        )

    # ----- showing ---------------------------------------------------------------------------

    def show_summary(self, s: DashboardSummary) -> None:
        self.summary = s
        self.as_of.setText(self.tr("As of {day}").format(day=format_date(s.today)))

        self.card_recent.show_figure(
            str(s.received_recent),
            self.tr("received since {day}").format(
                day=format_date(date.fromordinal(s.today.toordinal() - s.recent_days + 1))
            ),
        )

        if s.repeat_percent is None:
            self.card_repeats.show_figure("0", self.tr("No referrals in the last 12 months."))
        else:
            low, high = REPEAT_BAND
            detail = self.tr("{pct}% of {total} referrals (expected {low}–{high}%)").format(
                pct=s.repeat_percent, total=s.referrals_12_months, low=low, high=high
            )
            colour = ""
            if s.repeat_percent < low:
                detail += " — " + self.tr("low: repeats may be going unrecognised")
                colour = AMBER
            elif s.repeat_percent > high:
                detail += " — " + self.tr("higher than expected")
                colour = AMBER
            self.card_repeats.show_figure(
                f"{s.repeats_12_months}  ({s.repeat_percent}%)", detail, detail_colour=colour
            )

        meeting = s.next_meeting
        if meeting is None:
            self.card_meeting.show_figure(
                "—", self.tr("No meeting is planned."), detail_colour=AMBER
            )
        else:
            days = (meeting.meeting_date - s.today).days
            when = (
                self.tr("today")
                if days == 0
                else self.tr("tomorrow")
                if days == 1
                else self.tr("in {n} days").format(n=days)
            )
            cases = (
                self.tr("1 case listed")
                if meeting.cases == 1
                else self.tr("{n} cases listed").format(n=meeting.cases)
            )
            self.card_meeting.show_figure(
                format_date(meeting.meeting_date),
                f"{meeting.panel} · {when} · {cases}",
            )

        self.card_actions.show_figure(
            str(s.overdue_actions),
            self.tr("of {n} open actions (open or carried forward)").format(n=s.open_actions),
            colour=ERROR_COLOUR if s.overdue_actions else "",
        )
        self.card_reviews.show_figure(
            str(s.reviews_overdue),
            self.tr("{n} more due in the next {days} days").format(
                n=s.reviews_due_soon, days=s.review_soon_days
            ),
            colour=ERROR_COLOUR if s.reviews_overdue else "",
        )
        self.card_awaiting.show_figure(
            str(s.awaiting_listing),
            self.tr("received, not yet on a meeting's case list"),
        )
        self._show_minutes(s)
        self.card_lapses.show_figure(
            str(s.lapsing_this_month),
            self.tr("repeat windows ending, no newer referral"),
        )
        self.card_total.show_figure(
            str(s.referrals_total),
            self.tr("{n} received in the last 12 months").format(n=s.referrals_12_months),
        )

        self.status_model.set_rows(
            [(status_label(item.status), item.count) for item in s.referrals_by_status]
        )
        self.overdue_model.set_rows([(item.agency, item.count) for item in s.overdue_by_agency])
        self._fit_height(self.status_table)
        self._fit_height(self.overdue_table)
        self.overdue_table.setVisible(bool(s.overdue_by_agency))
        self.overdue_empty.setVisible(not s.overdue_by_agency)

    def _show_minutes(self, s: DashboardSummary) -> None:
        late = s.minutes_overdue
        if not late:
            self.card_minutes.show_figure("0", self.tr("Every held meeting's minutes are out."))
            return
        oldest = late[0]
        detail = self.tr("oldest: {panel}, {day} (due {due})").format(
            panel=oldest.panel,
            day=format_date(oldest.meeting_date),
            due=format_date(oldest.due),
        )
        self.card_minutes.show_figure(str(len(late)), detail, colour=ERROR_COLOUR)


_STATUS_LABELS = {
    "received": "Received",
    "listed": "Listed for a meeting",
    "heard": "Heard",
    "closed": "Closed",
    "diverted": "Diverted",
    "withdrawn": "Withdrawn",
}


def status_label(status: str) -> str:
    text = _STATUS_LABELS.get(status)
    return tr(text, "DashboardView") if text else status.replace("_", " ").capitalize()
