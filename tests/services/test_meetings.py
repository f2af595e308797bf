"""Panels, meeting schedules, the case list, attendance and the live meeting, in the store."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from marac_desk.db.models import AuditEvent, Referral
from marac_desk.services import actions, meetings, panels, referrals
from marac_desk.services.actions import ActionFilter, ActionInput
from marac_desk.services.meetings import AttendanceInput, MeetingError
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import make_panel, refer


@pytest.fixture
def panel_id(open_store: OpenStore) -> int:
    return make_panel(open_store, cadence="weekly:wed")


def test_a_panel_keeps_its_rules_and_its_cadence_in_canonical_form(
    open_store: OpenStore,
) -> None:
    pid = make_panel(open_store, cadence="Fortnightly:Tuesday", case_cap_warn=12)
    found = panels.find_panel(open_store.store, "northtown  marac")
    assert found.id == pid
    assert found.cadence == "fortnightly:tue"
    assert found.case_cap_warn == 12
    assert found.quorum.required_agencies == ("Police", "IDVA")


def test_a_bad_cadence_is_refused_with_what_is_wrong(open_store: OpenStore) -> None:
    with pytest.raises(panels.PanelRejected, match="weekly:funday"):
        make_panel(open_store, cadence="weekly:funday")
    assert panels.list_panels(open_store.store) == []


def test_scheduling_skips_bank_holidays_and_is_idempotent(
    open_store: OpenStore,
) -> None:
    pid = make_panel(open_store, cadence="weekly:mon")
    start, end = date(2026, 3, 30), date(2026, 4, 13)
    assert meetings.schedule_meetings(open_store.store, open_store.actor, pid, start, end) == 3
    days = [m.meeting_date for m in meetings.list_meetings(open_store.store, panel_id=pid)]
    # Easter Monday 6 April 2026 is a bank holiday: that week's meeting is on the Tuesday.
    assert days == [date(2026, 3, 30), date(2026, 4, 7), date(2026, 4, 13)]
    assert meetings.schedule_meetings(open_store.store, open_store.actor, pid, start, end) == 0


def test_a_moved_or_cancelled_meeting_is_not_planned_again(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    meetings.schedule_meetings(s, a, panel_id, date(2026, 12, 1), date(2026, 12, 10))
    first, second = meetings.list_meetings(s, panel_id=panel_id)
    meetings.move_meeting(s, a, first.id, date(2026, 12, 4), "room unavailable")
    meetings.cancel_meeting(s, a, second.id, "chair ill")
    meetings.schedule_meetings(s, a, panel_id, date(2026, 12, 1), date(2026, 12, 10))
    rows = meetings.list_meetings(s, panel_id=panel_id)
    assert [(m.meeting_date, m.status) for m in rows] == [
        (date(2026, 12, 4), "planned"),
        (date(2026, 12, 9), "cancelled"),
    ]
    assert rows[0].original_date == date(2026, 12, 2)


def test_moving_and_cancelling_need_a_reason(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    with pytest.raises(MeetingError, match="why"):
        meetings.move_meeting(s, a, mid, date(2026, 12, 3), " ")
    with pytest.raises(MeetingError, match="why"):
        meetings.cancel_meeting(s, a, mid, "")


def test_referrals_before_the_cutoff_are_proposed_oldest_first(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    late = refer(open_store, date(2026, 11, 28), "Ann", "Late")  # after the cut-off (27th)
    second = refer(open_store, date(2026, 11, 27), "Bea", "Second")
    first = refer(open_store, date(2026, 11, 10), "Cat", "First")
    proposed = [p.case_ref for p in meetings.propose_cases(s, mid)]
    assert proposed == [first.case_ref, second.case_ref]
    assert late.case_ref not in proposed


def test_listing_reordering_moving_and_removing_cases(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    later = meetings.add_meeting(s, a, panel_id, date(2026, 12, 9))
    refs = [refer(open_store, date(2026, 11, d), n, "Case") for d, n in ((2, "A"), (3, "B"))]
    ids = [meetings.add_case(s, a, mid, r.id) for r in refs]
    assert referrals.get_referral(s, refs[0].id).status == "listed"
    with pytest.raises(MeetingError, match="already"):
        meetings.add_case(s, a, later, refs[0].id)
    assert meetings.propose_cases(s, later) == []

    meetings.reorder_cases(s, a, mid, [ids[1], ids[0]])
    agenda = meetings.get_agenda(s, mid)
    assert [c.case_ref for c in agenda.cases] == [refs[1].case_ref, refs[0].case_ref]
    assert agenda.total_minutes == 30

    meetings.move_case(s, a, ids[1], later)
    assert [c.case_ref for c in meetings.get_agenda(s, mid).cases] == [refs[0].case_ref]
    assert [c.position for c in meetings.get_agenda(s, later).cases] == [1]

    meetings.remove_case(s, a, ids[0])
    assert meetings.get_agenda(s, mid).cases == ()
    assert referrals.get_referral(s, refs[0].id).status == "received"


def test_the_case_cap_warns_at_fifteen_and_strongly_above_twenty(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    levels = []
    for i in range(21):
        r = refer(open_store, date(2026, 11, 1 + i), f"V{i}", f"Surname{i}")
        meetings.add_case(s, a, mid, r.id)
        levels.append(meetings.get_agenda(s, mid).cap.level)
    assert levels[13] == "ok"  # 14 cases
    assert levels[14] == "warn"  # 15
    assert levels[19] == "warn"  # 20
    assert levels[20] == "strong"  # 21


def test_a_cancelled_meeting_with_cases_sends_them_on(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    later = meetings.add_meeting(s, a, panel_id, date(2026, 12, 9))
    r = refer(open_store, date(2026, 11, 2), "Dee", "Moved")
    meetings.add_case(s, a, mid, r.id)
    with pytest.raises(MeetingError, match="move them"):
        meetings.cancel_meeting(s, a, mid, "snow")
    meetings.cancel_meeting(s, a, mid, "snow", move_cases_to=later)
    assert [c.referral_id for c in meetings.get_agenda(s, later).cases] == [r.id]


def test_research_returns_are_recorded_per_agency(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    case = meetings.add_case(s, a, mid, refer(open_store, date(2026, 11, 2), "Eve", "R").id)
    assert meetings.request_research(s, a, mid, ["Police", "Housing"]) == 2
    meetings.set_research(s, a, case, "Housing", "nothing_held")
    research = meetings.get_agenda(s, mid).cases[0].research
    assert {(r.agency, r.status) for r in research} == {
        ("Police", "requested"),
        ("Housing", "nothing_held"),
    }


def test_attendance_and_quorum(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    meetings.add_attendance(s, a, mid, AttendanceInput("Police", "DS Reid"))
    meetings.add_attendance(
        s, a, mid, AttendanceInput("Housing", "J Patel", "apologies", True, date(2026, 12, 1))
    )
    verdict = meetings.quorum(s, mid)
    assert not verdict.met
    assert "IDVA" in verdict.message
    with pytest.raises(MeetingError, match="confidentiality"):
        meetings.add_attendance(s, a, mid, AttendanceInput("Education", "Visitor", "observer"))
    meetings.add_attendance(s, a, mid, AttendanceInput("IDVA", "K Owusu"))
    meetings.add_attendance(s, a, mid, AttendanceInput("Children's Social Care", "M Li"))
    assert meetings.quorum(s, mid).met
    rows = meetings.list_attendance(s, mid)
    housing = next(r for r in rows if r.agency == "Housing")
    assert housing.information_sent and housing.information_sent_on == date(2026, 12, 1)


def test_typed_notes_are_saved_and_coalesced_in_the_audit(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    case = meetings.add_case(s, a, mid, refer(open_store, date(2026, 11, 2), "Fay", "N").id)
    for text in ("She", "She is", "She is afraid"):
        meetings.save_case_text(s, a, case, "victim_voice", text)
    note = meetings.add_note(s, a, case, "Police", "fact")
    meetings.save_note(s, a, note, text="Three call-outs since <June> & counting")
    meetings.save_note(s, a, note, kind="opinion")
    sheet = meetings.get_case_sheet(s, case)
    assert sheet.victim_voice == "She is afraid"
    assert [(n.agency, n.kind, n.text) for n in sheet.agency_notes] == [
        ("Police", "opinion", "Three call-outs since <June> & counting")
    ]
    with s.read() as session:
        voice_events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "meeting_case", AuditEvent.description == "victim voice"
            )
        ).all()
    assert len(voice_events) == 1


def test_outcomes_move_the_referral_and_deferral_needs_a_reason(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    r = refer(open_store, date(2026, 11, 2), "Gail", "O")
    case = meetings.add_case(s, a, mid, r.id)
    with pytest.raises(MeetingError, match="why"):
        meetings.set_outcome(s, a, case, "deferred")
    meetings.set_outcome(s, a, case, "heard_closed")
    assert referrals.get_referral(s, r.id).status == "closed"
    with pytest.raises(MeetingError, match="defer"):
        meetings.remove_case(s, a, case)


def test_kept_open_cases_are_proposed_at_the_next_meeting(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store, panel_type="community_marac", cadence="monthly:1:thu")
    first = meetings.add_meeting(s, a, pid, date(2026, 11, 5))
    second = meetings.add_meeting(s, a, pid, date(2026, 12, 3))
    r = refer(open_store, date(2026, 10, 20), "Hana", "Open")
    case = meetings.add_case(s, a, first, r.id)
    meetings.start_meeting(s, a, first, time(10, 0))
    meetings.set_outcome(s, a, case, "heard_open")
    proposed = meetings.propose_cases(s, second)
    assert [(p.referral_id, p.ongoing) for p in proposed] == [(r.id, True)]
    meetings.add_case(s, a, second, r.id)
    assert meetings.get_agenda(s, second).cases[0].ongoing


def test_find_meeting_by_date_must_be_unique(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    other = make_panel(open_store, name="Southtown MARAC")
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    meetings.add_meeting(s, a, other, date(2026, 12, 2))
    with pytest.raises(MeetingError, match="--panel"):
        meetings.find_meeting(s, "2026-12-02")
    assert meetings.find_meeting(s, "2026-12-02", "Northtown MARAC").id == mid
    assert meetings.find_meeting(s, str(mid)).id == mid
    with pytest.raises(MeetingError, match="No meeting"):
        meetings.find_meeting(s, "2026-12-03")


# ----- actions ----------------------------------------------------------------------------------


def _case_with_meeting(opened: OpenStore, panel_id: int) -> tuple[int, int]:
    s, a = opened.store, opened.actor
    mid = meetings.add_meeting(s, a, panel_id, date(2026, 12, 2))
    case = meetings.add_case(s, a, mid, refer(opened, date(2026, 11, 2), "Iris", "A").id)
    return mid, case


def test_an_action_gets_the_default_due_date_and_needs_an_owner(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    _, case = _case_with_meeting(open_store, panel_id)
    with pytest.raises(actions.ActionRejected) as caught:
        actions.add_action(s, a, case, ActionInput("", "Visit"))
    assert [p.field for p in caught.value.problems] == ["owner_agency"]
    aid = actions.add_action(s, a, case, ActionInput("Housing", "Fit target-hardening"))
    (row,) = actions.actions_of_case(s, case)
    assert row.id == aid
    assert row.due_date == date(2026, 12, 30)  # 28 days after the meeting
    assert row.status == "open"


def test_action_status_rules_and_history(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    mid, case = _case_with_meeting(open_store, panel_id)
    aid = actions.add_action(
        s, a, case, ActionInput("Police", "Arrest on warrant", due_date=date(2026, 12, 9))
    )
    with pytest.raises(actions.ActionRejected) as caught:
        actions.set_status(s, a, aid, "not_undertaken", on=date(2026, 12, 10))
    assert caught.value.problems[0].field == "note"
    with pytest.raises(actions.ActionRejected):
        actions.set_status(s, a, aid, "carried_forward", on=date(2026, 12, 10))
    actions.set_status(
        s, a, aid, "carried_forward", new_due=date(2026, 12, 23), on=date(2026, 12, 10)
    )
    actions.set_status(s, a, aid, "completed", on=date(2026, 12, 20), meeting_id=mid)
    history = actions.updates_of(s, aid)
    assert [(u.status, u.new_due_date) for u in history] == [
        ("carried_forward", date(2026, 12, 23)),
        ("completed", None),
    ]
    (row,) = actions.actions_of_case(s, case)
    assert row.completed_on == date(2026, 12, 20)
    assert actions.reviewed_at(s, mid)[aid].status == "completed"


def test_the_actions_list_filters_by_agency_overdue_and_week(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    _, case = _case_with_meeting(open_store, panel_id)
    actions.add_action(s, a, case, ActionInput("Police", "Late", due_date=date(2026, 12, 1)))
    actions.add_action(s, a, case, ActionInput("Housing", "Soon", due_date=date(2026, 12, 10)))
    actions.add_action(s, a, case, ActionInput("Housing", "Later", due_date=date(2027, 1, 20)))
    today = date(2026, 12, 8)  # a Tuesday
    overdue = actions.list_actions(s, ActionFilter(overdue=True), today=today)
    assert [(r.text, r.days_overdue) for r in overdue] == [("Late", 5)]
    week = actions.list_actions(s, ActionFilter(due_this_week=True), today=today)
    assert [r.text for r in week] == ["Soon"]
    housing = actions.list_actions(s, ActionFilter(agency="Housing"), today=today)
    assert [r.text for r in housing] == ["Soon", "Later"]
    assert actions.count_actions(s, ActionFilter(status="open"), today) == 3
    # Counting joins only what the filter needs, and always agrees with the list.
    for flt in (
        ActionFilter(overdue=True),
        ActionFilter(agency="Housing", due_this_week=True),
        ActionFilter(text="Soon"),
        ActionFilter(meeting_id=meetings.list_meetings(s)[0].id, agency="Police"),
        ActionFilter(panel_id=panel_id, status="completed"),
    ):
        assert actions.count_actions(s, flt, today) == len(
            actions.list_actions(s, flt, today=today)
        )
    assert actions.overdue_by_agency(s, today) == {"Police": 1}


def test_outstanding_actions_from_earlier_meetings_are_reviewed_first(
    open_store: OpenStore, panel_id: int
) -> None:
    s, a = open_store.store, open_store.actor
    mid, case = _case_with_meeting(open_store, panel_id)
    aid = actions.add_action(s, a, case, ActionInput("Police", "Warn perpetrator"))
    later = meetings.add_meeting(s, a, panel_id, date(2026, 12, 9))
    assert [r.id for r in actions.outstanding_for_meeting(s, later)] == [aid]
    assert actions.outstanding_for_meeting(s, mid) == []
    assert meetings.get_agenda(s, later).outstanding_actions == 1
    actions.set_status(s, a, aid, "completed", on=date(2026, 12, 9), meeting_id=later)
    # Still shown in that meeting's review, with its outcome.
    assert [r.status for r in actions.outstanding_for_meeting(s, later)] == ["completed"]
    assert meetings.get_agenda(s, later).outstanding_actions == 0


def test_every_change_is_audited(open_store: OpenStore, panel_id: int) -> None:
    s, a = open_store.store, open_store.actor
    _, case = _case_with_meeting(open_store, panel_id)
    aid = actions.add_action(s, a, case, ActionInput("Police", "Check"))
    actions.set_status(s, a, aid, "completed", on=date(2026, 12, 3))
    with s.read() as session:
        events = session.scalars(
            select(AuditEvent.description).where(AuditEvent.entity == "action")
        )
        assert list(events) == ["action for Police", "status open → completed"]
        assert session.scalar(select(Referral.status)) == "listed"
