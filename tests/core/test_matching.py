"""Matching rules as a coordinator would state them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marac_desk.core.matching import (
    Decision,
    NameForm,
    PersonEvidence,
    compare,
    dob_screen,
    rank,
)
from marac_desk.core.names import are_variants, compact, normalise, skeleton

DOB = date(1990, 4, 12)


def person(first: str, last: str, *dobs: date, pid: int | None = 1, **kw: tuple[str, ...]):
    return PersonEvidence(pid, (NameForm(first, last),), tuple(dobs), **kw)


def typed(first: str, last: str, *dobs: date, **kw: tuple[str, ...]):
    return person(first, last, *dobs, pid=None, **kw)


@pytest.mark.parametrize(
    ("probe", "known", "reason"),
    [
        (typed("Sarah", "Jones", DOB), person("Sarah", "Jones", DOB), "same first name"),
        (typed("Katie", "Brown", DOB), person("Kate", "Brown", DOB), "known variant"),
        (typed("Muhammad", "Khan", DOB), person("Mohammed", "Khan", DOB), "known variant"),
        (typed("Thi Huong", "Nguyen", DOB), person("Thị Hương", "Nguyễn", DOB), "same surname"),
        (typed("Jones", "Sarah", DOB), person("Sarah", "Jones", DOB), "swapped"),
    ],
)
def test_same_person_under_variations_is_linked(probe, known, reason):
    result = compare(probe, known)
    assert result.decision is Decision.LINK
    assert any(reason in r for r in result.reasons)


@pytest.mark.parametrize(
    ("probe", "known", "reason"),
    [
        (typed("Sarah", "Jnoes", DOB), person("Sarah", "Jones", DOB), "surname"),
        (typed("Sarah", "Jones", date(1990, 12, 4)), person("Sarah", "Jones", DOB), "swapped"),
        (typed("Sarah", "Jones", date(1991, 4, 12)), person("Sarah", "Jones", DOB), "one digit"),
        (typed("Sarah", "Smith", DOB), person("Sarah", "Jones", DOB), "different surname"),
        (typed("محمد", "خان", DOB), person("Mohammed", "Khan", DOB), "sounds alike"),
        (typed("Sarah", "Jones"), person("Sarah", "Jones", DOB), "same surname"),
    ],
)
def test_plausible_matches_go_to_the_coordinator_not_linked(probe, known, reason):
    result = compare(probe, known)
    assert result.decision is Decision.REVIEW
    assert any(reason in r for r in result.reasons), result.reasons


def test_twins_are_never_linked():
    result = compare(typed("Emma", "Jones", DOB), person("Sophie", "Jones", DOB))
    assert result.decision is Decision.DISTINCT
    assert "different first name" in result.reasons


def test_common_names_with_different_dobs_are_not_proposed():
    result = compare(
        typed("John", "Smith", date(1985, 1, 1)), person("John", "Smith", date(1979, 6, 30))
    )
    assert result.decision is Decision.DISTINCT
    assert "different date of birth" in result.reasons


def test_alias_and_alternative_dob_are_used():
    known = PersonEvidence(
        7,
        (NameForm("Sarah", "Jones"), NameForm("Sally", "Price")),
        (DOB, date(1990, 4, 21)),
    )
    result = compare(typed("Sally", "Price", date(1990, 4, 21)), known)
    assert result.decision is Decision.LINK


def test_postcode_adds_evidence_and_explains_it():
    without = compare(typed("Sarah", "Jones"), person("Sarah", "Jones", DOB))
    with_pc = compare(
        typed("Sarah", "Jones", postcodes=("nt1 4ab",)),
        person("Sarah", "Jones", DOB, postcodes=("NT1 4AB",)),
    )
    assert with_pc.score > without.score
    assert "same postcode" in with_pc.reasons


def test_rank_orders_best_first_and_drops_the_unlikely():
    candidates = [
        person("Sophie", "Jones", DOB, pid=1),
        person("Sarah", "Jones", DOB, pid=2),
        person("Sarah", "Jonas", DOB, pid=3),
        person("Peter", "Okafor", date(1970, 1, 1), pid=4),
    ]
    ranked = rank(typed("Sarah", "Jones", DOB), candidates)
    assert [r.person_id for r in ranked] == [2, 3]


def test_name_normal_forms():
    assert normalise("  O'Brien-Smith ") == "obrien smith"
    assert compact("Van der Berg") == compact("Vanderberg")
    assert skeleton("Muhammad") == skeleton("Mohamed") == skeleton("محمد")
    assert are_variants("Bill", "William")
    assert not are_variants("Emma", "Sophie")


names = st.text(min_size=0, max_size=30)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(names, names, names, names, st.lists(dates, max_size=2), st.lists(dates, max_size=2))
def test_comparison_never_crashes_and_stays_in_range(f1, l1, f2, l2, d1, d2):
    a = PersonEvidence(None, (NameForm(f1, l1),), tuple(d1))
    b = PersonEvidence(1, (NameForm(f2, l2),), tuple(d2))
    result = compare(a, b)
    assert 0 <= result.score <= 100
    if result.decision is Decision.LINK:
        assert "same date of birth" in result.reasons


# ----- rank leaves out only what compare would call DISTINCT -------------------------------------

GIVEN = st.sampled_from(
    ["Sarah", "Sara", "Katie", "Kate", "Jones", "Mohammed", "Muhammad", "S", ""]
)
FAMILY = st.sampled_from(["Jones", "Jonas", "Sarah", "Khan", "Nguyen", "Nguyễn", "Smith", ""])
NEAR_DATES = st.sampled_from(
    [
        DOB,
        date(1990, 12, 4),  # day and month swapped
        date(1990, 4, 13),  # a day out, one digit
        date(1991, 4, 12),  # a year out
        date(1980, 4, 12),  # one digit of the year
        date(1990, 4, 30),  # same year only
        date(1990, 5, 1),
        date(1989, 12, 31),
        date(1990, 1, 1),  # a day after the one before: a new year, a new month
        date(1975, 8, 3),  # nothing alike
        date(2002, 1, 22),
    ]
)


def _evidence(draw_names, draw_dobs, pid, postcodes=(), addresses=()):
    return PersonEvidence(
        pid,
        tuple(NameForm(f, last) for f, last in draw_names),
        tuple(draw_dobs),
        tuple(postcodes),
        tuple(addresses),
    )


@settings(max_examples=400, deadline=None)
@given(
    probe_names=st.lists(st.tuples(GIVEN, FAMILY), min_size=1, max_size=2),
    probe_dobs=st.lists(NEAR_DATES, max_size=2),
    probe_codes=st.sampled_from([(), ("NT3 6WA",), ("nt36wb",)]),
    probe_address=st.sampled_from([(), ("2 Mill Street, Northtown",)]),
    known=st.lists(
        st.tuples(
            st.lists(st.tuples(GIVEN, FAMILY), min_size=1, max_size=2),
            st.lists(NEAR_DATES, max_size=2),
            st.sampled_from([(), ("NT3 6WA",), ("NT3 6XX",)]),
            st.sampled_from([(), ("2 Mill St, Northtown",)]),
        ),
        max_size=8,
    ),
)
def test_rank_shows_what_comparing_everyone_would(
    probe_names, probe_dobs, probe_codes, probe_address, known
):
    probe = _evidence(probe_names, probe_dobs, None, probe_codes, probe_address)
    candidates = [
        _evidence(names_, dobs, pid, codes, address)
        for pid, (names_, dobs, codes, address) in enumerate(known, 1)
    ]
    every = [compare(probe, c) for c in candidates]
    expected = sorted(
        (r for r in every if r.decision is not Decision.DISTINCT),
        key=lambda r: (-r.weight, r.person_id or 0),
    )
    assert rank(probe, candidates, limit=100) == expected
    worth = dob_screen(probe)
    for c, r in zip(candidates, every, strict=True):
        if worth is not None and not worth(c.dobs):
            assert r.decision is Decision.DISTINCT


@pytest.mark.parametrize(
    ("typed_dob", "known_dob"),
    [
        (DOB, DOB),
        (DOB, date(1990, 12, 4)),  # swapped
        (DOB, date(1990, 4, 13)),  # a digit of the day
        (DOB, date(1980, 4, 12)),  # a digit of the year
        (DOB, date(1991, 4, 12)),  # a year out
        (date(1990, 1, 1), date(1989, 12, 31)),  # two days apart across a new year
        (date(2000, 3, 1), date(2000, 2, 28)),  # across a month end
    ],
)
def test_the_date_of_birth_screen_keeps_every_kind_of_agreement(typed_dob, known_dob):
    probe = typed("Sarah", "Jones", typed_dob, postcodes=("NT3 6WA",))
    known = person("Sarah", "Jones", known_dob)
    assert compare(probe, known).decision is not Decision.DISTINCT
    worth = dob_screen(probe)
    assert worth is not None and worth(known.dobs)
    assert [r.person_id for r in rank(probe, [known])] == [1]
    assert not worth((date(1975, 8, 3),))  # and a date nothing like it is screened out
