"""`marac-desk import referrals` and `export referrals`, as a scripting coordinator sees them."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import PASSPHRASE
from store_support import assert_one_line_error, cache_key_derivation, raw_query

from marac_desk import cli
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.session import OpenStore

HEADER = [
    "external_ref",
    "referral_date",
    "referring_agency",
    "victim_first_name",
    "victim_last_name",
    "victim_dob",
    "perpetrator_first_name",
    "perpetrator_last_name",
    "perpetrator_dob",
    "criteria",
    "risk_score",
    "heard_on",
]
ROWS = [
    ["", "2024-09-01", "Police", "Amira", "Haddad", "1994-05-01", "Karl", "Dunn", "1990-01-01",
     "repeat", "", ""],
    ["PR-1", "01/03/2024", "Police;IDVA", "Amira", "Haddad", "1994-05-01", "Karl", "Dunn",
     "1990-01-01", "visible_high_risk", "16", "2024-03-13"],
    ["", "2024-04-02", "IDVA", "Joanne", "Pickering", "", "", "", "", "", "", "2024-04-10"],
]  # fmt: skip
COUNTS = (
    "SELECT (SELECT count(*) FROM referrals), (SELECT count(*) FROM people), "
    "(SELECT count(*) FROM meetings), (SELECT count(*) FROM meeting_cases)"
)


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)


@pytest.fixture
def store(open_store: OpenStore, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)
    path = open_store.store.path
    open_store.lock()
    return path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], store: Path):  # type: ignore[no-untyped-def]
    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(["--store", str(store), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header or HEADER, *rows])
    return path


def counts(store: Path) -> tuple[int, ...]:
    return raw_query(store, PASSPHRASE, COUNTS)[0]


def events(store: Path, action: str) -> list[str]:
    with Store.unlock(store, PASSPHRASE) as s:
        assert audit.verify(s).ok
        return [e.description for e in audit.list_events(s, audit.AuditFilter(action=action))]


# ----- import ------------------------------------------------------------------------------------


def test_import_prints_one_summary_line(run, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("import", "referrals", str(write_csv(tmp_path / "in.csv", ROWS)))
    assert (code, err) == (0, "")
    assert out == (
        "Imported 3 referrals: 1 repeat, 0 needing review, 0 rejected (0 already imported).\n"
    )
    assert counts(store) == (3, 3, 2, 2)
    assert len(events(store, "import")) == 1
    code, out, _ = run("import", "referrals", str(tmp_path / "in.csv"))
    assert code == 0
    assert out.endswith("0 rejected (3 already imported).\n")
    assert counts(store) == (3, 3, 2, 2)


def test_bad_rows_are_all_reported_and_nothing_is_imported(
    run, store: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    rows = [
        *ROWS,
        ["", "31/02/2024", "Polise", "", "", "", "", "", "", "", "", ""],
        ["", "2024-05-05", "Police", "Zoe", "", "2025-01-01", "", "", "", "vhr", "30", ""],
    ]
    before = counts(store)
    code, out, err = run("import", "referrals", str(write_csv(tmp_path / "in.csv", rows)))
    assert code == 1
    assert out == (
        "Imported 0 referrals: 0 repeats, 0 needing review, 2 rejected (0 already imported).\n"
    )
    lines = err.splitlines()
    assert lines[:-1] == [
        "line 5, column referral_date: '31/02/2024' is not a real date: February 2024 has 29 days.",
        "line 5, column referring_agency: No agency is called 'Polise'; the agencies are: Police, "
        "IDVA, Children's Social Care, Adult Social Care, Primary Care, Acute Trust, Mental "
        "Health, Substance Misuse, Probation, Voluntary Sector, MASH, Education, Housing, Other.",
        "line 5, column victim_first_name: The victim's name is required.",
        "line 6, column victim_dob: The victim's date of birth is after the referral date.",
        "line 6, column criteria: 'vhr' is not a referral criterion: use visible_high_risk, "
        "professional_judgement, potential_escalation, repeat, separated by ';'.",
        "line 6, column risk_score: '30' is out of range: a checklist score is between 0 and 24.",
    ]
    assert lines[-1] == (
        "marac-desk: Nothing was imported: 6 problems on 2 lines. Fix them, or use "
        "--skip-invalid FILE to import the valid rows."
    )
    assert counts(store) == before
    assert events(store, "import") == []


def test_an_unknown_column_points_at_the_header_and_mapping(
    run, store: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "in.csv", [[*r, "x"] for r in ROWS], [*HEADER, "Notes"])
    code, _, err = run("import", "referrals", str(path), "--skip-invalid", str(tmp_path / "r.csv"))
    assert code == 1
    assert err.splitlines() == [
        "line 1, column Notes: Unknown column: rename it to one MARAC Desk knows, map it with "
        "--mapping, or remove it.",
        "marac-desk: Nothing was imported: 1 problem on 1 line. Correct the header row (or use "
        "--mapping).",
    ]
    assert not (tmp_path / "r.csv").exists()
    mapping = tmp_path / "map.csv"
    mapping.write_text("Notes,ignore\n", encoding="utf-8")
    code, out, _ = run("import", "referrals", str(path), "--mapping", str(mapping))
    assert code == 0
    assert out.startswith("Imported 3 referrals")


def test_skip_invalid_writes_the_rejects_with_reasons(run, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [*ROWS, ["", "2024-13-01", "Police", "Zoe", "", "", "", "", "", "", "", ""]]
    rejects = tmp_path / "rejects.xlsx"
    code, out, err = run(
        "import", "referrals", str(write_csv(tmp_path / "in.csv", rows)), "--skip-invalid",
        str(rejects),
    )  # fmt: skip
    assert code == 0
    assert out.splitlines() == [
        f"1 rejected row, with the reasons, written to {rejects}",
        "Imported 3 referrals: 1 repeat, 0 needing review, 1 rejected (0 already imported).",
    ]
    assert err == (
        "line 5, column referral_date: '2024-13-01' is not a real date: there is no month 13.\n"
    )
    sheet = openpyxl.load_workbook(rejects).worksheets[0]
    assert [c.value for c in sheet[1]] == [*HEADER, "source_line", "rejected_reason"]
    assert [c.value for c in sheet[2]][-3:] == [
        None,
        5,
        "column referral_date: '2024-13-01' is not a real date: there is no month 13.",
    ]
    assert counts(store)[0] == 3


def test_dry_run_writes_nothing(run, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = counts(store)
    rejects = tmp_path / "r.csv"
    path = write_csv(tmp_path / "in.csv", ROWS)
    code, out, err = run(
        "import", "referrals", str(path), "--dry-run", "--skip-invalid", str(rejects)
    )
    assert (code, err) == (0, "")
    assert out == (
        "Dry run, nothing was written: 3 referrals would be imported: 1 repeat, 0 needing "
        "review, 0 rejected (0 already imported).\n"
    )
    assert counts(store) == before
    assert not rejects.exists()
    assert events(store, "import") == []


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["import", "referrals", "missing.csv"], 1, "There is no file to import"),
        (["import", "referrals", "IN", "--skip-invalid", "r.txt"], 2, ".csv or .xlsx"),
        (["import", "referrals", "IN", "--skip-invalid", "IN"], 2, "must name a new file"),
        (["import", "referrals", "IN", "--mapping", "nomap.csv"], 1, "mapping file is wrong"),
        (["import", "referrals"], 2, "required: FILE"),
        (["import"], 2, "required: referrals"),
        (["export", "referrals"], 2, "--out"),
        (["export", "referrals", "--out", "x.pdf"], 2, ".csv or .xlsx"),
        (["export", "referrals", "--out", "IN"], 1, "already exists"),
    ],
)
def test_usage_mistakes_are_one_line(  # type: ignore[no-untyped-def]
    run, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv, code, says
) -> None:
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "in.csv", ROWS)
    argv = [str(tmp_path / "in.csv") if a == "IN" else a for a in argv]
    got, out, err = run(*argv)
    assert got == code
    assert out == ""
    assert_one_line_error(err, must_contain=says)
    assert counts(store)[0] == 0


def test_help_explains_the_columns_and_the_mapping_format(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("import", "referrals", "--help")
    assert code == 0
    for words in ("referral_date", "perpetrator2_first_name", "DD/MM/YYYY", "column,canonical",
                  "--skip-invalid REJECTS_FILE", "--dry-run", "ignore"):  # fmt: skip
        assert words in out


# ----- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_writes_a_file_that_imports_again(  # type: ignore[no-untyped-def]
    run, store: Path, tmp_path: Path, suffix: str
) -> None:
    run("import", "referrals", str(write_csv(tmp_path / "in.csv", ROWS)))
    out_file = tmp_path / f"out{suffix}"
    code, out, err = run("export", "referrals", "--out", str(out_file))
    assert (code, err) == (0, "")
    assert out == f"Exported 3 referrals to {out_file}\n"
    assert events(store, "export") == [
        f"referrals exported as {suffix[1:].upper()}: 3 rows, 33 columns"
    ]
    # Back into the same store: every row is recognised; nothing is duplicated.
    code, out, _ = run("import", "referrals", str(out_file))
    assert code == 0
    assert out == (
        "Imported 0 referrals: 0 repeats, 0 needing review, 0 rejected (3 already imported).\n"
    )
    assert counts(store) == (3, 3, 2, 2)
