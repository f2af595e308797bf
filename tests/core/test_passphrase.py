"""What a coordinator is told when choosing the store's passphrase."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marac_desk.core.passphrase import MIN_LENGTH, assess_passphrase, passphrases_match

GOOD = "plum orchard lantern 7 quietly"
CONTEXT = ("Northtown Community Safety Partnership", "Sam Coordinator", "marac", "desk")


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    verdict = assess_passphrase(GOOD, CONTEXT)
    assert verdict.acceptable
    assert verdict.message == ""
    assert verdict.score >= 3


def test_a_short_passphrase_is_refused_naming_its_length_and_the_minimum() -> None:
    verdict = assess_passphrase("Tr0ub4dor&3")  # 11 characters, not a dictionary word
    assert not verdict.acceptable
    assert "11 characters" in verdict.message
    assert f"at least {MIN_LENGTH}" in verdict.message


@pytest.mark.parametrize(
    "weak", ["Password123!", "qwertyuiop123", "aaaaaaaaaaaaaaaa", "iloveyou2024!"]
)
def test_a_long_but_guessable_passphrase_is_refused_as_too_easy_to_guess(weak: str) -> None:
    verdict = assess_passphrase(weak)
    assert len(weak) >= MIN_LENGTH
    assert not verdict.acceptable
    assert "too easy to guess" in verdict.message
    assert "characters long" not in verdict.message  # length was fine: do not blame it


def test_short_and_guessable_names_both_problems() -> None:
    verdict = assess_passphrase("password")
    assert "8 characters" in verdict.message
    assert "too easy to guess" in verdict.message


@pytest.mark.parametrize(
    "own_words",
    [
        "Northtown Community Safety Partnership",  # the partnership's name
        "northtownpartnership",  # its words run together
        "samcoordinator2026",  # the coordinator's own name and a year
    ],
)
def test_the_partnership_or_user_name_counts_as_guessable(own_words: str) -> None:
    assert assess_passphrase(own_words).acceptable  # strong to a stranger...
    verdict = assess_passphrase(own_words, CONTEXT)  # ...but not from this coordinator
    assert not verdict.acceptable
    assert "too easy to guess" in verdict.message


@pytest.mark.parametrize("padded", [f" {GOOD}", f"{GOOD} ", f"\t{GOOD}"])
def test_leading_or_trailing_space_is_refused_as_easily_mistyped(padded: str) -> None:
    verdict = assess_passphrase(padded)
    assert not verdict.acceptable
    assert "space" in verdict.message


LONG_SENTENCE = (
    "When the harbour lights go out over Kettleby we walk the long way home past the mill"
)


@pytest.mark.parametrize("long_one", [LONG_SENTENCE, " ".join(["harbour kettle mosaic"] * 60)])
def test_a_passphrase_longer_than_the_estimator_takes_is_judged_not_refused(long_one: str) -> None:
    assert len(long_one) > 72  # zxcvbn itself raises on more than 72 characters
    verdict = assess_passphrase(long_one)
    assert verdict.acceptable, verdict.message


def test_an_empty_passphrase_is_refused_with_a_message_not_an_error() -> None:
    verdict = assess_passphrase("")
    assert not verdict.acceptable
    assert "0 characters" in verdict.message
    assert "too easy to guess" in verdict.message


def test_passphrases_match_is_exact() -> None:
    assert passphrases_match(GOOD, GOOD)
    assert not passphrases_match(GOOD, GOOD + " ")
    assert not passphrases_match(GOOD, GOOD.upper())


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.lists(st.text(max_size=20), max_size=3))
def test_any_text_gets_a_verdict_and_acceptable_means_no_problems(
    text: str, context: list[str]
) -> None:
    verdict = assess_passphrase(text, tuple(context))
    assert 0 <= verdict.score <= 4
    assert verdict.acceptable == (verdict.problems == ())
    if verdict.acceptable:
        assert len(text) >= MIN_LENGTH
        assert text == text.strip()
    else:
        assert verdict.message
