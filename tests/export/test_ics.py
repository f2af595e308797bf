"""The calendar: meetings and due dates, stable UIDs, and no personal data at all."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from export_sample import GENERATED_AT, sample_meeting
from icalendar import Calendar

from marac_desk.export.ics import schedule_ics
from marac_desk.export.model import Meeting


@pytest.fixture(scope="module")
def meeting() -> Meeting:
    return sample_meeting(20)


def _calendar(meeting: Meeting) -> tuple[bytes, Calendar]:
    later = dataclasses.replace(
        meeting.details,
        meeting_id=42,
        meeting_date=date(2025, 3, 12),
        end_time=None,
        status="planned",
    )
    cancelled = dataclasses.replace(
        meeting.details, meeting_id=43, meeting_date=date(2025, 3, 19), status="cancelled"
    )
    untimed = dataclasses.replace(
        meeting.details, meeting_id=44, meeting_date=date(2025, 3, 26), start_time=None
    )
    actions = [*meeting.actions, *(item.action for item in meeting.outstanding)]
    data = schedule_ics(
        [untimed, later, meeting.details, cancelled], actions, generated_at=GENERATED_AT
    )
    return data, Calendar.from_ical(data)


def test_meetings_are_timed_uk_events_with_venue_and_stable_uids(meeting: Meeting) -> None:
    _, cal = _calendar(meeting)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    held = events["meeting-41@marac-desk"]
    uk = ZoneInfo("Europe/London")
    assert held.decoded("DTSTART") == datetime(2025, 3, 5, 9, 30, tzinfo=uk)
    assert held.decoded("DTEND") == datetime(2025, 3, 5, 13, 5, tzinfo=uk)
    assert str(held["LOCATION"]) == "Committee Room 2, Northtown Civic Centre"
    assert str(held["SUMMARY"]) == "Northtown MARAC meeting"
    no_end = events["meeting-42@marac-desk"]
    assert no_end.decoded("DTEND") - no_end.decoded("DTSTART") == (
        datetime(2025, 1, 1, 11, 30) - datetime(2025, 1, 1, 9, 30)
    )
    assert str(events["meeting-43@marac-desk"]["STATUS"]) == "CANCELLED"
    assert events["meeting-44@marac-desk"].decoded("DTSTART") == date(2025, 3, 26)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_open_actions_are_all_day_events_on_their_due_date(meeting: Meeting) -> None:
    _, cal = _calendar(meeting)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    everything = [*meeting.actions, *(item.action for item in meeting.outstanding)]
    for action in everything:
        uid = f"action-{action.action_id}@marac-desk"
        if not action.is_open:
            assert uid not in events
            continue
        event = events[uid]
        assert event.decoded("DTSTART") == action.due_date
        assert not isinstance(event.decoded("DTSTART"), datetime)
        assert str(event["SUMMARY"]) == (
            f"Action {action.action_id} due: {action.case_ref} ({action.owner_agency})"
        )
    opened = sum(1 for a in everything if a.is_open)
    assert len(events) == 4 + opened


def test_the_calendar_holds_no_names_and_no_action_text(meeting: Meeting) -> None:
    data, cal = _calendar(meeting)
    text = "".join(line.strip() for line in data.decode().splitlines())  # unfolded, roughly
    flat = cal.to_ical().decode().replace("\r\n ", "")
    everything = [*meeting.actions, *(item.action for item in meeting.outstanding)]
    people = [p for c in meeting.cases for p in (c.victim, *c.perpetrators, *c.children)]
    people += [item.victim for item in meeting.outstanding]
    for person in people:
        for part in (person.full_name, person.last_name):
            assert part not in flat and part not in text, part
    for action in everything:
        assert action.text not in flat and action.text[:25] not in text
        assert action.owner_person not in flat
        assert action.linked_risk not in flat
    for attendee in meeting.attendance:
        assert attendee.name not in flat
    assert meeting.details.chair not in flat and meeting.details.minute_taker not in flat


def test_the_same_input_gives_the_same_file(meeting: Meeting) -> None:
    first, _ = _calendar(meeting)
    assert _calendar(meeting)[0] == first
    assert b"DTSTAMP:20250306T140200Z" in first


def test_a_meeting_with_a_start_but_a_finish_before_it_gets_the_default_length() -> None:
    details = dataclasses.replace(sample_meeting(1).details, end_time=time(8, 0))
    cal = Calendar.from_ical(
        schedule_ics([details], generated_at=GENERATED_AT, default_meeting_minutes=90)
    )
    (event,) = cal.walk("VEVENT")
    assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == 90 * 60
