"""Meetings: the case list (agenda), research returns, attendance, and the live meeting.

A coordinator builds each meeting's case list from the referrals received before the cut-off,
adds, removes, reorders and moves cases, records which agencies have returned their research,
then runs the meeting: attendance and the confidentiality statement, the review of outstanding
actions (services.actions), and one case after another — what each agency shared (fact or
opinion), the victim's voice, the risks identified, the actions, the outcome.

Every change is one unit of work with its audit event. Text typed during the meeting is saved as
it is typed (the screen debounces), so consecutive saves of the same field by the same person
within a few minutes share one audit event rather than filling the trail with keystrokes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marac_desk.core import meeting_rules
from marac_desk.core.vocab import ATTENDANCE_STATUSES, CASE_OUTCOMES, OPEN_ACTION_STATUSES
from marac_desk.db.models import (
    Action,
    Agency,
    Attendance,
    AuditEvent,
    AuditHead,
    CaseNote,
    CaseResearch,
    Meeting,
    MeetingCase,
    Panel,
    Referral,
)
from marac_desk.db.store import Store
from marac_desk.services import audit, panels, settings
from marac_desk.services.context import Actor, utcnow

# Consecutive saves of one field by one person this close together share one audit event.
EDIT_COALESCE = timedelta(minutes=10)

RESEARCH_STATUSES: tuple[str, ...] = ("requested", "received", "nothing_held")
NOTE_KINDS: tuple[str, ...] = ("fact", "opinion")
# The text a coordinator types about a case during the meeting, by field name.
CASE_TEXT_FIELDS: tuple[str, ...] = (
    "victim_voice",
    "risks_to_victim",
    "risks_to_children",
    "risks_to_others",
    "risks_to_professionals",
    "notes",
)
OUTCOME_LABELS = {
    "pending": "Not yet heard",
    "heard_closed": "Heard and closed",
    "heard_open": "Heard and kept open",
    "deferred": "Deferred",
}


class MeetingError(ValueError):
    """A change the meeting rules refuse; the message says what and why, for the user."""


# ----- views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    id: int
    panel_id: int
    panel: str
    meeting_date: date
    start_time: time | None
    venue: str
    status: str  # planned | held | cancelled
    status_reason: str
    original_date: date | None
    cases: int


@dataclass(frozen=True)
class ResearchState:
    agency: str
    status: str  # requested | received | nothing_held


@dataclass(frozen=True)
class AgendaCase:
    id: int  # meeting_cases.id
    referral_id: int
    position: int
    case_ref: str
    victim_name: str
    victim_dob: date | None
    referral_date: date
    referring_agency: str
    is_repeat: bool
    previous_referral_date: date | None
    risk_score: int | None
    risk_grade: str
    allotted_minutes: int
    elapsed_seconds: int
    outcome: str
    outcome_reason: str
    ongoing: bool  # kept open from an earlier meeting (Community MARAC)
    research: tuple[ResearchState, ...]


@dataclass(frozen=True)
class CapState:
    level: str  # ok | warn | strong
    message: str


@dataclass(frozen=True)
class Agenda:
    meeting: MeetingRow
    cases: tuple[AgendaCase, ...]
    total_minutes: int
    cap: CapState
    outstanding_actions: int


@dataclass(frozen=True)
class Proposal:
    referral_id: int
    case_ref: str
    victim_name: str
    referral_date: date
    referring_agency: str
    is_repeat: bool
    ongoing: bool


@dataclass(frozen=True)
class AttendanceRow:
    id: int
    agency: str
    person_name: str
    status: str
    information_sent: bool
    information_sent_on: date | None
    statement_signed: bool
    substitute_for: str


@dataclass(frozen=True)
class AttendanceInput:
    agency: str
    person_name: str = ""
    status: str = "present"  # present | apologies | observer
    information_sent: bool = False
    information_sent_on: date | None = None
    statement_signed: bool = False
    substitute_for: str = ""


@dataclass(frozen=True)
class QuorumState:
    met: bool
    message: str


@dataclass(frozen=True)
class NoteRow:
    id: int
    agency: str
    kind: str  # fact | opinion
    text: str
    position: int


@dataclass(frozen=True)
class CaseSheet:
    """Everything the live meeting shows and edits for one case."""

    case: AgendaCase
    meeting_id: int
    victim_voice: str
    risks_to_victim: str
    risks_to_children: str
    risks_to_others: str
    risks_to_professionals: str
    notes: str
    agency_notes: tuple[NoteRow, ...]


# ----- helpers ----------------------------------------------------------------------------------


def _meeting(session: Session, meeting_id: int) -> Meeting:
    row = session.get(Meeting, meeting_id)
    if row is None:
        raise MeetingError("That meeting does not exist.")
    return row


def _case(session: Session, case_id: int) -> MeetingCase:
    row = session.get(MeetingCase, case_id)
    if row is None:
        raise MeetingError("That case is not on a meeting's list.")
    return row


def _agency_id(session: Session, name: str) -> int:
    found = session.scalar(select(Agency.id).where(Agency.name == name))
    if found is None:
        raise MeetingError(f"Unknown agency: {name}.")
    return int(found)


def _editable(meeting: Meeting) -> None:
    if meeting.status == "cancelled":
        raise MeetingError("That meeting was cancelled; reinstate it first.")


def record_edit(session: Session, actor: Actor, entity: str, entity_id: int, what: str) -> None:
    """Audit a typed edit, sharing the previous event when it was the same edit moments ago."""
    head = session.get(AuditHead, 1)
    if head is not None:
        last = session.scalar(select(AuditEvent).where(AuditEvent.seq == head.seq))
        if (
            last is not None
            and last.actor == actor.name
            and last.action == "update"
            and last.entity == entity
            and last.entity_id == str(entity_id)
            and last.description == what
            and utcnow() - last.occurred_at < EDIT_COALESCE
        ):
            return
    audit.record(session, actor, "update", entity, entity_id, what)


def _touch(meeting: Meeting) -> None:
    meeting.updated_at = utcnow()


# ----- meetings ---------------------------------------------------------------------------------


def _meeting_rows(session: Session, query: Any) -> list[MeetingRow]:
    counts = (
        select(MeetingCase.meeting_id, func.count().label("n"))
        .group_by(MeetingCase.meeting_id)
        .subquery()
    )
    rows = session.execute(
        query.add_columns(Panel.name, func.coalesce(counts.c.n, 0))
        .join(Panel, Panel.id == Meeting.panel_id)
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
    ).all()
    return [
        MeetingRow(
            m.id,
            m.panel_id,
            str(name),
            m.meeting_date,
            m.start_time,
            m.venue,
            m.status,
            m.status_reason,
            m.original_date,
            int(n),
        )
        for m, name, n in rows
    ]


def list_meetings(
    store: Store,
    *,
    panel_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    include_cancelled: bool = True,
) -> list[MeetingRow]:
    query = select(Meeting).order_by(Meeting.meeting_date, Meeting.start_time, Meeting.id)
    if panel_id is not None:
        query = query.where(Meeting.panel_id == panel_id)
    if start is not None:
        query = query.where(Meeting.meeting_date >= start)
    if end is not None:
        query = query.where(Meeting.meeting_date <= end)
    if not include_cancelled:
        query = query.where(Meeting.status != "cancelled")
    with store.read() as session:
        return _meeting_rows(session, query)


def get_meeting(store: Store, meeting_id: int) -> MeetingRow:
    with store.read() as session:
        rows = _meeting_rows(session, select(Meeting).where(Meeting.id == meeting_id))
    if not rows:
        raise MeetingError("That meeting does not exist.")
    return rows[0]


def find_meeting(store: Store, which: str, panel: str | None = None) -> MeetingRow:
    """The meeting named on a command line: its id, or its ISO date (unique for the panel)."""
    text = which.strip()
    if text.isdigit():
        return get_meeting(store, int(text))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise MeetingError(
            f"Give the meeting as an id or a date (YYYY-MM-DD), not {which!r}."
        ) from None
    panel_id = panels.find_panel(store, panel).id if panel else None
    found = [
        m
        for m in list_meetings(store, panel_id=panel_id, start=day, end=day)
        if m.status != "cancelled"
    ]
    if not found:
        where = f" for panel {panel}" if panel else ""
        raise MeetingError(f"No meeting on {day.isoformat()}{where}.")
    if len(found) > 1:
        names = ", ".join(sorted({m.panel for m in found}))
        raise MeetingError(
            f"More than one meeting on {day.isoformat()} ({names}): choose one with --panel."
        )
    return found[0]


def add_meeting(
    store: Store,
    actor: Actor,
    panel_id: int,
    day: date,
    *,
    start_time: time | None = None,
    venue: str | None = None,
) -> int:
    """A meeting added by hand (an extra sitting, or one the cadence does not produce)."""
    with store.write() as session:
        panel = session.get(Panel, panel_id)
        if panel is None:
            raise MeetingError("That panel does not exist.")
        clash = session.scalar(
            select(Meeting.id).where(
                Meeting.panel_id == panel_id,
                Meeting.meeting_date == day,
                Meeting.status != "cancelled",
            )
        )
        if clash is not None:
            raise MeetingError(f"{panel.name} already meets on {day:%d %B %Y}.")
        row = Meeting(
            panel_id=panel_id,
            meeting_date=day,
            start_time=start_time if start_time is not None else panel.default_time,
            venue=venue if venue is not None else panel.venue,
            status="planned",
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "meeting", row.id, f"meeting added for {day}")
        return row.id


def schedule_meetings(store: Store, actor: Actor, panel_id: int, start: date, end: date) -> int:
    """Create the planned meetings the panel's cadence gives between two dates; returns how many
    are new. Idempotent: a date that already has a meeting — or had one that was moved or
    cancelled — is not planned again."""
    config = panels.get_panel(store, panel_id)
    dates = panels.plan_dates(config, start, end)
    with store.write() as session:
        taken: set[date] = set()
        for meeting_date, original in session.execute(
            select(Meeting.meeting_date, Meeting.original_date).where(Meeting.panel_id == panel_id)
        ):
            taken.add(meeting_date)
            if original is not None:
                taken.add(original)
        new = [d for d in dates if d not in taken]
        now = utcnow()
        for day in new:
            session.add(
                Meeting(
                    panel_id=panel_id,
                    meeting_date=day,
                    start_time=config.default_time,
                    venue=config.venue,
                    status="planned",
                    created_at=now,
                    updated_at=now,
                )
            )
        if new:
            session.flush()
            audit.record(
                session,
                actor,
                "create",
                "panel",
                panel_id,
                f"{len(new)} meetings planned from {start} to {end}",
            )
        return len(new)


def move_meeting(store: Store, actor: Actor, meeting_id: int, new_date: date, reason: str) -> None:
    if not reason.strip():
        raise MeetingError("Say why the meeting is moving.")
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        _editable(meeting)
        if meeting.status == "held":
            raise MeetingError("That meeting has been held; it cannot move.")
        clash = session.scalar(
            select(Meeting.id).where(
                Meeting.panel_id == meeting.panel_id,
                Meeting.meeting_date == new_date,
                Meeting.status != "cancelled",
                Meeting.id != meeting_id,
            )
        )
        if clash is not None:
            raise MeetingError(f"The panel already meets on {new_date:%d %B %Y}.")
        old = meeting.meeting_date
        if meeting.original_date is None:
            meeting.original_date = old
        meeting.meeting_date = new_date
        meeting.status_reason = reason.strip()
        _touch(meeting)
        audit.record(
            session, actor, "update", "meeting", meeting_id, f"moved from {old} to {new_date}"
        )


def cancel_meeting(
    store: Store,
    actor: Actor,
    meeting_id: int,
    reason: str,
    *,
    move_cases_to: int | None = None,
) -> None:
    """Cancel a meeting. Its cases go to another meeting (`move_cases_to`) or, when it has none,
    nothing is lost; a meeting with cases and nowhere to send them is refused."""
    if not reason.strip():
        raise MeetingError("Say why the meeting is cancelled.")
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        if meeting.status == "held":
            raise MeetingError("That meeting has been held; it cannot be cancelled.")
        cases = list(
            session.scalars(
                select(MeetingCase)
                .where(MeetingCase.meeting_id == meeting_id)
                .order_by(MeetingCase.position)
            )
        )
        if cases and move_cases_to is None:
            raise MeetingError(
                f"The meeting has {len(cases)} cases listed: choose a meeting to move them to."
            )
        if cases and move_cases_to is not None:
            target = _meeting(session, move_cases_to)
            _editable(target)
            if target.id == meeting.id:
                raise MeetingError("Choose another meeting for the cases.")
            if target.panel_id != meeting.panel_id:
                raise MeetingError("The cases can only move to another meeting of the same panel.")
            if target.status == "held":
                raise MeetingError("That meeting has already been held.")
            for case in cases:
                _move_case(session, case, target)
        meeting.status = "cancelled"
        meeting.status_reason = reason.strip()
        _touch(meeting)
        audit.record(session, actor, "update", "meeting", meeting_id, "meeting cancelled")


def reinstate_meeting(store: Store, actor: Actor, meeting_id: int) -> None:
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        if meeting.status != "cancelled":
            return
        clash = session.scalar(
            select(Meeting.id).where(
                Meeting.panel_id == meeting.panel_id,
                Meeting.meeting_date == meeting.meeting_date,
                Meeting.status != "cancelled",
                Meeting.id != meeting_id,
            )
        )
        if clash is not None:
            raise MeetingError(
                f"The panel already meets on {meeting.meeting_date:%d %B %Y}: move or cancel "
                "that meeting first."
            )
        meeting.status = "planned"
        meeting.status_reason = ""
        _touch(meeting)
        audit.record(session, actor, "update", "meeting", meeting_id, "meeting reinstated")


def update_meeting_details(
    store: Store,
    actor: Actor,
    meeting_id: int,
    *,
    start_time: time | None = None,
    end_time: time | None = None,
    venue: str | None = None,
    chair: str | None = None,
    minute_taker: str | None = None,
    any_other_business: str | None = None,
) -> None:
    """The minutes' header and any other business; only the fields given change."""
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        changed = []
        for name, value in (
            ("start_time", start_time),
            ("end_time", end_time),
            ("venue", venue),
            ("chair", chair),
            ("minute_taker", minute_taker),
            ("any_other_business", any_other_business),
        ):
            if value is None:
                continue
            cleaned = value.strip() if isinstance(value, str) else value
            if getattr(meeting, name) != cleaned:
                setattr(meeting, name, cleaned)
                changed.append(name.replace("_", " "))
        if changed:
            _touch(meeting)
            record_edit(session, actor, "meeting", meeting_id, "details: " + ", ".join(changed))


def set_minutes_circulated(store: Store, actor: Actor, meeting_id: int, on: date | None) -> None:
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        meeting.minutes_circulated_on = on
        _touch(meeting)
        what = f"minutes circulated on {on}" if on else "minutes circulation cleared"
        audit.record(session, actor, "update", "meeting", meeting_id, what)


# ----- the case list ----------------------------------------------------------------------------


def _cutoff(session: Session, meeting: Meeting) -> date:
    config = panels.config_in_session(session, meeting.panel_id)
    return meeting_rules.referral_cutoff(meeting.meeting_date, config.referral_cutoff_days)


def _listed_referral_ids(session: Session) -> Any:
    """Referrals already waiting on a meeting that has not happened yet."""
    return (
        select(MeetingCase.referral_id)
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(MeetingCase.outcome == "pending", Meeting.status == "planned")
    )


def propose_cases(store: Store, meeting_id: int) -> list[Proposal]:
    """What the coordinator is offered for a meeting: the panel's referrals received on or
    before the cut-off and not yet listed, oldest first; and, for panels that keep cases open
    (Community MARAC), the cases kept open at the panel's previous meeting."""
    with store.read() as session:
        meeting = _meeting(session, meeting_id)
        cutoff = _cutoff(session, meeting)
        waiting = session.execute(
            select(Referral, Agency.name)
            .join(Agency, Agency.id == Referral.referring_agency_id)
            .where(
                Referral.panel_id == meeting.panel_id,
                Referral.status == "received",
                Referral.referral_date <= cutoff,
                Referral.id.not_in(_listed_referral_ids(session)),
            )
            .order_by(Referral.referral_date, Referral.id)
        ).all()
        found = [_proposal(r, str(agency), ongoing=False) for r, agency in waiting]
        previous = session.scalar(
            select(Meeting.id)
            .where(
                Meeting.panel_id == meeting.panel_id,
                Meeting.meeting_date < meeting.meeting_date,
                Meeting.status == "held",
            )
            .order_by(Meeting.meeting_date.desc())
            .limit(1)
        )
        if previous is not None:
            on_this = select(MeetingCase.referral_id).where(MeetingCase.meeting_id == meeting_id)
            kept_open = session.execute(
                select(Referral, Agency.name)
                .join(MeetingCase, MeetingCase.referral_id == Referral.id)
                .join(Agency, Agency.id == Referral.referring_agency_id)
                .where(
                    MeetingCase.meeting_id == previous,
                    MeetingCase.outcome == "heard_open",
                    Referral.id.not_in(on_this),
                )
                .order_by(MeetingCase.position)
            ).all()
            found += [_proposal(r, str(agency), ongoing=True) for r, agency in kept_open]
        already = set(
            session.scalars(
                select(MeetingCase.referral_id).where(MeetingCase.meeting_id == meeting_id)
            )
        )
        return [p for p in found if p.referral_id not in already]


def _proposal(referral: Referral, agency: str, *, ongoing: bool) -> Proposal:
    return Proposal(
        referral.id,
        referral.case_ref,
        _victim_name(referral),
        referral.referral_date,
        agency,
        _is_repeat(referral),
        ongoing,
    )


def _victim_name(referral: Referral) -> str:
    return f"{referral.victim_first_name} {referral.victim_last_name}".strip()


def _is_repeat(referral: Referral) -> bool:
    if referral.repeat_override is not None:
        return bool(referral.repeat_override)
    return bool(referral.is_repeat)


def _next_position(session: Session, meeting_id: int) -> int:
    top = session.scalar(
        select(func.max(MeetingCase.position)).where(MeetingCase.meeting_id == meeting_id)
    )
    return int(top or 0) + 1


def _set_referral_listed(session: Session, referral: Referral) -> None:
    # A case carried over (heard and kept open) stays "heard"; a new one becomes "listed".
    if referral.status == "received":
        referral.status = "listed"
        referral.updated_at = utcnow()


def add_case(store: Store, actor: Actor, meeting_id: int, referral_id: int) -> int:
    """Put a referral on the meeting's case list (at the end); returns the case id."""
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        _editable(meeting)
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise MeetingError("That referral does not exist.")
        if referral.panel_id != meeting.panel_id:
            raise MeetingError(f"{referral.case_ref} belongs to another panel.")
        if referral.status in ("diverted", "withdrawn", "closed"):
            raise MeetingError(f"{referral.case_ref} is {referral.status}: it cannot be listed.")
        existing = session.scalar(
            select(MeetingCase.id).where(
                MeetingCase.meeting_id == meeting_id, MeetingCase.referral_id == referral_id
            )
        )
        if existing is not None:
            raise MeetingError(f"{referral.case_ref} is already on this meeting's list.")
        elsewhere = session.scalar(
            select(Meeting.meeting_date)
            .join(MeetingCase, MeetingCase.meeting_id == Meeting.id)
            .where(
                MeetingCase.referral_id == referral_id,
                MeetingCase.outcome == "pending",
                Meeting.status == "planned",
            )
        )
        if elsewhere is not None:
            raise MeetingError(
                f"{referral.case_ref} is already listed for {elsewhere:%d %B %Y}: move it instead."
            )
        config = panels.config_in_session(session, meeting.panel_id)
        case = MeetingCase(
            meeting_id=meeting_id,
            referral_id=referral_id,
            position=_next_position(session, meeting_id),
            allotted_minutes=config.minutes_per_case,
            outcome="pending",
        )
        session.add(case)
        _set_referral_listed(session, referral)
        _touch(meeting)
        session.flush()
        audit.record(
            session, actor, "update", "meeting", meeting_id, f"case {referral.case_ref} listed"
        )
        return case.id


def _renumber(session: Session, meeting_id: int) -> None:
    cases = session.scalars(
        select(MeetingCase)
        .where(MeetingCase.meeting_id == meeting_id)
        .order_by(MeetingCase.position, MeetingCase.id)
    )
    for i, case in enumerate(cases, start=1):
        case.position = i


def _has_record(session: Session, case: MeetingCase) -> bool:
    """Whether anything was recorded at the meeting for this case (then it cannot just go)."""
    if any(getattr(case, name) for name in CASE_TEXT_FIELDS) or case.outcome != "pending":
        return True
    for model in (Action, CaseNote):
        found = session.scalar(
            select(func.count()).select_from(model).where(model.meeting_case_id == case.id)
        )
        if found:
            return True
    return False


def remove_case(store: Store, actor: Actor, case_id: int) -> None:
    """Take a case off the list. Refused once anything was recorded for it at the meeting."""
    with store.write() as session:
        case = _case(session, case_id)
        meeting = _meeting(session, case.meeting_id)
        if _has_record(session, case):
            raise MeetingError(
                "Notes, actions or an outcome are recorded for this case: defer it instead."
            )
        referral = session.get(Referral, case.referral_id)
        assert referral is not None
        session.delete(case)
        session.flush()
        if referral.status == "listed":
            referral.status = "received"
            referral.updated_at = utcnow()
        _renumber(session, meeting.id)
        _touch(meeting)
        audit.record(
            session, actor, "update", "meeting", meeting.id, f"case {referral.case_ref} removed"
        )


def reorder_cases(store: Store, actor: Actor, meeting_id: int, case_ids: Sequence[int]) -> None:
    """Put the meeting's cases in this order (every case of the meeting, each once)."""
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        cases = {
            c.id: c
            for c in session.scalars(
                select(MeetingCase).where(MeetingCase.meeting_id == meeting_id)
            )
        }
        if sorted(case_ids) != sorted(cases):
            raise MeetingError("The new order must list every case of the meeting once.")
        for position, case_id in enumerate(case_ids, start=1):
            cases[case_id].position = position
        _touch(meeting)
        record_edit(session, actor, "meeting", meeting_id, "case list reordered")


def _move_case(session: Session, case: MeetingCase, target: Meeting) -> None:
    clash = session.scalar(
        select(MeetingCase.id).where(
            MeetingCase.meeting_id == target.id, MeetingCase.referral_id == case.referral_id
        )
    )
    if clash is not None:
        raise MeetingError("The case is already on that meeting's list.")
    source = case.meeting_id
    position = _next_position(session, target.id)  # before the case joins it (autoflush)
    case.meeting_id = target.id
    case.position = position
    session.flush()
    _renumber(session, source)


def move_case(store: Store, actor: Actor, case_id: int, to_meeting_id: int) -> None:
    """Move a not-yet-heard case to another meeting of the same panel (to the end of its list)."""
    with store.write() as session:
        case = _case(session, case_id)
        source = _meeting(session, case.meeting_id)
        target = _meeting(session, to_meeting_id)
        _editable(target)
        if target.panel_id != source.panel_id:
            raise MeetingError("A case can only move to another meeting of the same panel.")
        if target.status == "held":
            raise MeetingError("That meeting has already been held.")
        if case.outcome != "pending":
            raise MeetingError("The case was heard at this meeting; list it again instead.")
        _move_case(session, case, target)
        _touch(source)
        _touch(target)
        referral = session.get(Referral, case.referral_id)
        assert referral is not None
        audit.record(
            session,
            actor,
            "update",
            "meeting",
            target.id,
            f"case {referral.case_ref} moved from meeting {source.id}",
        )


def set_allotted_minutes(store: Store, actor: Actor, case_id: int, minutes: int) -> None:
    if not 1 <= minutes <= 120:
        raise MeetingError("Allow between 1 and 120 minutes for a case.")
    with store.write() as session:
        case = _case(session, case_id)
        case.allotted_minutes = minutes
        record_edit(session, actor, "meeting_case", case_id, "minutes allotted")


def cap_state(count: int, warn_at: int, strong_above: int) -> CapState:
    found = meeting_rules.check_case_cap(count, warn_at, strong_above)
    return CapState(found.level.value, found.message)


def _research(session: Session, case_ids: Iterable[int]) -> dict[int, list[ResearchState]]:
    found: dict[int, list[ResearchState]] = {}
    ids = list(case_ids)
    if not ids:
        return found
    for case_id, agency, status in session.execute(
        select(CaseResearch.meeting_case_id, Agency.name, CaseResearch.status)
        .join(Agency, Agency.id == CaseResearch.agency_id)
        .where(CaseResearch.meeting_case_id.in_(ids))
        .order_by(Agency.name)
    ):
        found.setdefault(case_id, []).append(ResearchState(str(agency), status))
    return found


def _agenda_cases(session: Session, meeting: Meeting) -> list[AgendaCase]:
    rows = session.execute(
        select(MeetingCase, Referral, Agency.name)
        .join(Referral, Referral.id == MeetingCase.referral_id)
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .where(MeetingCase.meeting_id == meeting.id)
        .order_by(MeetingCase.position, MeetingCase.id)
    ).all()
    research = _research(session, (c.id for c, _, _ in rows))
    previous_ids = {r.previous_referral_id for _, r, _ in rows if r.previous_referral_id}
    previous_dates: dict[int, date] = {
        int(i): d
        for i, d in session.execute(
            select(Referral.id, Referral.referral_date).where(Referral.id.in_(previous_ids))
        )
    }
    ongoing_ids = set(
        session.scalars(
            select(MeetingCase.referral_id)
            .join(Meeting, Meeting.id == MeetingCase.meeting_id)
            .where(
                MeetingCase.referral_id.in_([r.id for _, r, _ in rows]),
                MeetingCase.outcome == "heard_open",
                Meeting.meeting_date < meeting.meeting_date,
            )
        )
    )
    return [
        AgendaCase(
            id=case.id,
            referral_id=referral.id,
            position=case.position,
            case_ref=referral.case_ref,
            victim_name=_victim_name(referral),
            victim_dob=referral.victim_dob,
            referral_date=referral.referral_date,
            referring_agency=str(agency),
            is_repeat=_is_repeat(referral),
            previous_referral_date=previous_dates.get(referral.previous_referral_id or -1),
            risk_score=referral.risk_score,
            risk_grade=referral.risk_grade,
            allotted_minutes=case.allotted_minutes,
            elapsed_seconds=case.elapsed_seconds,
            outcome=case.outcome,
            outcome_reason=case.outcome_reason,
            ongoing=referral.id in ongoing_ids,
            research=tuple(research.get(case.id, ())),
        )
        for case, referral, agency in rows
    ]


def outstanding_actions_query(meeting: Meeting) -> Any:
    """Open actions on the panel's cases set at earlier meetings: reviewed first."""
    return (
        select(Action)
        .join(MeetingCase, MeetingCase.id == Action.meeting_case_id)
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(
            Meeting.panel_id == meeting.panel_id,
            Meeting.meeting_date < meeting.meeting_date,
            Action.status.in_(OPEN_ACTION_STATUSES),
        )
    )


def get_agenda(store: Store, meeting_id: int) -> Agenda:
    with store.read() as session:
        meeting = _meeting(session, meeting_id)
        config = panels.config_in_session(session, meeting.panel_id)
        cases = _agenda_cases(session, meeting)
        outstanding = session.scalar(
            select(func.count()).select_from(outstanding_actions_query(meeting).subquery())
        )
        row = _meeting_rows(session, select(Meeting).where(Meeting.id == meeting_id))[0]
    return Agenda(
        meeting=row,
        cases=tuple(cases),
        total_minutes=sum(c.allotted_minutes for c in cases),
        cap=cap_state(len(cases), config.case_cap_warn, config.case_cap_strong),
        outstanding_actions=int(outstanding or 0),
    )


def set_research(store: Store, actor: Actor, case_id: int, agency: str, status: str) -> None:
    """Record an agency's research return for a listed case (status None-like "" clears it)."""
    if status and status not in RESEARCH_STATUSES:
        raise MeetingError(f"Unknown research status: {status}.")
    with store.write() as session:
        _case(session, case_id)
        agency_id = _agency_id(session, agency)
        row = session.scalar(
            select(CaseResearch).where(
                CaseResearch.meeting_case_id == case_id, CaseResearch.agency_id == agency_id
            )
        )
        if not status:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                CaseResearch(
                    meeting_case_id=case_id,
                    agency_id=agency_id,
                    status=status,
                    updated_on=utcnow().date(),
                )
            )
        else:
            row.status = status
            row.updated_on = utcnow().date()
        audit.record(
            session,
            actor,
            "update",
            "meeting_case",
            case_id,
            f"research from {agency}: {status or 'cleared'}",
        )


def request_research(store: Store, actor: Actor, meeting_id: int, agencies: Sequence[str]) -> int:
    """Mark research as requested from these agencies for every case without a return yet."""
    with store.write() as session:
        _meeting(session, meeting_id)
        case_ids = list(
            session.scalars(select(MeetingCase.id).where(MeetingCase.meeting_id == meeting_id))
        )
        agency_ids = [_agency_id(session, a) for a in agencies]
        have = {
            (int(c), int(g))
            for c, g in session.execute(
                select(CaseResearch.meeting_case_id, CaseResearch.agency_id).where(
                    CaseResearch.meeting_case_id.in_(case_ids)
                )
            )
        }
        today = utcnow().date()
        added = 0
        for case_id in case_ids:
            for agency_id in agency_ids:
                if (case_id, agency_id) not in have:
                    session.add(
                        CaseResearch(
                            meeting_case_id=case_id,
                            agency_id=agency_id,
                            status="requested",
                            updated_on=today,
                        )
                    )
                    added += 1
        if added:
            audit.record(
                session, actor, "update", "meeting", meeting_id, f"research requested ({added})"
            )
        return added


# ----- attendance -------------------------------------------------------------------------------


def _attendance_values(session: Session, inp: AttendanceInput) -> dict[str, Any]:
    if inp.status not in ATTENDANCE_STATUSES:
        raise MeetingError(f"Unknown attendance: {inp.status}.")
    if inp.status == "observer" and not inp.statement_signed:
        raise MeetingError("An observer must sign the confidentiality statement first.")
    return {
        "agency_id": _agency_id(session, inp.agency),
        "person_name": inp.person_name.strip(),
        "status": inp.status,
        "information_sent": inp.status == "apologies" and inp.information_sent,
        "information_sent_on": inp.information_sent_on
        if inp.status == "apologies" and inp.information_sent
        else None,
        "statement_signed": inp.statement_signed,
        "substitute_for": inp.substitute_for.strip(),
    }


def add_attendance(store: Store, actor: Actor, meeting_id: int, inp: AttendanceInput) -> int:
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        _editable(meeting)
        row = Attendance(meeting_id=meeting_id, **_attendance_values(session, inp))
        session.add(row)
        _touch(meeting)
        session.flush()
        audit.record(session, actor, "create", "attendance", row.id, f"{inp.agency}: {inp.status}")
        return row.id


def update_attendance(store: Store, actor: Actor, attendance_id: int, inp: AttendanceInput) -> None:
    with store.write() as session:
        row = session.get(Attendance, attendance_id)
        if row is None:
            raise MeetingError("That attendance entry does not exist.")
        for key, value in _attendance_values(session, inp).items():
            setattr(row, key, value)
        record_edit(session, actor, "attendance", attendance_id, f"{inp.agency}: {inp.status}")


def remove_attendance(store: Store, actor: Actor, attendance_id: int) -> None:
    with store.write() as session:
        row = session.get(Attendance, attendance_id)
        if row is None:
            return
        session.delete(row)
        audit.record(session, actor, "delete", "attendance", attendance_id, "attendance removed")


def list_attendance(store: Store, meeting_id: int) -> list[AttendanceRow]:
    with store.read() as session:
        return _attendance(session, meeting_id)


def _attendance(session: Session, meeting_id: int) -> list[AttendanceRow]:
    rows = session.execute(
        select(Attendance, Agency.name)
        .join(Agency, Agency.id == Attendance.agency_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Agency.name, Attendance.id)
    ).all()
    return [
        AttendanceRow(
            a.id,
            str(name),
            a.person_name,
            a.status,
            a.information_sent,
            a.information_sent_on,
            a.statement_signed,
            a.substitute_for,
        )
        for a, name in rows
    ]


def quorum(store: Store, meeting_id: int) -> QuorumState:
    with store.read() as session:
        meeting = _meeting(session, meeting_id)
        config = panels.config_in_session(session, meeting.panel_id)
        present = [r.agency for r in _attendance(session, meeting_id) if r.status == "present"]
    verdict = config.quorum.check(present)
    return QuorumState(verdict.met, verdict.message)


def confidentiality_statement(store: Store) -> str:
    return str(settings.get(store, "confidentiality_statement"))


def record_statement_read(store: Store, actor: Actor, meeting_id: int, read: bool = True) -> None:
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        meeting.confidentiality_read = read
        _touch(meeting)
        what = "confidentiality statement read" if read else "statement reading cleared"
        audit.record(session, actor, "update", "meeting", meeting_id, what)


def start_meeting(store: Store, actor: Actor, meeting_id: int, at: time) -> None:
    """The meeting opens: it counts as held from now (its cases can be heard)."""
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        _editable(meeting)
        meeting.status = "held"
        if meeting.start_time is None or meeting.end_time is None:
            meeting.start_time = at
        _touch(meeting)
        audit.record(session, actor, "update", "meeting", meeting_id, "meeting started")


def finish_meeting(store: Store, actor: Actor, meeting_id: int, at: time) -> None:
    with store.write() as session:
        meeting = _meeting(session, meeting_id)
        meeting.status = "held"
        meeting.end_time = at
        _touch(meeting)
        audit.record(session, actor, "update", "meeting", meeting_id, "meeting finished")


# ----- one case in the meeting ------------------------------------------------------------------


def _notes(session: Session, case_id: int) -> list[NoteRow]:
    rows = session.execute(
        select(CaseNote, Agency.name)
        .join(Agency, Agency.id == CaseNote.agency_id)
        .where(CaseNote.meeting_case_id == case_id)
        .order_by(CaseNote.position, CaseNote.id)
    ).all()
    return [NoteRow(n.id, str(name), n.kind, n.text, n.position) for n, name in rows]


def get_case_sheet(store: Store, case_id: int) -> CaseSheet:
    with store.read() as session:
        case = _case(session, case_id)
        meeting = _meeting(session, case.meeting_id)
        agenda_case = next(c for c in _agenda_cases(session, meeting) if c.id == case_id)
        return CaseSheet(
            case=agenda_case,
            meeting_id=meeting.id,
            victim_voice=case.victim_voice,
            risks_to_victim=case.risks_to_victim,
            risks_to_children=case.risks_to_children,
            risks_to_others=case.risks_to_others,
            risks_to_professionals=case.risks_to_professionals,
            notes=case.notes,
            agency_notes=tuple(_notes(session, case_id)),
        )


def save_case_text(store: Store, actor: Actor, case_id: int, field: str, text: str) -> None:
    """Save one of the case's free-text fields as typed (called debounced by the screen)."""
    if field not in CASE_TEXT_FIELDS:
        raise MeetingError(f"Unknown case field: {field}.")
    with store.write() as session:
        case = _case(session, case_id)
        if getattr(case, field) == text:
            return
        setattr(case, field, text)
        record_edit(session, actor, "meeting_case", case_id, field.replace("_", " "))


def add_note(store: Store, actor: Actor, case_id: int, agency: str, kind: str = "fact") -> int:
    if kind not in NOTE_KINDS:
        raise MeetingError("A note is either fact or opinion.")
    with store.write() as session:
        _case(session, case_id)
        top = session.scalar(
            select(func.max(CaseNote.position)).where(CaseNote.meeting_case_id == case_id)
        )
        now = utcnow()
        note = CaseNote(
            meeting_case_id=case_id,
            agency_id=_agency_id(session, agency),
            kind=kind,
            text="",
            position=int(top or 0) + 1,
            created_at=now,
            updated_at=now,
        )
        session.add(note)
        session.flush()
        audit.record(session, actor, "create", "case_note", note.id, f"{agency} ({kind})")
        return note.id


def save_note(
    store: Store,
    actor: Actor,
    note_id: int,
    *,
    text: str | None = None,
    kind: str | None = None,
    agency: str | None = None,
) -> None:
    if kind is not None and kind not in NOTE_KINDS:
        raise MeetingError("A note is either fact or opinion.")
    with store.write() as session:
        note = session.get(CaseNote, note_id)
        if note is None:
            raise MeetingError("That note does not exist.")
        if text is not None:
            note.text = text
        if kind is not None:
            note.kind = kind
        if agency is not None:
            note.agency_id = _agency_id(session, agency)
        note.updated_at = utcnow()
        record_edit(session, actor, "case_note", note_id, "note edited")


def delete_note(store: Store, actor: Actor, note_id: int) -> None:
    with store.write() as session:
        note = session.get(CaseNote, note_id)
        if note is None:
            return
        session.delete(note)
        audit.record(session, actor, "delete", "case_note", note_id, "note deleted")


def add_elapsed(store: Store, case_id: int, seconds: int) -> int:
    """Add time to the case timer (not audited: it is a stopwatch); returns the new total."""
    with store.write() as session:
        case = _case(session, case_id)
        case.elapsed_seconds = max(0, case.elapsed_seconds + seconds)
        return case.elapsed_seconds


def set_outcome(store: Store, actor: Actor, case_id: int, outcome: str, reason: str = "") -> None:
    """The meeting's decision on a case. A deferral needs a reason. Hearing a case moves its
    referral to "heard"; heard and closed closes it; heard and kept open leaves it heard so the
    next meeting proposes it again (Community MARAC)."""
    if outcome not in CASE_OUTCOMES:
        raise MeetingError(f"Unknown outcome: {outcome}.")
    if outcome == "deferred" and not reason.strip():
        raise MeetingError("Say why the case is deferred.")
    with store.write() as session:
        case = _case(session, case_id)
        referral = session.get(Referral, case.referral_id)
        assert referral is not None
        case.outcome = outcome
        case.outcome_reason = reason.strip()
        wanted = {
            "heard_closed": "closed",
            "heard_open": "heard",
            "deferred": "listed",
            "pending": "listed",
        }[outcome]
        if referral.status in ("received", "listed", "heard", "closed"):
            referral.status = wanted
            referral.updated_at = utcnow()
        audit.record(
            session,
            actor,
            "update",
            "meeting_case",
            case_id,
            f"{referral.case_ref}: {OUTCOME_LABELS[outcome].lower()}",
        )


def meeting_case_ids(store: Store, meeting_id: int) -> list[int]:
    with store.read() as session:
        return list(
            session.scalars(
                select(MeetingCase.id)
                .where(MeetingCase.meeting_id == meeting_id)
                .order_by(MeetingCase.position, MeetingCase.id)
            )
        )


# ----- the live meeting's header ----------------------------------------------------------------


@dataclass(frozen=True)
class MeetingDetails:
    """What the live meeting shows around the cases: the minutes' header, whether the
    statement was read, any other business, and when the panel meets next."""

    meeting: MeetingRow
    end_time: time | None
    chair: str
    minute_taker: str
    confidentiality_read: bool
    any_other_business: str
    next_meeting_date: date | None  # the panel's next meeting that is not cancelled


def meeting_details(store: Store, meeting_id: int) -> MeetingDetails:
    with store.read() as session:
        meeting = _meeting(session, meeting_id)
        row = _meeting_rows(session, select(Meeting).where(Meeting.id == meeting_id))[0]
        following = session.scalar(
            select(Meeting.meeting_date)
            .where(
                Meeting.panel_id == meeting.panel_id,
                Meeting.meeting_date > meeting.meeting_date,
                Meeting.status != "cancelled",
            )
            .order_by(Meeting.meeting_date)
            .limit(1)
        )
        return MeetingDetails(
            meeting=row,
            end_time=meeting.end_time,
            chair=meeting.chair,
            minute_taker=meeting.minute_taker,
            confidentiality_read=meeting.confidentiality_read,
            any_other_business=meeting.any_other_business,
            next_meeting_date=following,
        )
