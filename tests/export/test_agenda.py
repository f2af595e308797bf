"""The case list (agenda) circulated before a meeting."""

from __future__ import annotations

import io
import unicodedata

import pytest
from export_sample import AGENCIES, GENERATED_AT, flat, pdf_pages, sample_meeting
from pypdf import PdfReader

from marac_desk.export.agenda import GRID_COLUMNS, build_agenda
from marac_desk.export.model import DEFAULT_MARKING, HANDLING_LINE, Meeting, ResearchReturn
from marac_desk.export.wording import RESEARCH_LABELS, fmt_date


@pytest.fixture(scope="module")
def meeting() -> Meeting:
    return sample_meeting(20)


@pytest.fixture(scope="module")
def agenda(meeting: Meeting) -> bytes:
    return build_agenda(meeting, generated_at=GENERATED_AT)


def test_the_agenda_is_landscape_with_furniture_on_every_page(agenda: bytes) -> None:
    reader = PdfReader(io.BytesIO(agenda))
    pages = pdf_pages(agenda)
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert page.mediabox.width > page.mediabox.height
        assert text.count(DEFAULT_MARKING) >= 2
        assert f"Page {number} of {len(pages)}" in text
        assert HANDLING_LINE in text
        assert "Northtown MARAC — case list" in text


def test_each_case_names_everyone_agencies_must_search_for(meeting: Meeting, agenda: bytes) -> None:
    text = flat("\n".join(pdf_pages(agenda)))
    for case in meeting.agenda:
        slot = f"{case.time_slot.hour:02d}:{case.time_slot.minute:02d}"  # type: ignore[union-attr]
        kind = "Repeat" if case.is_repeat else "New"
        assert f"{case.position} {slot} {case.case_ref} {kind}" in text
        for person in (case.victim, *case.perpetrators, *case.children):
            if not any("ARABIC" in unicodedata.name(ch, "") for ch in person.full_name):
                assert flat(f"{person.full_name} (DOB {fmt_date(person.dob)})") in text, person
            else:  # pypdf re-orders the brackets around right-to-left text it extracts
                assert all(flat(part) in text for part in (person.first_name, person.last_name))
                assert f"DOB {fmt_date(person.dob)})" in text
    assert "Repeat (previous referral" in text


def test_the_research_grid_has_a_column_per_agency_and_each_return(
    meeting: Meeting, agenda: bytes
) -> None:
    text = flat("\n".join(pdf_pages(agenda)))
    grid = text[text.index("2. Research returns") :]
    assert flat("Case " + " ".join(AGENCIES)) in grid
    for case in meeting.agenda:
        by_agency = {r.agency: RESEARCH_LABELS[r.status] for r in case.research}
        cells = " ".join(by_agency[a] for a in AGENCIES)
        assert f"{case.position}. {case.case_ref} {cells}" in grid


def test_many_agencies_continue_in_a_second_grid() -> None:
    base = sample_meeting(3)
    extra = tuple(f"Agency {n:02d}" for n in range(GRID_COLUMNS + 4))
    cases = tuple(
        case.__class__(
            **{
                **case.__dict__,
                "research": tuple(ResearchReturn(a, "received") for a in extra),
            }
        )
        for case in base.cases
    )
    meeting = base.__class__(**{**base.__dict__, "cases": cases, "research_agencies": ()})
    text = flat("\n".join(pdf_pages(build_agenda(meeting, generated_at=GENERATED_AT))))
    assert "2. Research returns (continued)" in text
    for agency in extra:
        assert agency in text


def test_agenda_is_deterministic(meeting: Meeting, agenda: bytes) -> None:
    assert build_agenda(meeting, generated_at=GENERATED_AT) == agenda
