"""The case list circulated before a meeting so that agencies can research their records.

Landscape A4: one table of cases (who is named, with dates of birth, so each agency can search
its systems) and a separate grid of research returns, a column per agency (at most
`GRID_COLUMNS` agencies per grid; more agencies continue in a second grid).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib import colors

from marac_desk.export.model import DEFAULT_MARKING, Case, Meeting, Person
from marac_desk.export.pdf import (
    Furniture,
    build_pdf,
    facts,
    gap,
    nowrap,
    para,
    section,
    styles,
    titled_table,
)
from marac_desk.export.wording import (
    RESEARCH_LABELS,
    fmt_date,
    fmt_time,
    long_date,
    referral_kind,
)

GRID_COLUMNS = 12
_WIDTH = 267.0  # mm between landscape A4 margins
_FACTS = (45.0, 120.0)
_CASES = (17.0, 30.0, 30.0, 32.0, 52.0, 53.0, 53.0)
_GRID_CASE = 31.0
_RESEARCH_FILL = {
    "requested": colors.HexColor("#fdf1cf"),
    "received": colors.HexColor("#dcefd9"),
    "nothing_held": colors.HexColor("#ececec"),
}


def agenda_title(meeting: Meeting) -> str:
    return f"{meeting.details.panel} — case list"


def build_agenda(
    meeting: Meeting,
    *,
    generated_at: datetime,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The agenda (case list and research grid) as PDF bytes, landscape."""
    details = meeting.details
    sty = styles()
    times = fmt_time(details.start_time)
    if details.end_time is not None:
        times += f" to {fmt_time(details.end_time)}"
    story: list[Any] = [
        para(f"{details.panel}: case list", sty.title),
        para(details.partnership, sty.subtitle),
        facts(
            [
                ("Date", long_date(details.meeting_date)),
                ("Time", times),
                ("Venue", details.venue or "—"),
                ("Chair", details.chair or "—"),
                ("Cases listed", str(len(meeting.cases))),
            ],
            _FACTS,
        ),
        gap(2),
        para(
            "Please search your agency's records for every victim, perpetrator and child "
            "named below and send your research return to the coordinator before the meeting. "
            "Research is your agency's own document: bring it to the meeting, share what is "
            "relevant and proportionate, and keep fact apart from opinion.",
            sty.body,
        ),
    ]
    story += _cases(meeting)
    story += _grid(meeting)
    furniture = Furniture(
        title=agenda_title(meeting),
        date_text=f"Meeting of {fmt_date(details.meeting_date)}",
        marking=marking,
        generated_at=generated_at,
    )
    return build_pdf(
        story, furniture, landscape_pages=True, subject=f"{marking} case list", password=password
    )


def _people(people: tuple[Person, ...], none: str) -> str:
    if not people:
        return none
    # one person a line; the date of birth never splits from its brackets
    return "\n".join(
        f"{p.full_name or '—'} " + nowrap(f"(DOB {fmt_date(p.dob, 'not known')})") for p in people
    )


def _cases(meeting: Meeting) -> list[Any]:
    title = "1. Cases"
    if not meeting.cases:
        return [*section(title), para("No cases are listed.", styles().body)]
    rows = [
        [
            f"{case.position}\n{fmt_time(case.time_slot, '')}".strip(),
            case.case_ref,
            referral_kind(case),
            case.referring_agency,
            _people((case.victim,), "—"),
            _people(case.perpetrators, "Not named"),
            _people(case.children, "None listed"),
        ]
        for case in meeting.agenda
    ]
    header = [
        "No. / time",
        "Case",
        "New or repeat",
        "Referring agency",
        "Victim",
        "Perpetrator(s)",
        "Children",
    ]
    return titled_table(title, header, rows, _CASES, level=1)


def _grid(meeting: Meeting) -> list[Any]:
    sty = styles()
    title = "2. Research returns"
    agencies = meeting.research_columns
    if not meeting.cases or not agencies:
        return [*section(title), para("No research has been requested.", sty.body)]
    out: list[Any] = []
    key = (
        "Requested: asked for, not yet returned. Received: research returned. Nothing held: "
        "the agency holds no information. Blank: not asked."
    )
    agenda = meeting.agenda
    for start in range(0, len(agencies), GRID_COLUMNS):
        columns = agencies[start : start + GRID_COLUMNS]
        width = (_WIDTH - _GRID_CASE) / max(len(columns), 6)
        rows, fills = _grid_rows(agenda, columns)
        out += titled_table(
            title if start == 0 else f"{title} (continued)",
            ["Case", *columns],
            rows,
            (_GRID_CASE, *([width] * len(columns))),
            level=1,
            cell_style=sty.grid_cell,
            extra_style=fills,
        )
    out.append(para(key, sty.small))
    return out


def _grid_rows(
    agenda: tuple[Case, ...], columns: tuple[str, ...]
) -> tuple[list[list[str]], list[tuple[Any, ...]]]:
    rows: list[list[str]] = []
    fills: list[tuple[Any, ...]] = []
    for row_number, case in enumerate(agenda, start=1):
        status = {r.agency: r.status for r in case.research}
        row = [f"{case.position}. {case.case_ref}"]
        for col_number, agency in enumerate(columns, start=1):
            value = status.get(agency)
            row.append(RESEARCH_LABELS[value] if value else "")
            if value:
                cell = (col_number, row_number)
                fills.append(("BACKGROUND", cell, cell, _RESEARCH_FILL[value]))
        rows.append(row)
    return rows, fills
