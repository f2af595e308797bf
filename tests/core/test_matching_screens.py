"""The shortcuts that make matching fast never change what it finds: the date-of-birth tags and
their bits only ever leave out candidates `compare` calls DISTINCT, the names' helpers give
what the long way gives, and the blocking keys are the ones stored in every store."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import jellyfish
import pytest
from anyascii import anyascii
from hypothesis import given, settings
from hypothesis import strategies as st
from nicknames import NickNamer

from marac_desk.core.matching import (
    Decision,
    NameCounts,
    NameForm,
    PersonEvidence,
    SeenWith,
    _dob_level,
    _tags,
    blocking_keys,
    compare,
    date_neighbourhood,
    probe_keys,
    rank,
    tag_bits,
)
from marac_desk.core.names import (
    compact,
    metaphone,
    name_family,
    nickname_roots,
    normalise,
    phonetic_keys,
    skeleton,
    squeeze,
    without_particles,
)

DOB = date(1990, 4, 12)

# ----- dates of birth ---------------------------------------------------------------------------


def _digit_slips(day: date) -> list[date]:
    """Every real date one digit, two adjacent digits or a year away from `day` (DDMMYYYY),
    with day and month swapped, and up to three days either side."""
    text = day.strftime("%d%m%Y")
    spellings = {text[2:4] + text[:2] + text[4:]}
    for i in range(8):
        spellings.update(text[:i] + digit + text[i + 1 :] for digit in "0123456789")
        if i < 7:
            spellings.add(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
    spellings.update(text[:4] + str(day.year + years) for years in range(-11, 12))
    found = [day + timedelta(days=n) for n in range(-3, 4)]
    for spelling in spellings:
        try:
            found.append(date(int(spelling[4:]), int(spelling[2:4]), int(spelling[:2])))
        except ValueError:
            continue  # not a date
    return [d for d in found if d.year >= 1000]  # four-digit years, as dates of birth have


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_that_agrees_meets_the_neighbourhood(day):
    near = set(date_neighbourhood(day))
    agreeing = [b for b in _digit_slips(day) if _dob_level(day, b) != "different"]
    assert agreeing  # the same date, at least
    for other in agreeing:
        assert not near.isdisjoint(_tags(other)), (day, other, _dob_level(day, other))


def test_a_date_born_the_same_year_but_nothing_alike_is_not_in_the_neighbourhood():
    assert set(date_neighbourhood(DOB)).isdisjoint(_tags(date(1990, 9, 27)))
    assert not set(date_neighbourhood(DOB)).isdisjoint(_tags(date(1990, 12, 4)))  # swapped


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers() | st.text(max_size=6), max_size=8), st.integers() | st.text())
def test_tags_in_common_always_share_a_bit(tags, shared):
    assert tag_bits([*tags, shared]) & tag_bits([shared])
    assert tag_bits(tags) == tag_bits(list(reversed(tags)))


def test_no_tags_no_bits():
    assert tag_bits([]) == 0


# ----- names ------------------------------------------------------------------------------------


def _normalise_the_long_way(text: str) -> str:
    text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    text = text.replace("'", "").replace("`", "").replace("-", " ")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z ]+", " ", text)).strip()


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="abzAZ '-`.1éçÅßñ\u0301\u00a0\tЖ中ﬁ", max_size=10)
    | st.sampled_from(["Sarah", "O'Brien", "Smith-Jones", "Nguyễn  Thị", "محمد", "JONES", ""])
)
def test_normalising_ascii_directly_gives_what_transliterating_gives(text):
    assert normalise(text) == _normalise_the_long_way(text)


@pytest.mark.parametrize(
    ("text", "squeezed"),
    [("anna", "ana"), ("mhmmd", "mhmd"), ("", ""), ("a", "a"), ("aaa", "a"), ("abab", "abab")],
)
def test_squeeze_writes_each_run_once(text, squeezed):
    assert squeeze(text) == squeezed == re.sub(r"(.)\1+", r"\1", text)


@pytest.mark.parametrize(
    ("name", "bones"),
    [("Muhammad", "mhmd"), ("Mohamed", "mhmd"), ("mhmd", "mhmd"), ("Quazi", "ks"), ("", "")],
)
def test_skeleton(name, bones):
    assert skeleton(name) == bones


@pytest.mark.parametrize("name", ["Sarah", "Al-Hassan", "Van der Berg", "El", "O'Brien", ""])
def test_metaphone_is_the_phonetic_key_blocking_uses(name):
    keys = phonetic_keys(name)
    assert metaphone(name) == (jellyfish.metaphone(compact(name)) if keys else "")
    assert not keys or "m:" + metaphone(name) in keys


@pytest.mark.parametrize(
    ("name", "bare"), [("Al-Hassan", "hassan"), ("El", "el"), ("Hassan", "hassan"), ("", "")]
)
def test_without_particles(name, bare):
    assert without_particles(name) == bare


def test_the_nickname_tables_answer_as_the_library_does():
    namer = NickNamer()
    spellings = [*namer.nickname_lookup, *namer.canonical_lookup, "Jones", "KATIE", ""]
    for text in spellings:
        name = compact(text)
        assert nickname_roots(text) == frozenset(namer.canonicals_of(name) | {name})
        if name:
            assert namer.nicknames_of(name) <= name_family(text)
            assert nickname_roots(text) <= name_family(text)


# ----- keys -------------------------------------------------------------------------------------


def test_blocking_and_probe_keys_are_the_ones_stores_hold():
    known = PersonEvidence(
        1,
        (NameForm("Sarah", "Jones"), NameForm("Sara", "Smith-Jones")),
        (DOB,),
        ("NT3 6WA",),
        (),
        ("nhs:9434765919",),
    )
    assert blocking_keys(known) == {
        "d:1990-04-12",
        "f:jones",
        "f:smithjones",
        "fl:SR:JNS",
        "fl:SR:SM0JNS",
        "fy:SR:1990",
        "g:sara",
        "g:sarah",
        "i:nhs:9434765919",
        "l:JNS",
        "l:SM0JNS",
        "p:NT36WA",
        "s:gns",
        "s:smthgns",
    }
    probe = PersonEvidence(None, (NameForm("Sarah", "Jones"),), (DOB,), ("nt3 6wa",))
    assert probe_keys(probe) == {
        "d:1990-04-12",
        "d:1990-12-04",
        "fl:JNS:SR",
        "fl:SR:JNS",
        "fy:JNS:1990",
        "fy:SR:1990",
        "l:JNS",
        "l:SR",
        "p:NT36WA",
        "s:gns",
        "s:srh",
    }


# ----- rank's screens ---------------------------------------------------------------------------

NAMES = st.tuples(
    st.sampled_from(["Sarah", "Sara", "Jones", "Kate", "Katie", ""]),
    st.sampled_from(["Jones", "Jonse", "Sarah", "Smith", ""]),
)
DATES = st.sampled_from(
    [
        DOB,
        date(1990, 12, 4),
        date(1990, 4, 13),
        date(1991, 4, 12),
        date(1990, 9, 27),
        date(1961, 1, 5),
    ]
)
IDS = st.sampled_from([(), ("ref:AB123456",), ("ref:AB123457",), ("nhs:9434765919",)])
CODES = st.sampled_from([(), ("NT3 6WA",), ("NT3 6XX",), ("ZZ1 1ZZ",)])
ADDRESSES = st.sampled_from([(), ("2 Mill Street",), ("2 Mill St",), ("9 High Road",)])


def _person(pid, names, dobs, codes, addresses, ids):
    return PersonEvidence(
        pid, tuple(NameForm(*n) for n in names), tuple(dobs), codes, addresses, ids
    )


@settings(max_examples=300, deadline=None)
@given(
    probe=st.tuples(
        st.lists(NAMES, min_size=1, max_size=2),
        st.lists(DATES, max_size=2),
        CODES,
        ADDRESSES,
        IDS,
    ),
    known=st.lists(
        st.tuples(
            st.lists(NAMES, min_size=1, max_size=2),
            st.lists(DATES, max_size=2),
            CODES,
            ADDRESSES,
            IDS,
        ),
        max_size=10,
    ),
    together=st.sets(st.integers(1, 10), max_size=3),
    counted=st.booleans(),
)
def test_rank_with_identifiers_and_companions_shows_what_comparing_everyone_would(
    probe, known, together, counted
):
    typed = _person(None, *probe)
    candidates = [_person(pid, *k) for pid, k in enumerate(known, 1)]
    counts = NameCounts.of(candidates) if counted else None
    seen_with = SeenWith.of(together, victims=True)
    every = [compare(typed, c, counts=counts, seen_with=seen_with) for c in candidates]
    expected = sorted(
        (r for r in every if r.decision is not Decision.DISTINCT),
        key=lambda r: (-r.weight, r.person_id or 0),
    )
    assert rank(typed, candidates, limit=100, counts=counts, seen_with=seen_with) == expected
    # Twice: the second time every candidate is prepared already.
    assert rank(typed, iter(candidates), limit=100, counts=counts, seen_with=seen_with) == expected


def test_a_swapped_name_is_still_found_when_the_first_names_rule_out_the_straight_reading():
    # The straight reading (Jones / Sarah) cannot reach review on names and postcode: only the
    # swapped one can, and rank must still find it as compare does.
    typed = PersonEvidence(None, (NameForm("Jones", "Sarah"),), (), ("NT3 6WA",))
    known = PersonEvidence(1, (NameForm("Sarah", "Jones"),), (), ("NT3 6WA",))
    found = rank(typed, [known])
    assert found == [compare(typed, known)]
    assert "first and last names swapped" in found[0].reasons
