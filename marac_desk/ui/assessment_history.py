"""Risk assessments over time: the section of the referral page that lists a referral's
assessments (date, kind, form and version, score, level, the change since the one before, a
small line of the scores) with its next risk review, and the list of reviews due that the
dashboard opens.

A review that is overdue says so in words as well as in red, so it does not rely on colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core.risk_forms import REVIEW_SOON_DAYS, ReviewState
from marac_desk.services import risk
from marac_desk.services.risk import AssessmentSummary, ReviewDue
from marac_desk.ui.area import AreaContext
from marac_desk.ui.assessment_form import kind_label
from marac_desk.ui.referral_text import long_date, status_label
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    name_unnamed_buttons,
    named,
    safe_error,
    tr,
)

CONTEXT = "Assessments"
OVERDUE_STYLE = (
    "background: #fde7e9; color: #8b0015; border: 2px solid #b00020; border-radius: 4px;"
    " padding: 6px 10px; font-weight: bold;"
)
DUE_SOON_STYLE = (
    "background: #fff3cd; color: #5c4400; border: 1px solid #c79100; border-radius: 4px;"
    " padding: 6px 10px; font-weight: bold;"
)
REVIEWS_SHOWN = 1000  # the reviews-due list shows at most this many, most overdue first


def _days(n: int) -> str:
    return tr("1 day", CONTEXT) if n == 1 else tr("{n} days", CONTEXT).format(n=n)


def short_kind(kind: str) -> str:
    return {"initial": tr("Initial", CONTEXT), "review": tr("Review", CONTEXT)}.get(
        kind, kind_label(kind)
    )


def trend_text(summary: AssessmentSummary) -> str:
    """'↑ from 12', '↓ from 15', '= as before (12)'; 'first' for the first on its form."""
    before = summary.previous_score
    if before is None or not summary.trend:
        return tr("first on this form", CONTEXT)
    if summary.trend == "up":
        return tr("↑ from {n}", CONTEXT).format(n=before)
    if summary.trend == "down":
        return tr("↓ from {n}", CONTEXT).format(n=before)
    return tr("= as before ({n})", CONTEXT).format(n=before)


def trend_words(summary: AssessmentSummary) -> str:
    """The same in words, for a screen reader."""
    before = summary.previous_score
    if before is None or not summary.trend:
        return tr("the first assessment on this form", CONTEXT)
    if summary.trend == "up":
        return tr("up from {n}", CONTEXT).format(n=before)
    if summary.trend == "down":
        return tr("down from {n}", CONTEXT).format(n=before)
    return tr("unchanged from {n}", CONTEXT).format(n=before)


def level_text(summary: AssessmentSummary) -> str:
    level = summary.effective_band_label or summary.band_label or "—"
    if summary.judgement_band and summary.effective_band != summary.band:
        level = tr("{level} (judgement; answers {band})", CONTEXT).format(
            level=level, band=summary.band_label
        )
    if summary.threshold_met:
        level += " · " + tr("meets threshold", CONTEXT)
    return level


def review_text(due: date | None, state: ReviewState, today: date) -> str:
    if due is None:
        return tr("no review date", CONTEXT)
    if state is ReviewState.OVERDUE:
        return tr("{day} — OVERDUE by {days}", CONTEXT).format(
            day=long_date(due), days=_days((today - due).days)
        )
    if state is ReviewState.DUE_SOON:
        left = (due - today).days
        when = (
            tr("today", CONTEXT) if left == 0 else tr("in {days}", CONTEXT).format(days=_days(left))
        )
        return tr("{day} — due {when}", CONTEXT).format(day=long_date(due), when=when)
    return long_date(due)


class ScoreLine(QWidget):
    """A small line of the scores on one form over time (oldest left), the newest labelled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scores: list[int] = []
        self.top = 1
        self.setFixedSize(190, 64)
        self.setAccessibleName(self.tr("Score trend"))

    def set_scores(self, scores: Sequence[int], top: int | None) -> None:
        self.scores = list(scores)
        self.top = max([top or 0, *self.scores, 1])
        words = ", ".join(str(s) for s in self.scores)
        self.setAccessibleDescription(self.tr("Scores, oldest first: {list}").format(list=words))
        self.setToolTip(self.tr("Scores on this form, oldest first: {list}").format(list=words))
        self.update()

    def points(self) -> list[QPointF]:
        left, right, top, bottom = 8.0, self.width() - 30.0, 8.0, self.height() - 10.0
        n = len(self.scores)
        step = (right - left) / (n - 1) if n > 1 else 0.0
        return [
            QPointF(left + i * step, bottom - (bottom - top) * score / self.top)
            for i, score in enumerate(self.scores)
        ]

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.scores:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = self.height() - 10.0
        painter.setPen(QPen(QColor("#c8ccd2"), 1))
        painter.drawLine(QPointF(8.0, base), QPointF(self.width() - 30.0, base))
        points = self.points()
        painter.setPen(QPen(QColor("#1f4e79"), 2))
        for a, b in pairwise(points):
            painter.drawLine(a, b)
        painter.setBrush(QBrush(QColor("#1f4e79")))
        for point in points:
            painter.drawEllipse(point, 3.0, 3.0)
        last = points[-1]
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#1f4e79"))
        painter.drawText(QPointF(last.x() + 6, last.y() + 5), str(self.scores[-1]))
        painter.end()


class AssessmentHistory(QGroupBox):
    """The referral page's risk assessments: next review, history, new and open."""

    new_requested = Signal()
    open_requested = Signal(int)  # an assessment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Risk assessments"), parent)
        named(self, self.tr("Risk assessments"))
        self.assessments: tuple[AssessmentSummary, ...] = ()
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.review = QLabel(self)
        self.review.setWordWrap(True)
        self.review.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.review.setAccessibleName(self.tr("Next risk review"))
        self.review.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        top.addWidget(self.review, 1)
        self.new_button = QPushButton(self.tr("New risk assessment…"), self)
        self.new_button.setToolTip(self.tr("Start a risk assessment (Ctrl+Shift+A)"))
        named(self.new_button, self.tr("New risk assessment"))
        self.new_button.clicked.connect(self.new_requested.emit)
        top.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignTop)
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setToolTip(self.tr("Open the chosen assessment read-only (Enter)"))
        named(self.open_button, self.tr("Open the chosen assessment"))
        self.open_button.clicked.connect(self._open_current)
        top.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.message = MessageLabel(self, name=self.tr("Risk assessments: problem"))
        layout.addWidget(self.message)

        lower = QHBoxLayout()
        self.list = QTreeWidget(self)
        self.list.setColumnCount(6)
        self.list.setHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Kind"),
                self.tr("Score"),
                self.tr("Level"),
                self.tr("Change"),
                self.tr("Form"),
            ]
        )
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.list.header()
        header.setStretchLastSection(True)
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        named(
            self.list,
            self.tr("Risk assessments, newest first"),
            self.tr("Enter opens the assessment read-only (Ctrl+Shift+L comes here)"),
        )
        self.list.itemActivated.connect(lambda item, _c: self._open_item(item))
        lower.addWidget(self.list, 1)
        self.trend = ScoreLine(self)
        lower.addWidget(self.trend, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(lower)
        name_unnamed_buttons(self)
        self.show_assessments((), date.today(), live=True)

    # ----- showing -----------------------------------------------------------------------

    def show_assessments(
        self,
        assessments: Sequence[AssessmentSummary],
        today: date,
        *,
        live: bool,
        status: str = "",
    ) -> None:
        """`live`: the referral is still being worked (a closed case has no review due)."""
        self.assessments = tuple(assessments)
        self.message.clear_message()
        self._show_review(today, live=live, status=status)
        self.list.clear()
        newest = self.assessments[-1] if self.assessments else None
        for a in reversed(self.assessments):
            form = a.form_title or a.form_id
            score = (
                ("—" if a.score is None else str(a.score))
                if a.max_score is None
                else f"{a.score if a.score is not None else '—'} / {a.max_score}"
            )
            version = self.tr("{form} (v{version})").format(form=form, version=a.form_version)
            item = QTreeWidgetItem(
                [
                    long_date(a.assessed_on),
                    short_kind(a.kind),
                    score,
                    level_text(a),
                    trend_text(a),
                    version,
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, a.id)
            item.setData(4, Qt.ItemDataRole.AccessibleTextRole, trend_words(a))
            due = review_text(a.review_due, a.review_state, today)
            item.setToolTip(
                0,
                self.tr("{kind} by {who}; review date {due}. Enter opens it read-only.").format(
                    kind=kind_label(a.kind), who=a.assessor or self.tr("(not recorded)"), due=due
                ),
            )
            item.setToolTip(5, version)
            if a.judgement_reason:
                item.setToolTip(3, a.judgement_reason)
            if a.trend == "up":
                item.setForeground(4, QBrush(QColor(ERROR_COLOUR)))
            if a is newest:
                bold = QFont(self.list.font())
                bold.setBold(True)
                for column in (0, 2, 3):
                    item.setFont(column, bold)
            self.list.addTopLevelItem(item)
        self.list.setVisible(bool(self.assessments))
        self.open_button.setEnabled(bool(self.assessments))
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self._fit()
        scores = [
            a.score
            for a in self.assessments
            if newest is not None and a.form_id == newest.form_id and a.score is not None
        ]
        self.trend.set_scores(scores, newest.max_score if newest else None)
        self.trend.setVisible(len(scores) >= 2)

    def _show_review(self, today: date, *, live: bool, status: str) -> None:
        newest = self.assessments[-1] if self.assessments else None
        if newest is None:
            text = self.tr("No risk assessment recorded yet. Ctrl+Shift+A starts one.")
            style = f"color: {MUTED_COLOUR};"
        elif newest.review_due is None:
            text = self.tr("The newest assessment has no review date.")
            style = f"color: {MUTED_COLOUR};"
        elif not live:
            text = self.tr(
                "No risk review due: the referral is {status} (the review date was {day})."
            ).format(status=status_label(status).lower(), day=long_date(newest.review_due))
            style = f"color: {MUTED_COLOUR};"
        elif newest.review_state is ReviewState.OVERDUE:
            days = (today - newest.review_due).days
            text = self.tr(
                "⚠ RISK REVIEW OVERDUE — it was due on {day}, {days} ago. "
                "Ctrl+Shift+A starts the review."
            ).format(day=long_date(newest.review_due), days=_days(days))
            style = OVERDUE_STYLE
        elif newest.review_state is ReviewState.DUE_SOON:
            left = (newest.review_due - today).days
            when = self.tr("today") if left == 0 else self.tr("in {days}").format(days=_days(left))
            text = self.tr("Risk review due soon: {day} ({when}).").format(
                day=long_date(newest.review_due), when=when
            )
            style = DUE_SOON_STYLE
        else:
            text = self.tr(
                "Next risk review due {day} ({weeks} after the last assessment)."
            ).format(
                day=long_date(newest.review_due),
                weeks=self.tr("{n} weeks").format(
                    n=(newest.review_due - newest.assessed_on).days // 7
                ),
            )
            style = ""
        self.review.setText(text)
        self.review.setStyleSheet(style)
        self.review.setAccessibleDescription(text)

    def show_error(self, text: str) -> None:
        self.message.show_error(text)

    def _fit(self, most_rows: int = 8) -> None:
        rows = min(self.list.topLevelItemCount(), most_rows)
        row_height = self.list.sizeHintForRow(0) if rows else 0
        if row_height <= 0:
            row_height = self.list.fontMetrics().height() + 6
        self.list.setFixedHeight(
            self.list.header().sizeHint().height() + rows * row_height + 2 * self.list.frameWidth()
        )

    # ----- opening -----------------------------------------------------------------------

    def focus_list(self) -> None:
        if self.list.isVisible():
            self.list.setFocus()
        else:
            self.new_button.setFocus()

    def _open_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._open_item(item)

    def _open_item(self, item: QTreeWidgetItem) -> None:
        assessment_id = item.data(0, Qt.ItemDataRole.UserRole)
        if assessment_id is not None:
            self.open_requested.emit(int(assessment_id))


# ----- reviews due (opened from the dashboard) ---------------------------------------------------


class ReviewsDueDialog(QDialog):
    """Referrals whose risk review is overdue or due soon; Enter opens the referral."""

    loaded = Signal()
    referral_chosen = Signal(int)

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.today = date.today()
        self.chosen_id: int | None = None
        self.reviews: tuple[ReviewDue, ...] = ()
        self.setWindowTitle(self.tr("Risk reviews due"))
        self.setMinimumSize(640, 420)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self.tr("Counting…"), self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Reviews due"))
        layout.addWidget(self.summary)
        self.list = QTreeWidget(self)
        self.list.setColumnCount(4)
        self.list.setHeaderLabels(
            [
                self.tr("Referral"),
                self.tr("Panel"),
                self.tr("Review due"),
                self.tr("Overdue or due"),
            ]
        )
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setUniformRowHeights(True)
        header = self.list.header()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        named(
            self.list,
            self.tr("Referrals with a risk review due, most overdue first"),
            self.tr("Enter opens the referral"),
        )
        self.list.itemActivated.connect(lambda item, _c: self._chosen(item))
        layout.addWidget(self.list, 1)
        hint = QLabel(self.tr("Enter or double-click opens the referral · Esc closes"), self)
        hint.setStyleSheet(f"color: {MUTED_COLOUR};")
        layout.addWidget(hint)
        self.message = MessageLabel(self, name=self.tr("Reviews due: problem"))
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        name_unnamed_buttons(self)
        store, today = ctx.opened.store, self.today
        ctx.runner.run(
            self.tr("Finding the risk reviews due"),
            lambda _task: risk.reviews_due(store, today, limit=REVIEWS_SHOWN + 1),
            show_progress=False,
            on_success=self._loaded,
            on_error=self._failed,
            context=self,
        )

    def _loaded(self, reviews: tuple[ReviewDue, ...]) -> None:
        more = len(reviews) > REVIEWS_SHOWN
        self.reviews = reviews[:REVIEWS_SHOWN]
        overdue = sum(1 for r in self.reviews if r.state is ReviewState.OVERDUE)
        week = sum(
            1
            for r in self.reviews
            if r.state is not ReviewState.OVERDUE and (r.review_due - self.today).days < 7
        )
        later = len(self.reviews) - overdue - week
        text = self.tr(
            "{overdue} overdue · {week} due this week · {later} more in the next {days} days"
        ).format(overdue=overdue, week=week, later=later, days=REVIEW_SOON_DAYS)
        if more:
            text += " " + self.tr("(the {n} most overdue are listed)").format(n=REVIEWS_SHOWN)
        if not self.reviews:
            text = self.tr("No risk review is overdue or due in the next {days} days.").format(
                days=REVIEW_SOON_DAYS
            )
        self.summary.setText(text)
        self.summary.setAccessibleDescription(text)
        bold = QFont(self.list.font())
        bold.setBold(True)
        for r in self.reviews:
            if r.state is ReviewState.OVERDUE:
                late = self.tr("{days} overdue").format(days=_days(r.days_overdue))
            else:
                left = (r.review_due - self.today).days
                late = (
                    self.tr("due today")
                    if left == 0
                    else self.tr("due in {days}").format(days=_days(left))
                )
            item = QTreeWidgetItem([r.case_ref, r.panel, long_date(r.review_due), late])
            item.setData(0, Qt.ItemDataRole.UserRole, r.referral_id)
            if r.state is ReviewState.OVERDUE:
                item.setForeground(3, QBrush(QColor(ERROR_COLOUR)))
                item.setFont(3, bold)
            else:
                item.setForeground(3, QBrush(QColor(WARNING_COLOUR)))
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
            self.list.setFocus()
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText("")
        self.message.show_error(
            self.tr("The reviews due could not be found: {error}").format(error=safe_error(exc))
        )
        self.loaded.emit()

    def _chosen(self, item: QTreeWidgetItem) -> None:
        referral_id = item.data(0, Qt.ItemDataRole.UserRole)
        if referral_id is None:
            return
        self.chosen_id = int(referral_id)
        self.referral_chosen.emit(self.chosen_id)
        self.accept()
