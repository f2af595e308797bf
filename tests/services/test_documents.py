"""A meeting read from the store into document data, and minutes versions."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from marac_desk.db.models import AuditEvent
from marac_desk.services import documents, meetings, minutes
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import two_meetings

AT = datetime(2026, 12, 10, 9, 0)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def held(open_store: OpenStore) -> tuple[int, int, int]:
    return two_meetings(open_store)


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
