"""What the QA dip-sample checklist is made from: plain, frozen data from `services.dip_sample`.

QA data leaves the MARAC (to the steering group's reviewers), so it carries **no identifiers of
people** (DOMAIN.md §7): a sampled case is its case reference, dates of the referral and the
hearing, agencies, and counts and yes/no facts. There is deliberately no field here that could
hold a name, a date of birth, an address or free text typed about a case (the victim's voice,
agency notes and actions are represented by whether they were recorded and how many, never by
what they say). A reviewer who needs more opens the case in MARAC Desk by its reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from marac_desk.core.indicators import percent
from marac_desk.core.vocab import CASE_OUTCOMES, TRI_STATE


@dataclass(frozen=True)
class ActionFacts:
    """The actions agreed for a case at the sampled hearing, as they stand on `as_of`."""

    total: int = 0
    owner_named: int = 0  # a named person in the owning agency (the agency is always set)
    with_due_date: int = 0
    owner_and_due: int = 0  # both: what "an owner and a timescale" asks
    linked_to_risk: int = 0
    perpetrator_focused: int = 0  # category "perpetrator_disruption"
    idva_owned: int = 0  # owned by an agency in the IDVA category
    completed_on_time: int = 0  # completed on or before the due date
    completed_late: int = 0  # completed after it (or completed with no due date: undated)
    completed_undated: int = 0
    overdue: int = 0  # still open and past due on `as_of`
    open_not_due: int = 0  # still open, not yet due (or no due date)
    not_possible: int = 0  # change in circumstances
    not_undertaken: int = 0  # the agency did not do it
    updates: int = 0  # status updates recorded on these actions

    @property
    def owner_and_due_pct(self) -> int | None:
        return percent(self.owner_and_due, self.total)

    @property
    def completed(self) -> int:
        return self.completed_on_time + self.completed_late + self.completed_undated


@dataclass(frozen=True)
class ResearchFacts:
    """Research returns for the sampled hearing, by agency count."""

    requested: int = 0  # agencies asked, whatever they have answered
    received: int = 0
    nothing_held: int = 0

    @property
    def returned(self) -> int:
        """Agencies that answered: research received, or nothing held."""
        return self.received + self.nothing_held

    @property
    def asked(self) -> int:
        return self.requested + self.returned


@dataclass(frozen=True)
class SampledCase:
    """One case in the sample: the referral and its first hearing in the period."""

    number: int  # 1… in the checklist's reading order
    case_ref: str
    panel: str
    meeting_date: date  # the sampled hearing
    outcome: str  # one of core.vocab.CASE_OUTCOMES (heard_closed | heard_open)
    referral_date: date
    referring_agency: str
    joint_agency: str = ""
    hearings_in_period: int = 1
    # identification
    checklist_in_store: bool = False  # a risk form answered in MARAC Desk
    risk_tool: str = ""  # as recorded on the referral ("checklist", "dara", …)
    risk_score: int | None = None
    risk_grade: str = ""
    criteria: tuple[str, ...] = ()  # core.risk_forms.CRITERIA ids ticked on the referral
    judgement_reason_recorded: bool | None = None  # None: professional judgement not used
    # referral
    missing: tuple[str, ...] = ()  # core.referral_rules.missing_information
    is_repeat: bool = False
    repeat_overridden: bool = False  # the coordinator's override decided it
    previous_referral_on: date | None = None
    victim_aware: str = "not_known"  # tri-state
    # multi-agency engagement and victim representation
    agencies_present: tuple[str, ...] = ()
    apologies: int = 0
    apologies_information_sent: int = 0
    idva_attendance: str = "absent"  # present | apologies_sent | apologies | absent
    research: ResearchFacts = ResearchFacts()
    victim_voice_recorded: bool = False
    # information sharing
    contributions: int = 0  # agency contributions recorded at the hearing
    contributions_opinion: int = 0  # … of them marked as opinion
    risks_recorded: tuple[str, ...] = ()  # of RISK_AREAS, those with anything written
    children_listed: int = 0
    children_status: str = "not_known"  # none | listed | not_known
    # action planning
    actions: ActionFacts = ActionFacts()
    # volume
    cases_heard_at_meeting: int = 0
    seconds_on_case: int = 0  # the case timer; 0 when not timed
    allotted_minutes: int = 15
    case_cap_warn: int = 15
    case_cap_strong: int = 20
    # recording
    minutes_circulated_on: date | None = None
    minutes_due_on: date | None = None
    # governance
    confidentiality_read: bool = False
    quorate: bool = False
    quorum_note: str = ""
    observers: int = 0
    observers_signed: int = 0

    def __post_init__(self) -> None:
        if self.outcome not in CASE_OUTCOMES:
            raise ValueError(f"SampledCase.outcome must be a case outcome; got {self.outcome!r}")
        if self.victim_aware not in TRI_STATE:
            raise ValueError(f"SampledCase.victim_aware must be tri-state; got {self.victim_aware}")

    @property
    def checklist_completed(self) -> bool:
        return self.checklist_in_store or self.risk_score is not None

    @property
    def days_to_hearing(self) -> int:
        return (self.meeting_date - self.referral_date).days

    @property
    def minutes_on_time(self) -> bool | None:
        """None when the circulation date is not recorded."""
        if self.minutes_circulated_on is None or self.minutes_due_on is None:
            return None
        return self.minutes_circulated_on <= self.minutes_due_on


RISK_AREAS: tuple[str, ...] = ("victim", "children", "others", "professionals")
IDVA_ATTENDANCE: tuple[str, ...] = ("present", "apologies_sent", "apologies", "absent")


@dataclass(frozen=True)
class DipSample:
    """A reproducible random sample of cases heard in a period, with the facts to check."""

    partnership: str
    panel: str | None  # None: every panel
    period_label: str  # "Q1 2026/27" or "1 Apr 2026 – 30 Sep 2026"
    start: date
    end: date
    seed: int
    requested: int  # N asked for
    population: int  # distinct cases heard in the period
    cases: tuple[SampledCase, ...]
    as_of: date  # the day the facts (overdue actions) were read
    meetings_held: int = 0  # in the period, for the volume principle
    hearings: int = 0  # cases heard at those meetings, a case heard twice counting twice

    @property
    def took_all(self) -> bool:
        """Fewer cases were heard than asked for (or exactly as many): every one is taken."""
        return self.requested >= self.population

    @property
    def case_refs(self) -> tuple[str, ...]:
        return tuple(c.case_ref for c in self.cases)
