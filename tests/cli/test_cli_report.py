"""`marac-desk report quarter`, as a coordinator scripting the steering group's papers sees it."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import PARTNERSHIP, PASSPHRASE, USER
from store_support import assert_one_line_error, cache_key_derivation

from marac_desk import cli
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.session import create_store
from tests.export.export_sample import flat, pdf_pages
from tests.services.test_reports import PANEL, build_known

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The store of tests/services/test_reports.py, closed so that the command can open it."""
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("cli-report")
        mp.setenv("MARAC_DESK_HOME", str(home / "marac"))
        cache_key_derivation(mp)
        path = home / "known.store"
        opened = create_store(path, PASSPHRASE, PASSPHRASE, partnership=PARTNERSHIP, user_name=USER)
        try:
            build_known(opened)
        finally:
            opened.lock("built")
        yield path


@pytest.fixture
def run(
    store_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    cache_key_derivation(monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)

    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(["--store", str(store_file), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def report(run: Run, out: Path, *extra: str, period: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return run(
        "report", "quarter", *(period or ("--quarter", "Q1 2024/25")), *extra, "--out", str(out)
    )


def csv_values(path: Path) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["indicator", "value"]
    assert all(len(row) == 2 for row in rows)
    return dict((row[0], row[1]) for row in rows[1:])


def report_events(path: Path) -> list[str]:
    with Store.unlock(path, PASSPHRASE) as s:
        assert audit.verify(s).ok
        flt = audit.AuditFilter(action="export", entity="report")
        return [e.description for e in audit.list_events(s, flt, limit=None, newest_first=False)]


def test_the_csv_has_the_quarters_figures(run: Run, tmp_path: Path, store_file: Path) -> None:
    before = len(report_events(store_file))
    out = tmp_path / "q1.csv"
    code, stdout, stderr = report(run, out)
    assert (code, stderr) == (0, "")
    assert "Q1 2024/25" in stdout and str(out) in stdout
    got = csv_values(out)
    assert got["referrals"] == "8"
    assert got["cases_heard"] == "7"
    assert got["repeat_rate_pct"] == "63"
    assert got["source_police"] == "3.5"
    assert got["cases_per_10k_women"] == "4.5"
    events = report_events(store_file)
    assert len(events) == before + 1
    assert events[-1] == (
        "quarterly report Q1 2024/25 for All domestic abuse panels as CSV: internal (exact figures)"
    )


def test_the_publishable_csv_has_no_exact_small_count(run: Run, tmp_path: Path) -> None:
    exact, public = tmp_path / "exact.csv", tmp_path / "public.csv"
    assert report(run, exact)[0] == 0
    assert report(run, public, "--publishable")[0] == 0
    internal, published = csv_values(exact), csv_values(public)
    assert published["referrals"] == "8"
    assert published["families_with_children"] == "<5"  # 3
    assert published["victims_16_17"] == "<5"
    assert published["perpetrators_under_18"] == "<5"
    assert published["repeat_referrals"] == "*"  # 5 of 8: the 3 others would be small
    assert published["repeat_rate_pct"] == "*"
    counts = {k for k in internal if not k.endswith("_pct") and "per" not in k}
    for key in counts:
        value = internal[key]
        if value and value.replace(".", "", 1).isdigit() and 0 < float(value) < 5:
            assert published[key] in ("<5", "*", value if key in OPERATIONAL else "<5"), key


# Counts of meetings, attendance, minutes and actions are not about people: shown as they are.
OPERATIONAL = {
    "meetings_held",
    "actions_agreed",
    "actions_due",
    "actions_overdue_now",
    "minutes_due",
    "community_meetings_held",
}


def test_a_publishable_pdf_for_one_panel_hides_what_the_internal_one_shows(
    run: Run, tmp_path: Path, store_file: Path
) -> None:
    exact, public = tmp_path / "exact.pdf", tmp_path / "public.pdf"
    assert report(run, exact, "--panel", PANEL)[0] == 0
    code, _, stderr = report(run, public, "--panel", "northtown marac", "--publishable")
    assert (code, stderr) == (0, "")
    internal = [flat(page) for page in pdf_pages(exact.read_bytes())]
    published = [flat(page) for page in pdf_pages(public.read_bytes())]
    for pages in (internal, published):
        for number, page in enumerate(pages, start=1):
            assert page.count("OFFICIAL-SENSITIVE") >= 2
            assert f"Page {number} of {len(pages)}" in page
    # 63%: the quarter's repeat rate (5 of 8) in the table and on the chart; 3.5: police
    # referrals with the joint one.
    for figure in ("63%", "3.5"):
        assert figure in " ".join(internal).split()
        assert figure not in " ".join(published).split()
    assert report_events(store_file)[-1] == (
        "quarterly report Q1 2024/25 for Northtown MARAC as PDF: publishable"
    )


def test_xlsx_rounding_and_any_range(run: Run, tmp_path: Path, store_file: Path) -> None:
    out = tmp_path / "range.xlsx"
    code, _, stderr = report(
        run,
        out,
        "--publishable",
        "--round",
        period=("--from", "2024-03-31", "--to", "2024-04-01"),
    )
    assert (code, stderr) == (0, "")
    book = openpyxl.load_workbook(out)
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Figures"] == "Publishable, counts rounded to the nearest 5"
    assert "31 March 2024 to 1 April 2024" in str(about["Period"])
    indicators = {r[0]: r[2] for r in book["Indicators"].iter_rows(min_row=2, values_only=True)}
    assert indicators["referrals"] == "<5"  # 2
    assert report_events(store_file)[-1].endswith("as XLSX: publishable, rounded to 5")


def test_a_financial_year(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "year.csv"
    assert report(run, out, period=("--year", "2023/24"))[0] == 0
    assert csv_values(out)["referrals"] == "6"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "Say which period"),
        (("--quarter", "Q1 2024/25", "--from", "2024-04-01", "--to", "2024-06-30"), "once"),
        (("--from", "2024-04-01"), "go together"),
        (("--from", "2024-06-30", "--to", "2024-04-01"), "is after --to"),
        (("--quarter", "Q5 2024/25"), "There is no Q5"),
        (("--quarter", "Q1 2024"), "calendar year"),
        (("--quarter", "2024/25"), "not a quarter"),
        (("--year", "Q1 2024/25"), "financial year"),
        (("--from", "1 April 2024", "--to", "2024-06-30"), "not a date"),
        (("--quarter", "Q1 2024/25", "--round"), "--round goes with --publishable"),
    ],
)
def test_usage_errors_exit_2_before_any_passphrase(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.delenv("MARAC_DESK_PASSPHRASE")  # a usage error must not need the store
    out = tmp_path / "r.pdf"
    code, stdout, stderr = run("report", "quarter", *argv, "--out", str(out))
    assert code == 2 and stdout == ""
    assert_one_line_error(stderr, must_contain=message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("r.docx", ".pdf, .csv or .xlsx"), ("missing/r.pdf", "folder for --out does not exist")],
)
def test_a_wrong_out_file_is_a_usage_error(
    run: Run, tmp_path: Path, name: str, message: str
) -> None:
    code, _, stderr = report(run, tmp_path / name)
    assert code == 2
    assert_one_line_error(stderr, must_contain=message)


def test_an_existing_file_is_never_overwritten(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "kept.pdf"
    out.write_bytes(b"the steering group's copy")
    code, _, stderr = report(run, out)
    assert code == 1
    assert_one_line_error(stderr, must_contain="already exists")
    assert out.read_bytes() == b"the steering group's copy"


def test_an_unknown_panel_fails_and_writes_nothing(
    run: Run, tmp_path: Path, store_file: Path
) -> None:
    before = report_events(store_file)
    out = tmp_path / "r.csv"
    code, _, stderr = report(run, out, "--panel", "Southmoor MARAC")
    assert code == 1
    assert_one_line_error(stderr, must_contain="no panel called 'Southmoor MARAC'")
    assert not out.exists()
    assert report_events(store_file) == before
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind either


def test_the_national_return_and_dip_sample_sit_beside_the_quarterly_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["report", "--help"]) == 0
    listed = capsys.readouterr().out
    assert "quarter" in listed and "dataset" in listed and "dip-sample" in listed
    assert cli.main(["report", "dataset", "--help"]) == 0
    assert "national return" in capsys.readouterr().out
