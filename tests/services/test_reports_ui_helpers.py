"""What the Reports area offers: the quarters and financial years worth choosing, and the panels."""

from __future__ import annotations

from datetime import date

from marac_desk.services import panels, reports
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import make_panel, refer


def labels(periods: tuple[object, ...]) -> list[str]:
    return [str(p) for p in periods]


def test_an_empty_store_offers_the_current_quarter_the_eight_before_and_three_years(
    open_store: OpenStore,
) -> None:
    choices = reports.report_choices(open_store.store, date(2026, 11, 22))
    assert labels(choices.quarters) == [
        "Q3 2026/27",
        "Q2 2026/27",
        "Q1 2026/27",
        "Q4 2025/26",
        "Q3 2025/26",
        "Q2 2025/26",
        "Q1 2025/26",
        "Q4 2024/25",
        "Q3 2024/25",
    ]
    assert labels(choices.years) == ["2026/27", "2025/26", "2024/25"]
    assert choices.panels == () and choices.first_day is None


def test_older_data_adds_its_quarters_and_years_and_panels_are_listed(
    open_store: OpenStore,
) -> None:
    make_panel(open_store)
    make_panel(open_store, name="Eastside Community MARAC", panel_type="community_marac")
    refer(open_store, date(2023, 6, 30), "Anna", "Dunn")  # Q1 2023/24
    choices = reports.report_choices(open_store.store, date(2025, 1, 2))  # Q4 2024/25
    assert labels(choices.quarters)[0] == "Q4 2024/25"
    assert labels(choices.quarters)[-1] == "Q4 2022/23"  # the eight before, data or not…
    choices = reports.report_choices(open_store.store, date(2026, 11, 22))
    assert labels(choices.quarters)[-1] == "Q1 2023/24"  # …and back to the first referral
    assert len(choices.quarters) == 15
    assert labels(choices.years) == ["2026/27", "2025/26", "2024/25", "2023/24"]
    assert choices.first_day == date(2023, 6, 30)
    assert [(p.name, p.community, p.active) for p in choices.panels] == [
        ("Eastside Community MARAC", True, True),
        ("Northtown MARAC", False, True),
    ]
    assert choices.panels[0].type_label == panels.PANEL_TYPE_LABELS["community_marac"]


def test_data_from_long_ago_is_offered_by_dates_only(open_store: OpenStore) -> None:
    make_panel(open_store)
    refer(open_store, date(2001, 5, 1), "Bella", "Ward")
    choices = reports.report_choices(open_store.store, date(2026, 11, 22))
    assert len(choices.quarters) == 4 * reports.OFFERED_YEARS
    assert labels(choices.years)[-1] == "2017/18"
    assert len(choices.years) == reports.OFFERED_YEARS
