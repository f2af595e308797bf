"""Agencies' identifiers: NHS numbers (checked), agency person IDs, and how matching uses them."""

from __future__ import annotations

from datetime import date

import pytest

from marac_desk.core.identifiers import (
    display,
    identifiers_of,
    nhs_identifier,
    nhs_number_problem,
    reference_identifier,
    reference_problem,
    typed_forms,
)
from marac_desk.core.matching import Decision, NameForm, PersonEvidence, compare, rank

VALID = "943 476 5919"  # the NHS's own example of a valid number
DOB = date(1990, 4, 12)


@pytest.mark.parametrize("text", ["9434765919", VALID, "943-476-5919", "", "  "])
def test_valid_or_blank_nhs_numbers_have_no_problem(text):
    assert nhs_number_problem(text) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("9434765918", "check digit"),  # last digit wrong
        ("9434765991", "check digit"),  # two digits swapped
        ("4434765919", "check digit"),  # a digit mistyped
        ("943476591", "10 digits"),
        ("94347659190", "10 digits"),
        ("943476591X", "10 digits"),
    ],
)
def test_mistyped_nhs_numbers_are_caught(text, words):
    problem = nhs_number_problem(text)
    assert problem is not None and words in problem
    with pytest.raises(ValueError, match=words):
        nhs_identifier(text)


def test_identifiers_are_stored_normalised_and_shown_readably():
    assert identifiers_of(VALID, " nt/123-456 ") == ("nhs:9434765919", "ref:NT123456")
    assert identifiers_of("", "") == ()
    assert display("nhs:9434765919") == "NHS number 943 476 5919"
    assert display("ref:NT123456") == "agency person ID NT123456"
    assert reference_identifier("") == ""


@pytest.mark.parametrize("text", ["NT 12#4", "x" * 41, "ÄB12"])
def test_agency_person_ids_are_letters_and_digits(text):
    assert reference_problem(text) is not None


def person(first, last, *dobs, pid=None, ids=(), **kw):
    return PersonEvidence(pid, (NameForm(first, last),), tuple(dobs), identifiers=ids, **kw)


NHS = ("nhs:9434765919",)
OTHER_NHS = ("nhs:4010232137",)


def test_the_same_nhs_number_links_someone_going_by_another_first_name():
    # Twins would have their own NHS numbers: with one number, it is one person (a middle name).
    typed = person("James", "Dunn", DOB, ids=NHS)
    known = person("Peter", "Dunn", DOB, pid=1, ids=NHS)
    assert compare(person("James", "Dunn", DOB), known).decision is not Decision.LINK
    result = compare(typed, known)
    assert result.decision is Decision.LINK and "same NHS number" in result.reasons


def test_twins_with_their_own_nhs_numbers_never_link_even_under_one_name():
    typed = person("Sam", "Dunn", DOB, ids=NHS)
    known = person("Sam", "Dunn", DOB, pid=1, ids=OTHER_NHS)
    result = compare(typed, known)
    assert result.decision is not Decision.LINK and "different NHS number" in result.reasons


def test_a_shared_identifier_needs_two_more_agreements_to_link():
    known = person("Peter", "Dunn", DOB, pid=1, ids=NHS, postcodes=("NT1 4AB",))
    alone = compare(person("Mary", "Smith", date(1975, 8, 3), ids=NHS), known)
    assert alone.decision is not Decision.LINK  # a number typed onto the wrong record
    one = compare(person("Mary", "Dunn", date(1975, 8, 3), ids=NHS), known)
    assert one.decision is not Decision.LINK
    two = compare(person("Mary", "Dunn", date(1975, 8, 3), ids=NHS, postcodes=("NT1 4AB",)), known)
    assert two.decision is Decision.LINK


def test_a_different_agency_person_id_weighs_against_but_does_not_forbid_a_link():
    # No check digit: it may be a typo. Names and DOB alone are then asked about; with the
    # same postcode too, the rest outweighs it.
    known = person("Sarah", "Jones", DOB, pid=1, ids=("ref:NT987654",), postcodes=("NT1 4AB",))
    typed = person("Sarah", "Jones", DOB, ids=("ref:NT123456",))
    result = compare(typed, known)
    assert result.decision is Decision.REVIEW and "different agency person ID" in result.reasons
    with_home = person("Sarah", "Jones", DOB, ids=("ref:NT123456",), postcodes=("NT1 4AB",))
    assert compare(with_home, known).decision is Decision.LINK


def test_rank_finds_a_shared_identifier_whatever_the_dates_of_birth_say():
    typed = person("Mary", "Dunn", date(1975, 8, 3), ids=NHS, postcodes=("NT1 4AB",))
    known = person("Peter", "Dunn", DOB, pid=1, ids=NHS, postcodes=("NT1 4AB",))
    assert [r.decision for r in rank(typed, [known])] == [Decision.LINK]


def test_an_agency_person_id_one_character_out_is_read_as_a_typo():
    known = person("Sarah", "Jones", DOB, pid=1, ids=("ref:NT123456",))
    other = compare(person("Sarah", "Jones", DOB, ids=("ref:NT129956",)), known)
    assert other.decision is not Decision.LINK  # two characters out: another id
    typo = compare(person("Sarah", "Jones", DOB, ids=("ref:NT123465",)), known)  # two swapped
    assert "agency person ID differs by a typo" in typo.reasons
    assert typo.decision is Decision.LINK
    # Never for NHS numbers: two valid ones are never a typo apart, so they are two people.
    nhs = compare(
        person("Sarah", "Jones", DOB, ids=("nhs:4010232137",)),
        person("Sarah", "Jones", DOB, pid=1, ids=NHS),
    )
    assert "different NHS number" in nhs.reasons and nhs.decision is not Decision.LINK


def test_a_field_may_hold_several_identifiers_of_a_kind():
    assert identifiers_of("943 476 5919; 401 023 2137", "NT1;NT2;nt1") == (
        "nhs:9434765919",
        "nhs:4010232137",
        "ref:NT1",
        "ref:NT2",
    )
    assert nhs_number_problem("943 476 5919; 401 023 2138") is not None
    assert reference_problem("NT1; N#2") is not None
    assert typed_forms(("nhs:9434765919", "ref:NT1", "ref:NT2"), "ref") == "NT1; NT2"
