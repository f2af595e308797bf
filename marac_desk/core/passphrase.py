"""What makes a store passphrase acceptable.

The passphrase is the only thing between a lost laptop and the records of people at risk of
homicide, so length alone is not enough: a real strength estimate (zxcvbn) rejects "Password123!"
style choices that pass naive rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn 0..4; 3 = "safely unguessable: moderate protection from offline attack"
# zxcvbn's cost grows with length, and zxcvbn 4.5 refuses (ValueError) anything over 72
# characters: judge the first 72, which is plenty to tell a strong passphrase.
_ESTIMATE_PREFIX = 72


@dataclass(frozen=True)
class PassphraseVerdict:
    acceptable: bool
    score: int
    problems: tuple[str, ...]

    @property
    def message(self) -> str:
        return " ".join(self.problems)


def _guessable_words(context: tuple[str, ...]) -> list[str]:
    """zxcvbn matches each input as one word: "Sam Coordinator" alone would not catch
    "samcoordinator2026". Give it the phrase, its words and the words run together."""
    words: list[str] = []
    for phrase in context:
        parts = phrase.lower().split()
        if not parts:
            continue
        words.append(" ".join(parts))
        words.append("".join(parts))
        words.extend(part for part in parts if len(part) >= 3)
    return list(dict.fromkeys(words))


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
    if not passphrase:  # zxcvbn fails on an empty string (IndexError)
        estimate: dict[str, Any] = {"score": 0, "feedback": {}}
    else:
        estimate = zxcvbn(passphrase[:_ESTIMATE_PREFIX], user_inputs=_guessable_words(context))
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
