"""Who is acting, and the clock: shared by every service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Actor:
    """The signed-in user profile that audit events name."""

    user_id: int | None
    name: str


SYSTEM = Actor(None, "MARAC Desk")


def utcnow() -> datetime:
    """Naive UTC, as stored; the UI converts to local time for display."""
    return datetime.now(UTC).replace(tzinfo=None)
