"""Cancelling sends cases only to another meeting of the same panel, and reinstating never
makes two meetings on one day (fixes found while building the meetings area)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from marac_desk.services import meetings, panels, referrals
from marac_desk.services.meetings import MeetingError
from marac_desk.services.referrals import PersonInput, ReferralInput
from marac_desk.services.session import OpenStore


def _panel(opened: OpenStore, name: str) -> int:
    config = replace(panels.PanelConfig(id=None, name=name), cadence="weekly:wed")
    return panels.save_panel(opened.store, opened.actor, config)


def test_cancelled_cases_stay_within_their_panel(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    north, south = _panel(open_store, "North MARAC"), _panel(open_store, "South MARAC")
    mid = meetings.add_meeting(s, a, north, date(2026, 12, 2))
    elsewhere = meetings.add_meeting(s, a, south, date(2026, 12, 9))
    inp = ReferralInput(
        referral_date=date(2026, 11, 2),
        referring_agency="Police",
        panel="North MARAC",
        victim=PersonInput("Ann", "Case", date(1990, 1, 1)),
        crit_professional_judgement=True,
        professional_judgement_reason="Escalating threats",
    )
    ref = referrals.create_referral(s, a, inp, today=date(2026, 11, 3))
    meetings.add_case(s, a, mid, ref.id)
    with pytest.raises(MeetingError, match="same panel"):
        meetings.cancel_meeting(s, a, mid, "snow", move_cases_to=elsewhere)
    with pytest.raises(MeetingError, match="another meeting"):
        meetings.cancel_meeting(s, a, mid, "snow", move_cases_to=mid)
    assert meetings.get_meeting(s, mid).status == "planned"
    assert [c.referral_id for c in meetings.get_agenda(s, mid).cases] == [ref.id]


def test_reinstating_refuses_a_second_meeting_on_the_same_day(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    panel_id = _panel(open_store, "North MARAC")
    cancelled = meetings.add_meeting(s, a, panel_id, date(2026, 12, 16))
    meetings.cancel_meeting(s, a, cancelled, "chair ill")
    meetings.add_meeting(s, a, panel_id, date(2026, 12, 16))  # rearranged on the same day
    with pytest.raises(MeetingError, match="already meets on 16 December 2026"):
        meetings.reinstate_meeting(s, a, cancelled)
    assert meetings.get_meeting(s, cancelled).status == "cancelled"
