"""The quarterly report as published: every figure formatted, and hidden where it must be, once.

`publish(report, mode)` applies disclosure control (`core.suppression`) to the exact figures of
`export.report_model` and returns a `ReportView` of text and shown numbers only. The PDF, CSV and
XLSX builders (and the GUI) take the view, so they cannot print a figure the view hid, and a
figure reads the same in every document made from one view: a chart's bar has no height for a
hidden figure, and a band note is written from the figure as printed.

The rules, beyond those of `core.suppression` (small counts "<5", secondary suppression "*",
optional rounding to 5, percentages hidden with their counts):

- **Who is protected.** Counts of people and cases — referrals, cases heard, victims,
  perpetrators, children, referral sources, research requests (one per case) and Community
  MARAC cases — are controlled. Counts of meetings, attendances, minutes and actions describe
  agencies' work and are shown as they are (never rounded); anything worked out from a
  controlled count (a percentage, cases per meeting, actions per case, the rate per 10,000
  women, a year-on-year change) is hidden with it.
- **Parts of a whole.** A count published beside its whole is a sum the reader can do even when
  the rest is not printed (20 referrals, 17 repeats: 3 were not repeats). So each such count is
  suppressed as a series with its complement and the whole (`part of`), and each
  characteristic as yes / no / not known adding up to everyone.
- **Research by agency** is a table (returned and not returned, by agency) whose row totals
  are each agency's cases asked and whose grand total is the period's: suppressed as one.
- **Tables too small to publish** (`safe` False in core.suppression): every figure of the table
  is hidden, totals and zeros too.
- **Community MARAC months.** New + ongoing = heard and closed + kept open = heard share their
  totals: each is suppressed as its own table and a total hidden in either is hidden in both.
  The per-meeting table is internal only (beside the monthly one it could give hidden figures
  away); a publishable report gives averages per meeting instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from marac_desk.core.indicators import (
    INDICATOR_LABELS,
    POLICE,
    Band,
    Number,
    Position,
    change_pct,
    exact,
    indicator_note,
    percent,
    rate_per_10k,
    round_half_up,
)
from marac_desk.core.periods import MONTH_NAMES, PeriodKind
from marac_desk.core.suppression import (
    HIDDEN,
    LEGEND,
    NOT_APPLICABLE,
    ROUNDING_NOTE,
    SMALL,
    THRESHOLD,
    Cell,
    Mode,
    Reason,
    count_cell,
    suppress_series,
    suppress_table,
)
from marac_desk.export.report_model import (
    AgencyResearch,
    Breakdown,
    Characteristic,
    Community,
    QuarterlyReport,
)


class Kind(StrEnum):
    COUNT = "count"  # a whole number (a half from joint referrals)
    PERCENT = "percent"  # whole percent, half-up
    RATE = "rate"  # per 10,000, one decimal place
    RATIO = "ratio"  # an average, one decimal place
    CHANGE = "change"  # year-on-year, whole percent, signed


@dataclass(frozen=True)
class Shown:
    """One figure as printed: table text, CSV value, and the number it stands for."""

    text: str  # "42", "12.5", "<5", "*", "13%", "+8%", "47.3", "–"
    value: str  # the CSV's value: "42", "<5", "*", "13", "8", "47.3", "" (not computable)
    number: Decimal | None  # None when hidden or not computable
    kind: Kind = Kind.COUNT

    @property
    def hidden(self) -> bool:
        return self.text in (SMALL, HIDDEN)


NONE_SHOWN = Shown(NOT_APPLICABLE, "", None)
_HIDDEN_PCT = Shown(HIDDEN, HIDDEN, None, Kind.PERCENT)

TableCell = str | Shown


@dataclass(frozen=True)
class ViewTable:
    key: str  # stable id; the XLSX sheet is named from `sheet`
    sheet: str  # at most 31 characters (XLSX)
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[TableCell, ...], ...]
    notes: tuple[str, ...] = ()
    total_rows: int = 0  # the last N rows are totals (printed bold)


@dataclass(frozen=True)
class Bar:
    label: str
    number: Decimal | None  # the bar's length; None: hidden or not computable (no bar)
    text: str  # the label printed at its end


@dataclass(frozen=True)
class ViewChart:
    key: str
    title: str
    bars: tuple[Bar, ...]
    unit: str = ""  # "%" for percentages
    band: Band | None = None  # shaded behind the bars
    note: str = ""


@dataclass(frozen=True)
class ViewIndicator:
    key: str  # the CSV key (stable snake_case)
    label: str
    shown: Shown
    expected: str = ""  # the band as printed ("28–40%"), empty without one
    position: Position | None = None  # against the band; None without band or figure


@dataclass(frozen=True)
class ReportView:
    title: str
    heading: str  # "Quarterly report to the MARAC steering group"
    partnership: str
    scope: str
    panels: tuple[str, ...]
    period_label: str  # "Q2 2023/24"
    period_text: str  # "Q2 2023/24: 1 July 2023 to 30 September 2023"
    mode: Mode
    round_to_5: bool
    marking: str
    generated_at: datetime
    as_at: date
    indicators: tuple[ViewIndicator, ...]  # the CSV, in order
    tables: tuple[ViewTable, ...]  # the XLSX sheets, in order
    charts: tuple[ViewChart, ...]
    band_notes: tuple[str, ...]  # figures outside their expected bands
    notes: tuple[str, ...]  # how to read the figures

    def indicator(self, key: str) -> ViewIndicator:
        for item in self.indicators:
            if item.key == key:
                return item
        raise KeyError(key)

    def table(self, key: str) -> ViewTable | None:
        return next((t for t in self.tables if t.key == key), None)

    def chart(self, key: str) -> ViewChart | None:
        return next((c for c in self.charts if c.key == key), None)

    @property
    def publishable(self) -> bool:
        return self.mode is Mode.PUBLISHABLE


# ----- single figures ---------------------------------------------------------------------------


def _number(text: str) -> Decimal:
    return Decimal(text)


def _from_cell(cell: Cell) -> Shown:
    if cell.suppressed:
        return Shown(cell.text, cell.text, None)
    return Shown(cell.text, cell.text, _number(cell.text))


def exact_count(n: Number) -> Shown:
    """A count shown as it is (internal reports, and counts of meetings or actions)."""
    return _from_cell(count_cell(n, Mode.INTERNAL))


def _pct(value: int | None) -> Shown:
    if value is None:
        return NONE_SHOWN
    return Shown(f"{value}%", str(value), Decimal(value), Kind.PERCENT)


def _one_place(value: Decimal | None, kind: Kind) -> Shown:
    if value is None:
        return NONE_SHOWN
    text = f"{value:.1f}"
    return Shown(text, text, value, kind)


def _small(n: Number) -> bool:
    return 0 < exact(n) < THRESHOLD


def _all_hidden(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    return tuple(Cell(HIDDEN, Reason.SECONDARY) for _ in cells)


@dataclass(frozen=True)
class CharacteristicView:
    count: Shown
    pct: Shown  # of everyone
    pct_known: Shown  # of those whose answer is known
    unknown: Shown  # not known or not stated
    unknown_pct: Shown
    total: Shown


@dataclass(frozen=True)
class BreakdownView:
    counts: tuple[Shown, ...]
    pcts: tuple[Shown, ...]
    total: Shown


class _Publisher:
    def __init__(self, mode: Mode, round_to_5: bool) -> None:
        self.mode = mode
        self.round_to_5 = round_to_5 and mode is Mode.PUBLISHABLE

    @property
    def publishable(self) -> bool:
        return self.mode is Mode.PUBLISHABLE

    # counts

    def count(self, n: Number) -> Shown:
        """A count of people or cases on its own."""
        return _from_cell(count_cell(n, self.mode, round_to_5=self.round_to_5))

    def series(self, values: Sequence[Number]) -> tuple[tuple[Cell, ...], Cell]:
        """Categories that add up to a published total; every figure hidden if too small."""
        found = suppress_series(values, self.mode, round_to_5=self.round_to_5)
        assert found.total is not None
        if not found.safe:
            return _all_hidden(found.items), Cell(HIDDEN, Reason.SECONDARY)
        return found.items, found.total

    def part(self, part: Number, whole: Number) -> tuple[Shown, Shown]:
        """A count and the whole it is part of (the rest unpublished but worked out)."""
        rest = exact(whole) - exact(part)
        cells, total = self.series([exact(part), rest])
        return _from_cell(cells[0]), _from_cell(total)

    # derived figures

    def pct(self, part: Number, whole: Number, *, hidden: bool = False) -> Shown:
        if exact(whole) == 0:
            return NONE_SHOWN
        if self.publishable and (hidden or _small(part) or _small(whole)):
            return _HIDDEN_PCT
        return _pct(percent(part, whole))

    def ratio(self, top: Number, bottom: Number, *, hidden: bool = False) -> Shown:
        if exact(bottom) == 0:
            return NONE_SHOWN
        if self.publishable and hidden:
            return Shown(HIDDEN, HIDDEN, None, Kind.RATIO)
        return _one_place(round_half_up(exact(top) / exact(bottom), 1), Kind.RATIO)

    def change(self, current: int, previous: int) -> Shown:
        value = change_pct(current, previous)
        if value is None:
            return NONE_SHOWN
        if self.publishable and (_small(current) or _small(previous)):
            return Shown(HIDDEN, HIDDEN, None, Kind.CHANGE)
        sign = "+" if value > 0 else ""
        return Shown(f"{sign}{value}%", str(value), Decimal(value), Kind.CHANGE)

    def rate(self, cases: int, population: int | None) -> Shown:
        if population is None or population <= 0:
            return NONE_SHOWN
        if self.publishable and _small(cases):
            return Shown(HIDDEN, HIDDEN, None, Kind.RATE)
        return _one_place(rate_per_10k(cases, population), Kind.RATE)

    # breakdowns

    def characteristic(self, c: Characteristic) -> CharacteristicView:
        cells, total = self.series([c.count, c.other, c.unknown])
        count, other, unknown = cells
        any_hidden = total.suppressed or any(cell.suppressed for cell in cells)
        share = c.share
        return CharacteristicView(
            count=_from_cell(count),
            pct=self.pct(c.count, c.total, hidden=count.suppressed or total.suppressed),
            pct_known=self.pct(
                c.count, share.known, hidden=any_hidden or other.suppressed or count.suppressed
            ),
            unknown=_from_cell(unknown),
            unknown_pct=self.pct(c.unknown, c.total, hidden=unknown.suppressed or total.suppressed),
            total=_from_cell(total),
        )

    def breakdown(self, b: Breakdown) -> BreakdownView:
        cells, total = self.series(b.counts)
        return BreakdownView(
            counts=tuple(_from_cell(c) for c in cells),
            pcts=tuple(
                self.pct(n, b.total, hidden=c.suppressed or total.suppressed)
                for n, c in zip(b.counts, cells, strict=True)
            ),
            total=_from_cell(total),
        )


# ----- the view -----------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A category's CSV key part: "Children's Social Care" → "childrens_social_care"."""
    return re.sub(r"[^a-z0-9]+", "_", text.casefold().replace("'", "").replace("’", "")).strip("_")


def long_day(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def short_day(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def period_text(report: QuarterlyReport) -> str:
    p = report.period
    dates = f"{long_day(p.start)} to {long_day(p.end)}"
    return dates if p.kind is PeriodKind.RANGE else f"{p.label}: {dates}"


VICTIM_ROWS: tuple[tuple[str, str, str], ...] = (
    # (attribute, label, CSV key stem)
    ("bame", "Black, Asian or racially minoritised", "bame_victims"),
    ("lgbt", "LGBT+", "lgbt_victims"),
    ("disabled", "Disabled", "disabled_victims"),
    ("male", "Male", "male_victims"),
    ("aged_16_17", "Aged 16–17 at referral", "victims_16_17"),
    ("mental_health", "Mental-health needs", "victims_mental_health"),
    ("substance_misuse", "Substance-misuse needs", "victims_substance_misuse"),
)
PERPETRATOR_ROWS: tuple[tuple[str, str, str], ...] = (
    ("male", "Male", "male_perpetrators"),
    ("aged_17_or_under", "Aged 17 or under at referral", "perpetrators_under_18"),
    ("mental_health", "Mental-health needs", "perpetrators_mental_health"),
    ("substance_misuse", "Substance-misuse needs", "perpetrators_substance_misuse"),
)
RELATIONSHIP_KEYS: dict[str, str] = {
    "current_partner": "perpetrators_current_partner_pct",
    "ex_partner": "perpetrators_ex_partner_pct",
    "family_member": "perpetrators_family_member_pct",
    "other": "perpetrators_other_relationship_pct",
    "not_known": "perpetrators_relationship_not_known_pct",
}


class _Builder:
    def __init__(self, report: QuarterlyReport, mode: Mode, round_to_5: bool) -> None:
        self.r = report
        self.p = _Publisher(mode, round_to_5)
        self.indicators: dict[str, ViewIndicator] = {}
        self.tables: list[ViewTable] = []
        self.charts: list[ViewChart] = []

    def add(self, key: str, label: str, shown: Shown) -> Shown:
        if key in self.indicators:
            raise AssertionError(f"indicator {key} given twice")
        band = self.r.band(key)
        expected, position = "", None
        if band is not None:
            unit = "%" if shown.kind is Kind.PERCENT else ""
            expected = band.describe(unit)
            if shown.number is not None:
                position = band.position(shown.number)
        self.indicators[key] = ViewIndicator(key, label, shown, expected, position)
        return shown

    def band_notes(self) -> tuple[str, ...]:
        bands = dict(self.r.bands)
        notes = []
        for item in self.indicators.values():
            if item.position is None or item.position is Position.WITHIN:
                continue
            note = indicator_note(item.key, item.shown.number, bands)
            if note is not None:
                notes.append(note + ".")
        return tuple(notes)

    # sections

    def headline(self) -> None:
        """The national return's indicators, in core.indicators.INDICATORS order."""
        r, p = self.r, self.p
        current = r.current
        referrals = self.add("referrals", INDICATOR_LABELS["referrals"], p.count(r.referrals))
        self.add("cases_heard", INDICATOR_LABELS["cases_heard"], p.count(r.cases_heard))
        self.add("meetings_held", INDICATOR_LABELS["meetings_held"], exact_count(r.meetings_held))
        repeats, _ = p.part(current.repeats, current.referrals)
        self.add("repeat_referrals", INDICATOR_LABELS["repeat_referrals"], repeats)
        self.add(
            "repeat_rate_pct",
            INDICATOR_LABELS["repeat_rate_pct"],
            p.pct(current.repeats, current.referrals, hidden=repeats.hidden or referrals.hidden),
        )
        self.add(
            "children_in_household",
            INDICATOR_LABELS["children_in_household"],
            p.count(current.children),
        )
        families, _ = p.part(current.families, current.referrals)
        self.add("families_with_children", INDICATOR_LABELS["families_with_children"], families)
        self.add(
            "cases_per_10k_women",
            INDICATOR_LABELS["cases_per_10k_women"],
            p.rate(r.rate_cases, r.adult_female_population),
        )
        self.sources_view = p.breakdown(r.sources)
        police = [c.key for c in r.sources.categories].index(POLICE)
        police_cell = self.sources_view.counts[police]
        self.add(
            "non_police_referrals_pct",
            INDICATOR_LABELS["non_police_referrals_pct"],
            p.pct(
                exact(r.sources.total) - exact(r.sources.counts[police]),
                r.sources.total,
                hidden=police_cell.hidden or self.sources_view.total.hidden,
            ),
        )
        self.victim_views = {a: p.characteristic(getattr(r.victims, a)) for a, _, _ in VICTIM_ROWS}
        self.perp_views = {
            a: p.characteristic(getattr(r.perpetrators, a)) for a, _, _ in PERPETRATOR_ROWS
        }
        v = self.victim_views
        for key, attr in (
            ("bame_victims_pct", "bame"),
            ("lgbt_victims_pct", "lgbt"),
            ("disabled_victims_pct", "disabled"),
            ("male_victims_pct", "male"),
        ):
            self.add(key, INDICATOR_LABELS[key], v[attr].pct)
        self.add("victims_16_17", INDICATOR_LABELS["victims_16_17"], v["aged_16_17"].count)
        self.add(
            "perpetrators_under_18",
            INDICATOR_LABELS["perpetrators_under_18"],
            self.perp_views["aged_17_or_under"].count,
        )

    def more_indicators(self) -> None:
        r, p = self.r, self.p
        earlier = r.year_earlier
        self.add(
            "referrals_year_earlier",
            f"Referrals in {earlier.period.label}",
            p.count(earlier.referrals),
        )
        self.add(
            "referrals_change_pct",
            "Referrals: change on a year earlier",
            p.change(r.referrals, earlier.referrals),
        )
        self.add(
            "cases_heard_year_earlier",
            f"Cases heard in {earlier.period.label}",
            p.count(r.cases_heard_year_earlier),
        )
        self.add(
            "cases_heard_change_pct",
            "Cases heard: change on a year earlier",
            p.change(r.cases_heard, r.cases_heard_year_earlier),
        )
        self.add(
            "cases_per_meeting",
            "Cases heard per meeting",
            p.ratio(
                r.hearings, r.meetings_held, hidden=_small(r.hearings) or _small(r.cases_heard)
            ),
        )
        for category, count, pct in zip(
            r.sources.categories,
            self.sources_view.counts,
            self.sources_view.pcts,
            strict=True,
        ):
            key = slug(category.key)
            self.add(f"source_{key}", f"Referrals from {category.label}", count)
            self.add(f"source_{key}_pct", f"Referrals from {category.label} (%)", pct)

        for attr, label, stem in VICTIM_ROWS:
            view = self.victim_views[attr]
            if stem == "victims_16_17":
                self.add("victims_16_17_pct", "Victims aged 16–17 (%)", view.pct)
                self.add(
                    "victims_age_not_known_pct", "Victims' age not known (%)", view.unknown_pct
                )
                continue
            what = f"Victims with {label.lower()}" if stem.startswith("victims_") else label
            if stem.startswith("victims_"):  # needs: not among the national return's
                self.add(f"{stem}_pct", f"{what} (%)", view.pct)
            self.add(
                f"{stem}_not_known_pct", f"{what}: not known or not stated (%)", view.unknown_pct
            )

        self.perpetrator_indicators()
        self.operational_indicators()
        self._community_indicators()

    def perpetrator_indicators(self) -> None:
        r, p = self.r, self.p
        perps = r.perpetrators
        self.add("perpetrators", "Perpetrators named", p.count(perps.total))
        for attr, label, stem in PERPETRATOR_ROWS:
            view = self.perp_views[attr]
            if stem == "perpetrators_under_18":
                self.add("perpetrators_under_18_pct", "Perpetrators aged 17 or under (%)", view.pct)
                self.add(
                    "perpetrators_age_not_known_pct",
                    "Perpetrators' age not known (%)",
                    view.unknown_pct,
                )
                continue
            what = "Male perpetrators" if attr == "male" else f"Perpetrators with {label.lower()}"
            self.add(f"{stem}_pct", f"{what} (%)", view.pct)
            self.add(
                f"{stem}_not_known_pct",
                f"{what}: not known or not stated (%)",
                view.unknown_pct,
            )
        self.relationship_view = p.breakdown(perps.relationship)
        for category, pct in zip(
            perps.relationship.categories, self.relationship_view.pcts, strict=True
        ):
            self.add(RELATIONSHIP_KEYS[category.key], f"Perpetrators: {category.label} (%)", pct)

    def operational_indicators(self) -> None:
        r, p = self.r, self.p
        a = r.actions
        heard_small = _small(r.cases_heard)
        self.add("actions_agreed", "Actions agreed", exact_count(a.agreed))
        self.add(
            "actions_per_case",
            "Actions per case heard",
            p.ratio(a.agreed, r.hearings, hidden=heard_small or _small(r.hearings)),
        )
        self.add(
            "actions_owner_and_due_pct",
            "Actions with a named owner and a due date (%)",
            _pct(percent(a.with_owner_and_due, a.agreed)),
        )
        self.add(
            "actions_perpetrator_focused_pct",
            "Actions focused on the perpetrator (%)",
            _pct(percent(a.perpetrator_focused, a.agreed)),
        )
        self.add("actions_due", "Actions due in the period", exact_count(a.due))
        self.add(
            "actions_completed_on_time_pct",
            "Actions due in the period completed on time (%)",
            _pct(percent(a.completed_on_time, a.due)),
        )
        self.add(
            "actions_overdue_now",
            f"Actions overdue on {short_day(r.as_at)}",
            exact_count(a.overdue_now),
        )
        m = r.minutes
        self.add("minutes_due", "Minutes due", exact_count(m.due))
        self.add(
            "minutes_on_time_pct",
            "Minutes circulated within the deadline (%)",
            _pct(percent(m.on_time, m.due)),
        )
        self.research_view = _ResearchView(r.research, p)
        returned_cell, requested_cell = self.research_view.totals
        self.add("research_requested", "Research requests (agency × case)", requested_cell)
        self.add(
            "research_returned_pct",
            "Research returned (%)",
            p.pct(
                sum(x.returned for x in r.research),
                sum(x.requested for x in r.research),
                hidden=returned_cell.hidden or requested_cell.hidden,
            ),
        )
        c = r.completeness
        complete, whole = p.part(c.complete, c.referrals)
        self.add(
            "referrals_complete_pct",
            "Referrals with nothing missing (%)",
            p.pct(c.complete, c.referrals, hidden=complete.hidden or whole.hidden),
        )

    def _community_indicators(self) -> None:
        community = self.r.community
        keys = (
            ("community_meetings_held", "Community MARAC meetings held"),
            ("community_new_cases", "Community MARAC new cases"),
            ("community_ongoing_cases", "Community MARAC ongoing cases"),
            ("community_closed_cases", "Community MARAC cases closed"),
        )
        if community is None:
            for key, label in keys:
                self.add(key, label, NONE_SHOWN)
            return
        self.community_view = _CommunityView(community, self.p)
        totals = self.community_view.totals
        self.add(keys[0][0], keys[0][1], exact_count(community.meetings_held))
        for (key, label), shown in zip(keys[1:], totals, strict=True):
            self.add(key, label, shown)

    # tables

    def table(self, table: ViewTable) -> None:
        self.tables.append(table)

    def trend_table(self) -> None:
        p = self.p
        columns = []
        for counts in self.r.trend:
            referrals = p.count(counts.referrals)
            repeats, _ = p.part(counts.repeats, counts.referrals)
            families, _ = p.part(counts.families, counts.referrals)
            columns.append(
                (
                    referrals,
                    p.count(counts.children),
                    families,
                    repeats,
                    p.pct(
                        counts.repeats,
                        counts.referrals,
                        hidden=repeats.hidden or referrals.hidden,
                    ),
                )
            )
        labels = (
            "Referrals",
            "Children in the households",
            "Families with children",
            "Repeat referrals",
            "Repeat referrals (%)",
        )
        rows: tuple[tuple[TableCell, ...], ...] = tuple(
            (label, *(column[i] for column in columns)) for i, label in enumerate(labels)
        )
        header = ("", *(c.period.label for c in self.r.trend))
        title = (
            "This quarter against the four before it"
            if self.r.period.kind is PeriodKind.QUARTER
            else "This period against the same period a year earlier"
        )
        self.table(ViewTable("trend", "Trend", title, header, rows))
        band = self.r.band("repeat_rate_pct")
        self.charts.append(
            ViewChart(
                "repeat_rate",
                "Repeat referrals (%) against the expected band",
                tuple(
                    Bar(c.period.label, col[4].number, col[4].text)
                    for c, col in zip(self.r.trend, columns, strict=True)
                ),
                unit="%",
                band=band,
                note=f"Shaded: expected {band.describe('%')}" if band else "",
            )
        )

    def headline_table(self) -> None:
        keys = (
            "referrals",
            "cases_heard",
            "meetings_held",
            "cases_per_meeting",
            "repeat_referrals",
            "repeat_rate_pct",
            "children_in_household",
            "families_with_children",
            "cases_per_10k_women",
            "non_police_referrals_pct",
            "bame_victims_pct",
            "lgbt_victims_pct",
            "disabled_victims_pct",
            "male_victims_pct",
            "victims_16_17",
            "perpetrators_under_18",
        )
        rows = []
        for key in keys:
            item = self.indicators[key]
            rows.append((item.label, item.shown, item.expected, _position_text(item.position)))
        notes = []
        r = self.r
        if r.adult_female_population is None:
            notes.append(r.population_note)
        else:
            notes.append(
                f"Cases per 10,000 adult women: cases heard from {short_day(r.rate_period.start)} "
                f"to {short_day(r.rate_period.end)} (12 months), for an adult female population "
                f"of {r.adult_female_population:,}."
            )
        self.table(
            ViewTable(
                "headline",
                "Headline",
                "The indicators",
                ("Indicator", "This period", "Expected", "Against expected"),
                tuple(rows),
                notes=tuple(notes),
            )
        )
        yoy_rows = (
            (
                "Referrals",
                self.indicators["referrals_year_earlier"].shown,
                self.indicators["referrals"].shown,
                self.indicators["referrals_change_pct"].shown,
            ),
            (
                "Cases heard",
                self.indicators["cases_heard_year_earlier"].shown,
                self.indicators["cases_heard"].shown,
                self.indicators["cases_heard_change_pct"].shown,
            ),
        )
        self.table(
            ViewTable(
                "year_on_year",
                "Year on year",
                "Year-on-year change",
                ("", r.year_earlier.period.label, r.period.label, "Change"),
                yoy_rows,
            )
        )

    def sources_table(self) -> None:
        r, view = self.r, self.sources_view
        rows: list[tuple[TableCell, ...]] = [
            (category.label, count, pct)
            for category, count, pct in zip(
                r.sources.categories, view.counts, view.pcts, strict=True
            )
        ]
        rows.append(("All referrals", view.total, _pct(100) if r.referrals else NONE_SHOWN))
        self.table(
            ViewTable(
                "sources",
                "Referral sources",
                "Referral sources",
                ("Referring agency", "Referrals", "Share"),
                tuple(rows),
                notes=("A joint referral counts 0.5 to each of the two agencies.",),
                total_rows=1,
            )
        )
        self.charts.append(
            ViewChart(
                "sources",
                "Referrals by source",
                tuple(
                    Bar(category.label, count.number, count.text)
                    for category, count in zip(r.sources.categories, view.counts, strict=True)
                ),
            )
        )

    def people_tables(self) -> None:
        header = (
            "",
            "Number",
            "% of all",
            "% of those known",
            "Not known / not stated",
            "% not known",
        )

        def rows(
            spec: Sequence[tuple[str, str, str]], views: dict[str, CharacteristicView]
        ) -> tuple[tuple[TableCell, ...], ...]:
            return tuple(
                (
                    label,
                    views[attr].count,
                    views[attr].pct,
                    views[attr].pct_known,
                    views[attr].unknown,
                    views[attr].unknown_pct,
                )
                for attr, label, _ in spec
            )

        victims_total = self.victim_views["bame"].total
        self.table(
            ViewTable(
                "victims",
                "Victims",
                "Victims",
                header,
                rows(VICTIM_ROWS, self.victim_views),
                notes=(
                    f"Victims referred in the period, once per referral: {victims_total.text}. "
                    "Percentages are of all victims, unknowns included, as the national return "
                    "counts them; the share of those whose answer is known is beside it.",
                ),
            )
        )
        perps = self.r.perpetrators
        perps_total = self.perp_views["male"].total
        self.table(
            ViewTable(
                "perpetrators",
                "Perpetrators",
                "Perpetrators",
                header,
                rows(PERPETRATOR_ROWS, self.perp_views),
                notes=(
                    "Perpetrators named on the period's referrals, once per referral: "
                    f"{perps_total.text}.",
                ),
            )
        )
        view = self.relationship_view
        rel_rows: list[tuple[TableCell, ...]] = [
            (category.label, count, pct)
            for category, count, pct in zip(
                perps.relationship.categories, view.counts, view.pcts, strict=True
            )
        ]
        rel_rows.append(("All perpetrators", view.total, _pct(100) if perps.total else NONE_SHOWN))
        self.table(
            ViewTable(
                "relationships",
                "Relationships",
                "Perpetrator's relationship to the victim",
                ("Relationship", "Perpetrators", "Share"),
                tuple(rel_rows),
                total_rows=1,
            )
        )

    def actions_tables(self) -> None:
        a = self.r.actions
        ind = self.indicators
        rows: tuple[tuple[TableCell, ...], ...] = (
            ("Actions agreed at meetings held in the period", ind["actions_agreed"].shown),
            ("Actions per case heard", ind["actions_per_case"].shown),
            (
                "With a named owner and a due date",
                ind["actions_owner_and_due_pct"].shown,
            ),
            ("Focused on the perpetrator", ind["actions_perpetrator_focused_pct"].shown),
            ("Actions due in the period", ind["actions_due"].shown),
            ("Completed on time", ind["actions_completed_on_time_pct"].shown),
            (f"Overdue on {short_day(self.r.as_at)}", ind["actions_overdue_now"].shown),
        )
        self.table(
            ViewTable("actions", "Actions", "Agreed, followed up and overdue", ("", "Figure"), rows)
        )
        outcomes = (
            ("Completed on time", a.completed_on_time),
            ("Completed late", a.completed_late),
            ("Still open", a.still_open),
            ("Not possible or not undertaken", a.closed_otherwise),
        )
        pcts = [_pct(percent(n, a.due)) for _, n in outcomes]
        out_rows: list[tuple[TableCell, ...]] = [
            (label, exact_count(n), pct) for (label, n), pct in zip(outcomes, pcts, strict=True)
        ]
        out_rows.append(("All actions due", exact_count(a.due), _pct(100 if a.due else None)))
        self.table(
            ViewTable(
                "action_outcomes",
                "Actions due",
                "Actions due in the period, by outcome",
                ("Outcome", "Actions", "Share"),
                tuple(out_rows),
                notes=("By each action's current due date (after any carry-forward).",),
                total_rows=1,
            )
        )
        self.charts.append(
            ViewChart(
                "actions",
                "Actions due in the period, by outcome (%)",
                tuple(
                    Bar(label, pct.number, pct.text)
                    for (label, _), pct in zip(outcomes, pcts, strict=True)
                ),
                unit="%",
            )
        )

    def meeting_tables(self) -> None:
        r = self.r
        held = r.meetings_held
        attendance_rows = tuple(
            (
                row.agency,
                exact_count(row.attended),
                exact_count(row.apologies),
                exact_count(row.information_sent),
                _pct(percent(row.attended, held)),
            )
            for row in r.attendance
        )
        self.table(
            ViewTable(
                "attendance",
                "Attendance",
                "Attendance by agency",
                ("Agency", "Meetings attended", "Apologies", "Information sent", "Attended"),
                attendance_rows,
                notes=(f"Out of {held} meetings held in the period.",),
            )
        )
        research_rows = self.research_view.rows()
        self.table(
            ViewTable(
                "research",
                "Research",
                "Research returned by agency",
                ("Agency", "Cases asked", "Returned", "Returned (%)"),
                tuple(research_rows),
                notes=("Returned: research received, or the agency reported nothing held.",),
            )
        )
        m = r.minutes
        self.table(
            ViewTable(
                "minutes",
                "Minutes",
                "Minutes circulated within the deadline",
                ("", "Meetings"),
                (
                    ("Meetings held", exact_count(r.meetings_held)),
                    ("Minutes circulated on time", exact_count(m.on_time)),
                    ("Minutes late (or still not circulated)", exact_count(m.late)),
                    ("Not yet due", exact_count(m.not_yet_due)),
                    ("Circulated on time (% of those due)", _pct(percent(m.on_time, m.due))),
                ),
                notes=("The deadline is each panel's number of working days after the meeting.",),
            )
        )

    def completeness_table(self) -> None:
        c = self.r.completeness
        p = self.p
        rows: list[tuple[TableCell, ...]] = []
        complete, whole = p.part(c.complete, c.referrals)
        rows.append(
            (
                "Nothing missing",
                complete,
                p.pct(c.complete, c.referrals, hidden=complete.hidden or whole.hidden),
            )
        )
        for category, n in zip(c.missing.categories, c.missing.counts, strict=True):
            missing, whole = p.part(n, c.referrals)
            rows.append(
                (
                    f"Missing: {category.label}",
                    missing,
                    p.pct(n, c.referrals, hidden=missing.hidden or whole.hidden),
                )
            )
        self.table(
            ViewTable(
                "completeness",
                "Completeness",
                "What the period's referrals lack",
                ("", "Referrals", "% of referrals"),
                tuple(rows),
                notes=("A referral may miss several items.",),
            )
        )

    def community_tables(self) -> None:
        if self.r.community is None:
            return
        view = self.community_view
        self.table(view.month_table())
        if not self.p.publishable:
            self.table(view.meeting_table())


def _position_text(position: Position | None) -> str:
    if position is None:
        return ""
    return {Position.BELOW: "Below", Position.WITHIN: "Within", Position.ABOVE: "Above"}[position]


class _CommunityView:
    """New, ongoing and closed cases by month (see the module notes on linked totals)."""

    def __init__(self, community: Community, publisher: _Publisher) -> None:
        self.c = community
        self.p = publisher
        months = community.months
        heard_rows = [[m.new, m.ongoing] for m in months]
        closed_rows = [[m.closed, m.new + m.ongoing - m.closed] for m in months]
        a = suppress_table(heard_rows, publisher.mode, round_to_5=publisher.round_to_5)
        b = suppress_table(closed_rows, publisher.mode, round_to_5=publisher.round_to_5)
        if not (a.safe and b.safe):
            hide = Cell(HIDDEN, Reason.SECONDARY)
            self.body = [[hide, hide] for _ in months]
            self.closed = [hide for _ in months]
            self.heard = [hide for _ in months]
            self.column = [hide, hide]
            self.closed_total = hide
            self.grand = hide
        else:
            self.body = [list(row) for row in a.cells]
            self.closed = [row[0] for row in b.cells]
            self.heard = [_union(x, y) for x, y in zip(a.row_totals, b.row_totals, strict=True)]
            self.column = list(a.column_totals)
            self.closed_total = b.column_totals[0]
            assert a.grand_total is not None and b.grand_total is not None
            self.grand = _union(a.grand_total, b.grand_total)

    @property
    def totals(self) -> tuple[Shown, Shown, Shown]:
        new, ongoing = self.column
        return _from_cell(new), _from_cell(ongoing), _from_cell(self.closed_total)

    def month_table(self) -> ViewTable:
        rows: list[tuple[TableCell, ...]] = []
        for month, body, heard, closed in zip(
            self.c.months, self.body, self.heard, self.closed, strict=True
        ):
            label = month.month.label
            if month.meetings == 0:
                rows.append((label, "No meeting held", "–", "–", "–", "–"))
                continue
            rows.append(
                (
                    label,
                    exact_count(month.meetings),
                    _from_cell(body[0]),
                    _from_cell(body[1]),
                    _from_cell(heard),
                    _from_cell(closed),
                )
            )
        new, ongoing, closed_total = self.totals
        held = self.c.meetings_held
        rows.append(
            (
                "Period",
                exact_count(held),
                new,
                ongoing,
                _from_cell(self.grand),
                closed_total,
            )
        )
        c = self.c
        rows.append(
            (
                "Per meeting",
                "",
                self.p.ratio(sum(m.new for m in c.months), held, hidden=new.hidden),
                self.p.ratio(sum(m.ongoing for m in c.months), held, hidden=ongoing.hidden),
                self.p.ratio(
                    sum(m.new + m.ongoing for m in c.months),
                    held,
                    hidden=_from_cell(self.grand).hidden,
                ),
                self.p.ratio(sum(m.closed for m in c.months), held, hidden=closed_total.hidden),
            )
        )
        return ViewTable(
            "community_months",
            "Community MARAC by month",
            "Community MARAC: cases by month",
            ("Month", "Meetings", "New", "Ongoing", "Heard", "Closed"),
            tuple(rows),
            notes=(
                "New: heard for the first time. Ongoing: heard at an earlier meeting and heard "
                "again. Closed: closed at the meeting, new or ongoing.",
                "Panels: " + ", ".join(c.panels) + ".",
            ),
            total_rows=2,
        )

    def meeting_table(self) -> ViewTable:
        rows = tuple(
            (
                short_day(m.meeting_date),
                m.panel,
                exact_count(m.new),
                exact_count(m.ongoing),
                exact_count(m.new + m.ongoing),
                exact_count(m.closed),
            )
            for m in self.c.meetings
        )
        return ViewTable(
            "community_meetings",
            "Community MARAC by meeting",
            "Community MARAC: cases by meeting",
            ("Meeting", "Panel", "New", "Ongoing", "Heard", "Closed"),
            rows,
            notes=("Internal report only.",),
        )


class _ResearchView:
    """Research returned (and not) by agency: a table whose rows add up to each agency's cases
    asked and whose columns add up to the period's, so that no hidden figure can be worked out
    from the totals."""

    def __init__(self, research: Sequence[AgencyResearch], publisher: _Publisher) -> None:
        self.research = research
        self.p = publisher
        body = [[x.returned, x.requested - x.returned] for x in research]
        if not body:
            zero = Cell("0")
            self.cells: list[tuple[Cell, Cell]] = []
            self.requested: list[Cell] = []
            self.total_returned, self.total = zero, zero
            return
        table = suppress_table(body, publisher.mode, round_to_5=publisher.round_to_5)
        if not table.safe:
            hide = Cell(HIDDEN, Reason.SECONDARY)
            self.cells = [(hide, hide) for _ in research]
            self.requested = [hide for _ in research]
            self.total_returned, self.total = hide, hide
            return
        self.cells = [(row[0], row[1]) for row in table.cells]
        self.requested = list(table.row_totals)
        assert table.grand_total is not None
        self.total_returned, self.total = table.column_totals[0], table.grand_total

    @property
    def totals(self) -> tuple[Shown, Shown]:
        """(returned, asked) for the whole period."""
        return _from_cell(self.total_returned), _from_cell(self.total)

    def rows(self) -> tuple[tuple[TableCell, ...], ...]:
        found: list[tuple[TableCell, ...]] = []
        for x, (returned, _), requested in zip(
            self.research, self.cells, self.requested, strict=True
        ):
            found.append(
                (
                    x.agency,
                    _from_cell(requested),
                    _from_cell(returned),
                    self.p.pct(
                        x.returned, x.requested, hidden=returned.suppressed or requested.suppressed
                    ),
                )
            )
        return tuple(found)


def _union(a: Cell, b: Cell) -> Cell:
    """A total shared by two tables: hidden if either hides it."""
    if a.reason is Reason.PRIMARY or b.reason is Reason.PRIMARY:
        return Cell(SMALL, Reason.PRIMARY)
    if a.suppressed or b.suppressed:
        return Cell(HIDDEN, Reason.SECONDARY)
    return a


# ----- the whole ----------------------------------------------------------------------------------


_KIND_WORDS = {PeriodKind.QUARTER: "quarterly report", PeriodKind.YEAR: "annual report"}


def report_kind(report: QuarterlyReport) -> str:
    """ "quarterly report", "annual report" (a financial year) or "report" (any other period)."""
    return _KIND_WORDS.get(report.period.kind, "report")


def report_title(report: QuarterlyReport) -> str:
    return f"{report.scope} — {report_kind(report)}, {report.period.label}"


def publish(report: QuarterlyReport, mode: Mode, *, round_to_5: bool = False) -> ReportView:
    """The report as printed in `mode` (see the module notes); `round_to_5` only when
    publishable."""
    if round_to_5 and mode is not Mode.PUBLISHABLE:
        raise ValueError("Rounding to 5 is for publishable reports only.")
    b = _Builder(report, mode, round_to_5)
    b.headline()
    b.more_indicators()
    b.headline_table()
    b.trend_table()
    b.sources_table()
    b.people_tables()
    b.actions_tables()
    b.meeting_tables()
    b.completeness_table()
    b.community_tables()
    notes = []
    if mode is Mode.PUBLISHABLE:
        notes.append(
            "Publishable figures: counts of people and cases below 5 are shown as <5, and other "
            "figures are hidden (*) where a hidden one could be worked out from them. " + LEGEND
        )
        if round_to_5:
            notes.append(ROUNDING_NOTE + " Counts of meetings and actions are not rounded.")
        notes.append("Percentages are worked out from the exact counts.")
    else:
        notes.append(
            "Internal report: exact figures. Not for publication — make a publishable version "
            "for anything shared outside the partnership."
        )
    notes.append("Percentages are rounded half-up to a whole percent; – means none to count.")
    return ReportView(
        title=report_title(report),
        heading=f"{report_kind(report).capitalize()} to the MARAC steering group",
        partnership=report.partnership,
        scope=report.scope,
        panels=report.panels,
        period_label=report.period.label,
        period_text=period_text(report),
        mode=mode,
        round_to_5=round_to_5,
        marking=report.marking,
        generated_at=report.generated_at,
        as_at=report.as_at,
        indicators=tuple(b.indicators.values()),
        tables=tuple(b.tables),
        charts=tuple(b.charts),
        band_notes=b.band_notes(),
        notes=tuple(notes),
    )
