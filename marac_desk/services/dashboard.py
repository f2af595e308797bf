"""The coordinator's dashboard: a handful of counts that say what needs attention this week.

Everything is computed with SQL aggregates over indexed columns, so it stays quick on a store of
a whole year's national caseload (120,000 referrals): no rows are loaded into Python. The
summary holds counts, dates and agency or panel names only, never a victim's name.

Windows, all relative to `today` (the local date):
- "received in the last 28 days": referral date from today - 27 days to today;
- "the last 12 months": referral date after the same day one year ago, up to today;
- a referral counts as a repeat when the coordinator's override says so, or, with no override,
  when the repeat rule flagged it;
- an action is open while its status is open or carried forward, and overdue once its due date
  is before today;
- risk reviews count the newest assessment of each live referral (received, listed or heard):
  "due soon" when its review date is today or within the next 14 days, "overdue" before today;
- "awaiting listing": referrals received and not yet on a meeting's case list;
- minutes are late once a held meeting's circulation deadline (N working days after it, per
  panel, bank holidays skipped) has passed without the minutes being circulated;
- "lapsing this month": cases whose 12-month repeat window ends in the current month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from marac_desk.core.meeting_rules import minutes_due
from marac_desk.core.vocab import OPEN_ACTION_STATUSES, REFERRAL_STATUSES
from marac_desk.db.models import Action, Agency, Meeting, MeetingCase, Panel, Referral
from marac_desk.db.models import RiskAssessment as Assessment
from marac_desk.db.store import Store
from marac_desk.services import panels, referrals

RECENT_DAYS = 28
REVIEW_SOON_DAYS = 14
# Referrals still being worked: a risk review on a closed, diverted or withdrawn case is not due.
LIVE_REFERRAL_STATUSES: tuple[str, ...] = ("received", "listed", "heard")


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int


@dataclass(frozen=True)
class AgencyCount:
    agency: str
    count: int


@dataclass(frozen=True)
class NextMeeting:
    meeting_id: int
    meeting_date: date
    panel: str
    cases: int


@dataclass(frozen=True)
class MinutesOverdue:
    meeting_id: int
    meeting_date: date
    panel: str
    due: date


@dataclass(frozen=True)
class DashboardSummary:
    today: date
    referrals_total: int
    # Every status of core.vocab.REFERRAL_STATUSES in its order, zeros included; a status found in
    # the store but unknown to this version is appended after them.
    referrals_by_status: tuple[StatusCount, ...]
    received_recent: int
    referrals_12_months: int
    repeats_12_months: int
    # Whole percent, rounded half-up; None when there were no referrals to divide by.
    repeat_percent: int | None
    next_meeting: NextMeeting | None
    open_actions: int
    overdue_actions: int
    overdue_by_agency: tuple[AgencyCount, ...]
    reviews_due_soon: int
    reviews_overdue: int
    # Schema 5 and the meetings: referrals received but on no meeting's list yet; held
    # meetings whose minutes are past their circulation deadline; cases whose 12-month repeat
    # window ends this month (the lapse list).
    awaiting_listing: int = 0
    minutes_overdue: tuple[MinutesOverdue, ...] = ()
    lapsing_this_month: int = 0

    @property
    def recent_days(self) -> int:
        return RECENT_DAYS

    @property
    def review_soon_days(self) -> int:
        return REVIEW_SOON_DAYS


def percent_half_up(part: int, whole: int) -> int | None:
    """`part` as a whole percent of `whole`, rounded half-up with integer arithmetic."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def one_year_before(day: date) -> date:
    """The same day a year earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _referral_counts(session: Session, today: date) -> tuple[int, tuple[StatusCount, ...], int]:
    by_status: dict[str, int] = {
        str(status): int(n)
        for status, n in session.execute(
            select(Referral.status, func.count()).group_by(Referral.status)
        )
    }
    ordered = [StatusCount(s, int(by_status.pop(s, 0))) for s in REFERRAL_STATUSES]
    ordered += [StatusCount(s, int(n)) for s, n in sorted(by_status.items())]
    total = sum(item.count for item in ordered)
    recent_from = today - timedelta(days=RECENT_DAYS - 1)
    recent = session.scalar(
        select(func.count()).where(
            Referral.referral_date >= recent_from, Referral.referral_date <= today
        )
    )
    return total, tuple(ordered), int(recent or 0)


def _repeat_counts(session: Session, today: date) -> tuple[int, int]:
    effective_repeat = func.coalesce(Referral.repeat_override, Referral.is_repeat)
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((effective_repeat.is_(True), 1), else_=0)), 0),
        ).where(Referral.referral_date > one_year_before(today), Referral.referral_date <= today)
    ).one()
    return int(row[0]), int(row[1])


def _next_meeting(session: Session, today: date) -> NextMeeting | None:
    row = session.execute(
        select(Meeting.id, Meeting.meeting_date, Panel.name)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(Meeting.status == "planned", Meeting.meeting_date >= today)
        .order_by(Meeting.meeting_date, Meeting.start_time, Meeting.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    cases = session.scalar(
        select(func.count()).select_from(MeetingCase).where(MeetingCase.meeting_id == row[0])
    )
    return NextMeeting(int(row[0]), row[1], str(row[2]), int(cases or 0))


def _action_counts(session: Session, today: date) -> tuple[int, tuple[AgencyCount, ...]]:
    open_count = session.scalar(select(func.count()).where(Action.status.in_(OPEN_ACTION_STATUSES)))
    overdue = session.execute(
        select(Agency.name, func.count().label("n"))
        .select_from(Action)
        .join(Agency, Agency.id == Action.owner_agency_id)
        .where(Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date < today)
        .group_by(Agency.id, Agency.name)
        .order_by(func.count().desc(), Agency.name)
    )
    return int(open_count or 0), tuple(AgencyCount(str(name), int(n)) for name, n in overdue)


def _review_counts(session: Session, today: date) -> tuple[int, int]:
    soon = today + timedelta(days=REVIEW_SOON_DAYS)
    # The newest assessment's review date per live referral, read from the covering index
    # ix_risk_assessments_newest (never the large assessment rows).
    newest_due = (
        select(Assessment.review_due)
        .where(Assessment.referral_id == Referral.id)
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    dues = (
        select(newest_due.label("due"))
        .where(Referral.status.in_(LIVE_REFERRAL_STATUSES))
        .subquery()
    )
    row = session.execute(
        select(
            func.coalesce(func.sum(case((dues.c.due < today, 1), else_=0)), 0),
            func.coalesce(func.sum(case((dues.c.due >= today, 1), else_=0)), 0),
        ).where(dues.c.due.is_not(None), dues.c.due <= soon)
    ).one()
    return int(row[1]), int(row[0])


def summarise(store: Store, today: date | None = None) -> DashboardSummary:
    """Everything the dashboard shows, in one read-only unit of work."""
    today = today or date.today()
    with store.read() as session:
        total, by_status, recent = _referral_counts(session, today)
        referrals_12m, repeats_12m = _repeat_counts(session, today)
        next_meeting = _next_meeting(session, today)
        open_actions, overdue_by_agency = _action_counts(session, today)
        due_soon, overdue_reviews = _review_counts(session, today)
        awaiting = session.scalar(
            select(func.count()).select_from(Referral).where(Referral.status == "received")
        )
        minutes_late = _minutes_overdue(session, today)
        lapsing = referrals.count_lapsing_in_session(session, today.year, today.month)
    return DashboardSummary(
        today=today,
        referrals_total=total,
        referrals_by_status=by_status,
        received_recent=recent,
        referrals_12_months=referrals_12m,
        repeats_12_months=repeats_12m,
        repeat_percent=percent_half_up(repeats_12m, referrals_12m),
        next_meeting=next_meeting,
        open_actions=open_actions,
        overdue_actions=sum(item.count for item in overdue_by_agency),
        overdue_by_agency=overdue_by_agency,
        reviews_due_soon=due_soon,
        reviews_overdue=overdue_reviews,
        awaiting_listing=int(awaiting or 0),
        minutes_overdue=minutes_late,
        lapsing_this_month=lapsing,
    )


# Minutes older than this are history, not a task (stores imported from older records).
MINUTES_LOOKBACK_DAYS = 90


def _minutes_overdue(session: Session, today: date) -> tuple[MinutesOverdue, ...]:
    """Held meetings of the last few months whose minutes have not been circulated and whose
    deadline (N working days after the meeting, per panel) has passed."""
    rows = session.execute(
        select(Meeting.id, Meeting.meeting_date, Meeting.panel_id, Panel.name)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(
            Meeting.status == "held",
            Meeting.minutes_circulated_on.is_(None),
            Meeting.meeting_date >= today - timedelta(days=MINUTES_LOOKBACK_DAYS),
            Meeting.meeting_date < today,
        )
        .order_by(Meeting.meeting_date)
    ).all()
    configs: dict[int, panels.PanelConfig] = {}
    late = []
    for meeting_id, day, panel_id, name in rows:
        if panel_id not in configs:
            configs[panel_id] = panels.config_in_session(session, panel_id)
        config = configs[panel_id]
        due = minutes_due(day, config.region, config.minutes_due_working_days)
        if due < today:
            late.append(MinutesOverdue(int(meeting_id), day, str(name), due))
    return tuple(late)
