"""The quarterly report's documents from a hand-made set of exact figures: the published view,
the CSV contract, the XLSX sheets and the PDF (read back with pypdf)."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from export_sample import flat, pdf_pages

from marac_desk.core.indicators import DEFAULT_BANDS, INDICATOR_KEYS, Position
from marac_desk.core.periods import date_range, months_in, quarter
from marac_desk.core.suppression import Mode
from marac_desk.export import report_model as rm
from marac_desk.export.quarterly import build_quarterly_report
from marac_desk.export.report_tables import indicators_csv, report_xlsx
from marac_desk.export.report_view import ReportView, Shown, publish, slug
from marac_desk.services.reports import MISSING_ITEMS, RELATIONSHIPS, trend_periods

PERIOD = quarter(2024, 1)
GENERATED = datetime(2024, 7, 10, 9, 30)
SOURCES = {
    "Police": Decimal(29),
    "IDVA": Decimal(13),
    "Children's Social Care": Decimal("3.5"),  # the one small count: "<5"
    "Voluntary Sector": Decimal("11.5"),  # hidden with it, or 57 − the rest would give it away
}


def _c(count: int, other: int, unknown: int) -> rm.Characteristic:
    return rm.Characteristic(count, other, unknown)


def _breakdown(categories: tuple[rm.Category, ...], counts: dict[str, object]) -> rm.Breakdown:
    return rm.Breakdown(categories, tuple(counts.get(c.key, 0) for c in categories))  # type: ignore[misc]


def sample_report(**changes: object) -> rm.QuarterlyReport:
    """57 referrals in Q1 2024/25 with a few small figures among them."""
    from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES

    periods = trend_periods(PERIOD)
    trend = tuple(
        rm.PeriodCounts(p, *numbers)
        for p, numbers in zip(
            periods,
            ((30, 9, 20, 12), (3, 1, 2, 1), (42, 14, 31, 19), (7, 4, 5, 3), (57, 19, 44, 26)),
            strict=True,
        )
    )
    april, may, june = months_in(PERIOD)
    report = rm.QuarterlyReport(
        partnership="Northtown Community Safety Partnership",
        scope="Northtown MARAC",
        panels=("Northtown MARAC",),
        period=PERIOD,
        as_at=date(2024, 7, 10),
        generated_at=GENERATED,
        marking="OFFICIAL-SENSITIVE",
        bands=tuple(DEFAULT_BANDS.items()),
        trend=trend,
        year_earlier=trend[0],
        cases_heard=50,
        cases_heard_year_earlier=3,
        hearings=52,
        meetings_held=13,
        rate_period=date_range(date(2023, 7, 1), date(2024, 6, 30)),
        rate_cases=200,
        adult_female_population=45_000,
        population_note="",
        sources=_breakdown(
            tuple(rm.Category(c, c) for c in REFERRAL_SOURCE_CATEGORIES), dict(SOURCES)
        ),
        victims=rm.Victims(
            bame=_c(10, 40, 7),
            lgbt=_c(2, 50, 5),
            disabled=_c(12, 40, 5),
            male=_c(4, 52, 1),
            aged_16_17=_c(3, 50, 4),
            mental_health=_c(20, 30, 7),
            substance_misuse=_c(8, 45, 4),
        ),
        perpetrators=rm.Perpetrators(
            male=_c(55, 3, 2),
            relationship=_breakdown(
                RELATIONSHIPS,
                {
                    "current_partner": 30,
                    "ex_partner": 22,
                    "family_member": 4,
                    "other": 1,
                    "not_known": 3,
                },
            ),
            aged_17_or_under=_c(2, 55, 3),
            mental_health=_c(15, 40, 5),
            substance_misuse=_c(12, 40, 8),
        ),
        actions=rm.Actions(
            agreed=100,
            with_owner_and_due=80,
            perpetrator_focused=15,
            due=90,
            completed_on_time=60,
            completed_late=20,
            still_open=6,
            closed_otherwise=4,
            overdue_now=7,
        ),
        attendance=(
            rm.AgencyAttendance("Education", 3, 5, 2),
            rm.AgencyAttendance("IDVA", 13, 0, 0),
            rm.AgencyAttendance("Police", 12, 1, 0),
        ),
        research=(rm.AgencyResearch("Housing", 40, 20), rm.AgencyResearch("Police", 40, 38)),
        minutes=rm.Minutes(on_time=10, late=3, not_yet_due=0),
        completeness=rm.Completeness(
            complete=20,
            referrals=57,
            missing=_breakdown(
                MISSING_ITEMS,
                {
                    "perpetrator": 2,
                    "relationship to victim": 5,
                    "children in the household": 10,
                    "sexual orientation": 15,
                    "safe contact": 8,
                    "victim's date of birth": 1,
                },
            ),
        ),
        community=rm.Community(
            panels=("Northtown Community MARAC",),
            months=(
                rm.CommunityMonth(april, 1, 6, 2, 3),
                rm.CommunityMonth(may, 0, 0, 0, 0),
                rm.CommunityMonth(june, 1, 3, 9, 5),
            ),
            meetings=(
                rm.CommunityMeeting("Northtown Community MARAC", date(2024, 4, 2), 6, 2, 3),
                rm.CommunityMeeting("Northtown Community MARAC", date(2024, 6, 4), 3, 9, 5),
            ),
        ),
    )
    return dataclasses.replace(report, **changes)  # type: ignore[arg-type]


def values(view: ReportView) -> dict[str, str]:
    return {item.key: item.shown.value for item in view.indicators}


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def texts(view: ReportView, key: str) -> list[list[str]]:
    table = view.table(key)
    assert table is not None
    return [[c if isinstance(c, str) else c.text for c in row] for row in table.rows]


# ----- the model refuses figures that do not add up ---------------------------------------------


def test_the_model_refuses_figures_that_cannot_be() -> None:
    with pytest.raises(ValueError, match="add up to the referrals"):
        sample_report(sources=dataclasses.replace(sample_report().sources, counts=(1,) * 14))
    with pytest.raises(ValueError, match="among the referrals"):
        rm.PeriodCounts(PERIOD, referrals=3, repeats=4, children=0, families=0)
    with pytest.raises(ValueError, match="add up by outcome"):
        dataclasses.replace(sample_report().actions, due=91)


# ----- internal: exact ----------------------------------------------------------------------------


def test_internal_figures_are_exact_and_the_csv_keeps_its_contract() -> None:
    view = publish(sample_report(), Mode.INTERNAL)
    rows = read_csv(indicators_csv(view))
    assert rows[0] == ["indicator", "value"]
    assert all(len(row) == 2 for row in rows)
    keys = [row[0] for row in rows[1:]]
    assert keys[: len(INDICATOR_KEYS)] == list(INDICATOR_KEYS)  # the national return first
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", key) for key in keys)
    got = dict(row for row in rows[1:])  # type: ignore[misc]
    assert got["referrals"] == "57"
    assert got["repeat_rate_pct"] == "33"  # 19 of 57
    assert got["cases_per_10k_women"] == "44.4"  # 200 × 10,000 / 45,000
    assert got["source_childrens_social_care"] == "3.5"
    assert got["source_voluntary_sector"] == "11.5"
    assert got["non_police_referrals_pct"] == "49"  # 28 of 57
    assert got["male_victims_pct"] == "7"
    assert got["victims_16_17"] == "3"
    assert got["perpetrators_under_18"] == "2"
    assert got["referrals_change_pct"] == "90"  # 30 → 57
    assert got["cases_heard_change_pct"] == "1567"
    assert got["cases_per_meeting"] == "4.0"
    assert got["actions_completed_on_time_pct"] == "67"


def test_a_fall_on_a_year_earlier_is_a_plain_negative_number_in_the_csv() -> None:
    report = sample_report(cases_heard_year_earlier=80)
    got = dict(row for row in read_csv(indicators_csv(publish(report, Mode.INTERNAL)))[1:])  # type: ignore[misc]
    assert got["cases_heard_change_pct"] == "-38"  # 50 against 80: -37.5% rounds away from 0


def test_bands_beside_the_figures_and_notes_only_outside_them() -> None:
    view = publish(sample_report(), Mode.INTERNAL)
    lgbt = view.indicator("lgbt_victims_pct")
    assert (lgbt.shown.text, lgbt.expected, lgbt.position) == ("4%", "2.5–5.8%", Position.WITHIN)
    assert view.indicator("repeat_rate_pct").position is Position.WITHIN
    assert view.band_notes == ()  # every figure with a band is within it
    below = publish(
        sample_report(victims=dataclasses.replace(sample_report().victims, male=_c(1, 55, 1))),
        Mode.INTERNAL,
    )
    assert "Male victims 2% is below the expected 5–10%." in below.band_notes


# ----- publishable: nothing small, nothing derivable ----------------------------------------------


def test_publishable_csv_hides_small_counts_and_what_would_give_them_away() -> None:
    internal = values(publish(sample_report(), Mode.INTERNAL))
    published = values(publish(sample_report(), Mode.PUBLISHABLE))
    assert published["source_childrens_social_care"] == "<5"
    assert published["source_voluntary_sector"] == "*"  # else 57 − 29 − 13 gives 3.5 back
    assert published["source_police"] == "29" and published["referrals"] == "57"
    assert published["victims_16_17"] == "<5" and published["victims_16_17_pct"] == "*"
    assert published["male_victims_pct"] == "*"  # 4 male victims
    assert published["lgbt_victims_pct"] == "*"
    assert published["perpetrators_under_18"] == "<5"
    assert published["cases_heard_change_pct"] == "*"  # 3 a year earlier
    assert published["bame_victims_pct"] == "18"  # nothing small: shown
    # Every count that is small inside the partnership is small or hidden outside it.
    for key, exact in internal.items():
        if re.fullmatch(r"\d+(\.5)?", exact) and 0 < Decimal(exact) < 5 and key in COUNTS:
            assert published[key] in ("<5", "*"), key


COUNTS = {
    *(k for k in INDICATOR_KEYS if not k.endswith("_pct") and k != "cases_per_10k_women"),
    *(f"source_{slug(c)}" for c in SOURCES),
    "referrals_year_earlier",
    "cases_heard_year_earlier",
    "perpetrators",
    "research_requested",
    "community_new_cases",
    "community_ongoing_cases",
    "community_closed_cases",
}


def _sum_is_protected(parts: list[str], total: str) -> bool:
    """Nobody can subtract their way to a hidden figure: none hidden, or two or more, or the
    total hidden too."""
    hidden = sum(p in ("<5", "*") for p in parts)
    return hidden != 1 or total in ("<5", "*")


def test_no_hidden_source_or_relationship_can_be_worked_out_from_the_totals() -> None:
    view = publish(sample_report(), Mode.PUBLISHABLE)
    for key in ("sources", "relationships"):
        rows = texts(view, key)
        *body, total = rows
        assert _sum_is_protected([row[1] for row in body], total[1]), key
    relationships = texts(view, "relationships")
    assert [row[1] for row in relationships] == ["30", "22", "<5", "<5", "<5", "60"]


def test_community_months_protect_rows_and_columns_and_drop_the_meeting_table() -> None:
    view = publish(sample_report(), Mode.PUBLISHABLE)
    assert view.table("community_meetings") is None
    rows = texts(view, "community_months")
    april, may, june, period, per_meeting = rows
    assert may[1] == "No meeting held"
    for row in (april, june, period):  # new + ongoing = heard
        assert _sum_is_protected(row[2:4], row[4]), row
    for column in (2, 3):  # months add up to the period
        assert _sum_is_protected([april[column], june[column]], period[column]), column
    assert april[3] == "<5"  # 2 ongoing in April
    assert per_meeting[2:] == ["4.5", "5.5", "10.0", "4.0"]  # of the period's shown totals
    april_, may_, june_ = sample_report().community.months  # type: ignore[union-attr]
    fewer = rm.Community(
        panels=("Northtown Community MARAC",),
        months=(
            dataclasses.replace(april_, ongoing=1),
            may_,
            dataclasses.replace(june_, ongoing=0, closed=2),
        ),
        meetings=(
            rm.CommunityMeeting("Northtown Community MARAC", date(2024, 4, 2), 6, 1, 3),
            rm.CommunityMeeting("Northtown Community MARAC", date(2024, 6, 4), 3, 0, 2),
        ),
    )
    hidden_total = publish(sample_report(community=fewer), Mode.PUBLISHABLE)
    *_, period, per_meeting = texts(hidden_total, "community_months")
    assert period[3] == "<5" and per_meeting[3] == "*"  # an average of a hidden total


def test_trend_hides_a_quarters_repeats_and_their_rate_together() -> None:
    rows = texts(publish(sample_report(), Mode.PUBLISHABLE), "trend")
    by_label = {row[0]: row[1:] for row in rows}
    assert by_label["Referrals"] == ["30", "<5", "42", "7", "57"]
    # Q4 2023/24: 4 repeats of 7 (3 not): both small, so the rate would give them back.
    assert by_label["Repeat referrals"][3] == "<5"
    assert by_label["Repeat referrals (%)"][3] == "*"
    assert by_label["Repeat referrals (%)"][4] == "33%"


def test_rounding_to_five_rounds_counts_of_people_only() -> None:
    view = publish(sample_report(), Mode.PUBLISHABLE, round_to_5=True)
    got = values(view)
    assert got["referrals"] == "55" and got["source_police"] == "30"
    assert got["meetings_held"] == "13"  # meetings are not people
    assert got["repeat_rate_pct"] == "33"  # from the exact counts
    assert any("rounded to the nearest 5" in note for note in view.notes)
    with pytest.raises(ValueError, match="publishable"):
        publish(sample_report(), Mode.INTERNAL, round_to_5=True)


def test_a_breakdown_too_small_to_publish_is_hidden_whole() -> None:
    tiny = dataclasses.replace(
        sample_report().perpetrators,
        relationship=_breakdown(
            RELATIONSHIPS, {"current_partner": 1, "ex_partner": 1, "family_member": 1, "other": 1}
        ),
        male=_c(4, 0, 0),
        aged_17_or_under=_c(0, 4, 0),
        mental_health=_c(1, 3, 0),
        substance_misuse=_c(0, 4, 0),
    )
    view = publish(sample_report(perpetrators=tiny), Mode.PUBLISHABLE)
    assert {row[1] for row in texts(view, "relationships")} == {"*"}


# ----- the files ----------------------------------------------------------------------------------


def _shown_texts(view: ReportView) -> set[str]:
    found = {item.shown.text for item in view.indicators}
    for table in view.tables:
        found |= {c if isinstance(c, str) else c.text for row in table.rows for c in row}
    found |= {bar.text for chart in view.charts for bar in chart.bars}
    return found


def test_the_publishable_pdf_prints_no_hidden_figure_anywhere() -> None:
    internal_view = publish(sample_report(), Mode.INTERNAL)
    public_view = publish(sample_report(), Mode.PUBLISHABLE)
    internal = flat(" ".join(pdf_pages(build_quarterly_report(internal_view)))).split()
    published = set(flat(" ".join(pdf_pages(build_quarterly_report(public_view)))).split())
    # Figures hidden when published that cannot be mistaken for anything else on the page: a
    # half (3.5 from Children's Social Care, 11.5 hidden with it), a percentage, an average.
    shown = _shown_texts(public_view)
    hidden = {
        exact.shown.text
        for exact, public in zip(internal_view.indicators, public_view.indicators, strict=True)
        if public.shown.hidden and re.search(r"[.%]", exact.shown.text)
    } - shown
    assert {"3.5", "11.5", "+1567%"} <= hidden  # the sample's own: the check can fail
    for figure in sorted(hidden):
        assert figure in internal, figure
        assert figure not in published, figure
    assert "57%" in internal and "57%" not in published  # Q4's repeat rate: table and chart
    assert "<5" in published and "*" in published


def test_the_pdf_is_marked_and_numbered_on_every_page_and_repeatable() -> None:
    view = publish(sample_report(), Mode.INTERNAL)
    data = build_quarterly_report(view)
    assert data == build_quarterly_report(view)  # same view, same bytes
    pages = [flat(text) for text in pdf_pages(data)]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, number
        assert f"Page {number} of {len(pages)}" in page
    everything = " ".join(pages)
    for heading in (
        "Headline indicators",
        "This quarter against the four before it",
        "Repeat referrals (%) against the expected band",
        "Referrals by source",
        "Actions due in the period, by outcome (%)",
        "Attendance by agency",
        "Community MARAC: cases by month",
    ):
        assert heading in everything, heading


def test_the_marking_comes_from_the_report() -> None:
    view = publish(sample_report(marking="OFFICIAL-SENSITIVE [PERSONAL]"), Mode.PUBLISHABLE)
    pages = pdf_pages(build_quarterly_report(view))
    assert all(flat(page).count("OFFICIAL-SENSITIVE [PERSONAL]") >= 2 for page in pages)


def test_user_text_in_agency_and_panel_names_prints_literally() -> None:
    report = sample_report(
        scope="<b>Panel</b> & Co",
        attendance=(rm.AgencyAttendance("Smith & <i>Jones</i>", 1, 0, 0),),
    )
    text = flat(" ".join(pdf_pages(build_quarterly_report(publish(report, Mode.INTERNAL)))))
    assert "Smith & <i>Jones</i>" in text
    assert "<b>Panel</b> & Co" in text


def test_xlsx_has_a_sheet_per_table_with_numbers_and_markers() -> None:
    view = publish(sample_report(), Mode.PUBLISHABLE)
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(view)))
    assert book.sheetnames[:2] == ["About", "Indicators"]
    assert set(book.sheetnames) >= {"Trend", "Referral sources", "Victims", "Attendance"}
    indicators = {
        row[0]: row[2] for row in book["Indicators"].iter_rows(min_row=2, values_only=True)
    }
    assert indicators["referrals"] == 57
    assert indicators["repeat_rate_pct"] == 33
    assert book["Indicators"]["C6"].number_format == '0"%"'  # repeat_rate_pct, shown as 33%
    assert indicators["source_childrens_social_care"] == "<5"
    assert indicators["cases_per_10k_women"] == Decimal("44.4") or indicators[
        "cases_per_10k_women"
    ] == pytest.approx(44.4)
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Figures"] == "Publishable"
    # the same figures as the CSV, key for key
    csv_values = dict(row for row in read_csv(indicators_csv(view))[1:])  # type: ignore[misc]
    for key, value in indicators.items():
        written = "" if value is None else str(value)
        assert written == csv_values[key] or Decimal(written) == Decimal(csv_values[key]), key


def test_shown_markers_are_never_numbers() -> None:
    view = publish(sample_report(), Mode.PUBLISHABLE)
    for item in view.indicators:
        shown: Shown = item.shown
        if shown.hidden:
            assert shown.number is None and shown.value in ("<5", "*"), item.key
    for chart in view.charts:
        for bar in chart.bars:
            if bar.text in ("<5", "*"):
                assert bar.number is None, (chart.key, bar.label)


def test_a_hidden_figure_gets_no_band_note() -> None:
    victims = dataclasses.replace(sample_report().victims, male=_c(1, 55, 1))
    view = publish(sample_report(victims=victims), Mode.PUBLISHABLE)
    assert view.indicator("male_victims_pct").position is None
    assert not any("Male victims" in note for note in view.band_notes)


def test_research_by_agency_cannot_be_subtracted_from_the_periods_total() -> None:
    research = (rm.AgencyResearch("Housing", 40, 20), rm.AgencyResearch("Police", 3, 3))
    internal = publish(sample_report(research=research), Mode.INTERNAL)
    assert [row[1:] for row in texts(internal, "research")] == [
        ["40", "20", "50%"],
        ["3", "3", "100%"],
    ]
    view = publish(sample_report(research=research), Mode.PUBLISHABLE)
    rows = texts(view, "research")
    total = view.indicator("research_requested").shown.text
    assert rows[1][1:] == ["<5", "<5", "*"]
    assert _sum_is_protected([row[1] for row in rows], total)
    # The period's returned total would show through its percentage: hidden with it.
    returned_pct = view.indicator("research_returned_pct").shown.text
    assert _sum_is_protected([row[2] for row in rows], returned_pct)
