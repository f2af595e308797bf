"""People: finding candidates as the coordinator types, reviewing possible duplicates, and
merging or un-merging people — always reversibly, always audited, repeats recomputed.

Matching proposes; the coordinator decides (DOMAIN.md §3). Scores and reasons come from
core.matching; this module only fetches the evidence and records decisions.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from marac_desk.core.identifiers import display as identifier_display
from marac_desk.core.identifiers import unpacked
from marac_desk.core.matching import (
    Decision,
    MatchResult,
    NameCounts,
    NameForm,
    PersonEvidence,
    SeenWith,
    compare,
    identifier_keys,
    name_count_keys,
    probe_keys,
    rank,
)
from marac_desk.db.models import (
    MatchReview,
    Person,
    PersonAlias,
    PersonDob,
    PersonIdentifier,
    PersonKey,
    PersonMerge,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
)
from marac_desk.db.person_keys import load_evidence, refresh_person_keys
from marac_desk.db.referral_search import refresh_search_of_victims
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.context import Actor, utcnow

# How many people share the most keys with a probe before they are scored in full.
SHORTLIST = 60
# The kind of alias kept when a linked referral spells a person differently.
VARIANT_KIND = "spelling"


@dataclass(frozen=True)
class PersonView:
    id: int
    first_name: str
    last_name: str
    dob: date | None
    gender: str
    aliases: tuple[str, ...]
    alternative_dobs: tuple[date, ...]
    merged_into_id: int | None
    referrals_as_victim: int
    referrals_as_perpetrator: int
    identifiers: tuple[str, ...] = ()  # as core.identifiers.display shows them

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name.upper()) if p) or "(no name)"


@dataclass(frozen=True)
class Candidate:
    person: PersonView
    score: int
    decision: Decision
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class ReviewItem:
    id: int
    person_a: PersonView
    person_b: PersonView
    score: int
    reasons: tuple[str, ...]
    source: str
    status: str


@dataclass(frozen=True)
class MergeView:
    id: int
    kept_id: int
    merged_id: int
    merged_at: Any
    undone: bool


def evidence_from(
    first_name: str,
    last_name: str,
    dob: date | None = None,
    *,
    aliases: Sequence[tuple[str, str]] = (),
    alternative_dobs: Sequence[date] = (),
    postcode: str = "",
    person_id: int | None = None,
    identifiers: Sequence[str] = (),
) -> PersonEvidence:
    """What the coordinator typed, in the form matching compares (`identifiers` as
    `core.identifiers` stores them)."""
    names = (NameForm(first_name, last_name), *(NameForm(first, last) for first, last in aliases))
    dobs = tuple(d for d in (dob, *alternative_dobs) if d is not None)
    postcodes = (postcode,) if postcode.strip() else ()
    return PersonEvidence(person_id, names, dobs, postcodes, identifiers=tuple(identifiers))


# ----- reading ----------------------------------------------------------------------------------


def _views(session: Session, ids: Iterable[int]) -> dict[int, PersonView]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))}
    aliases: dict[int, list[str]] = {}
    for a in session.scalars(select(PersonAlias).where(PersonAlias.person_id.in_(wanted))):
        aliases.setdefault(a.person_id, []).append(
            " ".join(x for x in (a.first_name, a.last_name) if x)
        )
    alt: dict[int, list[date]] = {}
    for d in session.scalars(select(PersonDob).where(PersonDob.person_id.in_(wanted))):
        alt.setdefault(d.person_id, []).append(d.dob)
    known_ids = identifiers_shown(session, wanted)
    as_victim = dict(
        session.execute(
            select(Referral.victim_id, func.count())
            .where(Referral.victim_id.in_(wanted))
            .group_by(Referral.victim_id)
        ).all()
    )
    as_perp = dict(
        session.execute(
            select(ReferralPerpetrator.person_id, func.count())
            .where(ReferralPerpetrator.person_id.in_(wanted))
            .group_by(ReferralPerpetrator.person_id)
        ).all()
    )
    return {
        pid: PersonView(
            id=pid,
            first_name=p.first_name,
            last_name=p.last_name,
            dob=p.dob,
            gender=p.gender,
            aliases=tuple(aliases.get(pid, ())),
            alternative_dobs=tuple(sorted(alt.get(pid, ()))),
            merged_into_id=p.merged_into_id,
            referrals_as_victim=int(as_victim.get(pid, 0)),
            referrals_as_perpetrator=int(as_perp.get(pid, 0)),
            identifiers=tuple(known_ids.get(pid, ())),
        )
        for pid, p in people.items()
    }


def identifiers_shown(session: Session, person_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """These people's agency identifiers as a coordinator reads them, by person id."""
    found: dict[int, list[str]] = {}
    for pid, identifier in session.execute(
        select(PersonIdentifier.person_id, PersonIdentifier.identifier)
        .where(PersonIdentifier.person_id.in_(sorted(set(person_ids))))
        .order_by(PersonIdentifier.identifier)
    ):
        found.setdefault(pid, []).append(identifier_display(identifier))
    return {pid: tuple(shown) for pid, shown in found.items()}


def get_person(store: Store, person_id: int) -> PersonView | None:
    with store.read() as session:
        return _views(session, [person_id]).get(person_id)


def _shortlist(session: Session, probe: PersonEvidence, limit: int = SHORTLIST) -> list[int]:
    keys = sorted(probe_keys(probe))
    if not keys:
        return []
    hits = func.count().label("hits")
    query = (
        select(PersonKey.person_id, hits)
        .where(PersonKey.key.in_(keys))
        .group_by(PersonKey.person_id)
        .order_by(hits.desc(), PersonKey.person_id)
        .limit(limit)
    )
    return [pid for pid, _ in session.execute(query)]


def ranked_in_session(
    session: Session,
    probe: PersonEvidence,
    limit: int = 10,
    *,
    seen_with: SeenWith | None = None,
) -> list[MatchResult]:
    """The scored candidates alone, best first (intake and import need no display views).
    `seen_with`: people named before with someone the referral is already linked to; they
    are compared whatever the blocking keys say."""
    ids = _shortlist(session, probe)
    extra = set(seen_with.people) if seen_with is not None else set()
    if probe.identifiers:
        keys = sorted(identifier_keys(probe.identifiers))
        extra.update(session.scalars(select(PersonKey.person_id).where(PersonKey.key.in_(keys))))
    ids += sorted(extra.difference(ids))
    evidence = load_evidence(session.connection(), ids)
    counts = name_counts(session, probe)
    return rank(probe, evidence.values(), limit=limit, seen_with=seen_with, counts=counts)


def name_counts(session: Session, probe: PersonEvidence) -> NameCounts:
    """How many people in the store go by each of the probe's spellings (from `person_keys`:
    a typo in a spelling nobody has is a slip of the pen, not another person's name)."""
    keys = sorted(name_count_keys(probe))
    if not keys:
        return NameCounts()
    held = session.execute(
        select(PersonKey.key, func.count()).where(PersonKey.key.in_(keys)).group_by(PersonKey.key)
    )
    return NameCounts.of_keys({key: n for key, n in held})


def named_with(session: Session, person_ids: Iterable[int], *, victims: bool) -> frozenset[int]:
    """The people named on the same referrals as these: their perpetrators when they are
    `victims`, else their victims (merges repoint referrals, so these are live people)."""
    ids = sorted(set(person_ids))
    if not ids:
        return frozenset()
    pairs = (
        select(ReferralPerpetrator.person_id if victims else Referral.victim_id)
        .select_from(ReferralPerpetrator)
        .join(Referral, Referral.id == ReferralPerpetrator.referral_id)
    )
    side = Referral.victim_id if victims else ReferralPerpetrator.person_id
    return frozenset(session.scalars(pairs.where(side.in_(ids))))


def seen_with_of(session: Session, linked: Sequence[int], *, victims: bool) -> SeenWith | None:
    """The people named before with these already-linked people (victims, or perpetrators),
    as evidence for `rank`; None when there are none."""
    return SeenWith.of(named_with(session, linked, victims=victims), victims=victims)


def candidates_in_session(
    session: Session,
    probe: PersonEvidence,
    limit: int = 10,
    *,
    seen_with: SeenWith | None = None,
) -> list[tuple[MatchResult, PersonView]]:
    ranked = ranked_in_session(session, probe, limit, seen_with=seen_with)
    views = _views(session, [r.person_id for r in ranked if r.person_id is not None])
    return [(r, views[r.person_id]) for r in ranked if r.person_id in views]


def find_candidates(
    store: Store,
    probe: PersonEvidence,
    limit: int = 10,
    *,
    linked: Sequence[int] = (),
    linked_are_victims: bool = True,
) -> list[Candidate]:
    """People already in the store who may be the person being typed, best first. `linked`:
    the people this referral is already linked to on the other side (its victim, when a
    perpetrator is typed; its perpetrators, when the victim is), whose earlier companions
    are strong candidates."""
    with store.read() as session:
        seen = seen_with_of(session, linked, victims=linked_are_victims) if linked else None
        return [
            Candidate(view, r.score, r.decision, r.reasons)
            for r, view in candidates_in_session(session, probe, limit, seen_with=seen)
        ]


# ----- writing ----------------------------------------------------------------------------------


def person_values(
    first_name: str, last_name: str, dob: date | None, gender: str, now: datetime
) -> dict[str, Any]:
    """A new person's column values (one source for intake and the bulk import)."""
    return {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "dob": dob,
        "gender": gender,
        "created_at": now,
        "updated_at": now,
    }


def create_person_in_session(
    session: Session,
    first_name: str,
    last_name: str,
    dob: date | None,
    gender: str = "not_known",
    *,
    aliases: Sequence[tuple[str, str]] = (),
    alternative_dobs: Sequence[date] = (),
    identifiers: Sequence[str] = (),
) -> int:
    person = Person(**person_values(first_name, last_name, dob, gender, utcnow()))
    session.add(person)
    session.flush()
    for first, last in aliases:
        session.add(PersonAlias(person_id=person.id, first_name=first, last_name=last))
    for alt in alternative_dobs:
        if alt != dob:
            session.add(PersonDob(person_id=person.id, dob=alt))
    for identifier in dict.fromkeys(identifiers):
        session.add(PersonIdentifier(person_id=person.id, identifier=identifier))
    session.flush()
    return person.id


def variant_of(
    known: PersonEvidence, first_name: str, last_name: str, dob: date | None
) -> tuple[tuple[str, str] | None, date | None]:
    """What `note_variant` adds for a linked person whose evidence is `known` (own name first,
    own DOB first): the (first, last) alias, the alternative DOB, or None for each."""
    first, last = first_name.strip(), last_name.strip()
    alias = None
    if (first or last) and NameForm(first, last) not in known.names:
        alias = (first, last)
    return alias, (dob if dob is not None and dob not in known.dobs else None)


def note_variant(
    session: Session,
    person_id: int,
    first_name: str,
    last_name: str,
    dob: date | None,
    *,
    identifiers: Sequence[str] = (),
    referral_id: int | None = None,
) -> None:
    """A linked referral wrote the person differently: keep that as an alias / alternative DOB
    (and any identifier not known yet), so the next search under that spelling finds them.
    `referral_id` records which referral said so (`withdraw_variants` undoes it on relink)."""
    known = load_evidence(session.connection(), [person_id]).get(person_id)
    if known is None:
        return
    for identifier in dict.fromkeys(identifiers):
        if identifier not in known.identifiers:
            session.add(
                PersonIdentifier(
                    person_id=person_id, identifier=identifier, referral_id=referral_id
                )
            )
    alias, other_dob = variant_of(known, first_name, last_name, dob)
    if alias is not None:
        session.add(
            PersonAlias(
                person_id=person_id,
                first_name=alias[0],
                last_name=alias[1],
                kind=VARIANT_KIND,
                referral_id=referral_id,
            )
        )
    if other_dob is not None:
        session.add(PersonDob(person_id=person_id, dob=other_dob, referral_id=referral_id))
    session.flush()


@dataclass(frozen=True)
class WhatWasSaid:
    """A person as one referral wrote them (the referral's own columns)."""

    referral_id: int
    first_name: str
    last_name: str
    dob: date | None
    identifiers: tuple[str, ...]
    perpetrator_row: int | None = None  # which role: a perpetrator row, or (None) the victim

    @property
    def role(self) -> tuple[int, int | None]:
        return self.referral_id, self.perpetrator_row

    def says(self, row: PersonAlias | PersonDob | PersonIdentifier) -> bool:
        if isinstance(row, PersonAlias):
            return (row.first_name, row.last_name) == (self.first_name, self.last_name)
        if isinstance(row, PersonDob):
            return row.dob == self.dob
        return row.identifier in self.identifiers


def note_what_was_said(session: Session, person_id: int, said: WhatWasSaid) -> None:
    note_variant(
        session,
        person_id,
        said.first_name,
        said.last_name,
        said.dob,
        identifiers=said.identifiers,
        referral_id=said.referral_id,
    )


def live_person_id(session: Session, person_id: int) -> int | None:
    """Who a person is now: themselves, or whoever they were merged into (through any number
    of merges); None when there is no such person."""
    seen: set[int] = set()
    current: int | None = person_id
    while current is not None and current not in seen:
        seen.add(current)
        person = session.get(Person, current)
        if person is None:
            return None
        if person.merged_into_id is None:
            return person.id
        current = person.merged_into_id
    raise ValueError("People merged into each other in a loop.")


def _merge_tree(session: Session, person_id: int) -> list[int]:
    """The person and everyone merged into them, directly or through another merge."""
    tree, frontier = [person_id], [person_id]
    while frontier:
        frontier = list(
            session.scalars(select(Person.id).where(Person.merged_into_id.in_(frontier)))
        )
        tree += frontier
    return tree


def withdraw_variants(
    session: Session, person_id: int, referral_id: int, others: Sequence[WhatWasSaid]
) -> int:
    """The referral (in one of its roles) no longer names this person: take back the aliases,
    alternative DOBs and identifiers it added (on them, or copied to them by a merge), except
    what one of their referrals (`others`: as they are now, so another role of the same
    referral counts) also says (`_still_said` decides which referral then owns it). On someone
    merged into them, only a role that named that person before the merge may keep a row.
    Returns how many were taken back."""
    tree = _merge_tree(session, person_id)
    rows: list[PersonAlias | PersonDob | PersonIdentifier] = []
    rows += session.scalars(
        select(PersonAlias).where(
            PersonAlias.person_id.in_(tree), PersonAlias.referral_id == referral_id
        )
    )
    rows += session.scalars(
        select(PersonDob).where(PersonDob.person_id.in_(tree), PersonDob.referral_id == referral_id)
    )
    rows += session.scalars(
        select(PersonIdentifier).where(
            PersonIdentifier.person_id.in_(tree), PersonIdentifier.referral_id == referral_id
        )
    )
    own: dict[int, set[tuple[int, int | None]]] = {}  # merged-away people's own roles
    withdrawn = 0
    for row in rows:
        allowed = others
        if row.person_id != person_id:
            if row.person_id not in own:
                own[row.person_id] = _roles_before_merge(session, row.person_id)
            allowed = [o for o in others if o.role in own[row.person_id]]
        if not _still_said(row, allowed):
            session.delete(row)
            withdrawn += 1
    session.flush()
    return withdrawn


def _still_said(row: PersonAlias | PersonDob | PersonIdentifier, by: Sequence[WhatWasSaid]) -> bool:
    """Whether one of these roles says what the row holds; if so the row is attributed to its
    own referral when that still says it (another role), else to the earliest that does."""
    saying = [o for o in by if o.says(row)]
    if not saying:
        return False
    if all(o.referral_id != row.referral_id for o in saying):
        row.referral_id = saying[0].referral_id
    return True


def _roles_before_merge(session: Session, merged_id: int) -> set[tuple[int, int | None]]:
    """The roles (referral, perpetrator row or None for the victim) that named someone when
    they were merged."""
    record = session.scalar(
        select(PersonMerge).where(
            PersonMerge.merged_id == merged_id, PersonMerge.undone_at.is_(None)
        )
    )
    if record is None:
        return set()
    found: set[tuple[int, int | None]] = {(rid, None) for rid in record.moved.get("victim_of", [])}
    rows = record.moved.get("perpetrator_rows", [])
    if rows:
        found.update(
            (rid, row_id)
            for rid, row_id in session.execute(
                select(ReferralPerpetrator.referral_id, ReferralPerpetrator.id).where(
                    ReferralPerpetrator.id.in_(rows)
                )
            )
        )
    return found


def what_is_said_of(session: Session, person_id: int) -> list[WhatWasSaid]:
    """How each referral naming this person now (as victim or perpetrator) wrote them."""
    said = [
        WhatWasSaid(rid, first, last, dob, unpacked(ids))
        for rid, first, last, dob, ids in session.execute(
            select(
                Referral.id,
                Referral.victim_first_name,
                Referral.victim_last_name,
                Referral.victim_dob,
                Referral.victim_identifiers,
            ).where(Referral.victim_id == person_id)
        )
    ]
    said += [
        WhatWasSaid(rid, first, last, dob, unpacked(ids), row_id)
        for rid, first, last, dob, ids, row_id in session.execute(
            select(
                ReferralPerpetrator.referral_id,
                ReferralPerpetrator.first_name,
                ReferralPerpetrator.last_name,
                ReferralPerpetrator.dob,
                ReferralPerpetrator.identifiers,
                ReferralPerpetrator.id,
            ).where(ReferralPerpetrator.person_id == person_id)
        )
    ]
    return sorted(said, key=lambda s: (s.referral_id, s.perpetrator_row or 0))


def move_what_was_said(
    session: Session, said: WhatWasSaid, from_person: int, to_person: int
) -> None:
    """A referral role now names `to_person` instead of `from_person` (already pointed there):
    what it said of them goes along."""
    withdraw_variants(session, from_person, said.referral_id, what_is_said_of(session, from_person))
    note_what_was_said(session, to_person, said)


def queue_reviews(
    session: Session, person_id: int, results: Iterable[MatchResult], source: str
) -> int:
    """Put possible matches of a person in the review list (once per pair)."""
    added = 0
    for r in results:
        if r.person_id is None or r.person_id == person_id:
            continue
        a, b = sorted((person_id, r.person_id))
        exists = session.scalar(
            select(MatchReview.id).where(MatchReview.person_a_id == a, MatchReview.person_b_id == b)
        )
        if exists is None:
            session.add(
                MatchReview(
                    person_a_id=a,
                    person_b_id=b,
                    weight=r.weight,
                    score=r.score,
                    reasons=list(r.reasons),
                    source=source,
                    status="open",
                    created_at=utcnow(),
                )
            )
            added += 1
    session.flush()
    return added


def list_reviews(store: Store, status: str = "open", limit: int = 500) -> list[ReviewItem]:
    with store.read() as session:
        rows = list(
            session.scalars(
                select(MatchReview)
                .where(MatchReview.status == status)
                .order_by(MatchReview.score.desc(), MatchReview.id)
                .limit(limit)
            )
        )
        views = _views(session, [i for r in rows for i in (r.person_a_id, r.person_b_id)])
        return [
            ReviewItem(
                r.id,
                views[r.person_a_id],
                views[r.person_b_id],
                r.score,
                tuple(r.reasons),
                r.source,
                r.status,
            )
            for r in rows
            if r.person_a_id in views and r.person_b_id in views
        ]


def count_open_reviews(store: Store) -> int:
    with store.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(MatchReview).where(MatchReview.status == "open")
            )
            or 0
        )


def scan_for_duplicates(
    store: Store, actor: Actor, *, batch: int = 2000, deadline_seconds: float | None = None
) -> int:
    """Compare every live person with their candidates and queue plausible pairs for review.
    Returns how many new pairs were queued."""
    started = time.monotonic()
    with store.write() as session:
        ids = list(
            session.scalars(
                select(Person.id).where(Person.merged_into_id.is_(None)).order_by(Person.id)
            )
        )
        added = 0
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            evidence = load_evidence(session.connection(), chunk)
            for pid in chunk:
                probe = evidence.get(pid)
                if probe is None:
                    continue
                found = [r for r, _ in candidates_in_session(session, probe) if r.person_id != pid]
                added += queue_reviews(session, pid, found, "scan")
            if deadline_seconds is not None and time.monotonic() - started > deadline_seconds:
                break
        audit.record(
            session, actor, "create", "match_review", "", f"duplicate scan queued {added} pairs"
        )
    return added


def decide_review(
    store: Store, actor: Actor, review_id: int, same_person: bool, keep_id: int | None = None
) -> int | None:
    """Record the coordinator's word on a pair. 'Same person' merges them (reversibly) and
    returns the merge id."""
    with store.write() as session:
        review = session.get(MatchReview, review_id)
        if review is None or review.status != "open":
            raise ValueError("That review is no longer open.")
        review.status = "same" if same_person else "not_same"
        review.decided_at = utcnow()
        review.decided_by_user_id = actor.user_id
        audit.record(
            session,
            actor,
            "update",
            "match_review",
            review.id,
            "same person" if same_person else "not the same person",
        )
        if not same_person:
            for person_id in (review.person_a_id, review.person_b_id):
                _settle_match_status(session, person_id, [person_id], "new")
            return None
        kept = keep_id or review.person_a_id
        merged = review.person_b_id if kept == review.person_a_id else review.person_a_id
        merge_id = _merge(session, actor, kept, merged)
        _settle_match_status(session, kept, [kept, merged], "linked")
        return merge_id


def _settle_match_status(
    session: Session, victim_id: int, people_ids: Sequence[int], resolved: str
) -> None:
    """The victim's referrals waiting on a review stop waiting once no review of these people
    is open: 'linked' after a merge, 'new' when they were different people."""
    still_open = session.scalar(
        select(MatchReview.id)
        .where(
            MatchReview.status == "open",
            or_(
                MatchReview.person_a_id.in_(list(people_ids)),
                MatchReview.person_b_id.in_(list(people_ids)),
            ),
        )
        .limit(1)
    )
    if still_open is None:
        session.execute(
            update(Referral)
            .where(Referral.victim_id == victim_id, Referral.match_status == "review")
            .values(match_status=resolved)
        )


def merge_people(store: Store, actor: Actor, kept_id: int, merged_id: int) -> int:
    with store.write() as session:
        return _merge(session, actor, kept_id, merged_id)


def _merge(session: Session, actor: Actor, kept_id: int, merged_id: int) -> int:
    from marac_desk.services.referrals import recompute_repeats_for_people

    if kept_id == merged_id:
        raise ValueError("A person cannot be merged into themselves.")
    kept, merged = session.get(Person, kept_id), session.get(Person, merged_id)
    if kept is None or merged is None:
        raise ValueError("One of those people no longer exists.")
    if kept.merged_into_id is not None or merged.merged_into_id is not None:
        raise ValueError("One of those people has already been merged into someone else.")
    moved: dict[str, list[int]] = {
        "victim_of": list(
            session.scalars(select(Referral.id).where(Referral.victim_id == merged_id))
        ),
        "perpetrator_rows": list(
            session.scalars(
                select(ReferralPerpetrator.id).where(ReferralPerpetrator.person_id == merged_id)
            )
        ),
        "child_rows": list(
            session.scalars(select(ReferralChild.id).where(ReferralChild.person_id == merged_id))
        ),
        "aliases_added": [],
        "dobs_added": [],
        "identifiers_added": [],
    }
    said = what_is_said_of(session, merged_id)  # (before their referrals move)
    session.execute(
        update(Referral).where(Referral.victim_id == merged_id).values(victim_id=kept_id)
    )
    session.execute(
        update(ReferralPerpetrator)
        .where(ReferralPerpetrator.person_id == merged_id)
        .values(person_id=kept_id)
    )
    session.execute(
        update(ReferralChild).where(ReferralChild.person_id == merged_id).values(person_id=kept_id)
    )
    # The merged person's names and DOBs become the kept person's aliases and alternatives;
    # copies keep the referral that said them (for their own name and DOB, the first of their
    # referrals that says it), so relinking that referral takes them back too.
    names: dict[tuple[str, str], int | None] = {
        (merged.first_name, merged.last_name): next(
            (
                w.referral_id
                for w in said
                if (w.first_name, w.last_name) == (merged.first_name, merged.last_name)
            ),
            None,
        )
    }
    for a in session.scalars(
        select(PersonAlias).where(PersonAlias.person_id == merged_id).order_by(PersonAlias.id)
    ):
        names.setdefault((a.first_name, a.last_name), a.referral_id)
    known_names = {(kept.first_name, kept.last_name)} | {
        (a.first_name, a.last_name)
        for a in session.scalars(select(PersonAlias).where(PersonAlias.person_id == kept_id))
    }
    for (first, last), said_by in names.items():
        if (first, last) not in known_names and (first or last):
            alias = PersonAlias(
                person_id=kept_id,
                first_name=first,
                last_name=last,
                kind="merged",
                referral_id=said_by,
            )
            session.add(alias)
            session.flush()
            moved["aliases_added"].append(alias.id)
    dobs: dict[date | None, int | None] = {
        merged.dob: next((w.referral_id for w in said if w.dob == merged.dob), None)
    }
    for d in session.scalars(
        select(PersonDob).where(PersonDob.person_id == merged_id).order_by(PersonDob.id)
    ):
        dobs.setdefault(d.dob, d.referral_id)
    known_dobs = {kept.dob} | {
        d.dob for d in session.scalars(select(PersonDob).where(PersonDob.person_id == kept_id))
    }
    for dob, said_by in dobs.items():
        if dob is not None and dob not in known_dobs:
            row = PersonDob(person_id=kept_id, dob=dob, referral_id=said_by)
            session.add(row)
            session.flush()
            moved["dobs_added"].append(row.id)
    kept_identifiers = set(
        session.scalars(
            select(PersonIdentifier.identifier).where(PersonIdentifier.person_id == kept_id)
        )
    )
    for held in session.scalars(
        select(PersonIdentifier)
        .where(PersonIdentifier.person_id == merged_id)
        .order_by(PersonIdentifier.id)
    ):
        if held.identifier not in kept_identifiers:
            row_ = PersonIdentifier(
                person_id=kept_id, identifier=held.identifier, referral_id=held.referral_id
            )
            session.add(row_)
            session.flush()
            moved["identifiers_added"].append(row_.id)
    merged.merged_into_id = kept_id
    merged.updated_at = kept.updated_at = utcnow()
    record = PersonMerge(
        kept_id=kept_id, merged_id=merged_id, moved=moved, merged_at=utcnow(), user_id=actor.user_id
    )
    session.add(record)
    session.flush()
    refresh_person_keys(session.connection(), [kept_id, merged_id])
    refresh_search_of_victims(session.connection(), [kept_id, merged_id])
    recompute_repeats_for_people(session, actor, [kept_id])
    audit.record(
        session,
        actor,
        "merge",
        "person",
        kept_id,
        f"person {merged_id} merged into {kept_id} (merge {record.id})",
    )
    return record.id


def unmerge(store: Store, actor: Actor, merge_id: int) -> None:
    """Undo a merge exactly: every row moved goes back (unless relinked to someone else since),
    added aliases, DOBs and identifiers are removed."""
    from marac_desk.services.referrals import recompute_repeats_for_people

    with store.write() as session:
        record = session.get(PersonMerge, merge_id)
        if record is None or record.undone_at is not None:
            raise ValueError("That merge does not exist or was already undone.")
        later = session.scalar(
            select(PersonMerge.id).where(
                PersonMerge.id > merge_id,
                PersonMerge.undone_at.is_(None),
                or_(
                    PersonMerge.merged_id == record.kept_id, PersonMerge.kept_id == record.merged_id
                ),
            )
        )
        if later is not None:
            raise ValueError("Undo the later merge involving these people first.")
        moved = record.moved
        kept_id, merged_id = record.kept_id, record.merged_id
        if moved.get("victim_of"):
            session.execute(
                update(Referral)
                .where(Referral.id.in_(moved["victim_of"]), Referral.victim_id == kept_id)
                .values(victim_id=merged_id)
            )
        if moved.get("perpetrator_rows"):
            session.execute(
                update(ReferralPerpetrator)
                .where(
                    ReferralPerpetrator.id.in_(moved["perpetrator_rows"]),
                    ReferralPerpetrator.person_id == kept_id,
                )
                .values(person_id=merged_id)
            )
        if moved.get("child_rows"):
            session.execute(
                update(ReferralChild)
                .where(
                    ReferralChild.id.in_(moved["child_rows"]), ReferralChild.person_id == kept_id
                )
                .values(person_id=merged_id)
            )
        copies: list[PersonAlias | PersonDob | PersonIdentifier | None] = [
            *(session.get(PersonAlias, i) for i in moved.get("aliases_added", [])),
            *(session.get(PersonDob, i) for i in moved.get("dobs_added", [])),
            *(session.get(PersonIdentifier, i) for i in moved.get("identifiers_added", [])),
        ]
        # A copy stays only if a referral still naming the kept person says it (one linked to
        # them after the merge found it known and noted nothing). (A copy is gone if a relink
        # took it back; ids are never reused.)
        staying = what_is_said_of(session, kept_id)
        for row in copies:
            if row is not None and row.person_id == kept_id and not _still_said(row, staying):
                session.delete(row)
        merged = session.get(Person, merged_id)
        assert merged is not None
        merged.merged_into_id = None
        merged.updated_at = utcnow()
        record.undone_at = utcnow()
        session.flush()
        # What the referrals going back said is taken from the kept person (a relink to them
        # since the merge noted it there) and noted on the restored one, as a relink would.
        for said in what_is_said_of(session, merged_id):
            move_what_was_said(session, said, kept_id, merged_id)
        refresh_person_keys(session.connection(), [kept_id, merged_id])
        refresh_search_of_victims(session.connection(), [kept_id, merged_id])
        recompute_repeats_for_people(session, actor, [kept_id, merged_id])
        audit.record(
            session,
            actor,
            "unmerge",
            "person",
            kept_id,
            f"merge {merge_id} undone: person {merged_id} restored",
        )


def merges_of(store: Store, person_id: int) -> list[MergeView]:
    with store.read() as session:
        rows = session.scalars(
            select(PersonMerge)
            .where(or_(PersonMerge.kept_id == person_id, PersonMerge.merged_id == person_id))
            .order_by(PersonMerge.id.desc())
        )
        return [
            MergeView(r.id, r.kept_id, r.merged_id, r.merged_at, r.undone_at is not None)
            for r in rows
        ]


def compare_people(store: Store, a_id: int, b_id: int) -> MatchResult:
    with store.read() as session:
        evidence = load_evidence(session.connection(), [a_id, b_id])
    return compare(evidence[a_id], evidence[b_id])


@dataclass(frozen=True)
class MergeRecord:
    """A merge as the review screen lists it: who was kept, who was folded in, and when."""

    merge: MergeView
    kept: PersonView
    merged: PersonView


def recent_merges(store: Store, limit: int = 100) -> list[MergeRecord]:
    """Merges newest first (undone ones included, marked), with both people."""
    with store.read() as session:
        rows = list(
            session.scalars(select(PersonMerge).order_by(PersonMerge.id.desc()).limit(limit))
        )
        views = _views(session, [i for r in rows for i in (r.kept_id, r.merged_id)])
        return [
            MergeRecord(
                MergeView(r.id, r.kept_id, r.merged_id, r.merged_at, r.undone_at is not None),
                views[r.kept_id],
                views[r.merged_id],
            )
            for r in rows
            if r.kept_id in views and r.merged_id in views
        ]
