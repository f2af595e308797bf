"""Risk forms and assessments in a store: installing a partnership's form (all or nothing),
recording assessments, versions, history with trend, review dates and the criteria summary."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from store_support import cache_key_derivation

from marac_desk.core import risk_forms as rf
from marac_desk.core import synthetic
from marac_desk.core.risk_forms import Answer, ReviewState
from marac_desk.db.models import Panel, RiskAssessment, RiskForm
from marac_desk.services import audit, dashboard, referrals, risk
from marac_desk.services import settings as store_settings
from marac_desk.services.context import utcnow
from marac_desk.services.referrals import PerpetratorInput, PersonInput, ReferralInput
from marac_desk.services.risk import AssessmentInput, AssessmentRejected, FormRejected
from marac_desk.services.session import OpenStore

TODAY = date(2026, 11, 20)
CHECKLIST = rf.DA_CHECKLIST_ID
ASB = rf.ASB_MATRIX_ID


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


def shipped_doc(form_id: str = CHECKLIST) -> dict[str, Any]:
    form = next(f for f in rf.shipped_forms() if f.form_id == form_id)
    return copy.deepcopy(dict(form.document))


def checklist_v2() -> dict[str, Any]:
    """A partnership's next version: new wording for question 1, and high from 12."""
    d = shipped_doc()
    d["version"] = "2"
    d["title"] = "Northtown checklist"
    d["sections"][0]["questions"][0]["text"] = "Was the victim injured this time?"
    d["bands"] = [
        {"id": "standard", "label": "Standard", "min": 0, "max": 7},
        {"id": "medium", "label": "Medium", "min": 8, "max": 11},
        {"id": "high", "label": "High", "min": 12},
    ]
    d["thresholds"] = {"visible_high_risk": 12}
    return d


def save_referral(
    opened: OpenStore, on: date = date(2026, 9, 1), first: str = "Sarah", panel: str = ""
) -> int:
    inp = ReferralInput(
        referral_date=on,
        referring_agency="Police",
        victim=PersonInput(first, "Jones", date(1990, 4, 12), decided=True),
        perpetrators=(
            PerpetratorInput("Karl", "Dunn", date(1988, 1, 1), relationship_to_victim="ex_partner"),
        ),
        crit_visible_high_risk=True,
        risk_score=15,
        panel=panel,
    )
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY).id


def add_panel(opened: OpenStore, name: str, panel_type: str, **options: Any) -> None:
    with opened.store.write() as s:
        s.add(
            Panel(
                name=name,
                panel_type=panel_type,
                cadence="monthly:2:wed",
                options=options,
                created_at=utcnow(),
            )
        )


def yes(n: int, dont_know: int = 0) -> dict[str, Answer]:
    ids = synthetic.QUESTION_IDS
    out = {qid: Answer("yes", source="victim") for qid in ids[:n]}
    out |= {qid: Answer("dont_know") for qid in ids[n : n + dont_know]}
    out |= {qid: Answer("no") for qid in ids[n + dont_know :]}
    return out


def assess(
    opened: OpenStore, referral_id: int, on: date, answers: dict[str, Answer], **kw: Any
) -> risk.AssessmentSummary:
    inp = AssessmentInput(
        form_id=kw.pop("form_id", CHECKLIST),
        form_version=kw.pop("form_version", "1"),
        assessed_on=on,
        answers=answers,
        **kw,
    )
    return risk.record_assessment(opened.store, opened.actor, referral_id, inp, today=TODAY)


def counts(opened: OpenStore) -> tuple[int, int, int]:
    with opened.store.read() as s:
        forms = s.scalar(select(func.count()).select_from(RiskForm)) or 0
        assessments = s.scalar(select(func.count()).select_from(RiskAssessment)) or 0
    return forms, assessments, audit.count_events(opened.store)


# ----- installed forms ----------------------------------------------------------------------------


def test_a_new_store_lists_the_shipped_forms(open_store: OpenStore) -> None:
    forms = risk.list_forms(open_store.store)
    assert [(f.form_id, f.version, f.source, f.newest) for f in forms] == [
        (ASB, "1", "shipped", True),
        (CHECKLIST, "1", "shipped", True),
    ]
    checklist = forms[1]
    assert (checklist.questions, checklist.scored_questions) == (34, 24)
    assert [f.form_id for f in risk.forms_for_panel_type(open_store.store, "marac")] == [CHECKLIST]
    assert [f.form_id for f in risk.forms_for_panel_type(open_store.store, "community_marac")] == [
        ASB
    ]


def test_a_partnership_form_is_installed_and_audited(open_store: OpenStore, tmp_path: Path) -> None:
    path = tmp_path / "northtown.json"
    path.write_text(json.dumps(checklist_v2()), encoding="utf-8")
    installed = risk.add_form(open_store.store, open_store.actor, path)
    assert (installed.form_id, installed.version, installed.source) == (CHECKLIST, "2", "loaded")
    assert installed.loaded_by == open_store.actor.name
    forms = {(f.form_id, f.version): f for f in risk.list_forms(open_store.store)}
    assert forms[(CHECKLIST, "2")].newest and not forms[(CHECKLIST, "1")].newest
    assert forms[(CHECKLIST, "2")].loaded_at is not None
    assert risk.current_form(open_store.store, CHECKLIST).version == "2"
    (event,) = audit.list_events(open_store.store, limit=1)
    assert (event.action, event.entity, event.entity_id) == (
        "import",
        "risk_form",
        f"{CHECKLIST} 2",
    )
    assert "installed" in event.description


@pytest.mark.parametrize("version", ["1", "1.0"])
def test_an_installed_version_cannot_be_replaced(open_store: OpenStore, version: str) -> None:
    d = shipped_doc()
    d["version"] = version
    d["title"] = "Sneaky replacement"
    before = counts(open_store)
    with pytest.raises(FormRejected, match="already installed; a changed form needs a new version"):
        risk.add_form(open_store.store, open_store.actor, data=json.dumps(d), name="again.json")
    assert counts(open_store) == before
    assert risk.get_form(open_store.store, CHECKLIST, "1").title != "Sneaky replacement"


def test_a_bad_file_changes_nothing_and_names_the_question(
    open_store: OpenStore, tmp_path: Path
) -> None:
    d = checklist_v2()
    d["sections"][0]["questions"][6]["options"] = ["yes", "maybe"]
    path = tmp_path / "checklist.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    before = counts(open_store)
    with pytest.raises(FormRejected) as caught:
        risk.add_form(open_store.store, open_store.actor, path)
    assert caught.value.problems == (
        "checklist.json: question q07: answer option 'maybe' is not defined (options)",
    )
    assert counts(open_store) == before
    with pytest.raises(FormRejected, match=r"missing\.json: cannot be read"):
        risk.check_form_file(tmp_path / "missing.json")


BASE = shipped_doc()
PATHS: list[tuple[Any, ...]] = []


def _collect(node: Any, prefix: tuple[Any, ...] = ()) -> None:
    PATHS.append(prefix)
    if isinstance(node, dict):
        for k, v in node.items():
            _collect(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _collect(v, (*prefix, i))


_collect(BASE)
small_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 40) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    picks=st.lists(st.tuples(st.integers(min_value=0), small_json), min_size=1, max_size=3),
    raw=st.booleans(),
)
def test_broken_definitions_are_never_installed(
    open_store: OpenStore, picks: list[tuple[int, Any]], raw: bool
) -> None:
    d: Any = copy.deepcopy(BASE)
    d["version"] = "9"  # a version not yet installed: only the damage can stop it
    for index, value in picks:
        path = PATHS[index % len(PATHS)]
        if not path:
            d = value
            continue
        parent = d
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    data = json.dumps(d)[:-1] if raw else json.dumps(d)  # raw: truncated, never valid JSON
    before = counts(open_store)
    try:
        installed = risk.add_form(open_store.store, open_store.actor, data=data, name="fuzz.json")
    except FormRejected as exc:
        event("rejected")
        assert exc.problems and all(p.startswith("fuzz.json: ") for p in exc.problems)
        assert counts(open_store) == before
        return
    # It survived the damage: it is a whole, valid form, installed once, with one audit event.
    event("installed")
    assert counts(open_store) == (before[0] + 1, before[1], before[2] + 1)
    form = risk.get_form(open_store.store, installed.form_id, installed.version)
    assert form.max_score >= 1
    with open_store.store.write() as s:  # make room for the next example
        s.execute(RiskForm.__table__.delete().where(RiskForm.version == installed.version))


# ----- recording assessments --------------------------------------------------------------------


def test_an_assessment_is_scored_banded_kept_and_audited(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    answers = yes(14, dont_know=4)
    answers["q03"] = Answer(
        "yes", "Fears for the children", "victim", (("q03a", "That he takes the children"),)
    )
    saved = assess(open_store, referral_id, date(2026, 9, 2), answers, assessor="IDVA Jo")
    assert (saved.score, saved.band, saved.band_label, saved.threshold_met) == (
        14,
        "high",
        "High",
        True,
    )
    assert (saved.answered, saved.unanswered, saved.dont_know) == (24, 0, 4)
    assert saved.review_due == date(2026, 10, 14)  # six weeks
    assert saved.review_state is ReviewState.OVERDUE  # TODAY is 2026-11-20
    with open_store.store.read() as s:
        row = s.get(RiskAssessment, saved.id)
        assert row is not None
        assert row.answers["q03"] == {
            "answer": "yes",
            "comment": "Fears for the children",
            "source": "victim",
            "follow_ups": {"q03a": "That he takes the children"},
        }
        assert row.answers["q16"] == {"answer": "dont_know", "comment": "", "source": ""}
        snapshot = s.scalars(select(RiskForm)).one()
        assert (snapshot.form_id, snapshot.version, snapshot.source) == (CHECKLIST, "1", "shipped")
    (event,) = audit.list_events(open_store.store, limit=1)
    assert (event.action, event.entity, event.entity_id) == (
        "create",
        "risk_assessment",
        str(saved.id),
    )
    assert "score 14, high" in event.description
    assert "Sarah" not in event.description and "Jones" not in event.description


def test_the_review_period_is_a_setting(open_store: OpenStore) -> None:
    store_settings.update(open_store.store, open_store.actor, {"risk_review_weeks": 8})
    saved = assess(open_store, save_referral(open_store), date(2026, 11, 2), yes(3))
    assert saved.review_due == date(2026, 12, 28)
    assert saved.review_state is ReviewState.NOT_DUE
    with pytest.raises(ValueError, match="between 1 and 26"):
        store_settings.update(open_store.store, open_store.actor, {"risk_review_weeks": 0})


def test_the_visible_high_risk_setting_and_panel_option(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    assert assess(open_store, referral_id, date(2026, 9, 2), yes(14)).threshold_met
    store_settings.update(open_store.store, open_store.actor, {"visible_high_risk_score": 15})
    assert not assess(open_store, referral_id, date(2026, 9, 3), yes(14)).threshold_met
    add_panel(open_store, "Eastside MARAC", "marac", visible_high_risk_score=13)
    other = save_referral(open_store, first="Amira", panel="Eastside MARAC")
    assert assess(open_store, other, date(2026, 9, 3), yes(13)).threshold_met


def test_judgement_raises_but_never_lowers(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    raised = assess(
        open_store,
        referral_id,
        date(2026, 9, 2),
        yes(8),
        judgement_band="high",
        judgement_reason="Threatened to kill her at the school gate.",
    )
    assert (raised.band, raised.effective_band, raised.effective_band_label) == (
        "standard",
        "high",
        "High",
    )
    before = counts(open_store)
    with pytest.raises(AssessmentRejected, match="can only raise the level"):
        assess(
            open_store,
            referral_id,
            date(2026, 9, 3),
            yes(15),
            judgement_band="medium",
            judgement_reason="She has moved away.",
        )
    with pytest.raises(AssessmentRejected, match="needs the reason in writing"):
        assess(open_store, referral_id, date(2026, 9, 3), yes(2), judgement_band="high")
    assert counts(open_store) == before


def test_bad_answers_are_refused_and_nothing_is_written(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    before = counts(open_store)
    with pytest.raises(AssessmentRejected) as caught:
        assess(
            open_store,
            referral_id,
            TODAY + timedelta(days=1),
            {"q07": Answer("maybe"), "q99": Answer("yes")},
            kind="follow_up",
        )
    assert caught.value.problems == (
        "An assessment is an initial assessment or a review.",
        "The assessment date is in the future.",
        "question q07: 'maybe' is not an answer (use Yes, No, Don't know)",
        f"question q99: there is no such question on {rf.shipped_forms()[0].title}",
    )
    with pytest.raises(AssessmentRejected, match="version 7 is not installed"):
        assess(open_store, referral_id, TODAY, yes(1), form_version="7")
    with pytest.raises(AssessmentRejected, match="referral does not exist"):
        assess(open_store, 999, TODAY, yes(1))
    assert counts(open_store) == before


def test_the_asb_matrix_is_for_community_marac_referrals(open_store: OpenStore) -> None:
    da_referral = save_referral(open_store)
    with pytest.raises(AssessmentRejected, match="not used by a marac panel"):
        assess(open_store, da_referral, TODAY, {"p01": Answer("yes")}, form_id=ASB)
    add_panel(open_store, "Community MARAC", "community_marac")
    asb_referral = save_referral(open_store, first="Lena", panel="Community MARAC")
    saved = assess(
        open_store,
        asb_referral,
        TODAY,
        {"p02": Answer("yes"), "f01": Answer("freq_weekly"), "v02": Answer("yes")},
        form_id=ASB,
    )
    assert (saved.score, saved.band, saved.band_label, saved.threshold_met) == (
        10,
        "high",  # thoughts of self-harm make it high whatever the score
        "High",
        True,
    )


# ----- versions and history ---------------------------------------------------------------------


def test_old_assessments_keep_their_version_after_a_new_one_is_loaded(
    open_store: OpenStore,
) -> None:
    referral_id = save_referral(open_store)
    first = assess(open_store, referral_id, date(2026, 9, 2), yes(12))
    assert (first.score, first.band) == (12, "medium")
    risk.add_form(open_store.store, open_store.actor, data=json.dumps(checklist_v2()), name="v2")
    second = assess(open_store, referral_id, date(2026, 10, 14), yes(12), form_version="2")
    assert (second.score, second.band, second.threshold_met) == (12, "high", True)

    history = risk.list_assessments(open_store.store, referral_id, today=TODAY)
    assert [(a.form_version, a.score, a.band, a.form_title) for a in history] == [
        ("1", 12, "medium", rf.shipped_forms()[0].title),
        ("2", 12, "high", "Northtown checklist"),
    ]
    old = risk.get_assessment(open_store.store, first.id, today=TODAY)
    assert old.form is not None and old.form.version == "1"
    assert old.rows[0].text == next(
        q.text for q in rf.shipped_forms()[0].questions if q.id == "q01"
    )
    assert old.summary.threshold_met is False  # 12 is below v1's 14
    new = risk.get_assessment(open_store.store, second.id, today=TODAY)
    assert new.rows[0].text == "Was the victim injured this time?"


def test_a_demo_assessment_without_a_snapshot_displays_from_the_shipped_form(
    open_store: OpenStore,
) -> None:
    referral_id = save_referral(open_store)
    answers = {
        qid: {"answer": "yes", "comment": "", "source": ""} for qid in synthetic.QUESTION_IDS[:10]
    }
    with open_store.store.write() as s:
        row = RiskAssessment(
            referral_id=referral_id,
            form_id=synthetic.FORM_ID,
            form_version=synthetic.FORM_VERSION,
            kind="initial",
            assessed_on=date(2026, 9, 1),
            answers=answers,
            score=10,
            band="medium",
            judgement_band="high",
            judgement_reason="DARA graded high.",
            review_due=date(2026, 10, 13),
            created_at=utcnow(),
        )
        s.add(row)
        s.flush()
        row_id = row.id
    detail = risk.get_assessment(open_store.store, row_id, today=TODAY)
    assert (detail.summary.score, detail.summary.band_label, detail.summary.effective_band) == (
        10,
        "Medium",
        "high",
    )
    assert sum(r.counts for r in detail.rows) == 10
    assert detail.rows[0].answer_label == "Yes"


def test_history_shows_the_score_trend_per_form(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    assess(open_store, referral_id, date(2026, 9, 2), yes(12))
    assess(open_store, referral_id, date(2026, 10, 14), yes(15), kind="review")
    assess(open_store, referral_id, date(2026, 11, 18), yes(9), kind="review")
    history = risk.list_assessments(open_store.store, referral_id, today=TODAY)
    assert [(a.kind, a.score, a.trend) for a in history] == [
        ("initial", 12, ""),
        ("review", 15, "up"),
        ("review", 9, "down"),
    ]
    # Recorded out of date order: the trend follows the assessment dates.
    late = assess(open_store, referral_id, date(2026, 10, 1), yes(13), kind="review")
    assert late.trend == "up"
    assert [a.score for a in risk.list_assessments(open_store.store, referral_id)] == [
        12,
        13,
        15,
        9,
    ]


# ----- reviews -----------------------------------------------------------------------------------


def test_reviews_due_and_overdue(open_store: OpenStore) -> None:
    overdue = save_referral(open_store, first="Anna")
    soon = save_referral(open_store, first="Beth")
    later = save_referral(open_store, first="Cara")
    closed = save_referral(open_store, first="Dina")
    reviewed = save_referral(open_store, first="Erin")
    assess(open_store, overdue, date(2026, 9, 1), yes(14))  # due 2026-10-13
    assess(open_store, soon, date(2026, 10, 15), yes(10))  # due 2026-11-26
    assess(open_store, later, date(2026, 11, 10), yes(10))  # due 2026-12-22
    assess(open_store, closed, date(2026, 9, 1), yes(14))
    referrals.set_status(
        open_store.store,
        open_store.actor,
        closed,
        "withdrawn",
        reason="Victim moved abroad.",
        decided_by="Chair",
    )
    assess(open_store, reviewed, date(2026, 9, 1), yes(14))
    assess(open_store, reviewed, date(2026, 11, 19), yes(11), kind="review")  # supersedes

    due = risk.reviews_due(open_store.store, TODAY)
    assert [(d.referral_id, d.review_due, d.state, d.days_overdue) for d in due] == [
        (overdue, date(2026, 10, 13), ReviewState.OVERDUE, 38),
        (soon, date(2026, 11, 26), ReviewState.DUE_SOON, 0),
    ]
    assert due[0].case_ref and due[0].panel == "MARAC"
    summary = dashboard.summarise(open_store.store, TODAY)
    assert (summary.reviews_overdue, summary.reviews_due_soon) == (1, 1)
    assert risk.next_review(open_store.store, reviewed, TODAY) == (
        date(2026, 12, 31),
        ReviewState.NOT_DUE,
    )
    assert risk.next_review(open_store.store, overdue, TODAY)[1] is ReviewState.OVERDUE
    assert len(risk.reviews_due(open_store.store, TODAY, within_days=60)) == 4


# ----- criteria ----------------------------------------------------------------------------------


def test_the_eligibility_summary_uses_the_panel_thresholds(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    results = risk.eligibility(open_store.store, referral_id)
    assert rf.criteria_met(results) == ("visible_high_risk",)
    add_panel(open_store, "Strict MARAC", "marac", visible_high_risk_score=16)
    strict = save_referral(open_store, first="Faye", panel="Strict MARAC")
    results = risk.eligibility(open_store.store, strict)
    assert rf.criteria_met(results) == ()
    assert results[0].reason == "Checklist score 15 is below 16."
