"""The national return's files: a fixed column contract, halves kept, counts only."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.export.dataset import (
    NATIONAL_RETURN_COLUMNS,
    SOURCE_COLUMNS,
    MeetingReturn,
    national_return_csv,
    national_return_xlsx,
)

GENERATED_AT = datetime(2026, 7, 2, 9, 30)


def _sources(**given: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(given.get(c, "0")) for c in REFERRAL_SOURCE_CATEGORIES)


def _row(**kw: object) -> MeetingReturn:
    counts = {
        name: 0
        for name in NATIONAL_RETURN_COLUMNS
        if name not in ("panel", "meeting_date", *SOURCE_COLUMNS)
    }
    values: dict[str, object] = {
        **counts,
        "panel": "Northtown MARAC",
        "meeting_date": date(2026, 4, 8),
        "cases_heard": 3,
        "sources": _sources(Police="1.5", IDVA="1", Housing="0.5"),
    }
    values.update(kw)
    return MeetingReturn(**values)  # type: ignore[arg-type]


def test_the_columns_are_the_fields_in_order_with_the_14_sources_in_the_returns_order() -> None:
    names = [f.name for f in dataclasses.fields(MeetingReturn)]
    at = names.index("sources")
    assert tuple(names[:at] + list(SOURCE_COLUMNS) + names[at + 1 :]) == NATIONAL_RETURN_COLUMNS
    assert SOURCE_COLUMNS[:3] == ("source_police", "source_idva", "source_childrens_social_care")
    assert SOURCE_COLUMNS[-4:] == (
        "source_mash",
        "source_education",
        "source_housing",
        "source_other",
    )
    assert len(SOURCE_COLUMNS) == 14 and len(set(NATIONAL_RETURN_COLUMNS)) == len(
        NATIONAL_RETURN_COLUMNS
    )


def test_the_sources_must_add_up_to_the_cases_heard() -> None:
    with pytest.raises(ValueError, match=r"add up to 2\.5"):
        _row(sources=_sources(Police="1.5", IDVA="1"), cases_heard=3)
    with pytest.raises(ValueError, match="13 referral-source counts"):
        _row(sources=_sources(Police="3")[:13])
    assert _row().source("Housing") == Decimal("0.5")


def test_csv_keeps_halves_and_writes_whole_counts_plainly() -> None:
    data = national_return_csv([_row(), _row(meeting_date=date(2026, 4, 15), cases_heard=0,
                                             sources=_sources())])  # fmt: skip
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ",".join(NATIONAL_RETURN_COLUMNS)
    first = dict(zip(NATIONAL_RETURN_COLUMNS, lines[1].split(","), strict=True))
    assert (first["panel"], first["meeting_date"], first["cases_heard"]) == (
        "Northtown MARAC",
        "2026-04-08",
        "3",
    )
    assert (first["source_police"], first["source_idva"], first["source_housing"]) == (
        "1.5",
        "1",
        "0.5",
    )
    assert lines[2].startswith("Northtown MARAC,2026-04-15,0,") and lines[3] == ""


def test_a_panel_name_cannot_become_a_formula() -> None:
    lines = national_return_csv([_row(panel="=HYPERLINK(1)")]).decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith("'=HYPERLINK(1),")


def test_xlsx_has_dates_as_dates_and_counts_as_numbers() -> None:
    data = national_return_xlsx([_row()], generated_at=GENERATED_AT)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.title == "National return"
    header, row = list(sheet.iter_rows(values_only=True))
    assert header == NATIONAL_RETURN_COLUMNS
    values = dict(zip(header, row, strict=True))
    assert values["meeting_date"] == datetime(2026, 4, 8)
    assert (values["source_police"], values["source_idva"], values["cases_heard"]) == (1.5, 1, 3)
    assert sheet.freeze_panes == "A2"


def test_an_empty_period_is_the_header_alone() -> None:
    assert national_return_csv([]).decode("utf-8-sig") == ",".join(NATIONAL_RETURN_COLUMNS) + "\r\n"
