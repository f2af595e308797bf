"""Store-wide settings with their defaults. Stored inside the encrypted store, never beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marac_desk.core.indicators import DEFAULT_BANDS, INDICATOR_LABELS, Band
from marac_desk.db.models import Setting
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.context import Actor, utcnow


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: Any
    label: str
    kind: type
    bounds: tuple[int, int] | None = None
    max_length: int = 120  # text settings
    choices: tuple[str, ...] = ()  # text settings with a fixed set of values


AUTO_LOCK_RANGE = (1, 240)
BAND_PREFIX = "expected_band_"

# Our own wording; a partnership replaces it with its protocol's text in Settings.
CONFIDENTIALITY_STATEMENT = (
    "Information shared at this meeting is confidential. It is shared to keep people safe: to "
    "reduce the risk of serious harm to the victims, their children and others. It must not be "
    "shared outside this meeting without the agreement of the agency that provided it, except "
    "where the law requires it or to protect someone from serious harm. Each agency records "
    "what it shares and the actions it takes, and holds the minutes securely. Anyone who "
    "attends as an observer must have signed the confidentiality statement."
)

SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("partnership_name", "", "Partnership name", str),
        SettingSpec("protective_marking", "OFFICIAL-SENSITIVE", "Protective marking", str),
        SettingSpec("auto_lock_minutes", 10, "Auto-lock after idle minutes", int, AUTO_LOCK_RANGE),
        # The repeat rule (DOMAIN.md §3): SafeLives' definition by default.
        SettingSpec("repeat_window_months", 12, "Repeat window in months", int, (1, 36)),
        SettingSpec(
            "repeat_same_perpetrator_required",
            True,
            "A repeat needs the same perpetrator",
            bool,
        ),
        # Referral criteria thresholds (DOMAIN.md §2).
        SettingSpec(
            "visible_high_risk_score", 14, "Checklist score for visible high risk", int, (1, 24)
        ),
        SettingSpec(
            "escalation_incidents", 3, "Police incidents in 12 months for escalation", int, (1, 50)
        ),
        # Risk reviews (DOMAIN.md §4: reviewed within 6 to 8 weeks).
        SettingSpec("risk_review_weeks", 6, "Weeks from an assessment to its review", int, (1, 26)),
        # The live meeting (DOMAIN.md §5).
        SettingSpec(
            "confidentiality_statement",
            CONFIDENTIALITY_STATEMENT,
            "Confidentiality statement read at the start of each meeting",
            str,
            max_length=4000,
        ),
        SettingSpec(
            "action_due_days", 28, "Days from the meeting to an action's due date", int, (1, 365)
        ),
        # Agency action lists (DOMAIN.md §7: share only what each agency needs):
        # case_ref | initials | name_dob.
        SettingSpec(
            "action_list_identify",
            "case_ref",
            "How agency action lists identify a case",
            str,
            choices=("case_ref", "initials", "name_dob"),
        ),
        # Quarterly report (DOMAIN.md §6): the area's adult female population for cases per
        # 10,000 adult women (0 = not set: no rate), and the expected bands printed beside the
        # figures ("" = SafeLives' band; see `parse_band` for what may be typed).
        SettingSpec(
            "adult_female_population",
            0,
            "Adult female population of the area (0 = not set)",
            int,
            (0, 100_000_000),
        ),
        *(
            SettingSpec(
                f"{BAND_PREFIX}{key}",
                "",
                f"Expected band: {INDICATOR_LABELS[key]} (empty = SafeLives' "
                f"{band.describe('%' if key.endswith('_pct') else '')})",
                str,
            )
            for key, band in DEFAULT_BANDS.items()
        ),
    )
}


def validate(key: str, value: Any) -> Any:
    """The cleaned value, or ValueError with a message to show (KeyError: no such setting)."""
    spec = SPECS.get(key)
    if spec is None:
        raise KeyError(f"unknown setting {key!r}")
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{spec.label} must be yes or no.")
    elif spec.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{spec.label} must be a whole number.")
        if spec.bounds and not spec.bounds[0] <= value <= spec.bounds[1]:
            lo, hi = spec.bounds
            raise ValueError(f"{spec.label} must be between {lo} and {hi}.")
    elif spec.kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{spec.label} must be text.")
        value = value.strip()
        if key == "protective_marking" and not value:
            raise ValueError("The protective marking cannot be empty.")
        if key.startswith(BAND_PREFIX) and value:
            parse_band(value, spec.label)
        if len(value) > spec.max_length:
            raise ValueError(f"{spec.label} must be at most {spec.max_length} characters.")
        if spec.choices and value not in spec.choices:
            raise ValueError(f"{spec.label} must be one of {', '.join(spec.choices)}.")
    return value


def get_all(store: Store) -> dict[str, Any]:
    with store.read() as session:
        return get_all_in_session(session)


def get_all_in_session(session: Session) -> dict[str, Any]:
    """Settings inside a caller's unit of work (a service deciding by them mid-transaction)."""
    values = {key: spec.default for key, spec in SPECS.items()}
    for row in session.scalars(select(Setting)):
        if row.key in values:
            values[row.key] = row.value
    return values


def get(store: Store, key: str) -> Any:
    return get_all(store)[key]


def update(store: Store, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Validate every change first, then write them all in one unit of work."""
    cleaned = {key: validate(key, value) for key, value in changes.items()}
    with store.write() as session:
        for key, value in cleaned.items():
            row = session.get(Setting, key)
            if row is None:
                session.add(Setting(key=key, value=value, updated_at=utcnow()))
            elif row.value == value:
                continue
            else:
                row.value, row.updated_at = value, utcnow()
            audit.record(session, actor, "update", "setting", key, f"setting {key} changed")
    return get_all(store)


# ----- expected bands ---------------------------------------------------------------------------

_NUMBER = r"(\d+(?:\.\d+)?)\s*%?"
_AT_LEAST = r"(?:\+|or more|and over|or above)"
_AT_MOST = r"(?:or less|or fewer|and under|or below)"
_BAND_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}"), "both"),
    (re.compile(rf"{_NUMBER}\s*{_AT_LEAST}|(?:>=|≥|at least)\s*{_NUMBER}"), "low"),
    (re.compile(rf"{_NUMBER}\s*{_AT_MOST}|(?:<=|≤|at most|up to)\s*{_NUMBER}"), "high"),
)


def parse_band(text: str, label: str = "The expected band") -> Band:
    """An expected band as a coordinator types it: "28-40", "28–40%", "2.5 to 5.8",
    "19+", "19% or more", "at least 40", "10 or less", "up to 10"."""
    cleaned = " ".join(text.split()).casefold()
    for pattern, kind in _BAND_FORMS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        numbers = [Decimal(g) for g in match.groups() if g is not None]
        try:
            if kind == "both":
                return Band(numbers[0], numbers[1])
            if kind == "low":
                return Band(low=numbers[0])
            return Band(high=numbers[0])
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(f"{label}: {exc}") from None
    raise ValueError(
        f'{label}: write a range like "28-40", a minimum like "19 or more" or a maximum like '
        '"10 or less" (or leave it empty for the SafeLives band).'
    )


def expected_bands(values: dict[str, Any]) -> dict[str, Band]:
    """Each indicator's band: the setting if one is typed, otherwise SafeLives' (DEFAULT_BANDS)."""
    bands = dict(DEFAULT_BANDS)
    for key in DEFAULT_BANDS:
        typed = str(values.get(f"{BAND_PREFIX}{key}", "") or "").strip()
        if typed:
            bands[key] = parse_band(typed)
    return bands
