"""Documents that leave the store: built from `services.documents`, rendered by `export`, and
each recorded in the audit trail as a disclosure — what, for which agency, when, by whom
(DOMAIN.md §7). The caller writes the bytes where the user chose (export.files.write_atomic),
or — for a set of files (every agency's list, a meeting's whole set) and for single files that
must not replace another — lets `write_agency_lists`, `write_meeting_set` and `save_new` write
them: names checked first (so a refused export discloses nothing), then built and audited, then
written all or nothing, never over an existing file (`FileClash` names the file in the way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from marac_desk.db.store import Store
from marac_desk.export import action_list, agenda, ics, spreadsheets
from marac_desk.export import model as doc
from marac_desk.export.files import (
    FileClash,
    agency_file_names,
    check_free,
    unique_file_names,
    write_all_new,
    write_new,
)
from marac_desk.export.pdf import encrypt_pdf
from marac_desk.services import audit, documents, meetings, minutes
from marac_desk.services.context import Actor

# FileClash comes through here: callers above services do not import export/.
__all__ = [
    "IDENTIFY_WORDS",
    "AgencyCount",
    "AgencyFile",
    "DisclosureError",
    "FileClash",
    "MeetingSet",
    "Overview",
    "Written",
    "actions_table",
    "agency_action_lists",
    "agenda_file",
    "approved_minutes_file",
    "calendar_file",
    "draft_minutes_file",
    "overview",
    "save_new",
    "write_agency_lists",
    "write_meeting_set",
]

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
    agencies: Sequence[str] | None = None,
) -> list[AgencyFile]:
    """One PDF per agency (or just `agency`, or just `agencies`): that agency's actions from
    the meeting and its overdue ones from earlier meetings, or — with no meeting — all its open
    actions. Each list is audited as a disclosure to that agency."""
    if identify not in doc.IDENTIFY_MODES:
        raise DisclosureError(f"Unknown identification: {identify}.")
    made: list[AgencyFile] = []
    if meeting_id is not None:
        meeting = documents.meeting_document(store, meeting_id)
        names = action_list.agencies_with_actions(meeting)
        wanted = _wanted(names, agency) if agencies is None else _wanted_all(names, agencies)
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
        for name in _wanted(names, agency) if agencies is None else _wanted_all(names, agencies):
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


def _wanted_all(names: tuple[str, ...], agencies: Sequence[str]) -> tuple[str, ...]:
    """Each agency asked for once, spelt as the store spells it, in the order asked."""
    found: list[str] = []
    for agency in agencies:
        for name in _wanted(names, agency):
            if name.casefold() not in {f.casefold() for f in found}:
                found.append(name)
    return tuple(found)


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


# ----- what a coordinator chooses from, and writing sets of files --------------------------------


@dataclass(frozen=True)
class AgencyCount:
    agency: str
    actions: int


@dataclass(frozen=True)
class Overview:
    """Who would get an action list, and how many actions it would hold: the meeting's
    (`details` set) or every open action's. Nothing leaves the store, so nothing is audited."""

    details: doc.MeetingDetails | None
    agencies: tuple[AgencyCount, ...]


def overview(store: Store, *, meeting_id: int | None, today: date) -> Overview:
    if meeting_id is not None:
        meeting = documents.meeting_document(store, meeting_id)
        counts = []
        for name in action_list.agencies_with_actions(meeting):
            chosen = action_list.select_agency_actions(meeting, name)
            counts.append(AgencyCount(name, len(chosen.current) + len(chosen.overdue)))
        return Overview(meeting.details, tuple(counts))
    open_actions = documents.open_actions_document(store, today)
    return Overview(
        None,
        tuple(
            AgencyCount(name, len(action_list.select_open_actions(open_actions, name)))
            for name in action_list.agencies_with_open_actions(open_actions)
        ),
    )


@dataclass(frozen=True)
class Written:
    """One file written: where, and what it holds (for the coordinator's summary)."""

    path: Path
    what: str  # "agenda", "approved minutes", "draft minutes", or the agency's name
    actions: int | None = None  # an agency's list: how many actions


def save_new(path: Path, build: Callable[[], bytes]) -> Path:
    """Build (and so audit) a file only once its name is known to be free; write it without
    ever replacing another (`FileClash`)."""
    check_free([path])
    return write_new(path, build())


def write_agency_lists(
    store: Store,
    actor: Actor,
    folder: Path,
    *,
    meeting_id: int | None,
    agencies: Sequence[str] | None,
    identify: doc.Identify,
    password: str | None,
    generated_at: datetime,
    marking: str,
) -> tuple[Written, ...]:
    """One PDF per agency (every agency with actions, or those named) into an existing
    folder, each named after its agency: all or nothing, never over an existing file."""
    known = overview(store, meeting_id=meeting_id, today=generated_at.date()).agencies
    names = tuple(c.agency for c in known)
    wanted = names if agencies is None else _wanted_all(names, agencies)
    paths = [folder / name for name in agency_file_names(wanted)]
    check_free(paths)
    made = agency_action_lists(
        store,
        actor,
        meeting_id=meeting_id,
        agency=None,
        agencies=wanted,
        identify=identify,
        password=password,
        generated_at=generated_at,
        marking=marking,
    )
    write_all_new([(p, f.data) for p, f in zip(paths, made, strict=True)])
    return tuple(Written(p, f.agency, f.actions) for p, f in zip(paths, made, strict=True))


def draft_minutes_file(
    store: Store,
    actor: Actor,
    meeting_id: int,
    *,
    generated_at: datetime,
    marking: str,
    password: str | None = None,
) -> bytes:
    data = minutes.draft(store, actor, meeting_id, generated_at=generated_at, marking=marking)
    return encrypt_pdf(data, password) if password else data


def approved_minutes_file(
    store: Store, actor: Actor, meeting_id: int, version: int | None, password: str | None = None
) -> bytes:
    data = minutes.approved(store, actor, meeting_id, version)
    return encrypt_pdf(data, password) if password else data


@dataclass(frozen=True)
class MeetingSet:
    files: tuple[Written, ...]
    minutes: Literal["approved", "draft"]
    minutes_version: int | None  # the approved version sent


def write_meeting_set(
    store: Store,
    actor: Actor,
    meeting_id: int,
    folder: Path,
    *,
    identify: doc.Identify,
    password: str | None,
    generated_at: datetime,
    marking: str,
) -> MeetingSet:
    """Everything a meeting sends out, into one existing folder: the agenda, the minutes
    (the approved version if it still matches the meeting, else a draft) and every agency's
    action list — checked, built, then written all or nothing, never over an existing file.
    With a password every PDF is protected."""
    if identify not in doc.IDENTIFY_MODES:
        raise DisclosureError(f"Unknown identification: {identify}.")
    found = overview(store, meeting_id=meeting_id, today=generated_at.date())
    assert found.details is not None
    day = found.details.meeting_date.isoformat()
    state = minutes.state(store, meeting_id)
    latest = state.latest
    version = latest.version if state.approved_and_current and latest is not None else None
    minutes_name = (
        f"Minutes {day} (version {version}).pdf"
        if version is not None
        else f"Minutes {day} (draft).pdf"
    )
    agencies = tuple(c.agency for c in found.agencies)
    names = unique_file_names([f"Agenda {day}.pdf", minutes_name, *agency_file_names(agencies)])
    paths = [folder / name for name in names]
    check_free(paths)
    agenda_data = agenda_file(
        store,
        actor,
        meeting_id,
        fmt="pdf",
        generated_at=generated_at,
        marking=marking,
        password=password,
    )
    minutes_data = (
        approved_minutes_file(store, actor, meeting_id, version, password)
        if version is not None
        else draft_minutes_file(
            store, actor, meeting_id, generated_at=generated_at, marking=marking, password=password
        )
    )
    lists = agency_action_lists(
        store,
        actor,
        meeting_id=meeting_id,
        agency=None,
        agencies=agencies,
        identify=identify,
        password=password,
        generated_at=generated_at,
        marking=marking,
    )
    datas = [agenda_data, minutes_data, *(f.data for f in lists)]
    write_all_new(list(zip(paths, datas, strict=True)))
    kind: Literal["approved", "draft"] = "approved" if version is not None else "draft"
    written = [
        Written(paths[0], "agenda"),
        Written(paths[1], f"{kind} minutes"),
        *(Written(p, f.agency, f.actions) for p, f in zip(paths[2:], lists, strict=True)),
    ]
    return MeetingSet(tuple(written), kind, version)
