"""A meeting read from the store into document data, and minutes versions."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from marac_desk.db.models import AuditEvent
from marac_desk.services import actions, documents, meetings, minutes
from marac_desk.services.actions import ActionInput
from marac_desk.services.meetings import AttendanceInput
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import make_panel, refer

AT = datetime(2026, 12, 10, 9, 0)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def held(open_store: OpenStore) -> tuple[int, int, int]:
    """Two meetings of one panel: the first set an action, the second reviewed it and heard a
    new case. Returns (first meeting, second meeting, the reviewed action)."""
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store)
    first = meetings.add_meeting(s, a, pid, date(2026, 11, 25))
    old_case = meetings.add_case(s, a, first, refer(open_store, date(2026, 11, 2), "Ola", "Old").id)
    reviewed = actions.add_action(
        s, a, old_case, ActionInput("Police", "Serve DVPN", due_date=date(2026, 12, 1))
    )
    meetings.set_outcome(s, a, old_case, "heard_closed")
    second = meetings.add_meeting(s, a, pid, date(2026, 12, 2))
    meetings.add_meeting(s, a, pid, date(2026, 12, 9))
    case = meetings.add_case(s, a, second, refer(open_store, date(2026, 11, 20), "Nia", "New").id)
    meetings.update_meeting_details(
        s, a, second, chair="DI Shah", minute_taker="Sam", any_other_business="Room change\n\n"
    )
    meetings.start_meeting(s, a, second, time(10, 0))
    meetings.record_statement_read(s, a, second)
    meetings.add_attendance(s, a, second, AttendanceInput("Police", "DS Reid"))
    actions.set_status(
        s,
        a,
        reviewed,
        "carried_forward",
        note="Perpetrator abroad",
        new_due=date(2026, 12, 16),
        on=date(2026, 12, 2),
        meeting_id=second,
    )
    note = meetings.add_note(s, a, case, "Housing", "opinion")
    meetings.save_note(s, a, note, text="Tenancy at risk <arrears>")
    meetings.save_case_text(s, a, case, "victim_voice", "Wants to stay put & be safe")
    meetings.save_case_text(s, a, case, "risks_to_children", "Two children witnessed")
    actions.add_action(s, a, case, ActionInput("Housing", "Sanctuary scheme", linked_risk="Home"))
    meetings.set_outcome(s, a, case, "heard_open")
    meetings.finish_meeting(s, a, second, time(11, 30))
    return first, second, reviewed


def test_the_meeting_document_holds_what_the_minutes_print(
    open_store: OpenStore, held: tuple[int, int, int]
) -> None:
    _, second, reviewed = held
    doc = documents.meeting_document(open_store.store, second)
    assert doc.details.chair == "DI Shah"
    assert doc.details.start_time == time(10, 0) and doc.details.end_time == time(11, 30)
    assert doc.confidentiality_read
    assert [(x.agency, x.status) for x in doc.attendance] == [("Police", "present")]
    (case,) = doc.cases
    assert case.victim_voice == "Wants to stay put & be safe"
    assert case.risks.to_children == "Two children witnessed"
    assert [(n.agency, n.kind, n.text) for n in case.shared] == [
        ("Housing", "opinion", "Tenancy at risk <arrears>")
    ]
    assert [(x.owner_agency, x.text, x.due_date) for x in case.actions] == [
        ("Housing", "Sanctuary scheme", date(2026, 12, 30))
    ]
    assert case.outcome == "heard_open"
    (item,) = doc.outstanding
    assert item.action.action_id == reviewed
    assert item.action.status == "carried_forward"
    assert item.action.status_note == "Perpetrator abroad"
    assert item.previous_due_date == date(2026, 12, 1)
    assert doc.other_business == ("Room change",)
    assert doc.next_meeting_date == date(2026, 12, 9)


def test_a_draft_is_watermarked_and_recorded_as_a_disclosure(
    open_store: OpenStore, held: tuple[int, int, int]
) -> None:
    s, a = open_store.store, open_store.actor
    _, second, _ = held
    data = minutes.draft(s, a, second, generated_at=AT, marking="OFFICIAL-SENSITIVE")
    text = pdf_text(data)
    assert "DRAFT" in text
    assert "Tenancy at risk <arrears>" in text
    with s.read() as session:
        events = session.scalars(
            select(AuditEvent.description).where(AuditEvent.action == "export")
        ).all()
    assert events == ["minutes (draft)"]


def test_approval_makes_versions_and_changes_need_a_new_one(
    open_store: OpenStore, held: tuple[int, int, int]
) -> None:
    s, a = open_store.store, open_store.actor
    _, second, _ = held
    with pytest.raises(minutes.MinutesError, match="not been approved"):
        minutes.approved(s, a, second)
    v1 = minutes.approve(
        s, a, second, approved_by="DI Shah", on=date(2026, 12, 3), marking="OFFICIAL-SENSITIVE"
    )
    assert v1 == 1
    assert (
        minutes.approve(
            s, a, second, approved_by="DI Shah", on=date(2026, 12, 3), marking="OFFICIAL-SENSITIVE"
        )
        == 1
    )
    first_issue = minutes.approved(s, a, second)
    assert "Approved by DI Shah" in pdf_text(first_issue)
    assert "DRAFT" not in pdf_text(first_issue)

    meetings.update_meeting_details(s, a, second, any_other_business="Room change\nNew IDVA")
    assert not minutes.state(s, second).approved_and_current
    with pytest.raises(minutes.MinutesError, match="changed since version 1"):
        minutes.approved(s, a, second)
    v2 = minutes.approve(
        s, a, second, approved_by="DI Shah", on=date(2026, 12, 4), marking="OFFICIAL-SENSITIVE"
    )
    assert v2 == 2
    assert "New IDVA" in pdf_text(minutes.approved(s, a, second))
    # The first version is still there, exactly as issued.
    assert minutes.approved(s, a, second, version=1) == first_issue
    assert [v.version for v in minutes.state(s, second).versions] == [1, 2]
