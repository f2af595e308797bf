"""User profiles: who is working in the store, named in every audit event."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from marac_desk.db.models import UserProfile
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.context import Actor, utcnow

ROLES: tuple[str, ...] = ("coordinator", "deputy", "administrator", "read_only")


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    role: str
    active: bool

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.name)


def _view(row: UserProfile) -> Profile:
    return Profile(row.id, row.name, row.role, row.active)


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("A user profile needs a name.")
    if len(cleaned) > 120:
        raise ValueError("A user profile name must be at most 120 characters.")
    return cleaned


def list_profiles(store: Store, *, include_inactive: bool = False) -> tuple[Profile, ...]:
    query = select(UserProfile).order_by(UserProfile.name)
    if not include_inactive:
        query = query.where(UserProfile.active.is_(True))
    with store.read() as session:
        return tuple(_view(row) for row in session.scalars(query))


def find_profile(store: Store, name: str) -> Profile | None:
    with store.read() as session:
        row = session.scalar(select(UserProfile).where(UserProfile.name == clean_name(name)))
        return _view(row) if row else None


def add_profile(store: Store, actor: Actor | None, name: str, role: str = "coordinator") -> Profile:
    name = clean_name(name)
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}.")
    with store.write() as session:
        if session.scalar(select(UserProfile.id).where(UserProfile.name == name)) is not None:
            raise ValueError("A user profile with that name already exists.")
        row = UserProfile(name=name, role=role, active=True, created_at=utcnow())
        session.add(row)
        session.flush()
        profile = _view(row)
        audit.record(
            session, actor or profile.actor, "create", "user_profile", row.id, f"role {role}"
        )
    return profile


def set_active(store: Store, actor: Actor, profile_id: int, active: bool) -> Profile:
    with store.write() as session:
        row = session.get(UserProfile, profile_id)
        if row is None:
            raise ValueError("No such user profile.")
        if not active and row.id == actor.user_id:
            raise ValueError("You cannot deactivate the profile you are signed in with.")
        row.active = active
        audit.record(
            session,
            actor,
            "update",
            "user_profile",
            row.id,
            "profile reactivated" if active else "profile deactivated",
        )
        return _view(row)
