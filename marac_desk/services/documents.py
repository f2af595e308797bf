"""What documents are made from: a meeting (or every open action) read from the store into the
plain data of `export.model`, so the export layer never sees the store.

One read transaction per document, a fixed number of queries whatever the size of the meeting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marac_desk.core import risk_forms
from marac_desk.core.vocab import OPEN_ACTION_STATUSES
from marac_desk.db.models import (
    Action,
    ActionUpdate,
    Agency,
    Attendance,
    CaseNote,
    CaseResearch,
    Meeting,
    MeetingCase,
    Panel,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
    RiskAssessment,
)
from marac_desk.db.store import Store
from marac_desk.export import model
from marac_desk.services import meetings, settings


def _person(first: str, last: str, dob: date | None) -> model.Person:
    return model.Person(first, last, dob)


def _victim(referral: Referral) -> model.Person:
    return _person(referral.victim_first_name, referral.victim_last_name, referral.victim_dob)


def _victims_of(session: Session, rows: Iterable[Action]) -> dict[int, model.Person]:
    """The victim of each action's case, by referral id."""
    wanted = {a.referral_id for a in rows}
    return {
        int(r.id): _victim(r)
        for r in session.scalars(select(Referral).where(Referral.id.in_(wanted)))
    }


def _criteria(referral: Referral) -> tuple[str, ...]:
    flags = (
        ("visible_high_risk", referral.crit_visible_high_risk),
        ("professional_judgement", referral.crit_professional_judgement),
        ("potential_escalation", referral.crit_potential_escalation),
        ("repeat", referral.crit_repeat),
    )
    return tuple(name for name, on in flags if on)


def _agency_names(session: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in session.execute(select(Agency.id, Agency.name))}


def _latest_notes(session: Session, action_ids: Iterable[int]) -> dict[int, ActionUpdate]:
    latest: dict[int, ActionUpdate] = {}
    ids = list(action_ids)
    if not ids:
        return latest
    for update in session.scalars(
        select(ActionUpdate).where(ActionUpdate.action_id.in_(ids)).order_by(ActionUpdate.id)
    ):
        latest[update.action_id] = update
    return latest


def _actions(
    session: Session, rows: list[Action], agencies: dict[int, str]
) -> dict[int, model.Action]:
    """Actions as documents print them, by id. Actions set outside a meeting (none today) are
    dated by their creation."""
    case_meeting: dict[int, tuple[int, date]] = {}
    case_ids = {a.meeting_case_id for a in rows if a.meeting_case_id is not None}
    if case_ids:
        for case_id, meeting_id, meeting_date in session.execute(
            select(MeetingCase.id, Meeting.id, Meeting.meeting_date)
            .join(Meeting, Meeting.id == MeetingCase.meeting_id)
            .where(MeetingCase.id.in_(case_ids))
        ):
            case_meeting[int(case_id)] = (int(meeting_id), meeting_date)
    refs = dict(
        (int(i), str(r))
        for i, r in session.execute(
            select(Referral.id, Referral.case_ref).where(
                Referral.id.in_({a.referral_id for a in rows})
            )
        )
    )
    notes = _latest_notes(session, (a.id for a in rows))
    found: dict[int, model.Action] = {}
    for a in rows:
        meeting_id, meeting_date = case_meeting.get(
            a.meeting_case_id or -1, (0, a.created_at.date())
        )
        update = notes.get(a.id)
        found[a.id] = model.Action(
            action_id=a.id,
            meeting_id=meeting_id,
            meeting_date=meeting_date,
            case_ref=refs[a.referral_id],
            owner_agency=agencies[a.owner_agency_id],
            text=a.text,
            owner_person=a.owner_person,
            linked_risk=a.linked_risk,
            category=a.category,
            due_date=a.due_date,
            status=a.status,
            completed_on=a.completed_on,
            status_note=update.note if update is not None else "",
        )
    return found


def _risk_forms_used(
    session: Session, referral_ids: Iterable[int]
) -> dict[int, tuple[str, int, int | None]]:
    """Per referral with an assessment on a shipped form: the form's title, how many questions
    count, and the newest assessment's score (a score typed from another tool has no form)."""
    found: dict[int, tuple[str, int, int | None]] = {}
    ids = list(referral_ids)
    if not ids:
        return found
    newest: dict[int, RiskAssessment] = {}
    for row in session.scalars(
        select(RiskAssessment)
        .where(RiskAssessment.referral_id.in_(ids))
        .order_by(RiskAssessment.assessed_on, RiskAssessment.id)
    ):
        newest[row.referral_id] = row
    shipped = {(f.form_id, f.version): f for f in risk_forms.shipped_forms()}
    for referral_id, row in newest.items():
        form = shipped.get((row.form_id, row.form_version))
        if form is not None:
            found[referral_id] = (form.title, len(form.scored_questions), row.score)
    return found


def _people_by_referral(
    session: Session, model_cls: Any, referral_ids: list[int]
) -> dict[int, list[model.Person]]:
    found: dict[int, list[model.Person]] = defaultdict(list)
    for row in session.scalars(
        select(model_cls).where(model_cls.referral_id.in_(referral_ids)).order_by(model_cls.id)
    ):
        found[row.referral_id].append(_person(row.first_name, row.last_name, row.dob))
    return found


def _meeting_details(
    session: Session, meeting: Meeting, panel: Panel, partnership: str
) -> model.MeetingDetails:
    return model.MeetingDetails(
        meeting_id=meeting.id,
        partnership=partnership,
        panel=panel.name,
        meeting_date=meeting.meeting_date,
        start_time=meeting.start_time,
        end_time=meeting.end_time,
        venue=meeting.venue,
        chair=meeting.chair,
        minute_taker=meeting.minute_taker,
        status=meeting.status,
    )


def meeting_document(store: Store, meeting_id: int) -> model.Meeting:
    """Everything the minutes, agenda and agency lists of one meeting print."""
    with store.read() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise meetings.MeetingError("That meeting does not exist.")
        panel = session.get(Panel, meeting.panel_id)
        assert panel is not None
        values = settings.get_all_in_session(session)
        agencies = _agency_names(session)
        details = _meeting_details(session, meeting, panel, str(values["partnership_name"]))

        case_rows = session.execute(
            select(MeetingCase, Referral)
            .join(Referral, Referral.id == MeetingCase.referral_id)
            .where(MeetingCase.meeting_id == meeting_id)
            .order_by(MeetingCase.position, MeetingCase.id)
        ).all()
        case_ids = [c.id for c, _ in case_rows]
        referral_ids = [r.id for _, r in case_rows]
        action_rows = list(
            session.scalars(
                select(Action)
                .where(Action.meeting_case_id.in_(case_ids))
                .order_by(Action.meeting_case_id, Action.id)
            )
        )
        actions = _actions(session, action_rows, agencies)
        by_case: dict[int, list[model.Action]] = defaultdict(list)
        for a in action_rows:
            by_case[a.meeting_case_id or -1].append(actions[a.id])
        notes: dict[int, list[model.SharedNote]] = defaultdict(list)
        for note in session.scalars(
            select(CaseNote)
            .where(CaseNote.meeting_case_id.in_(case_ids))
            .order_by(CaseNote.position, CaseNote.id)
        ):
            if note.text.strip():
                notes[note.meeting_case_id].append(
                    model.SharedNote(agencies[note.agency_id], note.text, note.kind)
                )
        research: dict[int, list[model.ResearchReturn]] = defaultdict(list)
        for r in session.scalars(
            select(CaseResearch).where(CaseResearch.meeting_case_id.in_(case_ids))
        ):
            research[r.meeting_case_id].append(
                model.ResearchReturn(agencies[r.agency_id], r.status)
            )
        previous_ids = {r.previous_referral_id for _, r in case_rows if r.previous_referral_id}
        previous_dates = {
            int(i): d
            for i, d in session.execute(
                select(Referral.id, Referral.referral_date).where(Referral.id.in_(previous_ids))
            )
        }
        perpetrators = _people_by_referral(session, ReferralPerpetrator, referral_ids)
        children = _people_by_referral(session, ReferralChild, referral_ids)
        forms = _risk_forms_used(session, referral_ids)

        cases = []
        for case, referral in case_rows:
            tool, out_of = referral.risk_tool, None
            used = forms.get(referral.id)
            if used is not None and used[2] == referral.risk_score:
                tool, out_of = used[0], used[1]
            is_repeat = (
                referral.repeat_override
                if referral.repeat_override is not None
                else referral.is_repeat
            )
            cases.append(
                model.Case(
                    position=case.position,
                    case_ref=referral.case_ref,
                    victim=_victim(referral),
                    referring_agency=agencies[referral.referring_agency_id],
                    is_repeat=bool(is_repeat),
                    previous_referral_on=previous_dates.get(referral.previous_referral_id or -1),
                    perpetrators=tuple(perpetrators.get(referral.id, ())),
                    children=tuple(children.get(referral.id, ())),
                    risk_tool=tool,
                    risk_score=referral.risk_score,
                    risk_max=out_of if referral.risk_score is not None else None,
                    risk_band=referral.risk_grade,
                    criteria_met=_criteria(referral),
                    victim_voice=case.victim_voice,
                    shared=tuple(notes.get(case.id, ())),
                    risks=model.Risks(
                        case.risks_to_victim,
                        case.risks_to_children,
                        case.risks_to_others,
                        case.risks_to_professionals,
                    ),
                    actions=tuple(by_case.get(case.id, ())),
                    outcome=case.outcome,
                    outcome_reason=case.outcome_reason,
                    research=tuple(sorted(research.get(case.id, ()), key=lambda x: x.agency)),
                )
            )

        attendance = tuple(
            model.Attendee(
                agency=agencies[a.agency_id],
                name=a.person_name,
                status=a.status,
                information_sent=a.information_sent,
                information_sent_on=a.information_sent_on,
                statement_signed=a.statement_signed,
                substitute_for=a.substitute_for,
            )
            for a in session.scalars(
                select(Attendance)
                .where(Attendance.meeting_id == meeting_id)
                .order_by(Attendance.id)
            )
        )
        outstanding = _outstanding(session, meeting, agencies)
        next_row = session.execute(
            select(Meeting.meeting_date, Meeting.start_time)
            .where(
                Meeting.panel_id == meeting.panel_id,
                Meeting.meeting_date > meeting.meeting_date,
                Meeting.status != "cancelled",
            )
            .order_by(Meeting.meeting_date)
            .limit(1)
        ).first()
        aob = tuple(line.strip() for line in meeting.any_other_business.split("\n") if line.strip())
        return model.Meeting(
            details=details,
            cases=tuple(cases),
            attendance=attendance,
            confidentiality_statement=str(values["confidentiality_statement"]),
            confidentiality_read=meeting.confidentiality_read,
            outstanding=outstanding,
            other_business=aob,
            next_meeting_date=next_row[0] if next_row else None,
            next_meeting_time=next_row[1] if next_row else None,
        )


def _outstanding(
    session: Session, meeting: Meeting, agencies: dict[int, str]
) -> tuple[model.OutstandingAction, ...]:
    """Earlier meetings' actions still open, and those this meeting reviewed, with the due date
    they had before this meeting carried them forward."""
    open_ids = select(Action.id).where(
        Action.id.in_(meetings.outstanding_actions_query(meeting).with_only_columns(Action.id))
    )
    reviewed = select(ActionUpdate.action_id).where(ActionUpdate.meeting_id == meeting.id)
    rows = list(
        session.scalars(
            select(Action)
            .where(Action.id.in_(open_ids) | Action.id.in_(reviewed))
            .order_by(Action.due_date, Action.id)
        )
    )
    actions = _actions(session, rows, agencies)
    previous_due: dict[int, date | None] = {}
    for update in session.scalars(
        select(ActionUpdate)
        .where(ActionUpdate.meeting_id == meeting.id, ActionUpdate.new_due_date.is_not(None))
        .order_by(ActionUpdate.id)
    ):
        # The first carry-forward at this meeting says what the date was before it.
        previous_due.setdefault(update.action_id, update.previous_due_date)
    victims = _victims_of(session, rows)
    return tuple(
        model.OutstandingAction(
            action=actions[a.id],
            victim=victims[a.referral_id],
            previous_due_date=previous_due.get(a.id),
        )
        for a in rows
    )


def open_actions_document(store: Store, today: date) -> model.OpenActions:
    """Every open action with its case's victim, for agency lists made outside a meeting."""
    with store.read() as session:
        agencies = _agency_names(session)
        rows = list(
            session.scalars(
                select(Action)
                .where(Action.status.in_(OPEN_ACTION_STATUSES))
                .order_by(Action.due_date, Action.id)
            )
        )
        actions = _actions(session, rows, agencies)
        victims = _victims_of(session, rows)
        partnership = str(settings.get_all_in_session(session)["partnership_name"])
        return model.OpenActions(
            partnership, today, tuple((actions[a.id], victims[a.referral_id]) for a in rows)
        )


def partnership_name(store: Store) -> str:
    return str(settings.get(store, "partnership_name"))


def protective_marking(store: Store) -> str:
    return str(settings.get(store, "protective_marking"))
