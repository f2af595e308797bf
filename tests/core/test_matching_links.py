"""The ways to a link without asking, and the near misses that must still be asked about.

A link joins two records' histories for good: each path below is overwhelming and specific, and
each near miss is a pattern where linking would risk joining two different people (twins, a
brother and sister, a parent and child at one address, namesakes).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marac_desk.core.matching import (
    BROTHER_AND_SISTER,
    SEEN_WITH_PERPETRATOR,
    SEEN_WITH_VICTIM,
    TWO_NAMES,
    Decision,
    NameCounts,
    NameForm,
    PersonEvidence,
    SeenWith,
    compare,
    name_count_keys,
    rank,
)

DOB = date(1990, 4, 12)
POSTCODE = ("NT1 4AB",)
ADDRESS = ("2 Mill Street, Northtown",)


def person(first: str, last: str, *dobs: date, pid: int | None = 1, **kw: tuple[str, ...]):
    return PersonEvidence(pid, (NameForm(first, last),), tuple(dobs), **kw)


def typed(first: str, last: str, *dobs: date, **kw: tuple[str, ...]):
    return person(first, last, *dobs, pid=None, **kw)


# ----- a slip in the date of birth --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed_dob", "why"),
    [
        (date(1990, 12, 4), "date of birth with day and month swapped"),
        (date(1990, 4, 13), "date of birth one digit different"),
        (date(1990, 5, 12), "date of birth one digit different"),
        (date(1991, 4, 12), "date of birth one digit different"),
        (date(1990, 4, 21), "date of birth with two digits transposed"),
        (date(1989, 4, 12), "date of birth a year out, same day and month"),
    ],
)
def test_a_date_of_birth_slip_links_when_names_and_postcode_agree(typed_dob, why):
    result = compare(
        typed("Sarah", "Jones", typed_dob, postcodes=POSTCODE),
        person("Sarah", "Jones", DOB, postcodes=("nt14ab",)),
    )
    assert result.decision is Decision.LINK
    assert result.reasons[0] == why
    assert result.reasons[-1] == "date of birth slip: names and postcode agree"


def test_a_date_of_birth_slip_links_with_a_known_variant_and_a_typo_in_the_surname():
    result = compare(
        typed("Katie", "Brown", date(1990, 12, 4), postcodes=POSTCODE),
        person("Kate", "Brown", DOB, postcodes=POSTCODE),
    )
    assert result.decision is Decision.LINK
    assert "first name is a known variant" in result.reasons
    assert (
        compare(
            typed("Sarah", "Jonnes", date(1990, 12, 4), postcodes=POSTCODE, addresses=ADDRESS),
            person("Sarah", "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS),
        ).decision
        is Decision.LINK
    )


def test_a_date_of_birth_slip_links_when_the_address_agrees_instead_of_the_postcode():
    result = compare(
        typed("Sarah", "Jones", date(1990, 12, 4), addresses=("2 Mill St, Northtown",)),
        person("Sarah", "Jones", DOB, addresses=ADDRESS),
    )
    assert result.decision is Decision.LINK
    assert result.reasons[-1] == "date of birth slip: names and address agree"


@pytest.mark.parametrize(
    ("probe", "known"),
    [
        # nothing but the names to back the slip up
        (typed("Sarah", "Jones", date(1990, 12, 4)), person("Sarah", "Jones", DOB)),
        # a postcode sector is a street or two, not a home
        (
            typed("Sarah", "Jones", date(1990, 12, 4), postcodes=("NT1 4XY",)),
            person("Sarah", "Jones", DOB, postcodes=POSTCODE),
        ),
        # the first name only sounds alike (Jon and Joan could be twins)
        (
            typed("Jon", "Smith", date(1990, 12, 4), postcodes=POSTCODE),
            person("Joan", "Smith", DOB, postcodes=POSTCODE),
        ),
        # the first name has a typo too: two slips are not overwhelming
        (
            typed("Sarha", "Jones", date(1990, 12, 4), postcodes=POSTCODE),
            person("Sarah", "Jones", DOB, postcodes=POSTCODE),
        ),
        # a different surname as well as a slip in the date of birth
        (
            typed("Sarah", "Smith", date(1990, 12, 4), postcodes=POSTCODE),
            person("Sarah", "Jones", DOB, postcodes=POSTCODE),
        ),
        # twins: another first name, whatever else agrees
        (
            typed("Emma", "Jones", date(1990, 12, 4), postcodes=POSTCODE, addresses=ADDRESS),
            person("Sophie", "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS),
        ),
    ],
)
def test_a_date_of_birth_slip_without_overwhelming_evidence_is_not_linked(probe, known):
    assert compare(probe, known).decision is not Decision.LINK


@pytest.mark.parametrize(
    ("typed_dob", "known_dob", "why"),
    [
        # a parent and child of one name at one address: one digit of the year, decades apart
        (date(1960, 4, 12), DOB, "date of birth a digit slip away but decades apart"),
        # two digits of the year transposed, decades apart, is not taken for a slip
        (date(1909, 4, 12), DOB, "different date of birth"),
        # two days apart across a month end is not a slip of the pen
        (date(1990, 4, 30), date(1990, 5, 1), "date of birth nearly the same"),
        (DOB, date(1975, 8, 3), "different date of birth"),
    ],
)
def test_dates_of_birth_that_are_not_slips_never_link(typed_dob, known_dob, why):
    result = compare(
        typed("John", "Smith", typed_dob, postcodes=POSTCODE, addresses=ADDRESS),
        person("John", "Smith", known_dob, postcodes=POSTCODE, addresses=ADDRESS),
    )
    assert result.decision is not Decision.LINK
    assert result.reasons[0] == why


# ----- a changed surname ------------------------------------------------------------------------


def test_a_changed_surname_links_when_first_name_dob_and_postcode_agree():
    result = compare(
        typed("Sarah", "Smith", DOB, postcodes=POSTCODE),
        person("Sarah", "Jones", DOB, postcodes=POSTCODE),
    )
    assert result.decision is Decision.LINK
    assert "different surname" in result.reasons
    assert result.reasons[-1] == "surname changed: first name, date of birth and postcode agree"


@pytest.mark.parametrize(
    ("probe", "known"),
    [
        # no postcode to back it up (the plain rule: review)
        (typed("Sarah", "Smith", DOB), person("Sarah", "Jones", DOB)),
        # the same postcode but a different address: another home in the same street
        (
            typed("Sarah", "Smith", DOB, postcodes=POSTCODE, addresses=("5 High Road",)),
            person("Sarah", "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS),
        ),
        # only the postcode sector
        (
            typed("Sarah", "Smith", DOB, postcodes=("NT1 4XY",)),
            person("Sarah", "Jones", DOB, postcodes=POSTCODE),
        ),
        # the first name only sounds alike
        (
            typed("Sara", "Smith", DOB, postcodes=POSTCODE),
            person("Zara", "Jones", DOB, postcodes=POSTCODE),
        ),
        # the names swapped and a surname that disagrees is two changes at once
        (
            typed("Jones", "Sarah", DOB, postcodes=POSTCODE),
            person("Sarah", "Smith", DOB, postcodes=POSTCODE),
        ),
    ],
)
def test_a_changed_surname_without_overwhelming_evidence_is_not_linked(probe, known):
    assert compare(probe, known).decision is not Decision.LINK


# ----- twins, and a brother and sister ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed_first", "known_first"),
    [("Daniel", "Daniela"), ("Louis", "Louise"), ("Paul", "Paula"), ("Jan", "Jana")],
)
def test_first_names_differing_by_a_final_vowel_never_link(typed_first, known_first):
    """Often a brother and sister, twins included (same surname, DOB and home)."""
    probe = typed(typed_first, "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS)
    known = person(known_first, "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS)
    result = compare(probe, known)
    assert result.decision is Decision.REVIEW
    assert result.reasons[-1] == BROTHER_AND_SISTER
    counts = NameCounts.of([known])
    assert compare(probe, known, counts=counts).decision is Decision.REVIEW


@pytest.mark.parametrize(
    ("typed_first", "known_first"),
    [("Jon", "Joan"), ("Tom", "Tim"), ("Frances", "Francis"), ("Jo", "Joe")],
)
def test_two_real_first_names_that_look_alike_never_link(typed_first, known_first):
    """Each is a name in its own right (not a nickname or spelling of the other): twins."""
    probe = typed(typed_first, "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS)
    known = person(known_first, "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS)
    result = compare(probe, known)
    assert result.decision is Decision.REVIEW
    assert result.reasons[-1] == TWO_NAMES


@pytest.mark.parametrize(
    ("typed_first", "known_first"),
    [("Sarha", "Sarah"), ("Katie", "Kate"), ("Mohammad", "Muhammad")],
)
def test_a_slip_or_a_variant_of_one_first_name_still_links(typed_first, known_first):
    probe = typed(typed_first, "Jones", DOB, postcodes=POSTCODE)
    known = person(known_first, "Jones", DOB, postcodes=POSTCODE)
    assert compare(probe, known).decision is Decision.LINK


def test_twins_with_everything_else_the_same_are_never_linked():
    result = compare(
        typed("Emma", "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS),
        person("Sophie", "Jones", DOB, postcodes=POSTCODE, addresses=ADDRESS),
    )
    assert result.decision is not Decision.LINK
    assert "different first name" in result.reasons


# ----- how common a spelling is -----------------------------------------------------------------


def test_a_typo_in_a_spelling_no_one_has_links_when_the_store_says_so():
    known = person("Sarah", "Jones", DOB)
    counts = NameCounts.of([known, person("Peter", "Okafor", date(1970, 1, 1), pid=2)])
    probe = typed("Sarah", "Jnoes", DOB)
    assert compare(probe, known).decision is Decision.REVIEW  # without counts: a typo
    result = compare(probe, known, counts=counts)
    assert result.decision is Decision.LINK
    assert "surname sounds alike (a spelling no one else has)" in result.reasons
    result = compare(typed("Sarha", "Jones", DOB), known, counts=counts)
    assert result.decision is Decision.LINK
    assert "first name sounds alike (a spelling no one else has)" in result.reasons


def test_a_typo_in_a_spelling_someone_has_is_another_name():
    known = person("Sarah", "Jones", DOB)
    counts = NameCounts.of([known, person("Adam", "Jonas", date(1970, 1, 1), pid=2)])
    result = compare(typed("Sarah", "Jonas", DOB), known, counts=counts)
    assert result.decision is Decision.REVIEW
    assert "surname sounds alike" in result.reasons


def test_a_first_name_that_is_a_real_name_is_never_taken_for_a_typo():
    """Tom is nobody in this store, but it is a name: Tom and Tim Jones could be twins."""
    known = person("Tim", "Jones", DOB)
    counts = NameCounts.of([known])
    result = compare(typed("Tom", "Jones", DOB), known, counts=counts)
    assert result.decision is Decision.REVIEW
    assert "first name sounds alike" in result.reasons


def test_two_typos_are_not_overwhelming_even_in_spellings_no_one_has():
    known = person("Sarah", "Jones", DOB)
    counts = NameCounts.of([known])
    assert compare(typed("Sarha", "Jnoes", DOB), known, counts=counts).decision is Decision.REVIEW


def test_name_counts_follow_people_in_and_out():
    sarah = person("Sarah", "Jones", DOB)
    alias = PersonEvidence(2, (NameForm("Sally", "Jones"), NameForm("Sally", "Price")), (DOB,))
    counts = NameCounts.of([sarah, alias])
    assert counts.given == {"sarah": 1, "sally": 1}
    assert counts.family == {"jones": 2, "price": 1}
    counts.add(alias, -1)
    assert counts.given == {"sarah": 1}
    assert counts.family == {"jones": 1}


# ----- two at link strength ---------------------------------------------------------------------


def test_two_candidates_at_link_strength_are_both_shown_as_links():
    """The caller asks instead of linking (services.referrals.link_target)."""
    probe = typed("Sarah", "Jones", date(1990, 12, 4), postcodes=POSTCODE)
    found = rank(
        probe,
        [
            person("Sarah", "Jones", DOB, pid=1, postcodes=POSTCODE),
            person("Sarah", "Jones", date(1990, 12, 4), pid=2),
        ],
    )
    assert [r.decision for r in found] == [Decision.LINK, Decision.LINK]


# ----- named together before ---------------------------------------------------------------------

WITH_SARAH = SeenWith(frozenset({1}), SEEN_WITH_VICTIM)


@pytest.mark.parametrize(
    ("probe", "known"),
    [
        (typed("Karl", "Dunn"), person("Karl", "Dunn", DOB)),  # no date of birth typed
        (typed("Karl", "Dunn", DOB), person("Karl", "Dunn")),  # none known
        (typed("Mohammed", "Dunn"), person("Muhammad", "Dunn")),  # a known variant
        (typed("Karl", "Dunne"), person("Karl", "Dunn")),  # surname sounds alike
        (typed("Karl", "Dunn", date(1990, 12, 4)), person("Karl", "Dunn", DOB)),  # a slip
        (typed("Sarah", "Dunn", DOB), person("Sarah", "Jones", DOB)),  # married the perpetrator
    ],
)
def test_someone_named_with_the_same_victim_before_links_on_names(probe, known):
    assert compare(probe, known).decision is not Decision.LINK  # not on names alone
    result = compare(probe, known, seen_with=WITH_SARAH)
    assert result.decision is Decision.LINK
    assert SEEN_WITH_VICTIM in result.reasons
    assert [r.decision for r in rank(probe, [known], seen_with=WITH_SARAH)] == [Decision.LINK]


@pytest.mark.parametrize(
    ("probe", "known"),
    [
        # Her partner's son of the same name, or her brother-in-law: another date of birth.
        (typed("Karl", "Dunn", date(1975, 8, 3)), person("Karl", "Dunn", DOB)),
        (typed("Kyle", "Dunn"), person("Karl", "Dunn")),  # another first name
        (typed("Daniela", "Dunn"), person("Daniel", "Dunn")),  # brother and sister
        (typed("Jon", "Dunn"), person("Joan", "Dunn")),  # two real names
        (typed("Karl", "Smith"), person("Karl", "Dunn")),  # another surname, no DOB
        (typed("K", "Dunn"), person("Karl", "Dunn")),  # an initial
    ],
)
def test_named_together_before_is_not_enough_when_the_rest_disagrees(probe, known):
    result = compare(probe, known, seen_with=WITH_SARAH)
    assert result.decision is not Decision.LINK


def test_rank_compares_people_named_together_whatever_their_dates_of_birth_say():
    probe = typed("Karl", "Dunn", date(1975, 8, 3))
    known = person("Karl", "Dunn", DOB, pid=7)
    assert rank(probe, [known]) == []
    seen = SeenWith(frozenset({7}), SEEN_WITH_PERPETRATOR)
    found = rank(probe, [known], seen_with=seen)
    assert [(r.person_id, r.decision) for r in found] == [(7, Decision.REVIEW)]
    assert SEEN_WITH_PERPETRATOR in found[0].reasons


def test_two_people_named_with_the_same_victim_under_one_name_are_both_links():
    """A father and son of one name with no dates of birth: the caller asks."""
    seen = SeenWith(frozenset({1, 2}), SEEN_WITH_VICTIM)
    found = rank(
        typed("Karl", "Dunn"),
        [person("Karl", "Dunn", pid=1), person("Karl", "Dunn", pid=2)],
        seen_with=seen,
    )
    assert [r.decision for r in found] == [Decision.LINK, Decision.LINK]


# ----- what any link rests on --------------------------------------------------------------------

GIVEN = st.sampled_from(
    ["Sarah", "Sara", "Sarha", "Zara", "Katie", "Kate", "Daniel", "Daniela", ""]
)
FAMILY = st.sampled_from(["Jones", "Jonas", "Jnoes", "Smith", "Sarah", ""])
DATES = st.sampled_from(
    [
        DOB,
        date(1990, 12, 4),
        date(1990, 4, 13),
        date(1990, 4, 21),
        date(1989, 4, 12),
        date(1960, 4, 12),
        date(1990, 4, 14),
        date(1975, 8, 3),
    ]
)
CODES = st.sampled_from([(), POSTCODE, ("NT1 4XY",)])
IDS = st.sampled_from([(), ("nhs:9434765919",), ("nhs:4010232137",), ("ref:NT1",)])
HOMES = st.sampled_from([(), ADDRESS, ("5 High Road",)])
_SLIP_WORDS = {
    "date of birth with day and month swapped",
    "date of birth one digit different",
    "date of birth with two digits transposed",
    "date of birth a year out, same day and month",
}


@settings(max_examples=500, deadline=None)
@given(
    names=st.lists(st.tuples(GIVEN, FAMILY), min_size=1, max_size=2),
    dobs=st.lists(DATES, max_size=2),
    codes=CODES,
    homes=HOMES,
    known_names=st.lists(st.tuples(GIVEN, FAMILY), min_size=1, max_size=2),
    known_dobs=st.lists(DATES, max_size=2),
    known_codes=CODES,
    known_homes=HOMES,
    with_counts=st.booleans(),
    together=st.booleans(),
    ids=IDS,
    known_ids=IDS,
)
def test_every_link_rests_on_a_date_of_birth_and_a_first_name_that_agree(
    names,
    dobs,
    codes,
    homes,
    known_names,
    known_dobs,
    known_codes,
    known_homes,
    with_counts,
    together,
    ids,
    known_ids,
):
    """... or on a first name and surname that agree with someone named together before."""
    probe = PersonEvidence(None, tuple(NameForm(*n) for n in names), tuple(dobs), codes, homes, ids)
    known = PersonEvidence(
        1,
        tuple(NameForm(*n) for n in known_names),
        tuple(known_dobs),
        known_codes,
        known_homes,
        known_ids,
    )
    counts = NameCounts.of([known]) if with_counts else None
    seen = WITH_SARAH if together else None
    result = compare(probe, known, counts=counts, seen_with=seen)
    assert [r.decision for r in rank(probe, [known], counts=counts, seen_with=seen)] == (
        [] if result.decision is Decision.DISTINCT else [result.decision]
    )
    if result.decision is not Decision.LINK:
        return
    reasons = set(result.reasons)
    assert "different NHS number" not in reasons
    assert "different date of birth" not in reasons
    if "same NHS number" in reasons or "same agency person ID" in reasons:
        return  # one person's identifier, corroborated (tests/core/test_identifiers.py)
    assert BROTHER_AND_SISTER not in reasons
    assert TWO_NAMES not in reasons
    assert "different first name" not in reasons
    assert "same first initial" not in reasons
    if together and SEEN_WITH_VICTIM in reasons:
        assert "different date of birth" not in reasons
        assert "different surname" not in reasons or "same date of birth" in reasons
    elif "same date of birth" in reasons:
        assert "different surname" not in reasons or "same postcode" in reasons
    else:
        assert reasons & _SLIP_WORDS
        assert "same postcode" in reasons or "same address" in reasons
        assert "different surname" not in reasons


def test_the_store_counts_spellings_as_the_names_do_even_very_long_ones():
    long_name = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft" + "x"
    people = [person("Sarah", long_name, pid=1), person("Sarah", long_name + "y", pid=2)]
    held: dict[str, int] = {}
    for p in people:
        for key in name_count_keys(p):
            held[key] = held.get(key, 0) + 1
    assert NameCounts.of_keys(held) == NameCounts.of(people)
