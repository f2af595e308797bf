"""db.bulk must store exactly what SQLAlchemy's own insert would."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import insert, select

from marac_desk.db.bulk import insert_rows
from marac_desk.db.models import Meeting, Panel, Setting
from marac_desk.services.session import OpenStore


def test_rows_read_back_identical_to_an_orm_insert(open_store: OpenStore) -> None:
    now = datetime(2026, 11, 20, 9, 30, 15)  # no microseconds: the format must still match
    with open_store.store.write() as session:
        session.add(Panel(name="P", panel_type="marac", cadence="weekly:wed", created_at=now))
        session.flush()
        base = {
            "panel_id": 1,
            "meeting_date": date(2026, 11, 25),
            "start_time": time(9, 30),
            "end_time": None,
            "confidentiality_read": True,
            "created_at": now,
        }
        session.execute(insert(Meeting.__table__), [{**base, "id": 1}])
        insert_rows(session.connection(), Meeting.__table__, [{**base, "id": 2}])
    with open_store.store.read() as session:
        a, b = session.scalars(select(Meeting).order_by(Meeting.id)).all()
        fields = (
            "meeting_date",
            "start_time",
            "end_time",
            "venue",
            "status",
            "confidentiality_read",
            "created_at",
        )
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
        assert b.venue == "" and b.status == "planned"  # column defaults applied
        # Byte for byte the text SQLAlchemy's dialect stores, so queries compare them alike.
        raw = (
            session.connection()
            .exec_driver_sql(
                "SELECT meeting_date, start_time, end_time, confidentiality_read, created_at "
                "FROM meetings ORDER BY id"
            )
            .all()
        )
        assert raw[0] == raw[1]


def test_json_and_unknown_columns(open_store: OpenStore) -> None:
    with open_store.store.write() as session:
        insert_rows(
            session.connection(),
            Setting.__table__,
            [{"key": "k", "value": {"a": [1, "é"]}, "updated_at": datetime(2026, 1, 1)}],
        )
        with pytest.raises(KeyError, match="no column"):
            insert_rows(session.connection(), Setting.__table__, [{"key": "x", "nope": 1}])
    with open_store.store.read() as session:
        assert session.get(Setting, "k").value == {"a": [1, "é"]}
