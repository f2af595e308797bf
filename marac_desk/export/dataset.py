"""The national return: one row of counts per meeting, as CSV or XLSX (DOMAIN.md §6).

SafeLives asks each MARAC for **meeting-level counts, never case records**. Every row is one
meeting in the period; every figure counts the cases *heard* at that meeting (outcome "heard and
closed" or "heard and kept open"; pending and deferred cases are not heard). The columns, in
`NATIONAL_RETURN_COLUMNS` order (a contract: never rename or reorder one):

- `panel`, `meeting_date` (ISO date);
- `cases_heard`; `repeat_cases` (the coordinator's override where there is one);
- `children_in_household` (children listed on the heard referrals), `cases_with_children`,
  `cases_children_not_known` (no children listed and "none" not recorded either);
- `source_police` … `source_other`: the 14 SafeLives referral-source categories in the return's
  order; a joint referral counts **0.5** to each of its two agencies' categories, so the
  sources add up to `cases_heard` (a cell may read 2.5);
- equality counts, each with its unknowns beside it — `not_known` (nobody asked) and
  `not_stated` (asked, declined) are kept apart as recorded: `victims_bame`, `victims_lgbt`,
  `victims_disabled` (each + `_not_known`, `_not_stated`), `victims_male` (+ gender not
  known / not stated);
- `victims_aged_16_17` (16 or 17 on the referral date; a birthday on the referral date counts)
  and `victims_age_not_known` (no date of birth, or one after the referral date);
- `perpetrators` (named on the heard referrals), `perpetrators_aged_17_or_under` (on the
  referral date) and `perpetrators_age_not_known`.

These are **internal, exact counts** for the return to SafeLives: small numbers are not
suppressed. Nothing identifies a person (no names, dates of birth or case references), but a
table published beyond the partnership needs `core.suppression` first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES
from marac_desk.export.spreadsheets import Row, Value, to_csv, to_xlsx


def _slug(category: str) -> str:
    """ "Children's Social Care" → "childrens_social_care"."""
    return re.sub(r"[^a-z0-9]+", "_", category.lower().replace("'", "")).strip("_")


SOURCE_COLUMNS: tuple[str, ...] = tuple(f"source_{_slug(c)}" for c in REFERRAL_SOURCE_CATEGORIES)

_HEAD: tuple[str, ...] = (
    "panel",
    "meeting_date",
    "cases_heard",
    "repeat_cases",
    "children_in_household",
    "cases_with_children",
    "cases_children_not_known",
)
_TAIL: tuple[str, ...] = (
    "victims_bame",
    "victims_bame_not_known",
    "victims_bame_not_stated",
    "victims_lgbt",
    "victims_lgbt_not_known",
    "victims_lgbt_not_stated",
    "victims_disabled",
    "victims_disability_not_known",
    "victims_disability_not_stated",
    "victims_male",
    "victims_gender_not_known",
    "victims_gender_not_stated",
    "victims_aged_16_17",
    "victims_age_not_known",
    "perpetrators",
    "perpetrators_aged_17_or_under",
    "perpetrators_age_not_known",
)
NATIONAL_RETURN_COLUMNS: tuple[str, ...] = (*_HEAD, *SOURCE_COLUMNS, *_TAIL)
SHEET_TITLE = "National return"


@dataclass(frozen=True)
class MeetingReturn:
    """One meeting's counts. Field order is column order (`sources` stands for the 14
    `source_*` columns, in REFERRAL_SOURCE_CATEGORIES order)."""

    panel: str
    meeting_date: date
    cases_heard: int
    repeat_cases: int
    children_in_household: int
    cases_with_children: int
    cases_children_not_known: int
    sources: tuple[Decimal, ...]
    victims_bame: int
    victims_bame_not_known: int
    victims_bame_not_stated: int
    victims_lgbt: int
    victims_lgbt_not_known: int
    victims_lgbt_not_stated: int
    victims_disabled: int
    victims_disability_not_known: int
    victims_disability_not_stated: int
    victims_male: int
    victims_gender_not_known: int
    victims_gender_not_stated: int
    victims_aged_16_17: int
    victims_age_not_known: int
    perpetrators: int
    perpetrators_aged_17_or_under: int
    perpetrators_age_not_known: int

    def __post_init__(self) -> None:
        if len(self.sources) != len(REFERRAL_SOURCE_CATEGORIES):
            raise ValueError(
                f"{len(self.sources)} referral-source counts for "
                f"{len(REFERRAL_SOURCE_CATEGORIES)} categories"
            )
        if sum(self.sources, Decimal(0)) != self.cases_heard:
            raise ValueError(
                f"the referral sources add up to {sum(self.sources, Decimal(0))}, not to the "
                f"{self.cases_heard} cases heard"
            )

    def source(self, category: str) -> Decimal:
        """The count for one of the 14 categories ("Police", "IDVA", …)."""
        return self.sources[REFERRAL_SOURCE_CATEGORIES.index(category)]

    def as_row(self) -> Row:
        """The row in NATIONAL_RETURN_COLUMNS order; whole source counts as whole numbers."""
        values: list[Value] = []
        for item in fields(self):
            if item.name == "sources":
                values.extend(int(v) if v == v.to_integral_value() else v for v in self.sources)
            else:
                values.append(getattr(self, item.name))
        return tuple(values)


def national_return_rows(rows: Iterable[MeetingReturn]) -> list[Row]:
    return [row.as_row() for row in rows]


def national_return_csv(rows: Iterable[MeetingReturn]) -> bytes:
    """UTF-8 with BOM, CRLF, header row then one row per meeting (export.spreadsheets)."""
    return to_csv(NATIONAL_RETURN_COLUMNS, national_return_rows(rows))


def national_return_xlsx(rows: Iterable[MeetingReturn], *, generated_at: datetime) -> bytes:
    """One sheet, bold frozen header, dates as dates, counts as numbers."""
    return to_xlsx(
        SHEET_TITLE, NATIONAL_RETURN_COLUMNS, national_return_rows(rows), generated_at=generated_at
    )
