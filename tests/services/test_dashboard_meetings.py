"""The dashboard's meeting figures: referrals awaiting listing, late minutes, lapses."""

from __future__ import annotations

from datetime import date, time

from marac_desk.services import dashboard, meetings
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import make_panel, refer


def test_awaiting_listing_counts_referrals_on_no_meeting(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store)
    mid = meetings.add_meeting(s, a, pid, date(2026, 12, 2))
    listed = refer(open_store, date(2026, 11, 2), "Amy", "Listed")
    refer(open_store, date(2026, 11, 3), "Bo", "Waiting")
    meetings.add_case(s, a, mid, listed.id)
    assert dashboard.summarise(s, date(2026, 11, 30)).awaiting_listing == 1


def test_minutes_are_late_three_working_days_after_the_meeting(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store)
    # Wednesday 23 December 2026: Thursday 24th is the first working day after it; Christmas
    # Day, the weekend and Boxing Day (observed on Monday 28th) do not count, so the third
    # working day, when the minutes are due, is Wednesday 30 December.
    mid = meetings.add_meeting(s, a, pid, date(2026, 12, 23))
    meetings.start_meeting(s, a, mid, time(10, 0))
    assert dashboard.summarise(s, date(2026, 12, 30)).minutes_overdue == ()
    (late,) = dashboard.summarise(s, date(2026, 12, 31)).minutes_overdue
    assert (late.meeting_id, late.due) == (mid, date(2026, 12, 30))
    meetings.set_minutes_circulated(s, a, mid, date(2026, 12, 31))
    assert dashboard.summarise(s, date(2027, 1, 4)).minutes_overdue == ()


def test_lapses_this_month_are_counted(open_store: OpenStore) -> None:
    make_panel(open_store)
    refer(open_store, date(2025, 12, 10), "Cy", "Lapsing")
    refer(open_store, date(2025, 11, 10), "Di", "Earlier")
    assert dashboard.summarise(open_store.store, date(2026, 12, 15)).lapsing_this_month == 1
