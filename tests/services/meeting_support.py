"""Builders for meeting tests: a panel and referrals for it, through the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from marac_desk.services import actions, meetings, panels, referrals
from marac_desk.services.actions import ActionInput
from marac_desk.services.meetings import AttendanceInput
from marac_desk.services.referrals import (
    PerpetratorInput,
    PersonInput,
    ReferralInput,
    SavedReferral,
)
from marac_desk.services.session import OpenStore

TODAY = date(2027, 3, 1)  # referral dates in these tests are in the past


def make_panel(opened: OpenStore, **kw: object) -> int:
    config = replace(panels.PanelConfig(id=None, name="Northtown MARAC"), **kw)  # type: ignore[arg-type]
    return panels.save_panel(opened.store, opened.actor, config)


def refer(
    opened: OpenStore, on: date, first: str, last: str, panel: str = "Northtown MARAC"
) -> SavedReferral:
    inp = ReferralInput(
        referral_date=on,
        referring_agency="Police",
        panel=panel,
        victim=PersonInput(first, last, date(1990, 4, 12)),
        perpetrators=(PerpetratorInput("Karl", last, date(1988, 1, 1)),),
        crit_visible_high_risk=True,
        risk_score=15,
    )
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY)


def two_meetings(open_store: OpenStore) -> tuple[int, int, int]:
    """Two meetings of one panel: the first set an action, the second reviewed it and heard a
    new case. Returns (first meeting, second meeting, the reviewed action)."""
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store)
    first = meetings.add_meeting(s, a, pid, date(2026, 11, 25))
    old_case = meetings.add_case(s, a, first, refer(open_store, date(2026, 11, 2), "Ola", "Old").id)
    reviewed = actions.add_action(
        s, a, old_case, ActionInput("Police", "Serve DVPN", due_date=date(2026, 12, 1))
    )
    meetings.set_outcome(s, a, old_case, "heard_closed")
    second = meetings.add_meeting(s, a, pid, date(2026, 12, 2))
    meetings.add_meeting(s, a, pid, date(2026, 12, 9))
    case = meetings.add_case(s, a, second, refer(open_store, date(2026, 11, 20), "Nia", "New").id)
    meetings.update_meeting_details(
        s, a, second, chair="DI Shah", minute_taker="Sam", any_other_business="Room change\n\n"
    )
    meetings.start_meeting(s, a, second, time(10, 0))
    meetings.record_statement_read(s, a, second)
    meetings.add_attendance(s, a, second, AttendanceInput("Police", "DS Reid"))
    actions.set_status(
        s,
        a,
        reviewed,
        "carried_forward",
        note="Perpetrator abroad",
        new_due=date(2026, 12, 16),
        on=date(2026, 12, 2),
        meeting_id=second,
    )
    note = meetings.add_note(s, a, case, "Housing", "opinion")
    meetings.save_note(s, a, note, text="Tenancy at risk <arrears>")
    meetings.save_case_text(s, a, case, "victim_voice", "Wants to stay put & be safe")
    meetings.save_case_text(s, a, case, "risks_to_children", "Two children witnessed")
    actions.add_action(s, a, case, ActionInput("Housing", "Sanctuary scheme", linked_risk="Home"))
    meetings.set_outcome(s, a, case, "heard_open")
    meetings.finish_meeting(s, a, second, time(11, 30))
    return first, second, reviewed
