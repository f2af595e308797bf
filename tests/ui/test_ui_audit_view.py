"""The audit area: paged loading, filters applied in the database, chain verification."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate
from ui_support import qt_quiet

from marac_desk.db.models import AuditHead
from marac_desk.services import audit
from marac_desk.services.context import SYSTEM
from marac_desk.services.session import OpenStore
from marac_desk.ui.audit_view import AuditView
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.widgets import ERROR_COLOUR, OK_COLOUR

pytestmark = qt_quiet


def _record_many(
    opened: OpenStore, n: int, *, action: str = "export", at: datetime | None = None
) -> None:
    with opened.store.write() as session:
        for i in range(n):
            audit.record(
                session, opened.actor, action, "report", f"Q{i}", f"report {i} exported", at=at
            )


@pytest.fixture
def view(qtbot, open_store: OpenStore) -> AuditView:  # type: ignore[no-untyped-def]
    _record_many(open_store, 450)
    win = MainWindow(open_store)
    win.runner.progress_delay_ms = 0
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=10_000):
        win.show()
    widget = win.show_area("audit")
    assert isinstance(widget, AuditView)
    return widget


def _column(view: AuditView, column: int) -> list[str]:
    model = view.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_rows_arrive_a_page_at_a_time(qtbot, view: AuditView, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    total = audit.count_events(open_store.store)
    assert view.model.total == total
    assert view.model.rowCount() <= view.model.page_size  # not everything loaded at once
    assert view.model.canFetchMore()
    while view.model.canFetchMore():
        view.model.fetchMore()
    assert view.model.rowCount() == total
    numbers = [int(n) for n in _column(view, 6)]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == total  # newest first
    assert f"{total:,} events" in view.count_label.text()


def test_filter_by_action_and_text(qtbot, view: AuditView, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    index = view.action_filter.findData("sign_in")
    assert index > 0
    view.action_filter.setCurrentIndex(index)
    assert view.model.total == 1
    assert _column(view, 2) == ["sign in"]
    assert view.count_label.text().startswith("1 event match the filters")

    view.clear_button.click()
    view.text_filter.setText("report 12 exp")
    view.text_filter.returnPressed.emit()
    assert view.model.total == 1
    assert _column(view, 5) == ["report 12 exported"]

    view.clear_button.click()
    view.text_filter.setText("Q4")  # entity id matches: Q4, Q40-Q49, Q400-Q449
    qtbot.waitUntil(lambda: view.model.total == 1 + 10 + 50, timeout=5_000)  # debounced typing


def test_filter_by_user_and_dates(qtbot, view: AuditView, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    old = datetime(2024, 3, 5, 12, 0)
    with open_store.store.write() as session:
        audit.record(session, SYSTEM, "import", "referral", "7", "imported", at=old)
    view.load_choices()
    view.actor_filter.setCurrentIndex(view.actor_filter.findData(SYSTEM.name))
    assert _column(view, 1) == [SYSTEM.name]

    view.clear_button.click()
    view.until.setDate(QDate(2024, 12, 31))
    assert view.model.total == 1
    view.until.setDate(view.until.minimumDate())  # back to "any date"
    view.since.setDate(QDate(2024, 3, 6))
    assert view.model.total == audit.count_events(open_store.store) - 1
    today = date.today() + timedelta(days=1)
    view.since.setDate(QDate(today.year, today.month, today.day))
    assert view.model.total == 0 and view.model.rowCount() == 0


def test_verify_chain_intact(qtbot, view: AuditView, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    total = audit.count_events(open_store.store)
    with qtbot.waitSignal(view.verified, timeout=20_000) as result:
        view.verify_button.click()
    ok, _text = result.args
    assert ok
    assert view.verify_message.text() == (
        f"Chain intact: {total:,} events checked; none altered or removed."
    )
    assert OK_COLOUR in view.verify_message.styleSheet()


def test_verify_chain_shows_tampering_in_red(qtbot, view: AuditView, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    total = audit.count_events(open_store.store)
    with open_store.store.write() as session:  # as if the newest three events had been cut off
        head = session.get(AuditHead, 1)
        assert head is not None
        head.seq = total + 3
    with qtbot.waitSignal(view.verified, timeout=20_000) as result:
        view.verify_button.click()
    ok, _text = result.args
    assert not ok
    assert f"events {total + 1} to {total + 3} are missing" in view.verify_message.text()
    assert view.verify_message.text().startswith("CHAIN BROKEN")
    assert ERROR_COLOUR in view.verify_message.styleSheet()
