"""The dip sample for the twice-yearly QA (DOMAIN.md §1 and §6): a reproducible random sample of
the cases heard in a period, with the facts a reviewer checks against SafeLives' ten principles.

How the sample is drawn, so that anyone can draw it again and get the same cases:

1. **The population** is every case (referral) heard in the period — at a meeting dated from
   `start` to `end`, both included, with the outcome "heard and closed" or "heard and kept
   open" — of one panel or of all. A case heard at several meetings in the period is one case;
   its first hearing in the period is the one checked.
2. The population is put in order of **case reference** (unique and never reused).
3. `random.Random(seed)` shuffles the first N positions of that list (a partial Fisher–Yates
   shuffle using only `random()`, whose sequence Python guarantees for a given seed across
   versions; `Random.sample` is not so guaranteed). Those N cases are the sample. When N is at
   least the population, every case is taken, and the checklist says so.
4. The sampled cases are printed in order of hearing date, then case reference.

The same store, period, panel, N and seed always give the same cases. The facts beside them
(actions overdue, minutes circulated) are read as they stand on `today`.

Nothing that identifies a person is read into the sample (see `export.qa_model`).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marac_desk.core import referral_rules as rules
from marac_desk.core import working_days
from marac_desk.core.periods import date_range
from marac_desk.db.models import (
    Action,
    ActionUpdate,
    Agency,
    Attendance,
    CaseNote,
    CaseResearch,
    Meeting,
    MeetingCase,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
    RiskAssessment,
)
from marac_desk.db.store import Store
from marac_desk.export.files import write_atomic
from marac_desk.export.qa_checklist import build_qa_checklist
from marac_desk.export.qa_model import ActionFacts, DipSample, ResearchFacts, SampledCase
from marac_desk.services import audit, panels, settings
from marac_desk.services.context import Actor
from marac_desk.services.dataset import HEARD_OUTCOMES, held_meetings, is_repeat, panel_id_of

IDVA = "IDVA"  # the referral-source category of IDVA services
PERPETRATOR_FOCUSED = "perpetrator_disruption"


class DipSampleError(ValueError):
    """The sample cannot be drawn as asked; the message says why."""


@dataclass(frozen=True)
class _Hearing:
    referral_id: int
    case_ref: str
    meeting_case_id: int
    meeting_id: int
    meeting_date: date
    hearings: int  # in the period


def population(session: Session, start: date, end: date, panel_id: int | None) -> list[_Hearing]:
    """Every case heard in the period, once, at its first hearing there; by case reference."""
    query = (
        select(
            MeetingCase.referral_id,
            Referral.case_ref,
            MeetingCase.id,
            Meeting.id,
            Meeting.meeting_date,
        )
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .join(Referral, Referral.id == MeetingCase.referral_id)
        .where(
            Meeting.meeting_date >= start,
            Meeting.meeting_date <= end,
            Meeting.status != "cancelled",
            MeetingCase.outcome.in_(HEARD_OUTCOMES),
        )
        .order_by(Meeting.meeting_date, Meeting.id, MeetingCase.id)
    )
    if panel_id is not None:
        query = query.where(Meeting.panel_id == panel_id)
    first: dict[int, _Hearing] = {}
    count: Counter[int] = Counter()
    for referral_id, case_ref, case_id, meeting_id, meeting_date in session.execute(query):
        count[int(referral_id)] += 1
        first.setdefault(
            int(referral_id),
            _Hearing(
                int(referral_id), str(case_ref), int(case_id), int(meeting_id), meeting_date, 0
            ),
        )
    found = [
        _Hearing(h.referral_id, h.case_ref, h.meeting_case_id, h.meeting_id, h.meeting_date, n)
        for h in first.values()
        for n in (count[h.referral_id],)
    ]
    return sorted(found, key=lambda h: h.case_ref)


def choose(size: int, n: int, seed: int) -> list[int]:
    """Positions 0…size-1 of the N chosen (all of them when N ≥ size), in drawing order.

    A partial Fisher–Yates shuffle driven by `Random(seed).random()` alone (see the module
    notes): position i swaps with a position from i to the end.
    """
    if n < 1:
        raise DipSampleError("The sample needs at least one case.")
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    positions = list(range(size))
    for i in range(min(n, size)):
        j = i + int(rng.random() * (size - i))
        positions[i], positions[j] = positions[j], positions[i]
    return positions[: min(n, size)]


# ----- the facts of each sampled case -----------------------------------------------------------


def _action_facts(
    rows: Sequence[Action], updates: Counter[int], idva_agencies: set[int], today: date
) -> ActionFacts:
    counts: Counter[str] = Counter()
    for a in rows:
        counts["owner_named"] += bool(a.owner_person.strip())
        counts["with_due_date"] += a.due_date is not None
        counts["owner_and_due"] += bool(a.owner_person.strip()) and a.due_date is not None
        counts["linked_to_risk"] += bool(a.linked_risk.strip())
        counts["perpetrator_focused"] += a.category == PERPETRATOR_FOCUSED
        counts["idva_owned"] += a.owner_agency_id in idva_agencies
        counts["updates"] += updates[a.id]
        if a.status == "completed":
            if a.due_date is None:
                counts["completed_undated"] += 1
            elif a.completed_on is not None and a.completed_on <= a.due_date:
                counts["completed_on_time"] += 1
            else:
                counts["completed_late"] += 1
        elif a.status in ("not_possible", "not_undertaken"):
            counts[a.status] += 1
        elif a.due_date is not None and a.due_date < today:
            counts["overdue"] += 1
        else:
            counts["open_not_due"] += 1
    return ActionFacts(total=len(rows), **counts)


def _missing(referral: Referral, relationships: Sequence[str], children: int) -> tuple[str, ...]:
    """What the referral lacks (core.referral_rules), judged without reading any name."""
    draft = rules.ReferralDraft(
        referral_date=referral.referral_date,
        referring_agency="",
        victim=rules.PersonDraft(dob=referral.victim_dob),
        perpetrators=tuple(rules.PerpetratorDraft(relationship_to_victim=r) for r in relationships),
        children=tuple(rules.ChildDraft() for _ in range(children)),
        children_status=referral.children_status,
        phone=referral.phone,
        safe_to_call=referral.safe_to_call,
        victim_lgbt=referral.victim_lgbt,
    )
    return tuple(rules.missing_information(draft))


def _criteria(referral: Referral) -> tuple[str, ...]:
    flags = (
        ("visible_high_risk", referral.crit_visible_high_risk),
        ("professional_judgement", referral.crit_professional_judgement),
        ("potential_escalation", referral.crit_potential_escalation),
        ("repeat", referral.crit_repeat),
    )
    return tuple(name for name, ticked in flags if ticked)


@dataclass(frozen=True)
class _Lookups:
    """Everything read for the sampled cases, in a fixed number of queries."""

    agencies: dict[int, tuple[str, str]]  # id → (name, category)
    referrals: dict[int, Referral]
    meetings: dict[int, Meeting]
    cases: dict[int, MeetingCase]
    assessed: set[int]  # referral ids with a risk form answered in the store
    previous_dates: dict[int, date]
    relationships: dict[int, list[str]]
    children: dict[int, int]
    attendance: dict[int, list[Attendance]]
    research: dict[int, list[CaseResearch]]
    notes: dict[int, list[CaseNote]]
    actions: dict[int, list[Action]]
    updates: Counter[int]
    heard_at: Counter[int]  # meeting id → cases heard there


def _lookups(session: Session, chosen: Sequence[_Hearing]) -> _Lookups:
    referral_ids = {h.referral_id for h in chosen}
    case_ids = {h.meeting_case_id for h in chosen}
    meeting_ids = {h.meeting_id for h in chosen}
    referrals = {
        r.id: r for r in session.scalars(select(Referral).where(Referral.id.in_(referral_ids)))
    }
    previous_ids = {r.previous_referral_id for r in referrals.values() if r.previous_referral_id}
    relationships: dict[int, list[str]] = defaultdict(list)
    for rid, relationship in session.execute(
        select(ReferralPerpetrator.referral_id, ReferralPerpetrator.relationship_to_victim)
        .where(ReferralPerpetrator.referral_id.in_(referral_ids))
        .order_by(ReferralPerpetrator.id)
    ):
        relationships[int(rid)].append(str(relationship))
    attendance: dict[int, list[Attendance]] = defaultdict(list)
    for present in session.scalars(
        select(Attendance).where(Attendance.meeting_id.in_(meeting_ids)).order_by(Attendance.id)
    ):
        attendance[present.meeting_id].append(present)
    research: dict[int, list[CaseResearch]] = defaultdict(list)
    for returned in session.scalars(
        select(CaseResearch).where(CaseResearch.meeting_case_id.in_(case_ids))
    ):
        research[returned.meeting_case_id].append(returned)
    notes: dict[int, list[CaseNote]] = defaultdict(list)
    for note in session.scalars(select(CaseNote).where(CaseNote.meeting_case_id.in_(case_ids))):
        if note.text.strip():
            notes[note.meeting_case_id].append(note)
    actions: dict[int, list[Action]] = defaultdict(list)
    for action in session.scalars(
        select(Action).where(Action.meeting_case_id.in_(case_ids)).order_by(Action.id)
    ):
        actions[action.meeting_case_id or 0].append(action)
    action_ids = [a.id for rows in actions.values() for a in rows]
    updates: Counter[int] = Counter()
    if action_ids:
        for aid, n in session.execute(
            select(ActionUpdate.action_id, func.count(ActionUpdate.id))
            .where(ActionUpdate.action_id.in_(action_ids))
            .group_by(ActionUpdate.action_id)
        ):
            updates[int(aid)] = int(n)
    heard_at: Counter[int] = Counter()
    for mid, n in session.execute(
        select(MeetingCase.meeting_id, func.count(MeetingCase.id))
        .where(MeetingCase.meeting_id.in_(meeting_ids), MeetingCase.outcome.in_(HEARD_OUTCOMES))
        .group_by(MeetingCase.meeting_id)
    ):
        heard_at[int(mid)] = int(n)
    return _Lookups(
        agencies={
            int(i): (str(n), str(c))
            for i, n, c in session.execute(select(Agency.id, Agency.name, Agency.category))
        },
        referrals=referrals,
        meetings={
            m.id: m for m in session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))
        },
        cases={
            c.id: c
            for c in session.scalars(select(MeetingCase).where(MeetingCase.id.in_(case_ids)))
        },
        assessed=set(
            session.scalars(
                select(RiskAssessment.referral_id)
                .where(RiskAssessment.referral_id.in_(referral_ids))
                .distinct()
            )
        ),
        previous_dates={
            int(i): d
            for i, d in session.execute(
                select(Referral.id, Referral.referral_date).where(Referral.id.in_(previous_ids))
            )
        },
        relationships=relationships,
        children={
            int(rid): int(n)
            for rid, n in session.execute(
                select(ReferralChild.referral_id, func.count(ReferralChild.id))
                .where(ReferralChild.referral_id.in_(referral_ids))
                .group_by(ReferralChild.referral_id)
            )
        },
        attendance=attendance,
        research=research,
        notes=notes,
        actions=actions,
        updates=updates,
        heard_at=heard_at,
    )


def _idva_attendance(rows: Sequence[Attendance], idva_agencies: set[int]) -> str:
    mine = [a for a in rows if a.agency_id in idva_agencies]
    if any(a.status == "present" for a in mine):
        return "present"
    if any(a.status == "apologies" and a.information_sent for a in mine):
        return "apologies_sent"
    if any(a.status == "apologies" for a in mine):
        return "apologies"
    return "absent"


def _sampled_case(
    number: int,
    hearing: _Hearing,
    found: _Lookups,
    configs: dict[int, panels.PanelConfig],
    today: date,
) -> SampledCase:
    referral = found.referrals[hearing.referral_id]
    meeting = found.meetings[hearing.meeting_id]
    case = found.cases[hearing.meeting_case_id]
    config = configs[meeting.panel_id]
    idva_agencies = {i for i, (_, category) in found.agencies.items() if category == IDVA}
    attendance = found.attendance.get(meeting.id, [])
    present = sorted({found.agencies[a.agency_id][0] for a in attendance if a.status == "present"})
    apologies = [a for a in attendance if a.status == "apologies"]
    observers = [a for a in attendance if a.status == "observer"]
    research = Counter(r.status for r in found.research.get(case.id, []))
    notes = found.notes.get(case.id, [])
    risks = (
        ("victim", case.risks_to_victim),
        ("children", case.risks_to_children),
        ("others", case.risks_to_others),
        ("professionals", case.risks_to_professionals),
    )
    children = found.children.get(referral.id, 0)
    quorum = config.quorum.check(present)
    return SampledCase(
        number=number,
        case_ref=referral.case_ref,
        panel=config.name,
        meeting_date=meeting.meeting_date,
        outcome=case.outcome,
        referral_date=referral.referral_date,
        referring_agency=found.agencies[referral.referring_agency_id][0],
        joint_agency=(
            found.agencies[referral.joint_agency_id][0] if referral.joint_agency_id else ""
        ),
        hearings_in_period=hearing.hearings,
        checklist_in_store=referral.id in found.assessed,
        risk_tool=referral.risk_tool,
        risk_score=referral.risk_score,
        risk_grade=referral.risk_grade,
        criteria=_criteria(referral),
        judgement_reason_recorded=(
            bool(referral.professional_judgement_reason.strip())
            if referral.crit_professional_judgement
            else None
        ),
        missing=_missing(referral, found.relationships.get(referral.id, []), children),
        is_repeat=is_repeat(referral),
        repeat_overridden=referral.repeat_override is not None,
        previous_referral_on=found.previous_dates.get(referral.previous_referral_id or 0),
        victim_aware=referral.victim_aware,
        agencies_present=tuple(present),
        apologies=len(apologies),
        apologies_information_sent=sum(a.information_sent for a in apologies),
        idva_attendance=_idva_attendance(attendance, idva_agencies),
        research=ResearchFacts(
            requested=research["requested"],
            received=research["received"],
            nothing_held=research["nothing_held"],
        ),
        victim_voice_recorded=bool(case.victim_voice.strip()),
        contributions=len(notes),
        contributions_opinion=sum(n.kind == "opinion" for n in notes),
        risks_recorded=tuple(area for area, text in risks if text.strip()),
        children_listed=children,
        children_status=referral.children_status,
        actions=_action_facts(found.actions.get(case.id, []), found.updates, idva_agencies, today),
        cases_heard_at_meeting=found.heard_at[meeting.id],
        seconds_on_case=case.elapsed_seconds,
        allotted_minutes=case.allotted_minutes,
        case_cap_warn=config.case_cap_warn,
        case_cap_strong=config.case_cap_strong,
        minutes_circulated_on=meeting.minutes_circulated_on,
        minutes_due_on=working_days.add_working_days(
            meeting.meeting_date, config.minutes_due_working_days, config.region
        ),
        confidentiality_read=meeting.confidentiality_read,
        quorate=quorum.met,
        quorum_note=quorum.message,
        observers=len(observers),
        observers_signed=sum(a.statement_signed for a in observers),
    )


# ----- drawing and writing ----------------------------------------------------------------------


def draw_in_session(
    session: Session,
    start: date,
    end: date,
    n: int,
    *,
    seed: int,
    panel_id: int | None,
    label: str,
    today: date,
) -> DipSample:
    if end < start:
        raise DipSampleError(
            f"The period ends ({end.isoformat()}) before it starts ({start.isoformat()})."
        )
    if n < 1:
        raise DipSampleError("The sample needs at least one case.")
    everyone = population(session, start, end, panel_id)
    if not everyone:
        raise DipSampleError(f"No cases were heard in {label}: there is nothing to sample.")
    chosen = sorted(
        (everyone[i] for i in choose(len(everyone), n, seed)),
        key=lambda h: (h.meeting_date, h.case_ref),
    )
    found = _lookups(session, chosen)
    configs = {
        pid: panels.config_in_session(session, pid)
        for pid in {m.panel_id for m in found.meetings.values()}
    }
    period = date_range(start, end, label)
    meetings = held_meetings(session, period, panel_id)
    hearings = session.scalar(
        select(func.count(MeetingCase.id)).where(
            MeetingCase.meeting_id.in_([m.id for m in meetings]),
            MeetingCase.outcome.in_(HEARD_OUTCOMES),
        )
    )
    return DipSample(
        partnership=str(settings.get_all_in_session(session)["partnership_name"]),
        panel=None if panel_id is None else panels.config_in_session(session, panel_id).name,
        period_label=label,
        start=start,
        end=end,
        seed=seed,
        requested=n,
        population=len(everyone),
        cases=tuple(
            _sampled_case(number, hearing, found, configs, today)
            for number, hearing in enumerate(chosen, start=1)
        ),
        as_of=today,
        meetings_held=len(meetings),
        hearings=int(hearings or 0),
    )


def _label(start: date, end: date, label: str | None) -> str:
    return label if label else date_range(start, end).label


def draw(
    store: Store,
    start: date,
    end: date,
    n: int,
    seed: int,
    *,
    panel: str | None = None,
    label: str | None = None,
    today: date | None = None,
) -> DipSample:
    """N cases heard from `start` to `end` (see the module notes); raises DipSampleError when
    none were heard, PanelNotFound for an unknown panel. `label` names the period in the
    checklist ("Q1 2026/27"); by default its dates."""
    panel_id = panel_id_of(store, panel)
    with store.read() as session:
        return draw_in_session(
            session,
            start,
            end,
            n,
            seed=seed,
            panel_id=panel_id,
            label=_label(start, end, label),
            today=today or date.today(),
        )


def write_dip_sample(
    store: Store,
    actor: Actor,
    path: Path,
    *,
    start: date,
    end: date,
    n: int,
    seed: int,
    panel: str | None = None,
    generated_at: datetime,
    label: str | None = None,
    today: date | None = None,
) -> DipSample:
    """Draw the sample and write its QA checklist PDF to `path` all or nothing, recording the
    disclosure (with the case references sampled) in the same unit of work."""
    panel_id = panel_id_of(store, panel)
    written = False
    try:
        with store.write() as session:
            sample = draw_in_session(
                session,
                start,
                end,
                n,
                seed=seed,
                panel_id=panel_id,
                label=_label(start, end, label),
                today=today or generated_at.date(),
            )
            marking = str(settings.get_all_in_session(session)["protective_marking"])
            data = build_qa_checklist(sample, generated_at=generated_at, marking=marking)
            write_atomic(path, data)
            written = True
            audit.record(
                session,
                actor,
                "export",
                "dip_sample",
                "",
                f"QA dip sample as PDF: {sample.period_label} ({start.isoformat()} to "
                f"{end.isoformat()}), {panel or 'all panels'}, {len(sample.cases)} of "
                f"{sample.population} cases heard, seed {seed}: {', '.join(sample.case_refs)}",
            )
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    return sample
