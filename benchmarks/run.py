"""MARAC Desk performance harness: `python benchmarks/run.py --referrals N --out FILE.json`.

Builds a throwaway encrypted store of N synthetic referrals in a temporary folder, then measures:

  unlock_seconds            services.session.unlock_store (key derivation included), against
                            stock SQLCipher's own unlock: sqlcipher3.connect + PRAGMA key with
                            the passphrase + one query
  second_connection_ms      a new connection once unlocked (Store.raw_connection_time_probe),
                            against a stock sqlcipher3 connection keyed with the passphrase,
                            which pays the key derivation again
  demo_insert_rate          referrals/s of services.demo.generate_demo_data (no baseline)
  resident_memory_mb        RSS of a fresh process after unlock and dashboard-like queries
  main_window_ready_seconds unlock -> MainWindow.ready under QT_QPA_PLATFORM=offscreen, in a
                            fresh process; null with a note when the window cannot be measured
  candidates_p50_ms/_p95_ms  services.people.find_candidates for 300 people as referrals wrote
                            them, against the bare `person_keys` lookup of the same keys on a
                            stock connection
  list_filter_p95_ms        services.referrals.list_referrals (first page of 200) with text
                            filters and with status + date-range filters (also reported
                            apart), against the same SELECT as plain SQL on a stock connection
  import_rate               referrals/s of services.imports.import_referrals for a CSV of
                            N/10 synthetic referrals (100 to 2,000), run last (no baseline)

Matching quality (FEBRL and UK synthetic data, with a recordlinkage baseline) is measured by
benchmarks/matching.py.

Ratios are ours / baseline, measured in the same run. Prints a table and writes JSON:
{"referrals": N, "metrics": {NAME: {"value", "unit", "baseline", "ratio"}}} (a metric whose value
is null also carries a "note"). The passphrase reaches child processes through the environment,
never the command line. `--only import_rate` (names comma-separated) measures just those metrics
(same JSON shape, fewer entries); with `--keep-store` the store is built once and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PASSPHRASE = "plum orchard lantern 7 quietly"
PASSPHRASE_ENV = "MARAC_DESK_PASSPHRASE"
USER = "Benchmark Coordinator"

Metric = dict[str, Any]


def metric(
    value: float | None,
    unit: str,
    baseline: float | None = None,
    *,
    note: str | None = None,
    digits: int = 4,
) -> Metric:
    ratio = None
    if value is not None and baseline:
        ratio = round(value / baseline, 4)
    out: Metric = {
        "value": None if value is None else round(value, digits),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, digits),
        "ratio": ratio,
    }
    if value is None:
        out["note"] = note or "not measured"
    return out


def _median_of(runs: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(runs))


# ----- building the store ------------------------------------------------------------------------


def build_store(path: Path, referrals: int, seed: int) -> tuple[Path, Metric]:
    from marac_desk.services import demo
    from marac_desk.services.paths import AppPaths
    from marac_desk.services.session import create_store

    opened = create_store(
        path,
        PASSPHRASE,
        PASSPHRASE,
        partnership="Benchmark",
        user_name=USER,
        paths=AppPaths.default(),
    )
    try:
        started = time.perf_counter()
        demo.generate_demo_data(opened, referrals=referrals, seed=seed)
        seconds = time.perf_counter() - started
    finally:
        opened.lock("benchmark build finished")
    return path, metric(referrals / seconds, "referrals/s", digits=1)


# ----- unlock and connections --------------------------------------------------------------------


def _stock_connect(path: Path) -> Any:
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    quoted = PASSPHRASE.replace("'", "''")
    conn.execute(f"PRAGMA key = '{quoted}'")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def measure_unlock(path: Path) -> Metric:
    from marac_desk.services.paths import AppPaths
    from marac_desk.services.session import unlock_store

    paths = AppPaths.default()

    def ours() -> float:
        started = time.perf_counter()
        store = unlock_store(path, PASSPHRASE, paths=paths)
        elapsed = time.perf_counter() - started
        store.close()
        return elapsed

    def stock() -> float:
        started = time.perf_counter()
        conn = _stock_connect(path)
        elapsed = time.perf_counter() - started
        conn.close()
        return elapsed

    ours()  # warm the file cache and the imports
    return metric(_median_of(5, ours), "s", _median_of(5, stock))


def measure_second_connection(path: Path) -> Metric:
    from marac_desk.services.paths import AppPaths
    from marac_desk.services.session import unlock_store

    store = unlock_store(path, PASSPHRASE, paths=AppPaths.default())
    try:

        def ours() -> float:
            started = time.perf_counter()
            store.raw_connection_time_probe()
            return (time.perf_counter() - started) * 1000

        ours()
        value = _median_of(15, ours)
    finally:
        store.close()

    def stock() -> float:
        started = time.perf_counter()
        conn = _stock_connect(path)
        conn.execute("SELECT 1").fetchone()
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        return elapsed

    return metric(value, "ms", _median_of(5, stock), digits=3)


# ----- fresh-process probes ---------------------------------------------------------------------


def _child(mode: str, path: Path, timeout: float) -> dict[str, Any]:
    env = dict(os.environ)
    env[PASSPHRASE_ENV] = PASSPHRASE
    if not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--probe", mode, "--store", str(path)]
    try:
        done = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout + 30, check=False
        )
    except subprocess.TimeoutExpired:
        return {"value": None, "note": f"the {mode} probe did not finish within {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"value": None, "note": f"the {mode} probe failed (exit {done.returncode})"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def measure_resident_memory(path: Path) -> Metric:
    result = _child("rss", path, 120)
    return metric(result.get("value"), "MB", note=result.get("note"), digits=1)


def measure_main_window_ready(path: Path, timeout: float) -> Metric:
    """Unlock -> MainWindow(opened).ready, in a fresh process under the offscreen platform.

    The window (marac_desk.ui.main_window.MainWindow, with a `ready` signal emitted once the
    dashboard shows data) is another part of the project; when it cannot be imported or never
    signals, the metric is null with a note instead of failing the run.
    """
    result = _child("window", path, timeout)
    return metric(result.get("value"), "s", note=result.get("note"))


def _dashboard_like_queries(store: Any) -> None:
    """What a dashboard asks of a store: counts by quarter, status and agency; open and overdue
    actions; the next meeting's list; the newest referrals."""
    from sqlalchemy import Integer, func, select

    from marac_desk.db import models

    today = date.today()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    with store.read() as s:
        r = models.Referral
        s.execute(
            select(func.count(), func.sum(r.is_repeat.cast(Integer))).where(
                r.referral_date >= quarter_start
            )
        ).one()
        s.execute(select(r.status, func.count()).group_by(r.status)).all()
        s.execute(select(r.referring_agency_id, func.count()).group_by(r.referring_agency_id)).all()
        s.execute(
            select(func.count())
            .select_from(models.Action)
            .where(models.Action.status.in_(("open", "carried_forward")))
        ).one()
        s.execute(
            select(func.count())
            .select_from(models.Action)
            .where(models.Action.status == "open", models.Action.due_date < today)
        ).one()
        meeting = s.execute(
            select(models.Meeting.id)
            .where(models.Meeting.meeting_date >= today)
            .order_by(models.Meeting.meeting_date)
            .limit(1)
        ).scalar()
        if meeting is not None:
            s.execute(
                select(r.case_ref, r.victim_first_name, r.victim_last_name, r.is_repeat)
                .join(models.MeetingCase, models.MeetingCase.referral_id == r.id)
                .where(models.MeetingCase.meeting_id == meeting)
                .order_by(models.MeetingCase.position)
            ).all()
        s.execute(
            select(
                r.id, r.case_ref, r.referral_date, r.victim_first_name, r.victim_last_name, r.status
            )
            .order_by(r.referral_date.desc(), r.id.desc())
            .limit(200)
        ).all()
        s.execute(
            select(func.count())
            .select_from(models.RiskAssessment)
            .where(models.RiskAssessment.review_due < today + timedelta(days=7))
        ).one()


def _probe_rss(path: Path) -> dict[str, Any]:
    import psutil

    from marac_desk.services.paths import AppPaths
    from marac_desk.services.session import unlock_store

    store = unlock_store(path, os.environ[PASSPHRASE_ENV], paths=AppPaths.default())
    try:
        _dashboard_like_queries(store)
        rss = psutil.Process().memory_info().rss / (1024 * 1024)
    finally:
        store.close()
    return {"value": rss}


def _probe_window(path: Path) -> dict[str, Any]:  # pragma: no cover - needs the GUI
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from marac_desk.ui.main_window import MainWindow
    except Exception as exc:  # the window is another engineer's, maybe unfinished
        return {
            "value": None,
            "note": f"marac_desk.ui.main_window.MainWindow could not be imported "
            f"({type(exc).__name__})",
        }
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from marac_desk.services import session, users
    from marac_desk.services.paths import AppPaths

    app = QApplication.instance() or QApplication([])
    timeout_ms = int(float(os.environ.get("MARAC_DESK_BENCH_WINDOW_TIMEOUT", "60")) * 1000)
    ready_at: list[float] = []
    started = time.perf_counter()
    store = session.unlock_store(path, os.environ[PASSPHRASE_ENV], paths=AppPaths.default())
    opened = session.sign_in(store, users.list_profiles(store)[0])
    try:
        window = MainWindow(opened)

        def on_ready(*_: object) -> None:
            if not ready_at:
                ready_at.append(time.perf_counter())
            QTimer.singleShot(0, app.quit)  # queued: works before and inside the event loop

        window.ready.connect(on_ready)
        window.show()
        QTimer.singleShot(timeout_ms, app.quit)
        app.exec()
        window.close()
        app.processEvents()
    finally:
        opened.lock("benchmark finished")
    if not ready_at:
        return {"value": None, "note": f"MainWindow.ready was not emitted within {timeout_ms} ms"}
    return {"value": ready_at[0] - started}


# ----- finding people, listing referrals, importing ------------------------------------------


def _percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (p95 of 300 samples is the 285th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def _timed_ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _evenly(items: list[Any], count: int) -> list[Any]:
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _typed_probes(store: Any, count: int) -> list[Any]:
    """People as referrals wrote them (typos, nicknames, DOB slips included), spread over the
    store: two victims for every perpetrator."""
    from sqlalchemy import select

    from marac_desk.db import models
    from marac_desk.services.people import evidence_from

    r, rp = models.Referral, models.ReferralPerpetrator
    with store.read() as s:
        victims = s.execute(
            select(r.victim_first_name, r.victim_last_name, r.victim_dob, r.postcode).order_by(r.id)
        ).all()
        perps = s.execute(select(rp.first_name, rp.last_name, rp.dob).order_by(rp.id)).all()
    wanted_perps = count // 3
    probes = [
        evidence_from(first, last, dob, postcode=postcode or "")
        for first, last, dob, postcode in _evenly(victims, count - wanted_perps)
    ]
    probes += [evidence_from(first, last, dob) for first, last, dob in _evenly(perps, wanted_perps)]
    return probes


def measure_candidates(path: Path, count: int = 300) -> dict[str, Metric]:
    """services.people.find_candidates for typed people (shortlist from person_keys, evidence,
    scoring, the people shown), against the bare indexed key lookup on a stock connection."""
    from marac_desk.core.matching import probe_keys
    from marac_desk.services.paths import AppPaths
    from marac_desk.services.people import find_candidates
    from marac_desk.services.session import unlock_store

    store = unlock_store(path, PASSPHRASE, paths=AppPaths.default())
    try:
        probes = _typed_probes(store, count)
        for probe in probes[:10]:  # warm the connection pool and the page cache
            find_candidates(store, probe)
        ours = [_timed_ms(lambda p=probe: find_candidates(store, p)) for probe in probes]
    finally:
        store.close()
    conn = _stock_connect(path)
    try:
        base: list[float] = []
        for probe in probes:
            keys = sorted(probe_keys(probe))
            sql = f"SELECT person_id FROM person_keys WHERE key IN ({','.join('?' * len(keys))})"
            base.append(_timed_ms(lambda sql=sql, keys=keys: conn.execute(sql, keys).fetchall()))
    finally:
        conn.close()
    return {
        "candidates_p50_ms": metric(_percentile(ours, 50), "ms", _percentile(base, 50), digits=3),
        "candidates_p95_ms": metric(_percentile(ours, 95), "ms", _percentile(base, 95), digits=3),
    }


# The list's columns and joins (services.referrals._row_query) as plain SQL.
_LIST_SQL = """
SELECT r.id, r.case_ref, r.referral_date, r.victim_first_name, r.victim_last_name, r.victim_dob,
       a.name, r.status, coalesce(r.repeat_override, r.is_repeat), r.new_perpetrator_flag,
       r.risk_score, r.risk_grade, p.name, r.match_status
FROM referrals AS r
JOIN agencies AS a ON a.id = r.referring_agency_id
JOIN panels AS p ON p.id = r.panel_id
WHERE {where}
ORDER BY r.referral_date DESC, r.id DESC
LIMIT 200
"""
# services.referrals._filtered's text condition (SQLite's LIKE ignores ASCII case, as ilike).
_TEXT_WHERE = """(
    r.case_ref LIKE :contains OR r.external_ref LIKE :prefix
    OR r.victim_last_name LIKE :prefix OR r.victim_first_name LIKE :prefix
    OR r.victim_id IN (SELECT id FROM people
                       WHERE last_name LIKE :prefix OR first_name LIKE :prefix)
    OR r.victim_id IN (SELECT person_id FROM person_aliases
                       WHERE last_name LIKE :prefix OR first_name LIKE :prefix))"""
_STATUS_DATE_WHERE = "r.status = :status AND r.referral_date >= :start AND r.referral_date <= :end"


def _list_filters(store: Any) -> tuple[list[str], list[tuple[str, date, date]]]:
    """What a coordinator types in the list's search box (surnames, first names, a case
    reference) and status + date-range filters, spread over the store."""
    from sqlalchemy import func, select

    from marac_desk.db import models

    r = models.Referral
    with store.read() as s:
        rows = s.execute(select(r.victim_first_name, r.victim_last_name, r.case_ref)).all()
        first_day, last_day = s.execute(
            select(func.min(r.referral_date), func.max(r.referral_date))
        ).one()
    picked = _evenly(rows, 30)
    texts = [last for _, last, _ in picked[:20] if last]
    texts += [first for first, _, _ in picked[20:26] if first]
    texts += [ref.rsplit("-", 1)[0] + "-00" + ref[-3:-1] for _, _, ref in picked[26:]]
    span = max(1, (last_day - first_day).days)
    windows = []
    for i, status in enumerate(("received", "listed", "heard", "closed", "diverted") * 6):
        start = first_day + timedelta(days=span * (i % 6) // 6)
        windows.append((status, start, start + timedelta(days=91)))
    return texts, windows


def measure_list_filter(path: Path) -> dict[str, Metric]:
    """services.referrals.list_referrals (first page of 200, newest first) with a text filter
    and with a status + date-range filter, against the same SELECT on a stock connection."""
    from marac_desk.services.paths import AppPaths
    from marac_desk.services.referrals import ReferralFilter, list_referrals
    from marac_desk.services.session import unlock_store

    store = unlock_store(path, PASSPHRASE, paths=AppPaths.default())
    try:
        texts, windows = _list_filters(store)
        text_filters = [ReferralFilter(text=t) for t in texts]
        window_filters = [
            ReferralFilter(status=st, date_from=start, date_to=end) for st, start, end in windows
        ]
        for flt in (text_filters + window_filters)[:5]:
            list_referrals(store, flt)
        ours_text = [_timed_ms(lambda f=flt: list_referrals(store, f)) for flt in text_filters]
        ours_window = [_timed_ms(lambda f=flt: list_referrals(store, f)) for flt in window_filters]
    finally:
        store.close()
    conn = _stock_connect(path)
    try:
        text_sql = _LIST_SQL.format(where=_TEXT_WHERE)
        window_sql = _LIST_SQL.format(where=_STATUS_DATE_WHERE)
        base_text = [
            _timed_ms(
                lambda t=t: conn.execute(
                    text_sql, {"contains": f"%{t}%", "prefix": f"{t}%"}
                ).fetchall()
            )
            for t in texts
        ]
        base_window = [
            _timed_ms(
                lambda st=st, a=a, b=b: conn.execute(
                    window_sql, {"status": st, "start": a.isoformat(), "end": b.isoformat()}
                ).fetchall()
            )
            for st, a, b in windows
        ]
    finally:
        conn.close()

    def p95(values: list[float]) -> float | None:
        return _percentile(values, 95)

    return {
        "list_filter_p95_ms": metric(
            p95(ours_text + ours_window), "ms", p95(base_text + base_window), digits=3
        ),
        "list_filter_text_p95_ms": metric(p95(ours_text), "ms", p95(base_text), digits=3),
        "list_filter_status_date_p95_ms": metric(
            p95(ours_window), "ms", p95(base_window), digits=3
        ),
    }


_IMPORT_COLUMNS = (
    "external_ref",
    "referral_date",
    "referring_agency",
    "victim_first_name",
    "victim_last_name",
    "victim_dob",
    "victim_gender",
    "victim_address",
    "victim_postcode",
    "perpetrator_first_name",
    "perpetrator_last_name",
    "perpetrator_dob",
    "perpetrator_gender",
    "relationship",
    "perpetrator2_first_name",
    "perpetrator2_last_name",
    "perpetrator2_dob",
    "perpetrator2_gender",
    "relationship2",
    "criteria",
    "risk_score",
    "professional_judgement_reason",
    "police_incidents_12m",
)


def _write_import_csv(target: Path, referrals: int, seed: int) -> int:
    """A coordinator's spreadsheet of `referrals` synthetic referrals (other people than the
    store's: another seed), in the canonical columns."""
    import csv

    from marac_desk.core import synthetic

    data = synthetic.generate(referrals, seed + 7919, date.today())
    run_tag = int(time.time())  # a reused store (--keep-store) imports them as new again

    def day(d: date | None) -> str:
        return d.isoformat() if d else ""

    def words(text: str) -> str:
        return text.replace("_", " ")

    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_IMPORT_COLUMNS)
        for r in data.referrals:
            perps = [
                (
                    p.first_name,
                    p.last_name,
                    day(p.dob),
                    words(p.gender),
                    words(p.relationship_to_victim),
                )
                for p in r.perpetrators[:2]
            ]
            perps += [("", "", "", "", "")] * (2 - len(perps))
            criteria = [
                name
                for name, on in (
                    ("visible_high_risk", r.crit_visible_high_risk),
                    ("professional_judgement", r.crit_professional_judgement),
                    ("potential_escalation", r.crit_potential_escalation),
                    ("repeat", r.crit_repeat),
                )
                if on
            ]
            agency = r.referring_agency + (f";{r.joint_agency}" if r.joint_agency else "")
            writer.writerow(
                (
                    f"BENCH{run_tag}/{r.key:07d}",
                    r.referral_date.isoformat(),
                    agency,
                    r.victim_first_name,
                    r.victim_last_name,
                    day(r.victim_dob),
                    words(r.victim_gender),
                    r.address,
                    r.postcode,
                    *perps[0],
                    *perps[1],
                    ";".join(criteria),
                    "" if r.risk_score is None else str(r.risk_score),
                    r.professional_judgement_reason,
                    "" if r.police_incidents_12m is None else str(r.police_incidents_12m),
                )
            )
    return len(data.referrals)


def measure_import_rate(path: Path, folder: Path, referrals: int, seed: int) -> Metric:
    """marac-desk's spreadsheet import (services.imports.import_referrals: read, check every
    row, match every person against the store, insert in date order, one transaction) of
    `referrals` rows into the benchmark store. Run last: it adds to the store."""
    try:
        from marac_desk.services import imports
    except ImportError as exc:
        return metric(None, "referrals/s", note=f"services.imports is missing ({exc})")
    importer = getattr(imports, "import_referrals", None)
    if importer is None:
        return metric(None, "referrals/s", note="services.imports has no import_referrals")
    from marac_desk.services import session, users
    from marac_desk.services.paths import AppPaths

    source = folder / "import.csv"
    _write_import_csv(source, referrals, seed)
    store = session.unlock_store(path, PASSPHRASE, paths=AppPaths.default())
    opened = session.sign_in(store, users.list_profiles(store)[0])
    try:
        started = time.perf_counter()
        try:
            result = importer(
                opened.store, opened.actor, source, today=date.today(), skip_invalid=True
            )
        except Exception as exc:  # another engineer's module, maybe mid-change
            return metric(None, "referrals/s", note=f"the import failed ({type(exc).__name__})")
        seconds = time.perf_counter() - started
    finally:
        opened.lock("benchmark import finished")
    if not result.imported:
        return metric(
            None, "referrals/s", note=f"nothing was imported ({result.rejected} rejected)"
        )
    out = metric(result.imported / seconds, "referrals/s", digits=1)
    if result.rejected:
        out["note"] = f"{result.imported} imported, {result.rejected} rows rejected"
    return out


# ----- the run ------------------------------------------------------------------------------------


CANDIDATE_METRICS = ("candidates_p50_ms", "candidates_p95_ms")
LIST_FILTER_METRICS = (
    "list_filter_p95_ms",
    "list_filter_text_p95_ms",
    "list_filter_status_date_p95_ms",
)
METRICS = (
    "unlock_seconds",
    "second_connection_ms",
    "demo_insert_rate",
    "resident_memory_mb",
    "main_window_ready_seconds",
    *CANDIDATE_METRICS,
    *LIST_FILTER_METRICS,
    "import_rate",
)


def run(
    referrals: int,
    seed: int,
    out: Path,
    window_timeout: float,
    *,
    import_rows: int = 2000,
    keep_store: Path | None = None,
    only: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Build (or reuse) the store and measure; `only` limits the run to those metrics (the
    store is built all the same)."""
    with tempfile.TemporaryDirectory(prefix="marac-bench-") as tmp:
        folder = Path(tmp)
        os.environ["MARAC_DESK_HOME"] = str(folder / "home")  # no trace in the real home
        os.environ["MARAC_DESK_BENCH_WINDOW_TIMEOUT"] = str(window_timeout)
        if keep_store is not None and keep_store.exists():
            print(f"Reusing the store at {keep_store} (built earlier with --keep-store)...")
            path = keep_store
            insert_rate = metric(None, "referrals/s", note="store reused (--keep-store)")
        else:
            print(f"Building a store of {referrals:,} synthetic referrals...", flush=True)
            path, insert_rate = build_store(keep_store or folder / "bench.store", referrals, seed)

        def wanted(*names: str) -> bool:
            return only is None or any(name in only for name in names)

        metrics: dict[str, Metric] = {}
        if wanted("unlock_seconds"):
            metrics["unlock_seconds"] = measure_unlock(path)
        if wanted("second_connection_ms"):
            metrics["second_connection_ms"] = measure_second_connection(path)
        if wanted("demo_insert_rate"):
            metrics["demo_insert_rate"] = insert_rate
        if wanted("resident_memory_mb"):
            metrics["resident_memory_mb"] = measure_resident_memory(path)
        if wanted("main_window_ready_seconds"):
            metrics["main_window_ready_seconds"] = measure_main_window_ready(path, window_timeout)
        if wanted(*CANDIDATE_METRICS, *LIST_FILTER_METRICS):
            print("Finding people and listing referrals...", flush=True)
        if wanted(*CANDIDATE_METRICS):
            metrics |= measure_candidates(path)
        if wanted(*LIST_FILTER_METRICS):
            metrics |= measure_list_filter(path)
        if wanted("import_rate"):
            print(f"Importing {import_rows:,} referrals from a spreadsheet...", flush=True)
            metrics["import_rate"] = measure_import_rate(path, folder, import_rows, seed)
    result = {"referrals": referrals, "metrics": metrics}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"Written to {out}")
    return result


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def print_table(result: dict[str, Any]) -> None:
    print(f"\nMARAC Desk benchmark, {result['referrals']:,} referrals")
    header = f"{'metric':28} {'value':>12} {'unit':12} {'baseline':>12} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, m in result["metrics"].items():
        print(
            f"{name:28} {_fmt(m['value']):>12} {m['unit']:12} {_fmt(m['baseline']):>12} "
            f"{_fmt(m['ratio']):>8}"
        )
        if m.get("note"):
            print(f"{'':28} note: {m['note']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--referrals", type=int, default=1000, metavar="N")
    parser.add_argument("--out", type=Path, metavar="FILE.json")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument(
        "--window-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the main window's ready signal",
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=None,
        metavar="M",
        help="rows in the spreadsheet import_rate imports (default: N/10, 100 to 2,000)",
    )
    parser.add_argument(
        "--keep-store",
        type=Path,
        metavar="FILE",
        help="build the store at FILE and keep it, or reuse FILE if it exists (synthetic "
        "data under the benchmark's passphrase; import_rate adds to it on every run)",
    )
    parser.add_argument(
        "--only",
        metavar="METRIC[,METRIC]",
        help="measure only these metrics (comma-separated names from the table)",
    )
    parser.add_argument("--probe", choices=("rss", "window"), help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        probe = _probe_rss if args.probe == "rss" else _probe_window
        print(json.dumps(probe(args.store)), flush=True)
        return 0
    if args.out is None:
        parser.error("--out is required")
    if args.referrals < 1:
        parser.error("--referrals must be at least 1")
    only = None
    if args.only:
        only = frozenset(name.strip() for name in args.only.split(",") if name.strip())
        unknown = sorted(only - set(METRICS))
        if unknown:
            parser.error(f"--only: unknown metric(s) {', '.join(unknown)}")
    import_rows = args.import_rows or max(100, min(2000, args.referrals // 10))
    run(
        args.referrals,
        args.seed,
        args.out,
        args.window_timeout,
        import_rows=import_rows,
        keep_store=args.keep_store,
        only=only,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
