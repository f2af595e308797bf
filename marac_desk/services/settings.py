"""Store-wide settings with their defaults. Stored inside the encrypted store, never beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

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


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("partnership_name", "", "Partnership name", str),
        SettingSpec("protective_marking", "OFFICIAL-SENSITIVE", "Protective marking", str),
        SettingSpec("auto_lock_minutes", 10, "Auto-lock after idle minutes", int),
    )
}

AUTO_LOCK_RANGE = (1, 240)


def validate(key: str, value: Any) -> Any:
    """The cleaned value, or ValueError with a message to show (KeyError: no such setting)."""
    spec = SPECS.get(key)
    if spec is None:
        raise KeyError(f"unknown setting {key!r}")
    if spec.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{spec.label} must be a whole number.")
        if key == "auto_lock_minutes" and not AUTO_LOCK_RANGE[0] <= value <= AUTO_LOCK_RANGE[1]:
            lo, hi = AUTO_LOCK_RANGE
            raise ValueError(f"{spec.label} must be between {lo} and {hi}.")
    elif spec.kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{spec.label} must be text.")
        value = value.strip()
        if key == "protective_marking" and not value:
            raise ValueError("The protective marking cannot be empty.")
        if len(value) > 120:
            raise ValueError(f"{spec.label} must be at most 120 characters.")
    return value


def get_all(store: Store) -> dict[str, Any]:
    values = {key: spec.default for key, spec in SPECS.items()}
    with store.read() as session:
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
