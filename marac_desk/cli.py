"""`marac-desk [--store PATH] COMMAND`: the one entry point.

No command opens the GUI. Commands do headless work for coordinators who script their week.
The passphrase comes from MARAC_DESK_PASSPHRASE or a no-echo prompt, never from an argument.
Success exits 0; a failure prints one clear line on stderr and exits non-zero (2 for a usage
error, 1 for anything else), with no traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from marac_desk import APP_NAME, __version__

PASSPHRASE_ENV = "MARAC_DESK_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
NEW_PASSPHRASE_ENV = "MARAC_DESK_NEW_PASSPHRASE"  # noqa: S105
USER_ENV = "MARAC_DESK_USER"

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line; `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


# ----- passphrases ------------------------------------------------------------------------------


def _prompt(label: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(
            f"No passphrase: set {PASSPHRASE_ENV} or run the command in a terminal.", EXIT_USAGE
        )
    try:
        return getpass.getpass(f"{label}: ")
    except (EOFError, KeyboardInterrupt):
        raise CliError("No passphrase was entered.", EXIT_USAGE) from None


def _passphrase(env: str = PASSPHRASE_ENV, label: str = "Passphrase") -> str:
    value = os.environ.get(env)
    if value:
        return value
    return _prompt(label)


def _new_passphrase_pair(env: str, label: str) -> tuple[str, str]:
    """From the environment (taken as confirmed) or typed twice at a prompt."""
    value = os.environ.get(env)
    if value:
        return value, value
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"No passphrase: set {env} or run the command in a terminal.", EXIT_USAGE)
    return _prompt(label), _prompt(f"{label} again")


# ----- opening the store ------------------------------------------------------------------------


def _store_path(args: argparse.Namespace) -> Path:
    from marac_desk.services.paths import AppPaths

    return Path(args.store).expanduser() if args.store else AppPaths.default().default_store


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Unlock the store and sign in the chosen profile; returns an OpenStore."""
    from marac_desk.db.store import Store
    from marac_desk.services import session, users

    path = _store_path(args)
    if not path.exists():
        raise CliError(f"There is no store at {path}. Create one with 'marac-desk init'.")
    store: Store = session.unlock_store(path, _passphrase(), wait=True)
    try:
        profiles = users.list_profiles(store)
        wanted = args.user or os.environ.get(USER_ENV)
        if wanted:
            chosen = [p for p in profiles if p.name == users.clean_name(wanted)]
            if not chosen:
                raise CliError("No active user profile has that name in this store.")
        elif len(profiles) == 1:
            chosen = list(profiles)
        else:
            raise CliError(
                f"This store has several user profiles: name yours with --user or {USER_ENV}.",
                EXIT_USAGE,
            )
        return session.sign_in(store, chosen[0])
    except BaseException:
        store.close()
        raise


def _with_store(run: Callable[..., int]) -> Callable[[argparse.Namespace], int]:
    def wrapper(args: argparse.Namespace) -> int:
        opened = _open(args)
        try:
            return run(args, opened)
        finally:
            opened.lock("command finished")

    return wrapper


# ----- commands ---------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from marac_desk.services import session

    path = _store_path(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    first, second = _new_passphrase_pair(PASSPHRASE_ENV, "New passphrase")
    opened = session.create_store(
        path,
        first,
        second,
        partnership=args.partnership or "",
        user_name=args.user or os.environ.get(USER_ENV) or "Coordinator",
    )
    opened.lock("store created")
    print(f"Created an encrypted store at {path}")
    return EXIT_OK


@_with_store
def cmd_check(args: argparse.Namespace, opened) -> int:  # type: ignore[no-untyped-def]
    from marac_desk.services import audit

    report = opened.store.integrity_check()
    verdict = audit.verify(opened.store)
    if report.ok:
        print("Store integrity: ok")
    else:
        for problem in report.problems:
            print(f"Store integrity: {problem}")
    if verdict.ok:
        print(f"Audit trail: ok ({verdict.events_checked} events)")
    else:
        print(f"Audit trail: FAILED: {verdict.problem}")
    if not (report.ok and verdict.ok):
        raise CliError("The store failed its check; restore from a backup or seek support.")
    return EXIT_OK


@_with_store
def cmd_backup(args: argparse.Namespace, opened) -> int:  # type: ignore[no-untyped-def]
    from marac_desk.services import audit

    out = Path(args.out).expanduser()
    written = opened.store.backup_to(out)
    with opened.store.write() as s:
        audit.record(s, opened.actor, "backup", "store", "", "encrypted backup written")
    print(f"Backup written and verified: {written}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from marac_desk.db.store import restore_backup
    from marac_desk.services import session

    path = _store_path(args)
    backup_passphrase = _passphrase(label="Passphrase of the backup")
    aside = restore_backup(path, Path(args.file).expanduser(), backup_passphrase)
    # Record the restore in the restored store's own trail, signed by the profile named or the
    # only one there; restore succeeds even if no profile can be chosen.
    store = session.unlock_store(path, backup_passphrase, wait=True)
    try:
        from marac_desk.services import audit, users
        from marac_desk.services.context import SYSTEM

        profiles = users.list_profiles(store)
        wanted = args.user or os.environ.get(USER_ENV)
        actor = next((p.actor for p in profiles if wanted and p.name == wanted), None)
        if actor is None:
            actor = profiles[0].actor if len(profiles) == 1 else SYSTEM
        with store.write() as s:
            audit.record(s, actor, "restore", "store", "", "store restored from a backup")
    finally:
        store.close()
    print(f"Restored. The previous store was kept at {aside}" if aside else "Restored.")
    return EXIT_OK


@_with_store
def cmd_change_passphrase(args: argparse.Namespace, opened) -> int:  # type: ignore[no-untyped-def]
    from marac_desk.services import audit
    from marac_desk.services.session import check_new_passphrase

    first, second = _new_passphrase_pair(NEW_PASSPHRASE_ENV, "New passphrase")
    check_new_passphrase(first, second)
    safety = opened.store.change_passphrase(first)
    with opened.store.write() as s:
        audit.record(s, opened.actor, "rekey", "store", "", "passphrase changed")
    print("Passphrase changed.")
    print(f"A safety copy under the old passphrase is at {safety}; delete it once you are sure.")
    return EXIT_OK


@_with_store
def cmd_demo_data(args: argparse.Namespace, opened) -> int:  # type: ignore[no-untyped-def]
    from marac_desk.services import demo

    summary = demo.generate_demo_data(opened, referrals=args.referrals, seed=args.seed)
    print(summary.describe())
    return EXIT_OK


@_with_store
def cmd_audit_verify(args: argparse.Namespace, opened) -> int:  # type: ignore[no-untyped-def]
    from marac_desk.services import audit

    verdict = audit.verify(opened.store)
    if not verdict.ok:
        raise CliError(f"Audit trail FAILED verification: {verdict.problem}.")
    print(f"Audit trail verified: {verdict.events_checked} events, chain intact.")
    return EXIT_OK


@_with_store
def cmd_audit_list(args: argparse.Namespace, opened) -> int:  # type: ignore[no-untyped-def]
    from marac_desk.services import audit

    flt = audit.AuditFilter(
        action=args.action, entity=args.entity, since=args.since, until=args.until
    )
    # --limit N keeps the newest N events (as `tail` would), still printed oldest first.
    newest = audit.list_events(opened.store, flt, limit=args.limit, newest_first=True)
    events = tuple(reversed(newest))
    print("seq\toccurred_at_utc\tactor\taction\tentity\tentity_id\tdescription")
    for ev in events:
        when = ev.occurred_at.isoformat(timespec="seconds")
        fields = (str(ev.seq), when, ev.actor, ev.action, ev.entity, ev.entity_id, ev.description)
        print("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields))
    return EXIT_OK


_TABLE_SUFFIXES = (".csv", ".xlsx")


def _table_path(text: str, option: str) -> Path:
    """A CSV or XLSX file to write, in a folder that exists (checked before any work)."""
    path = Path(text).expanduser()
    if path.suffix.lower() not in _TABLE_SUFFIXES:
        raise CliError(f"{option} must name a .csv or .xlsx file.", EXIT_USAGE)
    if not path.parent.is_dir():
        raise CliError(f"The folder for {option} does not exist: {path.parent}", EXIT_USAGE)
    return path


def cmd_import_referrals(args: argparse.Namespace) -> int:
    from marac_desk.core.import_rules import MappingError
    from marac_desk.services import imports

    source = Path(args.file).expanduser()
    if not source.is_file():
        raise CliError(f"There is no file to import at {source}.")
    rejects = _table_path(args.skip_invalid, "--skip-invalid") if args.skip_invalid else None
    if rejects is not None and rejects.resolve() == source.resolve():
        raise CliError(
            "--skip-invalid must name a new file, not the file being imported.", EXIT_USAGE
        )
    mapping = None
    if args.mapping:
        try:
            mapping = imports.load_mapping(Path(args.mapping).expanduser())
        except MappingError as exc:
            raise CliError(f"The mapping file is wrong: {exc}.") from None
    opened = _open(args)
    try:
        try:
            result = imports.import_referrals(
                opened.store,
                opened.actor,
                source,
                today=date.today(),
                mapping=mapping,
                skip_invalid=rejects is not None,
                dry_run=args.dry_run,
            )
        except imports.ImportFileError as exc:
            raise CliError(f"Nothing was imported: {exc}") from None
        except imports.ImportRejected as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(exc.result.summary())
            advice = (
                "Correct the header row (or use --mapping)."
                if exc.result.header_wrong
                else "Fix them, or use --skip-invalid FILE to import the valid rows."
            )
            raise CliError(f"{exc} {advice}") from None
    finally:
        opened.lock("command finished")
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if rejects is not None and not args.dry_run:
        try:
            written = imports.write_rejects(rejects, result)
        except OSError as exc:
            raise CliError(
                f"The import was saved, but the rejects file could not be written ({exc.strerror})."
            ) from None
        rows = "row" if written == 1 else "rows"
        print(f"{written} rejected {rows}, with the reasons, written to {rejects}")
    print(result.summary())
    return EXIT_OK


@_with_store
def cmd_export_referrals(args: argparse.Namespace, opened) -> int:  # type: ignore[no-untyped-def]
    from marac_desk.services import imports

    out = _table_path(args.out, "--out")
    if out.exists():
        raise CliError(f"A file already exists at {out}: choose another name or remove it first.")
    count = imports.export_referrals(opened.store, opened.actor, out)
    print(f"Exported {count} {'referral' if count == 1 else 'referrals'} to {out}")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from marac_desk.ui.app import run_gui

    return run_gui(
        store_path=Path(args.store).expanduser() if args.store else None,
        demo=args.demo,
        demo_if_no_store=args.demo_if_no_store,
    )


IMPORT_DESCRIPTION = """\
Import referrals from a spreadsheet: one row per referral, a header row naming the columns (in
any order; case, spaces and hyphens in names do not matter). Nothing is imported unless every row
is valid: each problem is printed as 'line N, column C: what is wrong'. Rows already imported
(same external_ref, or same date, agency, victim and perpetrators) are skipped.

columns: external_ref, referral_date, referring_agency, victim_first_name, victim_last_name,
  victim_dob, victim_gender, victim_ethnicity, victim_lgbt, victim_disability, victim_address,
  victim_postcode, perpetrator_first_name, perpetrator_last_name, perpetrator_dob,
  perpetrator_gender, relationship, children_in_household, criteria, risk_score, heard_on;
  more perpetrators: perpetrator2_first_name … relationship2 (3, 4 …); optional:
  professional_judgement_reason, police_incidents_12m. Required: referral_date,
  referring_agency and a victim name. Dates YYYY-MM-DD or DD/MM/YYYY; two agencies joined by ';'
  for a joint referral; criteria ';'-separated from visible_high_risk, professional_judgement,
  potential_escalation, repeat; children_in_household a number (0 = none), yes, no or blank.
"""
IMPORT_EPILOG = """\
mapping file (--mapping): CSV, one 'column,canonical' pair a line (an optional first line
'column,canonical' is a header), or a JSON object {"Your column": "canonical"}. Map a column to
'ignore' to leave it out. Example CSV:
  column,canonical
  Date received,referral_date
  Referrer,referring_agency
  Notes,ignore
"""


# ----- parser -----------------------------------------------------------------------------------


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-04-01") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


_UNRECOGNIZED = "unrecognized arguments: "
_OPTION_NAME = re.compile(r"--[a-z][a-z0-9-]{0,30}")


def _without_values(message: str) -> str:
    """argparse repeats unrecognised arguments back, values and all: someone who tries
    `--passphrase SECRET` or `marac-desk 'my secret'` must not see the secret echoed into a
    terminal log. Keep only what looks like a long option's name (`--limt`), never a value or
    anything after '=', and never the word given in place of a command."""
    if ": invalid choice: " in message:
        where, _, rest = message.partition(": invalid choice: ")
        choices = rest[rest.find("(choose from") :] if "(choose from" in rest else ""
        return f"{where}: not a known choice {choices}".rstrip()
    if not message.startswith(_UNRECOGNIZED):
        return message
    words = message[len(_UNRECOGNIZED) :].split()
    names = (w.split("=", 1)[0] for w in words)
    options = [n for n in names if _OPTION_NAME.fullmatch(n)]
    if not options:
        return "unexpected extra arguments (not repeated here)"
    return _UNRECOGNIZED + " ".join(options) + " (values not repeated here)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{_without_values(message)} (see '{self.prog} --help')", EXIT_USAGE)


def _add_spreadsheet_commands(sub: argparse._SubParsersAction, command: Any) -> Any:  # type: ignore[type-arg]
    """`import referrals` and `export referrals`; returns the `export` sub-commands, which the
    document exports (cli_export) join."""
    p = command(sub, "import", help="import from a spreadsheet (CSV or XLSX)")
    import_sub = p.add_subparsers(
        dest="import_command", metavar="referrals", required=True, parser_class=_Parser
    )
    i = command(
        import_sub,
        "referrals",
        help="import referrals from a CSV or XLSX file, all or nothing",
        description=IMPORT_DESCRIPTION,
        epilog=IMPORT_EPILOG,
    )
    i.formatter_class = argparse.RawDescriptionHelpFormatter
    i.add_argument("file", metavar="FILE", help="a .csv (UTF-8, with or without BOM) or .xlsx file")
    i.add_argument(
        "--mapping",
        metavar="FILE",
        help="your column names → ours: CSV lines 'column,canonical' or a JSON object",
    )
    i.add_argument(
        "--skip-invalid",
        metavar="REJECTS_FILE",
        help="import the valid rows; write the others, with the reason, to this .csv/.xlsx",
    )
    i.add_argument(
        "--dry-run", action="store_true", help="check and count only; nothing is written"
    )
    i.set_defaults(func=cmd_import_referrals)

    p = command(sub, "export", help="export documents and spreadsheets (audited)")
    export_sub = p.add_subparsers(
        dest="export_command",
        metavar="referrals|minutes|actions|agenda|calendar",
        required=True,
        parser_class=_Parser,
    )
    e = command(
        export_sub, "referrals", help="write every referral to a .csv or .xlsx file (audited)"
    )
    e.add_argument("--out", metavar="FILE", required=True, help="a new .csv or .xlsx file")
    e.set_defaults(func=cmd_export_referrals)
    return export_sub


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="marac-desk",
        description=f"{APP_NAME}: encrypted, offline case management for MARAC panels. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--store", metavar="PATH", help="the store file (default: user data dir)")
    parser.add_argument(
        "--user", metavar="NAME", help=f"user profile to act as (or set {USER_ENV})"
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a throwaway demo store"
    )
    parser.add_argument(
        "--demo-if-no-store",
        action="store_true",
        help="open the demo store when no store exists yet, otherwise the real one",
    )
    # --store and --user are accepted after the command too (`marac-desk init --user Sam`).
    common = _Parser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS)
    common.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS)

    def command(subparsers: argparse._SubParsersAction, name: str, **kw: str) -> _Parser:  # type: ignore[type-arg]
        made: _Parser = subparsers.add_parser(name, parents=[common], **kw)
        return made

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = command(sub, "init", help="create a new encrypted store")
    p.add_argument("--partnership", metavar="NAME", default="", help="partnership name")
    p.set_defaults(func=cmd_init)

    p = command(sub, "check", help="check the store's integrity and its audit chain")
    p.set_defaults(func=cmd_check)

    p = command(sub, "backup", help="write a verified, encrypted backup")
    p.add_argument("--out", metavar="FILE", required=True)
    p.set_defaults(func=cmd_backup)

    p = command(sub, "restore", help="replace the store with a backup (the old one is kept)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)

    p = command(
        sub, "change-passphrase", help=f"change the passphrase (new one from {NEW_PASSPHRASE_ENV})"
    )
    p.set_defaults(func=cmd_change_passphrase)

    p = command(sub, "demo-data", help="fill the store with synthetic demo data")
    p.add_argument("--referrals", type=_positive, required=True, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.set_defaults(func=cmd_demo_data)

    p = command(sub, "audit", help="the audit trail")
    audit_sub = p.add_subparsers(
        dest="audit_command", metavar="verify|list", required=True, parser_class=_Parser
    )
    a = command(audit_sub, "verify", help="check the hash chain for edits and deletions")
    a.set_defaults(func=cmd_audit_verify)
    a = command(audit_sub, "list", help="print events, oldest first, tab-separated")
    a.add_argument(
        "--limit", type=_positive, default=None, metavar="N", help="only the newest N events"
    )
    a.add_argument("--action")
    a.add_argument("--entity")
    a.add_argument("--since", type=_iso_date, metavar="DATE")
    a.add_argument("--until", type=_iso_date, metavar="DATE")
    a.set_defaults(func=cmd_audit_list)

    export_sub = _add_spreadsheet_commands(sub, command)
    from marac_desk import cli_export

    cli_export.register_exports(export_sub, command)
    cli_export.register(sub, command)
    from marac_desk import cli_forms  # jsonschema loads only when a command needs it

    cli_forms.register(sub, command)
    from marac_desk import cli_meetings

    cli_meetings.register(sub, command)
    from marac_desk import cli_reports

    cli_reports.register(sub, command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 - one exit per failure kind
    from marac_desk.db.errors import StoreError

    try:
        args = build_parser().parse_args(argv)
        func = getattr(args, "func", None)
        if func is None:
            return cmd_gui(args)
        if args.demo or args.demo_if_no_store:
            raise CliError("--demo opens the app; it does not go with a command.", EXIT_USAGE)
        return int(func(args))
    except CliError as exc:
        print(f"marac-desk: {exc}", file=sys.stderr)
        return exc.code
    except (StoreError, ValueError) as exc:
        print(f"marac-desk: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("marac-desk: interrupted.", file=sys.stderr)
        return 130
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except Exception as exc:
        # No traceback and no message text: it could carry data from the store.
        print(
            f"marac-desk: unexpected error ({type(exc).__name__}); nothing more is shown "
            "so that no case data reaches the terminal.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
