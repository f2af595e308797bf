"""Documents that leave the store: built from `services.documents`, rendered by `export`, and
each recorded in the audit trail as a disclosure — what, for which agency, when, by whom
(DOMAIN.md §7). The caller writes the bytes where the user chose (export.files.write_atomic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from marac_desk.db.store import Store
from marac_desk.export import action_list, agenda, ics, spreadsheets
from marac_desk.export import model as doc
from marac_desk.export.pdf import encrypt_pdf
from marac_desk.services import audit, documents, meetings
from marac_desk.services.context import Actor

IDENTIFY_WORDS = {
    "case_ref": "case reference only",
    "initials": "initials",
    "name_dob": "name and date of birth",
}


class DisclosureError(ValueError):
    """The export cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class AgencyFile:
    agency: str
    data: bytes
    actions: int


def _record(store: Store, actor: Actor, entity: str, entity_id: object, what: str) -> None:
    with store.write() as session:
        audit.record(session, actor, "export", entity, entity_id, what)


def _protection(password: str | None) -> str:
    return "password-protected" if password else "not password-protected"


def agency_action_lists(
    store: Store,
    actor: Actor,
    *,
    meeting_id: int | None,
    agency: str | None,
    identify: doc.Identify,
    password: str | None,
    generated_at: datetime,
    marking: str,
) -> list[AgencyFile]:
    """One PDF per agency (or just `agency`): that agency's actions from the meeting and its
    overdue ones from earlier meetings, or — with no meeting — all its open actions. Each list
    is audited as a disclosure to that agency."""
    if identify not in doc.IDENTIFY_MODES:
        raise DisclosureError(f"Unknown identification: {identify}.")
    made: list[AgencyFile] = []
    if meeting_id is not None:
        meeting = documents.meeting_document(store, meeting_id)
        names = action_list.agencies_with_actions(meeting)
        wanted = _wanted(names, agency)
        for name in wanted:
            chosen = action_list.select_agency_actions(meeting, name)
            data = action_list.build_action_list(
                meeting, name, generated_at=generated_at, identify=identify, marking=marking
            )
            made.append(AgencyFile(name, data, len(chosen.current) + len(chosen.overdue)))
        where = f"meeting of {meeting.details.meeting_date}"
    else:
        open_actions = documents.open_actions_document(store, generated_at.date())
        names = action_list.agencies_with_open_actions(open_actions)
        for name in _wanted(names, agency):
            count = len(action_list.select_open_actions(open_actions, name))
            data = action_list.build_open_action_list(
                open_actions, name, generated_at=generated_at, identify=identify, marking=marking
            )
            made.append(AgencyFile(name, data, count))
        where = "all open actions"
    if password:
        made = [AgencyFile(f.agency, encrypt_pdf(f.data, password), f.actions) for f in made]
    for f in made:
        _record(
            store,
            actor,
            "meeting" if meeting_id is not None else "action",
            meeting_id if meeting_id is not None else "",
            f"action list for {f.agency} ({where}; {f.actions} actions; identified by "
            f"{IDENTIFY_WORDS[identify]}; {_protection(password)})",
        )
    return made


def _wanted(names: tuple[str, ...], agency: str | None) -> tuple[str, ...]:
    if agency is None:
        return names
    match = [n for n in names if n.casefold() == " ".join(agency.split()).casefold()]
    if match:
        return tuple(match)
    # An agency with nothing to do still gets its (empty) list when asked for by name.
    return (" ".join(agency.split()),)


def actions_table(
    store: Store,
    actor: Actor,
    *,
    meeting_id: int | None,
    agency: str | None,
    fmt: str,
    generated_at: datetime,
) -> bytes:
    """The actions as CSV or XLSX: the meeting's (and its outstanding ones), or every open
    action; optionally one agency's."""
    if meeting_id is not None:
        meeting = documents.meeting_document(store, meeting_id)
        rows = [*meeting.actions, *(item.action for item in meeting.outstanding)]
        where = f"meeting of {meeting.details.meeting_date}"
    else:
        rows = [a for a, _ in documents.open_actions_document(store, generated_at.date()).actions]
        where = "all open actions"
    if agency is not None:
        wanted = " ".join(agency.split()).casefold()
        rows = [a for a in rows if a.owner_agency.casefold() == wanted]
    data = (
        spreadsheets.actions_csv(rows)
        if fmt == "csv"
        else spreadsheets.actions_xlsx(rows, generated_at=generated_at)
    )
    whom = f" for {agency}" if agency else ""
    _record(
        store,
        actor,
        "meeting" if meeting_id is not None else "action",
        meeting_id if meeting_id is not None else "",
        f"actions {fmt.upper()}{whom} ({where}; {len(rows)} actions)",
    )
    return data


def agenda_file(
    store: Store,
    actor: Actor,
    meeting_id: int,
    *,
    fmt: str,
    generated_at: datetime,
    marking: str,
    password: str | None = None,
) -> bytes:
    """The case list for circulation before the meeting (names and DOBs, so agencies can
    search their records) as PDF, CSV or XLSX."""
    meeting = documents.meeting_document(store, meeting_id)
    if fmt == "pdf":
        data = agenda.build_agenda(meeting, generated_at=generated_at, marking=marking)
        if password:
            data = encrypt_pdf(data, password)
    elif fmt == "csv":
        data = spreadsheets.agenda_csv(meeting)
    else:
        data = spreadsheets.agenda_xlsx(meeting, generated_at=generated_at)
    _record(
        store,
        actor,
        "meeting",
        meeting_id,
        f"agenda {fmt.upper()} ({len(meeting.cases)} cases; {_protection(password)})",
    )
    return data


def calendar_file(
    store: Store,
    actor: Actor,
    *,
    generated_at: datetime,
    start: date | None = None,
    end: date | None = None,
) -> bytes:
    """Meeting dates and open actions' due dates as iCalendar, with case references only."""
    rows = [
        m for m in meetings.list_meetings(store, start=start, end=end) if m.status != "cancelled"
    ]
    partnership = documents.partnership_name(store)
    details = [
        doc.MeetingDetails(
            meeting_id=m.id,
            partnership=partnership,
            panel=m.panel,
            meeting_date=m.meeting_date,
            start_time=m.start_time,
            venue=m.venue,
            status=m.status,
        )
        for m in rows
    ]
    open_actions = [
        a
        for a, _ in documents.open_actions_document(store, generated_at.date()).actions
        if a.due_date is not None
        and (start is None or a.due_date >= start)
        and (end is None or a.due_date <= end)
    ]
    data = ics.schedule_ics(details, open_actions, generated_at=generated_at)
    _record(
        store,
        actor,
        "meeting",
        "",
        f"calendar ({len(details)} meetings, {len(open_actions)} action due dates)",
    )
    return data
