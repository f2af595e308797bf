"""Actions and the case list as CSV and XLSX.

CSV choices: UTF-8 **with a byte-order mark** (Excel, which most agencies open CSV files with,
reads UTF-8 without one as the local code page and garbles "Łukasz Wójcik-Żółć"; Python's
`utf-8-sig`, LibreOffice and most tools skip it), CRLF line ends (RFC 4180), every field that
needs it quoted. Against formula injection, a text cell that starts with `=`, `+`, `-`, `@`, a
tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead
of running it (OWASP's advice). In XLSX, text cells are written as text (never as formulas),
so nothing needs changing there, and dates are real dates.

Status and category columns hold the vocabulary ids of `core.vocab` (open, carried_forward…),
which stay stable for filtering and re-import; dates are ISO 8601 in CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from marac_desk.export.model import Action, Meeting, Person

ACTION_COLUMNS: tuple[str, ...] = (
    "action_id",
    "meeting_date",
    "case_ref",
    "owner_agency",
    "owner_person",
    "action",
    "linked_risk",
    "due_date",
    "status",
    "category",
    "completed_on",
    "meeting_id",
)
AGENDA_COLUMNS: tuple[str, ...] = (
    "position",
    "time_slot",
    "case_ref",
    "referral",
    "previous_referral_on",
    "referring_agency",
    "victim_name",
    "victim_dob",
    "perpetrators",
    "children",
)
RESEARCH_PREFIX = "research: "  # the agenda's research columns: "research: Police", ...
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Percent(int):
    """A whole percent: 13 in a CSV, a number shown as "13%" in XLSX."""


Value = str | int | Decimal | date | time | None  # Decimal: counts with halves (joint referrals)
Row = tuple[Value, ...]
Sheet = tuple[str, Sequence[str], Iterable[Row]]  # an XLSX sheet: title, header, rows


def neutralise(text: str) -> str:
    """A CSV cell that a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def action_rows(actions: Iterable[Action]) -> list[Row]:
    """One row per action, in ACTION_COLUMNS order."""
    return [
        (
            a.action_id,
            a.meeting_date,
            a.case_ref,
            a.owner_agency,
            a.owner_person,
            a.text,
            a.linked_risk,
            a.due_date,
            a.status,
            a.category,
            a.completed_on,
            a.meeting_id,
        )
        for a in actions
    ]


def _people(people: Sequence[Person]) -> str:
    return "; ".join(
        f"{p.full_name} ({p.dob.isoformat() if p.dob else 'DOB not known'})" for p in people
    )


def agenda_header(meeting: Meeting) -> tuple[str, ...]:
    return (*AGENDA_COLUMNS, *(RESEARCH_PREFIX + a for a in meeting.research_columns))


def agenda_rows(meeting: Meeting) -> list[Row]:
    """One row per case in agenda order, in `agenda_header` order."""
    agencies = meeting.research_columns
    rows: list[Row] = []
    for case in meeting.agenda:
        research = {r.agency: r.status for r in case.research}
        rows.append(
            (
                case.position,
                case.time_slot,
                case.case_ref,
                "repeat" if case.is_repeat else "new",
                case.previous_referral_on,
                case.referring_agency,
                case.victim.full_name,
                case.victim.dob,
                _people(case.perpetrators),
                _people(case.children),
                *(research.get(agency, "") for agency in agencies),
            )
        )
    return rows


# ----- CSV ---------------------------------------------------------------------------------------


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 2.5, 3 (not 3.0 or 3E+0)
    return neutralise(value)


def to_csv(header: Sequence[str], rows: Iterable[Row]) -> bytes:
    """UTF-8 with BOM, CRLF, formula-safe (see the module docstring)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([_csv_text(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def actions_csv(actions: Iterable[Action]) -> bytes:
    return to_csv(ACTION_COLUMNS, action_rows(actions))


def agenda_csv(meeting: Meeting) -> bytes:
    return to_csv(agenda_header(meeting), agenda_rows(meeting))


# ----- XLSX --------------------------------------------------------------------------------------


def to_xlsx(
    title: str, header: Sequence[str], rows: Iterable[Row], *, generated_at: datetime
) -> bytes:
    """One sheet: bold frozen header, filter, dates as dates, text as text (never a formula)."""
    return to_xlsx_book([(title, header, rows)], generated_at=generated_at)


def to_xlsx_book(sheets: Sequence[Sheet], *, generated_at: datetime) -> bytes:
    """A workbook of one sheet per (title, header, rows), each as `to_xlsx` makes it."""
    book = Workbook()
    moment = generated_at.replace(tzinfo=None)
    book.properties.creator = "MARAC Desk"
    book.properties.lastModifiedBy = "MARAC Desk"
    book.properties.created = moment
    book.properties.modified = moment
    for number, (title, header, rows) in enumerate(sheets):
        sheet: Any = book.active if number == 0 else book.create_sheet()
        sheet.title = title[:31]
        _fill_sheet(sheet, header, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill_sheet(sheet: Any, header: Sequence[str], rows: Iterable[Row]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # "=..." stays text: openpyxl would make it a formula
            else:
                cell.value = value
                if isinstance(value, time):
                    cell.number_format = "hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, Percent):
                    cell.number_format = '0"%"'
            shown = len(value) if isinstance(value, str) else 10
            widths[c - 1] = max(widths[c - 1], min(shown, 60))
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def actions_xlsx(actions: Iterable[Action], *, generated_at: datetime) -> bytes:
    return to_xlsx("Actions", ACTION_COLUMNS, action_rows(actions), generated_at=generated_at)


def agenda_xlsx(meeting: Meeting, *, generated_at: datetime) -> bytes:
    return to_xlsx(
        "Case list", agenda_header(meeting), agenda_rows(meeting), generated_at=generated_at
    )
