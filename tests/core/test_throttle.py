"""How long someone waits after typing wrong passphrases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marac_desk.core.throttle import (
    FREE_ATTEMPTS,
    MAX_DELAY_SECONDS,
    delay_after_failures,
    remaining_wait,
)


@pytest.mark.parametrize("failures", [0, 1, 2])
def test_honest_typos_cost_nothing(failures: int) -> None:
    assert FREE_ATTEMPTS == 3
    assert delay_after_failures(failures) == 0.0


def test_the_wait_doubles_after_the_free_attempts_and_is_capped() -> None:
    waits = [delay_after_failures(n) for n in range(3, 12)]
    assert waits[:5] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert waits[5:] == [MAX_DELAY_SECONDS] * 4
    assert MAX_DELAY_SECONDS == 30.0  # slows guessing, never locks the coordinator out


def test_the_remaining_wait_counts_down_from_the_last_failure() -> None:
    assert remaining_wait(5, 0.0) == 4.0
    assert remaining_wait(5, 1.5) == 2.5
    assert remaining_wait(5, 4.0) == 0.0
    assert remaining_wait(5, 3600.0) == 0.0


def test_a_clock_set_backwards_does_not_shorten_or_lengthen_the_wait() -> None:
    assert remaining_wait(5, -100.0) == 4.0


@given(st.integers(min_value=0, max_value=10_000), st.floats(-1e6, 1e6, allow_nan=False))
def test_waits_are_never_negative_never_over_the_cap_and_grow_with_failures(
    failures: int, elapsed: float
) -> None:
    wait = remaining_wait(failures, elapsed)
    assert 0.0 <= wait <= MAX_DELAY_SECONDS
    assert delay_after_failures(failures + 1) >= delay_after_failures(failures)


def test_a_long_guessing_run_still_gets_a_finite_capped_wait() -> None:
    # 2.0 ** 1024 overflows: the wait must stay a number, or every later unlock would fail.
    assert delay_after_failures(1_027) == MAX_DELAY_SECONDS
    assert remaining_wait(1_000_000, 0.0) == MAX_DELAY_SECONDS
