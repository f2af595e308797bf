"""Demo data in a real store: what a coordinator opening the demo would find."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from marac_desk.core import repeats
from marac_desk.db import models
from marac_desk.db.store import compact_json
from marac_desk.services import audit, demo
from marac_desk.services.session import OpenStore

TODAY = date(2026, 3, 18)

TABLES = (
    models.Panel,
    models.Person,
    models.PersonAlias,
    models.PersonDob,
    models.Referral,
    models.ReferralPerpetrator,
    models.ReferralChild,
    models.RiskAssessment,
    models.Meeting,
    models.MeetingCase,
    models.Attendance,
    models.Action,
    models.ActionUpdate,
    models.AuditEvent,
)


def counts(opened: OpenStore) -> dict[str, int]:
    with opened.store.read() as s:
        return {
            t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES
        }


def stored_repeat_flags(opened: OpenStore) -> tuple[list[repeats.ReferralFacts], dict[int, Any]]:
    with opened.store.read() as s:
        perps: dict[int, set[int]] = {}
        for referral_id, person_id in s.execute(
            select(models.ReferralPerpetrator.referral_id, models.ReferralPerpetrator.person_id)
        ):
            perps.setdefault(referral_id, set()).add(person_id)
        rows = s.execute(
            select(
                models.Referral.id,
                models.Referral.referral_date,
                models.Referral.victim_id,
                models.Referral.is_repeat,
                models.Referral.previous_referral_id,
                models.Referral.new_perpetrator_flag,
            )
        ).all()
    facts = [repeats.ReferralFacts(r[0], r[1], r[2], frozenset(perps.get(r[0], ()))) for r in rows]
    stored = {r[0]: (r[3], r[4], r[5]) for r in rows}
    return facts, stored


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One store with 2,000 demo referrals, shared by the shape tests (it takes a few seconds)."""
    from conftest import PASSPHRASE

    from marac_desk.services.paths import AppPaths
    from marac_desk.services.session import create_store

    root = tmp_path_factory.mktemp("demo-big")
    opened = create_store(
        root / "big.store",
        PASSPHRASE,
        PASSPHRASE,
        partnership="Demo",
        user_name="Sam Coordinator",
        paths=AppPaths(root / "d", root / "c", root / "s"),
    )
    summary = demo.generate_demo_data(opened, referrals=2000, seed=11, today=TODAY)
    yield opened, summary
    opened.store.close()


# ----- the summary ------------------------------------------------------------------------------


def test_the_summary_counts_what_was_stored(open_store: OpenStore) -> None:
    before = counts(open_store)
    summary = demo.generate_demo_data(open_store, referrals=300, seed=2, today=TODAY)
    after = counts(open_store)
    assert after["referrals"] - before["referrals"] == summary.referrals == 300
    assert after["people"] - before["people"] == summary.people
    assert after["meetings"] - before["meetings"] == summary.meetings
    assert after["meeting_cases"] - before["meeting_cases"] == summary.meeting_cases
    assert after["actions"] - before["actions"] == summary.actions
    assert after["panels"] - before["panels"] == summary.panels_created == 1
    with open_store.store.read() as s:
        repeats_stored = s.scalar(
            select(func.count()).select_from(models.Referral).where(models.Referral.is_repeat)
        )
    assert repeats_stored == summary.repeats
    assert summary.describe() == (
        f"Added 300 referrals ({summary.repeats} repeats), {summary.people} people, "
        f"{summary.meetings} meetings, {summary.actions:,} actions."
    )


def test_describe_uses_thousands_separators() -> None:
    summary = demo.DemoSummary(1000, 312, 30, 740, 52, 990, 2310, 1, 0.5)
    assert summary.describe() == (
        "Added 1,000 referrals (312 repeats), 740 people, 52 meetings, 2,310 actions."
    )


def test_one_import_event_is_audited_without_names(open_store: OpenStore) -> None:
    summary = demo.generate_demo_data(open_store, referrals=200, seed=4, today=TODAY)
    events = audit.list_events(open_store.store, audit.AuditFilter(action="import"))
    assert len(events) == 1
    description = events[0].description
    assert "200 referrals" in description
    assert f"{summary.repeats} repeats" in description
    assert events[0].actor == open_store.actor.name
    panels = audit.list_events(open_store.store, audit.AuditFilter(entity="panel"))
    assert len(panels) == 1
    with open_store.store.read() as s:
        surnames = set(s.scalars(select(models.Person.last_name)))
    every = " ".join(e.description for e in audit.list_events(open_store.store, limit=None))
    assert not [name for name in surnames if len(name) > 3 and name in every]
    assert audit.verify(open_store.store).ok


def test_the_panel_and_agencies_are_the_stores_own(open_store: OpenStore) -> None:
    demo.generate_demo_data(open_store, referrals=200, seed=4, today=TODAY)
    with open_store.store.read() as s:
        panel = s.scalars(select(models.Panel)).one()
        agencies = {a.id: a.name for a in s.scalars(select(models.Agency))}
        used = set(s.scalars(select(models.Referral.referring_agency_id).distinct()))
        refs = list(s.scalars(select(models.Referral.case_ref).order_by(models.Referral.id)))
    assert (panel.name, panel.cadence, panel.panel_type) == (
        "Northtown MARAC",
        "weekly:wed",
        "marac",
    )
    assert len(agencies) == 14  # the seeded SafeLives agencies, nothing added
    assert used <= set(agencies)
    assert refs[0].startswith("NT-") and refs[0].endswith("-00001")


# ----- realistic shape, read back from the store -------------------------------------------------


def test_repeat_flags_in_the_store_are_the_rule_applied_to_the_stored_referrals(big: Any) -> None:
    opened, summary = big
    facts, stored = stored_repeat_flags(opened)
    verdicts = repeats.assess_history(facts)
    for referral_id, (is_repeat, previous, new_perp) in stored.items():
        verdict = verdicts[referral_id]
        assert (is_repeat, previous, new_perp) == (
            verdict.is_repeat,
            verdict.previous_referral_id,
            verdict.new_perpetrator,
        )
    share = sum(v[0] for v in stored.values()) / len(stored)
    assert 0.25 <= share <= 0.35
    assert summary.repeats == sum(v[0] for v in stored.values())


def test_the_store_looks_like_a_busy_urban_marac(big: Any) -> None:
    opened, _ = big
    with opened.store.read() as s:
        agency = dict(s.execute(select(models.Agency.id, models.Agency.name)).all())
        referrers = Counter(
            agency[a] for a in s.scalars(select(models.Referral.referring_agency_id))
        )
        names = list(
            s.execute(select(models.Referral.victim_first_name, models.Referral.victim_last_name))
        )
        children = s.scalar(select(func.count()).select_from(models.ReferralChild))
        overdue = s.scalar(
            select(func.count())
            .select_from(models.Action)
            .where(models.Action.status == "open", models.Action.due_date < TODAY)
        )
        aliases = s.scalar(select(func.count()).select_from(models.PersonAlias))
        alt_dobs = s.scalar(select(func.count()).select_from(models.PersonDob))
        statuses = Counter(s.scalars(select(models.Referral.status)))
        risk = s.scalars(select(models.RiskAssessment).limit(1)).one()
    total = sum(referrers.values())
    assert 0.55 <= referrers["Police"] / total <= 0.65
    non_ascii = [f"{a} {b}" for a, b in names if not f"{a}{b}".isascii()]
    assert len(non_ascii) > 0.05 * total
    assert children and children > 0.5 * total
    assert overdue and overdue > 0
    assert aliases and alt_dobs
    assert set(statuses) <= {"received", "listed", "heard", "closed", "diverted", "withdrawn"}
    assert statuses["heard"] and statuses["closed"] and statuses["listed"]
    assert set(risk.answers) == {f"q{i:02d}" for i in range(1, 25)}
    assert risk.score == sum(a["answer"] == "yes" for a in risk.answers.values())


def test_risk_answers_are_stored_as_the_store_writes_json(big: Any) -> None:
    # The demo hands db.bulk the answers as text it put together itself (JsonText).
    opened, _ = big
    with opened.store.read() as s:
        stored = s.scalars(text("SELECT answers FROM risk_assessments ORDER BY id")).all()
    assert len(stored) > 1000
    for raw in stored:
        answers = json.loads(raw)
        assert isinstance(answers, dict) and len(answers) == 24
        assert raw == compact_json(answers)


def test_cases_on_a_meeting_list_were_referred_by_the_friday_before(big: Any) -> None:
    opened, _ = big
    with opened.store.read() as s:
        rows = s.execute(
            select(models.Meeting.meeting_date, models.Referral.referral_date)
            .join(models.MeetingCase, models.MeetingCase.meeting_id == models.Meeting.id)
            .join(models.Referral, models.Referral.id == models.MeetingCase.referral_id)
        ).all()
        per_meeting = list(
            s.scalars(
                select(func.count(models.MeetingCase.id))
                .join(models.Meeting)
                .where(models.Meeting.status == "held")
                .group_by(models.MeetingCase.meeting_id)
            )
        )
    assert rows
    assert all(referred <= held - timedelta(days=5) for held, referred in rows)
    assert max(per_meeting) <= 20


# ----- all or nothing ----------------------------------------------------------------------------


def test_cancelling_from_progress_leaves_the_store_as_it_was(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_REFERRALS", 50)
    demo.generate_demo_data(open_store, referrals=120, seed=1, today=TODAY)
    before = counts(open_store)
    events_before = audit.count_events(open_store.store)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return len(calls) < 3  # let two reports through, then cancel mid-way

    with pytest.raises(demo.DemoDataCancelled, match="nothing was added"):
        demo.generate_demo_data(open_store, referrals=400, seed=2, today=TODAY, progress=progress)
    assert calls[0] == (0, 400)
    assert 0 < calls[-1][0] < 400
    assert counts(open_store) == before
    assert audit.count_events(open_store.store) == events_before
    assert audit.verify(open_store.store).ok


def test_a_failure_while_making_rows_half_way_adds_nothing(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_REFERRALS", 50)
    before = counts(open_store)
    original = demo._RowBuilder.meetings
    calls = 0

    def failing(self: Any, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("made-up failure")
        return original(self, *args)

    monkeypatch.setattr(demo._RowBuilder, "meetings", failing)
    with pytest.raises(RuntimeError, match="made-up failure"):
        demo.generate_demo_data(open_store, referrals=300, seed=2, today=TODAY)
    assert calls == 3
    assert counts(open_store) == before
    assert audit.verify(open_store.store).ok
    # The store is still usable afterwards.
    demo.generate_demo_data(open_store, referrals=20, seed=2, today=TODAY)
    assert counts(open_store)["referrals"] == before["referrals"] + 20


def test_a_failure_while_writing_half_way_adds_nothing(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_REFERRALS", 50)
    before = counts(open_store)
    original = demo._insert
    calls = 0

    def failing(session: Any, model: Any, rows: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 20:
            raise OSError("disk full")
        original(session, model, rows)

    monkeypatch.setattr(demo, "_insert", failing)
    with pytest.raises(OSError, match="disk full"):
        demo.generate_demo_data(open_store, referrals=300, seed=2, today=TODAY)
    assert counts(open_store) == before
    assert audit.verify(open_store.store).ok


def test_progress_reports_every_chunk_up_to_the_total(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_REFERRALS", 100)
    calls: list[tuple[int, int]] = []
    demo.generate_demo_data(
        open_store, referrals=450, seed=3, today=TODAY, progress=lambda d, t: calls.append((d, t))
    )
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert done[0] == 0 and done[-1] == 450
    assert len(calls) >= 5
    assert {t for _, t in calls} == {450}


def test_a_number_below_one_is_refused(open_store: OpenStore) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        demo.generate_demo_data(open_store, referrals=0)


# ----- running twice ------------------------------------------------------------------------------


def test_running_twice_adds_more_and_keeps_references_unique(open_store: OpenStore) -> None:
    first = demo.generate_demo_data(open_store, referrals=250, seed=1, today=TODAY)
    second = demo.generate_demo_data(open_store, referrals=250, seed=1, today=TODAY)
    assert first.panels_created == 1 and second.panels_created == 0
    # The same weeks: the second run shares the first run's meetings.
    assert second.meetings == 0
    after = counts(open_store)
    assert after["referrals"] == 500
    assert after["people"] == first.people + second.people
    with open_store.store.read() as s:
        refs = list(s.scalars(select(models.Referral.case_ref)))
        meetings = s.execute(select(models.Meeting.panel_id, models.Meeting.meeting_date)).all()
        positions = s.execute(
            select(models.MeetingCase.meeting_id, models.MeetingCase.position)
        ).all()
    assert len(set(refs)) == len(refs) == 500
    years = Counter(ref.rsplit("-", 1)[0] for ref in refs)
    for prefix, count in years.items():
        numbers = sorted(int(r.rsplit("-", 1)[1]) for r in refs if r.startswith(prefix + "-"))
        assert numbers == list(range(1, count + 1))
    assert len(set(meetings)) == len(meetings)
    assert len(set(positions)) == len(positions)
    facts, stored = stored_repeat_flags(open_store)
    verdicts = repeats.assess_history(facts)
    assert all(verdicts[i].is_repeat == flags[0] for i, flags in stored.items())
    assert audit.verify(open_store.store).ok


def test_a_later_run_continues_into_new_weeks(open_store: OpenStore) -> None:
    demo.generate_demo_data(open_store, referrals=200, seed=1, today=TODAY)
    later = demo.generate_demo_data(
        open_store, referrals=200, seed=2, today=TODAY + timedelta(weeks=3)
    )
    assert later.meetings == 3
    with open_store.store.read() as s:
        meetings = s.execute(select(models.Meeting.panel_id, models.Meeting.meeting_date)).all()
    assert len(set(meetings)) == len(meetings)


def test_the_same_seed_on_two_fresh_stores_gives_the_same_rows(
    open_store: OpenStore, tmp_path: Any, app_paths: Any
) -> None:
    from conftest import PASSPHRASE

    from marac_desk.services.session import create_store

    other = create_store(
        tmp_path / "other.store",
        PASSPHRASE,
        PASSPHRASE,
        partnership="",
        user_name="Sam",
        paths=app_paths,
    )
    try:
        for opened in (open_store, other):
            demo.generate_demo_data(opened, referrals=150, seed=9, today=TODAY)

        def rows(opened: OpenStore) -> list[Any]:
            with opened.store.read() as s:
                return s.execute(
                    select(
                        models.Referral.id,
                        models.Referral.case_ref,
                        models.Referral.victim_first_name,
                        models.Referral.victim_id,
                        models.Referral.previous_referral_id,
                    ).order_by(models.Referral.id)
                ).all()

        assert rows(open_store) == rows(other)
    finally:
        other.store.close()


def test_search_tokens_built_from_the_rows_match_a_rebuild_from_the_store(big: Any) -> None:
    """The demo builds the list's search tokens from the rows as it inserts them; they must be
    exactly what db.referral_search computes from the store."""
    from sqlalchemy import select

    from marac_desk.db.models import ReferralSearch
    from marac_desk.db.referral_search import rebuild_all_referral_search

    opened, _ = big

    def tokens() -> set[tuple[int, str]]:
        with opened.store.read() as session:
            rows = session.execute(select(ReferralSearch.referral_id, ReferralSearch.token))
            return {(int(r), str(t)) for r, t in rows}

    built = tokens()
    assert built
    with opened.store.write() as session:
        rebuild_all_referral_search(session.connection())
    assert tokens() == built
