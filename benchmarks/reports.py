"""Quarterly report timings: `python benchmarks/reports.py --store FILE --out FILE.json`.

Builds a synthetic encrypted store of --referrals (default 120,000; services.demo, ~45 s) at
--store the first time and reuses the file afterwards (same passphrase as benchmarks/run.py).
The quarter reported is the last whole quarter before the newest referral. Measures, as the
median of --runs runs after one warm-up run:

  report_seconds            the whole steering-group report for every panel: the figures
                            (services.reports.quarterly_report), the published view
                            (export.report_view.publish, internal) and the PDF
                            (export.quarterly.build_quarterly_report)
  figures_seconds           services.reports.quarterly_report alone
  figures_one_panel_seconds the same for one panel ("Northtown MARAC")
  publishable_pdf_seconds   publish (publishable, secondary suppression) + PDF, from the figures
  csv_ms, xlsx_ms           export.report_tables from the published view

Baseline, measured in the same run: the very SQL statements the report sends (captured with
their parameters from SQLAlchemy's cursor events during a run) replayed on a stock sqlcipher3
connection keyed with the passphrase, fetching every row — the cost of the aggregate queries
with nothing of ours around them. `ratio` is ours / baseline (figures and whole report against
the all-panels SQL, one panel against its own). Target: report_seconds under 2 s at 120,000
referrals. Prints a table and writes JSON:
{"referrals": N, "quarter": "Q…", "metrics": {NAME: {"value", "unit", "baseline", "ratio"}}}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PASSPHRASE, Metric, build_store, metric, print_table

TARGET_SECONDS = 2.0
ONE_PANEL = "Northtown MARAC"
GENERATED = datetime(2026, 1, 5, 9, 30)


def _median(runs: int, fn: Callable[[], object]) -> float:
    fn()  # warm-up: imports, fonts, the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _stock(path: Path) -> Any:
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    quoted = PASSPHRASE.replace("'", "''")
    conn.execute(f"PRAGMA key = '{quoted}'")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _captured(store: Any, fn: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements and parameters `fn` sends, as the driver receives them."""
    from sqlalchemy import event

    sent: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", keep)
    try:
        fn()
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
    return sent


def _replay(conn: Any, statements: list[tuple[str, Any]]) -> None:
    conn.execute("BEGIN")
    for sql, parameters in statements:
        conn.execute(sql, parameters).fetchall()
    conn.execute("COMMIT")


def _quarter(store: Any) -> Any:
    from sqlalchemy import func, select

    from marac_desk.core.periods import previous_quarter, quarter_of
    from marac_desk.db.models import Referral

    with store.read() as session:
        newest = session.scalar(select(func.max(Referral.referral_date)))
    if newest is None:
        raise SystemExit("The store has no referrals.")
    return previous_quarter(quarter_of(newest))


def run(path: Path, referrals: int, seed: int, runs: int, out: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    from marac_desk.core.suppression import Mode
    from marac_desk.db.models import Referral
    from marac_desk.db.store import Store
    from marac_desk.export import quarterly, report_tables
    from marac_desk.export.report_view import publish
    from marac_desk.services import reports

    with tempfile.TemporaryDirectory(prefix="marac-bench-reports-") as tmp:
        os.environ["MARAC_DESK_HOME"] = str(Path(tmp) / "home")  # no trace in the real home
        if path.exists():
            print(f"Reusing the store at {path}", flush=True)
        else:
            print(f"Building a store of {referrals:,} synthetic referrals at {path}...", flush=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            build_store(path, referrals, seed)
        store = Store.unlock(path, PASSPHRASE)
        stock = _stock(path)
        try:
            period = _quarter(store)
            today = period.end
            with store.read() as session:
                stored = int(session.scalar(select(func.count(Referral.id))) or 0)
            print(f"Reporting {period.label} over {stored:,} referrals...", flush=True)

            def figures(panel: str | None = None) -> Any:
                return reports.quarterly_report(
                    store, period, panel=panel, as_at=today, generated_at=GENERATED
                )

            def whole() -> bytes:
                return quarterly.build_quarterly_report(publish(figures(), Mode.INTERNAL))

            exact = figures()
            public = publish(exact, Mode.PUBLISHABLE)
            all_sql = _captured(store, figures)
            panel_sql = _captured(store, lambda: figures(ONE_PANEL))
            baseline_all = _median(runs, lambda: _replay(stock, all_sql))
            baseline_panel = _median(runs, lambda: _replay(stock, panel_sql))
            metrics: dict[str, Metric] = {
                "report_seconds": metric(_median(runs, whole), "s", baseline_all),
                "figures_seconds": metric(_median(runs, figures), "s", baseline_all),
                "figures_one_panel_seconds": metric(
                    _median(runs, lambda: figures(ONE_PANEL)), "s", baseline_panel
                ),
                "publishable_pdf_seconds": metric(
                    _median(
                        runs,
                        lambda: quarterly.build_quarterly_report(publish(exact, Mode.PUBLISHABLE)),
                    ),
                    "s",
                ),
                "csv_ms": metric(
                    _median(runs, lambda: report_tables.indicators_csv(public)) * 1000, "ms"
                ),
                "xlsx_ms": metric(
                    _median(runs, lambda: report_tables.report_xlsx(public)) * 1000, "ms"
                ),
                "sql_statements": metric(len(all_sql), "count"),
            }
        finally:
            stock.close()
            store.close()
    result = {
        "referrals": stored,
        "quarter": period.label,
        "quarter_referrals": exact.referrals,
        "target_seconds": TARGET_SECONDS,
        "metrics": metrics,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(
        f"{period.label}: {exact.referrals:,} referrals in the quarter; target: the report in "
        f"under {TARGET_SECONDS:g} s."
    )
    print(f"Written to {out}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", type=Path, required=True, metavar="FILE")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.json")
    parser.add_argument("--referrals", type=int, default=120_000, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--runs", type=int, default=5, metavar="R")
    args = parser.parse_args(argv)
    if args.referrals < 1 or args.runs < 1:
        parser.error("--referrals and --runs must be at least 1")
    run(args.store, args.referrals, args.seed, args.runs, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
