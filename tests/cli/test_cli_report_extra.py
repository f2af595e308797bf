"""`report dataset` and `report dip-sample` as a scripting coordinator sees them: one summary
line, the file written once and audited, one line on stderr and exit 2 / 1 on failure.

The commands are registered into a small `report` parser built here the way `cli.build_parser`
builds its commands (the real `report` command registers them the same way)."""

from __future__ import annotations

import argparse
import io
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE
from store_support import cache_key_derivation

from marac_desk import cli
from marac_desk.cli_report_extra import register_dataset_and_dip_sample
from marac_desk.services import audit, meetings
from marac_desk.services.audit import AuditFilter
from marac_desk.services.session import OpenStore, unlock_store
from tests.services.dataset_support import hear, refer
from tests.services.meeting_support import make_panel


def _parser() -> argparse.ArgumentParser:
    parser = cli._Parser(prog="marac-desk")
    parser.add_argument("--store", metavar="PATH")
    parser.add_argument("--user", metavar="NAME")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--demo-if-no-store", action="store_true")
    common = cli._Parser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS)
    common.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS)

    def command(subparsers: Any, name: str, **kw: str) -> cli._Parser:
        made: cli._Parser = subparsers.add_parser(name, parents=[common], **kw)
        return made

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=cli._Parser)
    report = command(sub, "report", help="reports")
    report_sub = report.add_subparsers(
        dest="report_command", metavar="dataset|dip-sample", required=True, parser_class=cli._Parser
    )
    register_dataset_and_dip_sample(report_sub, command)
    return parser


@pytest.fixture(autouse=True)
def _setup(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)
    monkeypatch.setattr(cli, "build_parser", _parser)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def store(open_store: OpenStore) -> Path:
    """Six cases heard in April 2026 (one a joint Police/IDVA referral); none in May."""
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store)
    for day in (date(2026, 4, 8), date(2026, 4, 15)):
        mid = meetings.add_meeting(s, a, pid, day)
        for i in range(3):
            joint = "IDVA" if (day.day, i) == (8, 0) else ""
            hear(open_store, mid, refer(open_store, date(2026, 3, 10 + i), joint=joint))
    path = open_store.store.path
    open_store.lock()
    return path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], store: Path):  # type: ignore[no-untyped-def]
    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(["--store", str(store), "report", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def _exports(store: Path, entity: str) -> list[str]:
    opened = unlock_store(store, PASSPHRASE)
    try:
        events = audit.list_events(opened, AuditFilter(action="export", entity=entity))
        return [e.description for e in events]
    finally:
        opened.close()


def test_dataset_writes_the_return_once_and_audits_it(
    run: Any, store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "q1.csv"
    code, stdout, err = run("dataset", "--period", "Q1 2026/27", "--out", str(out))
    assert (code, err) == (0, "")
    assert (
        stdout == f"Wrote the national return for Q1 2026/27: 2 meetings, 6 cases heard, to {out}\n"
    )
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[0].startswith("panel,meeting_date,cases_heard,")
    assert ",2.5,0.5," in lines[1]  # Police 2.5, IDVA 0.5
    assert out.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert len(_exports(store, "national_return")) == 1

    before = out.read_bytes()
    code, _, err = run("dataset", "--from", "2026-04-01", "--to", "2026-04-30", "--out", str(out))
    assert code == 1 and err.count("\n") == 1 and "already exists" in err
    assert out.read_bytes() == before
    assert len(_exports(store, "national_return")) == 1

    xlsx = tmp_path / "april.xlsx"
    code, stdout, _ = run(
        "dataset", "--from", "2026-04-01", "--to", "2026-04-30", "--panel", "Northtown MARAC",
        "--out", str(xlsx),
    )  # fmt: skip
    assert code == 0 and "1 Apr 2026 – 30 Apr 2026: 2 meetings" in stdout and xlsx.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-04-30", "--to", "2026-04-01", "--out", "x.csv"], "is after --to"),
        (["--period", "Q5 2026/27", "--out", "x.csv"], "There is no Q5"),
        (["--period", "Q1 2026/27", "--from", "2026-04-01", "--out", "x.csv"], "not both"),
        (["--from", "2026-04-01", "--out", "x.csv"], "Give the period"),
        (["--period", "Q1 2026/27", "--out", "x.pdf"], ".csv or .xlsx"),
        (["--from", "1 April", "--to", "2026-04-30", "--out", "x.csv"], "not a date"),
    ],
)
def test_dataset_usage_errors_exit_2_with_one_line(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run("dataset", *argv)
    assert (code, stdout) == (2, "")
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == [tmp_path / "stores"]


def test_an_unknown_panel_is_one_line_and_no_file(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    code, _, err = run("dataset", "--period", "Q1 2026/27", "--panel", "Nowhere", "--out", str(out))
    assert code == 1 and err == "marac-desk: This store has no panel called 'Nowhere'.\n"
    assert not out.exists()


def test_dip_sample_prints_the_seed_and_redraws_the_same_cases(
    run: Any, store: Path, tmp_path: Path
) -> None:
    first = tmp_path / "a.pdf"
    code, stdout, err = run("dip-sample", "--period", "Q1 2026/27", "--n", "4", "--out", str(first))
    assert (code, err) == (0, "")
    found = re.fullmatch(
        r"Sampled 4 of 6 cases heard in Q1 2026/27, seed (\d+): checklist written to (.+)\n",
        stdout,
    )
    assert found is not None and found.group(2) == str(first)
    assert first.read_bytes().startswith(b"%PDF")
    seed = found.group(1)

    again = tmp_path / "b.pdf"
    code, stdout, _ = run(
        "dip-sample", "--from", "2026-04-01", "--to", "2026-06-30", "--n", "4", "--seed", seed,
        "--out", str(again),
    )  # fmt: skip
    assert code == 0 and f"seed {seed}:" in stdout
    one, two = (d.split(f"seed {seed}: ")[1] for d in _exports(store, "dip_sample"))
    assert one == two and one.count("-2026-") == 4  # the same cases, by reference

    everything = tmp_path / "c.pdf"
    code, stdout, _ = run(
        "dip-sample", "--period", "Q1 2026/27", "--n", "10", "--seed", "1", "--out", str(everything)
    )
    assert code == 0
    assert stdout.startswith("Sampled all 6 cases heard (10 were asked for) in Q1 2026/27, seed 1")


def test_dip_sample_failures(run: Any, store: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    code, _, err = run("dip-sample", "--period", "2026-05-01 to 2026-05-31", "--n", "3",
                       "--out", str(out))  # fmt: skip
    assert code == 1 and err.count("\n") == 1 and "No cases were heard" in err
    assert not out.exists()
    for argv, message in (
        (["--n", "0"], "must be at least 1"),
        (["--n", "3", "--seed", "-4"], "must be 0 or more"),
        (["--n", "3", "--out-x", "y"], "--out"),
    ):
        code, _, err = run("dip-sample", "--period", "Q1 2026/27", "--out", str(out), *argv)
        assert code == 2 and message in err and err.count("\n") == 1
    code, _, err = run("dip-sample", "--period", "Q1 2026/27", "--n", "3", "--out", "x.csv")
    assert code == 2 and ".pdf" in err
    assert _exports(store, "dip_sample") == [] and not out.exists()
