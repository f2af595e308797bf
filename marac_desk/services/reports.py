"""The steering group's quarterly report, computed from the store (DOMAIN.md §6), and its export.

`quarterly_report` reads every figure of `export.report_model.QuarterlyReport` in one read
transaction with a fixed number of aggregate queries (the period's own referrals and
perpetrators are read row by row, to be counted by the rules in `core`), whatever the size of
the store. `export_quarterly_report` publishes it (`export.report_view`), renders the PDF, CSV or
XLSX, writes the file atomically and records the disclosure in the audit trail.

Which panels: one panel by name, or — with none named — every domestic abuse panel (MARAC and
daily triage). Community MARAC panels hear anti-social behaviour cases, so "all panels" keeps
them out of the national indicators and reports them in their own section (new, ongoing and
closed cases by month); a Community MARAC named on its own gets both.

Cases per 10,000 adult women use the `adult_female_population` setting, which describes the
whole area: with several domestic abuse panels in the store, a report for one of them has no
rate (there is no population for part of the area).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from marac_desk.core import referral_rules
from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.core.indicators import count_referral_sources, is_aged_16_17, is_aged_17_or_under
from marac_desk.core.meeting_rules import minutes_due
from marac_desk.core.periods import (
    Period,
    PeriodKind,
    date_range,
    financial_year,
    financial_year_start,
    months_in,
    previous_quarters,
    quarter_of,
    year_earlier,
)
from marac_desk.core.suppression import Mode
from marac_desk.core.vocab import NO, NOT_KNOWN, OPEN_ACTION_STATUSES, YES
from marac_desk.core.working_days import OutsideCalendar
from marac_desk.db.models import (
    Action,
    Agency,
    Attendance,
    CaseResearch,
    Meeting,
    MeetingCase,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
)
from marac_desk.db.store import Store
from marac_desk.export import report_model as rm
from marac_desk.export.files import write_atomic
from marac_desk.export.report_view import ReportView, publish
from marac_desk.services import audit, panels, settings
from marac_desk.services.context import Actor

ALL_PANELS = "All domestic abuse panels"
COMMUNITY = "community_marac"
HEARD = ("heard_closed", "heard_open")
CLOSED_OTHERWISE = ("not_possible", "not_undertaken")
FORMATS = (".pdf", ".csv", ".xlsx")

RELATIONSHIPS: tuple[rm.Category, ...] = (
    rm.Category("current_partner", "Current partner"),
    rm.Category("ex_partner", "Ex-partner"),
    rm.Category("family_member", "Family member"),
    rm.Category("other", "Other"),
    rm.Category("not_known", "Not known"),
)
# core.referral_rules.missing_information's words, as the completeness table prints them.
MISSING_ITEMS: tuple[rm.Category, ...] = (
    rm.Category("perpetrator", "Perpetrator"),
    rm.Category("relationship to victim", "Perpetrator's relationship to the victim"),
    rm.Category("children in the household", "Children in the household"),
    rm.Category("sexual orientation", "Sexual orientation"),
    rm.Category("safe contact", "Safe contact"),
    rm.Category("victim's date of birth", "Victim's date of birth"),
)


class ReportError(ValueError):
    """The report cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class _Scope:
    label: str
    panel_ids: tuple[int, ...]  # the national indicators
    panel_names: tuple[str, ...]
    community_ids: tuple[int, ...]  # the Community MARAC section
    community_names: tuple[str, ...]
    configs: dict[int, panels.PanelConfig]
    whole_area: bool  # the population setting applies
    every_panel: bool  # the indicators cover every panel in the store


def _scope(rows: Sequence[panels.PanelConfig], panel: str | None) -> _Scope:
    if panel is None:
        chosen = [p for p in rows if p.panel_type != COMMUNITY]
        community = [p for p in rows if p.panel_type == COMMUNITY]
        label, whole = ALL_PANELS, True
    else:
        wanted = " ".join(panel.split()).casefold()
        found = [p for p in rows if p.name.casefold() == wanted]
        if not found:
            raise ReportError(f"This store has no panel called {panel.strip()!r}.")
        chosen = found
        community = found if found[0].panel_type == COMMUNITY else []
        domestic = [p for p in rows if p.panel_type != COMMUNITY]
        label = found[0].name
        whole = found[0].panel_type != COMMUNITY and len(domestic) == 1
    return _Scope(
        label=label,
        panel_ids=tuple(_id(p) for p in chosen),
        panel_names=tuple(p.name for p in chosen),
        community_ids=tuple(_id(p) for p in community),
        community_names=tuple(p.name for p in community),
        configs={_id(p): p for p in rows},
        whole_area=whole,
        every_panel=len(chosen) == len(rows),
    )


def _id(config: panels.PanelConfig) -> int:
    assert config.id is not None  # read from the store
    return config.id


def _of_panels(column: Any, scope: _Scope) -> tuple[ColumnElement[bool], ...]:
    """Rows of the panels in scope; no condition at all when that is every panel, so the
    date-led indexes can answer on their own."""
    return () if scope.every_panel else (column.in_(scope.panel_ids),)


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    found: ColumnElement[bool] = column.between(period.start, period.end)
    return found


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _twelve_months_to(day: date) -> Period:
    """The 12 months ending on `day` (1 October 2022 to 30 September 2023)."""
    try:
        before = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        before = date(day.year - 1, 2, 28)
    return date_range(before + timedelta(days=1), day)


def trend_periods(period: Period) -> tuple[Period, ...]:
    """The trend table's columns, oldest first: a quarter with the four before it; any other
    period with the same days a year earlier."""
    if period.kind is PeriodKind.QUARTER:
        return (*previous_quarters(period, 4), period)
    return (year_earlier(period), period)


# ----- the figures --------------------------------------------------------------------------------


def _trend(session: Session, scope: _Scope, periods: Sequence[Period]) -> list[rm.PeriodCounts]:
    start = min(p.start for p in periods)
    end = max(p.end for p in periods)
    date_col = Referral.referral_date
    repeat = func.coalesce(Referral.repeat_override, Referral.is_repeat).is_(True)
    columns = []
    for p in periods:
        columns += [_count_if(_within(date_col, p)), _count_if(and_(_within(date_col, p), repeat))]
    where = (*_of_panels(Referral.panel_id, scope), date_col.between(start, end))
    counts = session.execute(select(*columns).where(*where)).one()
    child_columns = []
    for p in periods:
        child_columns += [
            _count_if(_within(date_col, p)),
            func.count(func.distinct(case((_within(date_col, p), ReferralChild.referral_id)))),
        ]
    children = session.execute(
        select(*child_columns)
        .select_from(ReferralChild)
        .join(Referral, Referral.id == ReferralChild.referral_id)
        .where(*where)
    ).one()
    return [
        rm.PeriodCounts(
            period=p,
            referrals=int(counts[2 * i]),
            repeats=int(counts[2 * i + 1]),
            children=int(children[2 * i]),
            families=int(children[2 * i + 1]),
        )
        for i, p in enumerate(periods)
    ]


@dataclass(frozen=True)
class _Heard:
    cases: int
    cases_year_earlier: int
    hearings: int
    rate_cases: int


def _heard(
    session: Session, scope: _Scope, period: Period, earlier: Period, rolling: Period
) -> _Heard:
    day = Meeting.meeting_date
    start = min(period.start, earlier.start, rolling.start)
    end = max(period.end, earlier.end, rolling.end)

    def distinct_in(p: Period) -> Any:
        return func.count(func.distinct(case((_within(day, p), MeetingCase.referral_id))))

    row = session.execute(
        select(
            distinct_in(period),
            distinct_in(earlier),
            _count_if(_within(day, period)),
            distinct_in(rolling),
        )
        .select_from(MeetingCase)
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(
            *_of_panels(Meeting.panel_id, scope),
            Meeting.status == "held",
            day.between(start, end),
            MeetingCase.outcome.in_(HEARD),
        )
    ).one()
    return _Heard(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def _answer(value: str | None) -> str:
    """yes / no / unknown for a tri-state fact (anything unrecognised counts as unknown)."""
    if value == YES:
        return YES
    if value == NO:
        return NO
    return NOT_KNOWN


def _characteristic(answers: Counter[str]) -> rm.Characteristic:
    return rm.Characteristic(count=answers[YES], other=answers[NO], unknown=answers[NOT_KNOWN])


def _gender(value: str | None) -> str:
    """yes (male) / no (female or non-binary) / unknown."""
    if value == "male":
        return YES
    if value in ("female", "non_binary"):
        return NO
    return NOT_KNOWN


def _age_answer(dob: date | None, on: date, test: Any) -> str:
    if dob is None or dob > on:
        return NOT_KNOWN
    return YES if test(dob, on) else NO


@dataclass(frozen=True)
class _PeriodPeople:
    sources: rm.Breakdown
    victims: rm.Victims
    perpetrators: rm.Perpetrators
    completeness: rm.Completeness


def _people(session: Session, scope: _Scope, period: Period) -> _PeriodPeople:
    """Victims, perpetrators, sources and completeness of the period's referrals."""
    categories = {
        int(i): (c if c in REFERRAL_SOURCE_CATEGORIES else "Other")
        for i, c in session.execute(select(Agency.id, Agency.category))
    }
    has_children = exists().where(ReferralChild.referral_id == Referral.id)
    rows = session.execute(
        select(
            Referral.id,
            Referral.referral_date,
            Referral.referring_agency_id,
            Referral.joint_agency_id,
            Referral.victim_dob,
            Referral.victim_gender,
            Referral.victim_bame,
            Referral.victim_lgbt,
            Referral.victim_disability,
            Referral.victim_mental_health,
            Referral.victim_substance_misuse,
            Referral.children_status,
            Referral.phone,
            Referral.safe_to_call,
            has_children,
        ).where(*_of_panels(Referral.panel_id, scope), _within(Referral.referral_date, period))
    ).all()
    perpetrators: dict[int, list[Any]] = defaultdict(list)
    for perp in session.execute(
        select(
            ReferralPerpetrator.referral_id,
            ReferralPerpetrator.gender,
            ReferralPerpetrator.relationship_to_victim,
            ReferralPerpetrator.dob,
            ReferralPerpetrator.mental_health,
            ReferralPerpetrator.substance_misuse,
        )
        .join(Referral, Referral.id == ReferralPerpetrator.referral_id)
        .where(*_of_panels(Referral.panel_id, scope), _within(Referral.referral_date, period))
    ):
        perpetrators[int(perp.referral_id)].append(perp)

    victim: dict[str, Counter[str]] = defaultdict(Counter)
    perp_counts: dict[str, Counter[str]] = defaultdict(Counter)
    relationship: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    complete = 0
    referred_by: list[tuple[str, ...]] = []
    known_relationships = {c.key for c in RELATIONSHIPS}
    for r in rows:
        on = r.referral_date
        referred_by.append(
            (categories[r.referring_agency_id],)
            if r.joint_agency_id is None
            else (categories[r.referring_agency_id], categories[r.joint_agency_id])
        )
        victim["bame"][_answer(r.victim_bame)] += 1
        victim["lgbt"][_answer(r.victim_lgbt)] += 1
        victim["disabled"][_answer(r.victim_disability)] += 1
        victim["male"][_gender(r.victim_gender)] += 1
        victim["aged_16_17"][_age_answer(r.victim_dob, on, is_aged_16_17)] += 1
        victim["mental_health"][_answer(r.victim_mental_health)] += 1
        victim["substance_misuse"][_answer(r.victim_substance_misuse)] += 1
        perps = perpetrators.get(int(r.id), [])
        for p in perps:
            perp_counts["male"][_gender(p.gender)] += 1
            perp_counts["aged_17_or_under"][_age_answer(p.dob, on, is_aged_17_or_under)] += 1
            perp_counts["mental_health"][_answer(p.mental_health)] += 1
            perp_counts["substance_misuse"][_answer(p.substance_misuse)] += 1
            kind = p.relationship_to_victim
            relationship[kind if kind in known_relationships else NOT_KNOWN] += 1
        draft = referral_rules.ReferralDraft(
            referral_date=on,
            referring_agency="",
            victim=referral_rules.PersonDraft(dob=r.victim_dob),
            perpetrators=tuple(
                referral_rules.PerpetratorDraft(relationship_to_victim=p.relationship_to_victim)
                for p in perps
            ),
            children=(referral_rules.ChildDraft(),) if r[-1] else (),
            children_status=r.children_status,
            phone=r.phone or "",
            safe_to_call=r.safe_to_call,
            victim_lgbt=r.victim_lgbt,
        )
        gaps = referral_rules.missing_information(draft)
        missing.update(gaps)
        complete += not gaps

    unknown_items = set(missing) - {c.key for c in MISSING_ITEMS}
    if unknown_items:  # core added an item: report it rather than drop it
        raise AssertionError(f"completeness items not reported: {sorted(unknown_items)}")
    sources = count_referral_sources(referred_by)
    return _PeriodPeople(
        sources=rm.Breakdown(
            tuple(rm.Category(c, c) for c in REFERRAL_SOURCE_CATEGORIES),
            tuple(sources[c] for c in REFERRAL_SOURCE_CATEGORIES),
        ),
        victims=rm.Victims(**{k: _characteristic(v) for k, v in _filled(victim, _VICTIM).items()}),
        perpetrators=rm.Perpetrators(
            relationship=rm.Breakdown(
                RELATIONSHIPS, tuple(relationship[c.key] for c in RELATIONSHIPS)
            ),
            **{k: _characteristic(v) for k, v in _filled(perp_counts, _PERPETRATOR).items()},
        ),
        completeness=rm.Completeness(
            complete=complete,
            referrals=len(rows),
            missing=rm.Breakdown(MISSING_ITEMS, tuple(missing[c.key] for c in MISSING_ITEMS)),
        ),
    )


_VICTIM = ("bame", "lgbt", "disabled", "male", "aged_16_17", "mental_health", "substance_misuse")
_PERPETRATOR = ("male", "aged_17_or_under", "mental_health", "substance_misuse")


def _filled(found: dict[str, Counter[str]], keys: Sequence[str]) -> dict[str, Counter[str]]:
    return {key: found.get(key, Counter()) for key in keys}


def _held_meetings(session: Session, ids: Sequence[int], period: Period) -> list[Any]:
    return list(
        session.execute(
            select(
                Meeting.id, Meeting.panel_id, Meeting.meeting_date, Meeting.minutes_circulated_on
            )
            .where(
                Meeting.panel_id.in_(ids),
                Meeting.status == "held",
                _within(Meeting.meeting_date, period),
            )
            .order_by(Meeting.meeting_date, Meeting.id)
        )
    )


def _minutes(meetings: Sequence[Any], scope: _Scope, as_at: date) -> rm.Minutes:
    on_time = late = not_yet = 0
    for m in meetings:
        config = scope.configs[m.panel_id]
        try:
            deadline = minutes_due(m.meeting_date, config.region, config.minutes_due_working_days)
        except OutsideCalendar:
            deadline = m.meeting_date + timedelta(days=config.minutes_due_working_days)
        circulated = m.minutes_circulated_on
        if circulated is not None:
            on_time += circulated <= deadline
            late += circulated > deadline
        elif deadline < as_at:
            late += 1
        else:
            not_yet += 1
    return rm.Minutes(on_time=on_time, late=late, not_yet_due=not_yet)


def _actions_in_scope(scope: _Scope) -> tuple[ColumnElement[bool], ...]:
    """Actions of the panels in scope: nothing to check when that is every panel; otherwise the
    referral ids are gathered once and tested as a set, rather than a referral read per action."""
    if scope.every_panel:
        return ()
    ids = select(Referral.id).where(Referral.panel_id.in_(scope.panel_ids))
    return (Action.referral_id.in_(ids),)


def _actions(session: Session, scope: _Scope, period: Period, as_at: date) -> rm.Actions:
    agreed = session.execute(
        select(
            func.count(Action.id),
            _count_if(and_(func.trim(Action.owner_person) != "", Action.due_date.is_not(None))),
            _count_if(Action.category == "perpetrator_disruption"),
        )
        .select_from(Action)
        .join(MeetingCase, MeetingCase.id == Action.meeting_case_id)
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(
            *_of_panels(Meeting.panel_id, scope),
            Meeting.status == "held",
            _within(Meeting.meeting_date, period),
        )
    ).one()
    completed = Action.status == "completed"
    on_time = and_(
        completed, Action.completed_on.is_not(None), Action.completed_on <= Action.due_date
    )
    due = session.execute(
        select(
            func.count(Action.id),
            _count_if(on_time),
            _count_if(and_(completed, ~on_time)),
            _count_if(Action.status.in_(OPEN_ACTION_STATUSES)),
            _count_if(Action.status.in_(CLOSED_OTHERWISE)),
        ).where(_within(Action.due_date, period), *_actions_in_scope(scope))
    ).one()
    overdue = session.scalar(
        select(func.count(Action.id)).where(
            Action.status.in_(OPEN_ACTION_STATUSES),
            Action.due_date < as_at,
            *_actions_in_scope(scope),
        )
    )
    return rm.Actions(
        agreed=int(agreed[0]),
        with_owner_and_due=int(agreed[1]),
        perpetrator_focused=int(agreed[2]),
        due=int(due[0]),
        completed_on_time=int(due[1]),
        completed_late=int(due[2]),
        still_open=int(due[3]),
        closed_otherwise=int(due[4]),
        overdue_now=int(overdue or 0),
    )


def _attendance(
    session: Session, scope: _Scope, period: Period, agencies: dict[int, str]
) -> tuple[rm.AgencyAttendance, ...]:
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for agency_id, status, meetings, sent in session.execute(
        select(
            Attendance.agency_id,
            Attendance.status,
            func.count(func.distinct(Attendance.meeting_id)),
            func.count(func.distinct(case((Attendance.information_sent, Attendance.meeting_id)))),
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(
            *_of_panels(Meeting.panel_id, scope),
            Meeting.status == "held",
            _within(Meeting.meeting_date, period),
            Attendance.status.in_(("present", "apologies")),
        )
        .group_by(Attendance.agency_id, Attendance.status)
    ):
        row = found[int(agency_id)]
        if status == "present":
            row[0] = int(meetings)
        else:
            row[1], row[2] = int(meetings), int(sent)
    return tuple(
        sorted(
            (rm.AgencyAttendance(agencies[i], *counts) for i, counts in found.items()),
            key=lambda a: a.agency.casefold(),
        )
    )


def _research(
    session: Session, scope: _Scope, period: Period, agencies: dict[int, str]
) -> tuple[rm.AgencyResearch, ...]:
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for agency_id, status, n in session.execute(
        select(CaseResearch.agency_id, CaseResearch.status, func.count(CaseResearch.id))
        .join(MeetingCase, MeetingCase.id == CaseResearch.meeting_case_id)
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(
            *_of_panels(Meeting.panel_id, scope),
            Meeting.status == "held",
            _within(Meeting.meeting_date, period),
        )
        .group_by(CaseResearch.agency_id, CaseResearch.status)
    ):
        row = found[int(agency_id)]
        row[0] += int(n)
        if status in ("received", "nothing_held"):
            row[1] += int(n)
    return tuple(
        sorted(
            (rm.AgencyResearch(agencies[i], *counts) for i, counts in found.items()),
            key=lambda a: a.agency.casefold(),
        )
    )


def _community(session: Session, scope: _Scope, period: Period) -> rm.Community | None:
    if not scope.community_ids:
        return None
    names = {i: scope.configs[i].name for i in scope.community_ids}
    meetings = _held_meetings(session, scope.community_ids, period)
    earlier_case = aliased(MeetingCase)
    earlier = aliased(Meeting)
    heard_before = (
        exists()
        .where(
            earlier_case.referral_id == MeetingCase.referral_id,
            earlier_case.outcome.in_(HEARD),
            earlier.id == earlier_case.meeting_id,
            earlier.status == "held",
            or_(
                earlier.meeting_date < Meeting.meeting_date,
                and_(earlier.meeting_date == Meeting.meeting_date, earlier.id < Meeting.id),
            ),
        )
        .correlate(MeetingCase, Meeting)
    )
    per_meeting: dict[int, list[int]] = {int(m.id): [0, 0, 0] for m in meetings}
    for meeting_id, outcome, before in session.execute(
        select(MeetingCase.meeting_id, MeetingCase.outcome, heard_before)
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(
            Meeting.panel_id.in_(scope.community_ids),
            Meeting.status == "held",
            _within(Meeting.meeting_date, period),
            MeetingCase.outcome.in_(HEARD),
        )
    ):
        counts = per_meeting[int(meeting_id)]
        counts[1 if before else 0] += 1
        counts[2] += outcome == "heard_closed"
    held = tuple(
        rm.CommunityMeeting(names[m.panel_id], m.meeting_date, *per_meeting[int(m.id)])
        for m in meetings
    )
    months = []
    for month in months_in(period):
        inside = [m for m in held if m.meeting_date in month]
        months.append(
            rm.CommunityMonth(
                month=month,
                meetings=len(inside),
                new=sum(m.new for m in inside),
                ongoing=sum(m.ongoing for m in inside),
                closed=sum(m.closed for m in inside),
            )
        )
    return rm.Community(scope.community_names, tuple(months), held)


# ----- the report ---------------------------------------------------------------------------------


def quarterly_report(
    store: Store,
    period: Period,
    *,
    panel: str | None = None,
    as_at: date,
    generated_at: datetime,
) -> rm.QuarterlyReport:
    """Every figure of the steering group's report for `period` (see the module notes)."""
    scope = _scope(panels.list_panels(store), panel)
    with store.read() as session:
        return _report(session, scope, period, as_at=as_at, generated_at=generated_at)


def _report(
    session: Session,
    scope: _Scope,
    period: Period,
    *,
    as_at: date,
    generated_at: datetime,
) -> rm.QuarterlyReport:
    values = settings.get_all_in_session(session)
    agencies = {int(i): str(n) for i, n in session.execute(select(Agency.id, Agency.name))}
    periods = trend_periods(period)
    trend = _trend(session, scope, periods)
    earlier_period = year_earlier(period)
    earlier = trend[0]  # both kinds of trend start with the same period a year earlier
    assert earlier.period == earlier_period
    rolling = _twelve_months_to(period.end)
    heard = _heard(session, scope, period, earlier_period, rolling)
    held = _held_meetings(session, scope.panel_ids, period)
    people = _people(session, scope, period)
    population = int(values["adult_female_population"])
    note = ""
    if population <= 0:
        note = "Cases per 10,000 adult women: set the area's adult female population in Settings."
    elif not scope.whole_area:
        note = (
            "Cases per 10,000 adult women: the population setting covers the whole area, so "
            "there is no rate for one panel of several."
        )
    return rm.QuarterlyReport(
        partnership=str(values["partnership_name"]),
        scope=scope.label,
        panels=scope.panel_names,
        period=period,
        as_at=as_at,
        generated_at=generated_at,
        marking=str(values["protective_marking"]),
        bands=tuple(settings.expected_bands(values).items()),
        trend=tuple(trend),
        year_earlier=earlier,
        cases_heard=heard.cases,
        cases_heard_year_earlier=heard.cases_year_earlier,
        hearings=heard.hearings,
        meetings_held=len(held),
        rate_period=rolling,
        rate_cases=heard.rate_cases,
        adult_female_population=population if population > 0 and scope.whole_area else None,
        population_note=note,
        sources=people.sources,
        victims=people.victims,
        perpetrators=people.perpetrators,
        actions=_actions(session, scope, period, as_at),
        attendance=_attendance(session, scope, period, agencies),
        research=_research(session, scope, period, agencies),
        minutes=_minutes(held, scope, as_at),
        completeness=people.completeness,
        community=_community(session, scope, period),
    )


# ----- export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedReport:
    path: Path
    kind: str  # "PDF", "CSV" or "XLSX"
    view: ReportView


def render(view: ReportView, suffix: str) -> tuple[str, bytes]:
    """The view as a file's bytes, chosen by the file's extension."""
    from marac_desk.export import quarterly, report_tables  # reportlab loads only when needed

    kind = suffix.lower()
    if kind == ".pdf":
        return "PDF", quarterly.build_quarterly_report(view)
    if kind == ".csv":
        return "CSV", report_tables.indicators_csv(view)
    if kind == ".xlsx":
        return "XLSX", report_tables.report_xlsx(view)
    raise ReportError("The report file must end in .pdf, .csv or .xlsx.")


def describe(view: ReportView, kind: str) -> str:
    """The audit trail's words for the disclosure: what, which period and panels, how."""
    mode = "publishable" if view.publishable else "internal (exact figures)"
    if view.round_to_5:
        mode += ", rounded to 5"
    return f"quarterly report {view.period_label} for {view.scope} as {kind}: {mode}"


def export_quarterly_report(
    store: Store,
    actor: Actor,
    path: Path,
    period: Period,
    *,
    panel: str | None = None,
    mode: Mode = Mode.INTERNAL,
    round_to_5: bool = False,
    as_at: date,
    generated_at: datetime,
) -> ExportedReport:
    """Compute, publish, render and write the report; the export is audited as a disclosure,
    and the file exists if and only if its audit event does."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError("The report file must end in .pdf, .csv or .xlsx.")
    if round_to_5 and mode is not Mode.PUBLISHABLE:
        raise ReportError("Rounding to 5 is for publishable reports only.")
    report = quarterly_report(store, period, panel=panel, as_at=as_at, generated_at=generated_at)
    view = publish(report, mode, round_to_5=round_to_5)
    kind, data = render(view, suffix)
    written = False
    try:
        with store.write() as session:
            write_atomic(path, data)
            written = True
            audit.record(session, actor, "export", "report", period.label, describe(view, kind))
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    return ExportedReport(path, kind, view)


# ----- what the Reports area offers ---------------------------------------------------------------


@dataclass(frozen=True)
class PanelChoice:
    name: str
    type_label: str  # "MARAC", "Community (ASB) MARAC", "Daily triage"
    community: bool  # reported in its own section (new, ongoing and closed cases)
    active: bool


@dataclass(frozen=True)
class ReportChoices:
    """The periods and panels a report can be asked for (newest period first)."""

    quarters: tuple[Period, ...]  # the current quarter, the `recent` before it, and back to
    # the first quarter with a referral or a meeting held
    years: tuple[Period, ...]  # the current financial year back to the first with data
    panels: tuple[PanelChoice, ...]  # by name
    first_day: date | None  # the earliest referral or held meeting (None: an empty store)


OFFERED_YEARS = 10  # further back than this, a report is asked for by its dates


def report_choices(store: Store, today: date, *, recent: int = 8) -> ReportChoices:
    """The quarters and financial years worth offering on `today`, and the store's panels.

    At least the current quarter and the `recent` before it, and the current financial year and
    the two before it; more when the store holds older data, up to `OFFERED_YEARS` back."""
    with store.read() as session:
        firsts = [
            session.scalar(select(func.min(Referral.referral_date))),
            session.scalar(select(func.min(Meeting.meeting_date)).where(Meeting.status == "held")),
        ]
    known = [d for d in firsts if d is not None and d <= today]
    first_day = min(known) if known else None
    current = quarter_of(today)
    quarters = [current, *reversed(previous_quarters(current, recent))]
    limit = max(recent + 1, 4 * OFFERED_YEARS)
    while first_day is not None and first_day < quarters[-1].start and len(quarters) < limit:
        quarters.append(previous_quarters(quarters[-1], 1)[0])
    this_year = financial_year_start(today)
    oldest = this_year - 2
    if first_day is not None:
        oldest = max(min(oldest, financial_year_start(first_day)), this_year - OFFERED_YEARS + 1)
    years = tuple(financial_year(y) for y in range(this_year, oldest - 1, -1))
    choices = tuple(
        PanelChoice(p.name, p.type_label, p.panel_type == COMMUNITY, p.active)
        for p in panels.list_panels(store)
    )
    return ReportChoices(tuple(quarters), years, choices, first_day)
