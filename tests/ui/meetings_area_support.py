"""Helpers for the meetings and actions GUI tests: a panel, meetings and referrals made through
the services, and the meetings area shown in a main window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from referral_support import TODAY, days_ago, make_referral, open_window

from marac_desk.services import meetings, panels
from marac_desk.services.referrals import SavedReferral
from marac_desk.services.session import OpenStore
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.meetings_view import MeetingsView

WEDNESDAY = 2


def wednesday_after(day: date, weeks: int = 0) -> date:
    """The first Wednesday on or after `day`, then `weeks` later."""
    return day + timedelta(days=(WEDNESDAY - day.weekday()) % 7, weeks=weeks)


# The next two meetings: far enough ahead that referrals made "days ago" meet the cut-off.
FIRST = wednesday_after(TODAY + timedelta(days=7))
SECOND = FIRST + timedelta(weeks=1)


def make_panel(opened: OpenStore, name: str = "Northtown MARAC", **kw: Any) -> int:
    config = replace(panels.PanelConfig(id=None, name=name), **kw)
    return panels.save_panel(opened.store, opened.actor, config)


def refer(opened: OpenStore, n: int, *, days: int = 30, **kw: Any) -> SavedReferral:
    """A referral with a name of its own (no two are the same person)."""
    surnames = ("Okafor", "Nowak", "Haddad", "Lindqvist", "Mbeki", "Fraser", "Quigley")
    return make_referral(
        opened,
        f"Victim{chr(65 + n % 26)}",
        f"{surnames[n % len(surnames)]}{n}",
        date(1980 + n % 20, 1 + n % 12, 1 + n % 27),
        on=days_ago(days),
        **kw,
    )


def show_meetings(qtbot: Any, opened: OpenStore) -> tuple[MainWindow, MeetingsView]:
    win = open_window(qtbot, opened)
    view = win.areas["meetings"]
    assert isinstance(view, MeetingsView)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        win.show_area("meetings")
    return win, view


def refreshed(qtbot: Any, view: MeetingsView, action: Callable[[], object]) -> None:
    """Do something and wait until the area has read the store again."""
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        action()


def agenda_refs(view: MeetingsView) -> list[str]:
    return [c.case_ref for c in view.agenda_model.rows]


def stored_refs(opened: OpenStore, meeting_id: int) -> list[str]:
    return [c.case_ref for c in meetings.get_agenda(opened.store, meeting_id).cases]


def active_dialog(qtbot: Any, view: Any) -> Any:
    """The dialog the area opened, once it is the active window (keys go where a user's would)."""
    dialog = view.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
    return dialog


def back_in(qtbot: Any, widget: Any) -> None:
    """After a dialog: the main window active again and `widget` focused."""
    win = widget.window()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    widget.setFocus()
