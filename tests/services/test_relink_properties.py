"""Random sequences of intake, merge, un-merge and relink keep what each referral said of a
person on that person, and only there (schema 8: variant provenance).

A Hypothesis state machine drives a fresh store through: new referrals (a victim and one or two
perpetrators, each a new person or linked by the coordinator to a live person) written from
small pools of names, dates of birth, NHS numbers and agency person IDs, so that spellings
collide often; `people.merge_people`; `people.unmerge` of an active merge that may be undone now
(no later active merge involving its people); a merge undone straight away; and
`referrals.relink_person` of a victim or a perpetrator row to a live person. After every step
the whole store is checked (see `check_store`):

Words. A *role* is a referral's victim, or one of its perpetrator rows; it *names* the person
its `victim_id` / `person_id` points at and *says* its own columns (first/last name, DOB,
identifiers). A role *says* a variant row when it says that alias (first, last), that DOB or
that identifier (`people.WhatWasSaid.says`). The *root* of a person is the live person found by
following `merged_into_id`. A merged-away person X's *own roles* are the ones its active merge
record moved (`moved.victim_of`, `moved.perpetrator_rows`).

1. Roles name live people only.
2. Provenance, live people: every alias, alternative DOB and identifier row on a live person P
   whose `referral_id` is F is said by a role of F that names P now.
3. Provenance, merged-away people: every such row on a merged-away X with `referral_id` F is
   said by one of X's own roles that belongs to F and names root(X) now. (Un-merging gives
   X back exactly its own roles that still name the kept person, so this is what makes
   invariant 2 hold again for X once the merge is undone: nothing is left on the wrong person.)
4. Evidence: for every role naming a live P, what it says that differs from P's own name and
   DOB (a non-empty name, a DOB, each identifier) is among P's own alias / DOB / identifier
   rows (exact values, as `note_variant` compares them), so the next search under that spelling
   or number finds P.
5. Tidy rows: no person holds the same alias, DOB or identifier twice, nor an alias equal to
   their own name or an alternative DOB equal to their own; merged-away people have no
   blocking keys.
6. Repeat flags are what `core.repeats.assess_history` gives over the whole store, and the
   audit chain verifies.
7. A merge undone straight away restores the store exactly: every variant row (person, value,
   provenance), every role's person, who is merged into whom, repeat flags and blocking keys.

The scenarios at the end are the defects this machine found (and one found by hand), fixed
and kept as regression tests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from store_support import cache_key_derivation

from marac_desk.core.identifiers import unpacked
from marac_desk.core.repeats import ReferralFacts, assess_history
from marac_desk.db.models import (
    Person,
    PersonAlias,
    PersonDob,
    PersonIdentifier,
    PersonKey,
    PersonMerge,
    Referral,
    ReferralPerpetrator,
)
from marac_desk.services import audit, people, referrals
from marac_desk.services import settings as store_settings
from marac_desk.services.paths import AppPaths
from marac_desk.services.referrals import PerpetratorInput, PersonInput, ReferralInput
from marac_desk.services.session import OpenStore, create_store

TODAY = date(2026, 11, 20)
PASSPHRASE = "plum orchard lantern 7 quietly"


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def nhs_number(first_nine: str) -> str:
    """A valid NHS number (mod-11 check digit) from its first nine digits, spaced 3-3-4."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    assert check != 10, first_nine
    digits = f"{first_nine}{check}"
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# Small pools, so that what referrals say collides often; the first of each is the plain value
# (Hypothesis shrinks towards it).
FIRST_NAMES = ("Sarah", "Sara", "Amy")
LAST_NAMES = ("Jones", "Jonas")
DOBS = (None, date(1990, 4, 12), date(1990, 12, 4))
NHS_NUMBERS = ("", "943 476 5919", "401 023 2137", nhs_number("123456788"))
AGENCY_IDS = ("", "NT 1", "NT 2")
REFERRAL_DATES = (date(2025, 1, 10), date(2025, 6, 1), date(2026, 3, 1))
assert nhs_number("943476591") == "943 476 5919" and nhs_number("401023213") == "401 023 2137"


@dataclass(frozen=True)
class Said:
    """What one role says of its person."""

    first: str
    last: str
    dob: date | None
    identifiers: tuple[str, ...]

    def says(self, kind: str, value: Any) -> bool:
        if kind == "alias":
            return value == (self.first, self.last)
        if kind == "dob":
            return value == self.dob
        return value in self.identifiers


@dataclass(frozen=True)
class Row:
    """A variant row: kind ('alias' / 'dob' / 'identifier'), person, value, provenance."""

    kind: str
    id: int
    person_id: int
    value: Any
    referral_id: int | None


@dataclass(frozen=True)
class Role:
    key: tuple[str, int]  # ("victim", referral id) or ("perpetrator", perpetrator row id)
    referral_id: int
    person_id: int
    said: Said


@dataclass
class Snapshot:
    people: dict[int, tuple[str, str, date | None, int | None]]
    rows: list[Row]
    roles: list[Role]
    active_merges: dict[int, tuple[int, int, int, dict[str, list[int]]]]  # merged id -> record
    flags: dict[int, tuple[bool, int | None, bool]]
    facts: list[ReferralFacts]
    keys: Counter[tuple[int, str]]

    def root(self, person_id: int) -> int:
        while (up := self.people[person_id][3]) is not None:
            person_id = up
        return person_id

    def naming(self, person_id: int) -> list[Role]:
        return [r for r in self.roles if r.person_id == person_id]

    def tree(self, person_id: int) -> set[int]:
        """The person and everyone merged into them, directly or not."""
        return {pid for pid in self.people if self.root_within(pid, person_id)}

    def root_within(self, person_id: int, top: int) -> bool:
        while person_id != top:
            up = self.people[person_id][3]
            if up is None:
                return False
            person_id = up
        return True

    def own_keys(self, person_id: int) -> set[tuple[str, int]]:
        """A merged-away person's own roles: the ones their active merge moved."""
        record = self.active_merges.get(person_id)
        return own_role_keys(record[3]) if record else set()

    def comparable(self) -> dict[str, Any]:
        """Everything a merge undone straight away must give back (row ids aside)."""
        return {
            "rows": Counter((r.kind, r.person_id, r.value, r.referral_id) for r in self.rows),
            "roles": {r.key: r.person_id for r in self.roles},
            "merged_into": {pid: p[3] for pid, p in self.people.items()},
            "flags": self.flags,
            "keys": self.keys,
        }


def snapshot(opened: OpenStore) -> Snapshot:
    with opened.store.read() as s:
        folks = {
            p.id: (p.first_name, p.last_name, p.dob, p.merged_into_id)
            for p in s.scalars(select(Person))
        }
        rows = [
            Row("alias", a.id, a.person_id, (a.first_name, a.last_name), a.referral_id)
            for a in s.scalars(select(PersonAlias))
        ]
        rows += [
            Row("dob", d.id, d.person_id, d.dob, d.referral_id)
            for d in s.scalars(select(PersonDob))
        ]
        rows += [
            Row("identifier", i.id, i.person_id, i.identifier, i.referral_id)
            for i in s.scalars(select(PersonIdentifier))
        ]
        all_referrals = list(s.scalars(select(Referral)))
        perp_rows = list(s.scalars(select(ReferralPerpetrator)))
        roles = [
            Role(
                ("victim", r.id),
                r.id,
                r.victim_id,
                Said(
                    r.victim_first_name,
                    r.victim_last_name,
                    r.victim_dob,
                    unpacked(r.victim_identifiers),
                ),
            )
            for r in all_referrals
        ]
        roles += [
            Role(
                ("perpetrator", p.id),
                p.referral_id,
                p.person_id,
                Said(p.first_name, p.last_name, p.dob, unpacked(p.identifiers)),
            )
            for p in perp_rows
        ]
        merges = {
            m.merged_id: (m.id, m.kept_id, m.merged_id, dict(m.moved))
            for m in s.scalars(select(PersonMerge).where(PersonMerge.undone_at.is_(None)))
        }
        flags = {
            r.id: (r.is_repeat, r.previous_referral_id, r.new_perpetrator_flag)
            for r in all_referrals
        }
        perps_of: dict[int, set[int]] = {r.id: set() for r in all_referrals}
        for p in perp_rows:
            perps_of[p.referral_id].add(p.person_id)
        facts = [
            ReferralFacts(r.id, r.referral_date, r.victim_id, frozenset(perps_of[r.id]))
            for r in all_referrals
        ]
        keys = Counter((k.person_id, k.key) for k in s.scalars(select(PersonKey)))
    return Snapshot(folks, rows, roles, merges, flags, facts, keys)


def own_role_keys(moved: dict[str, list[int]]) -> set[tuple[str, int]]:
    return {("victim", rid) for rid in moved.get("victim_of", [])} | {
        ("perpetrator", row) for row in moved.get("perpetrator_rows", [])
    }


def problems_in(snap: Snapshot) -> list[str]:
    """Every broken invariant (numbered as in the module docstring)."""
    found: list[str] = []
    live = {pid for pid, p in snap.people.items() if p[3] is None}
    roles_naming: dict[int, list[Role]] = {}
    for role in snap.roles:
        roles_naming.setdefault(role.person_id, []).append(role)
        if role.person_id not in live:
            found.append(f"1: {role.key} names merged-away person {role.person_id}")
    by_key = {role.key: role for role in snap.roles}
    for row in snap.rows:
        if row.referral_id is None:
            continue
        if row.person_id in live:
            if not any(
                r.referral_id == row.referral_id and r.said.says(row.kind, row.value)
                for r in roles_naming.get(row.person_id, [])
            ):
                found.append(f"2: {row} on live person, but no role of that referral says it")
        else:
            root = snap.root(row.person_id)
            record = snap.active_merges.get(row.person_id)
            own = own_role_keys(record[3]) if record else set()
            if not any(
                key in by_key
                and by_key[key].referral_id == row.referral_id
                and by_key[key].person_id == root
                and by_key[key].said.says(row.kind, row.value)
                for key in own
            ):
                found.append(
                    f"3: {row} on merged-away person (root {root}), but none of their own roles "
                    "of that referral names the root and says it"
                )
    held: dict[int, Counter[tuple[str, Any]]] = {}
    for row in snap.rows:
        held.setdefault(row.person_id, Counter())[(row.kind, row.value)] += 1
    for role in snap.roles:
        pid = role.person_id
        if pid not in live:
            continue
        first, last, dob, _ = snap.people[pid]
        has = held.get(pid, Counter())
        w = role.said
        missing = []
        name = (w.first, w.last)
        if (w.first or w.last) and name != (first, last) and not has[("alias", name)]:
            missing.append(("alias", name))
        if w.dob is not None and w.dob != dob and not has[("dob", w.dob)]:
            missing.append(("dob", w.dob))
        missing += [("identifier", i) for i in w.identifiers if not has[("identifier", i)]]
        if missing:
            found.append(f"4: {role.key} names person {pid}, who lacks {missing}")
    for pid, has in held.items():
        first, last, dob, _ = snap.people[pid]
        twice = [what for what, n in has.items() if n > 1]
        if twice:
            found.append(f"5: person {pid} holds {twice} more than once")
        if has[("alias", (first, last))] or (dob is not None and has[("dob", dob)]):
            found.append(f"5: person {pid} holds their own name or DOB as a variant")
    keyed_dead = {pid for pid, _ in snap.keys if pid not in live}
    if keyed_dead:
        found.append(f"5: merged-away people {sorted(keyed_dead)} have blocking keys")
    return found


def check_store(opened: OpenStore) -> Snapshot:
    snap = snapshot(opened)
    found = problems_in(snap)
    rule = referrals.repeat_rule(store_settings.get_all(opened.store))
    verdicts = assess_history(snap.facts, rule)
    for rid, flags in snap.flags.items():
        v = verdicts[rid]
        if flags != (v.is_repeat, v.previous_referral_id, v.new_perpetrator):
            found.append(f"6: referral {rid} flags {flags}, the rule says {v}")
    if not audit.verify(opened.store).ok:
        found.append("6: the audit chain does not verify")
    assert not found, "\n".join(found)
    return snap


# ----- driving the store ------------------------------------------------------------------------


def person_input(kind: type[PersonInput], values: tuple[Any, ...], person_id: int | None):
    first, last, dob, nhs, agency = values
    extra = {"relationship_to_victim": "partner"} if kind is PerpetratorInput else {}
    return kind(
        first,
        last,
        dob,
        person_id=person_id,
        decided=True,
        nhs_number=nhs,
        agency_person_id=agency,
        **extra,
    )


def save(
    opened: OpenStore, on: date, victim: PersonInput, *perps: PerpetratorInput
) -> referrals.SavedReferral:
    inp = ReferralInput(
        referral_date=on,
        referring_agency="Police",
        victim=victim,
        perpetrators=perps,
        crit_visible_high_risk=True,
    )
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY)


said_values = st.tuples(
    st.sampled_from(FIRST_NAMES),
    st.sampled_from(LAST_NAMES),
    st.sampled_from(DOBS),
    st.sampled_from(NHS_NUMBERS),
    st.sampled_from(AGENCY_IDS),
)
# None: a new person; else which live person the coordinator links (modulo how many there are).
link_choice = st.one_of(st.none(), st.integers(0, 9))
pick = st.integers(0, 30)


def undoable(snap: Snapshot) -> list[int]:
    """Active merges with no later active merge involving their people, oldest first."""
    active = sorted(m[:3] for m in snap.active_merges.values())
    return [
        mid
        for mid, kept, merged in active
        if not any(
            later > mid and (later_merged == kept or later_kept == merged)
            for later, later_kept, later_merged in active
        )
    ]


def describe_difference(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = []
    for part, b in before.items():
        a = after[part]
        if b == a:
            continue
        if isinstance(b, Counter):
            lines.append(f"{part}: lost {dict(b - a)}, gained {dict(a - b)}")
        else:
            changed = {k: (b.get(k), a.get(k)) for k in set(b) | set(a) if b.get(k) != a.get(k)}
            lines.append(f"{part}: {changed}")
    return "merge + unmerge changed the store: " + "; ".join(lines)


def make_machine(stores: Path) -> type[RuleBasedStateMachine]:
    numbers = count()

    class RelinkMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            path = stores / f"store-{next(numbers)}" / "test.store"
            path.parent.mkdir(parents=True)
            self.opened = create_store(
                path,
                PASSPHRASE,
                PASSPHRASE,
                partnership="Northtown",
                user_name="Sam Coordinator",
                paths=AppPaths.default(),
            )
            self.snap = snapshot(self.opened)

        def teardown(self) -> None:
            self.opened.store.close()

        def live(self) -> list[int]:
            return sorted(pid for pid, p in self.snap.people.items() if p[3] is None)

        def two_people(self, a: int, b: int) -> tuple[int, int]:
            live = self.live()
            kept = live[a % len(live)]
            others = [p for p in live if p != kept]
            return kept, others[b % len(others)]

        @rule(
            on=st.sampled_from(REFERRAL_DATES),
            victim=st.tuples(link_choice, said_values),
            perps=st.lists(st.tuples(link_choice, said_values), min_size=1, max_size=2),
        )
        def create_referral(self, on: date, victim: Any, perps: Any) -> None:
            live = self.live()

            def target(link: int | None) -> int | None:
                return None if link is None or not live else live[link % len(live)]

            saved = save(
                self.opened,
                on,
                person_input(PersonInput, victim[1], target(victim[0])),
                *(person_input(PerpetratorInput, p[1], target(p[0])) for p in perps),
            )
            assert len(saved.perpetrator_ids) == len(perps)

        @precondition(lambda self: len(self.live()) >= 2)
        @rule(a=pick, b=pick)
        def merge(self, a: int, b: int) -> None:
            kept, merged = self.two_people(a, b)
            people.merge_people(self.opened.store, self.opened.actor, kept, merged)

        @precondition(lambda self: bool(self.snap.active_merges))
        @rule(which=pick)
        def unmerge(self, which: int) -> None:
            allowed = undoable(self.snap)
            merge_id = allowed[which % len(allowed)]
            people.unmerge(self.opened.store, self.opened.actor, merge_id)

        @precondition(lambda self: len(self.live()) >= 2)
        @rule(a=pick, b=pick)
        def merge_and_undo_at_once(self, a: int, b: int) -> None:
            kept, merged = self.two_people(a, b)
            before = self.snap.comparable()
            merge_id = people.merge_people(self.opened.store, self.opened.actor, kept, merged)
            check_store(self.opened)
            people.unmerge(self.opened.store, self.opened.actor, merge_id)
            after = snapshot(self.opened).comparable()
            assert after == before, describe_difference(before, after)

        @precondition(lambda self: bool(self.snap.roles))
        @rule(which=pick, to=pick)
        def relink(self, which: int, to: int) -> None:
            role = self.snap.roles[which % len(self.snap.roles)]
            live = self.live()
            target = live[to % len(live)]
            kind, ident = role.key
            referrals.relink_person(
                self.opened.store,
                self.opened.actor,
                role.referral_id,
                role=kind,
                row_id=ident if kind == "perpetrator" else None,
                person_id=target,
            )

        @invariant()
        def store_is_consistent(self) -> None:
            self.snap = check_store(self.opened)

    return RelinkMachine


def machine_settings(**changes: Any) -> settings:
    return settings(
        settings(
            max_examples=40,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
        **changes,
    )


def test_random_links_merges_and_relinks_keep_what_was_said_with_the_person(
    tmp_path: Path,
) -> None:
    run_state_machine_as_test(make_machine(tmp_path), settings=machine_settings())


# ----- defects the machine found (now fixed), as minimal scenarios ---------------------------

NHS_NUMBER = "943 476 5919"
SARAH = PersonInput("Sarah", "Jones", date(1990, 4, 12), decided=True)
SARA = PersonInput("Sara", "Jonas", date(1990, 12, 4), decided=True, nhs_number=NHS_NUMBER)
AMY = PersonInput("Amy", "Cole", None, decided=True)
ZOE = PersonInput("Zoe", "Quinn", None, decided=True)
KARL = PerpetratorInput(
    "Karl", "Dunn", date(1988, 1, 1), decided=True, relationship_to_victim="partner"
)
DEAN = PerpetratorInput(
    "Dean", "Walsh", date(1979, 6, 3), decided=True, relationship_to_victim="partner"
)


def variants(opened: OpenStore, person_id: int) -> dict[str, set[Any]]:
    """Aliases, alternative DOBs and identifiers, each with the referral that said it."""
    rows = [r for r in snapshot(opened).rows if r.person_id == person_id]
    return {
        kind: {(r.value, r.referral_id) for r in rows if r.kind == kind}
        for kind in ("alias", "dob", "identifier")
    }


def test_undoing_a_merge_keeps_what_a_later_referral_of_the_kept_person_says(
    open_store: OpenStore,
) -> None:
    store, actor = open_store.store, open_store.actor
    kept = save(open_store, date(2026, 1, 5), SARAH, KARL).victim_id
    merged = save(open_store, date(2026, 2, 1), SARA, KARL).victim_id
    merge_id = people.merge_people(store, actor, kept, merged)
    # Linked to the kept person, who holds the merge's copies of Sara Jonas, 4/12/1990 and
    # the NHS number already: nothing new to note.
    later = save(open_store, date(2026, 3, 1), replace(SARA, person_id=kept), KARL)
    people.unmerge(store, actor, merge_id)
    assert variants(open_store, kept) == {
        "alias": {(("Sara", "Jonas"), later.id)},
        "dob": {(date(1990, 12, 4), later.id)},
        "identifier": {("nhs:9434765919", later.id)},
    }


def test_a_perpetrator_row_relinked_after_a_merge_leaves_nothing_on_the_merged_person(
    open_store: OpenStore,
) -> None:
    """One referral names Karl Dunn and Carl Dunn, both with police ID NT 1: two new people.
    The coordinator merges Carl into Karl, then finds the Carl row was someone else and
    relinks it, then undoes the merge."""
    store, actor = open_store.store, open_store.actor
    f = save(
        open_store,
        date(2026, 1, 5),
        AMY,
        replace(KARL, agency_person_id="NT 1"),
        replace(KARL, first_name="Carl", agency_person_id="NT 1"),
    )
    karl, carl = f.perpetrator_ids
    dean = save(open_store, date(2026, 2, 1), ZOE, DEAN).perpetrator_ids[0]
    merge_id = people.merge_people(store, actor, karl, carl)
    carl_row = referrals.get_referral(store, f.id).perpetrators[1].row_id
    referrals.relink_person(store, actor, f.id, role="perpetrator", row_id=carl_row, person_id=dean)
    people.unmerge(store, actor, merge_id)
    assert referrals.referrals_of_person(store, carl) == []
    # Carl is named by no referral, yet holds the police ID the referral gave Karl and Dean.
    assert variants(open_store, carl) == {"alias": set(), "dob": set(), "identifier": set()}


def test_a_merge_undone_at_once_keeps_each_rows_provenance(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    kept = save(open_store, date(2026, 1, 5), SARAH, KARL).victim_id
    earlier = save(open_store, date(2026, 1, 6), replace(AMY, nhs_number=NHS_NUMBER), KARL)
    # The later referral's victim is linked to Sarah and gives the NHS number (noted, its
    # provenance), its perpetrator is a new person.
    later = save(
        open_store,
        date(2026, 1, 7),
        replace(SARAH, person_id=kept, nhs_number=NHS_NUMBER),
        KARL,
    )
    # The earlier referral is relinked to Sarah too: the number is known, nothing is noted.
    referrals.relink_person(store, actor, earlier.id, role="victim", person_id=kept)
    before = variants(open_store, kept)
    assert ("nhs:9434765919", later.id) in before["identifier"]

    merge_id = people.merge_people(store, actor, kept, later.perpetrator_ids[0])
    people.unmerge(store, actor, merge_id)
    assert variants(open_store, kept) == before


def test_relinking_to_a_person_merged_twice_names_the_live_person(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    first = save(open_store, date(2026, 1, 1), SARAH, KARL).victim_id
    middle = save(open_store, date(2026, 1, 2), SARA, KARL).victim_id
    live = save(open_store, date(2026, 1, 3), AMY, KARL).victim_id
    people.merge_people(store, actor, middle, first)
    people.merge_people(store, actor, live, middle)
    r = save(open_store, date(2026, 1, 4), ZOE, KARL)
    referrals.relink_person(store, actor, r.id, role="victim", person_id=first)
    assert referrals.get_referral(store, r.id).victim.person_id == live
