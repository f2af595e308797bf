"""The national return: one row of counts per meeting held in the period, from the store."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from marac_desk.core.periods import date_range, parse_period
from marac_desk.db.models import Agency, AuditEvent
from marac_desk.export.dataset import NATIONAL_RETURN_COLUMNS, MeetingReturn
from marac_desk.services import dataset, meetings, panels, referrals
from marac_desk.services.context import utcnow
from marac_desk.services.session import OpenStore
from tests.services.dataset_support import hear, refer
from tests.services.meeting_support import make_panel

Q1 = parse_period("Q1 2026/27")  # 1 April – 30 June 2026
REFERRED = date(2026, 3, 20)
GENERATED_AT = datetime(2026, 7, 2, 9, 30)


def _as_dict(row: MeetingReturn) -> dict[str, object]:
    return dict(zip(NATIONAL_RETURN_COLUMNS, row.as_row(), strict=True))


@pytest.fixture
def quarter(open_store: OpenStore) -> dict[str, int]:
    """A quarter with one full meeting, one held with no cases, and meetings that do not count."""
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store, cadence="weekly:wed")
    full = meetings.add_meeting(s, a, pid, date(2026, 4, 8))
    empty = meetings.add_meeting(s, a, pid, date(2026, 4, 15))
    meetings.start_meeting(s, a, empty, time(10, 0))  # held, nothing heard
    meetings.add_meeting(s, a, pid, date(2026, 4, 22))  # planned, nothing heard: not held yet
    cancelled = meetings.add_meeting(s, a, pid, date(2026, 4, 29))
    meetings.cancel_meeting(s, a, cancelled, "chair ill")
    later = meetings.add_meeting(s, a, pid, date(2026, 7, 1))  # Q2

    # 16 on the referral date (her birthday), BAME, two children, a perpetrator aged 17 and one
    # whose date of birth is not known.
    r1 = refer(
        open_store,
        REFERRED,
        victim_dob=date(2010, 3, 20),
        children=2,
        perpetrator_dobs=(date(2008, 6, 1), None),
        victim_bame="yes",
        victim_disability="no",
    )
    # Joint Police/IDVA; a man who turns 18 on the referral date (not 16-17); his perpetrator
    # turns 18 the day after the referral date (17 on it).
    r2 = refer(
        open_store,
        REFERRED,
        joint="IDVA",
        victim_dob=date(2008, 3, 20),
        gender="male",
        children_status="none",
        perpetrator_dobs=(date(2008, 3, 21),),
        victim_bame="not_stated",
        victim_lgbt="yes",
        victim_disability="yes",
    )
    # Joint IDVA/Housing, nothing known about the victim's age; a repeat by the coordinator.
    r3 = refer(
        open_store,
        REFERRED,
        agency="IDVA",
        joint="Housing",
        victim_dob=None,
        gender="not_stated",
        perpetrator_dobs=(date(1980, 1, 1),),
        victim_lgbt="not_stated",
    )
    referrals.override_repeat(s, a, r3, True, "same couple, police record")
    for rid in (r1, r2, r3):
        hear(open_store, full, rid)
    hear(open_store, full, refer(open_store, REFERRED, gender="male"), "deferred")
    hear(open_store, full, refer(open_store, REFERRED, gender="male"), "pending")
    hear(open_store, later, refer(open_store, date(2026, 6, 20), agency="Probation"))
    return {"panel": pid, "full": full, "empty": empty, "later": later}


def test_one_row_per_held_meeting_with_the_counts_of_the_cases_heard(
    open_store: OpenStore, quarter: dict[str, int]
) -> None:
    rows = dataset.national_return(open_store.store, Q1)
    assert [(r.panel, r.meeting_date) for r in rows] == [
        ("Northtown MARAC", date(2026, 4, 8)),
        ("Northtown MARAC", date(2026, 4, 15)),
    ]
    full = _as_dict(rows[0])
    assert full == {
        "panel": "Northtown MARAC",
        "meeting_date": date(2026, 4, 8),
        "cases_heard": 3,  # the deferred and the pending case were not heard
        "repeat_cases": 1,
        "children_in_household": 2,
        "cases_with_children": 1,
        "cases_children_not_known": 1,  # r2 recorded "none"; r3 said nothing
        "source_police": Decimal("1.5"),
        "source_idva": 1,
        "source_childrens_social_care": 0,
        "source_adult_social_care": 0,
        "source_primary_care": 0,
        "source_acute_trust": 0,
        "source_mental_health": 0,
        "source_substance_misuse": 0,
        "source_probation": 0,
        "source_voluntary_sector": 0,
        "source_mash": 0,
        "source_education": 0,
        "source_housing": Decimal("0.5"),
        "source_other": 0,
        "victims_bame": 1,
        "victims_bame_not_known": 1,
        "victims_bame_not_stated": 1,
        "victims_lgbt": 1,
        "victims_lgbt_not_known": 1,
        "victims_lgbt_not_stated": 1,
        "victims_disabled": 1,
        "victims_disability_not_known": 1,
        "victims_disability_not_stated": 0,
        "victims_male": 1,
        "victims_gender_not_known": 0,
        "victims_gender_not_stated": 1,
        "victims_aged_16_17": 1,  # 16 on her birthday; 18 on his is not counted
        "victims_age_not_known": 1,
        "perpetrators": 4,
        "perpetrators_aged_17_or_under": 2,  # 17, and 17 until the day after the referral
        "perpetrators_age_not_known": 1,
    }


def test_a_meeting_held_with_no_cases_is_a_row_of_zeros(
    open_store: OpenStore, quarter: dict[str, int]
) -> None:
    empty = _as_dict(dataset.national_return(open_store.store, Q1)[1])
    assert empty["meeting_date"] == date(2026, 4, 15)
    assert {k: v for k, v in empty.items() if k not in ("panel", "meeting_date")} == dict.fromkeys(
        NATIONAL_RETURN_COLUMNS[2:], 0
    )


def test_joint_referral_halves_add_up_to_the_cases_heard(
    open_store: OpenStore, quarter: dict[str, int]
) -> None:
    rows = dataset.national_return(open_store.store, parse_period("2026/27"))
    assert [r.cases_heard for r in rows] == [3, 0, 1]
    totals = dataset.total_sources(rows)
    assert totals["Police"] == Decimal("1.5") and totals["Probation"] == 1
    assert sum(totals.values()) == 4


def test_the_period_and_the_panel_choose_the_meetings(
    open_store: OpenStore, quarter: dict[str, int]
) -> None:
    s, a = open_store.store, open_store.actor
    other = make_panel(open_store, name="Southtown MARAC")
    mid = meetings.add_meeting(s, a, other, date(2026, 4, 9))
    hear(open_store, mid, refer(open_store, REFERRED, panel="Southtown MARAC"))
    both = dataset.national_return(s, Q1)
    assert [r.panel for r in both] == ["Northtown MARAC", "Southtown MARAC", "Northtown MARAC"]
    south = dataset.national_return(s, Q1, "southtown marac")
    assert [(r.panel, r.cases_heard) for r in south] == [("Southtown MARAC", 1)]
    one_day = dataset.national_return(s, date_range(date(2026, 4, 8), date(2026, 4, 8)))
    assert [r.meeting_date for r in one_day] == [date(2026, 4, 8)]
    with pytest.raises(panels.PanelNotFound):
        dataset.national_return(s, Q1, "Nowhere MARAC")


def test_a_case_kept_open_counts_at_every_meeting_that_hears_it(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store, panel_type="community_marac", cadence="monthly:1:thu")
    first = meetings.add_meeting(s, a, pid, date(2026, 5, 7))
    second = meetings.add_meeting(s, a, pid, date(2026, 6, 4))
    rid = refer(open_store, date(2026, 4, 20), agency="Housing")
    hear(open_store, first, rid, "heard_open")
    hear(open_store, second, rid, "heard_closed")
    rows = dataset.national_return(s, Q1)
    assert [(r.meeting_date, r.cases_heard, r.source("Housing")) for r in rows] == [
        (date(2026, 5, 7), 1, 1),
        (date(2026, 6, 4), 1, 1),
    ]


def test_an_agency_outside_the_14_categories_counts_as_other(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    with s.write() as session:
        session.add(Agency(name="Faith Group", category="Faith", created_at=utcnow()))
    pid = make_panel(open_store)
    mid = meetings.add_meeting(s, a, pid, date(2026, 4, 8))
    hear(open_store, mid, refer(open_store, REFERRED, agency="Faith Group", joint="Police"))
    (row,) = dataset.national_return(s, Q1)
    assert (row.source("Other"), row.source("Police")) == (Decimal("0.5"), Decimal("0.5"))


def test_no_meetings_gives_no_rows(open_store: OpenStore) -> None:
    assert dataset.national_return(open_store.store, Q1) == ()


def test_writing_the_return_is_audited_as_a_disclosure(
    open_store: OpenStore, quarter: dict[str, int], tmp_path: Path
) -> None:
    s, a = open_store.store, open_store.actor
    out = tmp_path / "return.csv"
    written = dataset.write_national_return(s, a, out, Q1, generated_at=GENERATED_AT)
    assert written.kind == "CSV" and len(written.rows) == 2
    lines = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == list(NATIONAL_RETURN_COLUMNS)
    police = NATIONAL_RETURN_COLUMNS.index("source_police")
    assert [line[police] for line in lines[1:]] == ["1.5", "0"]

    xlsx = tmp_path / "return.xlsx"
    dataset.write_national_return(s, a, xlsx, Q1, "Northtown MARAC", generated_at=GENERATED_AT)
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == NATIONAL_RETURN_COLUMNS
    assert values[1][police] == 1.5 and values[1][0] == "Northtown MARAC"

    with s.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "national_return")
        ).all()
    assert [e.action for e in events] == ["export", "export"]
    assert "as CSV: Q1 2026/27" in events[0].description
    assert "all panels, 2 meetings, 3 cases heard" in events[0].description
    assert "Northtown MARAC" in events[1].description


def test_a_failed_write_leaves_neither_file_nor_event(
    open_store: OpenStore, quarter: dict[str, int], tmp_path: Path
) -> None:
    s, a = open_store.store, open_store.actor
    with pytest.raises(FileNotFoundError):
        dataset.write_national_return(
            s, a, tmp_path / "missing" / "r.csv", Q1, generated_at=GENERATED_AT
        )
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        dataset.write_national_return(s, a, tmp_path / "r.pdf", Q1, generated_at=GENERATED_AT)
    with s.read() as session:
        assert (
            session.scalar(select(AuditEvent.seq).where(AuditEvent.entity == "national_return"))
            is None
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stores"]  # the store's folder
