"""Bulk intake: many referrals in one unit of work, decided exactly as intake decides them one
at a time (`services.referrals.create_in_session`), without ~30 statements per referral.

A batch holds a working set for its unit of work:

- the blocking index (`person_keys`) for the keys the batch will look up — all known before the
  first referral, since they come from what was typed — as a NumPy array of person ids per key,
  plus the people the batch added or changed; each probe's shortlist over the store is worked
  out once, up front, and what the batch adds is merged in;
- the evidence of the people matching compares: before the first referral, everyone on those
  shortlists is screened on their dates of birth (read for all of them at once) and only those
  worth comparing are read (`db.person_keys.read_evidence`), a fraction of the
  store; kept up to date as the batch links and adds people;
- each linked victim's referral history, for the repeat rule;
- case numbers, agencies, panels and meetings.

Each referral goes through the same decisions as intake: `core.matching.rank` over the same
shortlist (`people.SHORTLIST` people sharing the most keys, ties by id), `referrals.link_target`,
`people.variant_of`, `core.repeats.assess_history`; keys become searchable when the referral is
done, as `refresh_person_keys` makes them at the end of intake. Ids are assigned in memory from
the store's highest; every row is written with `db.bulk.insert_rows` by `finish` (search tokens
made from the rows in memory, person keys written as the difference from the store's), audit
events chained in memory (`audit.BulkEvents`). The caller's unit of work keeps it all or nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import chain
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from marac_desk.core.matching import (
    MatchResult,
    NameCounts,
    NameForm,
    PersonEvidence,
    SeenWith,
    blocking_keys,
    dob_neighbourhood,
    dob_screen,
    identifier_keys,
    name_count_keys,
    probe_keys,
    rank,
)
from marac_desk.core.repeats import ReferralFacts, assess_history
from marac_desk.db.bulk import insert_rows, larger_page_cache
from marac_desk.db.models import (
    Base,
    MatchReview,
    Meeting,
    MeetingCase,
    Person,
    PersonAlias,
    PersonDob,
    PersonIdentifier,
    PersonKey,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
)
from marac_desk.db.person_keys import EvidenceParts, read_evidence
from marac_desk.db.referral_search import SearchRows, refresh_referral_search, search_table
from marac_desk.services import audit, people
from marac_desk.services import referrals as intake
from marac_desk.services.context import Actor, utcnow

_CHUNK = 900  # under SQLite's bound-parameter limit
# SQLite's page cache while the batch's rows are written (KiB).
FINISH_CACHE_KIB = 256 * 1024
_ID_BITS = 32
_ID_MASK = (1 << _ID_BITS) - 1
_ID_LIMIT = 1 << 31  # person ids are held as int32

IdArray = npt.NDArray[np.integer[Any]]
# A probe's keys to look up, its `dob_screen` and its `name_count_keys`.
_ProbeFacts = tuple[frozenset[str], Callable[[Sequence[date]], bool] | None, frozenset[str]]


def _with_defaults(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every column that has a plain default (the value `insert_rows` would give a
    row without it): rows alike in their columns go into the store in one pass."""
    defaults = {
        c.key: getattr(c.default, "arg", None)
        for c in table.columns
        if c.default is not None and getattr(c.default, "is_scalar", False)
    }
    if defaults:
        for row in rows:
            for key, value in defaults.items():
                if key not in row:
                    row[key] = value
    return rows


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _dbapi(session: Session) -> Any:
    return session.connection().connection.dbapi_connection


def _marks(n: int) -> str:
    return ",".join("?" * n)


class KeyIndex:
    """`person_keys` restricted to the keys a batch looks up, with what the batch adds.

    The store's part never changes during the batch, so each probe's shortlist over it is
    worked out once (`prepare` asks for all of them up front, to know whose evidence to read);
    what the batch adds is merged in when a shortlist is asked for again."""

    def __init__(
        self,
        arrays: dict[str, IdArray],
        wanted: Iterable[str],
        stored_top: int,
        counts: dict[str, int] | None = None,
    ) -> None:
        self.arrays = arrays  # the store's person ids by key
        # Keys only ever counted (`held`), never looked up: how many stored people hold each.
        self.counts = counts or {}
        self.wanted = frozenset(wanted) | frozenset(self.counts)  # (`read` adds counted ones)
        self.stored_top = stored_top  # ids above it are the batch's own people
        # Ids the batch added, by key (people it made, and new keys of people it changed).
        self.pending: dict[str, list[int]] = {}
        # The store's part of each shortlist asked for: (keys, limit) -> (ids, keys shared).
        self._stored: dict[tuple[frozenset[str], int], tuple[IdArray, IdArray]] = {}

    @classmethod
    def read(
        cls,
        session: Session,
        wanted: Iterable[str],
        stored_top: int,
        *,
        counted: Iterable[str] = (),
    ) -> KeyIndex:
        """The index as the store has it for the `wanted` keys, and how many people hold each
        of the `counted` ones (spellings, for `NameCounts`: who holds them is never asked, and
        common names are held by thousands, 40% of the ids an import would read)."""
        wanted = frozenset(wanted)
        arrays: dict[str, IdArray] = {}
        counts: dict[str, int] = {}
        dbapi = _dbapi(session)
        for chunk in _chunks(sorted(wanted)):
            query = (
                "SELECT key, group_concat(person_id) FROM person_keys "
                f"WHERE key IN ({_marks(len(chunk))}) GROUP BY key"
            )
            for key, ids in dbapi.execute(query, tuple(chunk)):
                # (In index order, so sorted: `_rank` merges sorted runs fastest.)
                arrays[key] = np.fromstring(ids, dtype=np.int32, sep=",")
        for chunk in _chunks(sorted(frozenset(counted) - wanted)):
            query = (
                "SELECT key, count(*) FROM person_keys "
                f"WHERE key IN ({_marks(len(chunk))}) GROUP BY key"
            )
            counts.update(dbapi.execute(query, tuple(chunk)))
        # Both kinds are wanted: the batch's people join the count of each key they hold.
        return cls(arrays, wanted | frozenset(counted), stored_top, counts)

    def add(self, person_id: int, keys: Iterable[str]) -> None:
        for key in keys:
            if key in self.wanted:
                self.pending.setdefault(key, []).append(person_id)

    def holders(self, keys: Iterable[str]) -> set[int]:
        """Everyone holding one of `keys` (looked-up keys: counted ones have no ids here)."""
        found: set[int] = set()
        for key in keys:
            array = self.arrays.get(key)
            if array is not None:
                found.update(cast(list[int], array.tolist()))
            found.update(self.pending.get(key, ()))
        return found

    def held(self, keys: Iterable[str]) -> dict[str, int]:
        """How many people hold each of `keys` (`people.name_counts` asks the store this)."""
        pending, arrays, counts = self.pending, self.arrays, self.counts
        found = {}
        for key in keys:
            array = arrays.get(key)
            n = counts.get(key, 0) if array is None else int(array.size)
            n += len(pending.get(key, ()))
            if n:
                found[key] = n
        return found

    def shortlist(self, keys: Iterable[str], limit: int) -> IdArray:
        """The `limit` people sharing the most of `keys`, ties by lowest id (what
        `people._shortlist` asks of the store), in that order."""
        keys = frozenset(keys)
        ids, hits = self.stored_shortlist(keys, limit)
        pending = self.pending
        lists = [pending[key] for key in keys if key in pending]
        if not lists:
            return ids
        # (Counted in C: common keys gather hundreds of the batch's people.)
        added = Counter(chain.from_iterable(lists))
        if (
            ids.size == limit
            and min(added) > self.stored_top
            and max(added.values()) <= int(hits[-1])
        ):
            # Only the batch's own people, none sharing more keys than the last one listed:
            # each would come after it (a tie goes to the lower id, and theirs are higher).
            return ids
        # Whoever the batch added keys to shares their stored keys plus the added ones; anyone
        # else shares what the store says, so is in the store's shortlist or behind all of it.
        stored = cast(list[int], ids.tolist())
        shared = dict(zip(stored, cast(list[int], hits.tolist()), strict=True))
        stored_top = self.stored_top
        for pid, more in added.items():
            before = shared.get(pid)
            if before is None:
                before = self._stored_hits(pid, keys) if pid <= stored_top else 0
            shared[pid] = before + more
        # One sortable int each, as `_rank` makes them (most hits first, then the lowest id):
        # sorting ints is several times quicker than sorting by a key function.
        order = [pid - (n << _ID_BITS) for pid, n in shared.items()]
        order.sort()
        best = [number & _ID_MASK for number in order[:limit]]
        # Mostly the store's shortlist still: that very array, whose screening is known.
        return ids if best == stored else np.array(best, dtype=np.int64)

    def _stored_hits(self, person_id: int, keys: Iterable[str]) -> int:
        hits = 0
        for key in keys:
            array = self.arrays.get(key)
            if array is not None:
                hits += int(np.count_nonzero(array == person_id))
        return hits

    def stored_shortlist(self, keys: frozenset[str], limit: int) -> tuple[IdArray, IdArray]:
        """The shortlist over the store's keys alone, and how many keys each person shares."""
        found = self._stored.get((keys, limit))
        if found is None:
            found = self._stored[(keys, limit)] = self._rank(keys, limit)
        return found

    def _rank(self, keys: frozenset[str], limit: int) -> tuple[IdArray, IdArray]:
        arrays = self.arrays
        parts = [arrays[key] for key in keys if key in arrays and arrays[key].size]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # Each part is sorted: a stable sort merges the runs rather than sorting from scratch.
        ids = np.concatenate(parts) if len(parts) > 1 else parts[0].copy()
        ids.sort(kind="stable")
        n = ids.size
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        hits = np.empty(starts.size, dtype=np.int64)
        np.subtract(starts[1:], starts[:-1], out=hits[:-1])
        hits[-1] = n - starts[-1]
        # One sortable number: most hits first, then the lowest id.
        order = ids[starts].astype(np.int64) - (hits << _ID_BITS)
        if order.size > limit:
            order = np.partition(order, limit - 1)[:limit]
        order.sort()
        return order & _ID_MASK, -(order >> _ID_BITS)


# How a person's dates of birth are held in PeopleSet's arrays (0: not held, so never screened
# out by the arrays; `worth` decides).
_ONE_DOB, _NO_DOB, _SEVERAL_DOBS = 1, 2, 3
# Read every stored person's date of birth (one scan of the covering index on people.dob) rather
# than the shortlisted people's by id when these are at least this share of the store.
DOB_SCAN_SHARE = 0.25
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class PeopleSet:
    """What matching knows about the people a batch compares, as the store has them plus what
    the batch added: evidence as `load_evidence` assembles it.

    `prefetch` is given every probe's shortlist over the store (known before the first referral:
    see `KeyIndex`). It reads the dates of birth of everyone on them, screens each shortlist
    on those (`dob_screen`: people whose dates of birth make `compare` say DISTINCT are left
    out, as `rank` would leave them out) and reads the full evidence of the people left, a
    fraction of the store, in a few queries. Dates of birth are also held in arrays, so a
    shortlist is screened all at once and only the people worth comparing are put together."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[int, PersonEvidence] = {}  # read from the store, or the batch's
        # Stored people's dates of birth beyond the arrays: the others (person_dobs, in order,
        # as ISO text) and the own one of those who have others; all as dates once asked for.
        self._more_dobs: dict[int, list[str]] = {}
        self._own_dob: dict[int, date | None] = {}
        self._dobs: dict[int, tuple[date, ...]] = {}
        self._kind = np.zeros(0, dtype=np.int8)
        self._year = np.zeros(0, dtype=np.int32)
        self._day = np.zeros(0, dtype=np.int32)  # month * 100 + day
        self._ordinal = np.zeros(0, dtype=np.int32)
        # Each probe's shortlist over the store and the people on it worth comparing, as
        # `prefetch` screened them; and the people the batch has made or changed since.
        self._screened_for: dict[PersonEvidence, tuple[IdArray, list[int], list[int]]] = {}
        self._changed: set[int] = set()

    # ----- reading the store -----------------------------------------------------------------

    def prefetch(
        self,
        shortlists: Sequence[
            tuple[PersonEvidence, IdArray, Callable[[Sequence[date]], bool] | None]
        ],
        store_people: int,
    ) -> None:
        """Read what the batch's shortlists need (see the class docstring): each probe with
        its shortlist over the store and its `dob_screen`; `store_people` is the store's
        highest person id."""
        # Everyone on a shortlist is in the store or made by the batch (`set` holds them).
        self._grow(store_people)
        if not shortlists:
            return
        listed = np.zeros(store_people + 1, dtype=bool)
        for _probe, shortlist, _worth in shortlists:
            listed[shortlist] = True
        ids = np.flatnonzero(listed)  # (marking is quicker than np.unique's sort)
        if not ids.size:
            return
        self._hold_stored_dobs(ids.tolist(), scan=ids.size >= DOB_SCAN_SHARE * store_people)
        worth_reading: set[int] = set()
        kind = self._kind
        for probe, shortlist, worth in shortlists:
            screened = self._screened(probe, shortlist, worth)
            kinds = kind[screened]
            held = kinds != 0  # (none held: not in the store)
            kept = cast(list[int], screened[held].tolist())
            if worth is not None:
                # No date of birth is always worth it (`worth(())`): only dates are looked at.
                undated = cast(list[bool], (kinds[held] == _NO_DOB).tolist())
                stored_dobs = self._stored_dobs
                kept = [
                    pid
                    for pid, no_dob in zip(kept, undated, strict=True)
                    if no_dob or worth(stored_dobs(pid))
                ]
            self._screened_for[probe] = (shortlist, cast(list[int], shortlist.tolist()), kept)
            worth_reading.update(kept)
        self._read(sorted(worth_reading))

    def _hold_stored_dobs(self, ids: list[int], *, scan: bool) -> None:
        """Put stored people's dates of birth in the arrays: everyone's (`scan`) or `ids`'.
        Ids and dates come as two lists of text (`group_concat`): a third of the time of a
        row per person, and parsed all at once."""
        dbapi = _dbapi(self.session)
        with_dob: list[IdArray] = []
        without_dob: list[IdArray] = []
        texts: list[str] = []
        others: list[tuple[int, str]] = []

        def gather(chunk: Sequence[int] | None) -> None:
            marks = _marks(len(chunk)) if chunk is not None else ""
            among = f" AND id IN ({marks})" if chunk is not None else ""
            params = tuple(chunk or ())
            ids_text, dobs_text = dbapi.execute(
                "SELECT group_concat(id), group_concat(dob) FROM people "
                f"WHERE dob IS NOT NULL{among}",
                params,
            ).fetchone()
            if ids_text:
                with_dob.append(np.fromstring(ids_text, dtype=np.int64, sep=","))
                texts.extend(dobs_text.split(","))
            (ids_text,) = dbapi.execute(
                f"SELECT group_concat(id) FROM people WHERE dob IS NULL{among}", params
            ).fetchone()
            if ids_text:
                without_dob.append(np.fromstring(ids_text, dtype=np.int64, sep=","))
            among = f" WHERE person_id IN ({marks})" if chunk is not None else ""
            others.extend(
                dbapi.execute(f"SELECT person_id, dob FROM person_dobs{among} ORDER BY id", params)
            )

        if scan:
            gather(None)
        else:
            for chunk in _chunks(ids):
                gather(chunk)
        if without_dob:
            self._kind[np.concatenate(without_dob)] = _NO_DOB
        if with_dob:
            at = np.concatenate(with_dob)
            days = np.array(texts, dtype="datetime64[D]")
            months = days.astype("datetime64[M]")
            self._kind[at] = _ONE_DOB
            self._year[at] = days.astype("datetime64[Y]").astype(np.int32) + 1970
            self._day[at] = (months.astype(np.int32) % 12 + 1) * 100 + (
                (days - months).astype(np.int32) + 1
            )
            self._ordinal[at] = days.astype(np.int32) + _EPOCH_ORDINAL
        for pid, text in others:
            self._more_dobs.setdefault(pid, []).append(text)
        # People with other dates of birth too: their own is kept aside, then they are held
        # with all of them.
        for pid in self._more_dobs:
            kind = self._kind[pid]
            if kind:
                self._own_dob[pid] = (
                    date.fromordinal(int(self._ordinal[pid])) if kind == _ONE_DOB else None
                )
                self._hold(pid, self._stored_dobs(pid))

    def _stored_dobs(self, pid: int) -> tuple[date, ...]:
        """`EvidenceParts.all_dobs` of a stored person whose dates of birth are held."""
        found = self._dobs.get(pid)
        if found is not None:
            return found
        more = self._more_dobs.get(pid)
        if more is not None:
            own = self._own_dob[pid]
            dobs = [own] if own else []
            for text in more:
                other = date.fromisoformat(text)
                if other not in dobs:
                    dobs.append(other)
            found = tuple(dobs)
        elif self._kind[pid] == _ONE_DOB:
            found = (date.fromordinal(int(self._ordinal[pid])),)
        else:
            found = ()
        self._dobs[pid] = found
        return found

    def _read(self, ids: list[int]) -> None:
        """The full evidence of these stored people."""
        self.known.update(read_evidence(_dbapi(self.session), ids))

    # ----- the arrays ------------------------------------------------------------------------

    def _grow(self, top: int) -> None:
        size = self._kind.size
        if top < size:
            return
        more = max(top + 1, 2 * size) - size
        self._kind = np.concatenate((self._kind, np.zeros(more, dtype=np.int8)))
        self._year = np.concatenate((self._year, np.zeros(more, dtype=np.int32)))
        self._day = np.concatenate((self._day, np.zeros(more, dtype=np.int32)))
        self._ordinal = np.concatenate((self._ordinal, np.zeros(more, dtype=np.int32)))

    def _hold(self, pid: int, dobs: Sequence[date]) -> None:
        if len(dobs) == 1:
            dob = dobs[0]
            self._kind[pid] = _ONE_DOB
            self._year[pid], self._day[pid] = dob.year, dob.month * 100 + dob.day
            self._ordinal[pid] = dob.toordinal()
        else:
            self._kind[pid] = _NO_DOB if not dobs else _SEVERAL_DOBS

    def _screened(
        self, probe: PersonEvidence, ids: IdArray, worth: Callable[[Sequence[date]], bool] | None
    ) -> IdArray:
        """`ids` without the people whose one date of birth is outside the neighbourhood of the
        probe's, where any agreement lies (`worth` would say no to them)."""
        if worth is None or not ids.size:
            return ids
        years, days, near = dob_neighbourhood(probe.dobs)
        keep = self._kind[ids] != _ONE_DOB
        held = self._year[ids]
        for year in years:
            keep |= held == year
        held = self._day[ids]
        for month, day in days:
            keep |= held == month * 100 + day
        held = self._ordinal[ids]
        for ordinal in near:
            keep |= held == ordinal
        return cast(IdArray, ids[keep])

    # ----- what matching is given ------------------------------------------------------------

    def evidence(self, person_id: int) -> PersonEvidence:
        found = self.known.get(person_id)
        if found is None:
            # Not prefetched (compared for another reason than a shortlist): read it.
            self._read([person_id])
            found = self.known.get(person_id)
            if found is None:
                raise LookupError(f"person {person_id} is not in the store")
        return found

    def candidates(
        self,
        probe: PersonEvidence,
        ids: IdArray,
        worth: Callable[[Sequence[date]], bool] | None,
    ) -> list[PersonEvidence]:
        """The evidence of `ids`, leaving out (unread) people whose dates of birth already
        make `compare` say DISTINCT (`worth` is `dob_screen(probe)`; `rank` would leave them
        out too)."""
        screened = self._screened_for.get(probe)
        if screened is not None and screened[0] is ids and self._changed.isdisjoint(screened[1]):
            # The shortlist `prefetch` screened, no one on it changed since: the same people.
            return self._evidence_of(screened[2])
        known, out = self.known, []
        for pid in cast(list[int], self._screened(probe, ids, worth).tolist()):
            evidence = known.get(pid)
            if evidence is None:
                if worth is not None:
                    if self._kind[pid]:
                        dobs = self._stored_dobs(pid)
                    else:
                        try:
                            dobs = self.evidence(pid).dobs
                        except LookupError:
                            continue
                    if not worth(dobs):
                        continue
                try:
                    evidence = self.evidence(pid)
                except LookupError:
                    continue
            out.append(evidence)
        return out

    def _evidence_of(self, ids: Iterable[int]) -> list[PersonEvidence]:
        known, out = self.known, []
        for pid in ids:
            found = known.get(pid)
            if found is None:
                try:
                    found = self.evidence(pid)
                except LookupError:
                    continue
            out.append(found)
        return out

    def set(self, evidence: PersonEvidence) -> None:
        pid = evidence.person_id
        assert pid is not None
        self.known[pid] = evidence
        self._changed.add(pid)
        self._grow(pid)
        self._hold(pid, evidence.dobs)


@dataclass
class _Referral:
    """A referral's repeat facts and flags (from the store, or made by the batch)."""

    id: int
    referral_date: date
    perpetrators: frozenset[int]
    flags: tuple[bool, int | None, bool]
    row: dict[str, Any] | None = None  # the batch's own referrals: the row to insert


@dataclass
class _Meetings:
    """Meetings found or created for the days cases were heard, and the next case position."""

    by_day: dict[int, dict[date, int]] = field(default_factory=dict)  # panel -> day -> meeting
    next_position: dict[int, int] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 0


class IntakeBatch:
    """Referrals entered in bulk inside the caller's unit of work (see the module docstring).

    `prepare` with every input first (it reads the index for the keys they will look up), then
    `create` each input in the order it would have been typed, then `finish` to write it all.
    Links are decided by matching alone: inputs naming a person (`person_id`) are refused."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        *,
        values: dict[str, Any],
        auto_link: bool,
        source: str,
    ) -> None:
        self.session, self.actor, self.values = session, actor, values
        self.auto_link, self.source = auto_link, source
        self.rule = intake.repeat_rule(values)
        self.cache = intake.IntakeCache()
        self.events = audit.BulkEvents(session)

        def top(column: Any) -> int:
            return int(session.scalar(select(func.max(column))) or 0)

        self.last_person = self.next_person = top(Person.id)
        self.last_referral = self.next_referral = top(Referral.id)
        self.meetings = _Meetings(next_id=top(Meeting.id))
        self.index: KeyIndex | None = None
        self.people: PeopleSet | None = None
        self._probe_facts: dict[PersonEvidence, _ProbeFacts] = {}
        self.indexed: dict[int, frozenset[str]] = {}  # people whose keys the batch changed
        # Rows to write, in the order intake would have written them.
        self.rows: dict[type[Base], list[dict[str, Any]]] = {
            model: []
            for model in (
                Person,
                PersonAlias,
                PersonDob,
                PersonIdentifier,
                Referral,
                ReferralPerpetrator,
                ReferralChild,
                MatchReview,
                MeetingCase,
            )
        }
        self.review_pairs: set[tuple[int, int]] = set()
        self.referrals: dict[int, _Referral] = {}
        self.by_victim: dict[int, list[int]] = {}  # victim -> referral ids, ascending
        self.changed_in_store: dict[int, datetime] = {}  # referral -> updated_at
        self.created_ids: list[int] = []
        # The victims of the batch's own referrals, by perpetrator (for `_named_with`).
        self.victims_of: dict[int, set[int]] = {}
        self._store_victims: dict[int, frozenset[int]] = {}  # the same in the store

    # ----- matching --------------------------------------------------------------------------

    @staticmethod
    def _probe(person: intake.PersonInput, postcode: str = "") -> PersonEvidence:
        return people.evidence_from(
            person.first_name,
            person.last_name,
            person.dob,
            postcode=postcode,
            identifiers=person.identifiers,
        )

    def _keys(self, probe: PersonEvidence) -> frozenset[str]:
        return self._facts(probe)[0]

    def _facts(self, probe: PersonEvidence) -> _ProbeFacts:
        """What a probe looks up, its date-of-birth screen and the spellings it counts, worked
        out once a probe (it is ranked once or twice, after `prepare` asked for it)."""
        facts = self._probe_facts.get(probe)
        if facts is None:
            facts = self._probe_facts[probe] = (
                probe_keys(probe),
                dob_screen(probe),
                name_count_keys(probe),
            )
        return facts

    def prepare(self, inputs: Sequence[intake.ReferralInput]) -> None:
        """Read the index for the keys the inputs will look up, work out each one's shortlist
        over the store and read the evidence of the people on them worth comparing."""
        wanted: set[str] = set()
        counted: set[str] = set()
        probes: dict[PersonEvidence, None] = {}  # each once, in order
        for inp in inputs:
            postcode = str(inp.victim_facts.get("postcode", ""))
            for person, code in ((inp.victim, postcode), *((p, "") for p in inp.perpetrators)):
                if person.person_id is not None:
                    raise ValueError("A bulk intake decides links itself: no person_id.")
                if not person.decided:
                    probe = self._probe(person, code)
                    wanted |= self._keys(probe)
                    counted |= self._facts(probe)[2]
                    probes[probe] = None
        self.index = KeyIndex.read(self.session, wanted, self.last_person, counted=counted)
        self.people = PeopleSet(self.session)
        limit = people.SHORTLIST
        self.people.prefetch(
            [
                (probe, self.index.stored_shortlist(keys, limit)[0], worth)
                for probe in probes
                for keys, worth, _counted in (self._facts(probe),)
            ],
            store_people=self.last_person,
        )

    def _ranked(
        self, probe: PersonEvidence, seen_with: SeenWith | None = None
    ) -> list[MatchResult]:
        assert self.index is not None and self.people is not None
        keys, worth, counted = self._facts(probe)
        if not keys <= self.index.wanted:
            raise RuntimeError("This input was not among those the batch was prepared with.")
        ids = self.index.shortlist(keys, people.SHORTLIST)
        found = self.people.candidates(probe, ids, worth)
        # Compared whatever the shortlist and dates of birth say (`people.ranked_in_session`).
        extra = set(seen_with.people) if seen_with is not None else set()
        if probe.identifiers:
            extra.update(self.index.holders(identifier_keys(probe.identifiers)))
        if extra:
            shortlisted = {e.person_id for e in found}
            found += [self.people.evidence(pid) for pid in sorted(extra.difference(shortlisted))]
        counts = NameCounts.of_keys(self.index.held(counted))
        return rank(probe, found, screen=worth, seen_with=seen_with, counts=counts)

    def _named_with(self, person_ids: Sequence[int], victims: bool) -> frozenset[int]:
        """`people.named_with` over the store and the batch."""
        named: set[int] = set()
        if victims:
            for victim_id in person_ids:
                for rid in self._history(victim_id):
                    named |= self.referrals[rid].perpetrators
            return frozenset(named)
        for pid in person_ids:
            if pid <= self.last_person:
                named |= self._stored_victims_of(pid)
            named |= self.victims_of.get(pid, set())
        return frozenset(named)

    def _stored_victims_of(self, person_id: int) -> frozenset[int]:
        """`people.named_with(victims=False)` over the store alone (a union over the people
        asked about), which the batch does not change until `finish`: asked once a person."""
        found = self._store_victims.get(person_id)
        if found is None:
            found = people.named_with(self.session, [person_id], victims=False)
            self._store_victims[person_id] = found
        return found

    def _choose(self, inp: intake.ReferralInput, postcode: str) -> list[intake.PersonChoice]:
        """`referrals.choose_people`, in memory."""
        inputs = [inp.victim, *inp.perpetrators]
        if any(person.person_id is not None for person in inputs):
            raise ValueError("A bulk intake decides links itself: no person_id.")

        def ranked(i: int, seen_with: SeenWith | None) -> list[MatchResult]:
            return self._ranked(self._probe(inputs[i], postcode if i == 0 else ""), seen_with)

        return intake.choose_people(
            inputs, [None] * len(inputs), ranked, self._named_with, auto_link=self.auto_link
        )

    def _resolve(
        self, person: intake.PersonInput, choice: intake.PersonChoice, referral_id: int
    ) -> tuple[int, str, list[MatchResult]]:
        """`referrals._settle_person`, in memory."""
        if choice.target is not None:
            self._note_variant(choice.target, person, referral_id)
            return choice.target, "linked", []
        pid = self._new_person(person, referral_id)
        return pid, intake.match_status_of(choice.found), choice.found

    def _note_variant(self, person_id: int, person: intake.PersonInput, referral_id: int) -> None:
        assert self.people is not None
        known = self.people.evidence(person_id)
        alias, dob = people.variant_of(known, person.first_name, person.last_name, person.dob)
        names, dobs = known.names, known.dobs
        if alias is not None:
            self.rows[PersonAlias].append(
                {
                    "person_id": person_id,
                    "first_name": alias[0],
                    "last_name": alias[1],
                    "kind": people.VARIANT_KIND,
                    "referral_id": referral_id,
                }
            )
            names = tuple(dict.fromkeys((*names, NameForm(*alias))))
        if dob is not None:
            self.rows[PersonDob].append(
                {"person_id": person_id, "dob": dob, "referral_id": referral_id}
            )
            dobs = (*dobs, dob)
        new_ids = [i for i in dict.fromkeys(person.identifiers) if i not in known.identifiers]
        self.rows[PersonIdentifier].extend(
            {"person_id": person_id, "identifier": i, "referral_id": referral_id} for i in new_ids
        )
        if alias is not None or dob is not None or new_ids:
            self._before_change(person_id)
            identifiers = tuple(sorted({*known.identifiers, *new_ids}))
            self.people.set(replace(known, names=names, dobs=dobs, identifiers=identifiers))

    def _new_person(self, person: intake.PersonInput, referral_id: int) -> int:
        assert self.people is not None
        self.next_person += 1
        pid = self.next_person
        assert pid < _ID_LIMIT, "person ids beyond the index's 32-bit arrays"
        row = people.person_values(
            person.first_name, person.last_name, person.dob, person.gender, utcnow()
        )
        self.rows[Person].append({"id": pid, **row})
        parts = EvidenceParts()
        parts.add_person(pid, row["first_name"], row["last_name"], row["dob"])
        for identifier in dict.fromkeys(person.identifiers):
            self.rows[PersonIdentifier].append(
                {"person_id": pid, "identifier": identifier, "referral_id": referral_id}
            )
            parts.add_identifier(pid, identifier)
        evidence = parts.evidence(pid)
        assert evidence is not None
        self.people.set(evidence)
        return pid

    def _add_postcode(self, person_id: int, postcode: str) -> None:
        assert self.people is not None
        known = self.people.evidence(person_id)
        if postcode and postcode not in known.postcodes:
            self._before_change(person_id)
            codes = tuple(sorted({*known.postcodes, postcode}))
            self.people.set(replace(known, postcodes=codes))

    def _queue_reviews(self, person_id: int, found: Sequence[MatchResult]) -> int:
        """`people.queue_reviews`, in memory. Results are only queued for a person the batch
        has just made, so no pair can be in the store already."""
        added = 0
        for r in found:
            if r.person_id is None or r.person_id == person_id:
                continue
            a, b = sorted((person_id, r.person_id))
            if (a, b) in self.review_pairs:
                continue
            self.review_pairs.add((a, b))
            self.rows[MatchReview].append(
                {
                    "person_a_id": a,
                    "person_b_id": b,
                    "weight": r.weight,
                    "score": r.score,
                    "reasons": list(r.reasons),
                    "source": self.source,
                    "status": "open",
                    "created_at": utcnow(),
                }
            )
            added += 1
        return added

    def _before_change(self, person_id: int) -> None:
        """Remember a stored person's keys (as the store has them) before the batch changes
        their evidence."""
        assert self.people is not None
        if person_id <= self.last_person and person_id not in self.indexed:
            self.indexed[person_id] = blocking_keys(self.people.evidence(person_id))

    def _reindex(self, person_ids: Iterable[int]) -> None:
        """`refresh_person_keys` at the end of intake: keys only ever grow here (people gain
        aliases, DOBs and postcodes), so the new ones join the index."""
        assert self.index is not None and self.people is not None
        for pid in dict.fromkeys(person_ids):
            after = blocking_keys(self.people.evidence(pid))
            before = self.indexed.get(pid)
            if before is None:
                # Stored, not changed by the batch: the same keys. Kept in `indexed` all the
                # same, so `_write_keys` checks the store's, as intake's refresh rewrites them.
                before = after if pid <= self.last_person else frozenset()
            self.index.add(pid, after - before)
            self.indexed[pid] = after

    # ----- repeats ---------------------------------------------------------------------------

    def _history(self, victim_id: int) -> list[int]:
        """The victim's referral ids, loading those in the store the first time."""
        history = self.by_victim.get(victim_id)
        if history is not None:
            return history
        history = self.by_victim[victim_id] = []
        if victim_id > self.last_person:
            return history
        # One statement, not two: a victim's referrals with their perpetrators.
        rows = (
            _dbapi(self.session)
            .execute(
                "SELECT r.id, r.referral_date, r.is_repeat, r.previous_referral_id, "
                "r.new_perpetrator_flag, p.person_id FROM referrals r "
                "LEFT JOIN referral_perpetrators p ON p.referral_id = r.id "
                "WHERE r.victim_id = ? ORDER BY r.id",
                (victim_id,),
            )
            .fetchall()
        )
        # (A referral comes once a perpetrator, and once with none.)
        facts: dict[int, tuple[str, Any, Any, Any]] = {}
        perps: dict[int, set[int]] = {}
        for rid, day, repeat, previous, new_perp, pid in rows:
            if rid not in facts:
                facts[rid], perps[rid] = (day, repeat, previous, new_perp), set()
            if pid is not None:
                perps[rid].add(pid)
        for rid, (day, repeat, previous, new_perp) in facts.items():
            self.referrals[rid] = _Referral(
                rid,
                date.fromisoformat(day),
                frozenset(perps[rid]),
                (bool(repeat), previous, bool(new_perp)),
            )
            history.append(rid)
        return history

    def _recompute(self, victim_id: int, quiet_id: int) -> None:
        """`referrals._recompute_for_victims` for one victim, in memory."""
        ids = self._history(victim_id)
        verdicts = assess_history(
            (
                ReferralFacts(r.id, r.referral_date, victim_id, r.perpetrators)
                for r in (self.referrals[i] for i in ids)
            ),
            self.rule,
        )
        for rid in ids:
            r, v = self.referrals[rid], verdicts[rid]
            new = (v.is_repeat, v.previous_referral_id, v.new_perpetrator)
            if r.flags == new:
                continue
            r.flags = new
            now = utcnow()
            if r.row is not None:
                r.row.update(
                    is_repeat=new[0],
                    previous_referral_id=new[1],
                    new_perpetrator_flag=new[2],
                    updated_at=now,
                )
            else:
                self.changed_in_store[rid] = now
            if rid != quiet_id:
                self.events.add(
                    self.actor,
                    "update",
                    "referral",
                    rid,
                    intake.repeat_event_description(v.is_repeat),
                )

    # ----- intake ----------------------------------------------------------------------------

    def create(self, inp: intake.ReferralInput) -> intake.SavedReferral:
        """`referrals.create_in_session`, in memory: same people, flags, reviews and events."""
        assert inp.referral_date is not None
        if self.index is None:
            raise RuntimeError("prepare() the batch with every input before creating any.")
        intake.check_victim_facts(inp)
        session, cache = self.session, self.cache
        panel = intake._panel(session, inp.panel, cache)
        agency_id = intake._agency_id(session, inp.referring_agency, cache)
        joint_id = (
            intake._agency_id(session, inp.joint_agency, cache)
            if inp.joint_agency.strip()
            else None
        )
        postcode = str(inp.victim_facts.get("postcode", ""))
        choices = self._choose(inp, postcode)
        self.next_referral += 1
        rid = self.next_referral
        victim_id, match_status, victim_found = self._resolve(inp.victim, choices[0], rid)
        row = {
            "id": rid,
            **intake.referral_values(
                inp,
                case_ref=intake.next_case_ref(session, panel, inp.referral_date, cache),
                panel_id=panel.id,
                agency_id=agency_id,
                joint_id=joint_id,
                victim_id=victim_id,
                match_status=match_status,
                now=utcnow(),
            ),
            "is_repeat": False,
            "previous_referral_id": None,
            "new_perpetrator_flag": False,
        }
        self.rows[Referral].append(row)
        self._add_postcode(victim_id, str(row.get("postcode", "")))

        touched = [victim_id]
        reviews = self._queue_reviews(victim_id, victim_found)
        perp_ids: list[int] = []
        for perp, choice in zip(inp.perpetrators, choices[1:], strict=True):
            pid, _how, found = self._resolve(perp, choice, rid)
            reviews += self._queue_reviews(pid, found)
            perp_ids.append(pid)
            self.victims_of.setdefault(pid, set()).add(victim_id)
            touched.append(pid)
            self.rows[ReferralPerpetrator].append(intake.perpetrator_values(perp, rid, pid))
        for child in inp.children:
            self.rows[ReferralChild].append(intake.child_values(child, rid))
        self._reindex(touched)

        self._history(victim_id).append(rid)
        self.referrals[rid] = _Referral(
            rid, inp.referral_date, frozenset(perp_ids), (False, None, False), row
        )
        self._recompute(victim_id, quiet_id=rid)
        self.events.add(
            self.actor,
            "create",
            "referral",
            rid,
            intake.create_event_description(row["case_ref"], self.source, match_status),
        )
        self.created_ids.append(rid)
        is_repeat, previous, new_perp = self.referrals[rid].flags
        return intake.SavedReferral(
            id=rid,
            case_ref=row["case_ref"],
            is_repeat=is_repeat,
            previous_referral_id=previous,
            new_perpetrator_flag=new_perp,
            match_status=match_status,
            victim_id=victim_id,
            perpetrator_ids=tuple(perp_ids),
            warnings=(),
            reviews_queued=reviews,
        )

    def repeats(self) -> int:
        """How many of the batch's referrals are repeats (none has an override yet)."""
        return sum(1 for rid in self.created_ids if self.referrals[rid].flags[0])

    # ----- meetings --------------------------------------------------------------------------

    def hear(self, referral_id: int, day: date, outcome: str) -> None:
        """List the referral at its panel's meeting on `day` (made, as held, if there is none)
        with `outcome`, and mark it heard."""
        row = self.referrals[referral_id].row
        assert row is not None
        panel_id = int(row["panel_id"])
        meeting_id = self._meeting_id(panel_id, day)
        position = self.meetings.next_position[meeting_id]
        self.meetings.next_position[meeting_id] = position + 1
        self.rows[MeetingCase].append(
            {
                "meeting_id": meeting_id,
                "referral_id": referral_id,
                "position": position,
                "outcome": outcome,
            }
        )
        row["status"] = "heard"

    def _meeting_id(self, panel_id: int, day: date) -> int:
        m = self.meetings
        days = m.by_day.get(panel_id)
        if days is None:
            days = m.by_day[panel_id] = {}
            for mid, held_on in _dbapi(self.session).execute(
                "SELECT id, meeting_date FROM meetings WHERE panel_id = ? "
                "AND status != 'cancelled' ORDER BY id",
                (panel_id,),
            ):
                days.setdefault(date.fromisoformat(held_on), mid)
        meeting_id = days.get(day)
        if meeting_id is None:
            m.next_id += 1
            meeting_id = days[day] = m.next_id
            m.created.append(
                {
                    "id": meeting_id,
                    "panel_id": panel_id,
                    "meeting_date": day,
                    "status": "held",
                    "created_at": utcnow(),
                }
            )
            m.next_position[meeting_id] = 1
        elif meeting_id not in m.next_position:
            last = self.session.scalar(
                select(func.max(MeetingCase.position)).where(MeetingCase.meeting_id == meeting_id)
            )
            m.next_position[meeting_id] = int(last or 0) + 1
        return meeting_id

    @property
    def meetings_created(self) -> int:
        return len(self.meetings.created)

    # ----- writing ---------------------------------------------------------------------------

    def record(self, action: str, entity: str, entity_id: object, description: str) -> None:
        """An audit event after the batch's own (e.g. an import's summary)."""
        self.events.add(self.actor, action, entity, entity_id, description)

    def finish(self) -> None:
        """Write every row the batch made, then the audit events; the caller commits."""
        session = self.session
        session.flush()
        conn = session.connection()
        # The rows go into indexes spread over a large store: a bigger page cache for this
        # unit of work saves reading (and decrypting) the same pages again and again.
        with larger_page_cache(conn, FINISH_CACHE_KIB):
            self._write(conn)

    def _write_search(self, conn: Any) -> None:
        """The list's search tokens (`db.referral_search`) of the batch's referrals, from the
        rows in memory and their victims' names and aliases as now written; and those of the
        older referrals of victims who gained an alias, read back (`refresh_referral_search`)."""
        new = self.rows[Referral]
        renamed = {row["person_id"] for row in self.rows[PersonAlias]}
        refresh_referral_search(
            conn,
            [
                rid
                for victim_id in sorted(renamed.intersection(self.by_victim))
                for rid in self.by_victim[victim_id]
                if rid <= self.last_referral
            ],
        )
        collected = SearchRows()
        for row in new:
            collected.add_referral(
                row["id"],
                case_ref=row["case_ref"],
                external_ref=row["external_ref"],
                victim_id=row["victim_id"],
                first=row["victim_first_name"],
                last=row["victim_last_name"],
            )
        for row in self.rows[ReferralPerpetrator]:
            collected.add_perpetrator(row["referral_id"], row["first_name"], row["last_name"])
        dbapi = _dbapi(self.session)
        for chunk in _chunks(sorted({row["victim_id"] for row in new})):
            marks = _marks(len(chunk))
            for query in (
                f"SELECT id, first_name, last_name FROM people WHERE id IN ({marks})",
                "SELECT person_id, first_name, last_name FROM person_aliases "
                f"WHERE person_id IN ({marks})",
            ):
                for pid, first, last in dbapi.execute(query, chunk):
                    collected.add_person_names(pid, first, last)
        insert_rows(conn, search_table, collected.rows())

    def _write(self, conn: Any) -> None:
        def insert(model: type[Base], rows: list[dict[str, Any]]) -> None:
            table = cast(Table, model.__table__)
            for start in range(0, len(rows), 5000):
                insert_rows(conn, table, _with_defaults(table, rows[start : start + 5000]))

        insert(Person, self.rows[Person])
        insert(Meeting, self.meetings.created)
        insert(Referral, self.rows[Referral])
        # After the referrals: each says which referral it came from.
        insert(PersonAlias, self.rows[PersonAlias])
        insert(PersonDob, self.rows[PersonDob])
        insert(PersonIdentifier, self.rows[PersonIdentifier])
        insert(ReferralPerpetrator, self.rows[ReferralPerpetrator])
        insert(ReferralChild, self.rows[ReferralChild])
        insert(MatchReview, self.rows[MatchReview])
        insert(MeetingCase, self.rows[MeetingCase])
        self._write_search(conn)
        if self.changed_in_store:
            table = cast(Table, Referral.__table__)
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("rid"))
                .values(
                    is_repeat=bindparam("repeat"),
                    previous_referral_id=bindparam("previous"),
                    new_perpetrator_flag=bindparam("new_perp"),
                    updated_at=bindparam("at"),
                ),
                [
                    {
                        "rid": rid,
                        "repeat": self.referrals[rid].flags[0],
                        "previous": self.referrals[rid].flags[1],
                        "new_perp": self.referrals[rid].flags[2],
                        "at": at,
                    }
                    for rid, at in self.changed_in_store.items()
                ],
            )
        self._write_keys(conn)
        self.events.write()

    def _write_keys(self, conn: Any) -> None:
        """`refresh_person_keys` of everyone the batch made or changed: their keys become
        `self.indexed`. Stored people's keys are compared with the store's and only the
        difference is written (they mostly gain a key or two): rewriting all of them dirtied
        pages all over the large key index, each encrypted and written again at commit."""
        dbapi = _dbapi(self.session)
        stored: dict[int, dict[str, int]] = {}  # person -> key -> rows
        for chunk in _chunks(sorted(pid for pid in self.indexed if pid <= self.last_person)):
            for pid, key in dbapi.execute(
                f"SELECT person_id, key FROM person_keys WHERE person_id IN ({_marks(len(chunk))})",
                chunk,
            ):
                held = stored.setdefault(pid, {})
                held[key] = held.get(key, 0) + 1
        gone: list[tuple[int, str]] = []
        new: list[tuple[str, int]] = []
        for pid, keys in self.indexed.items():
            have = stored.get(pid, {})
            for key, times in have.items():
                if times > 1 or key not in keys:  # (a key held twice is written again once)
                    gone.append((pid, key))
            new += ((key, pid) for key in keys if have.get(key) != 1)
        dbapi.executemany("DELETE FROM person_keys WHERE person_id = ? AND key = ?", gone)
        # In key order: the index on key is filled page by page rather than all over.
        new.sort()
        insert_rows(
            conn,
            cast(Table, PersonKey.__table__),
            [{"person_id": pid, "key": key} for key, pid in new],
        )
