"""`marac-desk report quarter`: the steering group's quarterly report as PDF, CSV or XLSX.
(`report dataset` and `report dip-sample` live in cli_report_extra and are registered here.)

    marac-desk report quarter (--quarter "Q2 2023/24" | --year 2023/24 | --from DATE --to DATE)
        [--panel NAME] [--publishable [--round]] --out FILE.pdf|FILE.csv|FILE.xlsx

The file type follows --out's extension. Without --panel the report covers every domestic abuse
panel (Community MARAC panels get their own section). Internal reports carry exact figures;
--publishable hides small counts (<5) and anything that would give one away, and --round also
rounds the counts shown to the nearest 5. An existing file is never overwritten, the file is
written all or nothing, and the export is recorded in the audit trail as a disclosure. Usage
errors (a bad period, --from without --to, a wrong extension) exit 2 before the passphrase is
asked for; other failures exit 1; each is one line on stderr.

Registered into the main parser by `cli.build_parser` through `register`.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from marac_desk.core.periods import (
    Period,
    PeriodError,
    PeriodKind,
    date_range,
    parse_period,
    parse_quarter,
)

EXIT_OK = 0
REPORT_SUFFIXES = (".pdf", ".csv", ".xlsx")

QUARTER_DESCRIPTION = """\
Write the quarterly report: referrals, cases heard, repeats, children, referral sources, victims
and perpetrators, actions, attendance, research, minutes and referral completeness, with the
expected bands (Settings) beside the figures and the quarter against the four before it.

periods: --quarter "Q2 2023/24" (UK financial-year quarters: Q1 = April–June … Q4 =
  January–March), --year 2023/24 (April to March), or --from 2023-04-01 --to 2023-06-30
  (any range, both days included).
files: .pdf (the steering group's report, marked with the store's protective marking), .csv
  (two columns, indicator,value: one row per indicator, stable keys) or .xlsx (a sheet per
  table).
"""


def _usage(message: str) -> Exception:
    from marac_desk.cli import EXIT_USAGE, CliError

    return CliError(message, EXIT_USAGE)


def _period(args: argparse.Namespace) -> Period:
    """The period asked for: exactly one of --quarter, --year, or --from with --to."""
    given = [
        name
        for name, value in (
            ("--quarter", args.quarter),
            ("--year", args.year),
            ("--from/--to", args.start or args.end),
        )
        if value
    ]
    if len(given) != 1:
        raise _usage(
            "Give the period once: --quarter, --year, or --from with --to."
            if given
            else 'Say which period: --quarter "Q2 2023/24", --year 2023/24, or --from and --to.'
        )
    try:
        if args.quarter:
            return parse_quarter(args.quarter)
        if args.year:
            period = parse_period(args.year)
            if period.kind is not PeriodKind.YEAR:
                raise _usage(f'--year wants a financial year such as "2023/24", not {period}.')
            return period
    except PeriodError as exc:
        raise _usage(str(exc)) from None
    if args.start is None or args.end is None:
        raise _usage("--from and --to go together: give both days of the range.")
    if args.end < args.start:
        raise _usage(f"--from ({args.start}) is after --to ({args.end}).")
    return date_range(args.start, args.end)


def _out(text: str) -> Path:
    from marac_desk.cli import CliError

    path = Path(text).expanduser()
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise _usage("--out must name a .pdf, .csv or .xlsx file.")
    if not path.parent.is_dir():
        raise _usage(f"The folder for --out does not exist: {path.parent}")
    if path.exists():
        raise CliError(f"A file already exists at {path}: choose another name or remove it first.")
    return path


def cmd_report_quarter(args: argparse.Namespace) -> int:
    from marac_desk.cli import _open
    from marac_desk.core.suppression import Mode
    from marac_desk.services import reports

    period = _period(args)
    if args.round and not args.publishable:
        raise _usage("--round goes with --publishable: internal reports keep exact figures.")
    out = _out(args.out)
    opened = _open(args)
    try:
        done = reports.export_quarterly_report(
            opened.store,
            opened.actor,
            out,
            period,
            panel=args.panel,
            mode=Mode.PUBLISHABLE if args.publishable else Mode.INTERNAL,
            round_to_5=args.round,
            as_at=date.today(),
            generated_at=datetime.now().replace(microsecond=0),
        )
    finally:
        opened.lock("command finished")
    mode = "publishable" if args.publishable else "internal, exact figures"
    if args.round:
        mode += ", rounded to 5"
    print(f"Quarterly report {period} for {done.view.scope} ({mode}) written to {out}")
    return EXIT_OK


def _date(text: str) -> date:
    from marac_desk.cli import _iso_date

    return _iso_date(text)


def register(subparsers: Any, command: Any) -> None:
    """Add `report quarter`, `report dataset` and `report dip-sample` (cli_report_extra) to the
    main parser's sub-commands.

    `command(subparsers, name, **kw)` is cli.build_parser's factory (it adds --store/--user).
    """
    p = command(
        subparsers,
        "report",
        help="reports: the quarterly report, the national return, the QA dip sample",
    )
    report_sub = p.add_subparsers(
        dest="report_command",
        metavar="quarter|dataset|dip-sample",
        required=True,
        parser_class=type(p),
    )
    q = command(
        report_sub,
        "quarter",
        help="the quarterly report as PDF, CSV or XLSX (audited)",
        description=QUARTER_DESCRIPTION,
    )
    q.formatter_class = argparse.RawDescriptionHelpFormatter
    q.add_argument("--quarter", metavar="QUARTER", help='a financial-year quarter: "Q2 2023/24"')
    q.add_argument("--year", metavar="YEAR", help="a financial year: 2023/24")
    q.add_argument("--from", dest="start", metavar="DATE", type=_date, help="first day (ISO)")
    q.add_argument("--to", dest="end", metavar="DATE", type=_date, help="last day (ISO)")
    q.add_argument(
        "--panel", metavar="NAME", help="one panel (default: every domestic abuse panel)"
    )
    q.add_argument(
        "--publishable",
        action="store_true",
        help="hide small counts (<5) and figures that would give them away",
    )
    q.add_argument(
        "--round", action="store_true", help="with --publishable: round counts to the nearest 5"
    )
    q.add_argument("--out", metavar="FILE", required=True, help="a new .pdf, .csv or .xlsx file")
    q.set_defaults(func=cmd_report_quarter)

    from marac_desk.cli_report_extra import register_dataset_and_dip_sample

    register_dataset_and_dip_sample(report_sub, command)
