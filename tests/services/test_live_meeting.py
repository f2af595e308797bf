"""What the live meeting reads and writes around the cases: its header and the next meeting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from sqlalchemy import select

from marac_desk.db.models import AuditEvent
from marac_desk.services import meetings, panels
from marac_desk.services.session import OpenStore


def _panel(opened: OpenStore) -> int:
    config = replace(panels.PanelConfig(id=None, name="Northtown MARAC"), cadence="weekly:wed")
    return panels.save_panel(opened.store, opened.actor, config)


def test_the_header_says_who_chairs_whether_the_statement_was_read_and_when_next(
    open_store: OpenStore,
) -> None:
    s, a = open_store.store, open_store.actor
    pid = _panel(open_store)
    mid = meetings.add_meeting(s, a, pid, date(2026, 12, 2))
    cancelled = meetings.add_meeting(s, a, pid, date(2026, 12, 9))
    meetings.cancel_meeting(s, a, cancelled, "room unavailable")
    meetings.add_meeting(s, a, pid, date(2026, 12, 16))
    meetings.add_meeting(s, a, pid, date(2026, 11, 25))  # earlier: not "next"

    fresh = meetings.meeting_details(s, mid)
    assert (fresh.chair, fresh.minute_taker, fresh.confidentiality_read) == ("", "", False)
    assert fresh.next_meeting_date == date(2026, 12, 16)  # the cancelled one is skipped

    meetings.update_meeting_details(
        s, a, mid, chair="DI Rezan Ahmadi", minute_taker="Sam", any_other_business="Room move"
    )
    meetings.record_statement_read(s, a, mid)
    meetings.start_meeting(s, a, mid, time(9, 35))
    meetings.finish_meeting(s, a, mid, time(11, 50))
    details = meetings.meeting_details(s, mid)
    assert details.chair == "DI Rezan Ahmadi"
    assert details.minute_taker == "Sam"
    assert details.any_other_business == "Room move"
    assert details.confidentiality_read
    assert details.meeting.status == "held"
    assert (details.meeting.start_time, details.end_time) == (time(9, 35), time(11, 50))

    last = meetings.meeting_details(s, meetings.find_meeting(s, "2026-12-16").id)
    assert last.next_meeting_date is None


def test_saving_the_header_as_typed_records_only_real_changes(open_store: OpenStore) -> None:
    """The screen saves the header after each pause in typing: a trailing space (stored
    without it) is not a change, so it adds nothing to the audit trail."""
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, _panel(open_store), date(2026, 12, 2))

    def header_events() -> int:
        with s.read() as session:
            rows = session.scalars(
                select(AuditEvent.description).where(
                    AuditEvent.entity == "meeting", AuditEvent.action == "update"
                )
            )
            return sum(1 for d in rows if d.startswith("details"))

    meetings.update_meeting_details(s, a, mid, chair="DI Reid")
    assert header_events() == 1
    # Another audit event in between ends the coalescing of typed edits.
    meetings.record_statement_read(s, a, mid)
    meetings.update_meeting_details(s, a, mid, chair="DI Reid ", minute_taker="")
    assert header_events() == 1
    assert meetings.meeting_details(s, mid).chair == "DI Reid"
