"""The national return to SafeLives: meeting-level counts for a period (DOMAIN.md §6).

Which meetings: every meeting dated in the period (both ends included), of one panel or of all,
that was **held** — started in the live meeting, or with at least one case heard. Cancelled
meetings, and planned ones that heard nothing (not held yet), are left out. A held meeting that
heard no case is a row of zeros: it still happened.

Which cases: those heard at the meeting (`heard_closed` or `heard_open`). A Community MARAC case
kept open and heard at three meetings counts at each of them, as each meeting's return says
what that meeting heard. The victim's facts are those on the referral, as referred; ages are
judged on the referral date (`core.indicators`). A referral-source category that is not one of
the 14 (an agency added with an unexpected category) counts as "Other", so the sources still
add up to the cases heard.

The figures are internal, exact counts (see `export.dataset`); `write_national_return` records
the export in the audit trail as a disclosure, in the same unit of work that read the counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.core.indicators import (
    count_referral_sources,
    is_aged_16_17,
    is_aged_17_or_under,
)
from marac_desk.core.periods import Period
from marac_desk.core.vocab import NOT_KNOWN, NOT_STATED, YES
from marac_desk.db.models import (
    Agency,
    Meeting,
    MeetingCase,
    Panel,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
)
from marac_desk.db.store import Store
from marac_desk.export.dataset import (
    NATIONAL_RETURN_COLUMNS,
    MeetingReturn,
    national_return_csv,
    national_return_xlsx,
)
from marac_desk.export.files import write_atomic
from marac_desk.services import audit, panels
from marac_desk.services.context import Actor

HEARD_OUTCOMES: tuple[str, ...] = ("heard_closed", "heard_open")
OTHER = "Other"
_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class WrittenReturn:
    path: Path
    kind: str  # "CSV" or "XLSX"
    rows: tuple[MeetingReturn, ...]


def panel_id_of(store: Store, panel: str | None) -> int | None:
    """The id of the panel called `panel` (None: every panel); PanelNotFound if there is none."""
    if panel is None:
        return None
    found = panels.find_panel(store, panel)
    assert found.id is not None
    return found.id


def held_meetings(session: Session, period: Period, panel_id: int | None) -> list[Meeting]:
    """Meetings in the period that were held (see the module notes), oldest first."""
    heard = (
        select(MeetingCase.meeting_id)
        .where(MeetingCase.outcome.in_(HEARD_OUTCOMES))
        .distinct()
        .scalar_subquery()
    )
    query = (
        select(Meeting)
        .where(
            Meeting.meeting_date >= period.start,
            Meeting.meeting_date <= period.end,
            Meeting.status != "cancelled",
            (Meeting.status == "held") | Meeting.id.in_(heard),
        )
        .order_by(Meeting.meeting_date, Meeting.panel_id, Meeting.id)
    )
    if panel_id is not None:
        query = query.where(Meeting.panel_id == panel_id)
    return list(session.scalars(query))


def _heard_cases(session: Session, meeting_ids: Sequence[int]) -> list[tuple[int, Referral]]:
    rows = session.execute(
        select(MeetingCase.meeting_id, Referral)
        .join(Referral, Referral.id == MeetingCase.referral_id)
        .where(MeetingCase.meeting_id.in_(meeting_ids), MeetingCase.outcome.in_(HEARD_OUTCOMES))
        .order_by(MeetingCase.meeting_id, MeetingCase.position, MeetingCase.id)
    ).all()
    return [(int(meeting_id), referral) for meeting_id, referral in rows]


def _children(session: Session, referral_ids: set[int]) -> dict[int, int]:
    if not referral_ids:
        return {}
    return {
        int(rid): int(n)
        for rid, n in session.execute(
            select(ReferralChild.referral_id, func.count(ReferralChild.id))
            .where(ReferralChild.referral_id.in_(referral_ids))
            .group_by(ReferralChild.referral_id)
        )
    }


def _perpetrator_dobs(session: Session, referral_ids: set[int]) -> dict[int, list[date | None]]:
    found: dict[int, list[date | None]] = defaultdict(list)
    if referral_ids:
        for rid, dob in session.execute(
            select(ReferralPerpetrator.referral_id, ReferralPerpetrator.dob)
            .where(ReferralPerpetrator.referral_id.in_(referral_ids))
            .order_by(ReferralPerpetrator.id)
        ):
            found[int(rid)].append(dob)
    return found


def _category(categories: dict[int, str], agency_id: int) -> str:
    category = categories.get(agency_id, OTHER)
    return category if category in REFERRAL_SOURCE_CATEGORIES else OTHER


def is_repeat(referral: Referral) -> bool:
    """The coordinator's override where there is one, else the computed flag."""
    if referral.repeat_override is not None:
        return bool(referral.repeat_override)
    return bool(referral.is_repeat)


def _age_test(test: Callable[[date, date], bool], dob: date | None, on: date) -> bool | None:
    """`test(dob, on)`, or None when the age is not known (no DOB, or one after `on`)."""
    if dob is None or dob > on:
        return None
    return test(dob, on)


def _tally(values: Sequence[str]) -> tuple[int, int, int]:
    """(yes, not known, not stated) among tri-state answers."""
    return (values.count(YES), values.count(NOT_KNOWN), values.count(NOT_STATED))


@dataclass(frozen=True)
class _Facts:
    """What the rows are counted from, beyond the referrals themselves."""

    categories: dict[int, str]  # agency id → referral-source category
    children: dict[int, int]  # referral id → children listed
    perpetrators: dict[int, list[date | None]]  # referral id → perpetrators' DOBs


def _meeting_return(
    panel: str, meeting: Meeting, cases: Sequence[Referral], facts: _Facts
) -> MeetingReturn:
    categories, children, perpetrators = facts.categories, facts.children, facts.perpetrators
    sources = count_referral_sources(
        (
            (_category(categories, r.referring_agency_id),)
            if r.joint_agency_id is None
            else (
                _category(categories, r.referring_agency_id),
                _category(categories, r.joint_agency_id),
            )
        )
        for r in cases
    )
    bame = _tally([r.victim_bame for r in cases])
    lgbt = _tally([r.victim_lgbt for r in cases])
    disabled = _tally([r.victim_disability for r in cases])
    genders = [r.victim_gender for r in cases]
    victim_ages = [_age_test(is_aged_16_17, r.victim_dob, r.referral_date) for r in cases]
    perpetrator_ages = [
        _age_test(is_aged_17_or_under, dob, r.referral_date)
        for r in cases
        for dob in perpetrators.get(r.id, [])
    ]
    listed = [children.get(r.id, 0) for r in cases]
    return MeetingReturn(
        panel=panel,
        meeting_date=meeting.meeting_date,
        cases_heard=len(cases),
        repeat_cases=sum(is_repeat(r) for r in cases),
        children_in_household=sum(listed),
        cases_with_children=sum(n > 0 for n in listed),
        cases_children_not_known=sum(
            n == 0 and r.children_status == NOT_KNOWN for r, n in zip(cases, listed, strict=True)
        ),
        sources=tuple(sources[c] for c in REFERRAL_SOURCE_CATEGORIES),
        victims_bame=bame[0],
        victims_bame_not_known=bame[1],
        victims_bame_not_stated=bame[2],
        victims_lgbt=lgbt[0],
        victims_lgbt_not_known=lgbt[1],
        victims_lgbt_not_stated=lgbt[2],
        victims_disabled=disabled[0],
        victims_disability_not_known=disabled[1],
        victims_disability_not_stated=disabled[2],
        victims_male=genders.count("male"),
        victims_gender_not_known=genders.count(NOT_KNOWN),
        victims_gender_not_stated=genders.count(NOT_STATED),
        victims_aged_16_17=victim_ages.count(True),
        victims_age_not_known=victim_ages.count(None),
        perpetrators=len(perpetrator_ages),
        perpetrators_aged_17_or_under=perpetrator_ages.count(True),
        perpetrators_age_not_known=perpetrator_ages.count(None),
    )


def return_in_session(
    session: Session, period: Period, panel_id: int | None
) -> tuple[MeetingReturn, ...]:
    """The rows, one per held meeting, oldest first (a fixed number of queries)."""
    meetings = held_meetings(session, period, panel_id)
    if not meetings:
        return ()
    panel_names = {int(i): str(n) for i, n in session.execute(select(Panel.id, Panel.name))}
    by_meeting: dict[int, list[Referral]] = defaultdict(list)
    for meeting_id, referral in _heard_cases(session, [m.id for m in meetings]):
        by_meeting[meeting_id].append(referral)
    referral_ids = {r.id for cases in by_meeting.values() for r in cases}
    facts = _Facts(
        categories={int(i): str(c) for i, c in session.execute(select(Agency.id, Agency.category))},
        children=_children(session, referral_ids),
        perpetrators=_perpetrator_dobs(session, referral_ids),
    )
    return tuple(
        _meeting_return(panel_names.get(m.panel_id, ""), m, by_meeting.get(m.id, []), facts)
        for m in meetings
    )


def national_return(
    store: Store, period: Period, panel: str | None = None
) -> tuple[MeetingReturn, ...]:
    """One row per meeting held in `period` (of the panel called `panel`, or of every panel),
    in NATIONAL_RETURN_COLUMNS order via `MeetingReturn.as_row`. Raises PanelNotFound."""
    panel_id = panel_id_of(store, panel)
    with store.read() as session:
        return return_in_session(session, period, panel_id)


def total_sources(rows: Sequence[MeetingReturn]) -> dict[str, Decimal]:
    """The period's referral sources over every row (a check a coordinator may want)."""
    totals = dict.fromkeys(REFERRAL_SOURCE_CATEGORIES, Decimal(0))
    for row in rows:
        for category, value in zip(REFERRAL_SOURCE_CATEGORIES, row.sources, strict=True):
            totals[category] += value
    return totals


def write_national_return(
    store: Store,
    actor: Actor,
    path: Path,
    period: Period,
    panel: str | None = None,
    *,
    generated_at: datetime,
) -> WrittenReturn:
    """Write the return to `path` (.csv or .xlsx by its suffix) all or nothing, and record the
    disclosure in the audit trail in the same unit of work: the file exists only if the event
    does. The caller decides whether an existing file may be replaced."""
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError("The national return is written as a .csv or .xlsx file.")
    kind = suffix[1:].upper()
    panel_id = panel_id_of(store, panel)
    written = False
    try:
        with store.write() as session:
            rows = return_in_session(session, period, panel_id)
            data = (
                national_return_csv(rows)
                if kind == "CSV"
                else national_return_xlsx(rows, generated_at=generated_at)
            )
            write_atomic(path, data)
            written = True
            audit.record(
                session,
                actor,
                "export",
                "national_return",
                "",
                f"national return as {kind}: {period.label} "
                f"({period.start.isoformat()} to {period.end.isoformat()}), "
                f"{panel or 'all panels'}, {len(rows)} meetings, "
                f"{sum(r.cases_heard for r in rows)} cases heard, "
                f"{len(NATIONAL_RETURN_COLUMNS)} columns, counts only",
            )
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    return WrittenReturn(path, kind, rows)
