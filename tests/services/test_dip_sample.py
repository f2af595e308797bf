"""The QA dip sample: reproducible with its seed, only cases heard in the period, the facts a
reviewer checks, and a checklist PDF that identifies nobody."""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, time
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from marac_desk.db.models import AuditEvent
from marac_desk.export.qa_checklist import PRINCIPLES, build_qa_checklist
from marac_desk.export.qa_model import ActionFacts, ResearchFacts
from marac_desk.services import actions, dip_sample, meetings, referrals
from marac_desk.services.actions import ActionInput
from marac_desk.services.meetings import AttendanceInput
from marac_desk.services.session import OpenStore
from tests.services.dataset_support import hear, refer
from tests.services.meeting_support import make_panel

START, END = date(2026, 4, 1), date(2026, 9, 30)
TODAY = date(2026, 6, 1)
GENERATED_AT = datetime(2026, 10, 5, 9, 30)


@pytest.fixture
def store_cases(open_store: OpenStore) -> dict[str, list[str]]:
    """12 cases heard in the period at three meetings; others that are not in the population."""
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store)
    heard: list[str] = []
    for day in (date(2026, 4, 8), date(2026, 5, 13), date(2026, 9, 30)):
        mid = meetings.add_meeting(s, a, pid, day)
        for i in range(4):
            rid = refer(open_store, date(2026, 3, 2 + i), children=i % 2)
            hear(open_store, mid, rid, "heard_open" if i == 0 else "heard_closed")
            heard.append(referrals.get_referral(s, rid).case_ref)
    others: list[str] = []
    before = meetings.add_meeting(s, a, pid, date(2026, 3, 25))
    after = meetings.add_meeting(s, a, pid, date(2026, 10, 7))
    april = meetings.meeting_case_ids(s, meetings.find_meeting(s, "2026-04-08").id)
    assert len(april) == 4
    for mid, outcome in ((before, "heard_closed"), (after, "heard_closed")):
        rid = refer(open_store, date(2026, 3, 1))
        hear(open_store, mid, rid, outcome)
        others.append(referrals.get_referral(s, rid).case_ref)
    may = meetings.find_meeting(s, "2026-05-13").id
    for outcome in ("deferred", "pending"):
        rid = refer(open_store, date(2026, 4, 1))
        hear(open_store, may, rid, outcome)
        others.append(referrals.get_referral(s, rid).case_ref)
    return {"heard": heard, "others": others}


def test_the_same_seed_draws_the_same_cases_and_another_seed_others(
    open_store: OpenStore, store_cases: dict[str, list[str]]
) -> None:
    s = open_store.store
    first = dip_sample.draw(s, START, END, 5, 2026, today=TODAY)
    again = dip_sample.draw(s, START, END, 5, 2026, today=TODAY)
    other = dip_sample.draw(s, START, END, 5, 2027, today=TODAY)
    assert first == again
    assert (first.seed, first.requested, first.population) == (2026, 5, 12)
    assert len(first.case_refs) == 5 and len(set(first.case_refs)) == 5
    assert set(first.case_refs) != set(other.case_refs)
    # Printed in hearing order, numbered from 1.
    assert [c.number for c in first.cases] == [1, 2, 3, 4, 5]
    keys = [(c.meeting_date, c.case_ref) for c in first.cases]
    assert keys == sorted(keys)


def test_only_cases_heard_in_the_period_are_drawn(
    open_store: OpenStore, store_cases: dict[str, list[str]]
) -> None:
    s = open_store.store
    for seed in range(20):
        drawn = set(dip_sample.draw(s, START, END, 3, seed, today=TODAY).case_refs)
        assert drawn <= set(store_cases["heard"])
    one_day = dip_sample.draw(s, date(2026, 9, 30), date(2026, 9, 30), 10, 1, today=TODAY)
    assert one_day.population == 4  # the last day of the period is in it


def test_asking_for_more_cases_than_were_heard_takes_them_all(
    open_store: OpenStore, store_cases: dict[str, list[str]]
) -> None:
    everything = dip_sample.draw(open_store.store, START, END, 50, 9, today=TODAY)
    assert everything.took_all
    assert (everything.requested, everything.population, len(everything.cases)) == (50, 12, 12)
    assert sorted(everything.case_refs) == sorted(store_cases["heard"])
    assert not dip_sample.draw(open_store.store, START, END, 11, 9, today=TODAY).took_all


def test_the_sample_does_not_move_when_cases_outside_it_are_added(
    open_store: OpenStore, store_cases: dict[str, list[str]]
) -> None:
    s, a = open_store.store, open_store.actor
    before = dip_sample.draw(s, START, END, 4, 77, today=TODAY).case_refs
    later = meetings.add_meeting(s, a, make_panel(open_store, name="Southtown MARAC"), END)
    hear(open_store, later, refer(open_store, date(2026, 9, 1), panel="Southtown MARAC"))
    assert dip_sample.draw(s, START, END, 4, 77, panel="Northtown MARAC").case_refs == before
    assert dip_sample.draw(s, START, END, 50, 77).population == 13  # every panel


def test_choose_shuffles_with_the_seed_alone() -> None:
    assert dip_sample.choose(10, 4, 5) == dip_sample.choose(10, 4, 5)
    picked = dip_sample.choose(1000, 10, 5)
    assert len(set(picked)) == 10 and all(0 <= p < 1000 for p in picked)
    assert sorted(dip_sample.choose(3, 8, 5)) == [0, 1, 2]
    # Pinned: the shuffle must not change between versions, or old samples cannot be redrawn.
    assert dip_sample.choose(20, 5, 12345) == [8, 1, 16, 0, 9]
    with pytest.raises(dip_sample.DipSampleError):
        dip_sample.choose(5, 0, 1)


def test_no_cases_heard_is_an_error(open_store: OpenStore) -> None:
    make_panel(open_store)
    with pytest.raises(dip_sample.DipSampleError, match="No cases were heard"):
        dip_sample.draw(open_store.store, START, END, 5, 1)


def test_each_sampled_case_carries_the_facts_the_reviewer_checks(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    pid = make_panel(open_store)
    mid = meetings.add_meeting(s, a, pid, date(2026, 4, 8))  # minutes due 13 April
    rid = refer(
        open_store,
        date(2026, 3, 20),
        joint="IDVA",
        children=2,
        victim_aware="yes",
        phone="07700 900123",
        safe_to_call="yes",
        victim_lgbt="no",
    )
    case = hear(open_store, mid, rid)
    hear(open_store, mid, refer(open_store, date(2026, 3, 21)))
    meetings.start_meeting(s, a, mid, time(10, 0))
    meetings.record_statement_read(s, a, mid)
    for inp in (
        AttendanceInput("Police", "DS Reid"),
        AttendanceInput("IDVA", "K Owusu"),
        AttendanceInput("Children's Social Care", "M Li"),
        AttendanceInput("Housing", "J Patel", "apologies", True, date(2026, 4, 7)),
        AttendanceInput("Education", "T Hale", "apologies"),
        AttendanceInput("Voluntary Sector", "R Observer", "observer", statement_signed=True),
    ):
        meetings.add_attendance(s, a, mid, inp)
    meetings.request_research(s, a, mid, ["Police", "Housing", "Probation"])
    meetings.set_research(s, a, case, "Police", "received")
    meetings.set_research(s, a, case, "Housing", "nothing_held")
    meetings.save_case_text(s, a, case, "victim_voice", "Wants to stay in her home")
    meetings.save_case_text(s, a, case, "risks_to_victim", "Threats to kill")
    meetings.save_case_text(s, a, case, "risks_to_children", "Witnessed assaults")
    for agency, kind, text in (("Police", "fact", "Three call-outs"), ("Housing", "opinion", "x")):
        meetings.save_note(s, a, meetings.add_note(s, a, case, agency, kind), text=text)
    meetings.add_note(s, a, case, "Probation")  # left empty: nothing was shared
    meetings.add_elapsed(s, case, 720)
    meetings.set_minutes_circulated(s, a, mid, date(2026, 4, 10))

    def act(agency: str, person: str, due: date, **kw: str) -> int:
        return actions.add_action(
            s, a, case, ActionInput(agency, "Serve the notice", person, due_date=due, **kw)
        )

    on_time = act("Police", "DS Reid", date(2026, 4, 20), category="perpetrator_disruption",
                  linked_risk="threats")  # fmt: skip
    late = act("IDVA", "K Owusu", date(2026, 4, 22), category="victim_safety")
    act("Housing", "", date(2026, 5, 1))  # still open on 1 June: overdue
    act("Probation", "", date(2026, 12, 1))  # open, not yet due
    impossible = act("Education", "", date(2026, 5, 1))
    actions.set_status(s, a, on_time, "completed", on=date(2026, 4, 18))
    actions.set_status(s, a, late, "completed", on=date(2026, 4, 30))
    actions.set_status(s, a, impossible, "not_possible", note="moved away", on=date(2026, 4, 20))

    sample = dip_sample.draw(s, START, END, 10, 3, today=TODAY)
    assert (sample.meetings_held, sample.hearings, sample.population) == (1, 2, 2)
    (c,) = [c for c in sample.cases if c.case_ref == referrals.get_referral(s, rid).case_ref]
    assert (c.referring_agency, c.joint_agency, c.outcome) == ("Police", "IDVA", "heard_closed")
    assert (c.referral_date, c.meeting_date, c.days_to_hearing) == (
        date(2026, 3, 20),
        date(2026, 4, 8),
        19,
    )
    assert c.checklist_completed and not c.checklist_in_store and c.risk_score == 15
    assert c.criteria == ("visible_high_risk",) and c.judgement_reason_recorded is None
    assert c.missing == () and c.victim_aware == "yes" and not c.is_repeat
    assert c.agencies_present == ("Children's Social Care", "IDVA", "Police")
    assert (c.apologies, c.apologies_information_sent, c.idva_attendance) == (2, 1, "present")
    assert c.research == ResearchFacts(requested=1, received=1, nothing_held=1)
    assert c.victim_voice_recorded
    assert (c.contributions, c.contributions_opinion) == (2, 1)
    assert c.risks_recorded == ("victim", "children")
    assert (c.children_listed, c.cases_heard_at_meeting, c.seconds_on_case) == (2, 2, 720)
    assert c.actions == ActionFacts(
        total=5,
        owner_named=2,
        with_due_date=5,
        owner_and_due=2,
        linked_to_risk=1,
        perpetrator_focused=1,
        idva_owned=1,
        completed_on_time=1,
        completed_late=1,
        overdue=1,
        open_not_due=1,
        not_possible=1,
        updates=3,
    )
    assert (c.minutes_circulated_on, c.minutes_due_on, c.minutes_on_time) == (
        date(2026, 4, 10),
        date(2026, 4, 13),
        True,
    )
    assert c.confidentiality_read and c.quorate
    assert (c.observers, c.observers_signed) == (1, 1)

    # What was typed about the case, and who attended, stays out of the checklist.
    text = _pdf_text(build_qa_checklist(sample, generated_at=GENERATED_AT))
    assert "Completed in MARAC Desk" not in text and "Score 15 recorded on the referral" in text
    typed = ("DS Reid", "K Owusu", "J Patel", "R Observer", "Wants to stay", "Threats to kill",
             "Witnessed", "Three call-outs", "moved away", "Serve the notice", "07700")  # fmt: skip
    assert [t for t in typed if t in text] == []


def _pdf_text(data: bytes) -> str:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return " ".join(unicodedata.normalize("NFKC", "\n".join(pages)).split())


def test_the_checklist_pdf_names_nobody_and_the_export_is_audited(
    open_store: OpenStore, store_cases: dict[str, list[str]], tmp_path: Path
) -> None:
    s, a = open_store.store, open_store.actor
    out = tmp_path / "dip.pdf"
    sample = dip_sample.write_dip_sample(
        s, a, out, start=START, end=END, n=50, seed=4242, generated_at=GENERATED_AT
    )
    text = _pdf_text(out.read_bytes())
    assert "Seed 4242" in text and "--seed 4242" in text
    assert "All 12 cases heard in the period: 50 were asked for" in text
    for ref in store_cases["heard"]:
        assert ref in text
    for ref in store_cases["others"]:
        assert ref not in text
    assert [name for name in PRINCIPLES if name not in text] == []

    forbidden: set[str] = set()
    for ref in sample.case_refs:
        rid = referrals.list_referrals(s, referrals.ReferralFilter(text=ref))[0].id
        detail = referrals.get_referral(s, rid)
        for person in (detail.victim, *detail.perpetrators, *detail.children):
            forbidden |= {person.first_name, person.last_name}
            if person.dob is not None:
                d = person.dob
                forbidden |= {
                    d.isoformat(),
                    f"{d.day} {d.strftime('%b')} {d.year}",
                    f"{d.day:02d}/{d.month:02d}/{d.year}",
                }
    forbidden.discard("")
    assert forbidden and sorted(w for w in forbidden if w in text) == []

    with s.read() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.entity == "dip_sample"))
    assert event.action == "export"
    assert "12 of 12 cases heard, seed 4242" in event.description
    assert all(ref in event.description for ref in store_cases["heard"])


def test_a_missing_folder_leaves_no_event(
    open_store: OpenStore, store_cases: dict[str, list[str]], tmp_path: Path
) -> None:
    s, a = open_store.store, open_store.actor
    with pytest.raises(FileNotFoundError):
        dip_sample.write_dip_sample(
            s, a, tmp_path / "nope" / "d.pdf", start=START, end=END, n=3, seed=1,
            generated_at=GENERATED_AT,
        )  # fmt: skip
    with s.read() as session:
        assert (
            session.scalar(select(AuditEvent.seq).where(AuditEvent.entity == "dip_sample")) is None
        )
