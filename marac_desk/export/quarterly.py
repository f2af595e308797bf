"""The steering group's quarterly report as PDF, from the published view (`report_view`).

Every figure, chart bar and note comes from the view, so a publishable report prints nothing the
view hid: a hidden figure has no bar, only its marker. Charts are drawn with reportlab's own
graphics: the repeat rate across the trend's periods against its expected band, referrals by
source, and the outcome of the actions due in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from marac_desk.export.pdf import (
    FONT,
    FONT_BOLD,
    GRID,
    INK,
    LABEL_FILL,
    MUTED,
    Furniture,
    build_pdf,
    escape,
    facts,
    gap,
    para,
    styles,
    titled_table,
)
from marac_desk.export.report_view import ReportView, TableCell, ViewChart, ViewTable
from marac_desk.export.wording import fmt_date

WIDTH_MM = 180.0  # between A4 portrait margins
BAR = colors.HexColor("#3d6b99")
BAND_FILL = colors.HexColor("#dcebd5")
BAND_EDGE = colors.HexColor("#8fbf7f")
ALERT = colors.HexColor("#9c2f2f")
_KEEP_WHOLE_ROWS = 16


# ----- tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    cell: ParagraphStyle
    bold: ParagraphStyle
    figure: ParagraphStyle  # right-aligned
    figure_bold: ParagraphStyle
    head: ParagraphStyle
    head_figure: ParagraphStyle
    note: ParagraphStyle


def _styles() -> _Styles:
    sty = styles()
    return _Styles(
        cell=sty.cell,
        bold=sty.cell_bold,
        figure=ParagraphStyle("figure", parent=sty.cell, alignment=TA_RIGHT),
        figure_bold=ParagraphStyle("figure_bold", parent=sty.cell_bold, alignment=TA_RIGHT),
        head=sty.head_cell,
        head_figure=ParagraphStyle("head_figure", parent=sty.head_cell, alignment=TA_RIGHT),
        note=ParagraphStyle("table_note", parent=sty.small, spaceBefore=2, spaceAfter=2),
    )


def _cell_text(cell: TableCell) -> str:
    return cell if isinstance(cell, str) else cell.text


def _view_table(
    table: ViewTable,
    widths: Sequence[float],
    *,
    level: int = 2,
    right_from: int = 1,
    title: str | None = None,
    keep: bool = True,
) -> list[Flowable]:
    """A table of the view: figures right-aligned, total rows bold over a rule. A short one is
    kept on one page (`keep` False inside another table, which cannot hold a KeepTogether)."""
    st = _styles()
    totals_from = len(table.rows) - table.total_rows
    cells: list[list[Paragraph]] = []
    for n, row in enumerate(table.rows):
        total = n >= totals_from
        cells.append(
            [
                para(
                    _cell_text(cell),
                    (st.figure_bold if total else st.figure)
                    if c >= right_from
                    else (st.bold if total else st.cell),
                )
                for c, cell in enumerate(row)
            ]
        )
    extra: list[tuple[Any, ...]] = []
    if table.total_rows:
        first = totals_from + 1  # the header is row 0
        extra += [
            ("BACKGROUND", (0, first), (-1, -1), LABEL_FILL),
            ("LINEABOVE", (0, first), (-1, first), 0.9, INK),
        ]
    header = [
        para(text, st.head_figure if c >= right_from else st.head)
        for c, text in enumerate(table.header)
    ]
    flow = titled_table(title or table.title, header, cells, widths, level=level, extra_style=extra)
    flow += [para(note, st.note) for note in table.notes]
    # A short table moves to the next page whole rather than leave a few rows behind.
    return [KeepTogether(flow)] if keep and len(cells) <= _KEEP_WHOLE_ROWS else flow


def _headline(view: ReportView) -> list[Flowable]:
    table = view.table("headline")
    assert table is not None
    st = _styles()
    cells: list[list[Paragraph]] = []
    flagged: list[tuple[Any, ...]] = []
    for n, row in enumerate(table.rows, start=1):
        label, figure, expected, against = (_cell_text(cell) for cell in row)
        outside = against in ("Below", "Above")
        cells.append(
            [
                para(label, st.cell),
                para(figure, st.figure_bold),
                para(expected, st.cell),
                para(against, st.bold if outside else st.cell),
            ]
        )
        if outside:
            flagged.append(("TEXTCOLOR", (3, n), (3, n), ALERT))
    header = [
        para(table.header[0], st.head),
        para(table.header[1], st.head_figure),
        para(table.header[2], st.head),
        para(table.header[3], st.head),
    ]
    flow = titled_table(
        "Headline indicators", header, cells, (92.0, 28.0, 32.0, 28.0), level=1, extra_style=flagged
    )
    flow += [para(note, st.note) for note in table.notes]
    return flow


# ----- charts -------------------------------------------------------------------------------------


def _nice_top(values: Sequence[Decimal], floor: Decimal) -> Decimal:
    top = max([floor, *values])
    step = Decimal(5) if top <= 50 else Decimal(10) if top <= 100 else Decimal(50)
    return ((top / step).to_integral_value(rounding="ROUND_CEILING") or 1) * step


def _column_chart(chart: ViewChart, width_mm: float, height_mm: float = 58) -> Drawing:
    """Vertical columns (one per period) over an optional shaded band."""
    width, height = float(width_mm * mm), float(height_mm * mm)
    left, bottom, top_pad = float(12 * mm), float(12 * mm), float(10 * mm)
    plot_w, plot_h = width - left - 4 * mm, height - bottom - top_pad
    d = Drawing(width, height)
    shown = [b.number for b in chart.bars if b.number is not None]
    floor = Decimal(50)
    if chart.band is not None and chart.band.high is not None:
        floor = max(floor, chart.band.high + 10)
    top = _nice_top(shown, floor)

    def y(value: Decimal) -> float:
        return bottom + float(value / top) * plot_h

    d.add(String(0, height - 5 * mm, chart.title, fontName=FONT_BOLD, fontSize=8.5, fillColor=INK))
    band = chart.band
    if band is not None:
        low = band.low if band.low is not None else Decimal(0)
        high = band.high if band.high is not None else top
        d.add(
            Rect(
                left,
                y(low),
                plot_w,
                y(min(high, top)) - y(low),
                fillColor=BAND_FILL,
                strokeColor=None,
            )
        )
        for edge in (band.low, band.high):
            if edge is not None and edge <= top:
                d.add(Line(left, y(edge), left + plot_w, y(edge), strokeColor=BAND_EDGE))
    steps = 5
    for i in range(steps + 1):
        value = top * i / steps
        d.add(Line(left, y(value), left + plot_w, y(value), strokeColor=GRID, strokeWidth=0.25))
        d.add(
            String(
                left - 2,
                y(value) - 2.5,
                f"{value:.0f}{chart.unit}",
                fontName=FONT,
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    slot = plot_w / max(1, len(chart.bars))
    bar_w = min(slot * 0.55, 22 * mm)
    for i, bar in enumerate(chart.bars):
        centre = left + slot * (i + 0.5)
        last = i == len(chart.bars) - 1
        if bar.number is not None:
            d.add(
                Rect(
                    centre - bar_w / 2,
                    bottom,
                    bar_w,
                    y(bar.number) - bottom,
                    fillColor=BAR if last else colors.HexColor("#8eaccb"),
                    strokeColor=None,
                )
            )
            label_y = y(bar.number) + 2
        else:
            label_y = bottom + 2
        d.add(
            String(
                centre,
                label_y,
                bar.text,
                fontName=FONT_BOLD if last else FONT,
                fontSize=7.5,
                fillColor=INK,
                textAnchor="middle",
            )
        )
        d.add(
            String(
                centre,
                bottom - 4 * mm,
                bar.label,
                fontName=FONT_BOLD if last else FONT,
                fontSize=7,
                fillColor=INK,
                textAnchor="middle",
            )
        )
    d.add(Line(left, bottom, left + plot_w, bottom, strokeColor=INK, strokeWidth=0.6))
    if chart.note:
        d.add(
            String(
                left + plot_w,
                height - 5 * mm,
                chart.note,
                fontName=FONT,
                fontSize=7,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    return d


def _bar_chart(
    chart: ViewChart, width_mm: float, *, label_mm: float = 40, row_mm: float = 5.2
) -> Drawing:
    """Horizontal bars, one per category, the printed figure at the end of each."""
    rows = len(chart.bars)
    width = width_mm * mm
    title_h = 8 * mm
    height = title_h + rows * row_mm * mm + 3 * mm
    d = Drawing(width, height)
    d.add(String(0, height - 5 * mm, chart.title, fontName=FONT_BOLD, fontSize=8.5, fillColor=INK))
    left = label_mm * mm
    plot_w = width - left - 14 * mm
    shown = [b.number for b in chart.bars if b.number is not None]
    top = Decimal(100) if chart.unit == "%" else max([Decimal(1), *shown])
    for i, bar in enumerate(chart.bars):
        base = height - title_h - (i + 1) * row_mm * mm
        d.add(
            String(
                left - 2 * mm,
                base + 1.2 * mm,
                bar.label,
                fontName=FONT,
                fontSize=7,
                fillColor=INK,
                textAnchor="end",
            )
        )
        end = left
        if bar.number is not None and bar.number > 0:
            length = float(bar.number / top) * plot_w
            d.add(
                Rect(
                    left,
                    base + 0.6 * mm,
                    length,
                    row_mm * mm * 0.62,
                    fillColor=BAR,
                    strokeColor=None,
                )
            )
            end = left + length
        d.add(
            String(
                end + 1.5 * mm,
                base + 1.2 * mm,
                bar.text,
                fontName=FONT,
                fontSize=7,
                fillColor=INK,
            )
        )
    d.add(
        Line(left, height - title_h, left, height - title_h - rows * row_mm * mm, strokeColor=INK)
    )
    return d


def _side_by_side(
    left: Flowable | list[Flowable], right: Any, widths: tuple[float, float]
) -> Table:
    t = Table([[left, right]], colWidths=[w * mm for w in widths], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 6),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return t


# ----- the document -------------------------------------------------------------------------------


def _opening(view: ReportView) -> list[Flowable]:
    sty = styles()
    mode = "Publishable" if view.publishable else "Internal — exact figures"
    if view.round_to_5:
        mode += "; counts rounded to the nearest 5"
    pairs = [
        ("Partnership", view.partnership or "—"),
        ("Panels", ", ".join(view.panels) or "none"),
        ("Period", view.period_text),
        ("Figures", mode),
        ("Overdue actions and late minutes as at", fmt_date(view.as_at)),
    ]
    return [
        para(view.heading, sty.title),
        para(f"{view.scope} · {view.period_label}", sty.subtitle),
        facts(pairs, (62.0, 118.0)),
        gap(2),
        *[para(note, sty.small) for note in view.notes],
    ]


def _band_notes(view: ReportView) -> list[Flowable]:
    sty = styles()
    if not view.band_notes:
        return [para("Every figure with an expected band is within it.", sty.body)]
    items = [para("Figures outside their expected bands:", sty.subheading)]
    items += [Paragraph(f"•&nbsp;{escape(note)}", sty.body) for note in view.band_notes]
    return items


def _table(view: ReportView, key: str) -> ViewTable:
    found = view.table(key)
    if found is None:
        raise KeyError(f"the view has no {key} table")
    return found


def _chart(view: ReportView, key: str) -> ViewChart:
    found = view.chart(key)
    if found is None:
        raise KeyError(f"the view has no {key} chart")
    return found


def _section(title: str, *first: Flowable) -> list[Flowable]:
    """A section heading kept on the page of what follows it. (reportlab sends a KeepTogether
    inside another to the next page whatever the room left, so the inner ones are opened.)"""
    content: list[Flowable] = [para(title, styles().heading)]
    for item in first:
        content += item._content if isinstance(item, KeepTogether) else [item]
    return [KeepTogether(content)]


def _trend(view: ReportView) -> list[Flowable]:
    trend = _table(view, "trend")
    columns = len(trend.header) - 1
    return [
        *_section(
            "Referrals over time",
            *_view_table(trend, (WIDTH_MM - 25.0 * columns, *([25.0] * columns))),
        ),
        gap(3),
        _column_chart(_chart(view, "repeat_rate"), WIDTH_MM),
        *_view_table(_table(view, "year_on_year"), (60.0, 40.0, 40.0, 40.0)),
    ]


def _sources(view: ReportView) -> list[Flowable]:
    share = view.indicator("non_police_referrals_pct").shown.text
    return _section(
        "Referral sources",
        para(f"Referrals from agencies other than the police: {share}.", styles().body),
        _side_by_side(
            _view_table(
                _table(view, "sources"), (44.0, 22.0, 18.0), title="By referring agency", keep=False
            ),
            _bar_chart(_chart(view, "sources"), 92.0, label_mm=36),
            (86.0, 94.0),
        ),
    )


def _people(view: ReportView) -> list[Flowable]:
    widths = (56.0, 20.0, 22.0, 28.0, 30.0, 24.0)
    return [
        *_section("Victims and perpetrators", *_view_table(_table(view, "victims"), widths)),
        *_view_table(_table(view, "perpetrators"), widths),
        *_view_table(_table(view, "relationships"), (80.0, 50.0, 50.0)),
    ]


def _actions(view: ReportView) -> list[Flowable]:
    return [
        *_section("Actions", *_view_table(_table(view, "actions"), (130.0, 50.0))),
        _side_by_side(
            _view_table(_table(view, "action_outcomes"), (50.0, 18.0, 16.0), keep=False),
            _bar_chart(_chart(view, "actions"), 92.0, label_mm=42, row_mm=6),
            (86.0, 94.0),
        ),
    ]


def _meetings(view: ReportView) -> list[Flowable]:
    story: list[Flowable] = []
    for key, widths in (
        ("attendance", (64.0, 30.0, 26.0, 32.0, 28.0)),
        ("research", (80.0, 34.0, 34.0, 32.0)),
        ("minutes", (130.0, 50.0)),
    ):
        table = _table(view, key)
        if table.rows:
            flow = _view_table(table, widths)
        else:
            flow = [
                para(table.title, styles().subheading),
                para("Nothing recorded in the period.", styles().body),
            ]
        story += flow if story else _section("Meetings", *flow)
    return story


def _quality(view: ReportView) -> list[Flowable]:
    story = _section(
        "Referral completeness", *_view_table(_table(view, "completeness"), (110.0, 35.0, 35.0))
    )
    months = view.table("community_months")
    if months is not None:
        story += _section(
            "Community MARAC", *_view_table(months, (40.0, 32.0, 27.0, 27.0, 27.0, 27.0))
        )
        meetings = view.table("community_meetings")
        if meetings is not None:
            story += _view_table(meetings, (30.0, 58.0, 23.0, 23.0, 23.0, 23.0), right_from=2)
    return story


def build_quarterly_report(view: ReportView, *, password: str | None = None) -> bytes:
    """The report as PDF bytes; same view → same bytes (unless encrypted)."""
    furniture = Furniture(
        title=view.title,
        date_text=view.period_text,
        marking=view.marking,
        generated_at=view.generated_at,
        watermark=None,
    )
    story: list[Flowable] = [
        *_opening(view),
        *_headline(view),
        gap(2),
        *_band_notes(view),
        *_trend(view),
        *_sources(view),
        *_people(view),
        *_actions(view),
        *_meetings(view),
        *_quality(view),
    ]
    return build_pdf(
        story, furniture, subject=f"{view.marking} quarterly report", password=password
    )
