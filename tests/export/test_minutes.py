"""The minutes PDF, read back with pypdf as a recipient's reader would."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from export_sample import GENERATED_AT, MEETING_DATE, flat, pdf_pages, sample_meeting

from marac_desk.export.minutes import build_minutes
from marac_desk.export.model import (
    DEFAULT_MARKING,
    HANDLING_LINE,
    Action,
    Meeting,
    SharedNote,
)
from marac_desk.export.wording import action_status_text, fmt_date


@pytest.fixture(scope="module")
def meeting() -> Meeting:
    return sample_meeting(20)


@pytest.fixture(scope="module")
def draft_pages(meeting: Meeting) -> list[str]:
    return pdf_pages(build_minutes(meeting, generated_at=GENERATED_AT))


def test_a_twenty_case_meeting_runs_to_many_pages_each_fully_furnished(
    draft_pages: list[str],
) -> None:
    total = len(draft_pages)
    assert total >= 8
    for number, text in enumerate(draft_pages, start=1):
        lines = text.splitlines()
        assert text.count(DEFAULT_MARKING) >= 2, f"page {number}: marking top and bottom"
        assert f"Page {number} of {total}" in text
        assert "Northtown MARAC — minutes" in text
        assert "Meeting of 5 Mar 2025" in text
        assert HANDLING_LINE in text
        assert "Generated 6 Mar 2025 14:02" in text
        assert "DRAFT" in lines or "DRAFT" in text, f"page {number}: draft watermark"


def test_a_different_marking_is_printed_on_every_page(meeting: Meeting) -> None:
    pages = pdf_pages(build_minutes(meeting, generated_at=GENERATED_AT, marking="RESTRICTED"))
    assert all(text.count("RESTRICTED") >= 2 for text in pages)
    assert not any(DEFAULT_MARKING in text for text in pages)


def test_every_action_of_the_meeting_is_in_the_minutes_as_a_full_row(
    meeting: Meeting, draft_pages: list[str]
) -> None:
    text = flat("\n".join(draft_pages))
    assert len(meeting.actions) >= 60
    for a in meeting.actions:
        row = [
            str(a.action_id),
            a.owner_agency,
            a.owner_person,
            a.text,
            a.linked_risk,
            fmt_date(a.due_date),
            action_status_text(a),
        ]
        assert flat(" ".join(row)) in text, f"action {a.action_id}"


def test_the_header_sections_and_every_case_are_there_in_agenda_order(
    meeting: Meeting, draft_pages: list[str]
) -> None:
    text = flat("\n".join(draft_pages))
    for expected in (
        "Northtown MARAC: minutes",
        "Northtown Community Safety Partnership",
        "Wednesday 5 March 2025",
        "Started 09:30, finished 13:05",
        "Committee Room 2, Northtown Civic Centre",
        "DI Helen Marsh (Police)",
        "Sam Coordinator",
        "DRAFT — not yet approved",
        "Read by the chair at the start of the meeting: Yes",
        "Information sent 4 Mar 2025",
        "Confidentiality statement signed",
        "Substitute for Jo Bloggs",
        "Carried forward from 29 Jan 2025 to 19 Mar 2025: Awaiting court date",
        "Not possible — change in circumstances: Victim moved out of area on 20 February",
        "Not undertaken by agency: No capacity in the team; escalated to manager",
        "Completed (2 Mar 2025)",
        "5. Deferred cases",
        "Referrer unable to attend; relisted for next week",
        "6. Any other business",
        "1. Steering group asks for attendance figures by agency for Q4 2024/25.",
        "7. Date of the next meeting Wednesday 12 March 2025 at 09:30",
    ):
        assert flat(expected) in text, expected
    positions = [text.index(f"Case {case.case_ref} (") for case in meeting.agenda]
    assert positions == sorted(positions)
    first = meeting.agenda[0]
    assert "Repeat (previous referral" in text
    assert flat(f"DASH: {first.risk_score} of 24 — High") in text
    for note in first.shared:
        assert flat(f"{note.agency} {note.kind.capitalize()} {note.text}") in text


def test_the_minutes_name_no_victim_perpetrator_or_child(
    meeting: Meeting, draft_pages: list[str]
) -> None:
    text = flat("\n".join(draft_pages))
    for case in meeting.cases:
        for person in (case.victim, *case.perpetrators, *case.children):
            assert flat(person.full_name) not in text


def test_approved_minutes_say_who_approved_them_and_carry_no_watermark() -> None:
    pages = pdf_pages(build_minutes(sample_meeting(4, approved=True), generated_at=GENERATED_AT))
    text = flat("\n".join(pages))
    assert "Approved by DI Helen Marsh on 7 Mar 2025, version 2." in text
    assert "DRAFT" not in text


def test_a_table_running_over_pages_repeats_its_header_on_each() -> None:
    base = sample_meeting(1)
    case = base.cases[0]
    actions = tuple(
        dataclasses.replace(case.actions[0], action_id=5000 + n, text=f"Step {n}: " + "x " * 40)
        for n in range(90)
    )
    meeting = dataclasses.replace(base, cases=(dataclasses.replace(case, actions=actions),))
    pages = pdf_pages(build_minutes(meeting, generated_at=GENERATED_AT))
    with_actions = [text for text in pages if re.search(r"Step \d+:", text)]
    assert len(with_actions) >= 3
    for text in with_actions:
        assert "No. Owner agency Named person Action Linked risk Due Status" in flat(text)


def test_huge_notes_and_unbroken_text_wrap_and_split_without_losing_a_word() -> None:
    base = sample_meeting(2)
    case = base.cases[0]
    sentences = " ".join(
        f"Marker-{n:04d} the victim said he followed her again." for n in range(700)
    )
    blob = "Z" * 5000  # pasted without a single space
    lines = "\n".join(f"Line-{n:03d}" for n in range(300))  # a pasted list, one item a line
    shared = (
        SharedNote("Police", sentences),
        SharedNote("Housing", blob, "opinion"),
        SharedNote("Probation", lines),
    )
    long_action = dataclasses.replace(case.actions[0], text=sentences[:9000])
    meeting = dataclasses.replace(
        base,
        cases=(
            dataclasses.replace(
                case, shared=shared, victim_voice=sentences, actions=(long_action,)
            ),
            base.cases[1],
        ),
    )
    pages = pdf_pages(build_minutes(meeting, generated_at=GENERATED_AT))
    text = "\n".join(pages)
    for n in range(700):
        assert text.count(f"Marker-{n:04d}") >= 2  # the victim's voice and the shared note
    assert "".join(re.findall("Z+", text)).count("Z") == 5000
    assert re.findall(r"Line-\d{3}", text) == [f"Line-{n:03d}" for n in range(300)]


def test_same_input_gives_the_same_bytes_and_the_time_is_in_them(meeting: Meeting) -> None:
    first = build_minutes(meeting, generated_at=GENERATED_AT)
    assert build_minutes(meeting, generated_at=GENERATED_AT) == first
    later = build_minutes(meeting, generated_at=datetime(2025, 3, 7, 9, 0))
    assert later != first
    assert b"D:20250306140200" in first  # CreationDate / ModDate from generated_at


def test_the_same_bytes_come_out_of_a_fresh_process(meeting: Meeting) -> None:
    here = hashlib.sha256(build_minutes(meeting, generated_at=GENERATED_AT)).hexdigest()
    script = (
        "import hashlib, sys\n"
        "from export_sample import GENERATED_AT, sample_meeting\n"
        "from marac_desk.export.minutes import build_minutes\n"
        "data = build_minutes(sample_meeting(20), generated_at=GENERATED_AT)\n"
        "print(hashlib.sha256(data).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == here


def test_actions_must_belong_to_their_case_and_meeting() -> None:
    meeting = sample_meeting(2)
    case = meeting.cases[0]
    stray = dataclasses.replace(case.actions[0], case_ref="NT-OTHER")
    with pytest.raises(ValueError, match="belongs to"):
        dataclasses.replace(case, actions=(stray,))
    elsewhere = dataclasses.replace(case.actions[0], meeting_id=999)
    with pytest.raises(ValueError, match="agreed at meeting 999"):
        dataclasses.replace(
            meeting, cases=(dataclasses.replace(case, actions=(elsewhere,)), meeting.cases[1])
        )
    with pytest.raises(ValueError, match=r"Action\.status"):
        Action(1, 1, MEETING_DATE, "X", "Police", "text", status="done")


def test_an_empty_meeting_still_makes_sensible_minutes() -> None:
    meeting = Meeting(details=sample_meeting(1).details)
    text = flat("\n".join(pdf_pages(build_minutes(meeting, generated_at=GENERATED_AT))))
    for expected in (
        "No attendance recorded.",
        "No actions were outstanding from earlier meetings.",
        "No cases were listed.",
        "No cases were deferred.",
        "To be confirmed.",
        "Page 1 of 1",
    ):
        assert expected in text
