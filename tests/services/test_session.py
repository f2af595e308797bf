"""Creating, unlocking and signing in to a store, as the GUI and the CLI both do."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PARTNERSHIP, PASSPHRASE, USER
from sqlalchemy import select
from store_support import cache_key_derivation

from marac_desk.db import errors
from marac_desk.db.models import UserProfile
from marac_desk.db.store import Store
from marac_desk.services import audit, settings, users
from marac_desk.services.paths import AppPaths
from marac_desk.services.session import (
    OpenStore,
    PassphraseMismatch,
    UnlockAttempts,
    UnlockThrottled,
    WeakPassphrase,
    create_store,
    sign_in,
    unlock_store,
)


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


WRONG = "not the right passphrase at all"


def _new(
    path: Path, passphrase: str = PASSPHRASE, confirmation: str | None = None, **kw: str
) -> OpenStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    return create_store(
        path,
        passphrase,
        passphrase if confirmation is None else confirmation,
        partnership=kw.get("partnership", PARTNERSHIP),
        user_name=kw.get("user_name", USER),
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# ----- create ------------------------------------------------------------------------------------


def test_a_new_store_has_its_coordinator_profile_partnership_and_an_audited_start(
    open_store: OpenStore,
) -> None:
    store = open_store.store
    assert [p.name for p in users.list_profiles(store)] == [USER]
    assert open_store.actor.name == USER
    assert settings.get(store, "partnership_name") == PARTNERSHIP
    events = audit.list_events(store, newest_first=False)
    assert [(e.action, e.entity) for e in events] == [
        ("create", "user_profile"),
        ("create", "store"),
        ("update", "setting"),
        ("sign_in", "session"),
    ]
    assert {e.actor for e in events} == {USER}
    assert audit.verify(store).ok


@pytest.mark.parametrize(
    ("weak", "says"),
    [
        ("short one", "characters long"),
        ("Password123!", "too easy to guess"),
        ("Northtown Community Safety Partnership", "too easy to guess"),
        ("samcoordinator2026", "too easy to guess"),
    ],
)
def test_a_weak_passphrase_is_refused_and_no_file_is_made(
    store_path: Path, weak: str, says: str
) -> None:
    with pytest.raises(WeakPassphrase, match=says):
        _new(store_path, weak)
    assert not store_path.exists()


def test_mismatched_passphrases_are_refused_and_no_file_is_made(store_path: Path) -> None:
    with pytest.raises(PassphraseMismatch, match="do not match"):
        _new(store_path, PASSPHRASE, PASSPHRASE + "!")
    assert not store_path.exists()


def test_the_message_never_contains_the_passphrase(store_path: Path) -> None:
    for attempt, confirm in (("Password123!", "Password123!"), (PASSPHRASE, "something else")):
        with pytest.raises(errors.StoreError) as caught:
            _new(store_path, attempt, confirm)
        assert attempt not in str(caught.value)
        assert confirm not in str(caught.value)


def test_a_passphrase_longer_than_72_characters_can_be_used(store_path: Path) -> None:
    long_one = (
        "When the harbour lights go out over Kettleby we walk the long way home past the mill"
    )
    _new(store_path, long_one).lock()
    unlock_store(store_path, long_one).close()


def test_a_refused_partnership_name_leaves_no_half_made_store_so_a_retry_works(
    store_path: Path,
) -> None:
    with pytest.raises(ValueError, match="at most 120 characters"):
        _new(store_path, partnership="N" * 121)
    assert not store_path.exists()
    opened = _new(store_path, partnership="Northtown")
    assert settings.get(opened.store, "partnership_name") == "Northtown"
    opened.lock()


def test_a_failure_after_the_file_was_made_removes_it(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(settings, "update", broken)
    with pytest.raises(RuntimeError):
        _new(store_path)
    assert not store_path.exists()
    assert not Path(f"{store_path}-wal").exists()
    # and the store is not left registered as open in this process
    monkeypatch.undo()
    _new(store_path).lock()


def test_a_blank_user_name_is_refused_before_anything_is_made(store_path: Path) -> None:
    with pytest.raises(ValueError, match="needs a name"):
        _new(store_path, user_name="   ")
    assert not store_path.exists()


def test_names_are_tidied(store_path: Path) -> None:
    opened = _new(store_path, partnership="  Northtown   Safety ", user_name="  Sam   Coordinator ")
    assert settings.get(opened.store, "partnership_name") == "Northtown Safety"
    assert opened.actor.name == "Sam Coordinator"
    opened.lock()


# ----- unlock and the slow-down ------------------------------------------------------------------


def test_unlock_with_the_right_passphrase(open_store: OpenStore) -> None:
    path = open_store.store.path
    open_store.lock()
    store = unlock_store(path, PASSPHRASE)
    try:
        assert [p.name for p in users.list_profiles(store)] == [USER]
    finally:
        store.close()


def test_three_wrong_passphrases_then_the_next_attempt_must_wait(
    open_store: OpenStore, app_paths: AppPaths
) -> None:
    path = open_store.store.path
    open_store.lock()
    clock = FakeClock()
    for _ in range(3):
        with pytest.raises(errors.WrongPassphrase):
            unlock_store(path, WRONG, paths=app_paths, clock=clock)
    with pytest.raises(UnlockThrottled) as caught:
        unlock_store(path, PASSPHRASE, paths=app_paths, clock=clock)  # even the right one
    assert caught.value.seconds == pytest.approx(1.0)
    assert "wait 1 seconds" in str(caught.value)
    clock.now += 1.0
    store = unlock_store(path, PASSPHRASE, paths=app_paths, clock=clock)
    store.close()
    # success forgets the failures: three more typos are free again
    for _ in range(3):
        with pytest.raises(errors.WrongPassphrase):
            unlock_store(path, WRONG, paths=app_paths, clock=clock)


def test_the_wait_grows_with_each_further_failure(
    open_store: OpenStore, app_paths: AppPaths
) -> None:
    path = open_store.store.path
    open_store.lock()
    clock = FakeClock()
    waits = []
    for _ in range(3):
        with pytest.raises(errors.WrongPassphrase):
            unlock_store(path, WRONG, paths=app_paths, clock=clock)
    for _ in range(4):
        with pytest.raises(UnlockThrottled) as caught:
            unlock_store(path, WRONG, paths=app_paths, clock=clock)
        waits.append(caught.value.seconds)
        clock.now += caught.value.seconds  # the coordinator waits it out...
        with pytest.raises(errors.WrongPassphrase):  # ...and gets it wrong again
            unlock_store(path, WRONG, paths=app_paths, clock=clock)
    assert waits == [1.0, 2.0, 4.0, 8.0]


def test_with_wait_the_cli_style_unlock_sleeps_out_the_delay(
    open_store: OpenStore, app_paths: AppPaths
) -> None:
    path = open_store.store.path
    open_store.lock()
    clock = FakeClock()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    for _ in range(4):
        with pytest.raises(errors.WrongPassphrase):
            unlock_store(path, WRONG, paths=app_paths, wait=True, sleep=sleep, clock=clock)
    unlock_store(path, PASSPHRASE, paths=app_paths, wait=True, sleep=sleep, clock=clock).close()
    assert slept == [1.0, 2.0]


def test_the_failure_count_survives_a_restart_and_names_no_store(
    open_store: OpenStore, app_paths: AppPaths
) -> None:
    path = open_store.store.path
    open_store.lock()
    clock = FakeClock()
    for _ in range(3):
        with pytest.raises(errors.WrongPassphrase):
            unlock_store(path, WRONG, paths=app_paths, clock=clock)
    # a new process reads the same counter from the state directory
    assert UnlockAttempts(app_paths, clock).wait_needed(path) == 1.0
    text = app_paths.attempts_file.read_text()
    assert str(path) not in text
    assert path.name not in text
    assert WRONG not in text


def test_the_count_is_per_store(open_store: OpenStore, app_paths: AppPaths, tmp_path: Path) -> None:
    clock = FakeClock()
    attempts = UnlockAttempts(app_paths, clock)
    for _ in range(5):
        attempts.failed(tmp_path / "other.store")
    assert attempts.wait_needed(tmp_path / "other.store") > 0
    assert attempts.wait_needed(open_store.store.path) == 0


def test_other_refusals_do_not_count_as_guesses(app_paths: AppPaths, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.store"
    bogus.write_text("minutes of the steering group, not a store at all\n" * 10)
    for _ in range(5):
        with pytest.raises(errors.NotAStore):
            unlock_store(bogus, PASSPHRASE, paths=app_paths)
    assert UnlockAttempts(app_paths).wait_needed(bogus) == 0


# ----- signing in and out ------------------------------------------------------------------------


def test_sign_in_and_lock_are_audited_and_lock_drops_the_store(open_store: OpenStore) -> None:
    store = open_store.store
    deputy = users.add_profile(store, open_store.actor, "Dana Deputy", "deputy")
    as_deputy = sign_in(store, deputy)
    assert as_deputy.actor.name == "Dana Deputy"
    as_deputy.lock("idle for 10 minutes")
    assert store.closed
    with pytest.raises(errors.StoreLocked):
        users.list_profiles(store)
    as_deputy.lock()  # locking twice is harmless
    reopened = Store.unlock(store.path, PASSPHRASE)
    try:
        last_two = audit.list_events(reopened, limit=2)
        assert [(e.action, e.actor, e.description) for e in last_two] == [
            ("sign_out", "Dana Deputy", "idle for 10 minutes"),
            ("sign_in", "Dana Deputy", "signed in"),
        ]
    finally:
        reopened.close()


def test_an_inactive_profile_cannot_sign_in(open_store: OpenStore) -> None:
    store = open_store.store
    deputy = users.add_profile(store, open_store.actor, "Dana Deputy", "deputy")
    users.set_active(store, open_store.actor, deputy.id, False)
    inactive = users.find_profile(store, "Dana Deputy")
    assert inactive is not None
    before = audit.count_events(store)
    with pytest.raises(errors.StoreError, match="no longer active"):
        sign_in(store, inactive)
    assert audit.count_events(store) == before


def test_profiles_are_stored_inside_the_encrypted_store(open_store: OpenStore) -> None:
    with open_store.store.read() as s:
        assert s.scalars(select(UserProfile.name)).all() == [USER]
