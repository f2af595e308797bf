"""`marac-desk demo-data` and the benchmark harness, as a coordinator or developer runs them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from sqlalchemy import func, select

from marac_desk import cli
from marac_desk.db import models
from marac_desk.services import audit, session

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # never a prompt
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "cli.store"
    assert cli.main(["--store", str(path), "init"]) == 0
    return path


def test_demo_data_adds_referrals_and_prints_the_summary(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = cli.main(["--store", str(store), "demo-data", "--referrals", "200", "--seed", "3"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    assert out.startswith("Added 200 referrals (")
    assert "repeats)" in out and "people" in out and "meetings" in out and "actions." in out
    assert len(out.strip().splitlines()) == 1

    opened_store = session.unlock_store(store, PASSPHRASE)
    try:
        with opened_store.read() as s:
            assert s.scalar(select(func.count()).select_from(models.Referral)) == 200
        events = audit.list_events(opened_store, audit.AuditFilter(action="import"))
        assert len(events) == 1
        assert audit.verify(opened_store).ok
    finally:
        opened_store.close()


def test_demo_data_twice_continues_the_case_numbers(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for seed in ("3", "4"):
        assert (
            cli.main(["--store", str(store), "demo-data", "--referrals", "60", "--seed", seed]) == 0
        )
    opened_store = session.unlock_store(store, PASSPHRASE)
    try:
        with opened_store.read() as s:
            refs = list(s.scalars(select(models.Referral.case_ref)))
    finally:
        opened_store.close()
    assert len(refs) == len(set(refs)) == 120


def test_demo_data_needs_a_positive_number(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = cli.main(["--store", str(store), "demo-data", "--referrals", "0"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "at least 1" in err


@pytest.mark.slow
def test_the_benchmark_writes_every_metric_in_the_agreed_shape(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "MARAC_DESK_PASSPHRASE"}
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--referrals",
            "200",
            "--out",
            str(out),
            "--window-timeout",
            "20",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert PASSPHRASE not in done.stdout + done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == {"referrals", "metrics"}
    assert result["referrals"] == 200
    metrics = result["metrics"]
    assert set(metrics) == {
        "unlock_seconds",
        "second_connection_ms",
        "demo_insert_rate",
        "resident_memory_mb",
        "main_window_ready_seconds",
        "candidates_p50_ms",
        "candidates_p95_ms",
        "list_filter_p95_ms",
        "list_filter_text_p95_ms",
        "list_filter_status_date_p95_ms",
        "import_rate",
    }
    for name, m in metrics.items():
        assert {"value", "unit", "baseline", "ratio"} <= set(m), name
        assert set(m) - {"value", "unit", "baseline", "ratio"} <= {"note"}, name
        assert isinstance(m["unit"], str) and m["unit"]
        for key in ("value", "baseline", "ratio"):
            assert m[key] is None or isinstance(m[key], int | float), (name, key)
        if m["value"] is None:
            assert m["note"], name
    for name in (
        "unlock_seconds",
        "second_connection_ms",
        "demo_insert_rate",
        "resident_memory_mb",
    ):
        assert metrics[name]["value"] > 0, name
    # Our unlock pays the key derivation once, like stock SQLCipher; a second connection
    # reuses the derived key, so it must be far cheaper than a stock keyed connection.
    assert metrics["unlock_seconds"]["baseline"] > 0
    assert metrics["second_connection_ms"]["ratio"] < 0.5
    assert metrics["demo_insert_rate"]["baseline"] is None
    assert "main_window_ready_seconds" in done.stdout  # the printed table


@pytest.mark.slow
def test_the_benchmark_can_measure_only_the_import(tmp_path: Path) -> None:
    out, store = tmp_path / "bench.json", tmp_path / "kept.store"
    env = {k: v for k, v in os.environ.items() if k != "MARAC_DESK_PASSPHRASE"}

    def bench(*only: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                str(REPO / "benchmarks" / "run.py"),
                "--referrals",
                "200",
                "--out",
                str(out),
                "--keep-store",
                str(store),
                "--only",
                ",".join(only),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    assert bench("import_rate", "no_such_metric").returncode == 2
    for _run in range(2):  # the store is built, then reused
        done = bench("import_rate")
        assert done.returncode == 0, done.stderr[-2000:]
        metrics = json.loads(out.read_text(encoding="utf-8"))["metrics"]
        assert set(metrics) == {"import_rate"}
        assert metrics["import_rate"]["value"] > 0
    assert "Reusing the store" in done.stdout
