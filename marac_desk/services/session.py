"""Opening and closing a store for a person: creation rules, unlock throttling, sign-in audit.

This is the use-case layer over `db.store`: the GUI and the CLI both come through here, so the
passphrase rules, the slow-down after failures and the audit of sign-ins are the same everywhere.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from marac_desk.core.passphrase import assess_passphrase
from marac_desk.core.throttle import remaining_wait
from marac_desk.db.errors import StoreError, WrongPassphrase
from marac_desk.db.store import IntegrityReport, Store
from marac_desk.services import audit, settings, users
from marac_desk.services.context import Actor
from marac_desk.services.paths import AppPaths, read_json, write_json

# The store's failures and types the GUI needs come through here: ui/ does not import db/.
__all__ = [
    "IntegrityReport",
    "OpenStore",
    "PassphraseMismatch",
    "Store",
    "StoreError",
    "UnlockAttempts",
    "UnlockThrottled",
    "WeakPassphrase",
    "WrongPassphrase",
    "check_new_passphrase",
    "create_store",
    "sign_in",
    "unlock_store",
]


class WeakPassphrase(StoreError):
    pass


class PassphraseMismatch(StoreError):
    pass


class UnlockThrottled(StoreError):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"Too many wrong passphrases: wait {max(1, round(seconds))} seconds and try again."
        )


@dataclass
class OpenStore:
    """An unlocked store and the profile working in it."""

    store: Store
    actor: Actor
    paths: AppPaths = field(default_factory=AppPaths.default)

    def lock(self, reason: str = "signed out") -> None:
        """Record the sign-out (if the store is still open) and drop the key."""
        if self.store.closed:
            return
        try:
            with self.store.write() as session:
                audit.record(session, self.actor, "sign_out", "session", "", reason)
        finally:
            self.store.close()


def check_new_passphrase(passphrase: str, confirmation: str, context: tuple[str, ...] = ()) -> None:
    if passphrase != confirmation:
        raise PassphraseMismatch("The two passphrases do not match.")
    verdict = assess_passphrase(passphrase, context)
    if not verdict.acceptable:
        raise WeakPassphrase(verdict.message)


def create_store(
    path: Path,
    passphrase: str,
    confirmation: str,
    *,
    partnership: str,
    user_name: str,
    paths: AppPaths | None = None,
) -> OpenStore:
    partnership = " ".join(partnership.split())
    name = users.clean_name(user_name)
    # Everything the user typed is checked before the file exists: a refusal after it was
    # created would leave a half-made store that blocks the retry ("a file already exists").
    if partnership:
        settings.validate("partnership_name", partnership)
    check_new_passphrase(passphrase, confirmation, (partnership, name, "marac", "desk"))
    store = Store.create(path, passphrase)
    try:
        profile = users.add_profile(store, None, name, "coordinator")
        with store.write() as session:
            audit.record(session, profile.actor, "create", "store", "", "store created")
        if partnership:
            settings.update(store, profile.actor, {"partnership_name": partnership})
        with store.write() as session:
            audit.record(session, profile.actor, "sign_in", "session", "", "signed in")
    except BaseException:
        # The file was made by this call and holds nothing yet: remove it, so a retry works.
        store.close()
        for made in (store.path, *(Path(f"{store.path}{s}") for s in ("-wal", "-shm"))):
            made.unlink(missing_ok=True)
        raise
    return OpenStore(store, profile.actor, paths or AppPaths.default())


class UnlockAttempts:
    """Consecutive failed unlocks per store file, kept across processes (a counter and a time;
    the file is named by a hash of the store path)."""

    def __init__(self, paths: AppPaths, clock: Callable[[], float] = time.time) -> None:
        self._file = paths.attempts_file
        self._clock = clock

    @staticmethod
    def _key(path: Path) -> str:
        return hashlib.sha256(str(Path(path).absolute()).encode()).hexdigest()[:32]

    def wait_needed(self, path: Path) -> float:
        entry = read_json(self._file).get(self._key(path)) or {}
        failures = int(entry.get("failures", 0))
        since = self._clock() - float(entry.get("last", 0.0))
        return remaining_wait(failures, since)

    def failed(self, path: Path) -> None:
        data = read_json(self._file)
        entry = data.get(self._key(path)) or {}
        data[self._key(path)] = {
            "failures": int(entry.get("failures", 0)) + 1,
            "last": self._clock(),
        }
        write_json(self._file, data)

    def succeeded(self, path: Path) -> None:
        data = read_json(self._file)
        if data.pop(self._key(path), None) is not None:
            write_json(self._file, data)


def unlock_store(
    path: Path,
    passphrase: str,
    *,
    paths: AppPaths | None = None,
    wait: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] | None = None,
) -> Store:
    """Unlock, honouring the slow-down after failed attempts.

    With `wait` (the CLI) the call sleeps out the delay; otherwise (the GUI, which shows a
    countdown) it raises UnlockThrottled at once. `clock` (seconds) is for tests.
    """
    paths = paths or AppPaths.default()
    attempts = UnlockAttempts(paths, clock or time.time)
    delay = attempts.wait_needed(path)
    if delay > 0:
        if not wait:
            raise UnlockThrottled(delay)
        sleep(delay)
    try:
        store = Store.unlock(path, passphrase)
    except WrongPassphrase:
        attempts.failed(path)
        raise
    attempts.succeeded(path)
    return store


def sign_in(store: Store, profile: users.Profile, paths: AppPaths | None = None) -> OpenStore:
    if not profile.active:
        raise StoreError("That user profile is no longer active.")
    with store.write() as session:
        audit.record(session, profile.actor, "sign_in", "session", "", "signed in")
    return OpenStore(store, profile.actor, paths or AppPaths.default())
