"""The bulk intake's blocking index shortlists exactly as `people._shortlist` asks of the store:
the people sharing the most of the probe's keys, ties to the lowest id — with what the batch
added (new people, and new keys of stored people) counted, however the store's part of each
shortlist was worked out before."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from marac_desk.services.intake_batch import KeyIndex

KEYS = [f"k{i}" for i in range(8)]
STORED_TOP = 40


def _expected(
    stored: dict[str, list[int]], added: list[tuple[int, list[str]]], keys: list[str], limit: int
) -> list[int]:
    hits: Counter[int] = Counter()
    for key in keys:
        hits.update(stored.get(key, ()))
        for pid, their_keys in added:
            hits[pid] += their_keys.count(key)
    ranked = sorted((pid for pid, n in hits.items() if n), key=lambda pid: (-hits[pid], pid))
    return ranked[:limit]


people = st.integers(1, STORED_TOP)
stored_index = st.dictionaries(
    st.sampled_from(KEYS), st.lists(people, unique=True).map(sorted), max_size=len(KEYS)
)
additions = st.lists(
    st.tuples(
        st.one_of(people, st.integers(STORED_TOP + 1, STORED_TOP + 20)),
        st.lists(st.sampled_from(KEYS), unique=True, max_size=4),
    ),
    max_size=12,
)
probes = st.lists(st.lists(st.sampled_from(KEYS), unique=True, min_size=1), min_size=1)


@settings(max_examples=300, deadline=None)
@given(stored_index, additions, probes, st.integers(1, 8))
def test_the_shortlist_counts_the_store_and_the_batch(
    stored: dict[str, list[int]],
    added: list[tuple[int, list[str]]],
    probe_keys: list[list[str]],
    limit: int,
) -> None:
    index = KeyIndex(
        {key: np.array(ids, dtype=np.int32) for key, ids in stored.items()}, KEYS, STORED_TOP
    )
    for keys in probe_keys:  # the store's part first, as `prepare` does
        shortlist = index.shortlist(keys, limit).tolist()
        assert shortlist == _expected(stored, [], keys, limit)
    done: list[tuple[int, list[str]]] = []
    for pid, keys_added in added:
        index.add(pid, keys_added)
        done.append((pid, keys_added))
        for keys in probe_keys:
            assert index.shortlist(keys, limit).tolist() == _expected(stored, done, keys, limit)


@settings(max_examples=200, deadline=None)
@given(stored_index, additions, st.lists(st.sampled_from(KEYS), unique=True))
def test_counted_keys_hold_what_the_store_and_the_batch_hold(
    stored: dict[str, list[int]], added: list[tuple[int, list[str]]], asked: list[str]
) -> None:
    """Keys read only as counts (spellings, for NameCounts) give the same `held` as keys read
    with their holders, the batch's additions included, also for keys the store has none of."""
    counted = KEYS[4:]
    index = KeyIndex(
        {key: np.array(ids, dtype=np.int32) for key, ids in stored.items() if key not in counted},
        KEYS,
        STORED_TOP,
        {key: len(ids) for key, ids in stored.items() if key in counted and ids},
    )
    whole = KeyIndex(
        {key: np.array(ids, dtype=np.int32) for key, ids in stored.items()}, KEYS, STORED_TOP
    )
    for pid, keys_added in added:
        index.add(pid, keys_added)
        whole.add(pid, keys_added)
        assert index.held(asked) == whole.held(asked)
    assert index.held(asked) == whole.held(asked)
