"""Shared pieces of the GUI tests: fixtures (imported by name into each test module), a store
filled with known figures, and helpers that drive the dialogs the way a user would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import PARTNERSHIP, PASSPHRASE, USER
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from marac_desk.db.models import (
    Action,
    Agency,
    Meeting,
    MeetingCase,
    Panel,
    Person,
    Referral,
    RiskAssessment,
)
from marac_desk.db.store import Store
from marac_desk.services.context import utcnow
from marac_desk.services.paths import AppPaths
from marac_desk.services.session import create_store
from marac_desk.ui.app import AppController

# The offscreen platform reports, as warnings, that it cannot do what a window manager does.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise|setParent)\(\)"
qt_quiet = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture(name="locked_store")
def locked_store_fixture(store_path: Path, app_paths: AppPaths) -> Path:
    """A store on disk, created and locked again (nothing holds it open)."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    opened = create_store(
        store_path, PASSPHRASE, PASSPHRASE, partnership=PARTNERSHIP, user_name=USER, paths=app_paths
    )
    opened.lock("test setup")
    return store_path


@pytest.fixture(name="controller")
def controller_fixture(
    qapp: QApplication, app_paths: AppPaths, store_path: Path
) -> Iterator[AppController]:
    """An app controller pointed at `store_path`; the test starts it."""
    ctl = AppController(app_paths, store_path)
    ctl.runner.progress_delay_ms = 0
    yield ctl
    ctl.shutdown()
    for widget in QApplication.topLevelWidgets():
        widget.close()


def unlock_through_dialog(qtbot: Any, ctl: AppController, passphrase: str = PASSPHRASE) -> Any:
    """Type the passphrase and press Unlock; returns the main window that opens."""
    dialog = ctl.unlock_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.passphrase.setText(passphrase)
    with qtbot.waitSignal(ctl.window_opened, timeout=10_000) as blocker:
        dialog.unlock_button.click()
    return blocker.args[0]


# ----- a store with figures we know ---------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What the dashboard must show for the store `fill_known_figures` builds."""

    total: int = 18
    by_status: tuple[tuple[str, int], ...] = (
        ("received", 4),
        ("listed", 4),
        ("heard", 5),
        ("closed", 4),
        ("diverted", 1),
        ("withdrawn", 0),
    )
    recent_28_days: int = 10
    referrals_12_months: int = 15
    repeats_12_months: int = 5  # 33% of 15
    repeat_percent: int = 33
    next_meeting_in_days: int = 5
    next_meeting_cases: int = 3
    open_actions: int = 5
    overdue: tuple[tuple[str, int], ...] = (("Police", 2), ("Housing", 1))
    reviews_overdue: int = 1
    reviews_due_soon: int = 1


def fill_known_figures(store: Store, today: date | None = None) -> Expected:
    """Referrals, meetings, actions and risk reviews whose counts are worked out by hand."""
    today = today or date.today()
    now = utcnow()
    with store.write() as s:
        agency = {a.name: a.id for a in s.scalars(select(Agency))}
        panel = Panel(
            name="Northtown MARAC", panel_type="marac", cadence="weekly:wed", created_at=now
        )
        s.add(panel)
        s.flush()

        def referral(n: int, days_ago: int, status: str, **flags: Any) -> Referral:
            person = Person(
                first_name="Test", last_name=f"Victim{n}", created_at=now, updated_at=now
            )
            s.add(person)
            s.flush()
            ref = Referral(
                case_ref=f"NT-{n:04d}",
                panel_id=panel.id,
                referral_date=today - timedelta(days=days_ago),
                referring_agency_id=agency["Police"],
                victim_id=person.id,
                status=status,
                created_at=now,
                updated_at=now,
                **flags,
            )
            s.add(ref)
            s.flush()
            return ref

        # Ten in the last 28 days (0 and 27 days ago are the edges of the window).
        recent_statuses = ["received"] * 4 + ["listed"] * 3 + ["heard"] * 3
        recent = [
            referral(i, days, st)
            for i, (days, st) in enumerate(
                zip([0, 1, 3, 5, 8, 12, 15, 20, 25, 27], recent_statuses, strict=True), 1
            )
        ]
        # Five more within 12 months; 28 days ago falls just outside the recent window.
        older = [
            referral(11, 28, "listed"),
            referral(12, 60, "heard"),
            referral(13, 120, "heard"),
            referral(14, 200, "closed"),
            referral(15, 364, "closed"),
        ]
        # Three outside the 12 months (one is a repeat that must not count).
        referral(16, 366, "closed", is_repeat=True)
        referral(17, 400, "closed")
        referral(18, 500, "diverted")
        # Repeats in the 12 months: four flagged, one flag overridden off, one override on.
        for ref in (recent[0], recent[4], older[1], older[4]):
            ref.is_repeat = True
        recent[5].is_repeat, recent[5].repeat_override = True, False
        older[2].repeat_override = True

        # Meetings: held last week, cancelled in 2 days, planned in 5 days (3 cases) and 12.
        def meeting(days: int, status: str) -> Meeting:
            m = Meeting(
                panel_id=panel.id,
                meeting_date=today + timedelta(days=days),
                status=status,
                created_at=now,
            )
            s.add(m)
            s.flush()
            return m

        meeting(-7, "held")
        meeting(2, "cancelled")
        nxt = meeting(5, "planned")
        later = meeting(12, "planned")
        for pos, ref in enumerate(recent[4:7], 1):
            s.add(MeetingCase(meeting_id=nxt.id, referral_id=ref.id, position=pos))
        s.add(MeetingCase(meeting_id=later.id, referral_id=recent[0].id, position=1))

        def action(owner: str, due_in: int | None, status: str) -> None:
            s.add(
                Action(
                    referral_id=older[0].id,
                    owner_agency_id=agency[owner],
                    text="Test action",
                    due_date=None if due_in is None else today + timedelta(days=due_in),
                    status=status,
                    created_at=now,
                    updated_at=now,
                )
            )

        action("Police", -3, "open")
        action("Police", -40, "carried_forward")
        action("Housing", -1, "open")
        action("IDVA", 0, "open")  # due today: not overdue yet
        action("IDVA", None, "open")  # no due date: open, never overdue
        action("Housing", -10, "completed")
        action("Probation", -10, "not_possible")

        def assessment(ref: Referral, assessed_ago: int, review_in: int | None) -> None:
            s.add(
                RiskAssessment(
                    referral_id=ref.id,
                    form_id="marac-desk-risk",
                    form_version="1",
                    assessed_on=today - timedelta(days=assessed_ago),
                    review_due=None if review_in is None else today + timedelta(days=review_in),
                    created_at=now,
                )
            )

        assessment(older[1], 50, -3)  # heard: overdue
        assessment(recent[5], 2, 10)  # listed: due within 14 days
        assessment(older[3], 60, -5)  # closed: not counted
        assessment(recent[1], 30, -20)  # received: superseded by the newer one below
        assessment(recent[1], 1, 40)
        assessment(recent[2], 1, 20)  # received: not due soon
    return Expected()
