"""What makes a referral valid, complete, and eligible to move between statuses.

Validation speaks field by field, in words a referrer understands, so the form can put each
message beside its field and an importer can name the row and column. Errors block a save;
warnings and the completeness list never do (DOMAIN.md §2: referrals are often incomplete, and
completeness is measured, not enforced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from marac_desk.core.identifiers import nhs_number_problem, reference_problem
from marac_desk.core.vocab import NOT_KNOWN, TRI_STATE

EARLIEST_PLAUSIBLE_DATE = date(1900, 1, 1)
MARAC_MIN_VICTIM_AGE = 16
YOUNG_VICTIM_AGES = (16, 17)  # reported separately in national returns
YOUNG_PERPETRATOR_MAX_AGE = 17
CHECKLIST_QUESTIONS = 24


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    field: str  # the form field, e.g. "victim.dob", "perpetrators[1].dob"
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class PersonDraft:
    first_name: str = ""
    last_name: str = ""
    dob: date | None = None
    # Keyword-only: subclasses' own fields keep their positions.
    nhs_number: str = field(default="", kw_only=True)
    agency_person_id: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class PerpetratorDraft(PersonDraft):
    relationship_to_victim: str = NOT_KNOWN


@dataclass(frozen=True)
class ChildDraft(PersonDraft):
    unborn: bool = False


@dataclass(frozen=True)
class ReferralDraft:
    """The facts validation needs; the form and the importer both build one."""

    referral_date: date | None
    referring_agency: str
    victim: PersonDraft
    joint_agency: str = ""
    perpetrators: tuple[PerpetratorDraft, ...] = ()
    children: tuple[ChildDraft, ...] = ()
    children_status: str = NOT_KNOWN  # none | listed | not_known
    crit_visible_high_risk: bool = False
    crit_professional_judgement: bool = False
    professional_judgement_reason: str = ""
    crit_potential_escalation: bool = False
    police_incidents_12m: int | None = None
    crit_repeat: bool = False
    risk_tool: str = ""
    risk_score: int | None = None
    phone: str = ""
    safe_to_call: str = NOT_KNOWN
    victim_lgbt: str = NOT_KNOWN
    tri_state_fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    """Per-panel settings (DOMAIN.md §2: thresholds vary by area)."""

    visible_high_risk_score: int = 14
    escalation_incidents: int = 3


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _check_dob(
    where: str, label: str, dob: date | None, referral_date: date | None, today: date
) -> list[Problem]:
    if dob is None:
        return []
    if dob > today:
        return [Problem(f"{where}.dob", f"{label}'s date of birth is in the future.")]
    if dob < EARLIEST_PLAUSIBLE_DATE:
        return [Problem(f"{where}.dob", f"{label}'s date of birth is before 1900.")]
    if referral_date is not None and dob > referral_date:
        return [Problem(f"{where}.dob", f"{label}'s date of birth is after the referral date.")]
    return []


def validate(
    draft: ReferralDraft, today: date, thresholds: Thresholds | None = None
) -> list[Problem]:
    """Every problem with a referral, in form order. Errors block saving; warnings do not."""
    return [
        *_referral_problems(draft, today),
        *_victim_problems(draft, today),
        *_perpetrator_problems(draft, today),
        *_children_problems(draft, today),
        *_criteria_problems(draft, thresholds or Thresholds()),
        *(
            Problem(name, "Choose yes, no, not known (not asked) or not stated (declined).")
            for name, value in draft.tri_state_fields.items()
            if value not in TRI_STATE
        ),
    ]


def _referral_problems(draft: ReferralDraft, today: date) -> list[Problem]:
    problems: list[Problem] = []
    ref_date = draft.referral_date
    if ref_date is None:
        problems.append(Problem("referral_date", "The referral date is required."))
    elif ref_date > today:
        problems.append(Problem("referral_date", "The referral date is in the future."))
    elif ref_date < date(2000, 1, 1):
        problems.append(Problem("referral_date", "The referral date is before 2000."))
    if not draft.referring_agency.strip():
        problems.append(Problem("referring_agency", "The referring agency is required."))
    if draft.joint_agency and draft.joint_agency == draft.referring_agency:
        problems.append(Problem("joint_agency", "A joint referral needs two different agencies."))
    return problems


def _victim_problems(draft: ReferralDraft, today: date) -> list[Problem]:
    victim, ref_date = draft.victim, draft.referral_date
    problems: list[Problem] = []
    if not (victim.first_name.strip() or victim.last_name.strip()):
        problems.append(Problem("victim.name", "The victim's name is required."))
    dob_problems = _check_dob("victim", "The victim", victim.dob, ref_date, today)
    problems += dob_problems
    problems += _identifier_problems("victim", victim)
    if victim.dob and ref_date and not dob_problems:
        age = age_on(victim.dob, ref_date)
        if age < MARAC_MIN_VICTIM_AGE:
            problems.append(
                Problem(
                    "victim.dob",
                    f"The victim is {age} on the referral date; MARAC hears victims aged 16 "
                    "and over (use the child protection route).",
                    Severity.WARNING,
                )
            )
    return problems


def _identifier_problems(where: str, person: PersonDraft) -> list[Problem]:
    found = [
        Problem(f"{where}.{name}", problem)
        for name, problem in (
            ("nhs_number", nhs_number_problem(person.nhs_number)),
            ("agency_person_id", reference_problem(person.agency_person_id)),
        )
        if problem
    ]
    return found


def _perpetrator_problems(draft: ReferralDraft, today: date) -> list[Problem]:
    problems: list[Problem] = []
    ref_date = draft.referral_date
    for i, perp in enumerate(draft.perpetrators, start=1):
        where, label = f"perpetrators[{i}]", f"Perpetrator {i}"
        if not (perp.first_name.strip() or perp.last_name.strip()):
            problems.append(Problem(f"{where}.name", f"{label} needs a name (or remove them)."))
        dob_problems = _check_dob(where, label, perp.dob, ref_date, today)
        problems += dob_problems
        problems += _identifier_problems(where, perp)
        if perp.dob and ref_date and not dob_problems:
            age = age_on(perp.dob, ref_date)
            if age <= YOUNG_PERPETRATOR_MAX_AGE:
                problems.append(
                    Problem(
                        f"{where}.dob",
                        f"{label} is {age} on the referral date and will be counted as a "
                        "perpetrator aged 17 or under.",
                        Severity.WARNING,
                    )
                )
    return problems


def _children_problems(draft: ReferralDraft, today: date) -> list[Problem]:
    problems: list[Problem] = []
    for i, child in enumerate(draft.children, start=1):
        if child.unborn:
            continue
        problems += _check_dob(
            f"children[{i}]", f"Child {i}", child.dob, draft.referral_date, today
        )
    if draft.children and draft.children_status == "none":
        problems.append(
            Problem("children_status", "Children are listed but 'no children' is ticked.")
        )
    return problems


def _criteria_problems(draft: ReferralDraft, limits: Thresholds) -> list[Problem]:
    problems: list[Problem] = []
    if draft.risk_score is not None and not 0 <= draft.risk_score <= CHECKLIST_QUESTIONS:
        problems.append(
            Problem("risk_score", f"A checklist score is between 0 and {CHECKLIST_QUESTIONS}.")
        )
    if (
        draft.crit_visible_high_risk
        and draft.risk_score is not None
        and draft.risk_score < limits.visible_high_risk_score
    ):
        problems.append(
            Problem(
                "crit_visible_high_risk",
                f"Visible high risk needs a checklist score of "
                f"{limits.visible_high_risk_score} or more; the score is {draft.risk_score}.",
            )
        )
    if draft.crit_professional_judgement and not draft.professional_judgement_reason.strip():
        problems.append(
            Problem(
                "professional_judgement_reason",
                "Professional judgement needs the referrer's reason in writing.",
            )
        )
    if draft.crit_potential_escalation:
        count = draft.police_incidents_12m
        if count is None:
            problems.append(
                Problem(
                    "police_incidents_12m",
                    "Potential escalation needs the number of police incidents in 12 months.",
                )
            )
        elif count < 0:
            problems.append(Problem("police_incidents_12m", "The number cannot be negative."))
        elif count < limits.escalation_incidents:
            problems.append(
                Problem(
                    "police_incidents_12m",
                    f"Potential escalation usually needs {limits.escalation_incidents} or more "
                    f"police incidents in 12 months; {count} recorded.",
                    Severity.WARNING,
                )
            )
    if not (
        draft.crit_visible_high_risk
        or draft.crit_professional_judgement
        or draft.crit_potential_escalation
        or draft.crit_repeat
    ):
        problems.append(Problem("criteria", "No referral criterion is ticked.", Severity.WARNING))
    return problems


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def missing_information(draft: ReferralDraft) -> list[str]:
    """What the referral lacks, for the completeness indicator (never blocks a save)."""
    missing: list[str] = []
    if not draft.perpetrators:
        missing.append("perpetrator")
    elif any(p.relationship_to_victim in ("", NOT_KNOWN) for p in draft.perpetrators):
        missing.append("relationship to victim")
    if draft.children_status == NOT_KNOWN and not draft.children:
        missing.append("children in the household")
    if draft.victim_lgbt == NOT_KNOWN:
        missing.append("sexual orientation")
    if draft.safe_to_call == NOT_KNOWN or not draft.phone.strip():
        missing.append("safe contact")
    if draft.victim.dob is None:
        missing.append("victim's date of birth")
    return missing


# ----- statuses ----------------------------------------------------------------------------------

# received → listed for a meeting → heard → closed; diverted or withdrawn with a reason and who
# decided; never a silent rejection. A heard case may be listed again (kept open, or deferred).
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"listed", "diverted", "withdrawn"}),
    "listed": frozenset({"received", "heard", "diverted", "withdrawn"}),
    "heard": frozenset({"listed", "closed"}),
    "closed": frozenset({"heard"}),
    "diverted": frozenset({"received"}),
    "withdrawn": frozenset({"received"}),
}
NEEDS_REASON = frozenset({"diverted", "withdrawn"})


def check_transition(
    current: str, new: str, reason: str = "", decided_by: str = ""
) -> list[Problem]:
    if new == current:
        return []
    if new not in TRANSITIONS.get(current, frozenset()):
        return [Problem("status", f"A referral cannot go from {current} to {new}.")]
    problems: list[Problem] = []
    if new in NEEDS_REASON or current in ("closed", "diverted", "withdrawn"):
        if not reason.strip():
            problems.append(Problem("status_reason", f"Say why the referral is {new}."))
        if not decided_by.strip():
            problems.append(Problem("status_decided_by", "Say who decided."))
    return problems
