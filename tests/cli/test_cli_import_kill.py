"""`marac-desk import referrals` killed (kill -9) while it matches, and while it writes its one
transaction: the store stays consistent with nothing of the file in it, and importing again
brings the whole file in once."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from store_support import child_env, run_cli, sidecars

from marac_desk.core import import_rules as ir
from marac_desk.core import synthetic
from marac_desk.db.store import Store
from marac_desk.services import audit, referrals
from marac_desk.services.session import create_store

ROWS = 2500


def _tracker(path: Path) -> Path:
    """A coordinator's tracker of synthetic referrals (typos, repeats, people seen again)."""
    data = synthetic.generate(ROWS, 4242, date(2026, 6, 30))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ir.CANONICAL_COLUMNS, restval="")
        writer.writeheader()
        for n, r in enumerate(data.referrals):
            perp = r.perpetrators[0] if r.perpetrators else None
            row = {
                "external_ref": f"KILL-{n}",
                "referral_date": r.referral_date.isoformat(),
                "referring_agency": "Police",
                "victim_first_name": r.victim_first_name,
                "victim_last_name": r.victim_last_name,
                "victim_dob": r.victim_dob.isoformat() if r.victim_dob else "",
                "victim_postcode": r.postcode,
                "criteria": "visible_high_risk",
                "risk_score": "15",
            }
            if perp is not None:
                row |= {
                    "perpetrator_first_name": perp.first_name,
                    "perpetrator_last_name": perp.last_name,
                    "perpetrator_dob": perp.dob.isoformat() if perp.dob else "",
                    "relationship": perp.relationship_to_victim.replace("_", " "),
                }
            writer.writerow(row)
    return path


def _import(store: Path, tracker: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "marac_desk",
            "--store",
            str(store),
            "import",
            "referrals",
            str(tracker),
        ],
        env=child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_when(proc: subprocess.Popen[bytes], ready: object) -> None:
    deadline = time.monotonic() + 120
    try:
        while not ready() and proc.poll() is None:  # type: ignore[operator]
            assert time.monotonic() < deadline, "the import never reached that point"
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def _nothing_of_the_file(store_path: Path) -> None:
    with Store.unlock(store_path, PASSPHRASE) as store:
        report = store.integrity_check()
        assert report.ok, report.problems
        assert audit.verify(store).ok
        assert referrals.count_referrals(store) == 0


@pytest.mark.slow
def test_an_import_killed_midway_leaves_nothing_and_runs_again(tmp_path: Path) -> None:
    store_path = tmp_path / "area.store"
    create_store(store_path, PASSPHRASE, PASSPHRASE, partnership="", user_name="Sam").lock()
    tracker = _tracker(tmp_path / "tracker.csv")
    wal = sidecars(store_path)[0]

    # While matching (a second in: the file is read and checked, nothing written yet).
    proc = _import(store_path, tracker)
    started = time.monotonic()
    _kill_when(proc, lambda: time.monotonic() - started > 1.0)
    assert proc.returncode == -signal.SIGKILL
    _nothing_of_the_file(store_path)

    # While writing: the one transaction's pages are going into the write-ahead log.
    assert not wal.exists() or wal.stat().st_size < 512 * 1024  # (checkpointed when closed)
    proc = _import(store_path, tracker)
    started = time.monotonic()
    _kill_when(proc, lambda: wal.exists() and wal.stat().st_size > 512 * 1024)
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    assert time.monotonic() - started > 1.0  # after matching, not at the start
    _nothing_of_the_file(store_path)

    env = child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE)
    done = run_cli(["--store", str(store_path), "import", "referrals", str(tracker)], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Imported {ROWS} referrals")
    again = run_cli(["--store", str(store_path), "import", "referrals", str(tracker)], env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Imported 0 referrals")
    assert f"({ROWS} already imported)" in again.stdout
    with Store.unlock(store_path, PASSPHRASE) as store:
        assert store.integrity_check().ok
        assert audit.verify(store).ok
        assert referrals.count_referrals(store) == ROWS
