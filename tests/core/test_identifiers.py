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
    valid_identifiers_of,
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


HOME = ("NT1 4AB",)


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        # Known by her middle name: one NHS number, one birth date, one surname.
        (person("Louise", "Jones", DOB, ids=NHS), person("Sarah", "Jones", DOB, pid=1, ids=NHS)),
        # Married: first name and date of birth.
        (person("Sarah", "Dunn", DOB, ids=NHS), person("Sarah", "Jones", DOB, pid=1, ids=NHS)),
        # No date of birth typed: first name and home.
        (
            person("Sarah", "Dunn", ids=NHS, postcodes=HOME),
            person("Sarah", "Jones", DOB, pid=1, ids=NHS, postcodes=HOME),
        ),
    ],
)
def test_a_shared_nhs_number_links_when_first_name_or_birth_date_corroborate(typed, known):
    result = compare(typed, known)
    assert result.decision is Decision.LINK and "same NHS number" in result.reasons
    assert [r.decision for r in rank(typed, [known])] == [Decision.LINK]


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        # A relative at the same home, the number typed onto the wrong record: another DOB.
        (
            person("Mary", "Dunn", date(1975, 8, 3), ids=NHS, postcodes=HOME),
            person("Peter", "Dunn", DOB, pid=1, ids=NHS, postcodes=HOME),
        ),
        # Surname and home alone: a family.
        (
            person("Mary", "Dunn", ids=NHS, postcodes=HOME),
            person("Peter", "Dunn", DOB, pid=1, ids=NHS, postcodes=HOME),
        ),
        # Twins sharing a household or case reference (an agency person ID).
        (
            person("Aisha", "Khan", DOB, ids=("ref:H1001",), postcodes=HOME),
            person("Amira", "Khan", DOB, pid=1, ids=("ref:H1001",), postcodes=HOME),
        ),
        # Father and son with one household reference.
        (
            person("John", "Smith", date(1985, 1, 1), ids=("ref:H1001",)),
            person("John", "Smith", date(1960, 1, 1), pid=1, ids=("ref:H1001",)),
        ),
        # Two NHS numbers that differ, whatever agency id they share.
        (
            person("Sarah", "Jones", DOB, ids=("nhs:4010232137", "ref:NT1001")),
            person("Sarah", "Jones", DOB, pid=1, ids=(*NHS, "ref:NT1001")),
        ),
    ],
)
def test_a_shared_identifier_never_links_what_else_disagrees(typed, known):
    assert compare(typed, known).decision is not Decision.LINK


def test_rank_shows_a_shared_nhs_number_whatever_the_dates_of_birth_say():
    typed = person("Mary", "Dunn", date(1975, 8, 3), ids=NHS, postcodes=HOME)
    known = person("Peter", "Dunn", DOB, pid=1, ids=NHS, postcodes=HOME)
    assert [r.decision for r in rank(typed, [known])] == [Decision.REVIEW]


def test_agency_person_ids_that_differ_say_nothing_either_way():
    # Another agency's number, or a typo: names and date of birth decide, as without ids.
    known = person("Sarah", "Jones", DOB, pid=1, ids=("ref:NT123456",))
    for other, why in (
        ("ref:NT123465", "agency person ID differs by a typo"),  # two characters swapped
        ("ref:HX998877", "different agency person ID"),
    ):
        result = compare(person("Sarah", "Jones", DOB, ids=(other,)), known)
        assert result.decision is Decision.LINK and why in result.reasons
    short = compare(
        person("Sarah", "Jones", DOB, ids=("ref:7",)), person("S", "J", pid=1, ids=("ref:8",))
    )
    assert "different agency person ID" in short.reasons  # too short to call a typo


@pytest.mark.parametrize(
    "text", ["000 000 0000", "1111111111", "999 000 0018", "９４３４７６５９１９"]
)
def test_placeholder_test_and_non_ascii_nhs_numbers_are_refused(text):
    assert nhs_number_problem(text) is not None


def test_while_typing_what_is_not_valid_yet_is_left_out():
    assert valid_identifiers_of("943 476", "NT1") == ("ref:NT1",)
    assert valid_identifiers_of("943 476 5919; 401", "N#1") == ("nhs:9434765919",)
    assert valid_identifiers_of("", "") == ()
