"""Fill a store with synthetic demo data (core.synthetic), all or nothing.

Everything goes in through one unit of work with Core bulk inserts (executemany), chunk by
chunk as `core.synthetic.SyntheticStream` hands the data out, so a failure or a cancelled
progress callback leaves the store exactly as it was, and memory stays bounded by one chunk
plus the people and meetings. Ids are assigned here, after
reading the current highest ids, so the same call on the same store gives the same rows; running
it again on a store that already has data adds to it (case references continue their numbering,
meetings on the same date are shared).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from marac_desk.core import synthetic
from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.core.collector import paused_gc
from marac_desk.core.matching import blocking_keys
from marac_desk.db import errors
from marac_desk.db.bulk import JsonText, deferred_indexes, insert_rows, larger_page_cache
from marac_desk.db.models import (
    Action,
    ActionUpdate,
    Agency,
    Attendance,
    Base,
    Meeting,
    MeetingCase,
    Panel,
    Person,
    PersonAlias,
    PersonDob,
    PersonKey,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
    ReferralSearch,
    RiskAssessment,
)
from marac_desk.db.person_keys import EvidenceParts
from marac_desk.db.referral_search import SearchRows
from marac_desk.services import audit
from marac_desk.services.context import utcnow
from marac_desk.services.session import OpenStore

# Referrals per chunk: each chunk is one round of bulk inserts and one progress report.
CHUNK_REFERRALS = 2000
# Rows per executemany call.
BATCH_ROWS = 5000
# The most page cache the load may use, in KiB. A demo adds about 5 KiB to the store per
# referral: up to ~200,000 referrals all of it stays in memory until the commit, instead of
# being spilled mid-transaction and read back and decrypted again to build the indexes. The
# cache only grows as pages are used, so a small demo costs no more memory than before.
CACHE_KIB = 1024 * 1024

Progress = Callable[[int, int], object]

_UPDATE_TIME = time(15, 0)


class DemoDataCancelled(errors.StoreError):
    """The progress callback asked to stop; nothing was added."""


@dataclass(frozen=True)
class DemoSummary:
    referrals: int
    repeats: int
    new_perpetrator_flags: int
    people: int
    meetings: int  # meetings added (meetings already in the store on the same date are shared)
    meeting_cases: int
    actions: int
    panels_created: int
    seconds: float

    def describe(self) -> str:
        return (
            f"Added {self.referrals:,} referrals ({self.repeats:,} repeats), "
            f"{self.people:,} people, {self.meetings:,} meetings, {self.actions:,} actions."
        )


@dataclass
class _Ids:
    """Where the new rows' ids start, and the ids of things looked up by name or date."""

    person: int
    alias: int
    dob: int
    referral: int
    perpetrator: int
    child: int
    risk: int
    meeting: int
    case: int
    attendance: int
    action: int
    update: int
    agencies: dict[str, int]
    panels: dict[int, int]  # synthetic panel key -> panel id
    case_offsets: dict[tuple[str, int], int]  # (prefix, year) -> highest number already used
    meetings: dict[int, int]  # synthetic meeting key -> meeting id
    positions: dict[int, int]  # meeting id -> highest position already used


def _max_id(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.max(column))) or 0)


def _ensure_agencies(session: Session, opened: OpenStore, names: Iterable[str]) -> dict[str, int]:
    found = {name: id_ for id_, name in session.execute(select(Agency.id, Agency.name))}
    for name in sorted(set(names) - set(found)):
        category = name if name in REFERRAL_SOURCE_CATEGORIES else "Other"
        row = Agency(name=name, category=category, active=True, created_at=utcnow())
        session.add(row)
        session.flush()
        found[name] = row.id
        audit.record(
            session, opened.actor, "create", "agency", row.id, "agency added for demo data"
        )
    return found


def _ensure_panels(
    session: Session, opened: OpenStore, panels: Sequence[synthetic.Panel], police_id: int
) -> tuple[dict[int, int], int]:
    ids: dict[int, int] = {}
    created = 0
    for panel in panels:
        existing = session.scalar(select(Panel.id).where(Panel.name == panel.name))
        if existing is not None:
            ids[panel.key] = existing
            continue
        row = Panel(
            name=panel.name,
            panel_type=panel.panel_type,
            cadence=panel.cadence,
            default_time=panel.default_time,
            venue=panel.venue,
            chair_agency_id=police_id,
            options={"case_ref_prefix": panel.code},
            active=True,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        ids[panel.key] = row.id
        created += 1
        audit.record(
            session, opened.actor, "create", "panel", row.id, f"panel added ({panel.cadence})"
        )
    return ids, created


def _case_offsets(session: Session, prefixes: Iterable[str]) -> dict[tuple[str, int], int]:
    offsets: dict[tuple[str, int], int] = {}
    for prefix in sorted(set(prefixes)):
        refs = session.scalars(
            select(Referral.case_ref).where(Referral.case_ref.like(f"{prefix}-%"))
        )
        for ref in refs:
            parts = ref.split("-")
            if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and parts[2].isdigit():
                key = (prefix, int(parts[1]))
                offsets[key] = max(offsets.get(key, 0), int(parts[2]))
    return offsets


def _existing_meetings(
    session: Session,
    meetings: Sequence[synthetic.Meeting],
    panel_ids: dict[int, int],
    next_id: int,
) -> tuple[dict[int, int], dict[int, int], int]:
    """Map synthetic meetings to ids: an existing meeting of the panel on that date is shared."""
    wanted = set(panel_ids.values())
    found: dict[tuple[int, date], int] = {}
    rows = session.execute(
        select(Meeting.id, Meeting.panel_id, Meeting.meeting_date).where(
            Meeting.panel_id.in_(wanted)
        )
    )
    for id_, panel_id, day in rows:
        found.setdefault((panel_id, day), id_)
    positions: dict[int, int] = {}
    if found:
        shared = set(found.values())
        for meeting_id, top in session.execute(
            select(MeetingCase.meeting_id, func.max(MeetingCase.position)).group_by(
                MeetingCase.meeting_id
            )
        ):
            if meeting_id in shared:
                positions[meeting_id] = int(top or 0)
    ids: dict[int, int] = {}
    added = 0
    for meeting in meetings:
        existing = found.get((panel_ids[meeting.panel_key], meeting.meeting_date))
        if existing is not None:
            ids[meeting.key] = existing
            positions.setdefault(existing, 0)
        else:
            added += 1
            ids[meeting.key] = next_id + added
    return ids, positions, added


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Bulk insert (executemany) on the model's table through `db.bulk` (see why there)."""
    table = cast(Table, model.__table__)
    conn = session.connection()
    for start in range(0, len(rows), BATCH_ROWS):
        insert_rows(conn, table, rows[start : start + BATCH_ROWS])


Rows = list[tuple[type[Base], list[dict[str, Any]]]]


@dataclass
class _Batch:
    """One chunk's rows, in an order that satisfies every foreign key, and what it adds up to."""

    rows: Rows
    referrals: int
    repeats: int
    new_perpetrator_flags: int
    people: int
    meeting_cases: int
    actions: int


class _RowBuilder:
    """Turns synthetic records into rows with ids (plain data in, plain rows out)."""

    def __init__(self, ids: _Ids, new_meeting_ids: set[int]) -> None:
        self.ids = ids
        self.new_meeting_ids = new_meeting_ids
        self.alias_seq = ids.alias
        self.dob_seq = ids.dob
        self.perp_seq = ids.perpetrator
        self.child_seq = ids.child
        self.risk_seq = ids.risk
        self.att_seq = ids.attendance
        self.update_seq = ids.update

    def build(self, chunk: synthetic.SyntheticChunk) -> _Batch:
        rows: Rows = []
        rows += self.people(chunk.people, chunk.new_aliases, chunk.new_dobs)
        rows += self.referrals(chunk.referrals)
        rows += self.meetings(chunk.meetings)
        return _Batch(
            rows=rows,
            referrals=len(chunk.referrals),
            repeats=sum(1 for r in chunk.referrals if r.is_repeat),
            new_perpetrator_flags=sum(1 for r in chunk.referrals if r.new_perpetrator_flag),
            people=len(chunk.people),
            meeting_cases=sum(len(m.cases) for m in chunk.meetings),
            actions=sum(len(c.actions) for m in chunk.meetings for c in m.cases),
        )

    def people(
        self,
        people: Sequence[synthetic.Person],
        new_aliases: Sequence[tuple[int, synthetic.Alias]] = (),
        new_dobs: Sequence[tuple[int, date]] = (),
    ) -> Rows:
        ids = self.ids
        rows, aliases, dobs = [], [], []
        for p in people:
            person_id = ids.person + p.key
            rows.append(
                {
                    "id": person_id,
                    "first_name": p.first_name,
                    "middle_names": p.middle_names,
                    "last_name": p.last_name,
                    "dob": p.dob,
                    "gender": p.gender,
                    "merged_into_id": None,
                    "created_at": p.created_at,
                    "updated_at": p.updated_at,
                }
            )
            for alias in p.aliases:
                self.alias_seq += 1
                aliases.append(
                    {
                        "id": self.alias_seq,
                        "person_id": person_id,
                        "first_name": alias.first_name,
                        "last_name": alias.last_name,
                        "kind": alias.kind,
                    }
                )
            for dob in p.alternative_dobs:
                self.dob_seq += 1
                dobs.append({"id": self.dob_seq, "person_id": person_id, "dob": dob})
        for key, alias in new_aliases:
            self.alias_seq += 1
            aliases.append(
                {
                    "id": self.alias_seq,
                    "person_id": ids.person + key,
                    "first_name": alias.first_name,
                    "last_name": alias.last_name,
                    "kind": alias.kind,
                }
            )
        for key, dob in new_dobs:
            self.dob_seq += 1
            dobs.append({"id": self.dob_seq, "person_id": ids.person + key, "dob": dob})
        return [(Person, rows), (PersonAlias, aliases), (PersonDob, dobs)]

    def referrals(self, referrals: Sequence[synthetic.Referral]) -> Rows:
        ids = self.ids
        agency = ids.agencies
        rows, perps, children, risks = [], [], [], []
        for r in referrals:
            referral_id = ids.referral + r.key
            offset = ids.case_offsets.get((r.case_prefix, r.case_year), 0)
            rows.append(
                {
                    "id": referral_id,
                    "case_ref": r.case_ref(offset),
                    "panel_id": ids.panels[r.panel_key],
                    "referral_date": r.referral_date,
                    "referring_agency_id": agency[r.referring_agency],
                    "joint_agency_id": agency[r.joint_agency] if r.joint_agency else None,
                    "referrer_name": r.referrer_name,
                    "referrer_contact": r.referrer_contact,
                    "external_ref": r.external_ref,
                    "victim_id": ids.person + r.victim_key,
                    "victim_first_name": r.victim_first_name,
                    "victim_last_name": r.victim_last_name,
                    "victim_dob": r.victim_dob,
                    "victim_gender": r.victim_gender,
                    "victim_ethnicity": r.victim_ethnicity,
                    "victim_bame": r.victim_bame,
                    "victim_lgbt": r.victim_lgbt,
                    "victim_disability": r.victim_disability,
                    "victim_mental_health": r.victim_mental_health,
                    "victim_substance_misuse": r.victim_substance_misuse,
                    "victim_pregnant": r.victim_pregnant,
                    "address": r.address,
                    "postcode": r.postcode,
                    "phone": r.phone,
                    "safe_to_call": r.safe_to_call,
                    "safe_to_text": r.safe_to_text,
                    "safe_to_leave_message": r.safe_to_leave_message,
                    "best_contact_time": r.best_contact_time,
                    "language": r.language,
                    "interpreter_needed": r.interpreter_needed,
                    "reason": r.reason,
                    "others_feared": r.others_feared,
                    "victim_aware": r.victim_aware,
                    "victim_consented": r.victim_consented,
                    "no_consent_reason": r.no_consent_reason,
                    "previous_marac_elsewhere": r.previous_marac_elsewhere,
                    "crit_visible_high_risk": r.crit_visible_high_risk,
                    "crit_professional_judgement": r.crit_professional_judgement,
                    "professional_judgement_reason": r.professional_judgement_reason,
                    "crit_potential_escalation": r.crit_potential_escalation,
                    "police_incidents_12m": r.police_incidents_12m,
                    "crit_repeat": r.crit_repeat,
                    "risk_tool": r.risk_tool,
                    "risk_score": r.risk_score,
                    "risk_grade": r.risk_grade,
                    "status": r.status,
                    "status_reason": r.status_reason,
                    "status_decided_by": r.status_decided_by,
                    "is_repeat": r.is_repeat,
                    "previous_referral_id": (
                        ids.referral + r.previous_referral_key
                        if r.previous_referral_key is not None
                        else None
                    ),
                    "new_perpetrator_flag": r.new_perpetrator_flag,
                    "repeat_override": None,
                    "repeat_override_reason": "",
                    "created_at": r.created_at,
                    "updated_at": r.updated_at,
                }
            )
            for p in r.perpetrators:
                self.perp_seq += 1
                perps.append(
                    {
                        "id": self.perp_seq,
                        "referral_id": referral_id,
                        "person_id": ids.person + p.person_key,
                        "first_name": p.first_name,
                        "last_name": p.last_name,
                        "dob": p.dob,
                        "gender": p.gender,
                        "relationship_to_victim": p.relationship_to_victim,
                        "address": p.address,
                        "mental_health": p.mental_health,
                        "substance_misuse": p.substance_misuse,
                    }
                )
            for c in r.children:
                self.child_seq += 1
                children.append(
                    {
                        "id": self.child_seq,
                        "referral_id": referral_id,
                        "person_id": None,
                        "first_name": c.first_name,
                        "last_name": c.last_name,
                        "dob": c.dob,
                        "relationship_to_victim": c.relationship_to_victim,
                        "relationship_to_perpetrator": c.relationship_to_perpetrator,
                        "school": c.school,
                    }
                )
            ra = r.risk_assessment
            if ra is not None:
                self.risk_seq += 1
                risks.append(
                    {
                        "id": self.risk_seq,
                        "referral_id": referral_id,
                        "form_id": ra.form_id,
                        "form_version": ra.form_version,
                        "kind": ra.kind,
                        "assessed_on": ra.assessed_on,
                        "assessor": ra.assessor,
                        "answers": JsonText(ra.answers_text()),
                        "score": ra.score,
                        "band": ra.band,
                        "judgement_band": ra.judgement_band,
                        "judgement_reason": ra.judgement_reason,
                        "review_due": ra.review_due,
                        "created_at": r.created_at,
                    }
                )
        return [
            (Referral, rows),
            (ReferralPerpetrator, perps),
            (ReferralChild, children),
            (RiskAssessment, risks),
        ]

    def meetings(self, meetings: Sequence[synthetic.Meeting]) -> Rows:
        ids = self.ids
        agency = ids.agencies
        rows, attendance, cases, actions, updates = [], [], [], [], []
        for m in meetings:
            meeting_id = ids.meetings[m.key]
            if meeting_id in self.new_meeting_ids:
                rows.append(
                    {
                        "id": meeting_id,
                        "panel_id": ids.panels[m.panel_key],
                        "meeting_date": m.meeting_date,
                        "start_time": m.start_time,
                        "end_time": m.end_time,
                        "venue": m.venue,
                        "chair": m.chair,
                        "minute_taker": m.minute_taker,
                        "status": m.status,
                        "status_reason": m.status_reason,
                        "confidentiality_read": m.confidentiality_read,
                        "minutes_circulated_on": m.minutes_circulated_on,
                        "created_at": m.created_at,
                    }
                )
                for a in m.attendance:
                    self.att_seq += 1
                    attendance.append(
                        {
                            "id": self.att_seq,
                            "meeting_id": meeting_id,
                            "agency_id": agency[a.agency],
                            "person_name": a.person_name,
                            "status": a.status,
                            "information_sent": a.information_sent,
                            "information_sent_on": a.information_sent_on,
                            "statement_signed": a.statement_signed,
                            "substitute_for": a.substitute_for,
                        }
                    )
            base_position = ids.positions.get(meeting_id, 0)
            for c in m.cases:
                case_id = ids.case + c.key
                referral_id = ids.referral + c.referral_key
                cases.append(
                    {
                        "id": case_id,
                        "meeting_id": meeting_id,
                        "referral_id": referral_id,
                        "position": base_position + c.position,
                        "allotted_minutes": c.allotted_minutes,
                        "outcome": c.outcome,
                        "outcome_reason": c.outcome_reason,
                        "victim_voice": c.victim_voice,
                        "risks_identified": c.risks_identified,
                        "notes": "",
                    }
                )
                for act in c.actions:
                    action_id = ids.action + act.key
                    actions.append(
                        {
                            "id": action_id,
                            "referral_id": referral_id,
                            "meeting_case_id": case_id,
                            "owner_agency_id": agency[act.owner_agency],
                            "owner_person": act.owner_person,
                            "text": act.text,
                            "linked_risk": act.linked_risk,
                            "category": act.category,
                            "due_date": act.due_date,
                            "status": act.status,
                            "completed_on": act.completed_on,
                            "created_at": act.created_at,
                            "updated_at": act.updated_at,
                        }
                    )
                    for u in act.updates:
                        self.update_seq += 1
                        updates.append(
                            {
                                "id": self.update_seq,
                                "action_id": action_id,
                                "updated_on": u.updated_on,
                                "status": u.status,
                                "note": u.note,
                                "new_due_date": u.new_due_date,
                                "user_id": None,
                                "created_at": act.updated_at
                                if u is act.updates[-1]
                                else datetime.combine(u.updated_on, _UPDATE_TIME),
                            }
                        )
        return [
            (Meeting, rows),
            (Attendance, attendance),
            (MeetingCase, cases),
            (Action, actions),
            (ActionUpdate, updates),
        ]


# The tables a demo fills in bulk: their secondary indexes are built once at the end (those of
# `person_keys`, filled last, apart: see `_generate_and_insert`).
_BULK_TABLES = (
    Person,
    PersonAlias,
    PersonDob,
    Referral,
    ReferralPerpetrator,
    ReferralChild,
    RiskAssessment,
    MeetingCase,
    Attendance,
    Action,
    ActionUpdate,
)


class _KeyIndex:
    """Matching's blocking keys for the people added, from the rows as they are inserted:
    the evidence is put together by db.person_keys.EvidenceParts, the one way the store does
    it, without reading everything back."""

    def __init__(self) -> None:
        self.parts = EvidenceParts()
        # The referral list's search tokens, from the same rows (db.referral_search's rules).
        self.search = SearchRows()

    def collect(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        parts, search = self.parts, self.search
        if model is Person:
            for r in rows:
                parts.add_person(r["id"], r["first_name"], r["last_name"], r.get("dob"))
                search.add_person_names(r["id"], r["first_name"], r["last_name"])
        elif model is PersonAlias:
            for r in rows:
                parts.add_alias(r["person_id"], r["first_name"], r["last_name"])
                search.add_person_names(r["person_id"], r["first_name"], r["last_name"])
        elif model is PersonDob:
            for r in rows:
                parts.add_dob(r["person_id"], r["dob"])
        elif model is Referral:
            for r in rows:
                if r.get("postcode"):
                    parts.add_postcode(r["victim_id"], r["postcode"])
                search.add_referral(
                    r["id"],
                    case_ref=r["case_ref"],
                    external_ref=r.get("external_ref"),
                    victim_id=r["victim_id"],
                    first=r.get("victim_first_name"),
                    last=r.get("victim_last_name"),
                )
        elif model is ReferralPerpetrator:
            for r in rows:
                search.add_perpetrator(r["referral_id"], r.get("first_name"), r.get("last_name"))

    def rows(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for pid in self.parts.people:
            evidence = self.parts.evidence(pid)
            if evidence is not None:
                out.extend({"person_id": pid, "key": key} for key in blocking_keys(evidence))
        return out


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise DemoDataCancelled("Adding demo data was cancelled; nothing was added.")


def generate_demo_data(
    opened: OpenStore,
    *,
    referrals: int,
    seed: int = 1,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Add `referrals` synthetic referrals (with people, meetings and actions) to the store.

    One unit of work: all of it is added or none. `progress(done, total)` is called first with
    0 and then after every chunk with the referrals written so far; returning False cancels
    (DemoDataCancelled, nothing added). Python's cycle collector is paused for the duration
    (see `core.collector.paused_gc`). Meant for demo and benchmark stores: run it on a worker
    thread from the GUI, since the write transaction lasts as long as the whole import.
    """
    if referrals < 1:
        raise ValueError("The number of demo referrals must be at least 1.")
    started = clock.perf_counter()
    with paused_gc():
        summary = _generate_and_insert(opened, referrals, seed, today, progress)
    return replace(summary, seconds=round(clock.perf_counter() - started, 3))


def _generate_and_insert(
    opened: OpenStore,
    referrals: int,
    seed: int,
    today: date | None,
    progress: Progress | None,
) -> DemoSummary:
    stream = synthetic.SyntheticStream(referrals, seed, today)
    total = stream.referral_count
    _report(progress, 0, total)
    with (
        opened.store.write() as session,
        larger_page_cache(session.connection(), CACHE_KIB),
        deferred_indexes(session.connection(), (PersonKey, ReferralSearch)),
        ThreadPoolExecutor(max_workers=1) as worker,
    ):
        agency_names = {name for name, _ in synthetic.REFERRING_AGENCY_WEIGHTS}
        agency_ids = _ensure_agencies(session, opened, agency_names)
        panel_ids, panels_created = _ensure_panels(
            session, opened, stream.panels, agency_ids["Police"]
        )
        base_meeting = _max_id(session, Meeting.id)
        meeting_ids, positions, meetings_added = _existing_meetings(
            session, stream.meetings, panel_ids, base_meeting
        )
        ids = _Ids(
            person=_max_id(session, Person.id),
            alias=_max_id(session, PersonAlias.id),
            dob=_max_id(session, PersonDob.id),
            referral=_max_id(session, Referral.id),
            perpetrator=_max_id(session, ReferralPerpetrator.id),
            child=_max_id(session, ReferralChild.id),
            risk=_max_id(session, RiskAssessment.id),
            meeting=base_meeting,
            case=_max_id(session, MeetingCase.id),
            attendance=_max_id(session, Attendance.id),
            action=_max_id(session, Action.id),
            update=_max_id(session, ActionUpdate.id),
            agencies=agency_ids,
            panels=panel_ids,
            case_offsets=_case_offsets(session, (p.code for p in stream.panels)),
            meetings=meeting_ids,
            positions=positions,
        )
        builder = _RowBuilder(ids, {i for i in meeting_ids.values() if i > base_meeting})
        keys = _KeyIndex()
        done = repeats = new_perps = people = cases = actions = 0
        with deferred_indexes(session.connection(), _BULK_TABLES):
            for chunk in stream.chunks(CHUNK_REFERRALS):
                batch = builder.build(chunk)
                for model, rows in batch.rows:
                    _insert(session, model, rows)
                    keys.collect(model, rows)
                done += batch.referrals
                repeats += batch.repeats
                new_perps += batch.new_perpetrator_flags
                people += batch.people
                cases += batch.meeting_cases
                actions += batch.actions
                _report(progress, done, total)
            # The people's matching keys are pure Python, and SQLite builds the indexes (leaving
            # this block) without holding the GIL: on a second core the two overlap.
            key_rows = worker.submit(keys.rows)
            search_rows = worker.submit(keys.search.rows)
        _insert(session, PersonKey, key_rows.result())
        _insert(session, ReferralSearch, search_rows.result())
        summary = DemoSummary(
            referrals=done,
            repeats=repeats,
            new_perpetrator_flags=new_perps,
            people=people,
            meetings=meetings_added,
            meeting_cases=cases,
            actions=actions,
            panels_created=panels_created,
            seconds=0.0,
        )
        audit.record(
            session,
            opened.actor,
            "import",
            "demo_data",
            "",
            f"synthetic demo data added (seed {seed}, ending {stream.today.isoformat()}): "
            f"{summary.referrals} referrals, {summary.repeats} repeats, {summary.people} people, "
            f"{summary.meetings} meetings, {summary.meeting_cases} cases listed, "
            f"{summary.actions} actions",
        )
    return summary
