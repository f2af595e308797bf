"""What the documents are made from: plain, frozen data filled by the services layer.

Nothing here knows about the store. Every collection is a tuple, every date a `datetime.date`,
every agency a display name (the same spelling everywhere: an agency's action list is chosen by
comparing `Action.owner_agency` with the agency name given, exactly). Vocabulary fields take the
ids of `core.vocab` (statuses, outcomes) and `core.risk_forms.CRITERIA`; anything else is refused
when the object is made, so a document can never print a status nobody defined.

Identifiers of people (names, dates of birth) are carried so that the agenda can name them and an
agency's action list can identify a victim as far as its `identify` setting allows; the minutes
and the calendar print case references only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from marac_desk.core.risk_forms import CRITERIA
from marac_desk.core.vocab import (
    ACTION_STATUSES,
    ATTENDANCE_STATUSES,
    CASE_OUTCOMES,
)

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
HANDLING_LINE = "Not to be copied or shared without the agreement of the agencies concerned"
DEFAULT_CONFIDENTIALITY_STATEMENT = (
    "Information shared at this meeting is confidential. It is shared only to keep victims of "
    "domestic abuse and their children safe and to manage the risk posed by perpetrators. It "
    "must not be passed on to anyone outside this meeting without the agreement of the agency "
    "that shared it, except where the law requires. Research notes stay with the agency that "
    "made them; the minutes are the record of the meeting."
)

MEETING_STATUSES: tuple[str, ...] = ("planned", "held", "cancelled")
RESEARCH_STATUSES: tuple[str, ...] = ("requested", "received", "nothing_held")
NOTE_KINDS: tuple[str, ...] = ("fact", "opinion")

Identify = Literal["case_ref", "initials", "name_dob"]
IDENTIFY_MODES: tuple[Identify, ...] = ("case_ref", "initials", "name_dob")


def _check(value: str, allowed: tuple[str, ...], field: str) -> None:
    if value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(allowed)}; got {value!r}")


@dataclass(frozen=True)
class Person:
    """Someone named on a case: the victim, a perpetrator or a child."""

    first_name: str  # given name(s) as recorded (middle names may be included)
    last_name: str  # family name
    dob: date | None = None  # date of birth, None when not known

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name.strip(), self.last_name.strip()) if part)

    @property
    def initials(self) -> str:
        """First letter of each part of the given and family names: "Łukasz Wójcik-Żółć" → ŁWŻ."""
        parts = f"{self.first_name} {self.last_name}".replace("-", " ").split()
        return "".join(part[0].upper() for part in parts)


@dataclass(frozen=True)
class MeetingDetails:
    """One meeting of a panel: what the header of every document and the calendar need."""

    meeting_id: int  # the store's meeting id (calendar UIDs are built from it)
    partnership: str  # e.g. "Northtown Community Safety Partnership"
    panel: str  # the panel's name, e.g. "Northtown MARAC"
    meeting_date: date
    start_time: time | None = None  # local (UK) time; None when not set
    end_time: time | None = None  # the time the meeting finished (minutes) or is due to
    venue: str = ""  # a room or "Microsoft Teams"; printed and put in the calendar
    chair: str = ""  # chair's name and role as it should be printed
    minute_taker: str = ""
    status: str = "planned"  # one of MEETING_STATUSES; "cancelled" meetings show as cancelled

    def __post_init__(self) -> None:
        _check(self.status, MEETING_STATUSES, "MeetingDetails.status")


@dataclass(frozen=True)
class Attendee:
    """One line of the attendance record."""

    agency: str
    name: str  # the person attending, or who sent apologies
    status: str  # one of core.vocab.ATTENDANCE_STATUSES: present | apologies | observer
    information_sent: bool = False  # apologies: the agency sent its information beforehand
    information_sent_on: date | None = None  # ... and when
    statement_signed: bool = False  # observer: signed the confidentiality statement
    substitute_for: str = ""  # attending in place of this named person

    def __post_init__(self) -> None:
        _check(self.status, ATTENDANCE_STATUSES, "Attendee.status")


@dataclass(frozen=True)
class Action:
    """One action, as it stands when the document is made.

    The number printed for an action everywhere (minutes, agency lists, spreadsheets, calendar)
    is `action_id`, so an agency can quote it back whichever document it holds.
    """

    action_id: int
    meeting_id: int  # the meeting that agreed the action
    meeting_date: date  # ... and its date
    case_ref: str  # the referral's case reference
    owner_agency: str  # the agency that owns the action
    text: str  # what is to be done
    owner_person: str = ""  # the named person in that agency
    linked_risk: str = ""  # the identified risk the action addresses
    category: str = "other"  # one of core.vocab.ACTION_CATEGORIES (spreadsheets only)
    due_date: date | None = None  # current due date (after any carry-forward)
    status: str = "open"  # one of core.vocab.ACTION_STATUSES
    completed_on: date | None = None
    status_note: str = ""  # latest update's note: why not possible / not undertaken, etc.

    def __post_init__(self) -> None:
        _check(self.status, ACTION_STATUSES, "Action.status")

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "carried_forward")

    def is_overdue(self, on: date) -> bool:
        """Still open and due before `on`."""
        return self.is_open and self.due_date is not None and self.due_date < on


@dataclass(frozen=True)
class OutstandingAction:
    """An action from an earlier meeting that was still open when this meeting began.

    The minutes review every one of them (with `action.status` after the review as the outcome);
    an agency's list shows those of its own that are still overdue on the meeting date.
    """

    action: Action  # as it stands after this meeting's review (status, note, new due date)
    victim: Person  # the victim of that case: only an agency's list prints it, if asked to
    previous_due_date: date | None = None  # the due date before it was carried forward


@dataclass(frozen=True)
class SharedNote:
    """Something an agency shared about a case, kept as fact or as opinion."""

    agency: str
    text: str
    kind: str = "fact"  # one of NOTE_KINDS: fact | opinion

    def __post_init__(self) -> None:
        _check(self.kind, NOTE_KINDS, "SharedNote.kind")


@dataclass(frozen=True)
class Risks:
    """The risks the chair summarised for a case; an empty string prints "None identified"."""

    to_victim: str = ""
    to_children: str = ""
    to_others: str = ""
    to_professionals: str = ""


@dataclass(frozen=True)
class ResearchReturn:
    """Whether an agency has returned its research on a case (agenda grid)."""

    agency: str
    status: str  # one of RESEARCH_STATUSES: requested | received | nothing_held

    def __post_init__(self) -> None:
        _check(self.status, RESEARCH_STATUSES, "ResearchReturn.status")


@dataclass(frozen=True)
class Case:
    """One referral on the meeting's case list and what the meeting made of it."""

    position: int  # agenda order, 1-based
    case_ref: str
    victim: Person  # agenda and (per `identify`) agency lists; never printed in the minutes
    referring_agency: str
    is_repeat: bool = False
    previous_referral_on: date | None = None  # date of the previous referral, for a repeat
    perpetrators: tuple[Person, ...] = ()  # agenda only
    children: tuple[Person, ...] = ()  # agenda only
    time_slot: time | None = None  # agenda: when the case is due to be heard
    risk_tool: str = ""  # e.g. "DASH" or the form's title; printed beside the score
    risk_score: int | None = None  # checklist score ("yes" answers)
    risk_max: int | None = None  # out of how many questions, e.g. 24
    risk_band: str = ""  # e.g. "High" (after professional judgement), printed as given
    criteria_met: tuple[str, ...] = ()  # ids from core.risk_forms.CRITERIA
    victim_voice: str = ""  # the IDVA's account of the victim's views and wishes
    shared: tuple[SharedNote, ...] = ()  # in the order shared
    risks: Risks = Risks()
    actions: tuple[Action, ...] = ()  # agreed at this meeting for this case
    outcome: str = "pending"  # one of core.vocab.CASE_OUTCOMES
    outcome_reason: str = ""  # why deferred (or any note on the outcome)
    research: tuple[ResearchReturn, ...] = ()  # agenda grid; one per agency asked

    def __post_init__(self) -> None:
        _check(self.outcome, CASE_OUTCOMES, "Case.outcome")
        for criterion in self.criteria_met:
            _check(criterion, CRITERIA, "Case.criteria_met")
        for action in self.actions:
            if action.case_ref != self.case_ref:
                raise ValueError(
                    f"action {action.action_id} belongs to {action.case_ref!r}, "
                    f"not to case {self.case_ref!r}"
                )


@dataclass(frozen=True)
class Approval:
    """Who approved the minutes. Minutes without one are a draft (watermarked)."""

    approved_by: str
    approved_on: date
    version: int


@dataclass(frozen=True)
class Meeting:
    """Everything the minutes, the agenda and the agency action lists of one meeting print."""

    details: MeetingDetails
    cases: tuple[Case, ...] = ()  # any order: documents sort by `position`
    attendance: tuple[Attendee, ...] = ()
    confidentiality_statement: str = DEFAULT_CONFIDENTIALITY_STATEMENT
    confidentiality_read: bool = False  # the chair read the statement at the start
    outstanding: tuple[OutstandingAction, ...] = ()  # earlier meetings' actions under review
    other_business: tuple[str, ...] = ()  # any other business, one item each
    next_meeting_date: date | None = None
    next_meeting_time: time | None = None
    approval: Approval | None = None  # None: the minutes are a draft
    research_agencies: tuple[str, ...] = ()  # agenda grid columns; empty: those asked, A-Z

    def __post_init__(self) -> None:
        meeting_id = self.details.meeting_id
        positions = [case.position for case in self.cases]
        if len(set(positions)) != len(positions):
            raise ValueError("two cases share an agenda position")
        if len({case.case_ref for case in self.cases}) != len(self.cases):
            raise ValueError("a case is listed twice")
        for case in self.cases:
            for action in case.actions:
                if action.meeting_id != meeting_id:
                    raise ValueError(
                        f"action {action.action_id} was agreed at meeting {action.meeting_id}, "
                        f"not at this meeting ({meeting_id})"
                    )
        for item in self.outstanding:
            if item.action.meeting_id == meeting_id:
                raise ValueError(
                    f"action {item.action.action_id} was agreed at this meeting: it is not "
                    "outstanding from an earlier one"
                )

    @property
    def agenda(self) -> tuple[Case, ...]:
        """The cases in agenda order."""
        return tuple(sorted(self.cases, key=lambda case: case.position))

    @property
    def actions(self) -> tuple[Action, ...]:
        """Every action agreed at this meeting, in agenda order then as agreed."""
        return tuple(action for case in self.agenda for action in case.actions)

    @property
    def research_columns(self) -> tuple[str, ...]:
        """The agenda's research agencies: `research_agencies`, then any other agency asked, A-Z."""
        named = list(self.research_agencies)
        asked = {r.agency for case in self.cases for r in case.research}
        named += sorted(asked - set(named), key=str.casefold)
        return tuple(named)


@dataclass(frozen=True)
class OpenActions:
    """Every action still open across the partnership's meetings on a given day, each with the
    victim of its case: what an agency's list of all its open actions is made from."""

    partnership: str
    as_of: date  # the day the list describes; overdue means due before it
    actions: tuple[tuple[Action, Person], ...]

    def __post_init__(self) -> None:
        for action, _ in self.actions:
            if not action.is_open:
                raise ValueError(f"action {action.action_id} is {action.status}, not open")
