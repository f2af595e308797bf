"""A referral's risk assessments over time: the history with its trend, an old assessment read
back on the form version it was answered on after a new version is installed, the next risk
review (overdue in words and colour), and the dashboard's reviews due leading to the referral."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from assessment_support import (
    checklist_v2,
    current_id,
    focused,
    history_rows,
    open_new_assessment,
    press,
    referral_page,
    wait_for_row_focus,
)
from PySide6.QtCore import Qt
from referral_support import TODAY, days_ago, make_referral, open_window, show_referrals
from ui_support import qt_quiet

from marac_desk.core import risk_forms as rf
from marac_desk.core.risk_forms import Answer
from marac_desk.db.models import RiskAssessment
from marac_desk.services import referrals, risk
from marac_desk.services.context import utcnow
from marac_desk.services.risk import AssessmentInput
from marac_desk.services.session import OpenStore
from marac_desk.ui import assessment_form
from marac_desk.ui.assessment_form import QuestionRow
from marac_desk.ui.dashboard_view import DashboardView
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.referral_text import long_date
from marac_desk.ui.referrals_view import ReferralsView
from marac_desk.ui.widgets import unnamed_controls

pytestmark = qt_quiet

QUESTIONS = [q.id for q in rf.shipped_forms()[0].questions if q.scored]


def yes(n: int) -> dict[str, Answer]:
    out = {qid: Answer("yes") for qid in QUESTIONS[:n]}
    return out | {qid: Answer("no") for qid in QUESTIONS[n:]}


def assess(
    opened: OpenStore, referral_id: int, days: int, answers: dict[str, Answer], **kw: str
) -> risk.AssessmentSummary:
    inp = AssessmentInput(
        form_id=rf.DA_CHECKLIST_ID,
        form_version=kw.pop("form_version", "1"),
        assessed_on=days_ago(days),
        answers=answers,
        **kw,
    )
    return risk.record_assessment(opened.store, opened.actor, referral_id, inp, today=TODAY)


@pytest.fixture
def window(qtbot, open_store: OpenStore) -> MainWindow:  # type: ignore[no-untyped-def]
    return open_window(qtbot, open_store)


def test_an_old_assessment_reads_on_its_own_version(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    saved = make_referral(open_store, "Amira", "Haddad", None, on=days_ago(90))
    answers = yes(12)
    answers["q01"] = Answer("yes", "Bruised arm", "Police records")
    first = assess(open_store, saved.id, 80, answers, assessor="IDVA Jo")
    risk.add_form(open_store.store, open_store.actor, data=json.dumps(checklist_v2()), name="v2")
    assess(open_store, saved.id, 20, yes(13), form_version="2", kind="review")

    view = show_referrals(qtbot, window)
    view.open_referral(saved.id)
    detail = view.detail
    v1_title = rf.shipped_forms()[0].title
    rows = history_rows(detail)
    assert rows == [
        [
            long_date(days_ago(20)),
            "Review",
            "13 / 24",
            "High · meets threshold",  # version 2: high and visible high risk from 12
            "↑ from 12",
            "Northtown checklist (v2)",
        ],
        [
            long_date(days_ago(80)),
            "Initial",
            "12 / 24",
            "Medium",
            "first on this form",
            f"{v1_title} (v1)",
        ],
    ]
    assert detail.assessments_box.trend.isVisible()
    assert detail.assessments_box.trend.scores == [12, 13]

    # Ctrl+Shift+L goes to the history; Down, Enter opens the older one read-only.
    detail.setFocus()
    qtbot.keyClick(
        detail,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert focused() is detail.assessments_box.list
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: detail.assessment_dialog is not None, timeout=5_000)
    dialog = detail.assessment_dialog
    assert dialog is not None and dialog.read_only
    qtbot.waitUntil(lambda: dialog.questions is not None and focused() is dialog.questions.current)
    assert unnamed_controls(dialog) == []
    assert dialog.version.text() == "version 1"
    assert dialog.title.text() == v1_title
    assert "answered on version 1 of this form" in dialog.recorded.text()
    assert "IDVA Jo" in dialog.recorded.text()
    q01 = dialog.questions.questions["q01"]  # type: ignore[union-attr]
    assert q01.text.text() == next(q.text for q in rf.shipped_forms()[0].questions if q.id == "q01")
    assert q01.buttons["yes"].isChecked() and not q01.buttons["yes"].isEnabled()
    assert (q01.comment.text(), q01.source.text()) == ("Bruised arm", "Police records")
    assert q01.comment.isReadOnly()
    assert (dialog.score_panel.score.text(), dialog.score_panel.band.text()) == ("12", "Medium")
    assert not dialog.save_button.isVisible()
    press(qtbot, "N")  # read-only: keys do not answer
    assert q01.answer == "yes" and current_id(dialog) == "q01"
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: detail.assessment_dialog is None, timeout=5_000)
    assert risk.get_assessment(open_store.store, first.id).summary.score == 12

    # A new assessment uses the newest version, with its wording and threshold.
    dialog = open_new_assessment(qtbot, detail)
    assert dialog.version.text() == "version 2"
    assert dialog.kind.currentData() == "review"  # there is an assessment already
    row = dialog.questions.questions["q01"]  # type: ignore[union-attr]
    assert isinstance(row, QuestionRow) and row.text.text() == "Was the victim injured this time?"
    for key in "Y" * 12:
        press(qtbot, key)
    assert dialog.score_panel.threshold.text() == (
        "⚠ 12 yes — meets the visible high-risk threshold (12)"
    )
    dialog.dirty = False
    dialog.reject()


def test_the_next_review_overdue_due_soon_and_not_needed(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    late = make_referral(open_store, "Anna", "Baker", None, on=days_ago(60))
    soon = make_referral(open_store, "Beth", "Cole", None, on=days_ago(60))
    done = make_referral(open_store, "Cara", "Dunn", None, on=days_ago(60))
    assess(open_store, late.id, 50, yes(15))  # due 8 days ago
    assess(open_store, soon.id, 35, yes(10))  # due in 7 days
    assess(open_store, done.id, 50, yes(15))
    referrals.set_status(
        open_store.store,
        open_store.actor,
        done.id,
        "withdrawn",
        reason="Victim moved away.",
        decided_by="Chair",
    )

    view = show_referrals(qtbot, window)
    view.open_referral(late.id)
    review = view.detail.assessments_box.review
    due = days_ago(50) + timedelta(weeks=6)
    assert review.text() == (
        f"⚠ RISK REVIEW OVERDUE — it was due on {long_date(due)}, 8 days ago. "
        "Ctrl+Shift+A starts the review."
    )
    assert "#b00020" in review.styleSheet()  # and red, as well as the words
    tip = view.detail.assessments_box.list.topLevelItem(0).toolTip(0)
    assert f"review date {long_date(due)} — OVERDUE by 8 days" in tip

    view.open_referral(soon.id)
    assert review.text() == (
        f"Risk review due soon: {long_date(days_ago(35) + timedelta(weeks=6))} (in 7 days)."
    )
    assert "#b00020" not in review.styleSheet()

    view.open_referral(done.id)
    assert review.text().startswith("No risk review due: the referral is withdrawn")


def test_the_dashboard_counts_reviews_and_opens_the_referral(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    late = make_referral(open_store, "Anna", "Baker", None, on=days_ago(60))
    soon = make_referral(open_store, "Beth", "Cole", None, on=days_ago(60))
    later = make_referral(open_store, "Cara", "Dunn", None, on=days_ago(60))
    assess(open_store, late.id, 50, yes(15))  # overdue by 8 days
    assess(open_store, soon.id, 38, yes(10))  # due in 4 days: this week
    assess(open_store, later.id, 31, yes(10))  # due in 11 days
    window = open_window(qtbot, open_store)
    dashboard = window.areas["dashboard"]
    assert isinstance(dashboard, DashboardView)
    card = dashboard.card_reviews
    assert (card.value.text(), card.detail.text()) == ("1", "2 more due in the next 14 days")

    card.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    dialog = dashboard.reviews_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 3, timeout=10_000)
    assert unnamed_controls(dialog) == []
    assert dialog.summary.text() == "1 overdue · 1 due this week · 1 more in the next 14 days"
    shown = [
        [dialog.list.topLevelItem(i).text(c) for c in (0, 2, 3)]
        for i in range(dialog.list.topLevelItemCount())
    ]
    assert shown == [
        [late.case_ref, long_date(days_ago(8)), "8 days overdue"],
        [soon.case_ref, long_date(TODAY + timedelta(days=4)), "due in 4 days"],
        [later.case_ref, long_date(TODAY + timedelta(days=11)), "due in 11 days"],
    ]
    qtbot.waitUntil(lambda: focused() is dialog.list, timeout=5_000)
    with qtbot.waitSignal(dashboard.referral_requested, timeout=5_000) as chosen:
        press(qtbot, Qt.Key.Key_Return)
    assert chosen.args == [late.id]
    referrals_area = window.areas["referrals"]
    assert isinstance(referrals_area, ReferralsView)
    assert window.current_area() == "referrals" and referrals_area.current_page() == "detail"
    assert referrals_area.detail.detail is not None
    assert referrals_area.detail.detail.id == late.id
    assert "RISK REVIEW OVERDUE" in referrals_area.detail.assessments_box.review.text()
    qtbot.waitUntil(lambda: dashboard.reviews_dialog is None, timeout=5_000)


def test_a_saved_review_clears_the_overdue_review(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    detail = referral_page(qtbot, window, open_store, on=days_ago(60))
    assert detail.detail is not None
    assess(open_store, detail.detail.id, 50, yes(15))
    detail.reload()
    assert "OVERDUE" in detail.assessments_box.review.text()
    dialog = open_new_assessment(qtbot, detail)
    assert dialog.kind.currentData() == "review"
    for key in "Y" * 10 + "N" * 14:
        press(qtbot, key)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: detail.assessments_box.list.topLevelItemCount() == 2, timeout=5_000)
    assert history_rows(detail)[0][1:5] == ["Review", "10 / 24", "Medium", "↓ from 15"]
    assert detail.assessments_box.review.text().startswith("Next risk review due ")
    assert "10 · medium" in detail.criteria_text.text()


def test_an_assessment_on_a_form_no_longer_installed_still_reads(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    saved = make_referral(open_store, "Amira", "Haddad", None, on=days_ago(40))
    with open_store.store.write() as s:
        row = RiskAssessment(
            referral_id=saved.id,
            form_id="old-local-form",
            form_version="3",
            kind="initial",
            assessed_on=days_ago(30),
            answers={"a1": {"answer": "yes", "comment": "Seen by GP", "source": "Victim"}},
            score=7,
            band="raised",
            review_due=days_ago(30) + timedelta(weeks=6),
            created_at=utcnow(),
        )
        s.add(row)
    view = show_referrals(qtbot, window)
    view.open_referral(saved.id)
    detail = view.detail
    assert history_rows(detail)[0][2:6] == [
        "7",
        "raised",
        "first on this form",
        "old-local-form (v3)",
    ]
    detail.assessments_box.open_button.click()
    qtbot.waitUntil(lambda: detail.assessment_dialog is not None, timeout=5_000)
    dialog = detail.assessment_dialog
    assert dialog is not None and dialog.fallback is not None
    assert dialog.title.text() == "Risk form old-local-form (version 3 is not installed)"
    assert dialog.fallback.text() == "a1: yes — Seen by GP (Victim)"
    dialog.reject()
    qtbot.waitUntil(lambda: detail.assessment_dialog is None, timeout=5_000)


def test_a_second_form_for_the_panel_can_be_chosen(
    qtbot, window: MainWindow, open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    local = checklist_v2()
    local["id"], local["version"], local["title"] = "northtown-dash", "1", "Northtown DASH"
    risk.add_form(open_store.store, open_store.actor, data=json.dumps(local), name="local")
    detail = referral_page(qtbot, window, open_store)
    dialog = open_new_assessment(qtbot, detail)
    choice = dialog.form_choice
    assert not choice.isHidden()
    assert [choice.itemText(i) for i in range(choice.count())] == [
        f"{rf.shipped_forms()[0].title} (version 1)",
        "Northtown DASH (version 1)",
    ]
    press(qtbot, "Y")
    monkeypatch.setattr(assessment_form, "confirm_discard", lambda _p: False)
    choice.setCurrentIndex(1)  # answers given: asked first, and kept when the answer is no
    assert choice.currentIndex() == 0 and dialog.form is not None
    assert dialog.form.form_id == rf.DA_CHECKLIST_ID
    monkeypatch.setattr(assessment_form, "confirm_discard", lambda _p: True)
    choice.setCurrentIndex(1)
    assert dialog.form.form_id == "northtown-dash"
    assert dialog.title.text() == "Northtown DASH"
    wait_for_row_focus(qtbot, dialog)
    assert current_id(dialog) == "q01" and dialog.score_panel.score.text() == "0"
    for key in "Y" * 12:
        press(qtbot, key)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as blocker:
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = blocker.args[0]
    assert (saved.form_id, saved.score, saved.band) == ("northtown-dash", 12, "high")
