"""Disclosure control for tables that leave the partnership (DOMAIN.md §6).

Two modes:

- **Internal**: exact figures, as the coordinator and the panel see them.
- **Publishable**: for the steering group's published papers and anything shared outside.

The rules in publishable mode:

1. **Small counts**: a count from 1 to 4 is shown as "<5" (*primary* suppression). Halves from
   joint referrals count too: 4.5 is "<5".
2. **Zero is shown as 0.** A true zero describes nobody, so it discloses nothing about a person,
   and "<5" for "no perpetrators under 18 this quarter" would mislead the reader. Zeros are
   never hidden for any reason, so every hidden figure is at least 1.
3. **No hidden figure can be worked out from the totals** (*secondary* suppression, shown as
   "*"). Each row and each column with its total is a sum the reader can do; so is the row of
   column totals and the column of row totals with the grand total. If a sum has only one hidden
   figure, it can be read off by subtraction, so another figure in that sum is hidden too: the
   smallest non-zero one, a total only when no other figure is left. This is repeated until
   nothing can be worked out. Totals are checked and hidden by the same rule (a total under 5 is
   "<5" itself).
   "Worked out" is judged as a careful reader would: knowing every shown figure, every total,
   that "<5" means 1–4 and that "*" means 5 or more. Subtraction in one sum is not the only way:
   sums combine (a figure can follow from several rows and columns together), and the markers
   squeeze (two "<5" cells in a row totalling 8 must both be 4). So after the rule above, every
   hidden figure is checked exactly: it is safe only if some other table, consistent with
   everything published, gives it a different value. Any figure still exposed gets a partner in
   one of its sums, and the check runs again.
   One case cannot be protected: when every non-zero figure is already hidden and the totals
   are themselves under 5, the sums can still pin figures down (four categories each "<5" with
   a total "<5" must all be 1). Such a table is marked `safe=False`: do not publish it.
4. **Rounding** (optional): shown counts, totals included, are rounded to the nearest 5, halves
   up (12.5 → 15); "<5" and "*" stay as they are. Totals are rounded on their own, so a rounded
   table need not add up: say so in its footnote.
5. **Percentages** are hidden ("*") when the count or the number it is a share of is 1–4, or when
   either of them is hidden in its table. They are worked out from the true counts, never from
   rounded ones, and rounded half-up to a whole percent.

Every total a paper prints must be in the table (or series) suppressed here: a total published
somewhere else is a sum this module has not been told about.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from marac_desk.core.indicators import Number, exact, percent, round_half_up

THRESHOLD = 5  # counts below this (and above zero) are small
ROUNDING_BASE = 5
SMALL = "<5"  # primary suppression
HIDDEN = "*"  # secondary suppression, and hidden percentages
NOT_APPLICABLE = "–"  # a percentage of nothing
LEGEND = (
    "<5: between 1 and 4. *: hidden so that a figure below 5 cannot be worked out from the totals."
)
ROUNDING_NOTE = (
    "Figures are rounded to the nearest 5, so totals may not equal the sum of the parts."
)


class Mode(StrEnum):
    INTERNAL = "internal"
    PUBLISHABLE = "publishable"


class Reason(StrEnum):
    NONE = "none"
    PRIMARY = "primary"  # a count from 1 to 4
    SECONDARY = "secondary"  # hidden to protect another figure


@dataclass(frozen=True)
class Cell:
    """One figure as published. The true count is deliberately not kept here."""

    text: str
    reason: Reason = Reason.NONE

    @property
    def suppressed(self) -> bool:
        return self.reason is not Reason.NONE


@dataclass(frozen=True)
class SuppressedTable:
    cells: tuple[tuple[Cell, ...], ...]  # rows of the table body
    row_totals: tuple[Cell, ...]  # empty when the table has no total column
    column_totals: tuple[Cell, ...]  # empty when the table has no total row
    grand_total: Cell | None  # only when both kinds of total are published
    # False when a small figure can still be worked out although every non-zero figure is
    # hidden (the totals are themselves under 5, e.g. 1, 1, 1, 1 of a total "<5" must all be 1):
    # such a table is too small to publish at all.
    safe: bool = True


@dataclass(frozen=True)
class SuppressedSeries:
    items: tuple[Cell, ...]
    total: Cell | None
    safe: bool = True  # as for a table


# ----- single figures -------------------------------------------------------------------------


def format_count(n: Number, mode: Mode, *, round_to_5: bool = False) -> str:
    """A count on its own: exact internally; publishable: 0, "<5", or the count (rounded to 5).

    A count shown on its own needs no secondary suppression; one that belongs to a breakdown
    with a total must go through `suppress_series` or `suppress_table` instead.
    """
    return count_cell(n, mode, round_to_5=round_to_5).text


def count_cell(n: Number, mode: Mode, *, round_to_5: bool = False) -> Cell:
    value = _count(n)
    if mode is Mode.PUBLISHABLE and 0 < value < THRESHOLD:
        return Cell(SMALL, Reason.PRIMARY)
    return Cell(_shown(value, mode, round_to_5=round_to_5))


def format_pct(part: Number, whole: Number, mode: Mode, *, hidden: bool = False) -> str:
    """`part` as a whole percent of `whole` ("13%"); "–" when `whole` is zero.

    Publishable: "*" when `part` or `whole` is 1–4, or `hidden` (either was suppressed in its
    table), since the percentage and the other figure would give the hidden count back.
    """
    part_value, whole_value = _count(part), _count(whole)
    if whole_value == 0:
        return NOT_APPLICABLE
    if mode is Mode.PUBLISHABLE and (
        hidden or 0 < part_value < THRESHOLD or 0 < whole_value < THRESHOLD
    ):
        return HIDDEN
    return f"{percent(part_value, whole_value)}%"


# ----- breakdowns with totals -----------------------------------------------------------------


def suppress_series(
    values: Sequence[Number],
    mode: Mode,
    *,
    total: Number | None = None,
    with_total: bool = True,
    round_to_5: bool = False,
) -> SuppressedSeries:
    """A one-way breakdown (e.g. referrals by source) and its total.

    The categories must add up to the total (give a "Not known" or "Other" category if they do
    not): a lone hidden item is then protected by hiding another, as in a table row. Without a
    published total (`with_total=False`) only small counts are hidden.
    """
    counts = [_count(v) for v in values]
    computed = sum(counts, Fraction(0))
    if total is not None and _count(total) != computed:
        raise ValueError(
            f"The categories add up to {_plain(computed)} but the total is "
            f"{_plain(_count(total))}: add the missing category (e.g. Not known) so that a hidden "
            "figure cannot be worked out from the total."
        )
    table = suppress_table(
        [counts], mode, round_to_5=round_to_5, row_totals=with_total, column_totals=False
    )
    return SuppressedSeries(
        table.cells[0], table.row_totals[0] if with_total else None, safe=table.safe
    )


def suppress_table(
    rows: Sequence[Sequence[Number]],
    mode: Mode,
    *,
    round_to_5: bool = False,
    row_totals: bool = True,
    column_totals: bool = True,
) -> SuppressedTable:
    """A two-way table: the body's counts in; the totals are added up here, so they always agree.

    `row_totals` publishes a total column (one total per row), `column_totals` a total row; with
    both, the grand total too.
    """
    body = [[_count(v) for v in row] for row in rows]
    width = len(body[0]) if body else 0
    if any(len(row) != width for row in body):
        raise ValueError("Every row of a table needs the same number of columns.")
    layout = _Layout.build(body, row_totals=row_totals, column_totals=column_totals)
    reasons, safe = (
        _suppress(layout.values, layout.lines) if mode is Mode.PUBLISHABLE else ({}, True)
    )

    def cell(item: int) -> Cell:
        reason = reasons.get(item, Reason.NONE)
        if reason is Reason.PRIMARY:
            return Cell(SMALL, reason)
        if reason is Reason.SECONDARY:
            return Cell(HIDDEN, reason)
        return Cell(_shown(layout.values[item], mode, round_to_5=round_to_5))

    return SuppressedTable(
        cells=tuple(tuple(cell(i) for i in row) for row in layout.body),
        row_totals=tuple(cell(i) for i in layout.row_totals),
        column_totals=tuple(cell(i) for i in layout.column_totals),
        grand_total=None if layout.grand_total is None else cell(layout.grand_total),
        safe=safe,
    )


# ----- the table as sums ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One sum the reader can check: the parts add up to the total."""

    parts: tuple[int, ...]
    total: int

    @property
    def items(self) -> tuple[int, ...]:
        return (*self.parts, self.total)

    def terms(self) -> tuple[tuple[int, int], ...]:
        """(item, sign) with the sum of sign × value equal to zero."""
        return (*((p, 1) for p in self.parts), (self.total, -1))


@dataclass(frozen=True)
class _Layout:
    values: tuple[Fraction, ...]  # every figure: body, then totals
    body: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    grand_total: int | None
    lines: tuple[_Line, ...]

    @classmethod
    def build(cls, body: list[list[Fraction]], *, row_totals: bool, column_totals: bool) -> _Layout:
        values: list[Fraction] = []

        def add(value: Fraction) -> int:
            values.append(value)
            return len(values) - 1

        ids = [[add(v) for v in row] for row in body]
        width = len(body[0]) if body else 0
        lines: list[_Line] = []
        rt: tuple[int, ...] = ()
        ct: tuple[int, ...] = ()
        grand: int | None = None
        if row_totals:
            rt = tuple(add(sum(row, Fraction(0))) for row in body)
            lines += [_Line(tuple(row), total) for row, total in zip(ids, rt, strict=True)]
        if column_totals:
            columns = [tuple(row[c] for row in ids) for c in range(width)]
            ct = tuple(add(sum((values[i] for i in col), Fraction(0))) for col in columns)
            lines += [_Line(col, total) for col, total in zip(columns, ct, strict=True)]
        if row_totals and column_totals:
            grand = add(sum((values[i] for i in rt), Fraction(0)))
            lines += [_Line(ct, grand), _Line(rt, grand)]
        return cls(tuple(values), tuple(tuple(r) for r in ids), rt, ct, grand, tuple(lines))


# ----- choosing what to hide ------------------------------------------------------------------


def _suppress(values: Sequence[Fraction], lines: Sequence[_Line]) -> tuple[dict[int, Reason], bool]:
    """Which figures to hide, and why: small ones, then partners until nothing is exposed.

    Also whether that worked: False when a figure is still exposed with nothing left to hide.
    """
    # Work in whole units of the finest fraction present (halves with joint referrals), so a
    # reader's "<5" means 1..5·unit−1 units exactly.
    unit = math.lcm(*(v.denominator for v in values)) if values else 1
    scaled = [int(v * unit) for v in values]
    threshold = THRESHOLD * unit
    hidden = {i: Reason.PRIMARY for i, v in enumerate(scaled) if 0 < v < threshold}
    totals = {line.total for line in lines}
    while True:
        partner = _next_partner(scaled, lines, totals, hidden, threshold)
        if partner == _SAFE:
            return hidden, True
        if partner == _STUCK:
            return hidden, False
        hidden[partner] = Reason.SECONDARY


_SAFE, _STUCK = -1, -2


def _next_partner(
    values: Sequence[int],
    lines: Sequence[_Line],
    totals: set[int],
    hidden: dict[int, Reason],
    threshold: int,
) -> int:
    """The next figure to hide; `_SAFE` when nothing can be worked out, `_STUCK` when something
    can but every non-zero figure is already hidden."""
    lone = [line for line in lines if sum(i in hidden for i in line.items) == 1]
    for line in lone:  # the rule as a coordinator states it: a sum with one hidden figure
        if (found := _best(values, line.items, totals, hidden, lone)) is not None:
            return found
    exposed = _exposed(values, lines, hidden, threshold)
    for item in exposed:
        around = [i for line in lines if item in line.items for i in line.items]
        if (found := _best(values, around, totals, hidden, lone)) is not None:
            return found
    if not exposed:
        return _SAFE
    # Nothing visible around it: the smallest visible figure anywhere.
    found = _best(values, range(len(values)), totals, hidden, lone)
    return _STUCK if found is None else found


def _best(
    values: Sequence[int],
    items: Iterable[int],
    totals: set[int],
    hidden: dict[int, Reason],
    lone: Sequence[_Line],
) -> int | None:
    """The smallest visible non-zero figure among `items`, body before totals; among equals, one
    that also settles another sum with a lone hidden figure."""
    candidates = {i for i in items if i not in hidden and values[i] > 0}
    if not candidates:
        return None

    def preference(item: int) -> tuple[bool, int, bool, int]:
        settles = any(item in line.items for line in lone)
        return (item in totals, values[item], not settles, item)

    return min(candidates, key=preference)


_FREE = -1  # where a figure that is in only one sum ends: nothing constrains it there


def _exposed(
    values: Sequence[int], lines: Sequence[_Line], hidden: dict[int, Reason], threshold: int
) -> list[int]:
    """Hidden figures that every table consistent with what is published gives the same value.

    The reader knows the shown figures exactly, "<5" as 1..threshold−1 and "*" as threshold or
    more. A table with totals is a network: each sum is a node and each figure an edge between
    the (at most two) sums it is in. Another table consistent with everything published differs
    by a circulation of hidden figures, so a hidden figure can differ exactly when it lies on a
    cycle of hidden figures each of which has room to move the way the cycle pushes it (a figure
    at 4 under "<5" cannot go up; one at exactly 5 under "*" cannot go down). Moving one unit
    round such a cycle gives another whole-number table, so "not exposed" means the reader is
    left with at least two possible values. This covers plain subtraction, combinations of sums,
    and ranges squeezed by "<5" alike.
    """
    ends: dict[int, list[tuple[int, int]]] = {}
    for node, line in enumerate(lines):
        for item, sign in line.terms():
            ends.setdefault(item, []).append((node, sign))
    orient = _orientation(len(lines), ends)
    arcs: list[tuple[int, int, int]] = []  # (from, to, item): one unit of change along it
    for item, reason in hidden.items():
        head, tail = _endpoints(ends.get(item, []), orient)
        low, high = (1, threshold - 1) if reason is Reason.PRIMARY else (threshold, None)
        if high is None or values[item] < high:
            arcs.append((tail, head, item))  # the figure can be one more
        if values[item] > low:
            arcs.append((head, tail, item))  # ... or one less
    movable = {
        item for start, end, item in arcs if _reachable(arcs, start=end, goal=start, without=item)
    }
    return sorted(set(hidden) - movable)


def _orientation(nodes: int, ends: dict[int, list[tuple[int, int]]]) -> list[int]:
    """A sign per sum so that each figure enters one sum and leaves the other (a flow network).

    Rows and the total row's sum get one sign, columns and the total column's the other; found by
    walking the sums so that any table shape built by `_Layout` works.
    """
    orient = [0] * nodes
    neighbours: dict[int, list[tuple[int, int]]] = {}  # node → (other node, sign product)
    for pair in ends.values():
        if len(pair) == 2:
            (a, sa), (b, sb) = pair
            neighbours.setdefault(a, []).append((b, sa * sb))
            neighbours.setdefault(b, []).append((a, sa * sb))
    for first in range(nodes):
        if orient[first]:
            continue
        orient[first] = 1
        queue = [first]
        while queue:
            node = queue.pop()
            for other, product in neighbours.get(node, []):
                wanted = -orient[node] * product
                if not orient[other]:
                    orient[other] = wanted
                    queue.append(other)
                elif orient[other] != wanted:  # cannot happen for rows, columns and totals
                    raise ValueError("These sums do not form a table.")
    return orient


def _endpoints(pair: list[tuple[int, int]], orient: list[int]) -> tuple[int, int]:
    """(head, tail): a figure's increase flows from its tail into its head."""
    signed = [(node, orient[node] * sign) for node, sign in pair]
    head = next((node for node, s in signed if s > 0), _FREE)
    tail = next((node for node, s in signed if s < 0), _FREE)
    return head, tail


def _reachable(
    arcs: Sequence[tuple[int, int, int]], *, start: int, goal: int, without: int
) -> bool:
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            return True
        for a, b, item in arcs:
            if a == node and item != without and b not in seen:
                seen.add(b)
                frontier.append(b)
    return False


# ----- helpers --------------------------------------------------------------------------------


def _count(n: Number) -> Fraction:
    value = exact(n)
    if value < 0:
        raise ValueError(f"A count cannot be negative ({_plain(value)}).")
    return value


def _shown(value: Fraction, mode: Mode, *, round_to_5: bool) -> str:
    if mode is Mode.PUBLISHABLE and round_to_5:
        return str(int(round_half_up(value / ROUNDING_BASE)) * ROUNDING_BASE)
    return _plain(value)


def _plain(value: Fraction) -> str:
    """12, 12.5 (a count from joint referrals keeps its half)."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{round_half_up(value, 1).normalize():f}"
