"""An agency's action list holds that agency's actions and nothing else about anyone."""

from __future__ import annotations

import io
import re

import pytest
from export_sample import GENERATED_AT, flat, pdf_pages, sample_meeting
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from marac_desk.export.action_list import (
    agencies_with_actions,
    build_action_list,
    select_agency_actions,
)
from marac_desk.export.model import DEFAULT_MARKING, HANDLING_LINE, Meeting
from marac_desk.export.wording import fmt_date


@pytest.fixture(scope="module")
def meeting() -> Meeting:
    return sample_meeting(20)


def _text(meeting: Meeting, agency: str, identify: str = "case_ref") -> str:
    data = build_action_list(
        meeting,
        agency,
        generated_at=GENERATED_AT,
        identify=identify,  # type: ignore[arg-type]
    )
    return "\n".join(pdf_pages(data))


def test_each_agency_list_holds_only_its_own_actions_and_victims(meeting: Meeting) -> None:
    agencies = agencies_with_actions(meeting)
    assert len(agencies) >= 8
    everything = [*meeting.actions, *(item.action for item in meeting.outstanding)]
    for agency in agencies:
        text = _text(meeting, agency, "name_dob")
        numbers = set(re.findall(r"\b\d{3,4}\b", text))
        mine = {a for a in everything if a.owner_agency == agency}
        theirs = [a for a in everything if a.owner_agency != agency]
        assert not {str(a.action_id) for a in theirs} & numbers, agency
        for action in mine & set(meeting.actions):
            assert str(action.action_id) in numbers
        cases_with_mine = {a.case_ref for a in mine}
        for case in meeting.cases:
            has_action = case.case_ref in cases_with_mine
            assert (case.case_ref in text) is has_action, (agency, case.case_ref)
            assert (flat(case.victim.full_name) in flat(text)) is has_action, agency
            for person in (*case.perpetrators, *case.children):
                assert flat(person.full_name) not in flat(text)
        for item in meeting.outstanding:
            shown = item.action.owner_agency == agency and item.action.is_overdue(
                meeting.details.meeting_date
            )
            assert (item.action.case_ref in text) is shown
            assert (item.victim.full_name in text) is shown


def test_the_selection_never_holds_another_agencys_action(meeting: Meeting) -> None:
    for agency in agencies_with_actions(meeting):
        chosen = select_agency_actions(meeting, agency)
        assert all(a.owner_agency == agency for a, _ in (*chosen.current, *chosen.overdue))
    # names are compared exactly: the services layer passes the agency's stored name
    nothing = select_agency_actions(meeting, "police")
    assert nothing.current == () and nothing.overdue == ()


def test_overdue_actions_from_earlier_meetings_have_their_own_section(meeting: Meeting) -> None:
    overdue = [i for i in meeting.outstanding if i.action.is_overdue(meeting.details.meeting_date)]
    assert overdue
    item = overdue[0]
    text = flat(_text(meeting, item.action.owner_agency))
    section = text[text.index("2. Overdue actions from earlier meetings") :]
    days = (meeting.details.meeting_date - item.action.due_date).days  # type: ignore[operator]
    row = (
        f"{item.action.action_id} {item.action.case_ref} {item.action.owner_person} "
        f"{item.action.text} {fmt_date(item.action.meeting_date)} "
        f"{fmt_date(item.action.due_date)} {days}"
    )
    assert flat(row) in section
    # completed, impossible, carried forward to a later date: not overdue, not listed
    for other in meeting.outstanding:
        if not other.action.is_overdue(meeting.details.meeting_date):
            assert str(other.action.action_id) not in text


def test_the_list_has_its_counts_and_page_furniture(meeting: Meeting) -> None:
    agency = "Police"
    chosen = select_agency_actions(meeting, agency)
    pages = pdf_pages(build_action_list(meeting, agency, generated_at=GENERATED_AT))
    text = flat("\n".join(pages))
    assert f"Actions from this meeting {len(chosen.current)} ({len(chosen.current)} open)" in text
    assert f"Overdue from earlier meetings {len(chosen.overdue)}" in text
    assert "Wednesday 5 March 2025" in text
    for number, page in enumerate(pages, start=1):
        assert page.count(DEFAULT_MARKING) >= 2
        assert f"Page {number} of {len(pages)}" in page
        assert HANDLING_LINE in page
        assert "Northtown MARAC — actions for Police" in page


@pytest.mark.parametrize("identify", ["case_ref", "initials", "name_dob"])
def test_identify_gives_the_least_detail_asked_for(meeting: Meeting, identify: str) -> None:
    agency = "Police"
    text = flat(_text(meeting, agency, identify))
    chosen = select_agency_actions(meeting, agency)
    assert chosen.current
    for action, victim in chosen.current:
        name, dob = flat(victim.full_name), fmt_date(victim.dob)
        assert action.case_ref in text
        if identify == "case_ref":
            assert name not in text and dob not in text
            assert f"{action.case_ref} {flat(victim.initials)} " not in text
        elif identify == "initials":
            assert f"{action.case_ref} {flat(victim.initials)}" in text
            assert name not in text and dob not in text
        else:
            assert f"{action.case_ref} {name} DOB {dob}" in text


def test_a_bad_identify_mode_or_blank_agency_is_refused(meeting: Meeting) -> None:
    with pytest.raises(ValueError, match="identify"):
        build_action_list(meeting, "Police", generated_at=GENERATED_AT, identify="everything")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="agency"):
        build_action_list(meeting, "  ", generated_at=GENERATED_AT)


def test_an_encrypted_list_opens_only_with_its_password(meeting: Meeting) -> None:
    data = build_action_list(meeting, "Police", generated_at=GENERATED_AT, password="kettle-42")
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    assert reader.trailer["/Encrypt"]["/V"] == 5  # AES-256
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    wrong = PdfReader(io.BytesIO(data))
    assert not wrong.decrypt("kettle-43")
    pages = pdf_pages(data, password="kettle-42")
    assert "Actions for Police" in pages[0]
    assert DEFAULT_MARKING in pages[0]
    assert b"Police" not in data  # nothing readable without the password
    with pytest.raises(ValueError, match="empty password"):
        build_action_list(meeting, "Police", generated_at=GENERATED_AT, password="")


def test_an_agency_with_nothing_gets_a_list_that_says_so(meeting: Meeting) -> None:
    text = flat(_text(meeting, "Fire Service"))
    assert "No actions for this agency." in text
    assert "None overdue." in text
    assert "NT-2025" not in text
