"""Document export timings: `python benchmarks/documents.py --out FILE.json`.

Builds the synthetic meeting the export tests use (tests/export/export_sample.py: 20 cases,
3-6 actions each, several notes per case, earlier actions under review) and measures, as the
median of --runs builds each:

  minutes_seconds          export.minutes.build_minutes (draft: watermark on every page), against
                           a bare reportlab document with the same tables (same cell texts, as
                           many rows) and no furniture, fonts, escaping or page numbering
  agency_lists_seconds     export.action_list.build_action_list for every agency with an action
                           (total), against bare documents with the same rows
  agenda_seconds           export.agenda.build_agenda (landscape, research grid), against a bare
                           document with the same rows
  encrypt_ms               export.pdf.encrypt_pdf (pypdf, AES-256) of one agency's list (no
                           baseline)
  actions_xlsx_ms          export.spreadsheets.actions_xlsx for the meeting's actions (no
                           baseline)
  schedule_ics_ms          export.ics.schedule_ics for a year of weekly meetings and the
                           meeting's actions (no baseline)

Targets: minutes < 1 s, every agency's list < 2 s in total. Ratios are ours / baseline, measured
in the same run. Prints a table and writes JSON:
{"cases": 20, "pages": {...}, "metrics": {NAME: {"value", "unit", "baseline", "ratio"}}}.
Nothing is written but the JSON file.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "export"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_sample import GENERATED_AT, sample_meeting  # noqa: E402
from run import Metric, metric  # noqa: E402

from marac_desk.export.action_list import (  # noqa: E402
    agencies_with_actions,
    build_action_list,
    select_agency_actions,
)
from marac_desk.export.agenda import build_agenda  # noqa: E402
from marac_desk.export.ics import schedule_ics  # noqa: E402
from marac_desk.export.minutes import build_minutes  # noqa: E402
from marac_desk.export.model import Meeting  # noqa: E402
from marac_desk.export.pdf import encrypt_pdf  # noqa: E402
from marac_desk.export.spreadsheets import actions_xlsx  # noqa: E402

TARGETS = {"minutes_seconds": 1.0, "agency_lists_seconds": 2.0}
Rows = list[list[str]]


def _median(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ----- bare baselines: the same table rows, nothing else ------------------------------------------


def _bare(tables: list[Rows], *, wide: bool = False) -> bytes:
    cell = getSampleStyleSheet()["BodyText"]
    story = []
    for rows in tables:
        if rows:
            story.append(Table([[Paragraph(text, cell) for text in row] for row in rows]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4) if wide else A4).build(story)
    return buffer.getvalue()


def minutes_tables(meeting: Meeting) -> list[Rows]:
    tables: list[Rows] = [
        [[a.agency, a.name, a.status, a.substitute_for] for a in meeting.attendance],
        [[str(i.action.action_id), i.action.case_ref, i.action.text] for i in meeting.outstanding],
    ]
    for case in meeting.agenda:
        tables.append([[label, case.case_ref] for label in ("a", "b", "c", "d", "e")])
        tables.append([[n.agency, n.kind, n.text] for n in case.shared])
        tables.append([[label, case.risks.to_victim] for label in ("a", "b", "c", "d")])
        tables.append(
            [
                [str(a.action_id), a.owner_agency, a.owner_person, a.text, a.linked_risk]
                for a in case.actions
            ]
        )
    return tables


def list_tables(meeting: Meeting, agency: str) -> list[Rows]:
    chosen = select_agency_actions(meeting, agency)
    return [
        [[str(a.action_id), a.case_ref, a.owner_person, a.text] for a, _ in chosen.current],
        [[str(a.action_id), a.case_ref, a.owner_person, a.text] for a, _ in chosen.overdue],
    ]


def agenda_tables(meeting: Meeting) -> list[Rows]:
    return [
        [[c.case_ref, c.referring_agency, c.victim.full_name] for c in meeting.agenda],
        [[c.case_ref, *(r.status for r in c.research)] for c in meeting.agenda],
    ]


# ----- the run -----------------------------------------------------------------------------------


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def run(cases: int, runs: int, out: Path) -> dict[str, Any]:
    meeting = sample_meeting(cases)
    agencies = agencies_with_actions(meeting)
    g = GENERATED_AT
    # warm up: font registration and imports are paid once per process, not per document
    build_minutes(meeting, generated_at=g)
    _bare(minutes_tables(meeting))

    def all_lists() -> None:
        for agency in agencies:
            build_action_list(meeting, agency, generated_at=g, identify="name_dob")

    def all_bare_lists() -> None:
        for agency in agencies:
            _bare(list_tables(meeting, agency))

    metrics: dict[str, Metric] = {
        "minutes_seconds": metric(
            _median(runs, lambda: build_minutes(meeting, generated_at=g)),
            "s",
            _median(runs, lambda: _bare(minutes_tables(meeting))),
        ),
        "agency_lists_seconds": metric(
            _median(runs, all_lists), "s", _median(runs, all_bare_lists)
        ),
        "agenda_seconds": metric(
            _median(runs, lambda: build_agenda(meeting, generated_at=g)),
            "s",
            _median(runs, lambda: _bare(agenda_tables(meeting), wide=True)),
        ),
    }
    one_list = build_action_list(meeting, agencies[0], generated_at=g)
    metrics["encrypt_ms"] = metric(
        1000 * _median(runs, lambda: encrypt_pdf(one_list, "benchmark passphrase")), "ms"
    )
    metrics["actions_xlsx_ms"] = metric(
        1000 * _median(runs, lambda: actions_xlsx(meeting.actions, generated_at=g)), "ms"
    )
    year = [
        dataclasses.replace(
            meeting.details,
            meeting_id=meeting.details.meeting_id + week,
            meeting_date=meeting.details.meeting_date + timedelta(weeks=week),
        )
        for week in range(52)
    ]
    metrics["schedule_ics_ms"] = metric(
        1000 * _median(runs, lambda: schedule_ics(year, meeting.actions, generated_at=g)), "ms"
    )
    pages = {
        "minutes": _pages(build_minutes(meeting, generated_at=g)),
        "agenda": _pages(build_agenda(meeting, generated_at=g)),
        "agency_lists": len(agencies),
        "actions": len(meeting.actions),
    }
    result = {"cases": cases, "runs": runs, "pages": pages, "metrics": metrics}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"Written to {out}")
    return result


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:,.4g}" if isinstance(value, float) else str(value)


def print_table(result: dict[str, Any]) -> None:
    pages = result["pages"]
    print(
        f"\nMARAC Desk documents, {result['cases']} cases, {pages['actions']} actions "
        f"(minutes {pages['minutes']} pages, agenda {pages['agenda']} pages, "
        f"{pages['agency_lists']} agency lists); median of {result['runs']} runs"
    )
    header = f"{'metric':24} {'value':>10} {'unit':6} {'baseline':>10} {'ratio':>8} {'target':>8}"
    print(header)
    print("-" * len(header))
    for name, m in result["metrics"].items():
        target = TARGETS.get(name)
        print(
            f"{name:24} {_fmt(m['value']):>10} {m['unit']:6} {_fmt(m['baseline']):>10} "
            f"{_fmt(m['ratio']):>8} {('< ' + _fmt(target)) if target else '':>8}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, metavar="FILE.json", required=True)
    parser.add_argument("--cases", type=int, default=20, metavar="N")
    parser.add_argument("--runs", type=int, default=5, metavar="R")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.runs < 1:
        parser.error("--cases and --runs must be at least 1")
    run(args.cases, args.runs, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
