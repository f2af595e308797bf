"""Disclosure control for published tables (DOMAIN.md §6), read as the rules.

The property tests play the reader of a published table: they know every figure shown, every
total, that "<5" means 1–4 and that "*" means 5 or more, and they try to work out what is hidden.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marac_desk.core.suppression import (
    HIDDEN,
    NOT_APPLICABLE,
    SMALL,
    Cell,
    Mode,
    Reason,
    SuppressedTable,
    format_count,
    format_pct,
    suppress_series,
    suppress_table,
)

INTERNAL, PUBLISHABLE = Mode.INTERNAL, Mode.PUBLISHABLE


def texts(table: SuppressedTable) -> list[list[str]]:
    """The table as printed: body rows with their totals, then the total row."""
    rows = [
        [c.text for c in row] + ([table.row_totals[r].text] if table.row_totals else [])
        for r, row in enumerate(table.cells)
    ]
    if table.column_totals:
        rows.append(
            [c.text for c in table.column_totals]
            + ([table.grand_total.text] if table.grand_total else [])
        )
    return rows


# ----- single counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, "<5"), (4, "<5"), (Decimal("4.5"), "<5"), (Decimal("0.5"), "<5"), (5, "5")],
)
def test_counts_from_1_to_4_are_shown_as_under_5_but_zero_is_shown(
    count: int | Decimal, shown: str
) -> None:
    assert format_count(count, PUBLISHABLE) == shown


def test_internal_figures_are_exact() -> None:
    assert format_count(3, INTERNAL) == "3"
    assert format_count(Decimal("12.5"), INTERNAL) == "12.5"
    assert format_count(12, INTERNAL, round_to_5=True) == "12"  # rounding is for publishing


@pytest.mark.parametrize(
    ("count", "shown"),
    [(5, "5"), (7, "5"), (8, "10"), (12, "10"), (13, "15"), (Decimal("12.5"), "15"), (3, "<5")],
)
def test_rounding_to_the_nearest_5_goes_half_up(count: int | Decimal, shown: str) -> None:
    assert format_count(count, PUBLISHABLE, round_to_5=True) == shown


def test_a_count_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_count(-1, INTERNAL)


# ----- percentages ----------------------------------------------------------------------------


def test_percentages_are_whole_and_half_up() -> None:
    assert format_pct(1, 8, INTERNAL) == "13%"
    assert format_pct(10, 80, PUBLISHABLE) == "13%"


def test_a_percentage_of_a_small_count_is_hidden() -> None:
    assert format_pct(3, 60, INTERNAL) == "5%"
    assert format_pct(3, 60, PUBLISHABLE) == HIDDEN  # 5% of 60 would give the 3 back
    assert format_pct(2, 4, PUBLISHABLE) == HIDDEN  # so is a share of fewer than 5
    assert format_pct(0, 60, PUBLISHABLE) == "0%"


def test_a_percentage_of_a_hidden_count_is_hidden() -> None:
    assert format_pct(30, 60, PUBLISHABLE, hidden=True) == HIDDEN
    assert format_pct(30, 60, INTERNAL, hidden=True) == "50%"


def test_there_is_no_percentage_of_nothing() -> None:
    assert format_pct(0, 0, PUBLISHABLE) == NOT_APPLICABLE


# ----- secondary suppression, by example ------------------------------------------------------


def test_a_lone_small_cell_is_paired_in_its_row_and_its_column() -> None:
    table = suppress_table([[3, 10, 12], [8, 9, 20], [15, 16, 17]], PUBLISHABLE)
    assert texts(table) == [
        ["<5", "*", "12", "25"],  # 3 paired with 10, the smallest in its row
        ["*", "*", "20", "37"],  # 8 pairs 3 in its column, 9 pairs 10 in its column
        ["15", "16", "17", "48"],
        ["26", "35", "49", "110"],
    ]
    assert table.cells[0][0].reason is Reason.PRIMARY
    assert table.cells[0][1].reason is Reason.SECONDARY


def test_two_small_cells_whose_total_gives_them_away_hide_the_total() -> None:
    # 4 + 4 = 8 with both "<5": each must be 4, so the row total cannot be shown.
    table = suppress_table([[4, 4], [10, 20]], PUBLISHABLE)
    assert table.row_totals[0].suppressed


def test_a_series_pairs_its_lone_small_item_with_the_smallest_other() -> None:
    series = suppress_series([12, 3, 0, 40], PUBLISHABLE)
    assert [c.text for c in series.items] == ["*", "<5", "0", "40"]
    assert series.total == Cell("55")


def test_a_series_without_a_published_total_only_hides_small_counts() -> None:
    series = suppress_series([12, 3, 0, 40], PUBLISHABLE, with_total=False)
    assert [c.text for c in series.items] == ["12", "<5", "0", "40"]
    assert series.total is None


def test_two_small_items_protect_each_other() -> None:
    series = suppress_series([2, 3, 40], PUBLISHABLE)
    assert [c.text for c in series.items] == ["<5", "<5", "40"]


def test_a_table_too_small_to_protect_is_marked_unsafe() -> None:
    # Four people, one in each non-empty cell: every figure is "<5", yet the totals say each is 1.
    table = suppress_table([[0, 0, 1], [1, 1, 1]], PUBLISHABLE)
    assert not table.safe
    assert texts(table) == [
        ["0", "0", "<5", "<5"],
        ["<5", "<5", "<5", "<5"],
        ["<5", "<5", "<5", "<5"],
    ]
    assert not suppress_series([1, 1, 1, 1], PUBLISHABLE).safe  # a total "<5" over four: all 1
    assert suppress_series([1, 1, 1], PUBLISHABLE).safe  # 3 or 4 over three: not pinned
    assert suppress_table([[3, 10, 12], [8, 9, 20]], PUBLISHABLE).safe


def test_a_series_whose_categories_do_not_add_up_is_refused() -> None:
    with pytest.raises(ValueError, match="add the missing category"):
        suppress_series([12, 3], PUBLISHABLE, total=20)
    assert suppress_series([12, 3], PUBLISHABLE, total=15).total == Cell("15")


def test_joint_referral_halves_are_small_counts_too() -> None:
    sources = [Decimal("4.5"), Decimal("0.5"), Decimal(30)]
    series = suppress_series(sources, PUBLISHABLE)
    assert [c.text for c in series.items] == ["<5", "<5", "30"]
    assert series.total == Cell("35")
    assert [c.text for c in suppress_series(sources, INTERNAL).items] == ["4.5", "0.5", "30"]


def test_rounding_applies_to_shown_figures_and_totals_after_suppression() -> None:
    table = suppress_table([[3, 11, 12], [6, 9, 22], [15, 16, 17]], PUBLISHABLE, round_to_5=True)
    assert texts(table) == [
        ["<5", "*", "10", "25"],
        ["*", "*", "20", "35"],
        ["15", "15", "15", "50"],
        ["25", "35", "50", "110"],
    ]


def test_internal_tables_show_everything_exactly() -> None:
    table = suppress_table([[3, 0], [1, 9]], INTERNAL, round_to_5=True)
    assert texts(table) == [["3", "0", "3"], ["1", "9", "10"], ["4", "9", "13"]]
    assert not any(c.suppressed for row in table.cells for c in row)


def test_a_table_needs_rows_of_equal_length() -> None:
    with pytest.raises(ValueError, match="same number of columns"):
        suppress_table([[1, 2], [3]], PUBLISHABLE)


def test_an_empty_table_is_empty() -> None:
    table = suppress_table([], PUBLISHABLE)
    assert table.cells == ()
    assert table.grand_total == Cell("0")


# ----- the properties -------------------------------------------------------------------------

# Mostly small counts, so that suppression has work to do.
counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
halves = st.integers(0, 30).map(lambda n: Decimal(n) / 2)


def grids(
    values: st.SearchStrategy[int] | st.SearchStrategy[Decimal], most: int
) -> st.SearchStrategy[list[list[Decimal]]]:
    return st.integers(1, most).flatmap(
        lambda width: st.lists(
            st.lists(values.map(Decimal), min_size=width, max_size=width), min_size=1, max_size=most
        )
    )


class Published:
    """A suppressed table reduced to what a reader can check: figures and the sums between them."""

    def __init__(
        self, body: Sequence[Sequence[Decimal]], table: SuppressedTable, *, both_totals: bool
    ) -> None:
        self.true: list[Fraction] = []
        self.cells: list[Cell] = []
        ids = [
            [self._add(v, table.cells[r][c]) for c, v in enumerate(row)]
            for r, row in enumerate(body)
        ]
        width = len(body[0])
        self.sums: list[tuple[list[int], int]] = []
        row_ids = [
            self._add(sum(row, Decimal(0)), table.row_totals[r]) for r, row in enumerate(body)
        ]
        self.sums += [(ids[r], row_ids[r]) for r in range(len(body))]
        if both_totals:
            columns = [[ids[r][c] for r in range(len(body))] for c in range(width)]
            col_ids = [
                self._add(
                    sum((body[r][c] for r in range(len(body))), Decimal(0)), table.column_totals[c]
                )
                for c in range(width)
            ]
            self.sums += [(columns[c], col_ids[c]) for c in range(width)]
            assert table.grand_total is not None
            grand = self._add(
                sum((sum(row, Decimal(0)) for row in body), Decimal(0)), table.grand_total
            )
            self.sums += [(row_ids, grand), (col_ids, grand)]
        self.body_ids = [i for row in ids for i in row]

    def _add(self, value: Decimal, cell: Cell) -> int:
        self.true.append(Fraction(value))
        self.cells.append(cell)
        return len(self.true) - 1

    @property
    def hidden(self) -> list[int]:
        return [i for i, cell in enumerate(self.cells) if cell.suppressed]


def check_published_figures(published: Published) -> None:
    for value, cell in zip(published.true, published.cells, strict=True):
        if cell.suppressed:
            assert value > 0, "zeros are never hidden"
            assert cell.text == (SMALL if cell.reason is Reason.PRIMARY else HIDDEN)
            assert (cell.reason is Reason.PRIMARY) == (value < 5)
        else:
            assert value == 0 or value >= 5, f"{cell.text} shows a count below 5"


def check_every_sum_has_no_lone_hidden_figure(published: Published) -> None:
    for parts, total in published.sums:
        hidden = [i for i in [*parts, total] if published.cells[i].suppressed]
        assert len(hidden) != 1, "a sum with one hidden figure gives it away by subtraction"


def check_no_hidden_figure_follows_from_the_sums(published: Published) -> None:
    """Linear algebra (numpy, independent of the module): no combination of the sums isolates a
    hidden figure."""
    hidden = published.hidden
    if not hidden:
        return
    column = {item: c for c, item in enumerate(hidden)}
    rows = []
    for parts, total in published.sums:
        row = [0.0] * len(hidden)
        for item, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if item in column:
                row[column[item]] += sign
        rows.append(row)
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    for c in range(len(hidden)):
        unit = np.zeros((1, len(hidden)))
        unit[0, c] = 1.0
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) > rank, "a hidden figure is fixed"


@settings(max_examples=300, deadline=None)
@given(grids(counts, 6))
def test_no_hidden_cell_of_a_table_can_be_worked_out(body: list[list[Decimal]]) -> None:
    published = Published(body, suppress_table(body, PUBLISHABLE), both_totals=True)
    check_published_figures(published)
    check_every_sum_has_no_lone_hidden_figure(published)
    check_no_hidden_figure_follows_from_the_sums(published)


@settings(max_examples=150, deadline=None)
@given(grids(halves, 5))
def test_no_hidden_cell_can_be_worked_out_with_joint_referral_halves(
    body: list[list[Decimal]],
) -> None:
    published = Published(body, suppress_table(body, PUBLISHABLE), both_totals=True)
    check_published_figures(published)
    check_every_sum_has_no_lone_hidden_figure(published)
    check_no_hidden_figure_follows_from_the_sums(published)


@settings(max_examples=200, deadline=None)
@given(st.lists(counts.map(Decimal), min_size=1, max_size=14))
def test_no_hidden_item_of_a_series_can_be_worked_out(values: list[Decimal]) -> None:
    series = suppress_series(values, PUBLISHABLE)
    assert series.total is not None
    table = SuppressedTable((series.items,), (series.total,), (), None)
    published = Published([values], table, both_totals=False)
    check_published_figures(published)
    check_every_sum_has_no_lone_hidden_figure(published)
    check_no_hidden_figure_follows_from_the_sums(published)


def feasible_values(published: Published) -> dict[int, set[Fraction]]:
    """Every value each hidden figure can take, as a reader trying all possibilities near the
    truth would find (a table's sums move in steps of 1 around any solution, so ±1 is enough to
    see a second one)."""
    hidden_body = [i for i in published.body_ids if published.cells[i].suppressed]
    derived = [i for i in range(len(published.true)) if i not in published.body_ids]

    def allowed(item: int, value: Fraction) -> bool:
        cell = published.cells[item]
        if not cell.suppressed:
            return value == published.true[item]
        return 1 <= value <= 4 if cell.reason is Reason.PRIMARY else value >= 5

    choices = [
        [
            v
            for v in (published.true[i] - 1, published.true[i], published.true[i] + 1)
            if allowed(i, v)
        ]
        for i in hidden_body
    ]
    found: dict[int, set[Fraction]] = {i: set() for i in published.hidden}
    for guess in itertools.product(*choices):
        values = dict(zip(hidden_body, guess, strict=True))
        values.update({i: published.true[i] for i in published.body_ids if i not in values})
        # Totals follow from the body: each sum's total is its parts added up (body sums first).
        for parts, total in published.sums:
            if all(p in values for p in parts) and total not in values:
                values[total] = sum((values[p] for p in parts), Fraction(0))
        if not all(allowed(i, values[i]) for i in derived):
            continue
        if any(
            sum((values[p] for p in parts), Fraction(0)) != values[t] for parts, t in published.sums
        ):
            continue
        for i in published.hidden:
            found[i].add(values[i])
    return found


@settings(max_examples=300, deadline=None)
@given(grids(st.one_of(st.integers(0, 6), st.integers(0, 12)), 3))
def test_a_reader_trying_every_value_cannot_pin_down_a_hidden_figure(
    body: list[list[Decimal]],
) -> None:
    table = suppress_table(body, PUBLISHABLE)
    published = Published(body, table, both_totals=True)
    feasible = feasible_values(published)
    assert all(published.true[item] in values for item, values in feasible.items())
    pinned = {item: values for item, values in feasible.items() if len(values) < 2}
    if table.safe:
        assert pinned == {}, f"hidden figures that can only take one value: {pinned}"
    else:  # only when there is nothing left to hide
        assert all(published.cells[i].suppressed for i, v in enumerate(published.true) if v > 0)


@settings(max_examples=100, deadline=None)
@given(grids(counts, 5))
def test_rounded_tables_show_multiples_of_5_and_keep_the_same_suppression(
    body: list[list[Decimal]],
) -> None:
    plain = suppress_table(body, PUBLISHABLE)
    rounded = suppress_table(body, PUBLISHABLE, round_to_5=True)
    for a, b in zip(texts(plain), texts(rounded), strict=True):
        for exact_text, rounded_text in zip(a, b, strict=True):
            if exact_text in (SMALL, HIDDEN):
                assert rounded_text == exact_text
            else:
                assert int(rounded_text) % 5 == 0
                assert abs(int(rounded_text) - Decimal(exact_text)) <= Decimal("2.5")
