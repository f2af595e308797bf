"""Referrals: intake with validation and matching, repeat flags, statuses, the list and the
detail a coordinator works from.

Every change is one unit of work with its audit event. Repeat flags are computed by
core.repeats from linked person ids and recomputed for every affected referral whenever people
are linked, unlinked or merged; a coordinator's override (with a reason) wins over the computed
flag but never replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from marac_desk.core import referral_rules as rules
from marac_desk.core.identifiers import identifiers_of, packed, unpacked
from marac_desk.core.matching import (
    SEEN_WITH_MATCHING_PERPETRATOR,
    SEEN_WITH_VICTIM,
    Decision,
    MatchResult,
    SeenWith,
)
from marac_desk.core.repeats import ReferralFacts, RepeatRule, add_months, assess_history
from marac_desk.core.vocab import NOT_KNOWN, OPEN_ACTION_STATUSES
from marac_desk.db.models import (
    Action,
    Agency,
    Panel,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
    ReferralSearch,
)
from marac_desk.db.person_keys import refresh_person_keys
from marac_desk.db.referral_search import prefix_bounds, refresh_search_of_victims, search_words
from marac_desk.db.store import Store
from marac_desk.services import audit, people, settings
from marac_desk.services.context import Actor, utcnow

DEFAULT_PANEL_NAME = "MARAC"


class ReferralRejected(ValueError):
    """The referral has errors; `problems` holds every one, each naming its field."""

    def __init__(self, problems: Sequence[rules.Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


# ----- input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    first_name: str = ""
    last_name: str = ""
    dob: date | None = None
    gender: str = NOT_KNOWN
    # The coordinator's choice: link to this person, or (None) a new person.
    person_id: int | None = None
    # True when the coordinator saw the candidates and chose "new person": no review is queued.
    decided: bool = False
    # Agencies' identifiers as typed (validated by core.referral_rules; blank when unknown).
    nhs_number: str = field(default="", kw_only=True)
    agency_person_id: str = field(default="", kw_only=True)

    @property
    def identifiers(self) -> tuple[str, ...]:
        """As `core.identifiers` stores them (call after validation: ValueError if invalid)."""
        return identifiers_of(self.nhs_number, self.agency_person_id)


@dataclass(frozen=True)
class PerpetratorInput(PersonInput):
    relationship_to_victim: str = NOT_KNOWN
    address: str = ""
    mental_health: str = NOT_KNOWN
    substance_misuse: str = NOT_KNOWN


@dataclass(frozen=True)
class ChildInput:
    first_name: str = ""
    last_name: str = ""
    dob: date | None = None
    relationship_to_victim: str = ""
    relationship_to_perpetrator: str = ""
    school: str = ""
    unborn: bool = False


@dataclass(frozen=True)
class ReferralInput:
    referral_date: date | None
    referring_agency: str
    victim: PersonInput
    panel: str = ""
    joint_agency: str = ""
    referrer_name: str = ""
    referrer_contact: str = ""
    external_ref: str = ""
    perpetrators: tuple[PerpetratorInput, ...] = ()
    children: tuple[ChildInput, ...] = ()
    children_status: str = NOT_KNOWN
    # Victim facts recorded on the referral; keys are Referral column names (victim_lgbt, …).
    victim_facts: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    crit_visible_high_risk: bool = False
    crit_professional_judgement: bool = False
    professional_judgement_reason: str = ""
    crit_potential_escalation: bool = False
    police_incidents_12m: int | None = None
    crit_repeat: bool = False
    risk_tool: str = ""
    risk_score: int | None = None
    risk_grade: str = ""
    import_fingerprint: str | None = None


# Referral columns a caller may set through victim_facts.
VICTIM_FACT_FIELDS: frozenset[str] = frozenset(
    {
        "victim_gender",
        "victim_ethnicity",
        "victim_bame",
        "victim_lgbt",
        "victim_disability",
        "victim_mental_health",
        "victim_substance_misuse",
        "victim_pregnant",
        "address",
        "postcode",
        "phone",
        "safe_to_call",
        "safe_to_text",
        "safe_to_leave_message",
        "best_contact_time",
        "language",
        "interpreter_needed",
        "others_feared",
        "victim_aware",
        "victim_consented",
        "no_consent_reason",
        "previous_marac_elsewhere",
    }
)
TRI_STATE_FACTS = frozenset(
    {
        "victim_bame",
        "victim_lgbt",
        "victim_disability",
        "victim_mental_health",
        "victim_substance_misuse",
        "victim_pregnant",
        "safe_to_call",
        "safe_to_text",
        "safe_to_leave_message",
        "interpreter_needed",
        "victim_aware",
        "victim_consented",
        "previous_marac_elsewhere",
    }
)


def draft_of(inp: ReferralInput) -> rules.ReferralDraft:
    facts = inp.victim_facts
    return rules.ReferralDraft(
        referral_date=inp.referral_date,
        referring_agency=inp.referring_agency,
        joint_agency=inp.joint_agency,
        victim=rules.PersonDraft(
            inp.victim.first_name,
            inp.victim.last_name,
            inp.victim.dob,
            nhs_number=inp.victim.nhs_number,
            agency_person_id=inp.victim.agency_person_id,
        ),
        perpetrators=tuple(
            rules.PerpetratorDraft(
                p.first_name,
                p.last_name,
                p.dob,
                nhs_number=p.nhs_number,
                agency_person_id=p.agency_person_id,
                relationship_to_victim=p.relationship_to_victim,
            )
            for p in inp.perpetrators
        ),
        children=tuple(
            rules.ChildDraft(c.first_name, c.last_name, c.dob, unborn=c.unborn)
            for c in inp.children
        ),
        children_status=inp.children_status,
        crit_visible_high_risk=inp.crit_visible_high_risk,
        crit_professional_judgement=inp.crit_professional_judgement,
        professional_judgement_reason=inp.professional_judgement_reason,
        crit_potential_escalation=inp.crit_potential_escalation,
        police_incidents_12m=inp.police_incidents_12m,
        crit_repeat=inp.crit_repeat,
        risk_tool=inp.risk_tool,
        risk_score=inp.risk_score,
        phone=str(facts.get("phone", "")),
        safe_to_call=str(facts.get("safe_to_call", NOT_KNOWN)),
        victim_lgbt=str(facts.get("victim_lgbt", NOT_KNOWN)),
        tri_state_fields={k: str(v) for k, v in facts.items() if k in TRI_STATE_FACTS},
    )


def thresholds(values: dict[str, Any]) -> rules.Thresholds:
    return rules.Thresholds(
        visible_high_risk_score=int(values["visible_high_risk_score"]),
        escalation_incidents=int(values["escalation_incidents"]),
    )


def repeat_rule(values: dict[str, Any]) -> RepeatRule:
    return RepeatRule(
        window_months=int(values["repeat_window_months"]),
        same_perpetrator_required=bool(values["repeat_same_perpetrator_required"]),
    )


def check(store: Store, inp: ReferralInput, today: date) -> list[rules.Problem]:
    """Validation as the form shows it while typing (errors and warnings)."""
    return rules.validate(draft_of(inp), today, thresholds(settings.get_all(store)))


# ----- output -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedReferral:
    id: int
    case_ref: str
    is_repeat: bool
    previous_referral_id: int | None
    new_perpetrator_flag: bool
    match_status: str
    victim_id: int
    perpetrator_ids: tuple[int, ...]
    warnings: tuple[rules.Problem, ...]
    reviews_queued: int


@dataclass(frozen=True)
class ReferralRow:
    """One line of the referral list."""

    id: int
    case_ref: str
    referral_date: date
    victim_name: str
    victim_dob: date | None
    referring_agency: str
    status: str
    repeat: bool
    new_perpetrator: bool
    risk_score: int | None
    risk_grade: str
    panel: str
    match_status: str


@dataclass(frozen=True)
class ActionBrief:
    id: int
    owner_agency: str
    text: str
    due_date: date | None
    status: str


@dataclass(frozen=True)
class PreviousReferral:
    id: int
    case_ref: str
    referral_date: date
    status: str
    perpetrators: tuple[str, ...]
    actions: tuple[ActionBrief, ...]  # outstanding first


@dataclass(frozen=True)
class PersonOnReferral:
    person_id: int | None
    first_name: str
    last_name: str
    dob: date | None
    relationship: str = ""
    row_id: int | None = None  # the perpetrator or child row on this referral (for relinking)
    # The linked person record's agency identifiers, as core.identifiers.display shows them.
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferralDetail:
    id: int
    case_ref: str
    panel: str
    referral_date: date
    referring_agency: str
    joint_agency: str
    external_ref: str
    status: str
    status_reason: str
    status_decided_by: str
    victim: PersonOnReferral
    perpetrators: tuple[PersonOnReferral, ...]
    children: tuple[PersonOnReferral, ...]
    children_status: str
    criteria: tuple[str, ...]
    professional_judgement_reason: str
    police_incidents_12m: int | None
    risk_tool: str
    risk_score: int | None
    risk_grade: str
    reason: str
    computed_repeat: bool
    repeat_override: bool | None
    repeat_override_reason: str
    new_perpetrator_flag: bool
    match_status: str
    missing: tuple[str, ...]
    previous: tuple[PreviousReferral, ...]
    facts: dict[str, Any]
    previous_referral_id: int | None = None  # the referral this one repeats (computed)
    referrer_name: str = ""
    referrer_contact: str = ""

    @property
    def is_repeat(self) -> bool:
        return self.computed_repeat if self.repeat_override is None else self.repeat_override


# ----- helpers ----------------------------------------------------------------------------------


@dataclass
class IntakeCache:
    """Lookups that a caller entering many referrals in one unit of work (the importer) makes
    once instead of per referral: panels, agency ids, and the last case number of each stem.
    Valid only inside that one unit of work."""

    panels: dict[str, Panel] = field(default_factory=dict)
    agencies: dict[str, int] = field(default_factory=dict)
    case_numbers: dict[str, int] = field(default_factory=dict)


def _agency_id(session: Session, name: str, cache: IntakeCache | None = None) -> int:
    wanted = " ".join(name.split())
    if cache is not None and wanted.lower() in cache.agencies:
        return cache.agencies[wanted.lower()]
    agency_id = session.scalar(select(Agency.id).where(func.lower(Agency.name) == wanted.lower()))
    if agency_id is None:
        raise ReferralRejected(
            [rules.Problem("referring_agency", f"No agency is called '{wanted}'.")]
        )
    if cache is not None:
        cache.agencies[wanted.lower()] = int(agency_id)
    return int(agency_id)


def _panel(session: Session, name: str, cache: IntakeCache | None = None) -> Panel:
    if cache is not None and name.strip() in cache.panels:
        return cache.panels[name.strip()]
    panel = _find_panel(session, name)
    if cache is not None:
        cache.panels[name.strip()] = panel
    return panel


def _find_panel(session: Session, name: str) -> Panel:
    query = select(Panel).where(Panel.active.is_(True)).order_by(Panel.id)
    if name.strip():
        query = query.where(Panel.name == name.strip())
    panel = session.scalars(query).first()
    if panel is None:
        if name.strip():
            raise ReferralRejected(
                [rules.Problem("panel", f"No panel is called '{name.strip()}'.")]
            )
        panel = Panel(
            name=DEFAULT_PANEL_NAME,
            panel_type="marac",
            cadence="weekly:wed",
            options={},
            created_at=utcnow(),
        )
        session.add(panel)
        session.flush()
    return panel


def _prefix(panel: Panel) -> str:
    custom = str((panel.options or {}).get("case_ref_prefix", "")).strip()
    if custom:
        return custom.upper()
    words = [w for w in panel.name.replace("-", " ").split() if w[:1].isalpha()]
    initials = "".join(w[0] for w in words if w.upper() != "MARAC")[:3]
    return (initials or "MC").upper()


def next_case_ref(
    session: Session, panel: Panel, on: date, cache: IntakeCache | None = None
) -> str:
    stem = f"{_prefix(panel)}-{on.year}-"
    if cache is not None and stem in cache.case_numbers:
        number = cache.case_numbers[stem] + 1
    else:
        last = session.scalar(
            select(func.max(Referral.case_ref)).where(Referral.case_ref.like(f"{stem}%"))
        )
        tail = last.rsplit("-", 1)[1] if last else ""
        number = int(tail) + 1 if tail.isdigit() else 1
    if cache is not None:
        cache.case_numbers[stem] = number
    return f"{stem}{number:05d}"


def link_target(found: Sequence[MatchResult], *, auto_link: bool) -> int | None:
    """The person to link to without asking, if any: only when linking automatically is allowed,
    the best candidate is at link strength and no other is (two people both at link strength is
    not overwhelming: ask instead). Otherwise the caller creates a new person, on the review
    list when anything was `found`."""
    best = found[0] if found else None
    if not (auto_link and best is not None and best.decision is Decision.LINK and best.person_id):
        return None
    runner_up = found[1] if len(found) > 1 else None
    if runner_up is not None and runner_up.decision is Decision.LINK:
        return None
    return best.person_id


def match_status_of(found: Sequence[MatchResult]) -> str:
    """How a new person came to be made: 'review' when there were candidates, else 'new'."""
    return "review" if found else "new"


@dataclass(frozen=True)
class PersonChoice:
    """What intake decided for one of a referral's people, before anything is written: the
    person to link to (the coordinator's choice or an automatic link), else None for a new
    person, and the candidates that were found (queued for review when a new person is made)."""

    target: int | None
    found: list[MatchResult]
    chosen: bool = False  # the coordinator chose `target`


# (position in the referral's people: 0 the victim, then the perpetrators; people named before
# with someone already linked) -> the candidates, best first.
Ranker = Callable[[int, SeenWith | None], list[MatchResult]]
# (people, whether they are victims) -> the people named on the same referrals as them.
NamedWith = Callable[[Sequence[int], bool], frozenset[int]]


def choose_people(
    inputs: Sequence[PersonInput],
    given: Sequence[int | None],
    ranked: Ranker,
    named_with: NamedWith,
    *,
    auto_link: bool,
) -> list[PersonChoice]:
    """Who a referral's people are: `inputs[0]` the victim, the rest perpetrators; `given` the
    live person each was linked to by the coordinator (or None). The victim is decided first;
    each perpetrator is then compared with the perpetrators named with that victim before
    (a victim naming the same abuser again is strong evidence); when the victim was not linked
    but a perpetrator was, the victim is compared again with that perpetrator's victims; when
    neither was, a victim candidate and a perpetrator candidate named together on an earlier
    referral are linked together if each, given the other, links on their own names (and only
    one such pair exists). Intake and bulk intake both decide through this, so they agree."""

    def choose(i: int, seen: SeenWith | None, taken: Iterable[int | None] = ()) -> PersonChoice:
        """`taken`: people already chosen for others on this referral (nobody is both)."""
        if given[i] is not None:
            return PersonChoice(given[i], [], chosen=True)
        found = ranked(i, seen) if not inputs[i].decided else []
        others = {t for t in taken if t is not None}
        if others:
            found = [r for r in found if r.person_id not in others]
        return PersonChoice(link_target(found, auto_link=auto_link), found)

    def seen(ids: Sequence[int | None], victims: bool) -> SeenWith | None:
        linked = [i for i in ids if i is not None]
        return SeenWith.of(named_with(linked, victims) if linked else (), victims=victims)

    victim = choose(0, None)
    perps: list[PersonChoice] = []
    for i in range(1, len(inputs)):
        taken = [victim.target, *(p.target for p in perps)]
        perps.append(choose(i, seen([victim.target], True), taken))
    if victim.target is None and not inputs[0].decided:
        again = seen([p.target for p in perps], False)
        if again is not None:
            victim = choose(0, again, [p.target for p in perps])
    if victim.target is None and victim.found and auto_link:
        pair = _linked_pair(victim, perps, choose, named_with)
        if pair is not None:
            victim, linked = pair
            perps = [linked.get(i, p) for i, p in enumerate(perps, start=1)]
            for i, p in enumerate(perps, start=1):
                if p.target is None and not p.chosen:
                    taken = [victim.target, *(q.target for q in perps)]
                    perps[i - 1] = choose(i, seen([victim.target], True), taken)
    return [victim, *perps]


Chooser = Callable[[int, SeenWith | None, Iterable[int | None]], PersonChoice]


def _linked_pair(
    victim: PersonChoice,
    perps: Sequence[PersonChoice],
    choose: Chooser,
    named_with: NamedWith,
) -> tuple[PersonChoice, dict[int, PersonChoice]] | None:
    """The victim candidate, with the perpetrators (by position) who link given her, when she
    and they were on earlier referrals together, each links given the other and a date of birth
    agrees for at least one of them (two couples of common names without dates of birth can be
    two other couples); None when no victim candidate qualifies, or more than one does (then
    the coordinator decides)."""
    found = []
    for candidate in victim.found:
        v = candidate.person_id
        if v is None:
            continue
        companions = named_with([v], True)
        if not companions:
            continue
        linked: dict[int, PersonChoice] = {}
        for i, perp in enumerate(perps, start=1):
            if perp.target is not None or perp.chosen:
                continue
            if companions.isdisjoint(r.person_id for r in perp.found):
                continue
            taken = [v, *(p.target for p in perps)]
            perp_again = choose(i, SeenWith(companions, SEEN_WITH_VICTIM), taken)
            if perp_again.target in companions:
                linked[i] = perp_again
        if not linked:
            continue
        taken = [p.target for p in linked.values()]
        victim_again = choose(0, SeenWith(frozenset({v}), SEEN_WITH_MATCHING_PERPETRATOR), taken)
        dob_agrees = victim_again.found and victim_again.found[0].dob_agrees
        if victim_again.target == v and (
            dob_agrees or any(p.found[0].dob_agrees for p in linked.values())
        ):
            found.append((victim_again, linked))
    return found[0] if len(found) == 1 else None


def linked_person(session: Session, person: PersonInput) -> int | None:
    """The live person the coordinator linked `person` to, if any."""
    if person.person_id is None:
        return None
    live = people.live_person_id(session, person.person_id)
    if live is None:
        raise ReferralRejected([rules.Problem("person", "The linked person no longer exists.")])
    return live


def _choose_in_session(
    session: Session, inputs: Sequence[PersonInput], *, auto_link: bool, postcode: str
) -> list[PersonChoice]:
    def ranked(i: int, seen_with: SeenWith | None) -> list[MatchResult]:
        person = inputs[i]
        probe = people.evidence_from(
            person.first_name,
            person.last_name,
            person.dob,
            postcode=postcode if i == 0 else "",
            identifiers=person.identifiers,
        )
        return people.ranked_in_session(session, probe, seen_with=seen_with)

    return choose_people(
        inputs,
        [linked_person(session, p) for p in inputs],
        ranked,
        lambda ids, victims: people.named_with(session, ids, victims=victims),
        auto_link=auto_link,
    )


def _settle_person(
    session: Session, person: PersonInput, choice: PersonChoice
) -> tuple[int, str, list[Any]]:
    """(person id, how it was matched, results to queue for review). What the referral says of
    them beyond a new person's own names is noted by `_note_what_it_says` once it exists."""
    if choice.target is not None:
        return choice.target, "linked", []
    new_id = people.create_person_in_session(
        session, person.first_name, person.last_name, person.dob, person.gender
    )
    return new_id, match_status_of(choice.found), choice.found


def _note_what_it_says(
    session: Session, person_id: int, person: PersonInput, referral_id: int
) -> None:
    said = people.WhatWasSaid(
        referral_id, person.first_name, person.last_name, person.dob, person.identifiers
    )
    people.note_what_was_said(session, person_id, said)


# ----- intake -----------------------------------------------------------------------------------


def create_referral(
    store: Store,
    actor: Actor,
    inp: ReferralInput,
    *,
    today: date,
    auto_link: bool = False,
    source: str = "intake",
) -> SavedReferral:
    values = settings.get_all(store)
    problems = rules.validate(draft_of(inp), today, thresholds(values))
    if rules.errors_only(problems):
        raise ReferralRejected(rules.errors_only(problems))
    with store.write() as session:
        saved = create_in_session(
            session, actor, inp, values=values, auto_link=auto_link, source=source
        )
    return replace(saved, warnings=tuple(problems))


def referral_values(
    inp: ReferralInput,
    *,
    case_ref: str,
    panel_id: int,
    agency_id: int,
    joint_id: int | None,
    victim_id: int,
    match_status: str,
    now: datetime,
) -> dict[str, Any]:
    """A new referral's column values from the input and what intake resolved (one source for
    intake and the bulk import)."""
    values: dict[str, Any] = {
        "case_ref": case_ref,
        "panel_id": panel_id,
        "referral_date": inp.referral_date,
        "referring_agency_id": agency_id,
        "joint_agency_id": joint_id,
        "referrer_name": inp.referrer_name.strip(),
        "referrer_contact": inp.referrer_contact.strip(),
        "external_ref": inp.external_ref.strip(),
        "victim_id": victim_id,
        "victim_first_name": inp.victim.first_name.strip(),
        "victim_last_name": inp.victim.last_name.strip(),
        "victim_dob": inp.victim.dob,
        "victim_identifiers": packed(inp.victim.identifiers),
        "reason": inp.reason,
        "crit_visible_high_risk": inp.crit_visible_high_risk,
        "crit_professional_judgement": inp.crit_professional_judgement,
        "professional_judgement_reason": inp.professional_judgement_reason.strip(),
        "crit_potential_escalation": inp.crit_potential_escalation,
        "police_incidents_12m": inp.police_incidents_12m,
        "crit_repeat": inp.crit_repeat,
        "risk_tool": inp.risk_tool,
        "risk_score": inp.risk_score,
        "risk_grade": inp.risk_grade,
        "children_status": "listed" if inp.children else inp.children_status,
        "match_status": match_status,
        "import_fingerprint": inp.import_fingerprint,
        "status": "received",
        "created_at": now,
        "updated_at": now,
        "victim_gender": inp.victim.gender,
    }
    values.update(inp.victim_facts)  # victim facts win (victim_gender among them)
    return values


def perpetrator_values(perp: PerpetratorInput, referral_id: int, person_id: int) -> dict[str, Any]:
    return {
        "referral_id": referral_id,
        "person_id": person_id,
        "first_name": perp.first_name.strip(),
        "last_name": perp.last_name.strip(),
        "dob": perp.dob,
        "identifiers": packed(perp.identifiers),
        "gender": perp.gender,
        "relationship_to_victim": perp.relationship_to_victim,
        "address": perp.address,
        "mental_health": perp.mental_health,
        "substance_misuse": perp.substance_misuse,
    }


def child_values(child: ChildInput, referral_id: int) -> dict[str, Any]:
    return {
        "referral_id": referral_id,
        "first_name": child.first_name.strip(),
        "last_name": child.last_name.strip(),
        "dob": child.dob,
        "relationship_to_victim": child.relationship_to_victim,
        "relationship_to_perpetrator": child.relationship_to_perpetrator,
        "school": child.school,
    }


def check_victim_facts(inp: ReferralInput) -> None:
    unknown = set(inp.victim_facts) - VICTIM_FACT_FIELDS
    if unknown:
        raise ValueError(f"unknown victim facts: {sorted(unknown)}")


def create_event_description(case_ref: str, source: str, match_status: str) -> str:
    return f"referral {case_ref} received ({source}; victim {match_status})"


def repeat_event_description(is_repeat: bool) -> str:
    return f"repeat flag recomputed: {'repeat' if is_repeat else 'not a repeat'}"


def create_in_session(
    session: Session,
    actor: Actor,
    inp: ReferralInput,
    *,
    values: dict[str, Any],
    auto_link: bool,
    source: str,
    cache: IntakeCache | None = None,
) -> SavedReferral:
    """The insert itself, for callers that hold a unit of work (the importer: all or nothing).
    A caller entering many referrals passes one IntakeCache for the whole unit of work."""
    assert inp.referral_date is not None
    check_victim_facts(inp)
    panel = _panel(session, inp.panel, cache)
    agency_id = _agency_id(session, inp.referring_agency, cache)
    joint_id = _agency_id(session, inp.joint_agency, cache) if inp.joint_agency.strip() else None
    postcode = str(inp.victim_facts.get("postcode", ""))
    choices = _choose_in_session(
        session, [inp.victim, *inp.perpetrators], auto_link=auto_link, postcode=postcode
    )
    victim_id, match_status, victim_found = _settle_person(session, inp.victim, choices[0])
    referral = Referral(
        **referral_values(
            inp,
            case_ref=next_case_ref(session, panel, inp.referral_date, cache),
            panel_id=panel.id,
            agency_id=agency_id,
            joint_id=joint_id,
            victim_id=victim_id,
            match_status=match_status,
            now=utcnow(),
        )
    )
    session.add(referral)
    session.flush()
    _note_what_it_says(session, victim_id, inp.victim, referral.id)

    touched = [victim_id]
    reviews = people.queue_reviews(session, victim_id, victim_found, source)
    perp_ids: list[int] = []
    for perp, choice in zip(inp.perpetrators, choices[1:], strict=True):
        pid, _how, found = _settle_person(session, perp, choice)
        _note_what_it_says(session, pid, perp, referral.id)
        reviews += people.queue_reviews(session, pid, found, source)
        perp_ids.append(pid)
        touched.append(pid)
        session.add(ReferralPerpetrator(**perpetrator_values(perp, referral.id, pid)))
    for child in inp.children:
        session.add(ReferralChild(**child_values(child, referral.id)))
    session.flush()
    refresh_person_keys(session.connection(), touched)
    refresh_search_of_victims(session.connection(), [victim_id], [referral.id])
    _recompute_for_victims(session, actor, [victim_id], values, quiet_ids={referral.id})
    audit.record(
        session,
        actor,
        "create",
        "referral",
        referral.id,
        create_event_description(referral.case_ref, source, match_status),
    )
    return SavedReferral(
        id=referral.id,
        case_ref=referral.case_ref,
        is_repeat=referral.is_repeat,
        previous_referral_id=referral.previous_referral_id,
        new_perpetrator_flag=referral.new_perpetrator_flag,
        match_status=match_status,
        victim_id=victim_id,
        perpetrator_ids=tuple(perp_ids),
        warnings=(),
        reviews_queued=reviews,
    )


# ----- repeats ----------------------------------------------------------------------------------


def _recompute_for_victims(
    session: Session,
    actor: Actor,
    victim_ids: Iterable[int],
    values: dict[str, Any],
    *,
    quiet_ids: set[int] | None = None,
) -> int:
    """Recompute the flags of every referral of these victims; audit each one that changed
    (except `quiet_ids`, whose creation event already says it). Returns how many changed."""
    victims = sorted(set(victim_ids))
    if not victims:
        return 0
    rule = repeat_rule(values)
    referrals = list(session.scalars(select(Referral).where(Referral.victim_id.in_(victims))))
    perps: dict[int, set[int]] = {r.id: set() for r in referrals}
    if referrals:
        for rid, pid in session.execute(
            select(ReferralPerpetrator.referral_id, ReferralPerpetrator.person_id).where(
                ReferralPerpetrator.referral_id.in_(list(perps))
            )
        ):
            perps[rid].add(pid)
    verdicts = assess_history(
        (
            ReferralFacts(r.id, r.referral_date, r.victim_id, frozenset(perps[r.id]))
            for r in referrals
        ),
        rule,
    )
    changed = 0
    for r in referrals:
        v = verdicts[r.id]
        new = (v.is_repeat, v.previous_referral_id, v.new_perpetrator)
        if (r.is_repeat, r.previous_referral_id, r.new_perpetrator_flag) == new:
            continue
        r.is_repeat, r.previous_referral_id, r.new_perpetrator_flag = new
        r.updated_at = utcnow()
        changed += 1
        if not (quiet_ids and r.id in quiet_ids):
            audit.record(
                session,
                actor,
                "update",
                "referral",
                r.id,
                repeat_event_description(v.is_repeat),
            )
    session.flush()
    return changed


def recompute_repeats_for_people(session: Session, actor: Actor, person_ids: Iterable[int]) -> int:
    """After people were linked, unlinked or merged: every referral they are victim or
    perpetrator in is judged again."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    victims = set(session.scalars(select(Referral.victim_id).where(Referral.victim_id.in_(ids))))
    victims |= set(
        session.scalars(
            select(Referral.victim_id)
            .join(ReferralPerpetrator, ReferralPerpetrator.referral_id == Referral.id)
            .where(ReferralPerpetrator.person_id.in_(ids))
        )
    )
    values = settings.get_all_in_session(session)
    return _recompute_for_victims(session, actor, victims, values)


def override_repeat(
    store: Store, actor: Actor, referral_id: int, is_repeat: bool | None, reason: str
) -> None:
    """The coordinator's own judgement (None clears it). A reason is required to set one."""
    if is_repeat is not None and not reason.strip():
        raise ReferralRejected(
            [rules.Problem("repeat_override_reason", "Say why you override the repeat flag.")]
        )
    with store.write() as session:
        referral = _get(session, referral_id)
        referral.repeat_override = is_repeat
        referral.repeat_override_reason = reason.strip() if is_repeat is not None else ""
        referral.updated_at = utcnow()
        what = "cleared" if is_repeat is None else ("repeat" if is_repeat else "not a repeat")
        audit.record(session, actor, "update", "referral", referral_id, f"repeat override: {what}")


# ----- status -----------------------------------------------------------------------------------


def set_status(
    store: Store,
    actor: Actor,
    referral_id: int,
    new: str,
    *,
    reason: str = "",
    decided_by: str = "",
) -> None:
    with store.write() as session:
        referral = _get(session, referral_id)
        problems = rules.check_transition(referral.status, new, reason, decided_by)
        if problems:
            raise ReferralRejected(problems)
        old = referral.status
        referral.status = new
        if reason.strip() or decided_by.strip():
            referral.status_reason = reason.strip()
            referral.status_decided_by = decided_by.strip()
        referral.updated_at = utcnow()
        audit.record(session, actor, "update", "referral", referral_id, f"status {old} → {new}")


def relink_person(
    store: Store,
    actor: Actor,
    referral_id: int,
    *,
    role: str,
    row_id: int | None = None,
    person_id: int,
) -> None:
    """Point the victim (role 'victim') or a perpetrator row at another person, then recompute.

    What the referral said of the person (a spelling, another DOB, an identifier) moves with
    it: taken back from the person it named before unless another of their referrals says it
    too, and noted on the person it names now."""
    with store.write() as session:
        referral = _get(session, referral_id)
        live = people.live_person_id(session, person_id)
        if live is None:
            raise ValueError("That person does not exist.")
        person_id = live
        if role == "victim":
            old = referral.victim_id
            referral.victim_id = person_id
            referral.match_status = "linked"
            said = people.WhatWasSaid(
                referral_id,
                referral.victim_first_name,
                referral.victim_last_name,
                referral.victim_dob,
                unpacked(referral.victim_identifiers),
            )
        else:
            row = session.get(ReferralPerpetrator, row_id)
            if row is None or row.referral_id != referral_id:
                raise ValueError("No such perpetrator on this referral.")
            old = row.person_id
            row.person_id = person_id
            said = people.WhatWasSaid(
                referral_id,
                row.first_name,
                row.last_name,
                row.dob,
                unpacked(row.identifiers),
                row.id,
            )
        referral.updated_at = utcnow()
        session.flush()
        if old != person_id:
            people.move_what_was_said(session, said, old, person_id)
        refresh_person_keys(session.connection(), [old, person_id])
        refresh_search_of_victims(session.connection(), [old, person_id])
        recompute_repeats_for_people(session, actor, [old, person_id])
        audit.record(
            session,
            actor,
            "link",
            "referral",
            referral_id,
            f"{role} relinked from person {old} to {person_id}",
        )


def _get(session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise ValueError("That referral does not exist.")
    return referral


# ----- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralFilter:
    text: str = ""
    status: str | None = None
    repeat: bool | None = None
    agency: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    risk_band: str | None = None  # standard | medium | high (from the checklist score)
    panel: str | None = None


SORTABLE: dict[str, Any] = {
    "referral_date": Referral.referral_date,
    "case_ref": Referral.case_ref,
    "status": Referral.status,
    "risk_score": Referral.risk_score,
    "victim": Referral.victim_last_name,
    "victim_dob": Referral.victim_dob,
    "referring_agency": Agency.name,
    "repeat": func.coalesce(Referral.repeat_override, Referral.is_repeat),
    "match_status": Referral.match_status,
    "panel": Panel.name,
}


def _referrals_with_token(word: str) -> Any:
    """The referrals with a search token starting with `word` (an index range scan)."""
    low, high = prefix_bounds(word)
    token = ReferralSearch.token
    bounds = [token >= low, token < high] if high is not None else [token.startswith(low)]
    return select(ReferralSearch.referral_id).where(*bounds)


def _filtered(query: Any, flt: ReferralFilter, *, scan: bool = False) -> Any:
    """Add the list's filters to a select over referrals (loosely typed: columns vary).

    Text: every word typed must start one of the referral's search tokens (db.referral_search:
    the victim's names as written, the linked victim's names and aliases, the perpetrators'
    names as written, the case reference and the external reference, also from each part after
    a hyphen), case- and accent-insensitively.

    `scan=True` tests the matching ids while walking an index in the order wanted (`id + 0`
    keeps SQLite from driving the query by the ids instead): newest first, a common name stops
    after the first page and a rare one walks the date index only, where fetching and sorting
    every match would read thousands of referral rows.
    """
    referral_id = Referral.id + literal_column("0") if scan else Referral.id
    for word in search_words(flt.text):
        query = query.where(referral_id.in_(_referrals_with_token(word)))
    if flt.status:
        query = query.where(Referral.status == flt.status)
    if flt.repeat is not None:
        effective = func.coalesce(Referral.repeat_override, Referral.is_repeat)
        query = query.where(effective.is_(flt.repeat))
    if flt.agency:
        agency_ids = select(Agency.id).where(Agency.name == flt.agency)
        query = query.where(
            or_(
                Referral.referring_agency_id.in_(agency_ids),
                Referral.joint_agency_id.in_(agency_ids),
            )
        )
    if flt.date_from:
        query = query.where(Referral.referral_date >= flt.date_from)
    if flt.date_to:
        query = query.where(Referral.referral_date <= flt.date_to)
    if flt.risk_band == "high":
        query = query.where(Referral.risk_score >= 14)
    elif flt.risk_band == "medium":
        query = query.where(Referral.risk_score.between(10, 13))
    elif flt.risk_band == "standard":
        query = query.where(Referral.risk_score < 10)
    if flt.panel:
        query = query.where(Referral.panel_id.in_(select(Panel.id).where(Panel.name == flt.panel)))
    return query


def count_referrals(store: Store, flt: ReferralFilter | None = None) -> int:
    query = _filtered(select(func.count(Referral.id)), flt or ReferralFilter(), scan=True)
    with store.read() as session:
        return int(session.scalar(query) or 0)


def _row_query() -> Any:
    return (
        select(
            Referral.id,
            Referral.case_ref,
            Referral.referral_date,
            Referral.victim_first_name,
            Referral.victim_last_name,
            Referral.victim_dob,
            Agency.name,
            Referral.status,
            func.coalesce(Referral.repeat_override, Referral.is_repeat),
            Referral.new_perpetrator_flag,
            Referral.risk_score,
            Referral.risk_grade,
            Panel.name,
            Referral.match_status,
        )
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .join(Panel, Panel.id == Referral.panel_id)
    )


def _rows(session: Session, query: Any) -> list[ReferralRow]:
    return [
        ReferralRow(
            id=row[0],
            case_ref=row[1],
            referral_date=row[2],
            victim_name=" ".join(part for part in (row[3], (row[4] or "").upper()) if part),
            victim_dob=row[5],
            referring_agency=row[6],
            status=row[7],
            repeat=bool(row[8]),
            new_perpetrator=bool(row[9]),
            risk_score=row[10],
            risk_grade=row[11],
            panel=row[12],
            match_status=row[13],
        )
        for row in session.execute(query)
    ]


def list_referrals(
    store: Store,
    flt: ReferralFilter | None = None,
    *,
    offset: int = 0,
    limit: int = 200,
    sort: str = "referral_date",
    descending: bool = True,
) -> list[ReferralRow]:
    column = SORTABLE.get(sort, Referral.referral_date)
    order = (column.desc(), Referral.id.desc()) if descending else (column.asc(), Referral.id.asc())
    by_date = column is Referral.referral_date
    query = _filtered(_row_query(), flt or ReferralFilter(), scan=by_date).order_by(*order)
    with store.read() as session:
        return _rows(session, query.offset(offset).limit(limit))


def referrals_of_person(store: Store, person_id: int, limit: int = 50) -> list[ReferralRow]:
    """The referrals a person appears in, as victim or as perpetrator, newest first."""
    as_perpetrator = select(ReferralPerpetrator.referral_id).where(
        ReferralPerpetrator.person_id == person_id
    )
    query = (
        _row_query()
        .where(or_(Referral.victim_id == person_id, Referral.id.in_(as_perpetrator)))
        .order_by(Referral.referral_date.desc(), Referral.id.desc())
        .limit(limit)
    )
    with store.read() as session:
        return _rows(session, query)


def agency_names(store: Store) -> list[str]:
    """The agencies a referral can come from, by name (for the form and the list's filter)."""
    with store.read() as session:
        return list(
            session.scalars(
                select(Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
            )
        )


def panel_names(store: Store) -> list[str]:
    """The panels that hear referrals, oldest first (the first is the default)."""
    with store.read() as session:
        return list(
            session.scalars(select(Panel.name).where(Panel.active.is_(True)).order_by(Panel.id))
        )


def _lapsing_ids(values: dict[str, Any], year: int, month: int) -> Any:
    """Referral ids whose 12-month repeat window ends in the month (see lapsing_in_month)."""
    rule = repeat_rule(values)
    first = date(year, month, 1)
    last = add_months(first, 1).replace(day=1)
    start, end = add_months(first, -rule.window_months), add_months(last, -rule.window_months)
    later = aliased(Referral)
    return select(Referral.id).where(
        Referral.referral_date >= start,
        Referral.referral_date < end,
        ~select(later.id)
        .where(
            later.victim_id == Referral.victim_id,
            later.referral_date > Referral.referral_date,
        )
        .exists(),
    )


def count_lapsing_in_session(session: Session, year: int, month: int) -> int:
    values = settings.get_all_in_session(session)
    query = _lapsing_ids(values, year, month)
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def lapsing_in_month(store: Store, year: int, month: int) -> list[ReferralRow]:
    """Cases whose 12-month repeat window ends this month: the victim's latest referral was
    made a window ago, and nothing newer has come in (DOMAIN.md §3: the monthly lapse list)."""
    values = settings.get_all(store)
    with store.read() as session:
        ids = list(session.scalars(_lapsing_ids(values, year, month)))
    if not ids:
        return []
    rows: list[ReferralRow] = []
    with store.read() as session:
        for first_id in range(0, len(ids), 900):  # under SQLite's bound-parameter limit
            chunk = ids[first_id : first_id + 900]
            rows += _rows(session, _row_query().where(Referral.id.in_(chunk)))
    rows.sort(key=lambda r: (r.referral_date, r.id))
    return rows


# ----- the detail -------------------------------------------------------------------------------


def get_referral(store: Store, referral_id: int) -> ReferralDetail:
    with store.read() as session:
        r = _get(session, referral_id)
        agencies: dict[int, str] = {
            aid: name for aid, name in session.execute(select(Agency.id, Agency.name))
        }
        panel = session.get(Panel, r.panel_id)
        perps = list(
            session.scalars(
                select(ReferralPerpetrator)
                .where(ReferralPerpetrator.referral_id == r.id)
                .order_by(ReferralPerpetrator.id)
            )
        )
        children = list(
            session.scalars(
                select(ReferralChild)
                .where(ReferralChild.referral_id == r.id)
                .order_by(ReferralChild.id)
            )
        )
        held = people.identifiers_shown(
            session, [r.victim_id, *(p.person_id for p in perps if p.person_id is not None)]
        )

        def ids_of(person_id: int | None) -> tuple[str, ...]:
            return held.get(person_id, ()) if person_id is not None else ()

        criteria = tuple(
            name
            for name, ticked in (
                ("visible_high_risk", r.crit_visible_high_risk),
                ("professional_judgement", r.crit_professional_judgement),
                ("potential_escalation", r.crit_potential_escalation),
                ("repeat", r.crit_repeat),
            )
            if ticked
        )
        facts = {key: getattr(r, key) for key in sorted(VICTIM_FACT_FIELDS)}
        draft = draft_of(
            ReferralInput(
                referral_date=r.referral_date,
                referring_agency=agencies.get(r.referring_agency_id, ""),
                victim=PersonInput(r.victim_first_name, r.victim_last_name, r.victim_dob),
                perpetrators=tuple(
                    PerpetratorInput(
                        p.first_name,
                        p.last_name,
                        p.dob,
                        relationship_to_victim=p.relationship_to_victim,
                    )
                    for p in perps
                ),
                children=tuple(ChildInput(c.first_name, c.last_name, c.dob) for c in children),
                children_status=r.children_status,
                victim_facts={k: facts[k] for k in ("phone", "safe_to_call", "victim_lgbt")},
            )
        )
        return ReferralDetail(
            id=r.id,
            case_ref=r.case_ref,
            panel=panel.name if panel else "",
            referral_date=r.referral_date,
            referring_agency=agencies.get(r.referring_agency_id, ""),
            joint_agency=agencies.get(r.joint_agency_id, "") if r.joint_agency_id else "",
            external_ref=r.external_ref,
            status=r.status,
            status_reason=r.status_reason,
            status_decided_by=r.status_decided_by,
            victim=PersonOnReferral(
                r.victim_id,
                r.victim_first_name,
                r.victim_last_name,
                r.victim_dob,
                identifiers=ids_of(r.victim_id),
            ),
            perpetrators=tuple(
                PersonOnReferral(
                    p.person_id,
                    p.first_name,
                    p.last_name,
                    p.dob,
                    p.relationship_to_victim,
                    p.id,
                    identifiers=ids_of(p.person_id),
                )
                for p in perps
            ),
            children=tuple(
                PersonOnReferral(
                    c.person_id, c.first_name, c.last_name, c.dob, c.relationship_to_victim, c.id
                )
                for c in children
            ),
            children_status=r.children_status,
            criteria=criteria,
            professional_judgement_reason=r.professional_judgement_reason,
            police_incidents_12m=r.police_incidents_12m,
            risk_tool=r.risk_tool,
            risk_score=r.risk_score,
            risk_grade=r.risk_grade,
            reason=r.reason,
            computed_repeat=r.is_repeat,
            repeat_override=r.repeat_override,
            repeat_override_reason=r.repeat_override_reason,
            new_perpetrator_flag=r.new_perpetrator_flag,
            match_status=r.match_status,
            missing=tuple(rules.missing_information(draft)),
            previous=_previous(session, r, agencies),
            facts=facts,
            previous_referral_id=r.previous_referral_id,
            referrer_name=r.referrer_name,
            referrer_contact=r.referrer_contact,
        )


def _previous(
    session: Session, r: Referral, agencies: dict[int, str]
) -> tuple[PreviousReferral, ...]:
    """The victim's earlier referrals, newest first, each with its actions (outstanding first)."""
    earlier = list(
        session.scalars(
            select(Referral)
            .where(Referral.victim_id == r.victim_id, Referral.id != r.id)
            .where(
                or_(
                    Referral.referral_date < r.referral_date,
                    (Referral.referral_date == r.referral_date) & (Referral.id < r.id),
                )
            )
            .order_by(Referral.referral_date.desc(), Referral.id.desc())
        )
    )
    result = []
    for e in earlier:
        names = tuple(
            " ".join(x for x in (p.first_name, p.last_name.upper()) if x)
            for p in session.scalars(
                select(ReferralPerpetrator).where(ReferralPerpetrator.referral_id == e.id)
            )
        )
        actions = sorted(
            session.scalars(select(Action).where(Action.referral_id == e.id)),
            key=lambda a: (a.status not in OPEN_ACTION_STATUSES, a.due_date or date.max, a.id),
        )
        result.append(
            PreviousReferral(
                e.id,
                e.case_ref,
                e.referral_date,
                e.status,
                names,
                tuple(
                    ActionBrief(
                        a.id, agencies.get(a.owner_agency_id, ""), a.text, a.due_date, a.status
                    )
                    for a in actions
                ),
            )
        )
    return tuple(result)
