"""`marac-desk forms list|validate|add`, run in-process: what a coordinator sees in a terminal."""

from __future__ import annotations

import argparse
import copy
import io
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE
from store_support import cache_key_derivation, raw_query

from marac_desk import cli, cli_forms
from marac_desk.core import risk_forms as rf
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def build_parser() -> argparse.ArgumentParser:
    """The main parser's shape (global --store/--user, _Parser errors), with only `forms`."""
    parser = cli._Parser(prog="marac-desk")
    parser.add_argument("--store", metavar="PATH")
    parser.add_argument("--user", metavar="NAME")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=cli._Parser)

    def command(subparsers: Any, name: str, **kw: Any) -> Any:
        return subparsers.add_parser(name, **kw)

    cli_forms.register(sub, command)
    return parser


class Run:
    """Parse and run like cli.main: a CliError becomes one 'marac-desk: …' line and its code."""

    def __init__(self, capsys: pytest.CaptureFixture[str], store: Path) -> None:
        self.capsys = capsys
        self.store = store

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            args = build_parser().parse_args(["--store", str(self.store), *argv])
            code = int(args.func(args))
        except cli.CliError as exc:
            print(f"marac-desk: {exc}", file=sys.stderr)
            code = exc.code
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], store_path: Path, no_tty: None) -> Run:
    return Run(capsys, store_path)


@pytest.fixture
def existing(open_store: OpenStore, monkeypatch: pytest.MonkeyPatch, no_tty: None) -> Path:
    """A store made by the app (one profile), closed so the command can open it."""
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)
    path = open_store.store.path
    open_store.lock()
    return path


def shipped_file(name: str = "marac-desk-checklist.json") -> Path:
    return Path(str(resources.files("marac_desk.resources").joinpath("forms", name)))


def write_form(folder: Path, name: str, **changes: Any) -> Path:
    form = next(f for f in rf.shipped_forms() if f.form_id == rf.DA_CHECKLIST_ID)
    d = copy.deepcopy(dict(form.document))
    d.update(changes)
    path = folder / name
    path.write_text(json.dumps(d, indent=2), encoding="utf-8")
    return path


def _events(path: Path) -> list[tuple[str, str, str]]:
    with Store.unlock(path, PASSPHRASE) as store:
        return [(e.action, e.entity, e.entity_id) for e in audit.list_events(store, limit=None)]


# ----- validate ---------------------------------------------------------------------------------


def test_validate_a_good_file_needs_no_store_or_passphrase(run: Run) -> None:
    code, out, err = run("forms", "validate", str(shipped_file()))
    assert (code, err) == (0, "")
    assert out == (
        "marac-desk-checklist.json: valid. marac-desk-checklist version 1: "
        '"Domestic abuse risk checklist (MARAC Desk wording)", 34 questions (24 scored, score 0 '
        "to 24); bands Standard: 0 to 9, Medium: 10 to 13, High: 14 or more\n"
    )
    code, out, _ = run("forms", "validate", str(shipped_file("marac-desk-asb-matrix.json")))
    assert code == 0
    assert "bands Low: 0 to 6, Medium: 7 to 14, High: 15 or more" in out


def test_validate_a_broken_file_lists_every_problem_and_fails(run: Run, tmp_path: Path) -> None:
    form = next(f for f in rf.shipped_forms() if f.form_id == rf.DA_CHECKLIST_ID)
    d = copy.deepcopy(dict(form.document))
    d["sections"][0]["questions"][6]["options"] = ["yes", "maybe"]
    d["bands"][1]["min"] = 11
    path = tmp_path / "checklist.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    code, out, err = run("forms", "validate", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "checklist.json: question q07: answer option 'maybe' is not defined (options)",
        "checklist.json: band medium: a score of 10 falls between bands standard and medium",
        "marac-desk: checklist.json is not a usable risk form (2 problems); nothing was changed.",
    ]


def test_validate_not_json_and_no_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("this is not json", encoding="utf-8")
    code, _, err = run("forms", "validate", str(path))
    assert code == 1
    assert err.splitlines()[0].startswith("notes.json: not valid JSON: ")
    code, _, err = run("forms", "validate", str(tmp_path / "missing.json"))
    assert code == 1
    assert err == f"marac-desk: There is no file at {tmp_path / 'missing.json'}.\n"


def test_forms_needs_a_sub_command(run: Run) -> None:
    code, out, err = run("forms")
    assert (code, out) == (2, "")
    assert err.startswith("marac-desk: ") and len(err.splitlines()) == 1
    code, _, _ = run("forms", "validate")
    assert code == 2


# ----- list and add -----------------------------------------------------------------------------


def test_list_prints_the_installed_forms(run: Run, existing: Path) -> None:
    code, out, err = run("forms", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == cli_forms.LIST_HEADER
    assert [line.split("\t") for line in lines[1:]] == [
        [
            "marac-desk-asb-matrix",
            "1",
            "Anti-social behaviour risk matrix (MARAC Desk)",
            "18",
            "18",
            "community_marac",
            "shipped",
            "yes",
        ],
        [
            "marac-desk-checklist",
            "1",
            "Domestic abuse risk checklist (MARAC Desk wording)",
            "34",
            "24",
            "marac,daily_triage",
            "shipped",
            "yes",
        ],
    ]


def test_add_installs_a_new_version_and_audits_it(run: Run, existing: Path, tmp_path: Path) -> None:
    path = write_form(tmp_path, "northtown.json", version="2", title="Northtown\tchecklist")
    code, out, err = run("forms", "add", str(path))
    assert (code, err) == (0, "")
    assert out == (
        'Installed risk form marac-desk-checklist version 2: "Northtown checklist", 34 questions.\n'
    )
    _, listed, _ = run("forms", "list")
    rows = [line.split("\t") for line in listed.splitlines()[1:]]
    assert [(r[0], r[1], r[6], r[7]) for r in rows] == [
        ("marac-desk-asb-matrix", "1", "shipped", "yes"),
        ("marac-desk-checklist", "1", "shipped", "no"),
        ("marac-desk-checklist", "2", "loaded", "yes"),
    ]
    assert ("import", "risk_form", "marac-desk-checklist 2") in _events(existing)
    assert raw_query(existing, PASSPHRASE, "SELECT form_id, version, source FROM risk_forms") == [
        ("marac-desk-checklist", "2", "loaded")
    ]


def test_add_a_bad_file_changes_nothing_and_asks_for_nothing(
    run: Run, existing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _events(existing)
    path = write_form(tmp_path, "bad.json", version="3", bands=[])
    monkeypatch.delenv("MARAC_DESK_PASSPHRASE")  # a bad file is refused before the passphrase
    code, out, err = run("forms", "add", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "bad.json: bands: [] should be non-empty",
        "marac-desk: bad.json is not a usable risk form (1 problem); nothing was changed.",
    ]
    assert _events(existing) == before
    assert raw_query(existing, PASSPHRASE, "SELECT count(*) FROM risk_forms") == [(0,)]


def test_add_an_installed_version_is_refused(run: Run, existing: Path) -> None:
    code, out, err = run("forms", "add", str(shipped_file()))
    assert (code, out) == (1, "")
    assert err == (
        "marac-desk: Nothing was installed: marac-desk-checklist.json: risk form "
        "marac-desk-checklist version 1 is already installed; a changed form needs a new "
        "version number\n"
    )
    assert raw_query(existing, PASSPHRASE, "SELECT count(*) FROM risk_forms") == [(0,)]


def test_list_without_a_store_says_how_to_make_one(run: Run) -> None:
    code, _, err = run("forms", "list")
    assert code == 1
    assert "There is no store at" in err and "marac-desk init" in err


# ----- wired into the main command --------------------------------------------------------------


def test_main_runs_forms_commands(
    capsys: pytest.CaptureFixture[str], existing: Path, tmp_path: Path
) -> None:
    capsys.readouterr()
    assert cli.main(["--store", str(existing), "forms", "list"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines()[0] == cli_forms.LIST_HEADER
    assert len(out.splitlines()) == 3
    assert cli.main(["forms", "validate", str(shipped_file())]) == 0
    assert "valid." in capsys.readouterr().out
    path = write_form(tmp_path, "v2.json", version="2")
    assert cli.main(["forms", "add", str(path), "--store", str(existing)]) == 0
    assert "Installed risk form marac-desk-checklist version 2" in capsys.readouterr().out
