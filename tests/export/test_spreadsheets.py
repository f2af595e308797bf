"""Actions and the case list as CSV (Excel-safe) and XLSX."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime

import pytest
from export_sample import AGENCIES, GENERATED_AT, MEETING_DATE, WORLD_NAMES, sample_meeting
from openpyxl import load_workbook

from marac_desk.export.model import Action, Meeting
from marac_desk.export.spreadsheets import (
    ACTION_COLUMNS,
    actions_csv,
    actions_xlsx,
    agenda_csv,
    agenda_xlsx,
)

REQUIRED = (
    "action_id",
    "meeting_date",
    "case_ref",
    "owner_agency",
    "owner_person",
    "action",
    "linked_risk",
    "due_date",
    "status",
)
NASTY = {
    '=HYPERLINK("http://evil.example","click")': '\'=HYPERLINK("http://evil.example","click")',
    "+44 7700 900123": "'+44 7700 900123",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\tTabbed": "'\tTabbed",
    "Plain text, with a comma": "Plain text, with a comma",
    'Quoted "words"\nand a second line': 'Quoted "words"\nand a second line',
}


@pytest.fixture(scope="module")
def meeting() -> Meeting:
    return sample_meeting(20)


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_action_csv_columns_and_rows(meeting: Meeting) -> None:
    rows = _read_csv(actions_csv(meeting.actions))
    assert tuple(rows[0][: len(REQUIRED)]) == REQUIRED
    assert tuple(rows[0]) == ACTION_COLUMNS
    assert len(rows) == 1 + len(meeting.actions)
    first = meeting.actions[0]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["action_id"] == str(first.action_id)
    assert record["meeting_date"] == "2025-03-05"
    assert record["case_ref"] == first.case_ref
    assert record["due_date"] == first.due_date.isoformat()  # type: ignore[union-attr]
    assert record["status"] == "open"
    assert record["completed_on"] == ""
    assert record["meeting_id"] == str(first.meeting_id)


def test_csv_cells_cannot_run_as_formulas(meeting: Meeting) -> None:
    base = meeting.actions[0]
    actions = [
        dataclasses.replace(base, action_id=n, text=text, owner_person=text)
        for n, text in enumerate(NASTY)
    ]
    rows = _read_csv(actions_csv(actions))
    for row, expected in zip(rows[1:], NASTY.values(), strict=True):
        record = dict(zip(rows[0], row, strict=True))
        assert record["action"] == expected
        assert record["owner_person"] == expected
        assert not record["action"].startswith(("=", "+", "-", "@", "\t"))
    assert rows[1][0] == "0"  # numbers are numbers, not neutralised text


def test_csv_keeps_names_in_any_script() -> None:
    action = Action(
        7, 1, MEETING_DATE, "NT-1", "Police", "Call", owner_person=WORLD_NAMES[0].full_name
    )
    others = [dataclasses.replace(action, owner_person=p.full_name) for p in WORLD_NAMES[1:]]
    rows = _read_csv(actions_csv([action, *others]))
    assert [r[4] for r in rows[1:]] == [p.full_name for p in WORLD_NAMES]


def test_action_xlsx_reads_back_with_text_as_text_and_dates_as_dates(meeting: Meeting) -> None:
    base = meeting.actions[0]
    nasty = [dataclasses.replace(base, action_id=9000 + n, text=t) for n, t in enumerate(NASTY)]
    data = actions_xlsx([*meeting.actions, *nasty], generated_at=GENERATED_AT)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert tuple(rows[0]) == ACTION_COLUMNS
    assert len(rows) == 1 + len(meeting.actions) + len(NASTY)
    assert rows[1][0] == base.action_id
    assert rows[1][1] == datetime(2025, 3, 5)  # a real date cell
    texts = [row[5] for row in rows[1 + len(meeting.actions) :]]
    assert texts == list(NASTY)  # exactly as typed...
    for cell in sheet["F"][1:]:
        assert cell.data_type == "s"  # ...and stored as text, never as a formula
    assert sheet.freeze_panes == "A2"


def test_agenda_csv_and_xlsx(meeting: Meeting) -> None:
    rows = _read_csv(agenda_csv(meeting))
    header = rows[0]
    assert header[:3] == ["position", "time_slot", "case_ref"]
    assert header[-len(AGENCIES) :] == [f"research: {a}" for a in AGENCIES]
    assert len(rows) == 1 + len(meeting.cases)
    first = dict(zip(header, rows[1], strict=True))
    case = meeting.agenda[0]
    assert first["case_ref"] == case.case_ref
    assert first["time_slot"] == "09:30"
    assert first["victim_name"] == case.victim.full_name
    assert first["victim_dob"] == case.victim.dob.isoformat()  # type: ignore[union-attr]
    assert case.perpetrators[0].full_name in first["perpetrators"]
    research = {r.agency: r.status for r in case.research}
    assert first["research: Police"] == research["Police"]

    book = load_workbook(io.BytesIO(agenda_xlsx(meeting, generated_at=GENERATED_AT)))
    sheet = book.active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header
    assert values[1][2] == case.case_ref
    assert values[1][7] == datetime.combine(case.victim.dob or date.min, datetime.min.time())
