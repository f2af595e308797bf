"""The Reports area: choose a quarter and a panel, preview the figures (internal or publishable,
exactly as the files print them), and export the report, the national return and the dip sample.

The store is the one tests/services/test_reports.py builds, whose every count is known: Q1 2024/25
has 8 referrals, 5 of them repeats (63%), and a Community MARAC panel beside the domestic abuse
panel."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import PARTNERSHIP, PASSPHRASE, USER
from PySide6.QtCore import Qt
from store_support import cache_key_derivation
from ui_support import qt_quiet

from marac_desk.core.suppression import HIDDEN, SMALL, Mode
from marac_desk.export.report_view import ReportView, ViewTable, publish
from marac_desk.services import audit, reports
from marac_desk.services.session import create_store
from marac_desk.ui import reports_view as reports_view_module
from marac_desk.ui.area import AppEvents, AreaContext
from marac_desk.ui.reports_view import INDICATORS_KEY, ReportsView, cell_text
from marac_desk.ui.tasks import TaskRunner
from marac_desk.ui.widgets import unnamed_controls
from tests.export.export_sample import flat, pdf_pages
from tests.services.test_reports import COMMUNITY, PANEL, Known, build_known

pytestmark = qt_quiet

Q1 = "Q1 2024/25"


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Known]:
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("ui-reports")
        mp.setenv("MARAC_DESK_HOME", str(home / "marac"))
        cache_key_derivation(mp)
        opened = create_store(
            home / "known.store", PASSPHRASE, PASSPHRASE, partnership=PARTNERSHIP, user_name=USER
        )
        try:
            yield build_known(opened)
        finally:
            opened.store.close()


@pytest.fixture
def area(qtbot, known: Known) -> Iterator[ReportsView]:  # type: ignore[no-untyped-def]
    """The area on its own, shown, with the figures of the default quarter on screen."""
    runner = TaskRunner()
    view = ReportsView(AreaContext(known.opened, runner, AppEvents()))
    view.resize(1100, 760)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.previewed, timeout=20_000):
        view.show()
        view.activated()
    yield view
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)
    runner.wait_for_done()


def preview(qtbot: Any, view: ReportsView, action: Any) -> ReportView:
    with qtbot.waitSignal(view.previewed, timeout=20_000) as blocker:
        action()
    shown = blocker.args[0]
    assert shown is view.view
    return shown  # type: ignore[no-any-return]


def choose(qtbot: Any, view: ReportsView, period: str, panel: str | None = None) -> ReportView:
    def pick() -> None:
        view.select_panel(panel)
        view.select_period(period)
        view.compute()

    return preview(qtbot, view, pick)


def rows(view: ReportsView, key: str) -> list[list[str]]:
    model = view.tables[key].figures
    return [
        [str(model.data(model.index(r, c))) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def indicator(view: ReportsView, key: str) -> list[str]:
    """The row of the indicators tab: label, figure, expected, against expected, CSV key."""
    found = [row for row in rows(view, INDICATORS_KEY) if row[-1] == key]
    assert len(found) == 1, key
    return found[0]


def texts(table: ViewTable) -> list[list[str]]:
    return [[cell_text(c) for c in row] for row in table.rows]


def tab_titles(view: ReportsView) -> list[str]:
    return [view.tabs.tabText(i) for i in range(view.tabs.count())]


def exact_q1(known: Known, mode: Mode, panel: str | None = None) -> ReportView:
    """The view the services publish for Q1, worked out apart from the area."""
    from marac_desk.core.periods import parse_period

    report = reports.quarterly_report(
        known.store,
        parse_period(Q1),
        panel=panel,
        as_at=date.today(),
        generated_at=datetime.now(),
    )
    return publish(report, mode)


# ----- choosing and previewing --------------------------------------------------------------------


def test_quarters_years_and_panels_are_offered(area: ReportsView) -> None:
    quarters = [area.quarter_choice.itemText(i) for i in range(area.quarter_choice.count())]
    assert quarters[0].endswith("(so far)")
    assert Q1 in quarters and quarters[-1] == "Q1 2023/24"  # back to the first referral
    assert area.quarter_choice.currentIndex() == 1  # the last whole quarter
    years = [area.year_choice.itemText(i) for i in range(area.year_choice.count())]
    assert "2023/24" in years
    panels = [area.panel_choice.itemText(i) for i in range(area.panel_choice.count())]
    assert panels == ["All domestic abuse panels", COMMUNITY, PANEL]
    assert area.internal_radio.isChecked() and not area.round_check.isEnabled()
    assert area.publishable_radio.text().replace("&", "") == "Publishable: small numbers hidden"


def test_a_quarter_and_panel_show_the_referrals_and_repeats(qtbot, area: ReportsView) -> None:  # type: ignore[no-untyped-def]
    shown = choose(qtbot, area, Q1, PANEL)
    assert shown.title == f"{PANEL} — quarterly report, {Q1}"
    assert "INTERNAL" in area.banner.text()
    headline = {row[0]: row[1:] for row in rows(area, "headline")}
    assert headline["Referrals"][0] == "8"
    assert headline["Repeat referrals"][0] == "5"
    assert headline["Repeat rate"] == ["63%", "28–40%", "Above"]  # text, not colour alone
    assert indicator(area, "repeat_rate_pct")[1:4] == ["63%", "28–40%", "Above the expected range"]
    trend = rows(area, "trend")
    assert trend[0] == ["Referrals", "2", "1", "1", "2", "8"]
    assert trend[3] == ["Repeat referrals", "0", "0", "0", "1", "5"]
    chart = area.charts["repeat_rate"].chart
    assert [b.label for b in chart.bars][-1] == Q1 and chart.bars[-1].text == "63%"
    assert "Repeat rate 63% is above the expected 28–40%." in "".join(area.preview_texts())
    sources = {row[0]: row[1] for row in rows(area, "sources")}
    assert sources["Police"] == "3.5" and sources["IDVA"] == "2.5"  # a joint referral: half each
    victims = {row[0]: row for row in rows(area, "victims")}
    assert victims["Black, Asian or racially minoritised"][1:] == ["3", "38%", "50%", "2", "25%"]
    attendance = rows(area, "attendance")
    assert attendance[2] == ["Police", "3", "0", "0", "100%"]
    assert rows(area, "minutes")[4] == ["Circulated on time (% of those due)", "33%"]
    assert "Community MARAC" not in tab_titles(area)  # one domestic abuse panel
    again = preview(qtbot, area, area.activated)  # shown again (or F5): the same choices
    assert again.title == shown.title and again is not shown


def test_all_panels_and_a_community_panel_get_the_community_section(
    qtbot, area: ReportsView
) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, area, Q1)
    assert "Community MARAC" in tab_titles(area)
    assert rows(area, "community_months")[3] == ["Period", "2", "4", "3", "7", "2"]
    assert "kept out of the national indicators" in area.panel_hint.text()
    shown = choose(qtbot, area, Q1, COMMUNITY)
    assert shown.scope == COMMUNITY
    assert indicator(area, "cases_heard")[1] == "5"
    assert indicator(area, "referrals")[1] == "0"
    assert "new, ongoing and closed" in area.panel_hint.text()


def test_the_preview_is_the_published_view_and_shows_no_hidden_figure(
    qtbot, area: ReportsView, known: Known
) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, area, Q1, PANEL)
    assert indicator(area, "victims_16_17")[1] == "1"
    assert "63%" in area.preview_texts()
    shown = preview(qtbot, area, lambda: area.publishable_radio.setChecked(True))
    assert shown.mode is Mode.PUBLISHABLE and "PUBLISHABLE" in area.banner.text()
    assert area.round_check.isEnabled()
    expected = exact_q1(known, Mode.PUBLISHABLE, PANEL)
    for table in expected.tables:  # the preview is what the files print, cell by cell
        assert rows(area, table.key) == texts(table), table.key
    assert indicator(area, "victims_16_17")[1] == SMALL  # 1 victim aged 16–17: <5
    hidden = {i.key for i in expected.indicators if i.shown.text in (SMALL, HIDDEN)}
    assert {"repeat_referrals", "repeat_rate_pct", "victims_16_17"} <= hidden
    internal = exact_q1(known, Mode.INTERNAL, PANEL)
    everything = area.preview_texts()
    assert "63%" not in everything and not any("63%" in t for t in everything)
    for key in hidden:  # no hidden figure's exact value is on screen beside its label
        exact_value = internal.indicator(key).shown.text
        assert indicator(area, key)[1] != exact_value, key
    repeat_bars = area.charts["repeat_rate"].chart.bars
    assert repeat_bars[-1].number is None and repeat_bars[-1].text == HIDDEN  # no bar to measure
    model = area.tables["headline"].figures
    small = next(r for r in range(model.rowCount()) if model.text(r, 1) == SMALL)
    assert "Fewer than 5" in model.data(model.index(small, 1), Qt.ItemDataRole.ToolTipRole)
    preview(qtbot, area, lambda: area.round_check.setChecked(True))
    assert area.view is not None and area.view.round_to_5
    assert "nearest 5" in area.banner.text()
    preview(qtbot, area, lambda: area.internal_radio.setChecked(True))
    assert not area.round_check.isChecked() and not area.round_check.isEnabled()
    assert indicator(area, "victims_16_17")[1] == "1"


def test_any_dates_and_a_financial_year(qtbot, area: ReportsView) -> None:  # type: ignore[no-untyped-def]
    area.range_radio.setChecked(True)
    area.range_from.setText("01/05/2024")
    area.range_to.setText("30/04/2024")
    area.compute()
    assert area.message.is_error and "before the first" in area.message.text()
    assert not area.busy

    def dates() -> None:
        area.range_from.setText("31/03/2024")
        area.range_to.setText("01/04/2024")
        area.compute()

    shown = preview(qtbot, area, dates)
    assert shown.period_label == "31 Mar 2024 – 1 Apr 2024"
    assert indicator(area, "referrals")[1] == "2"  # Anna on 31 March and on 1 April
    shown = preview(qtbot, area, lambda: area.select_period("2023/24"))
    assert shown.heading == "Annual report to the MARAC steering group"
    assert indicator(area, "referrals")[1] == "6"


def test_the_figures_are_worked_out_in_the_background(qtbot, area: ReportsView) -> None:  # type: ignore[no-untyped-def]
    runner = area._ctx.runner
    with qtbot.waitSignal(area.previewed, timeout=20_000):
        area.select_period(Q1)
        area.compute()
        assert runner.busy and area.busy  # the GUI thread is free meanwhile
        assert area.progress.isVisibleTo(area)
        assert runner.progress_dialog is None  # no modal dialog in the way of typing
        area.sample_seed.setText("42")  # typing carries on
    assert not area.progress.isVisibleTo(area)
    assert area.sample_seed.text() == "42"


def test_keys_and_accessible_names(qtbot, area: ReportsView) -> None:  # type: ignore[no-untyped-def]
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow, timeout=5_000)
    area.select_period(Q1)
    area.panel_choice.setFocus()
    with qtbot.waitSignal(area.previewed, timeout=20_000):
        qtbot.keyClick(area.panel_choice, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert area.view is not None and area.view.period_label == Q1
    assert unnamed_controls(area) == []
    for table in area.tables.values():
        assert table.accessibleName()
    chart = area.charts["repeat_rate"]
    assert chart.accessibleName() == "Repeat referrals (%) against the expected band"
    assert f"{Q1}: 63%" in chart.accessibleDescription()
    assert area.pdf_button.toolTip().endswith("(Ctrl+E)")


# ----- exports ------------------------------------------------------------------------------------


def export(qtbot: Any, view: ReportsView, monkeypatch: Any, path: Path | None, action: Any) -> str:
    asked: list[tuple[Any, ...]] = []

    def picker(*args: Any) -> Path | None:
        asked.append(args)
        return path

    monkeypatch.setattr(reports_view_module, "pick_save_file", picker)
    with qtbot.waitSignal(view.exported, timeout=30_000) as blocker:
        action()
    assert len(asked) == 1
    assert view.result.text() == blocker.args[0]
    return str(blocker.args[0])


def audit_count(known: Known, entity: str) -> int:
    events = audit.list_events(known.store, audit.AuditFilter(action="export", entity=entity))
    return len(events)


def test_export_the_report_as_pdf_csv_and_xlsx(
    qtbot, area: ReportsView, known: Known, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shown = choose(qtbot, area, Q1, PANEL)
    before = audit_count(known, "report")

    csv_path = tmp_path / "q1.csv"
    said = export(qtbot, area, monkeypatch, csv_path, area.csv_button.click)
    assert said == f"{shown.title} (internal) written as CSV to {csv_path}"
    table = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert table[0] == ["indicator", "value"]
    values = dict(table[1:])
    assert values["referrals"] == "8" and values["repeat_referrals"] == "5"
    assert values["repeat_rate_pct"] == "63"
    assert [row[0] for row in table[1:]] == [i.key for i in shown.indicators]  # the same order

    publishable = preview(qtbot, area, lambda: area.publishable_radio.setChecked(True))
    xlsx_path = tmp_path / "q1-publishable"  # no extension typed: the filter's is added
    said = export(qtbot, area, monkeypatch, xlsx_path, area.xlsx_button.click)
    written = xlsx_path.with_suffix(".xlsx")
    assert said.endswith(f"(publishable) written as XLSX to {written}")
    book = openpyxl.load_workbook(written, read_only=True)
    assert "Trend" in book.sheetnames and "Headline" in book.sheetnames
    book.close()

    pdf_path = tmp_path / "q1.pdf"
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow, timeout=5_000)
    area.quarter_choice.setFocus()
    said = export(
        qtbot,
        area,
        monkeypatch,
        pdf_path,
        lambda: qtbot.keyClick(
            area.quarter_choice, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier
        ),
    )
    assert "written as PDF" in said
    pages = pdf_pages(pdf_path.read_bytes())
    assert Q1 in flat(pages[0]) and "Publishable" in flat(" ".join(pages))
    assert audit_count(known, "report") == before + 3
    newest = audit.list_events(known.store, audit.AuditFilter(action="export", entity="report"))
    assert any(
        e.description == f"quarterly report {Q1} for {PANEL} as PDF: publishable" for e in newest
    )
    assert publishable.indicator("victims_16_17").shown.text == SMALL


def test_a_wrong_file_type_writes_nothing(
    qtbot, area: ReportsView, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(reports_view_module, "pick_save_file", lambda *a: tmp_path / "q1.txt")
    area.pdf_button.click()
    assert area.result.is_error and ".pdf" in area.result.text()
    monkeypatch.setattr(reports_view_module, "pick_save_file", lambda *a: None)  # cancelled
    area.csv_button.click()
    assert not area.busy
    assert list(tmp_path.iterdir()) == []


def test_national_return_for_the_same_period(
    qtbot, area: ReportsView, known: Known, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, area, Q1, PANEL)
    before = audit_count(known, "national_return")
    path = tmp_path / "return.csv"
    said = export(qtbot, area, monkeypatch, path, area.return_button.click)
    assert said == (
        f"National return for {Q1} ({PANEL}): 3 meeting(s), 8 case(s) heard, written as CSV "
        f"to {path}"
    )
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(table) == 1 + 3  # a row per meeting held: 3 April, 15 May, 30 June
    # (a case heard at two of them counts at each: 8 hearings of 7 cases)
    assert audit_count(known, "national_return") == before + 1


def test_dip_sample_shows_the_seed_used(
    qtbot, area: ReportsView, known: Known, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, area, Q1, PANEL)
    before = audit_count(known, "dip_sample")
    area.sample_size.setValue(3)
    area.sample_seed.clear()
    path = tmp_path / "sample.pdf"
    said = export(qtbot, area, monkeypatch, path, area.sample_button.click)
    found = re.search(r"seed (\d+)", said)
    assert found is not None and area.last_seed == int(found.group(1))
    assert said.startswith(f"Dip sample of 3 of 7 cases heard in {Q1}, seed {area.last_seed}")
    assert str(area.last_seed) in area.seed_label.text()
    text = flat(" ".join(pdf_pages(path.read_bytes())))
    assert f"--seed {area.last_seed}" in text
    # The same seed typed again draws the same cases.
    area.sample_seed.setText(str(area.last_seed))
    again = tmp_path / "again.pdf"
    said_again = export(qtbot, area, monkeypatch, again, area.sample_button.click)
    assert f"seed {area.last_seed}" in said_again
    events = audit.list_events(known.store, audit.AuditFilter(action="export", entity="dip_sample"))
    assert len(events) == before + 2
    first, second = (e.description.rsplit(": ", 1)[1] for e in events[:2])
    assert first == second  # the same case references


def test_a_dip_sample_of_a_quarter_without_hearings_says_why(
    qtbot, area: ReportsView, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, area, "Q3 2023/24")  # a referral, but no meeting
    monkeypatch.setattr(reports_view_module, "pick_save_file", lambda *a: tmp_path / "s.pdf")
    with qtbot.waitSignal(area.export_failed, timeout=20_000) as blocker:
        area.sample_button.click()
    assert blocker.args[0].startswith("No checklist was written: No cases were heard")
    assert area.result.is_error
    assert list(tmp_path.iterdir()) == []


def test_in_the_main_window_ctrl_5_opens_reports_and_f5_works_them_out_again(
    qtbot, known: Known
) -> None:  # type: ignore[no-untyped-def]
    from marac_desk.ui.main_window import MainWindow

    win = MainWindow(known.opened)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    view = win.areas["reports"]
    assert isinstance(view, ReportsView)
    assert win.area_actions["reports"].shortcut().toString() == "Ctrl+5"
    with qtbot.waitSignal(view.previewed, timeout=20_000):
        qtbot.keyClick(win, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert win.current_area() == "reports"
    first = view.view
    with qtbot.waitSignal(view.previewed, timeout=20_000):
        qtbot.keyClick(win, Qt.Key.Key_F5)
    assert view.view is not first and view.view is not None
    assert unnamed_controls(win) == []
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=20_000)
