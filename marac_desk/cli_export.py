"""`marac-desk export minutes|actions|agenda|calendar` and `marac-desk minutes approve|versions`.

    export minutes  --meeting DATE|ID --out FILE.pdf [--draft] [--version N]
    export actions  [--meeting DATE|ID] [--agency NAME] --out FILE.pdf|DIR|FILE.csv|FILE.xlsx
                    [--identify case_ref|initials|name_dob] [--password-env VAR]
    export agenda   --meeting DATE|ID --out FILE.pdf|FILE.csv|FILE.xlsx [--password-env VAR]
    export calendar --out FILE.ics [--from DATE] [--to DATE]
    minutes approve --meeting DATE|ID --by NAME [--on DATE]
    minutes versions --meeting DATE|ID

A meeting given by date must exist and be unique (`--panel NAME` chooses among panels). With no
`--meeting`, `export actions` covers every open action. With no `--agency` and a folder, one PDF
per agency, named after the agency. Passwords come only from the environment variable named by
`--password-env`, never from an argument. Existing files are never overwritten, and a set of
agency files is written all or nothing. Every export is recorded in the audit trail.

Registered into the main parser by `cli.build_parser` through `register`.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path
from typing import Any

EXIT_OK = 0
PDF, CSV, XLSX, ICS = ".pdf", ".csv", ".xlsx", ".ics"


def _cli() -> Any:
    from marac_desk import cli

    return cli


def _fail(message: str, usage: bool = False) -> Exception:
    cli = _cli()
    return cli.CliError(message, cli.EXIT_USAGE if usage else cli.EXIT_FAILURE)


def _out_file(text: str, suffixes: tuple[str, ...]) -> Path:
    path = Path(text).expanduser()
    if path.suffix.lower() not in suffixes:
        raise _fail(f"--out must name a {' or '.join(suffixes)} file.", usage=True)
    if not path.parent.is_dir():
        raise _fail(f"The folder for --out does not exist: {path.parent}", usage=True)
    if path.exists():
        raise _fail(f"A file already exists at {path}: choose another name or remove it first.")
    return path


def _password(args: argparse.Namespace) -> str | None:
    name = getattr(args, "password_env", None)
    if not name:
        return None
    value = os.environ.get(name, "")
    if not value:
        raise _fail(f"--password-env names {name}, which is not set or is empty.", usage=True)
    return value


def _meeting(opened: Any, args: argparse.Namespace) -> Any:
    from marac_desk.services import meetings, panels

    try:
        return meetings.find_meeting(opened.store, args.meeting, args.panel)
    except (meetings.MeetingError, panels.PanelNotFound) as exc:
        raise _fail(str(exc)) from None


def _now() -> Any:
    from datetime import datetime

    return datetime.now().replace(microsecond=0)


def _write(path: Path, data: bytes) -> None:
    """Write a new file (never over one that appeared since `_out_file` looked)."""
    from marac_desk.export.files import FileClash, write_new

    try:
        write_new(path, data)
    except FileClash as exc:
        raise _fail(str(exc)) from None


# ----- commands ---------------------------------------------------------------------------------


def cmd_export_minutes(args: argparse.Namespace, opened: Any) -> int:
    from marac_desk.export.pdf import encrypt_pdf
    from marac_desk.services import documents, minutes

    out = _out_file(args.out, (PDF,))
    password = _password(args)
    meeting = _meeting(opened, args)
    if args.draft and args.version is not None:
        raise _fail("--draft and --version cannot go together.", usage=True)
    try:
        if args.draft:
            data = minutes.draft(
                opened.store,
                opened.actor,
                meeting.id,
                generated_at=_now(),
                marking=documents.protective_marking(opened.store),
            )
        else:
            data = minutes.approved(opened.store, opened.actor, meeting.id, args.version)
    except minutes.MinutesError as exc:
        raise _fail(str(exc)) from None
    _write(out, encrypt_pdf(data, password) if password else data)
    kind = "draft minutes" if args.draft else "approved minutes"
    print(f"Wrote the {kind} of {meeting.panel}, {meeting.meeting_date} to {out}")
    return EXIT_OK


def cmd_minutes_approve(args: argparse.Namespace, opened: Any) -> int:
    from marac_desk.services import documents, minutes

    meeting = _meeting(opened, args)
    try:
        version = minutes.approve(
            opened.store,
            opened.actor,
            meeting.id,
            approved_by=args.by,
            on=args.on or date.today(),
            marking=documents.protective_marking(opened.store),
        )
    except minutes.MinutesError as exc:
        raise _fail(str(exc)) from None
    print(f"Minutes of {meeting.panel}, {meeting.meeting_date}: version {version} approved")
    return EXIT_OK


def cmd_minutes_versions(args: argparse.Namespace, opened: Any) -> int:
    from marac_desk.services import minutes

    meeting = _meeting(opened, args)
    print("version\tapproved_by\tapproved_at\tcurrent")
    for v in minutes.state(opened.store, meeting.id).versions:
        at = v.approved_at.isoformat(sep=" ", timespec="minutes") if v.approved_at else ""
        print(f"{v.version}\t{v.approved_by}\t{at}\t{'yes' if v.current else 'no'}")
    return EXIT_OK


def _identify(args: argparse.Namespace, opened: Any) -> str:
    from marac_desk.services import settings

    return str(args.identify or settings.get(opened.store, "action_list_identify"))


def cmd_export_actions(args: argparse.Namespace, opened: Any) -> int:
    suffix = Path(args.out).expanduser().suffix.lower()
    meeting_id = _meeting(opened, args).id if args.meeting else None
    if suffix in (CSV, XLSX):
        return _export_actions_table(args, opened, meeting_id)
    if suffix and suffix != PDF:
        raise _fail("--out must be a .pdf, .csv or .xlsx file, or a folder.", usage=True)
    return _export_action_lists(args, opened, meeting_id)


def _export_actions_table(args: argparse.Namespace, opened: Any, meeting_id: int | None) -> int:
    from marac_desk.services import disclosures

    if args.password_env:
        raise _fail("--password-env protects PDF files only.", usage=True)
    out = _out_file(args.out, (CSV, XLSX))
    data = disclosures.actions_table(
        opened.store,
        opened.actor,
        meeting_id=meeting_id,
        agency=args.agency,
        fmt=out.suffix.lower()[1:],
        generated_at=_now(),
    )
    _write(out, data)
    print(f"Wrote the actions to {out}")
    return EXIT_OK


def _export_action_lists(args: argparse.Namespace, opened: Any, meeting_id: int | None) -> int:
    """One PDF for --agency, or one per agency into a folder: checked, then written all or
    nothing (no file is written if any would overwrite one)."""
    from marac_desk.services import disclosures, documents

    target = Path(args.out).expanduser()
    one_file = target.suffix.lower() == PDF
    if one_file and args.agency is None:
        raise _fail(
            "One PDF holds one agency's actions: give --agency, or a folder for one file per "
            "agency.",
            usage=True,
        )
    if one_file:
        _out_file(args.out, (PDF,))
    elif target.exists() and not target.is_dir():
        raise _fail(f"{target} is a file, not a folder.", usage=True)
    password = _password(args)
    identify = _identify(args, opened)
    try:
        if one_file:
            made = disclosures.agency_action_lists(
                opened.store,
                opened.actor,
                meeting_id=meeting_id,
                agency=args.agency,
                identify=identify,  # type: ignore[arg-type]
                password=password,
                generated_at=_now(),
                marking=documents.protective_marking(opened.store),
            )
            _write(target, made[0].data)
            written = [disclosures.Written(target, f.agency, f.actions) for f in made]
        else:
            target.mkdir(mode=0o700, parents=True, exist_ok=True)
            written = list(
                disclosures.write_agency_lists(
                    opened.store,
                    opened.actor,
                    target,
                    meeting_id=meeting_id,
                    agencies=None if args.agency is None else [args.agency],
                    identify=identify,  # type: ignore[arg-type]
                    password=password,
                    generated_at=_now(),
                    marking=documents.protective_marking(opened.store),
                )
            )
    except disclosures.DisclosureError as exc:
        raise _fail(str(exc), usage=True) from None
    except disclosures.FileClash as exc:
        raise _fail(str(exc)) from None
    for w in written:
        print(f"{w.what}\t{w.actions}\t{w.path}")
    if not written:
        print("No agency has actions to send: nothing was written.")
    return EXIT_OK


def cmd_export_agenda(args: argparse.Namespace, opened: Any) -> int:
    from marac_desk.services import disclosures, documents

    out = _out_file(args.out, (PDF, CSV, XLSX))
    fmt = out.suffix.lower()[1:]
    password = _password(args)
    if password and fmt != "pdf":
        raise _fail("--password-env protects PDF files only.", usage=True)
    meeting = _meeting(opened, args)
    data = disclosures.agenda_file(
        opened.store,
        opened.actor,
        meeting.id,
        fmt=fmt,
        generated_at=_now(),
        marking=documents.protective_marking(opened.store),
        password=password,
    )
    _write(out, data)
    print(f"Wrote the case list of {meeting.panel}, {meeting.meeting_date} to {out}")
    return EXIT_OK


def cmd_export_calendar(args: argparse.Namespace, opened: Any) -> int:
    from marac_desk.services import disclosures

    out = _out_file(args.out, (ICS,))
    if args.start and args.end and args.start > args.end:
        raise _fail(f"--from ({args.start}) is after --to ({args.end}).", usage=True)
    data = disclosures.calendar_file(
        opened.store, opened.actor, generated_at=_now(), start=args.start, end=args.end
    )
    _write(out, data)
    print(f"Wrote the calendar to {out}")
    return EXIT_OK


# ----- the parser -------------------------------------------------------------------------------


def _meeting_options(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument(
        "--meeting",
        metavar="DATE|ID",
        required=required,
        help="the meeting: its date (YYYY-MM-DD) or its id",
    )
    p.add_argument("--panel", metavar="NAME", help="the panel, when several meet on that date")


def _password_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--password-env",
        metavar="VAR",
        help="protect the PDF with AES-256, the password read from this environment variable",
    )


def register_exports(export_sub: Any, command: Any) -> None:
    """The document exports, beside `export referrals`."""
    cli = _cli()
    with_store = cli._with_store

    p = command(export_sub, "minutes", help="the minutes of a meeting as PDF (audited)")
    _meeting_options(p)
    p.add_argument("--out", metavar="FILE.pdf", required=True)
    p.add_argument("--draft", action="store_true", help="the minutes as they stand, marked DRAFT")
    p.add_argument("--version", type=cli._positive, metavar="N", help="an earlier approved version")
    _password_option(p)
    p.set_defaults(func=with_store(cmd_export_minutes))

    p = command(
        export_sub,
        "actions",
        help="agency action lists (PDF, one per agency into a folder) or the actions CSV/XLSX",
    )
    _meeting_options(p, required=False)
    p.add_argument("--agency", metavar="NAME", help="only this agency's actions")
    p.add_argument("--out", metavar="FILE|DIR", required=True)
    p.add_argument(
        "--identify",
        choices=("case_ref", "initials", "name_dob"),
        help="how a list names each case (default: the store's setting)",
    )
    _password_option(p)
    p.set_defaults(func=with_store(cmd_export_actions))

    p = command(export_sub, "agenda", help="the case list for circulation (PDF, CSV or XLSX)")
    _meeting_options(p)
    p.add_argument("--out", metavar="FILE", required=True)
    _password_option(p)
    p.set_defaults(func=with_store(cmd_export_agenda))

    p = command(export_sub, "calendar", help="meetings and action due dates as iCalendar")
    p.add_argument("--out", metavar="FILE.ics", required=True)
    p.add_argument("--from", dest="start", type=cli._iso_date, metavar="DATE")
    p.add_argument("--to", dest="end", type=cli._iso_date, metavar="DATE")
    p.set_defaults(func=with_store(cmd_export_calendar))


def register(sub: Any, command: Any) -> None:
    """`minutes approve|versions`."""
    cli = _cli()
    p = command(sub, "minutes", help="approve the minutes of a meeting; list their versions")
    minutes_sub = p.add_subparsers(
        dest="minutes_command",
        metavar="approve|versions",
        required=True,
        parser_class=cli._Parser,
    )
    a = command(minutes_sub, "approve", help="approve the minutes as they stand (a new version)")
    _meeting_options(a)
    a.add_argument("--by", metavar="NAME", required=True, help="who approved them (the chair)")
    a.add_argument("--on", type=cli._iso_date, metavar="DATE", help="the day (default today)")
    a.set_defaults(func=cli._with_store(cmd_minutes_approve))
    v = command(minutes_sub, "versions", help="the approved versions, tab-separated")
    _meeting_options(v)
    v.set_defaults(func=cli._with_store(cmd_minutes_versions))
