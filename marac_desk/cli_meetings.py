"""`marac-desk meetings plan`: the dates a panel meets, one ISO date a line.

    marac-desk meetings plan (--panel NAME | --cadence SPEC) --from DATE --to DATE
        [--region england-and-wales|scotland|northern-ireland]
        [--on-holiday next-working-day|skip] [--anchor DATE]

stdout carries the dates and nothing else, so scripts can read it; an empty period prints
nothing. `--cadence` works without a store (no passphrase asked). `--panel` reads the panel's
cadence, region, bank-holiday rule and anchor from the store, so the other options do not go
with it. Usage errors (a bad spec or date, --from after --to) exit 2, other failures 1, each as
one line on stderr.

Registered into the main parser by `cli.build_parser` through `register`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from marac_desk.core.cadence import CadenceError, OnHoliday, meeting_dates, parse_cadence
from marac_desk.core.working_days import FIRST_YEAR, LAST_YEAR, Region

EXIT_OK = 0

PLAN_DESCRIPTION = """\
Print the days a panel meets from --from to --to (both included), one YYYY-MM-DD a line.

cadence specs: daily (every working day), weekly:wed, fortnightly:tue, every-6-weeks:thu,
  monthly:2:wed (second Wednesday), monthly:last:fri. Full day names work too.
A meeting on a bank holiday moves to the next working day (or, with --on-holiday skip, is
left out). Fortnightly and every-N-weeks series count from --anchor (the panel's first meeting);
without it, from the first matching day on or after --from.
"""


def _date(text: str) -> date:
    from marac_desk.cli import _iso_date

    return _iso_date(text)


def _plan_options(args: argparse.Namespace) -> tuple[Region, OnHoliday]:
    region = Region.parse(args.region) if args.region else Region.ENGLAND_AND_WALES
    rule = OnHoliday.parse(args.on_holiday) if args.on_holiday else OnHoliday.NEXT_WORKING_DAY
    return region, rule


def cmd_meetings_plan(args: argparse.Namespace) -> int:
    from marac_desk.cli import EXIT_USAGE, CliError

    start, end = args.start, args.end
    if start > end:
        raise CliError(f"--from ({start}) is after --to ({end}).", EXIT_USAGE)
    for option, day in (("--from", start), ("--to", end)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise CliError(
                f"{option} must be from {FIRST_YEAR} to {LAST_YEAR}: bank holidays are not "
                "known outside those years.",
                EXIT_USAGE,
            )
    if args.panel is not None:
        given = [o for o, v in _PANEL_SETTINGS if getattr(args, v) is not None]
        if given:
            options = " and ".join(given) + (" go" if len(given) > 1 else " goes")
            raise CliError(
                f"{options} with --cadence; a panel's own settings are stored with it.",
                EXIT_USAGE,
            )
        dates = _panel_dates(args, start, end)
    else:
        try:
            cadence = parse_cadence(args.cadence)
        except CadenceError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        region, rule = _plan_options(args)
        dates = meeting_dates(
            cadence, start, end, region=region, on_holiday=rule, anchor=args.anchor
        )
    sys.stdout.write("".join(f"{day.isoformat()}\n" for day in dates))
    return EXIT_OK


_PANEL_SETTINGS = (("--region", "region"), ("--on-holiday", "on_holiday"), ("--anchor", "anchor"))


def _panel_dates(args: argparse.Namespace, start: date, end: date) -> list[date]:
    from marac_desk.cli import CliError, _open
    from marac_desk.services import panels

    opened = _open(args)
    try:
        return panels.panel_plan(opened.store, args.panel, start, end)
    except panels.PanelNotFound:
        raise CliError(f"This store has no panel called {args.panel!r}.") from None
    except CadenceError as exc:  # stored, so not the caller's usage error
        raise CliError(f"The panel's stored cadence cannot be read. {exc}") from None
    finally:
        opened.lock("command finished")


def register(subparsers: Any, command: Any) -> None:
    """Add `meetings plan` to the main parser's sub-commands.

    `command(subparsers, name, **kw)` is cli.build_parser's factory (it adds --store/--user).
    """
    p = command(subparsers, "meetings", help="meetings: plan the dates a panel meets")
    meetings_sub = p.add_subparsers(
        dest="meetings_command", metavar="plan", required=True, parser_class=type(p)
    )
    plan = command(
        meetings_sub,
        "plan",
        help="print a panel's meeting dates, one YYYY-MM-DD a line",
        description=PLAN_DESCRIPTION,
    )
    plan.formatter_class = argparse.RawDescriptionHelpFormatter
    which = plan.add_mutually_exclusive_group(required=True)
    which.add_argument("--panel", metavar="NAME", help="a panel in the store (its own settings)")
    which.add_argument("--cadence", metavar="SPEC", help="a cadence spec (no store needed)")
    plan.add_argument("--from", dest="start", metavar="DATE", type=_date, required=True)
    plan.add_argument("--to", dest="end", metavar="DATE", type=_date, required=True)
    plan.add_argument(
        "--region",
        choices=[r.cli_name for r in Region],
        help="whose bank holidays (default england-and-wales)",
    )
    plan.add_argument(
        "--on-holiday",
        choices=[r.cli_name for r in OnHoliday],
        help="a meeting on a bank holiday moves to the next working day (default) or is skipped",
    )
    plan.add_argument(
        "--anchor",
        metavar="DATE",
        type=_date,
        help="fortnightly / every-N-weeks: the panel's first meeting date",
    )
    plan.set_defaults(func=cmd_meetings_plan)
