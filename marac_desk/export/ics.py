"""The meeting schedule and action due dates as an iCalendar (.ics) file for Outlook and phones.

Calendars sync to phones and cloud services, so this file carries **no personal data**: meetings
by panel, time and venue; actions by number, case reference and owning agency only (never the
action's text, which may name people, nor any person's name). UIDs are stable
(`meeting-<id>@marac-desk`, `action-<id>@marac-desk`), so importing a newer file updates the
same events. Meetings are timed events in UK time (Europe/London, with its VTIMEZONE); a meeting
without a start time, and every due date, is an all-day event. Only open actions with a due date
are included. DTSTAMP is `generated_at`, so the same input gives the same file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from marac_desk.export.model import Action, MeetingDetails
from marac_desk.export.wording import fmt_date

UK = ZoneInfo("Europe/London")
UID_DOMAIN = "marac-desk"
PRODID = "-//MARAC Desk//Meeting schedule//EN"


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def action_uid(action_id: int) -> str:
    return f"action-{action_id}@{UID_DOMAIN}"


def _utc(moment: datetime) -> datetime:
    """A naive `generated_at` is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _meeting_event(meeting: MeetingDetails, stamp: datetime, default_minutes: int) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting.meeting_id))
    event.add("dtstamp", stamp)
    summary = f"{meeting.panel} meeting"
    if meeting.status == "cancelled":
        summary = f"CANCELLED: {summary}"
    event.add("summary", summary)
    day = meeting.meeting_date
    if meeting.start_time is None:
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        start = datetime.combine(day, meeting.start_time, tzinfo=UK)
        if meeting.end_time is not None and meeting.end_time > meeting.start_time:
            end = datetime.combine(day, meeting.end_time, tzinfo=UK)
        else:
            end = start + timedelta(minutes=default_minutes)
        event.add("dtstart", start)
        event.add("dtend", end)
    if meeting.venue:
        event.add("location", meeting.venue)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    event.add(
        "description",
        f"{meeting.partnership}. The case list is circulated separately; "
        "this calendar holds no personal data.",
    )
    event.add("categories", ["MARAC meeting"])
    return event


def _action_event(action: Action, stamp: datetime) -> Event:
    assert action.due_date is not None
    event = Event()
    event.add("uid", action_uid(action.action_id))
    event.add("dtstamp", stamp)
    event.add(
        "summary", f"Action {action.action_id} due: {action.case_ref} ({action.owner_agency})"
    )
    event.add("dtstart", action.due_date)
    event.add("dtend", action.due_date + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add(
        "description",
        f"Agreed at the meeting of {fmt_date(action.meeting_date)}. "
        "The action itself is on the agency's action list.",
    )
    event.add("categories", ["MARAC action"])
    return event


def schedule_ics(
    meetings: Iterable[MeetingDetails],
    actions: Iterable[Action] = (),
    *,
    generated_at: datetime,
    calendar_name: str = "MARAC meetings and actions",
    default_meeting_minutes: int = 120,
) -> bytes:
    """The calendar as .ics bytes (see the module docstring).

    A meeting with a start but no (later) finish time is given `default_meeting_minutes`.
    """
    stamp = _utc(generated_at)
    meetings = sorted(meetings, key=lambda m: (m.meeting_date, m.meeting_id))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calendar_name)
    for meeting in meetings:
        cal.add_component(_meeting_event(meeting, stamp, default_meeting_minutes))
    due = [a for a in actions if a.is_open and a.due_date is not None]
    for action in sorted(due, key=lambda a: (a.due_date, a.action_id)):
        cal.add_component(_action_event(action, stamp))
    if meetings:  # UK rules for the years the meetings span, not 1970-2038
        year = timedelta(days=366)
        cal.add_missing_timezones(
            first_date=meetings[0].meeting_date - year, last_date=meetings[-1].meeting_date + year
        )
    return bytes(cal.to_ical())
