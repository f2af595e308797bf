"""Actions: what agencies volunteer at a meeting, and how they are followed up between meetings.

An action needs an owner agency, text and — unless the coordinator clears it — a due date (the
meeting date plus the `action_due_days` setting). Status changes follow core rules (a note to
close one as not possible or not undertaken, a later date to carry it forward) and each one is
kept as a dated update, with the meeting that reviewed it when it was reviewed at a meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from marac_desk.core import actions_rules
from marac_desk.core.referral_rules import Problem
from marac_desk.core.vocab import ACTION_CATEGORIES, OPEN_ACTION_STATUSES
from marac_desk.db.models import (
    Action,
    ActionUpdate,
    Agency,
    Meeting,
    MeetingCase,
    Panel,
    Referral,
    UserProfile,
)
from marac_desk.db.store import Store
from marac_desk.services import audit, meetings, settings
from marac_desk.services.context import Actor, utcnow

STATUS_LABELS = {
    "open": "Open",
    "completed": "Completed",
    "not_possible": "Not possible — change in circumstances",
    "not_undertaken": "Not undertaken by agency",
    "carried_forward": "Carried forward",
}
CATEGORY_LABELS = {
    "victim_safety": "Victim safety",
    "children": "Children",
    "perpetrator_disruption": "Perpetrator disruption",
    "housing": "Housing",
    "health": "Health",
    "criminal_justice": "Criminal justice",
    "other": "Other",
}


class ActionRejected(ValueError):
    """The action or its update has problems; each names its field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class ActionInput:
    owner_agency: str
    text: str
    owner_person: str = ""
    linked_risk: str = ""
    category: str = "other"
    due_date: date | None = None


@dataclass(frozen=True)
class ActionRow:
    id: int
    referral_id: int
    case_ref: str
    meeting_case_id: int | None
    meeting_id: int | None
    meeting_date: date | None
    panel: str
    owner_agency: str
    owner_person: str
    text: str
    linked_risk: str
    category: str
    due_date: date | None
    status: str
    completed_on: date | None
    overdue: bool
    days_overdue: int


@dataclass(frozen=True)
class UpdateRow:
    id: int
    updated_on: date
    status: str
    note: str
    new_due_date: date | None
    by: str
    meeting_id: int | None


@dataclass(frozen=True)
class ActionFilter:
    agency: str | None = None
    status: str | None = None  # one status, or "open" for open and carried forward
    overdue: bool = False
    due_this_week: bool = False
    meeting_id: int | None = None
    referral_id: int | None = None
    panel_id: int | None = None
    text: str = ""


def check_input(inp: ActionInput) -> list[Problem]:
    problems: list[Problem] = []
    if not inp.owner_agency.strip():
        problems.append(Problem("owner_agency", "Every action needs an owner agency."))
    if not inp.text.strip():
        problems.append(Problem("text", "Say what the action is."))
    if inp.category not in ACTION_CATEGORIES:
        problems.append(Problem("category", f"Unknown category: {inp.category}."))
    return problems


def default_due_date(store: Store, meeting_date: date) -> date:
    return meeting_date + timedelta(days=int(settings.get(store, "action_due_days")))


def _agency_id(session: Session, name: str) -> int:
    found = session.scalar(select(Agency.id).where(Agency.name == name.strip()))
    if found is None:
        raise ActionRejected([Problem("owner_agency", f"Unknown agency: {name}.")])
    return int(found)


def add_action(store: Store, actor: Actor, case_id: int, inp: ActionInput) -> int:
    """An action volunteered for a case at a meeting. With no due date given, the default is
    the meeting date plus the `action_due_days` setting."""
    problems = check_input(inp)
    if problems:
        raise ActionRejected(problems)
    with store.write() as session:
        case = session.get(MeetingCase, case_id)
        if case is None:
            raise meetings.MeetingError("That case is not on a meeting's list.")
        meeting = session.get(Meeting, case.meeting_id)
        assert meeting is not None
        due = inp.due_date
        if due is None:
            days = int(settings.get_all_in_session(session)["action_due_days"])
            due = meeting.meeting_date + timedelta(days=days)
        now = utcnow()
        row = Action(
            referral_id=case.referral_id,
            meeting_case_id=case.id,
            owner_agency_id=_agency_id(session, inp.owner_agency),
            owner_person=inp.owner_person.strip(),
            text=inp.text.strip(),
            linked_risk=inp.linked_risk.strip(),
            category=inp.category,
            due_date=due,
            status="open",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        audit.record(
            session, actor, "create", "action", row.id, f"action for {inp.owner_agency.strip()}"
        )
        return row.id


def edit_action(store: Store, actor: Actor, action_id: int, inp: ActionInput) -> None:
    """Change an action's owner, text, risk, category or due date (typed edits are coalesced
    in the audit trail)."""
    problems = check_input(inp)
    if problems:
        raise ActionRejected(problems)
    with store.write() as session:
        row = _get(session, action_id)
        row.owner_agency_id = _agency_id(session, inp.owner_agency)
        row.owner_person = inp.owner_person.strip()
        row.text = inp.text.strip()
        row.linked_risk = inp.linked_risk.strip()
        row.category = inp.category
        if inp.due_date is not None:
            row.due_date = inp.due_date
        row.updated_at = utcnow()
        meetings.record_edit(session, actor, "action", action_id, "action edited")


def delete_action(store: Store, actor: Actor, action_id: int) -> None:
    """Remove an action entered by mistake. Once it has updates it can only be closed."""
    with store.write() as session:
        row = _get(session, action_id)
        has_updates = session.scalar(
            select(func.count()).select_from(ActionUpdate).where(ActionUpdate.action_id == row.id)
        )
        if has_updates:
            raise ActionRejected(
                [Problem("status", "The action has updates: record an outcome instead.")]
            )
        session.delete(row)
        audit.record(session, actor, "delete", "action", action_id, "action deleted")


def _get(session: Session, action_id: int) -> Action:
    row = session.get(Action, action_id)
    if row is None:
        raise ActionRejected([Problem("action", "That action does not exist.")])
    return row


def set_status(
    store: Store,
    actor: Actor,
    action_id: int,
    status: str,
    *,
    note: str = "",
    new_due: date | None = None,
    on: date | None = None,
    meeting_id: int | None = None,
) -> None:
    """Record an update: the new status, a dated note, and for a carried-forward action its new
    due date. `meeting_id` says the update was made in that meeting's review of actions."""
    today = on or utcnow().date()
    with store.write() as session:
        row = _get(session, action_id)
        problems = actions_rules.check_action_transition(
            row.status, status, note, new_due, today, old_due=row.due_date
        )
        if problems:
            raise ActionRejected(problems)
        old, old_due = row.status, row.due_date
        row.status = status
        if new_due is not None:
            row.due_date = new_due
        row.completed_on = today if status == "completed" else None
        row.updated_at = utcnow()
        session.add(
            ActionUpdate(
                action_id=action_id,
                updated_on=today,
                status=status,
                note=note.strip(),
                new_due_date=new_due,
                user_id=actor.user_id,
                meeting_id=meeting_id,
                previous_due_date=old_due if new_due is not None else None,
                created_at=utcnow(),
            )
        )
        audit.record(session, actor, "update", "action", action_id, f"status {old} → {status}")


def updates_of(store: Store, action_id: int) -> list[UpdateRow]:
    with store.read() as session:
        rows = session.execute(
            select(ActionUpdate, UserProfile.name)
            .outerjoin(UserProfile, UserProfile.id == ActionUpdate.user_id)
            .where(ActionUpdate.action_id == action_id)
            .order_by(ActionUpdate.updated_on, ActionUpdate.id)
        ).all()
        return [
            UpdateRow(
                u.id, u.updated_on, u.status, u.note, u.new_due_date, str(name or ""), u.meeting_id
            )
            for u, name in rows
        ]


# ----- the list ---------------------------------------------------------------------------------


def _week_end(today: date) -> date:
    return today + timedelta(days=6 - today.weekday())


def _filtered(query: Any, flt: ActionFilter, today: date) -> Any:
    if flt.agency:
        query = query.where(Agency.name == flt.agency)
    if flt.status == "open":
        query = query.where(Action.status.in_(OPEN_ACTION_STATUSES))
    elif flt.status:
        query = query.where(Action.status == flt.status)
    if flt.overdue:
        query = query.where(Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date < today)
    if flt.due_this_week:
        query = query.where(
            Action.status.in_(OPEN_ACTION_STATUSES),
            Action.due_date >= today,
            Action.due_date <= _week_end(today),
        )
    if flt.meeting_id is not None:
        query = query.where(MeetingCase.meeting_id == flt.meeting_id)
    if flt.referral_id is not None:
        query = query.where(Action.referral_id == flt.referral_id)
    if flt.panel_id is not None:
        query = query.where(Referral.panel_id == flt.panel_id)
    text = flt.text.strip()
    if text:
        like = f"%{text}%"
        query = query.where(
            or_(
                Referral.case_ref.like(like), Action.text.like(like), Action.owner_person.like(like)
            )
        )
    return query


def _base() -> Any:
    return (
        select(Action, Agency.name, Referral.case_ref, Meeting.id, Meeting.meeting_date, Panel.name)
        .join(Agency, Agency.id == Action.owner_agency_id)
        .join(Referral, Referral.id == Action.referral_id)
        .join(Panel, Panel.id == Referral.panel_id)
        .outerjoin(MeetingCase, MeetingCase.id == Action.meeting_case_id)
        .outerjoin(Meeting, Meeting.id == MeetingCase.meeting_id)
    )


def _rows(session: Session, query: Any, today: date) -> list[ActionRow]:
    return [
        ActionRow(
            id=a.id,
            referral_id=a.referral_id,
            case_ref=str(case_ref),
            meeting_case_id=a.meeting_case_id,
            meeting_id=meeting_id,
            meeting_date=meeting_date,
            panel=str(panel),
            owner_agency=str(agency),
            owner_person=a.owner_person,
            text=a.text,
            linked_risk=a.linked_risk,
            category=a.category,
            due_date=a.due_date,
            status=a.status,
            completed_on=a.completed_on,
            overdue=actions_rules.is_overdue(a.due_date, today, a.status),
            days_overdue=actions_rules.days_overdue(a.due_date, today, a.status),
        )
        for a, agency, case_ref, meeting_id, meeting_date, panel in session.execute(query)
    ]


def _needed_joins(query: Any, flt: ActionFilter) -> Any:
    """Join only the tables the filter reads, so a page or a count does not join every action
    to its referral, panel and meeting first (seconds at 120,000 referrals)."""
    if flt.agency:
        query = query.join(Agency, Agency.id == Action.owner_agency_id)
    if flt.panel_id is not None or flt.text.strip():
        query = query.join(Referral, Referral.id == Action.referral_id)
    if flt.meeting_id is not None:
        query = query.join(MeetingCase, MeetingCase.id == Action.meeting_case_id)
    return query


_LIST_ORDER = (Action.due_date.is_(None), Action.due_date, Action.id)


def list_actions(
    store: Store,
    flt: ActionFilter | None = None,
    *,
    today: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ActionRow]:
    """Actions matching the filter: due date first (none last), then in the order entered.
    The page is chosen on the actions alone, then only its rows are joined to their details."""
    day = today or utcnow().date()
    flt = flt or ActionFilter()
    page = _filtered(_needed_joins(select(Action.id), flt), flt, day).order_by(*_LIST_ORDER)
    if limit is not None:
        page = page.limit(limit).offset(offset)
    query = _base().where(Action.id.in_(page.scalar_subquery())).order_by(*_LIST_ORDER)
    with store.read() as session:
        return _rows(session, query, day)


def count_actions(store: Store, flt: ActionFilter | None = None, today: date | None = None) -> int:
    """How many actions match (the badge and paging ask often)."""
    day = today or utcnow().date()
    flt = flt or ActionFilter()
    query = _needed_joins(select(func.count()).select_from(Action), flt)
    with store.read() as session:
        return int(session.scalar(_filtered(query, flt, day)) or 0)


def actions_of_case(store: Store, case_id: int) -> list[ActionRow]:
    with store.read() as session:
        query = _base().where(Action.meeting_case_id == case_id).order_by(Action.id)
        return _rows(session, query, utcnow().date())


def outstanding_for_meeting(store: Store, meeting_id: int) -> list[ActionRow]:
    """The actions the meeting reviews first: open actions on the panel's cases set at earlier
    meetings, plus those this meeting already reviewed (so an outcome stays on screen)."""
    with store.read() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise meetings.MeetingError("That meeting does not exist.")
        open_ids = select(Action.id).where(
            Action.id.in_(meetings.outstanding_actions_query(meeting).with_only_columns(Action.id))
        )
        reviewed_ids = select(ActionUpdate.action_id).where(ActionUpdate.meeting_id == meeting_id)
        query = (
            _base()
            .where(or_(Action.id.in_(open_ids), Action.id.in_(reviewed_ids)))
            .order_by(Meeting.meeting_date, MeetingCase.position, Action.id)
        )
        return _rows(session, query, meeting.meeting_date)


def reviewed_at(store: Store, meeting_id: int) -> dict[int, UpdateRow]:
    """The latest update each action got in this meeting's review, by action id."""
    found: dict[int, UpdateRow] = {}
    with store.read() as session:
        rows = session.execute(
            select(ActionUpdate)
            .where(ActionUpdate.meeting_id == meeting_id)
            .order_by(ActionUpdate.id)
        ).scalars()
        for u in rows:
            found[u.action_id] = UpdateRow(
                u.id, u.updated_on, u.status, u.note, u.new_due_date, "", u.meeting_id
            )
    return found


def overdue_by_agency(store: Store, today: date | None = None) -> dict[str, int]:
    day = today or utcnow().date()
    owner = aliased(Agency)
    with store.read() as session:
        rows = session.execute(
            select(owner.name, func.count())
            .select_from(Action)
            .join(owner, owner.id == Action.owner_agency_id)
            .where(Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date < day)
            .group_by(owner.name)
        )
        return {str(name): int(n) for name, n in rows}
