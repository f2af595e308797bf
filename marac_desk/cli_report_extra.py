"""`marac-desk report dataset` and `marac-desk report dip-sample`: the quarterly data files.

    marac-desk report dataset (--from DATE --to DATE | --period TEXT) --out FILE.csv|.xlsx
        [--panel NAME]
    marac-desk report dip-sample (--from DATE --to DATE | --period TEXT) --n N [--seed S]
        --out FILE.pdf [--panel NAME]

`dataset` writes the national return: one row of counts per meeting held in the period
(`services.dataset`). `dip-sample` draws N cases heard in the period at random and writes the QA
checklist PDF (`services.dip_sample`); without --seed a seed is chosen and printed, so the same
sample can be drawn again. Both refuse to overwrite an existing file, write it all or nothing,
and record the export in the audit trail as a disclosure. stdout gets one summary line (counts,
the seed; no case data); a failure is one line on stderr, exit 2 for usage errors, 1 otherwise.

The main parser's `report` command (cli_reports.py) registers these through
`register_dataset_and_dip_sample(report_subparsers, command)`.
"""

from __future__ import annotations

import argparse
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marac_desk.core.periods import Period

EXIT_OK = 0
SEED_LIMIT = 1_000_000  # a chosen seed is short enough to read out and type again

DATASET_DESCRIPTION = """\
Write the national return for SafeLives: one row per meeting held in the period, with the counts
of the cases heard there (cases, repeats, children, referral sources over the 14 categories with
joint referrals 0.5 each, equality counts with not known / not stated, victims aged 16-17,
perpetrators aged 17 or under). Internal, exact counts: no small numbers are hidden, and no
person is identified. The period is --from/--to (both days included) or --period, e.g.
"Q2 2025/26", "2025/26" or "2025-04-01 to 2025-09-30".
"""
DIP_SAMPLE_DESCRIPTION = """\
Draw a random sample of N cases heard in the period and write the QA checklist (PDF) organised
by SafeLives' ten principles, with case references only. The same store, period, panel, N and
seed always draw the same cases; without --seed one is chosen and printed (and shown in the PDF).
If fewer than N cases were heard, every case is taken and the checklist says so.
"""


def _date(text: str) -> date:
    from marac_desk.cli import _iso_date

    return _iso_date(text)


def _positive(text: str) -> int:
    from marac_desk.cli import _positive as positive

    return positive(text)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _period(args: argparse.Namespace) -> Period:
    """The period from --period, or from --from and --to (a usage error otherwise)."""
    from marac_desk.cli import EXIT_USAGE, CliError
    from marac_desk.core.periods import PeriodError, date_range, parse_period

    if args.period is not None:
        if args.start is not None or args.end is not None:
            raise CliError("Give either --period or --from and --to, not both.", EXIT_USAGE)
        try:
            return parse_period(args.period)
        except PeriodError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
    if args.start is None or args.end is None:
        raise CliError("Give the period: --from DATE and --to DATE (or --period).", EXIT_USAGE)
    if args.start > args.end:
        raise CliError(f"--from ({args.start}) is after --to ({args.end}).", EXIT_USAGE)
    return date_range(args.start, args.end)


def _new_file(text: str, suffixes: tuple[str, ...]) -> Path:
    """The file to write: the right kind, in a folder that exists, and not there already."""
    from marac_desk.cli import EXIT_USAGE, CliError

    path = Path(text).expanduser()
    if path.suffix.lower() not in suffixes:
        kinds = " or ".join(suffixes)
        raise CliError(f"--out must name a {kinds} file.", EXIT_USAGE)
    if not path.parent.is_dir():
        raise CliError(f"The folder for --out does not exist: {path.parent}", EXIT_USAGE)
    if path.exists():
        raise CliError(f"A file already exists at {path}: choose another name or remove it first.")
    return path


def _now() -> datetime:
    """Local time, to the minute the documents print."""
    return datetime.now().replace(second=0, microsecond=0)


def cmd_report_dataset(args: argparse.Namespace) -> int:
    from marac_desk.cli import CliError, _open
    from marac_desk.services import dataset, panels

    period = _period(args)
    out = _new_file(args.out, (".csv", ".xlsx"))
    opened = _open(args)
    try:
        written = dataset.write_national_return(
            opened.store, opened.actor, out, period, args.panel, generated_at=_now()
        )
    except panels.PanelNotFound:
        raise CliError(f"This store has no panel called {args.panel!r}.") from None
    finally:
        opened.lock("command finished")
    meetings = len(written.rows)
    cases = sum(row.cases_heard for row in written.rows)
    print(
        f"Wrote the national return for {period.label}: {meetings} "
        f"{'meeting' if meetings == 1 else 'meetings'}, {cases} "
        f"{'case' if cases == 1 else 'cases'} heard, to {out}"
    )
    return EXIT_OK


def cmd_report_dip_sample(args: argparse.Namespace) -> int:
    from marac_desk.cli import CliError, _open
    from marac_desk.services import dip_sample, panels

    period = _period(args)
    out = _new_file(args.out, (".pdf",))
    seed = args.seed if args.seed is not None else secrets.randbelow(SEED_LIMIT)
    opened = _open(args)
    try:
        sample = dip_sample.write_dip_sample(
            opened.store,
            opened.actor,
            out,
            start=period.start,
            end=period.end,
            n=args.n,
            seed=seed,
            panel=args.panel,
            label=period.label,
            generated_at=_now(),
        )
    except panels.PanelNotFound:
        raise CliError(f"This store has no panel called {args.panel!r}.") from None
    except dip_sample.DipSampleError as exc:
        raise CliError(f"No checklist was written: {exc}") from None
    finally:
        opened.lock("command finished")
    if sample.took_all:
        drawn = f"all {sample.population} cases heard ({args.n} were asked for)"
    else:
        drawn = f"{len(sample.cases)} of {sample.population} cases heard"
    print(f"Sampled {drawn} in {period.label}, seed {seed}: checklist written to {out}")
    return EXIT_OK


def _period_options(parser: Any) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE", type=_date, help="first day")
    parser.add_argument("--to", dest="end", metavar="DATE", type=_date, help="last day")
    parser.add_argument(
        "--period",
        metavar="TEXT",
        help='instead of --from/--to: "Q2 2025/26", "2025/26" or "2025-04-01 to 2025-09-30"',
    )
    parser.add_argument("--panel", metavar="NAME", help="one panel (default: every panel)")


def register_dataset_and_dip_sample(report_subparsers: Any, command: Any) -> None:
    """Add `dataset` and `dip-sample` under the `report` command.

    `command(subparsers, name, **kw)` is cli.build_parser's factory (it adds --store/--user).
    """
    d = command(
        report_subparsers,
        "dataset",
        help="the national return: counts per meeting, as .csv or .xlsx (audited)",
        description=DATASET_DESCRIPTION,
    )
    d.formatter_class = argparse.RawDescriptionHelpFormatter
    _period_options(d)
    d.add_argument("--out", metavar="FILE", required=True, help="a new .csv or .xlsx file")
    d.set_defaults(func=cmd_report_dataset)

    s = command(
        report_subparsers,
        "dip-sample",
        help="a random sample of cases heard, as a QA checklist PDF (audited)",
        description=DIP_SAMPLE_DESCRIPTION,
    )
    s.formatter_class = argparse.RawDescriptionHelpFormatter
    _period_options(s)
    s.add_argument("--n", type=_positive, required=True, metavar="N", help="cases to sample")
    s.add_argument(
        "--seed", type=_seed, metavar="S", help="draw the same sample again (default: a new one)"
    )
    s.add_argument("--out", metavar="FILE", required=True, help="a new .pdf file")
    s.set_defaults(func=cmd_report_dip_sample)
