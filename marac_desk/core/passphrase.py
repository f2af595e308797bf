"""What makes a store passphrase acceptable.

The passphrase is the only thing between a lost laptop and the records of people at risk of
homicide, so length alone is not enough: a real strength estimate (zxcvbn) rejects "Password123!"
style choices that pass naive rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn 0..4; 3 = "safely unguessable: moderate protection from offline attack"
# zxcvbn's cost grows with length; it only needs the first 100 characters to judge.
_ESTIMATE_PREFIX = 100


@dataclass(frozen=True)
class PassphraseVerdict:
    acceptable: bool
    score: int
    problems: tuple[str, ...]

    @property
    def message(self) -> str:
        return " ".join(self.problems)


def assess_passphrase(passphrase: str, context: tuple[str, ...] = ()) -> PassphraseVerdict:
    """Judge a new passphrase; `context` holds words the user is likely to reuse (partnership,
    user name) so they count as guessable."""
    problems: list[str] = []
    if len(passphrase) < MIN_LENGTH:
        problems.append(
            f"The passphrase is {len(passphrase)} characters long; use at least {MIN_LENGTH}."
        )
    if passphrase != passphrase.strip():
        problems.append("The passphrase starts or ends with a space, which is easily mistyped.")
    estimate = zxcvbn(passphrase[:_ESTIMATE_PREFIX], user_inputs=[w for w in context if w])
    score = int(estimate["score"])
    if score < MIN_SCORE:
        feedback = estimate.get("feedback") or {}
        reason = str(feedback.get("warning") or "").strip()
        hint = " ".join(str(s) for s in feedback.get("suggestions") or ())
        text = "The passphrase is too easy to guess"
        text += f" ({reason.rstrip('.')})." if reason else "."
        if hint:
            text += f" {hint}"
        problems.append(text)
    return PassphraseVerdict(acceptable=not problems, score=score, problems=tuple(problems))


def passphrases_match(first: str, second: str) -> bool:
    return first == second
