"""What an assessment changes on its referral (the newest checklist score is the referral's risk),
what a new assessment starts from, and the score a trend is measured from."""

from __future__ import annotations

import json
from datetime import date

import pytest
from store_support import cache_key_derivation
from test_risk import ASB, CHECKLIST, TODAY, add_panel, assess, checklist_v2, save_referral, yes

from marac_desk.core.risk_forms import Answer
from marac_desk.services import audit, referrals, risk
from marac_desk.services import settings as store_settings
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)


def risk_on_referral(opened: OpenStore, referral_id: int) -> tuple[str, int | None, str]:
    d = referrals.get_referral(opened.store, referral_id)
    return d.risk_tool, d.risk_score, d.risk_grade


def test_the_newest_checklist_assessment_is_the_referrals_risk(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)  # the referrer said 15, no grade
    assert risk_on_referral(open_store, referral_id) == ("", 15, "")

    assess(open_store, referral_id, date(2026, 9, 2), yes(12))
    assert risk_on_referral(open_store, referral_id) == ("checklist", 12, "medium")
    (event,) = audit.list_events(open_store.store, limit=1)
    assert event.description.endswith("; referral risk now 12 medium (was 15)")

    assess(open_store, referral_id, date(2026, 10, 14), yes(16), kind="review")
    assert risk_on_referral(open_store, referral_id) == ("checklist", 16, "high")

    # Entered late with an earlier date: history, not the referral's current risk.
    assess(open_store, referral_id, date(2026, 9, 20), yes(3), kind="review")
    assert risk_on_referral(open_store, referral_id) == ("checklist", 16, "high")
    (event,) = audit.list_events(open_store.store, limit=1)
    assert "referral risk" not in event.description

    # Judgement raises the grade that shows; the score stays the count of "yes".
    assess(
        open_store,
        referral_id,
        date(2026, 11, 18),
        yes(9),
        kind="review",
        judgement_band="high",
        judgement_reason="New threats since the last review.",
    )
    assert risk_on_referral(open_store, referral_id) == ("checklist", 9, "high")
    eligibility = risk.eligibility(open_store.store, referral_id)
    assert eligibility[0].reason == "Checklist score 9 is below 14."


def test_a_partnership_checklist_version_also_sets_the_referral(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    risk.add_form(open_store.store, open_store.actor, data=json.dumps(checklist_v2()), name="v2")
    assess(open_store, referral_id, date(2026, 9, 2), yes(12), form_version="2")
    assert risk_on_referral(open_store, referral_id) == ("checklist", 12, "high")  # v2: 12+


def test_matrix_points_never_become_the_referrals_checklist_score(open_store: OpenStore) -> None:
    add_panel(open_store, "Community MARAC", "community_marac")
    referral_id = save_referral(open_store, first="Lena", panel="Community MARAC")
    before = risk_on_referral(open_store, referral_id)
    saved = assess(
        open_store,
        referral_id,
        TODAY,
        {"p01": Answer("yes"), "p02": Answer("yes"), "f01": Answer("freq_weekly")},
        form_id=ASB,
    )
    assert (saved.score, saved.band) == (10, "medium")
    assert risk_on_referral(open_store, referral_id) == before


def test_the_setup_of_a_new_assessment(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    setup = risk.assessment_setup(open_store.store, referral_id)
    assert [f.form_id for f in setup.forms] == [CHECKLIST]
    assert (setup.panel_type, setup.visible_high_risk, setup.review_weeks, setup.assessments) == (
        "marac",
        None,  # the form's own threshold applies
        6,
        0,
    )
    assert setup.case_ref.startswith("MC-") and setup.panel == "MARAC"

    assess(open_store, referral_id, date(2026, 9, 2), yes(3))
    store_settings.update(
        open_store.store,
        open_store.actor,
        {"visible_high_risk_score": 15, "risk_review_weeks": 8},
    )
    risk.add_form(open_store.store, open_store.actor, data=json.dumps(checklist_v2()), name="v2")
    setup = risk.assessment_setup(open_store.store, referral_id)
    assert [(f.form_id, f.version) for f in setup.forms] == [(CHECKLIST, "2")]
    assert (setup.visible_high_risk, setup.review_weeks, setup.assessments) == (15, 8, 1)

    add_panel(open_store, "Community MARAC", "community_marac")
    asb = save_referral(open_store, first="Lena", panel="Community MARAC")
    assert [f.form_id for f in risk.assessment_setup(open_store.store, asb).forms] == [ASB]
    with pytest.raises(ValueError, match="does not exist"):
        risk.assessment_setup(open_store.store, 999)


def test_each_assessment_knows_the_score_its_trend_is_from(open_store: OpenStore) -> None:
    referral_id = save_referral(open_store)
    first = assess(open_store, referral_id, date(2026, 9, 2), yes(12))
    second = assess(open_store, referral_id, date(2026, 10, 14), yes(15), kind="review")
    assert (first.previous_score, first.trend) == (None, "")
    assert (second.previous_score, second.trend) == (12, "up")
    history = risk.list_assessments(open_store.store, referral_id, today=TODAY)
    assert [(a.previous_score, a.trend) for a in history] == [(None, ""), (12, "up")]
    detail = risk.get_assessment(open_store.store, second.id, today=TODAY)
    assert (detail.summary.previous_score, detail.summary.trend) == (12, "up")
