"""`marac-desk meetings plan`: one ISO date a line on stdout, nothing else; one line on stderr
and exit 2 for usage errors, 1 for failures."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from store_support import cache_key_derivation

from marac_desk import cli
from marac_desk.core.cadence import OnHoliday
from marac_desk.core.working_days import Region
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # A passphrase prompt would fail loudly rather than wait.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    cache_key_derivation(monkeypatch)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["meetings", "plan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_weekly_plan_moves_easter_monday_and_may_day(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--cadence", "weekly:mon", "--from", "2022-04-01", "--to", "2022-05-10"
    )
    assert (code, err) == (0, "")
    assert out == "2022-04-04\n2022-04-11\n2022-04-19\n2022-04-25\n2022-05-03\n2022-05-09\n"


def test_no_store_is_needed_or_asked_for_with_a_cadence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.store"
    code, out, err = run(
        capsys,
        "--store",
        str(missing),
        "--cadence",
        "Monthly:Last:Friday",
        "--from",
        "2024-01-01",
        "--to",
        "2024-04-30",
    )
    assert (code, err) == (0, "")
    assert out == "2024-01-26\n2024-02-23\n2024-04-02\n2024-04-26\n"
    assert not missing.exists()


def test_skip_region_and_anchor(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--cadence", "weekly:mon", "--from", "2022-04-01", "--to", "2022-05-10"]
    code, out, _ = run(capsys, *base, "--on-holiday", "skip")
    assert (code, out) == (0, "2022-04-04\n2022-04-11\n2022-04-25\n2022-05-09\n")
    code, out, _ = run(capsys, *base, "--region", "scotland")
    assert out == "2022-04-04\n2022-04-11\n2022-04-18\n2022-04-25\n2022-05-03\n2022-05-09\n"
    code, out, _ = run(
        capsys,
        "--cadence",
        "fortnightly:tue",
        "--anchor",
        "2024-01-09",
        "--from",
        "2024-02-12",
        "--to",
        "2024-03-31",
    )
    assert (code, out) == (0, "2024-02-20\n2024-03-05\n2024-03-19\n")
    code, out, _ = run(
        capsys, "--cadence", "weekly:thu", "--from", "2022-03-17", "--to", "2022-03-18",
        "--region", "northern-ireland",
    )  # fmt: skip
    assert (code, out) == (0, "2022-03-18\n")


def test_an_empty_period_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--cadence", "daily", "--from", "2024-06-08", "--to", "2024-06-09")
    assert (code, out, err) == (0, "", "")


def test_daily_over_the_scottish_new_year(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--cadence", "daily", "--from", "2022-12-30", "--to", "2023-01-05",
        "--region", "scotland",
    )  # fmt: skip
    assert (code, out) == (0, "2022-12-30\n2023-01-04\n2023-01-05\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--cadence", "monthly:5:wed", "--from", "2024-01-01", "--to", "2024-02-01"],
            "marac-desk: Cadence 'monthly:5:wed': most months have no fifth Wednesday; use "
            "monthly:last:wed for the last Wednesday of each month.",
        ),
        (
            ["--cadence", "weekly:wed", "--from", "2024-02-01", "--to", "2024-01-01"],
            "marac-desk: --from (2024-02-01) is after --to (2024-01-01).",
        ),
        (
            ["--cadence", "weekly:wed", "--from", "2024-02-30", "--to", "2024-03-01"],
            "marac-desk: argument --from: '2024-02-30' is not a date like 2026-04-01 "
            "(see 'marac-desk meetings plan --help')",
        ),
        (
            ["--cadence", "weekly:wed", "--from", "2024-01-01"],
            "marac-desk: the following arguments are required: --to "
            "(see 'marac-desk meetings plan --help')",
        ),
        (
            ["--from", "2024-01-01", "--to", "2024-02-01"],
            "marac-desk: one of the arguments --panel --cadence is required "
            "(see 'marac-desk meetings plan --help')",
        ),
        (
            ["--panel", "X", "--cadence", "weekly:wed",
             "--from", "2024-01-01", "--to", "2024-02-01"],
            "marac-desk: argument --cadence: not allowed with argument --panel "
            "(see 'marac-desk meetings plan --help')",
        ),
        (
            ["--cadence", "weekly:wed", "--from", "2024-01-01", "--to", "2024-02-01",
             "--region", "wales"],
            "marac-desk: argument --region: not a known choice (choose from 'england-and-wales', "
            "'scotland', 'northern-ireland') (see 'marac-desk meetings plan --help')",
        ),
        (
            ["--cadence", "weekly:wed", "--from", "2100-12-01", "--to", "2101-01-31"],
            "marac-desk: --to must be from 1872 to 2100: bank holidays are not known outside "
            "those years.",
        ),
        (
            ["--panel", "Northtown", "--region", "scotland", "--anchor", "2024-01-01",
             "--from", "2024-01-01", "--to", "2024-02-01"],
            "marac-desk: --region and --anchor go with --cadence; a panel's own settings are "
            "stored with it.",
        ),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == message + "\n"


# ----- --panel: the store's panel ---------------------------------------------------------------


@pytest.fixture
def store_with_panel(open_store: OpenStore, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store holding a fortnightly Tuesday panel in Scotland, closed so the command opens it."""
    from marac_desk.services import panels

    panels.save_panel(
        open_store.store,
        open_store.actor,
        panels.PanelConfig(
            id=None,
            name="Northtown MARAC",
            cadence="fortnightly:tue",
            region=Region.SCOTLAND,
            on_holiday=OnHoliday.NEXT_WORKING_DAY,
            anchor=date(2022, 12, 20),
        ),
    )
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)
    path = open_store.store.path
    open_store.lock()
    return path


def test_a_panel_plans_with_its_own_cadence_region_and_anchor(
    capsys: pytest.CaptureFixture[str], store_with_panel: Path
) -> None:
    code, out, err = run(
        capsys,
        "--store",
        str(store_with_panel),
        "--panel",
        "Northtown MARAC",
        "--from",
        "2022-12-15",
        "--to",
        "2023-02-01",
    )
    assert (code, err) == (0, "")
    # 3 January 2023 is a bank holiday in Scotland only.
    assert out == "2022-12-20\n2023-01-04\n2023-01-17\n2023-01-31\n"


def test_an_unknown_panel_fails_with_exit_1(
    capsys: pytest.CaptureFixture[str], store_with_panel: Path
) -> None:
    code, out, err = run(
        capsys, "--store", str(store_with_panel), "--panel", "Southtown",
        "--from", "2023-01-01", "--to", "2023-02-01",
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == "marac-desk: This store has no panel called 'Southtown'.\n"


def test_a_panel_needs_the_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "--store", str(tmp_path / "none.store"), "--panel", "Northtown MARAC",
        "--from", "2023-01-01", "--to", "2023-02-01",
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err.startswith("marac-desk: There is no store at ")
