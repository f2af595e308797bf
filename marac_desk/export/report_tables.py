"""The quarterly report's figures as CSV and XLSX, from the published view (`report_view`).

CSV: exactly two columns, `indicator,value`, one row per indicator in the view's order (the
national return's fifteen first, then the rest); the keys are stable snake_case and never
renamed. Values: counts as whole numbers (a half from joint referrals as 12.5), percentages as
whole numbers without the % sign, rates and averages with one decimal place, a change on a year
earlier signed (-12); "<5" for a small count and "*" for a figure hidden to protect one; empty
when there is nothing to compute from (a percentage of none, no population set). The file is
UTF-8 with a byte-order mark and CRLF line ends, like every CSV MARAC Desk writes
(`export.spreadsheets.to_csv`).

XLSX: the same figures, a sheet per table: "About" (what, which period and panels, internal or
publishable, and the notes), "Indicators" (every CSV row, with its label and expected band), then
one sheet per table of the report. Shown figures are numbers (percentages displayed as "13%"),
hidden ones the text "<5" or "*".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from marac_desk.export.report_view import Kind, ReportView, Shown, TableCell, short_day
from marac_desk.export.spreadsheets import Percent, Row, Sheet, to_csv, to_xlsx_book
from marac_desk.export.wording import fmt_datetime

CSV_HEADER = ("indicator", "value")
_WHOLE = re.compile(r"-?\d+")


def csv_value(shown: Shown) -> str | int:
    """The CSV's value: whole numbers as numbers (so a negative change is never mistaken for a
    formula and quoted), everything else as the view wrote it."""
    return int(shown.value) if _WHOLE.fullmatch(shown.value) else shown.value


def csv_rows(view: ReportView) -> list[Row]:
    return [(item.key, csv_value(item.shown)) for item in view.indicators]


def indicators_csv(view: ReportView) -> bytes:
    return to_csv(CSV_HEADER, csv_rows(view))


# ----- XLSX ---------------------------------------------------------------------------------------


def xlsx_value(cell: TableCell) -> str | int | Decimal | None:
    """A number where the figure is shown, the marker where it is hidden, empty where none."""
    if isinstance(cell, str):
        return cell
    if cell.number is None:
        return cell.text if cell.hidden else None
    if cell.kind is Kind.PERCENT:
        return Percent(int(cell.number))
    if cell.number == cell.number.to_integral_value():
        return int(cell.number)
    return cell.number


def _about(view: ReportView) -> Sheet:
    mode = "Publishable" if view.publishable else "Internal (exact figures)"
    if view.round_to_5:
        mode += ", counts rounded to the nearest 5"
    rows: list[Row] = [
        ("Report", view.title),
        ("Partnership", view.partnership or "—"),
        ("Panels", ", ".join(view.panels) or "none"),
        ("Period", view.period_text),
        ("Figures", mode),
        ("As at", short_day(view.as_at)),
        ("Generated", fmt_datetime(view.generated_at)),
        ("Marking", view.marking),
    ]
    rows += [("Outside the expected band", note) for note in view.band_notes]
    rows += [("Note", note) for note in view.notes]
    for table in view.tables:
        rows += [(f"Note: {table.sheet}", note) for note in table.notes]
    return ("About", ("Item", "Value"), rows)


def _indicators(view: ReportView) -> Sheet:
    rows: list[Row] = [
        (item.key, item.label, xlsx_value(item.shown), item.expected) for item in view.indicators
    ]
    return ("Indicators", ("indicator", "label", "value", "expected"), rows)


def _sheet_names(view: ReportView) -> Sequence[str]:
    names = ["About", "Indicators"]
    for table in view.tables:
        name = table.sheet[:31]
        if name in names:
            raise ValueError(f"two sheets would be called {name!r}")
        names.append(name)
    return names


def report_xlsx(view: ReportView) -> bytes:
    _sheet_names(view)
    sheets: list[Sheet] = [_about(view), _indicators(view)]
    for table in view.tables:
        header = tuple(h or table.title for h in table.header)
        rows: list[Row] = [tuple(xlsx_value(cell) for cell in row) for row in table.rows]
        sheets.append((table.sheet, header, rows))
    return to_xlsx_book(sheets, generated_at=view.generated_at)
