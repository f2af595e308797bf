"""The reports area: choose a period and panel, preview the quarterly report's figures and charts
as they will be published, and export the report, the national return and the QA dip sample.

Everything the preview shows comes from the `export.report_view.ReportView` that `publish` makes
for the chosen mode, the same view the PDF, CSV and XLSX are made from: a publishable preview
shows exactly what a publishable file prints, and never a figure it hides. The exact figures
(`QuarterlyReport`) are kept only to publish again when the mode changes.

The figures are worked out in the task runner (a second or so on a large store) with a progress
bar in the area, never a modal dialog, so typing carries on. Changing the period or the panel
works them out again; changing the mode only publishes again.

Keys (inside the area): Ctrl+Return (or F5, the window's Refresh) works the figures out again,
Ctrl+E exports the report as PDF; the other exports have Alt shortcuts on their buttons.
Every export goes through the services, which write the file all or nothing and record it in
the audit trail as a disclosure.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QIntValidator,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core.indicators import Position
from marac_desk.core.periods import Period, date_range, quarter_of
from marac_desk.core.suppression import HIDDEN, SMALL, Mode
from marac_desk.export.qa_model import DipSample
from marac_desk.export.report_model import QuarterlyReport
from marac_desk.export.report_view import (
    ReportView,
    Shown,
    ViewChart,
    ViewTable,
    publish,
)
from marac_desk.services import dataset, dip_sample, panels, reports
from marac_desk.services.dataset import WrittenReturn
from marac_desk.services.reports import ExportedReport, ReportChoices
from marac_desk.ui.area import AreaContext
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import uk_date
from marac_desk.ui.widgets import (
    MUTED_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    ScrollBody,
    heading,
    name_unnamed_buttons,
    named,
    pick_save_file,
    safe_error,
    tr,
)

CONTEXT = "Reports"
DEBOUNCE_MS = 250  # choices made in quick succession (arrowing through quarters) compute once
SEED_LIMIT = 1_000_000  # a chosen seed is short enough to read out and type again
DEFAULT_SAMPLE = 10

PDF_FILTER = "PDF document (*.pdf)"
CSV_FILTER = "CSV file (*.csv)"
XLSX_FILTER = "Excel workbook (*.xlsx)"
REPORT_FILTERS = {".pdf": PDF_FILTER, ".csv": CSV_FILTER, ".xlsx": XLSX_FILTER}

# Chart colours as the PDF draws them (export.quarterly).
BAR_COLOUR = "#3d6b99"
EARLIER_BAR_COLOUR = "#8eaccb"
BAND_FILL = "#dcebd5"
BAND_EDGE = "#6f9f5f"
INTERNAL_BANNER = "background: #fff3cd; color: #5c4400; border: 1px solid #e0c060;"
PUBLISHABLE_BANNER = "background: #e3f1dc; color: #1f4d14; border: 1px solid #8fbf7f;"


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # source text, translated when shown
    tables: tuple[str, ...]  # ViewTable keys, in order
    charts: tuple[str, ...] = ()  # ViewChart keys
    charts_beside: bool = False  # the chart to the right of the tables (otherwise below)


# The preview's tabs. A table the view has and no section names goes to "More", so nothing the
# view publishes is left out of the preview.
SECTIONS: tuple[Section, ...] = (
    Section("headline", "Headline", ("headline", "year_on_year")),
    Section("trend", "Over time", ("trend",), ("repeat_rate",)),
    Section("sources", "Referral sources", ("sources",), ("sources",), charts_beside=True),
    Section("people", "Victims and perpetrators", ("victims", "perpetrators", "relationships")),
    Section("actions", "Actions", ("actions", "action_outcomes"), ("actions",), charts_beside=True),
    Section("meetings", "Attendance, research, minutes", ("attendance", "research", "minutes")),
    Section("completeness", "Completeness", ("completeness",)),
    Section("community", "Community MARAC", ("community_months", "community_meetings")),
)
INDICATORS_KEY = "indicators"
MORE_KEY = "more"

POSITION_WORDS = {
    Position.BELOW: "Below the expected range",
    Position.WITHIN: "Within",
    Position.ABOVE: "Above the expected range",
}


def _t(text: str) -> str:
    return tr(text, CONTEXT)


def cell_text(cell: str | Shown) -> str:
    return cell if isinstance(cell, str) else cell.text


def hidden_meaning(text: str) -> str:
    """What a hidden figure's mark means, for tooltips and screen readers ("" for a figure)."""
    if text == SMALL:
        return _t("Fewer than 5: hidden in a publishable report")
    if text == HIDDEN:
        return _t("Hidden so that a small number cannot be worked out from the other figures")
    return ""


def _index_of(combo: QComboBox, value: object) -> int:
    """The item whose data equals `value` (findData compares Python objects by identity)."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


def file_stem(*parts: str) -> str:
    """A file name from words: "Q2 2026/27", "publishable" → "q2-2026-27-publishable"."""
    return re.sub(r"[^a-z0-9]+", "-", " ".join(parts).casefold()).strip("-")


def indicators_table(view: ReportView) -> ViewTable:
    """Every indicator in the CSV's order, with its band and where the figure stands."""
    rows = tuple(
        (
            item.label,
            item.shown,
            item.expected,
            _t(POSITION_WORDS[item.position]) if item.position is not None else "",
            item.key,
        )
        for item in view.indicators
    )
    return ViewTable(
        INDICATORS_KEY,
        "All indicators",
        _t("Every indicator, in the order of the CSV file"),
        (_t("Indicator"), _t("Figure"), _t("Expected"), _t("Against expected"), _t("CSV key")),
        rows,
        notes=(_t("The CSV file has two columns: the CSV key and the figure."),),
    )


# ----- tables -------------------------------------------------------------------------------------


class ViewTableModel(QAbstractTableModel):
    """One table of the view, read-only, as text: the first column is the row's label."""

    def __init__(self, table: ViewTable, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self._bold = QFont()
        self._bold.setBold(True)
        self._numeric = {
            column
            for row in table.rows
            for column, cell in enumerate(row)
            if column > 0 and isinstance(cell, Shown)
        }
        self._outside = {
            _t(POSITION_WORDS[Position.BELOW]),
            _t(POSITION_WORDS[Position.ABOVE]),
            "Below",
            "Above",
        }

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.header)

    def text(self, row: int, column: int) -> str:
        cells = self.table.rows[row]
        return cell_text(cells[column]) if column < len(cells) else ""

    def data(  # noqa: PLR0911 - one answer per role
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        text = self.text(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            meaning = hidden_meaning(text)
            if meaning:
                return f"{text}: {meaning}" if role == Qt.ItemDataRole.ToolTipRole else meaning
            return text if role == Qt.ItemDataRole.AccessibleTextRole else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self._numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole:
            total = row >= len(self.table.rows) - self.table.total_rows
            return self._bold if total or text in self._outside else None
        if role == Qt.ItemDataRole.ForegroundRole and text in self._outside:
            return QBrush(QColor(WARNING_COLOUR))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.table.header[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = (
                Qt.AlignmentFlag.AlignRight
                if section in self._numeric
                else Qt.AlignmentFlag.AlignLeft
            )
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        return None


class FigureTable(QTableView):
    """A table as tall as its rows (the page scrolls, not the table), as wide as its columns."""

    def __init__(self, table: ViewTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures = ViewTableModel(table, self)
        self.setModel(self.figures)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustIgnored)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(56)
        self.resizeColumnsToContents()
        label_width = self.columnWidth(0)
        widths = [self.columnWidth(c) + 14 for c in range(self.figures.columnCount())]
        for column, width in enumerate(widths):
            self.setColumnWidth(column, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        frame = 2 * self.frameWidth()
        self._content_width = sum(widths) + frame
        self.setMinimumWidth(min(self._content_width, self._content_width - label_width + 140))
        self.setMaximumWidth(self._content_width)
        height = header.sizeHint().height() + self.verticalHeader().length() + frame
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        named(self, table.title)

    def sizeHint(self) -> QSize:
        return QSize(self._content_width, self.height())


# ----- charts -------------------------------------------------------------------------------------


def _nice_top(values: Sequence[Decimal], floor: Decimal) -> Decimal:
    top = max([floor, *values])
    step = Decimal(10) if top <= 100 else Decimal(10) ** (len(str(int(top))) - 1)
    return (top / step).to_integral_value(rounding=ROUND_CEILING) * step


class BarChart(QWidget):
    """A chart of the view, drawn with QPainter: columns over a shaded band for the repeat rate
    by period, horizontal bars otherwise. A hidden figure has no bar, only its mark; the
    figures are also in the table beside the chart and in the accessible description."""

    def __init__(self, chart: ViewChart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.columns = chart.band is not None or chart.key == "repeat_rate"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(320)
        self.setFixedHeight(self._height())
        described = "; ".join(f"{b.label}: {b.text}" for b in chart.bars)
        if chart.note:
            described += f". {chart.note}"
        self.setAccessibleName(chart.title)
        self.setAccessibleDescription(described)
        self.setToolTip(described)

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 8

    def _height(self) -> int:
        if self.columns:
            return 200
        return len(self.chart.bars) * self._row_height() + 12

    def sizeHint(self) -> QSize:
        if self.columns:
            return QSize(560, self._height())
        return QSize(460, self._height())

    def bar_numbers(self) -> list[Decimal | None]:
        return [b.number for b in self.chart.bars]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            if self.columns:
                self._paint_columns(painter)
            else:
                self._paint_bars(painter)
        finally:
            painter.end()

    def _ink(self) -> QColor:
        return self.palette().windowText().color()

    def _paint_columns(self, p: QPainter) -> None:
        chart = self.chart
        metrics = self.fontMetrics()
        unit = chart.unit
        shown = [b.number for b in chart.bars if b.number is not None]
        floor = Decimal(50)
        band = chart.band
        if band is not None and band.high is not None:
            floor = max(floor, band.high + 10)
        top = _nice_top(shown, floor)
        left = metrics.horizontalAdvance(f"100{unit}") + 12
        bottom_pad = metrics.height() + 10
        top_pad = metrics.height() + 6
        width = self.width() - left - 8
        height = self.height() - bottom_pad - top_pad
        base = top_pad + height

        def y(value: Decimal) -> float:
            return base - float(value / top) * height

        if band is not None:
            low = band.low if band.low is not None else Decimal(0)
            high = min(band.high if band.high is not None else top, top)
            p.fillRect(QRectF(left, y(high), width, y(low) - y(high)), QColor(BAND_FILL))
            p.setPen(QPen(QColor(BAND_EDGE), 1, Qt.PenStyle.DashLine))
            for edge in (band.low, band.high):
                if edge is not None and edge <= top:
                    p.drawLine(QPointF(left, y(edge)), QPointF(left + width, y(edge)))
        grid = QColor(self._ink())
        grid.setAlpha(40)
        steps = 5
        for i in range(steps + 1):
            value = top * i / steps
            p.setPen(QPen(grid, 1))
            p.drawLine(int(left), int(y(value)), int(left + width), int(y(value)))
            p.setPen(QColor(MUTED_COLOUR))
            p.drawText(
                QRectF(0, y(value) - metrics.height() / 2, left - 6, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"{value:.0f}{unit}",
            )
        slot = width / max(1, len(chart.bars))
        bar_w = min(slot * 0.55, 70.0)
        bold = QFont(self.font())
        bold.setBold(True)
        for i, bar in enumerate(chart.bars):
            last = i == len(chart.bars) - 1
            centre = left + slot * (i + 0.5)
            label_y: float = base
            if bar.number is not None and bar.number > 0:
                colour = QColor(BAR_COLOUR if last else EARLIER_BAR_COLOUR)
                p.fillRect(
                    QRectF(centre - bar_w / 2, y(bar.number), bar_w, base - y(bar.number)), colour
                )
                label_y = y(bar.number)
            p.setFont(bold if last else self.font())
            p.setPen(self._ink())
            p.drawText(
                QRectF(centre - slot / 2, label_y - metrics.height() - 2, slot, metrics.height()),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                bar.text,
            )
            p.drawText(
                QRectF(centre - slot / 2, base + 4, slot, metrics.height()),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                bar.label,
            )
        p.setFont(self.font())
        p.setPen(QPen(self._ink(), 1))
        p.drawLine(int(left), int(base), int(left + width), int(base))

    def _paint_bars(self, p: QPainter) -> None:
        chart = self.chart
        metrics = self.fontMetrics()
        row = self._row_height()
        label_w = max((metrics.horizontalAdvance(b.label) for b in chart.bars), default=0) + 10
        text_w = max((metrics.horizontalAdvance(b.text) for b in chart.bars), default=0) + 10
        plot_w = max(20, self.width() - label_w - text_w - 8)
        shown = [b.number for b in chart.bars if b.number is not None]
        top = Decimal(100) if chart.unit == "%" else max([Decimal(1), *shown])
        p.setPen(self._ink())
        for i, bar in enumerate(chart.bars):
            y0 = 6 + i * row
            p.drawText(
                QRectF(0, y0, label_w - 8, row),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                bar.label,
            )
            end = float(label_w)
            if bar.number is not None and bar.number > 0:
                length = float(bar.number / top) * plot_w
                p.fillRect(QRectF(label_w, y0 + row * 0.2, length, row * 0.6), QColor(BAR_COLOUR))
                end += length
            p.drawText(
                QRectF(end + 4, y0, text_w, row),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                bar.text,
            )
        p.setPen(QPen(self._ink(), 1))
        p.drawLine(label_w, 4, label_w, 8 + len(chart.bars) * row)


# ----- the area -----------------------------------------------------------------------------------


class ReportsView(QWidget):
    """The Reports area (see the module notes)."""

    previewed = Signal(object)  # the ReportView now shown
    preview_failed = Signal(str)
    exported = Signal(str)  # what was written where, as the area says it
    export_failed = Signal(str)

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.today: Callable[[], date] = date.today
        self.choices: ReportChoices | None = None
        self.report: QuarterlyReport | None = None  # exact figures: never shown, only published
        self.view: ReportView | None = None
        self.tables: dict[str, FigureTable] = {}
        self.charts: dict[str, BarChart] = {}
        self.last_seed: int | None = None
        self._generation = 0
        self._computing = False
        self._exporting = False
        self._loading_choices = False
        self._last_dir: Path | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._compute_if_shown)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        outer.addLayout(self._build_top())
        outer.addLayout(self._build_choices())
        self._build_preview(outer)
        outer.addWidget(self._build_exports())
        self.result = MessageLabel(self, name=self.tr("Export result"))
        outer.addWidget(self.result)

        for keys, slot in (
            ("Ctrl+Return", self.compute),
            ("Ctrl+Enter", self.compute),
            ("Ctrl+E", lambda: self.export_report(".pdf")),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        ctx.events.data_changed.connect(self._data_changed)
        name_unnamed_buttons(self)
        self._mode_changed()

    # ----- building --------------------------------------------------------------------------

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Reports"), 1, self))
        top.addStretch(1)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Working"))
        self.progress.hide()
        self.progress_label = QLabel("", self)
        self.progress_label.setStyleSheet(f"color: {MUTED_COLOUR};")
        top.addWidget(self.progress_label)
        top.addWidget(self.progress)
        self.preview_button = QPushButton(self.tr("Pre&view"), self)
        self.preview_button.setToolTip(self.tr("Work the figures out again (Ctrl+Return or F5)"))
        named(self.preview_button, self.tr("Preview the figures"))
        self.preview_button.clicked.connect(lambda _c=False: self.compute())
        top.addWidget(self.preview_button)
        return top

    def _build_choices(self) -> QHBoxLayout:
        choices = QHBoxLayout()
        choices.setSpacing(12)
        choices.addWidget(self._build_period(), 3)
        choices.addWidget(self._build_panel(), 3)
        choices.addWidget(self._build_mode(), 3)
        return choices

    def _build_preview(self, outer: QVBoxLayout) -> None:
        self.banner = QLabel("", self)
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.message = MessageLabel(self, name=self.tr("Reports message"))
        outer.addWidget(self.message)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        named(self.tabs, self.tr("Report preview"), self.tr("Ctrl+Tab moves between sections"))
        self.placeholder = QLabel(
            self.tr("Choose a period and a panel: the figures appear here."), self
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet(f"color: {MUTED_COLOUR}; padding: 40px;")
        outer.addWidget(self.tabs, 1)
        outer.addWidget(self.placeholder, 1)
        self.tabs.hide()

    def _build_period(self) -> QGroupBox:
        box = QGroupBox(self.tr("Period"), self)
        grid = QGridLayout(box)
        grid.setVerticalSpacing(4)
        self.period_kind = QButtonGroup(self)
        self.quarter_radio = QRadioButton(self.tr("&Quarter"), box)
        self.year_radio = QRadioButton(self.tr("Financial &year"), box)
        self.range_radio = QRadioButton(self.tr("Other &dates"), box)
        self.quarter_choice = QComboBox(box)
        named(self.quarter_choice, self.tr("Quarter"), self.tr("UK financial-year quarters"))
        self.year_choice = QComboBox(box)
        named(self.year_choice, self.tr("Financial year"), self.tr("April to March"))
        self.range_from = DateField(box, self.tr("First day"))
        self.range_to = DateField(box, self.tr("Last day"))
        for day in (self.range_from, self.range_to):
            day.setMinimumWidth(day.fontMetrics().horizontalAdvance("00/00/00000") + 12)
        dates = QHBoxLayout()
        dates.setSpacing(4)
        dates.addWidget(self.range_from)
        to = QLabel(self.tr("to"), box)
        dates.addWidget(to)
        dates.addWidget(self.range_to)
        for row, (radio, field) in enumerate(
            ((self.quarter_radio, self.quarter_choice), (self.year_radio, self.year_choice))
        ):
            grid.addWidget(radio, row, 0)
            grid.addWidget(field, row, 1)
        grid.addWidget(self.range_radio, 2, 0)
        grid.addLayout(dates, 2, 1)
        grid.setColumnStretch(1, 1)
        for kind, radio in enumerate((self.quarter_radio, self.year_radio, self.range_radio)):
            self.period_kind.addButton(radio, kind)
        self.quarter_radio.setChecked(True)
        self.period_kind.idToggled.connect(self._kind_toggled)
        self.quarter_choice.currentIndexChanged.connect(
            lambda _i: self._period_picked(self.quarter_radio)
        )
        self.year_choice.currentIndexChanged.connect(
            lambda _i: self._period_picked(self.year_radio)
        )
        for day in (self.range_from, self.range_to):
            day.textEdited.connect(lambda _t: self.range_radio.setChecked(True))
            day.returnPressed.connect(self._range_entered)
            day.left.connect(self._range_entered)
        return box

    def _build_panel(self) -> QGroupBox:
        box = QGroupBox(self.tr("Panel"), self)
        layout = QVBoxLayout(box)
        layout.setSpacing(4)
        self.panel_choice = QComboBox(box)
        self.panel_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.panel_choice.setMinimumContentsLength(18)
        named(self.panel_choice, self.tr("Panel"))
        self.panel_choice.currentIndexChanged.connect(lambda _i: self._panel_changed())
        self.panel_hint = QLabel("", box)
        self.panel_hint.setWordWrap(True)
        self.panel_hint.setStyleSheet(f"color: {MUTED_COLOUR};")
        layout.addWidget(self.panel_choice)
        layout.addWidget(self.panel_hint)
        layout.addStretch(1)
        return box

    def _build_mode(self) -> QGroupBox:
        box = QGroupBox(self.tr("Figures"), self)
        layout = QVBoxLayout(box)
        layout.setSpacing(4)
        self.mode_group = QButtonGroup(self)
        self.internal_radio = QRadioButton(self.tr("&Internal: exact figures"), box)
        self.internal_radio.setToolTip(self.tr("For the partnership only: not for publication"))
        self.publishable_radio = QRadioButton(self.tr("&Publishable: small numbers hidden"), box)
        self.publishable_radio.setToolTip(
            self.tr("Counts below 5 are shown as <5, and figures that would give one away as *")
        )
        self.round_check = QCheckBox(self.tr("Round counts to the nearest &5"), box)
        self.round_check.setToolTip(self.tr("Publishable reports only"))
        self.mode_group.addButton(self.internal_radio, 0)
        self.mode_group.addButton(self.publishable_radio, 1)
        self.internal_radio.setChecked(True)
        round_row = QHBoxLayout()
        round_row.setContentsMargins(22, 0, 0, 0)
        round_row.addWidget(self.round_check)
        layout.addWidget(self.internal_radio)
        layout.addWidget(self.publishable_radio)
        layout.addLayout(round_row)
        layout.addStretch(1)
        self.mode_group.idToggled.connect(self._mode_toggled)
        self.round_check.toggled.connect(lambda _on: self._mode_changed())
        return box

    def _build_exports(self) -> QGroupBox:
        box = QGroupBox(self.tr("Export"), self)
        grid = QGridLayout(box)
        grid.setVerticalSpacing(6)
        self.report_caption = QLabel("", box)
        self.pdf_button = self._button(box, self.tr("PD&F…"), "Ctrl+E", self.tr("Report as PDF"))
        self.pdf_button.clicked.connect(lambda _c=False: self.export_report(".pdf"))
        self.csv_button = self._button(box, self.tr("&CSV…"), "Alt+C", self.tr("Report as CSV"))
        self.csv_button.clicked.connect(lambda _c=False: self.export_report(".csv"))
        self.xlsx_button = self._button(box, self.tr("&XLSX…"), "Alt+X", self.tr("Report as XLSX"))
        self.xlsx_button.clicked.connect(lambda _c=False: self.export_report(".xlsx"))
        report_row = QHBoxLayout()
        report_row.addWidget(self.report_caption)
        for button in (self.pdf_button, self.csv_button, self.xlsx_button):
            report_row.addWidget(button)
        report_row.addSpacing(16)
        return_caption = QLabel(self.tr("National return (exact counts per meeting):"), box)
        self.return_button = self._button(
            box, self.tr("National &return…"), "Alt+R", self.tr("National return")
        )
        self.return_button.setToolTip(
            self.tr("One row of counts per meeting held in the period, as CSV or XLSX (Alt+R)")
        )
        self.return_button.clicked.connect(lambda _c=False: self.export_national_return())
        report_row.addWidget(return_caption)
        report_row.addWidget(self.return_button)
        report_row.addStretch(1)
        grid.addLayout(report_row, 0, 0)

        sample_row = QHBoxLayout()
        sample_row.addWidget(QLabel(self.tr("QA dip sample (case references):"), box))
        cases = QLabel(self.tr("Ca&ses"), box)
        self.sample_size = QSpinBox(box)
        self.sample_size.setRange(1, 500)
        self.sample_size.setValue(DEFAULT_SAMPLE)
        named(self.sample_size, self.tr("Cases to sample"))
        cases.setBuddy(self.sample_size)
        seed = QLabel(self.tr("S&eed"), box)
        self.sample_seed = QLineEdit(box)
        self.sample_seed.setValidator(QIntValidator(0, 999_999_999, self.sample_seed))
        self.sample_seed.setPlaceholderText(self.tr("new sample"))
        self.sample_seed.setMaximumWidth(120)
        named(
            self.sample_seed,
            self.tr("Seed"),
            self.tr("Leave empty for a new sample; type a seed to draw the same cases again"),
        )
        seed.setBuddy(self.sample_seed)
        self.sample_button = self._button(
            box, self.tr("Dip sa&mple PDF…"), "Alt+M", self.tr("Dip sample as PDF")
        )
        self.sample_button.clicked.connect(lambda _c=False: self.export_dip_sample())
        self.seed_label = QLabel("", box)
        self.seed_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (cases, self.sample_size, seed, self.sample_seed, self.sample_button):
            sample_row.addWidget(widget)
        sample_row.addWidget(self.seed_label)
        sample_row.addStretch(1)
        grid.addLayout(sample_row, 1, 0)
        self.export_buttons = (
            self.pdf_button,
            self.csv_button,
            self.xlsx_button,
            self.return_button,
            self.sample_button,
        )
        return box

    def _button(self, parent: QWidget, text: str, keys: str, name: str) -> QPushButton:
        button = QPushButton(text, parent)
        button.setToolTip(f"{name} ({keys})")
        named(button, name)
        return button

    # ----- choices ---------------------------------------------------------------------------

    def activated(self) -> None:
        """Shown (or F5): read the choices again and work the figures out for them."""
        self.load_choices()
        self._debounce.start()

    def load_choices(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        today = self.today()
        try:
            found = reports.report_choices(store, today)
        except Exception as exc:
            self.message.show_error(
                self.tr("Could not read the periods and panels: {error}").format(
                    error=safe_error(exc)
                )
            )
            return
        self.choices = found
        self._loading_choices = True
        try:
            self._fill_periods(self.quarter_choice, found.quarters, quarter_of(today), 1)
            self._fill_periods(self.year_choice, found.years, None, 0)
            panel = self.panel_choice.currentData()
            self.panel_choice.clear()
            self.panel_choice.addItem(self.tr("All domestic abuse panels"), None)
            for choice in found.panels:
                text = choice.name
                if choice.community and "community" not in choice.name.casefold():
                    text += " — " + self.tr("Community MARAC")
                if not choice.active:
                    text += " " + self.tr("(inactive)")
                self.panel_choice.addItem(text, choice.name)
            self.panel_choice.setCurrentIndex(max(0, _index_of(self.panel_choice, panel)))
        finally:
            self._loading_choices = False
        self._panel_changed(compute=False)

    def _fill_periods(
        self, combo: QComboBox, periods: Sequence[Period], current: Period | None, default: int
    ) -> None:
        chosen = combo.currentData()
        combo.clear()
        for period in periods:
            text = period.label
            if current is not None and period == current:
                text = self.tr("{period} (so far)").format(period=period.label)
            combo.addItem(text, period)
        index = _index_of(combo, chosen) if chosen is not None else -1
        combo.setCurrentIndex(index if index >= 0 else min(default, combo.count() - 1))

    def select_period(self, label: str) -> None:
        """Choose a quarter or financial year by its label ("Q1 2024/25", "2023/24")."""
        for combo, radio in (
            (self.quarter_choice, self.quarter_radio),
            (self.year_choice, self.year_radio),
        ):
            for i in range(combo.count()):
                if str(combo.itemData(i)) == label:
                    radio.setChecked(True)
                    combo.setCurrentIndex(i)
                    return
        raise KeyError(label)

    def select_panel(self, name: str | None) -> None:
        index = _index_of(self.panel_choice, name)
        if index < 0:
            raise KeyError(name)
        self.panel_choice.setCurrentIndex(index)

    def chosen_panel(self) -> str | None:
        data = self.panel_choice.currentData()
        return None if data is None else str(data)

    def chosen_mode(self) -> tuple[Mode, bool]:
        if self.publishable_radio.isChecked():
            return Mode.PUBLISHABLE, self.round_check.isChecked()
        return Mode.INTERNAL, False

    def chosen_period(self, *, quiet: bool = False) -> Period | None:
        """The period chosen; None (and, unless quiet, the reason shown) when there is none."""
        problem = ""
        period: Period | None = None
        if self.quarter_radio.isChecked() or self.year_radio.isChecked():
            combo = self.quarter_choice if self.quarter_radio.isChecked() else self.year_choice
            data = combo.currentData()
            if isinstance(data, Period):
                period = data
            else:
                problem = self.tr("Choose a period.")
        else:
            start, end = self.range_from.parsed(), self.range_to.parsed()
            if start.problem or end.problem:
                problem = start.problem or end.problem
            elif start.value is None or end.value is None:
                problem = self.tr("Type the first and the last day of the period (DD/MM/YYYY).")
            elif end.value < start.value:
                problem = self.tr("The last day ({end}) is before the first ({start}).").format(
                    end=uk_date(end.value), start=uk_date(start.value)
                )
            else:
                period = date_range(start.value, end.value)
        if problem and not quiet:
            self.message.show_error(problem)
        return period

    def _kind_toggled(self, _kind: int, on: bool) -> None:
        if on and not self._loading_choices:
            if self.range_radio.isChecked() and self.chosen_period(quiet=True) is None:
                self.range_from.setFocus()
                return
            self._choices_changed()

    def _period_picked(self, radio: QRadioButton) -> None:
        if self._loading_choices:
            return
        if not radio.isChecked():
            radio.setChecked(True)  # toggling computes
            return
        self._choices_changed()

    def _range_entered(self) -> None:
        if self.range_radio.isChecked() and self.chosen_period(quiet=True) is not None:
            self._choices_changed()

    def _panel_changed(self, *, compute: bool = True) -> None:
        name = self.chosen_panel()
        community = any(
            p.name == name and p.community for p in (self.choices.panels if self.choices else ())
        )
        if name is None:
            hint = self.tr(
                "Community MARAC panels are kept out of the national indicators and shown in "
                "their own section."
            )
        elif community:
            hint = self.tr("A Community MARAC: new, ongoing and closed cases by month.")
        else:
            hint = ""
        self.panel_hint.setText(hint)
        self.panel_hint.setVisible(bool(hint))
        if compute and not self._loading_choices:
            self._choices_changed()

    def _choices_changed(self) -> None:
        self.message.clear_message()
        self._debounce.start()

    def _mode_toggled(self, _id: int, on: bool) -> None:
        if on:
            self._mode_changed()

    def _mode_changed(self) -> None:
        publishable = self.publishable_radio.isChecked()
        self.round_check.setEnabled(publishable)
        if not publishable and self.round_check.isChecked():
            self.round_check.setChecked(False)  # comes back here
            return
        mode, rounded = self.chosen_mode()
        self.report_caption.setText(
            self.tr("Report ({mode}):").format(
                mode=self.tr("publishable") if publishable else self.tr("internal")
            )
        )
        if self.report is not None:
            self._show(publish(self.report, mode, round_to_5=rounded))

    def _data_changed(self) -> None:
        if self.isVisible():
            self._debounce.start()

    # ----- working the figures out -----------------------------------------------------------

    def _compute_if_shown(self) -> None:
        if self.isVisible():
            self.compute()

    def compute(self) -> None:
        """Work the figures out for the choices made, in the task runner."""
        self._debounce.stop()
        store = self._ctx.opened.store
        if store.closed:
            return
        period = self.chosen_period()
        if period is None:
            return
        self.message.clear_message()
        panel = self.chosen_panel()
        today = self.today()
        now = datetime.now().replace(second=0, microsecond=0)
        self._generation += 1
        generation = self._generation
        self._computing = True
        self._update_busy(self.tr("Working out the figures for {period}…").format(period=period))

        def work(_task: Any) -> QuarterlyReport | None:
            if generation != self._generation:
                return None  # a newer choice is already waiting
            return reports.quarterly_report(
                store, period, panel=panel, as_at=today, generated_at=now
            )

        self._ctx.runner.run(
            self.tr("Working out the report"),
            work,
            show_progress=False,
            on_success=lambda found: self._computed(generation, found),
            on_error=lambda exc: self._compute_failed(generation, exc),
            context=self,
        )

    def _computed(self, generation: int, found: QuarterlyReport | None) -> None:
        if generation != self._generation or found is None:
            return
        self._computing = False
        self._update_busy()
        self.report = found
        mode, rounded = self.chosen_mode()
        self._show(publish(found, mode, round_to_5=rounded))

    def _compute_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._computing = False
        self._update_busy()
        text = self.tr("The figures could not be worked out: {error}").format(error=safe_error(exc))
        self.message.show_error(text)
        self.preview_failed.emit(text)

    def _update_busy(self, text: str = "") -> None:
        busy = self._computing or self._exporting
        self.progress.setVisible(busy)
        if text or not busy:
            self.progress_label.setText(text)
        for button in self.export_buttons:
            button.setEnabled(not self._exporting)

    # ----- the preview -----------------------------------------------------------------------

    def _show(self, view: ReportView) -> None:
        self.view = view
        current = self.tabs.currentWidget()
        keep = current.objectName() if current is not None else ""
        old = [w for i in range(self.tabs.count()) if (w := self.tabs.widget(i)) is not None]
        self.tabs.clear()
        for stale in old:
            stale.hide()
            stale.setParent(None)  # gone from the preview now, deleted when Qt is ready
            stale.deleteLater()
        self.tables, self.charts = {}, {}
        placed: set[str] = set()
        for section in SECTIONS:
            tables = [t for key in section.tables if (t := view.table(key)) is not None]
            if not tables:
                continue
            placed.update(t.key for t in tables)
            charts = [c for key in section.charts if (c := view.chart(key)) is not None]
            extra = self._band_box(view) if section.key == "headline" else None
            notes = view.notes if section.key == "headline" else ()
            self._add_page(section, tables, charts, extra, notes)
        rest = [t for t in view.tables if t.key not in placed]
        if rest:
            self._add_page(Section(MORE_KEY, "More", ()), rest, [], None, ())
        self._add_page(
            Section(INDICATORS_KEY, "All indicators", ()), [indicators_table(view)], [], None, ()
        )
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if page is not None and page.objectName() == keep:
                self.tabs.setCurrentIndex(i)
        self._show_banner(view)
        self.placeholder.hide()
        self.tabs.show()
        self.previewed.emit(view)

    def _show_banner(self, view: ReportView) -> None:
        if view.publishable:
            text = self.tr(
                "PUBLISHABLE — small numbers hidden: <5 is fewer than five; * is hidden so that "
                "a small number cannot be worked out."
            )
            if view.round_to_5:
                text += " " + self.tr("Counts of people and cases rounded to the nearest 5.")
            style = PUBLISHABLE_BANNER
        else:
            text = self.tr("INTERNAL — exact figures. Not for publication.")
            style = INTERNAL_BANNER
        dates = view.period_text.removeprefix(f"{view.period_label}: ")
        detail = self.tr("{title} · {dates} · overdue and late counted on {as_at}").format(
            title=view.title, dates=dates, as_at=uk_date(view.as_at)
        )
        self.banner.setText(f"<b>{escape(text)}</b><br>{escape(detail)}")
        self.banner.setStyleSheet(style + " padding: 6px 10px; border-radius: 4px;")
        self.banner.setAccessibleName(f"{text} {detail}")
        self.banner.show()

    def _band_box(self, view: ReportView) -> QWidget:
        box = QFrame(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 4)
        if view.band_notes:
            title = QLabel(self.tr("Figures outside their expected range:"), box)
            title.setStyleSheet("font-weight: bold;")
            layout.addWidget(title)
            for note in view.band_notes:
                line = QLabel("⚠ " + note, box)
                line.setWordWrap(True)
                line.setStyleSheet(f"color: {WARNING_COLOUR};")
                line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout.addWidget(line)
        else:
            line = QLabel(self.tr("Every figure with an expected range is within it."), box)
            line.setStyleSheet(f"color: {MUTED_COLOUR};")
            layout.addWidget(line)
        box.setAccessibleName(self.tr("Figures outside their expected range"))
        return box

    def _add_page(
        self,
        section: Section,
        tables: Sequence[ViewTable],
        charts: Sequence[ViewChart],
        extra: QWidget | None,
        notes: Sequence[str],
    ) -> None:
        scroll = QScrollArea(self.tabs)
        scroll.setObjectName(section.key)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = ScrollBody(scroll)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 8, 12, 8)
        layout.setSpacing(6)
        if extra is not None:
            extra.setParent(body)
            layout.addWidget(extra)
        column = QVBoxLayout()
        column.setSpacing(6)
        for table in tables:
            self._add_table(body, column, table)
        chart_column = QVBoxLayout()
        for chart in charts:
            self._add_chart(body, chart_column, chart)
        if section.charts_beside and charts:
            row = QHBoxLayout()
            row.setSpacing(24)
            column.addStretch(1)
            chart_column.addStretch(1)
            row.addLayout(column, 3)
            row.addLayout(chart_column, 2)
            layout.addLayout(row)
        else:
            layout.addLayout(column)
            layout.addLayout(chart_column)
        for note in notes:
            layout.addWidget(self._note(body, note))
        layout.addStretch(1)
        scroll.setWidget(body)
        self.tabs.addTab(scroll, tr(section.title, CONTEXT))

    def _add_table(self, parent: QWidget, layout: QVBoxLayout, table: ViewTable) -> None:
        title = QLabel(table.title, parent)
        title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        view = FigureTable(table, parent)
        title.setBuddy(view)
        self.tables[table.key] = view
        layout.addWidget(title)
        layout.addWidget(view)
        for note in table.notes:
            layout.addWidget(self._note(parent, note))

    def _add_chart(self, parent: QWidget, layout: QVBoxLayout, chart: ViewChart) -> None:
        title = QLabel(chart.title, parent)
        title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        widget = BarChart(chart, parent)
        self.charts[chart.key] = widget
        layout.addWidget(title)
        layout.addWidget(widget)
        if chart.note:
            layout.addWidget(self._note(parent, chart.note))

    @staticmethod
    def _note(parent: QWidget, text: str) -> QLabel:
        label = QLabel(text, parent)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {MUTED_COLOUR};")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def preview_texts(self) -> list[str]:
        """Every text the preview shows: banner, notes, table cells and headers, chart labels."""
        found = [self.banner.text()]
        for label in self.tabs.findChildren(QLabel):
            found.append(label.text())
        for table in self.tables.values():
            model = table.figures
            found += [str(h) for h in model.table.header]
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    index = model.index(row, column)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        if value:
                            found.append(str(value))
        for chart in self.charts.values():
            found += [chart.accessibleDescription(), chart.toolTip()]
            found += [b.text for b in chart.chart.bars]
        return found

    # ----- exports ---------------------------------------------------------------------------

    def _ask_path(
        self, caption: str, name: str, file_filter: str, suffixes: Sequence[str]
    ) -> Path | None:
        start = self._last_dir or Path.home()
        chosen = pick_save_file(self, caption, start / name, file_filter)
        if chosen is None:
            return None
        self._last_dir = chosen.parent
        suffix = chosen.suffix.lower()
        if suffix not in suffixes:
            if suffix:
                self.result.show_error(
                    self.tr("The file must end in {suffixes}: nothing was written.").format(
                        suffixes=self.tr(" or ").join(suffixes)
                    )
                )
                return None
            chosen = chosen.with_name(chosen.name + suffixes[0])
            if chosen.exists():  # the dialog asked about the name typed, not this one
                self.result.show_error(
                    self.tr("A file already exists at {path}: choose another name.").format(
                        path=chosen
                    )
                )
                return None
        if not chosen.parent.is_dir():
            self.result.show_error(
                self.tr("The folder does not exist: {folder}").format(folder=chosen.parent)
            )
            return None
        return chosen

    def _run_export(
        self,
        title: str,
        fn: Callable[[], Any],
        done: Callable[[Any], str],
        path: Path,
    ) -> None:
        self._exporting = True
        self.result.clear_message()
        self._update_busy(title + "…")

        def work(_task: Any) -> Any:
            return fn()

        self._ctx.runner.run(
            title,
            work,
            show_progress=False,
            on_success=lambda value: self._exported(done(value)),
            on_error=lambda exc: self._export_error(exc, path),
            context=self,
        )

    def _exported(self, text: str) -> None:
        self._exporting = False
        self._update_busy()
        self.result.show_ok(text)
        self._ctx.events.notice.emit(text, False)
        self.exported.emit(text)

    def _export_error(self, exc: BaseException, path: Path) -> None:
        self._exporting = False
        self._update_busy()
        if isinstance(exc, dip_sample.DipSampleError):
            text = self.tr("No checklist was written: {error}").format(error=str(exc))
        elif isinstance(exc, (panels.PanelNotFound, reports.ReportError)):
            text = self.tr("Nothing was written: {error}").format(error=str(exc))
        elif isinstance(exc, OSError):
            text = self.tr("Could not write {path}: {error}").format(
                path=path, error=exc.strerror or type(exc).__name__
            )
        else:
            text = self.tr("Nothing was written: {error}").format(error=safe_error(exc))
        self.result.show_error(text)
        self._ctx.events.notice.emit(text, True)
        self.export_failed.emit(text)

    def _ready_to_export(self) -> Period | None:
        if self._exporting or self._ctx.opened.store.closed:
            return None
        return self.chosen_period()

    def export_report(self, suffix: str) -> None:
        """The report, as previewed (period, panel, mode), to a PDF, CSV or XLSX file."""
        period = self._ready_to_export()
        if period is None:
            return
        panel = self.chosen_panel()
        mode, rounded = self.chosen_mode()
        mode_word = "publishable" if mode is Mode.PUBLISHABLE else "internal"
        name = file_stem("report", period.label, panel or "all panels", mode_word) + suffix
        path = self._ask_path(
            self.tr("Export the report"), name, self.tr(REPORT_FILTERS[suffix]), (suffix,)
        )
        if path is None:
            return
        store, actor, today = self._ctx.opened.store, self._ctx.opened.actor, self.today()
        now = datetime.now().replace(second=0, microsecond=0)

        def write() -> ExportedReport:
            return reports.export_quarterly_report(
                store,
                actor,
                path,
                period,
                panel=panel,
                mode=mode,
                round_to_5=rounded,
                as_at=today,
                generated_at=now,
            )

        def said(done: ExportedReport) -> str:
            how = self.tr("publishable") if done.view.publishable else self.tr("internal")
            if done.view.round_to_5:
                how += ", " + self.tr("rounded to 5")
            return self.tr("{title} ({how}) written as {kind} to {path}").format(
                title=done.view.title, how=how, kind=done.kind, path=done.path
            )

        self._run_export(self.tr("Writing the report"), write, said, path)

    def export_national_return(self) -> None:
        """The national return for the period: one row of counts per meeting, CSV or XLSX."""
        period = self._ready_to_export()
        if period is None:
            return
        panel = self.chosen_panel()
        name = file_stem("national return", period.label, panel or "all panels") + ".csv"
        path = self._ask_path(
            self.tr("Export the national return"),
            name,
            f"{self.tr(CSV_FILTER)};;{self.tr(XLSX_FILTER)}",
            (".csv", ".xlsx"),
        )
        if path is None:
            return
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        now = datetime.now().replace(second=0, microsecond=0)

        def write() -> WrittenReturn:
            return dataset.write_national_return(
                store, actor, path, period, panel, generated_at=now
            )

        def said(done: WrittenReturn) -> str:
            meetings = len(done.rows)
            cases = sum(row.cases_heard for row in done.rows)
            return self.tr(
                "National return for {period} ({panel}): {meetings} meeting(s), {cases} case(s) "
                "heard, written as {kind} to {path}"
            ).format(
                period=period.label,
                panel=panel or self.tr("every panel"),
                meetings=meetings,
                cases=cases,
                kind=done.kind,
                path=done.path,
            )

        self._run_export(self.tr("Writing the national return"), write, said, path)

    def export_dip_sample(self) -> None:
        """N cases heard in the period drawn at random, as the QA checklist PDF."""
        period = self._ready_to_export()
        if period is None:
            return
        panel = self.chosen_panel()
        n = self.sample_size.value()
        typed = self.sample_seed.text().strip()
        seed = int(typed) if typed.isdigit() else secrets.randbelow(SEED_LIMIT)
        name = file_stem("dip sample", period.label, panel or "all panels", f"seed {seed}")
        path = self._ask_path(
            self.tr("Export the dip sample"), name + ".pdf", self.tr(PDF_FILTER), (".pdf",)
        )
        if path is None:
            return
        store, actor, today = self._ctx.opened.store, self._ctx.opened.actor, self.today()
        now = datetime.now().replace(second=0, microsecond=0)

        def write() -> DipSample:
            return dip_sample.write_dip_sample(
                store,
                actor,
                path,
                start=period.start,
                end=period.end,
                n=n,
                seed=seed,
                panel=panel,
                generated_at=now,
                label=period.label,
                today=today,
            )

        def said(sample: DipSample) -> str:
            self.last_seed = seed
            self.seed_label.setText(
                self.tr("Seed used: {seed} (type it to draw the same cases again)").format(
                    seed=seed
                )
            )
            if sample.took_all:
                drawn = self.tr("all {population} cases heard ({n} were asked for)").format(
                    population=sample.population, n=n
                )
            else:
                drawn = self.tr("{cases} of {population} cases heard").format(
                    cases=len(sample.cases), population=sample.population
                )
            return self.tr(
                "Dip sample of {drawn} in {period}, seed {seed}: checklist written to {path}"
            ).format(drawn=drawn, period=period.label, seed=seed, path=path)

        self._run_export(self.tr("Drawing the dip sample"), write, said, path)

    @property
    def busy(self) -> bool:
        return self._computing or self._exporting
