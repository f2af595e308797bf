"""User profiles: who is working in the store, named in every audit event."""

from __future__ import annotations

import pytest
from conftest import USER
from store_support import cache_key_derivation

from marac_desk.services import audit, users
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def test_adding_a_profile_is_audited_and_listed_by_name(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    added = users.add_profile(store, actor, "  Alex   Deputy ", "deputy")
    assert (added.name, added.role, added.active) == ("Alex Deputy", "deputy", True)
    assert [p.name for p in users.list_profiles(store)] == ["Alex Deputy", USER]
    (event,) = audit.list_events(store, limit=1)
    assert (event.action, event.entity, event.entity_id, event.actor) == (
        "create",
        "user_profile",
        str(added.id),
        USER,
    )
    assert event.description == "role deputy"


def test_a_duplicate_name_is_refused(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    users.add_profile(store, actor, "Alex Deputy", "deputy")
    before = audit.count_events(store)
    with pytest.raises(ValueError, match="already exists"):
        users.add_profile(store, actor, " Alex  Deputy", "coordinator")
    assert audit.count_events(store) == before
    assert len(users.list_profiles(store)) == 2


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("", "deputy", "needs a name"),
        ("   ", "deputy", "needs a name"),
        ("A" * 121, "deputy", "at most 120 characters"),
        ("Alex", "superuser", "Unknown role"),
    ],
)
def test_invalid_profiles_are_refused(
    open_store: OpenStore, name: str, role: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        users.add_profile(open_store.store, open_store.actor, name, role)
    assert len(users.list_profiles(open_store.store, include_inactive=True)) == 1


def test_deactivating_hides_the_profile_but_keeps_it_and_is_audited(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    alex = users.add_profile(store, actor, "Alex Deputy", "deputy")
    result = users.set_active(store, actor, alex.id, False)
    assert not result.active
    assert [p.name for p in users.list_profiles(store)] == [USER]
    assert {p.name for p in users.list_profiles(store, include_inactive=True)} == {
        USER,
        "Alex Deputy",
    }
    (event,) = audit.list_events(store, limit=1)
    assert (event.entity_id, event.description) == (str(alex.id), "profile deactivated")
    users.set_active(store, actor, alex.id, True)
    assert [p.name for p in users.list_profiles(store)] == ["Alex Deputy", USER]
    (event,) = audit.list_events(store, limit=1)
    assert event.description == "profile reactivated"
    # a deactivated name still cannot be taken by someone else
    with pytest.raises(ValueError, match="already exists"):
        users.add_profile(store, actor, "Alex Deputy")


def test_you_cannot_deactivate_yourself(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    assert actor.user_id is not None
    with pytest.raises(ValueError, match="signed in with"):
        users.set_active(store, actor, actor.user_id, False)
    assert [p.name for p in users.list_profiles(store)] == [USER]


def test_an_unknown_profile_is_refused(open_store: OpenStore) -> None:
    with pytest.raises(ValueError, match="No such user profile"):
        users.set_active(open_store.store, open_store.actor, 999, False)


def test_find_profile_matches_the_tidied_name(open_store: OpenStore) -> None:
    found = users.find_profile(open_store.store, "  Sam   Coordinator ")
    assert found is not None
    assert found.name == USER
    assert users.find_profile(open_store.store, "Nobody") is None


def test_every_profile_change_keeps_the_audit_chain_whole(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    for i in range(5):
        p = users.add_profile(store, actor, f"Worker {i}", "read_only")
        users.set_active(store, actor, p.id, False)
    verdict = audit.verify(store)
    assert verdict.ok
    assert verdict.events_checked == audit.count_events(store)
