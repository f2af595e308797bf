"""How long to make someone wait after failed unlock attempts.

Each attempt already costs a key derivation (~0.2 s); after a few honest typos the wait grows
so that guessing by hand or by script becomes slow, but never locks the coordinator out.
"""

FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 30.0


def delay_after_failures(failures: int) -> float:
    """Seconds to wait before the next attempt, given consecutive failures so far."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    # The exponent is capped: 2.0 ** 1024 overflows, which would turn a long guessing run into
    # an error on every later unlock (the coordinator locked out for good).
    return min(MAX_DELAY_SECONDS, 2.0 ** min(failures - FREE_ATTEMPTS, 16))


def remaining_wait(failures: int, seconds_since_last_failure: float) -> float:
    return max(0.0, delay_after_failures(failures) - max(0.0, seconds_since_last_failure))
