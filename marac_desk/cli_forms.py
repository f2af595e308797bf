"""`marac-desk forms list|validate|add`: the risk form definitions a store can use.

- `forms list` prints the installed forms, tab-separated with a header row:
  id, version, title, questions (all), scored (questions that count), panels, source
  (shipped | loaded), newest (yes when new assessments use this version).
- `forms validate FILE` checks a definition without opening a store: on success one line on
  stdout; otherwise every problem on stderr, one a line, each naming the file and the question,
  then the usual one-line failure, exit 1.
- `forms add FILE` validates the file first (a bad file never asks for the passphrase), then
  installs it into the store, audited; all or nothing.

Registered into the main parser by `cli.build_parser` through `register`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from marac_desk.core.risk_forms import FormDefinition, iter_problems

EXIT_OK = 0
LIST_HEADER = "id\tversion\ttitle\tquestions\tscored\tpanels\tsource\tnewest"

FORMS_DESCRIPTION = """\
Risk forms are JSON definitions (format 1): id, version, title, panel types, answer options,
sections of questions (our own wording, help text, optional follow-ups), a scoring rule (count
of chosen answers, or points per answer), bands that cover every possible score, and thresholds.
MARAC Desk ships its domestic abuse checklist (with a stalking supplement) and an ASB risk
matrix; a partnership can add its own licensed or local forms. A form id and version never
change once installed: give a changed form a new version number.
"""


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _file(text: str) -> Path:
    from marac_desk.cli import CliError

    path = Path(text).expanduser()
    if not path.is_file():
        raise CliError(f"There is no file at {path}.")
    return path


def _validated(path: Path) -> FormDefinition:
    """The definition in a file, or every problem on stderr and a one-line failure."""
    from marac_desk.cli import CliError
    from marac_desk.services import risk

    try:
        return risk.check_form_file(path)
    except risk.FormRejected as exc:
        for problem in iter_problems(exc.problems):
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        raise CliError(
            f"{path.name} is not a usable risk form ({count} "
            f"{'problem' if count == 1 else 'problems'}); nothing was changed."
        ) from None


def describe(form: FormDefinition) -> str:
    """'marac-desk-checklist version 1: "Title", 34 questions (24 scored); bands …'."""
    bands = ", ".join(b.describe() for b in form.bands)
    scored = len(form.scored_questions)
    return (
        f'{form.form_id} version {form.version}: "{_clean(form.title)}", '
        f"{len(form.questions)} questions ({scored} scored, score 0 to {form.max_score}); "
        f"bands {bands}"
    )


def cmd_forms_list(args: argparse.Namespace, opened: Any) -> int:
    from marac_desk.services import risk

    print(LIST_HEADER)
    for f in risk.list_forms(opened.store):
        fields = (
            f.form_id,
            f.version,
            _clean(f.title),
            str(f.questions),
            str(f.scored_questions),
            ",".join(f.panel_types),
            f.source,
            "yes" if f.newest else "no",
        )
        print("\t".join(fields))
    return EXIT_OK


def cmd_forms_validate(args: argparse.Namespace) -> int:
    path = _file(args.file)
    form = _validated(path)
    print(f"{path.name}: valid. {describe(form)}")
    return EXIT_OK


def cmd_forms_add(args: argparse.Namespace) -> int:
    from marac_desk.cli import CliError, _open
    from marac_desk.services import risk

    path = _file(args.file)
    _validated(path)  # before the passphrase: a bad file changes nothing and asks nothing
    opened = _open(args)
    try:
        try:
            installed = risk.add_form(opened.store, opened.actor, path)
        except risk.FormRejected as exc:
            raise CliError(f"Nothing was installed: {exc}") from None
    finally:
        opened.lock("command finished")
    print(
        f'Installed risk form {installed.form_id} version {installed.version}: "'
        f'{_clean(installed.title)}", {installed.questions} questions.'
    )
    return EXIT_OK


def register(subparsers: Any, command: Any) -> None:
    """Add `forms list|validate|add` to the main parser's sub-commands.

    `command(subparsers, name, **kw)` is cli.build_parser's factory (it adds --store/--user).
    """
    from marac_desk.cli import _with_store

    p = command(
        subparsers,
        "forms",
        help="risk forms: list the installed ones, check or add a definition",
        description=FORMS_DESCRIPTION,
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    forms_sub = p.add_subparsers(
        dest="forms_command",
        metavar="list|validate|add",
        required=True,
        parser_class=type(p),
    )
    f = command(forms_sub, "list", help="print the installed forms, tab-separated")
    f.set_defaults(func=_with_store(cmd_forms_list))
    f = command(
        forms_sub,
        "validate",
        help="check a form definition file (no store needed); exit 1 with the problems",
    )
    f.add_argument("file", metavar="FILE", help="a JSON form definition")
    f.set_defaults(func=cmd_forms_validate)
    f = command(forms_sub, "add", help="validate a form definition and install it in the store")
    f.add_argument("file", metavar="FILE", help="a JSON form definition")
    f.set_defaults(func=cmd_forms_add)
