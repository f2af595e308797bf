"""A process killed at any moment (kill -9) leaves a consistent store holding every commit."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from sqlalchemy import func, select
from store_support import ChildLines, cache_key_derivation, child_env, sidecars

from marac_desk.db.models import AuditEvent, Person, UserProfile
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


# The child works the way the app does (services and the ORM, one unit of work per change) and
# prints how far it got after each commit returned.
CHILD = r"""
import os, sys
from pathlib import Path
from marac_desk.db.models import Person
from marac_desk.db.store import Store
from marac_desk.services import audit, users
from marac_desk.services.context import utcnow


store = Store.unlock(Path(sys.argv[1]), os.environ["MARAC_DESK_PASSPHRASE"])
actor = users.list_profiles(store)[0].actor
mode, tag = sys.argv[2], sys.argv[3]

def person(first, last, note=""):
    now = utcnow()
    return Person(first_name=first, middle_names=note, last_name=last, created_at=now,
                  updated_at=now)

if mode == "many":
    for i in range(1, 20_000):
        kind = i % 3
        if kind == 0:
            users.add_profile(store, actor, f"Worker {tag}-{i}", "deputy")
        elif kind == 1:
            with store.write() as s:
                audit.record(s, actor, "export", "report", f"{tag}-{i}", "report exported")
        else:
            with store.write() as s:
                s.add(person(f"Kept{tag}-{i}", "Durable"))
                audit.record(s, actor, "create", "person", f"{tag}-{i}", "person added")
        print(i, flush=True)
elif mode == "big":
    # one committed import of 300 people, then a second import killed before it commits
    with store.write() as s:
        for i in range(300):
            s.add(person(f"First{i}", "Imported"))
        audit.record(s, actor, "import", "people", "batch-1", "300 people imported")
    print("committed 300", flush=True)
    with store.write() as s:
        s.connection().exec_driver_sql("PRAGMA cache_size = 10")  # spill pages to the -wal
        audit.record(s, actor, "import", "people", "batch-2", "import started")
        for i in range(1, 1_000_000):
            s.add(person(f"Second{i}", "Unfinished", "x" * 150))
            if i % 250 == 0:
                s.flush()
                print(f"flushed {i}", flush=True)
"""


def _start(path: Path, mode: str, tag: str = "0") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), mode, tag],
        env=child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill(proc: subprocess.Popen[bytes], lines: ChildLines) -> None:
    """kill -9 (also on the way out of a failed test), then close the pipes."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    lines.close()
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stderr.close()


def _check_consistent(store: Store) -> None:
    report = store.integrity_check()
    assert report.ok, report.problems
    verdict = audit.verify(store)
    assert verdict.ok, verdict.problem


@pytest.fixture
def closed_store(open_store: OpenStore) -> Path:
    path = open_store.store.path
    open_store.lock()
    return path


@pytest.mark.slow
def test_killing_a_writer_at_random_points_loses_no_commit(closed_store: Path) -> None:
    rng = random.Random(20260401)
    for round_no in range(3):
        proc = _start(closed_store, "many", str(round_no))
        lines = ChildLines(proc)
        target = rng.randint(6, 60)
        reported = 0
        try:
            while reported < target:
                reported = int(lines.next_line())
        finally:
            _kill(proc, lines)
        assert proc.returncode == -signal.SIGKILL
        with Store.unlock(closed_store, PASSPHRASE) as store:
            _check_consistent(store)
            with store.read() as s:
                profiles = set(s.scalars(select(UserProfile.name)))
                exported = set(
                    s.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "export"))
                )
                people = set(s.scalars(select(Person.first_name)))
                person_events = set(
                    s.scalars(select(AuditEvent.entity_id).where(AuditEvent.entity == "person"))
                )
        for i in range(1, reported + 1):
            tag = f"{round_no}-{i}"
            if i % 3 == 0:
                assert f"Worker {tag}" in profiles
            elif i % 3 == 1:
                assert tag in exported
            else:
                assert f"Kept{tag}" in people
                assert tag in person_events
        # a person never survives without its audit event, nor an event without its person
        assert {p.removeprefix("Kept") for p in people if p.startswith("Kept")} == person_events


@pytest.mark.slow
def test_killing_a_single_big_transaction_is_all_or_nothing(closed_store: Path) -> None:
    proc = _start(closed_store, "big")
    lines = ChildLines(proc)
    wal = sidecars(closed_store)[0]
    try:
        assert lines.next_line() == "committed 300"
        flushed = 0
        while flushed < 2_000 or wal.stat().st_size < 256 * 1024:
            line = lines.next_line()
            assert line.startswith("flushed "), line
            flushed = int(line.split()[1])
        # uncommitted pages of the second import are on disk, in the -wal, when the kill comes
    finally:
        _kill(proc, lines)
    assert proc.returncode == -signal.SIGKILL
    with Store.unlock(closed_store, PASSPHRASE) as store:
        _check_consistent(store)
        with store.read() as s:
            imported = s.scalar(
                select(func.count()).select_from(Person).where(Person.last_name == "Imported")
            )
            unfinished = s.scalar(
                select(func.count()).select_from(Person).where(Person.last_name == "Unfinished")
            )
            batches = set(
                s.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "import"))
            )
    assert imported == 300
    assert unfinished == 0
    assert batches == {"batch-1"}
