"""Helpers for the referral GUI tests: referrals made through the services, and a main window
with the referrals area showing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt

from marac_desk.services import referrals
from marac_desk.services.referrals import (
    PerpetratorInput,
    PersonInput,
    ReferralInput,
    SavedReferral,
)
from marac_desk.services.session import OpenStore
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.referrals_view import ReferralsView

TODAY = date.today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def make_referral(
    opened: OpenStore,
    first: str,
    last: str,
    dob: date | None,
    *,
    on: date | None = None,
    agency: str = "Police",
    perpetrator: tuple[str, str, date | None] | None = None,
    victim_id: int | None = None,
    perpetrator_id: int | None = None,
    decided: bool = True,
    victim_nhs: str = "",
    **fields: Any,
) -> SavedReferral:
    """A referral as intake would store it (through the service, validation included)."""
    perps: tuple[PerpetratorInput, ...] = ()
    if perpetrator is not None:
        perps = (
            PerpetratorInput(
                *perpetrator,
                person_id=perpetrator_id,
                decided=decided,
                relationship_to_victim="ex_partner",
            ),
        )
    fields.setdefault("crit_professional_judgement", True)
    fields.setdefault("professional_judgement_reason", "Escalating threats")
    inp = ReferralInput(
        referral_date=on or days_ago(30),
        referring_agency=agency,
        victim=PersonInput(
            first, last, dob, person_id=victim_id, decided=decided, nhs_number=victim_nhs
        ),
        perpetrators=perps,
        **fields,
    )
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY)


def open_window(qtbot: Any, opened: OpenStore) -> MainWindow:
    win = MainWindow(opened)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=10_000):
        win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    return win


def show_referrals(qtbot: Any, win: MainWindow) -> ReferralsView:
    view = win.areas["referrals"]
    assert isinstance(view, ReferralsView)
    with qtbot.waitSignal(view.list_page.model.loaded, timeout=10_000):
        win.show_area("referrals")
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    return view


def wait_list(qtbot: Any, view: ReferralsView, action: Any) -> None:
    """Do something to the list's filters and wait for the new rows (and their count)."""
    model = view.list_page.model
    with qtbot.waitSignal(model.counted, timeout=10_000):
        action()


def visible_cases(view: ReferralsView) -> list[str]:
    model = view.list_page.model
    return [model.row_at(r).case_ref for r in range(model.rowCount())]


def ctrl(qtbot: Any, widget: Any, key: Qt.Key, shift: bool = False) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if shift:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(widget, key, modifiers)
