"""Filling in a risk form on a referral by keyboard alone: the checklist's 24 questions with
Y / N / D, comments and sources, the live score, band and threshold warning, the stalking
supplement, professional judgement, and saving into the referral's history; the ASB matrix in
the same view, driven by its definition."""

from __future__ import annotations

from datetime import timedelta

import pytest
from assessment_support import (
    add_panel,
    current_id,
    focused,
    history_rows,
    open_new_assessment,
    press,
    referral_page,
    type_text,
    wait_for_row_focus,
)
from PySide6.QtCore import Qt
from referral_support import TODAY, open_window
from ui_support import qt_quiet

from marac_desk.core import risk_forms as rf
from marac_desk.services import referrals, risk
from marac_desk.services.session import OpenStore
from marac_desk.ui import assessment_form
from marac_desk.ui.assessment_form import AssessmentDialog, QuestionRow, SectionSwitch
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.referral_text import long_date
from marac_desk.ui.widgets import ERROR_COLOUR, unnamed_controls

pytestmark = qt_quiet

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, open_store: OpenStore) -> MainWindow:  # type: ignore[no-untyped-def]
    return open_window(qtbot, open_store)


def _score(dialog: AssessmentDialog) -> tuple[str, str]:
    panel = dialog.score_panel
    return panel.score.text(), panel.band.text()


def _save(qtbot, dialog: AssessmentDialog) -> risk.AssessmentSummary:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    summary = saved.args[0]
    assert isinstance(summary, risk.AssessmentSummary)
    return summary


def test_the_checklist_by_keyboard_alone(qtbot, window: MainWindow, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    detail = referral_page(qtbot, window, open_store)
    assert "No risk assessment recorded yet" in detail.assessments_box.review.text()
    dialog = open_new_assessment(qtbot, detail)
    assert dialog.windowTitle().startswith("New risk assessment")
    assert "Y yes · N no · D don't know" in dialog.hint.text()
    assert unnamed_controls(dialog) == []
    assert current_id(dialog) == "q01"
    assert _score(dialog) == ("0", "Standard")

    # 13 "yes" with a "don't know" among them: below the threshold, the warning is not shown.
    plan = "YY" + "YYYYYYYYYYY" + "D" + "N" + "Y" + "NDNNNNNN"
    assert len(plan) == 24 and plan.count("Y") == 14
    threshold = dialog.score_panel.threshold
    yes_so_far = 0
    for n, key in enumerate(plan, 1):
        assert current_id(dialog) == f"q{n:02d}"
        if n == 3:
            # A comment and a source before answering: Enter, type, Tab, type, Enter back.
            press(qtbot, Qt.Key.Key_Return)
            row = dialog.questions.current  # type: ignore[union-attr]
            assert isinstance(row, QuestionRow) and focused() is row.comment
            type_text(qtbot, "Fears for the children")
            press(qtbot, Qt.Key.Key_Tab)
            assert focused() is row.source
            type_text(qtbot, "Victim")
            press(qtbot, Qt.Key.Key_Return)
            assert focused() is row
        press(qtbot, key)
        yes_so_far += key == "Y"
        score, band = _score(dialog)
        assert score == str(yes_so_far)  # "don't know" never counts
        if yes_so_far < 14:
            assert "⚠" not in threshold.text()
            assert ERROR_COLOUR not in threshold.styleSheet()
        if n == 16:
            # The 14th "yes": the warning appears, exactly at the form's threshold.
            assert threshold.text() == "⚠ 14 yes — meets the visible high-risk threshold (14)"
            assert threshold.isVisible() and band == "High"
        if n == 13:
            assert threshold.text() == (
                "13 yes — 1 more to reach the visible high-risk threshold (14)"
            )
            assert band == "Medium"
        if n == 3:
            # Back to question 3: its follow-up is asked now it is "yes".
            press(qtbot, Qt.Key.Key_Up)
            row = dialog.questions.current  # type: ignore[union-attr]
            assert isinstance(row, QuestionRow) and row.question.id == "q03"
            follow = row.follow_ups["q03a"][1]
            assert follow.isVisible()
            for _ in range(3):  # comment, source, follow-up
                press(qtbot, Qt.Key.Key_Tab)
            assert focused() is follow
            type_text(qtbot, "That he takes the children")
            press(qtbot, Qt.Key.Key_Return)
            press(qtbot, Qt.Key.Key_Down)

    assert dialog.score_panel.counts.text() == "Answered 24 of 24 · 2 don't know (never counted)"
    assert _score(dialog) == ("14", "High")
    assert "Ready to save" in dialog.blocking.text()

    # After question 24: the optional stalking supplement. Y includes it.
    switch = dialog.questions.current  # type: ignore[union-attr]
    assert isinstance(switch, SectionSwitch) and not switch.included
    assert dialog.questions.questions["s01"].isHidden()  # type: ignore[union-attr]
    press(qtbot, "Y")
    assert switch.included and current_id(dialog) == "s01"
    press(qtbot, "Y")
    press(qtbot, "N")
    assert _score(dialog) == ("14", "High")  # the supplement is not scored
    assert dialog.score_panel.counts.text().startswith("Answered 24 of 24")

    saved = _save(qtbot, dialog)
    assert (saved.score, saved.band, saved.kind, saved.threshold_met) == (
        14,
        "high",
        "initial",
        True,
    )
    assert saved.assessor == open_store.actor.name

    stored = risk.get_assessment(open_store.store, saved.id)
    q03 = next(r for r in stored.rows if r.question_id == "q03")
    assert (q03.answer, q03.comment, q03.source) == ("yes", "Fears for the children", "Victim")
    assert q03.follow_ups == (
        ("What are they afraid of, in their own words?", "That he takes the children"),
    )
    answered = {r.question_id: r.answer for r in stored.rows if r.answer}
    assert answered["s01"] == "yes" and answered["s02"] == "no" and "s03" not in answered
    assert stored.summary.dont_know == 2

    # The referral page: history, review date, and the referral's own risk now 14 · high.
    qtbot.waitUntil(lambda: detail.assessments_box.list.topLevelItemCount() == 1, timeout=5_000)
    due = TODAY + timedelta(weeks=6)
    assert history_rows(detail) == [
        [
            long_date(TODAY),
            "Initial",
            "14 / 24",
            "High · meets threshold",
            "first on this form",
            f"{rf.shipped_forms()[0].title} (v1)",
        ]
    ]
    assert detail.assessments_box.review.text() == (
        f"Next risk review due {long_date(due)} (6 weeks after the last assessment)."
    )
    assert "Risk assessment saved: score 14, High." in detail.notice.text()
    assert "14 · high" in detail.criteria_text.text()
    assert referrals.get_referral(open_store.store, saved.referral_id).risk_score == 14


def test_judgement_raises_with_a_reason_and_never_lowers(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    detail = referral_page(qtbot, window, open_store)
    dialog = open_new_assessment(qtbot, detail)
    for key in "Y" * 12 + "N" * 12:  # 12 yes: medium
        press(qtbot, key)
    assert _score(dialog) == ("12", "Medium")

    press(qtbot, Qt.Key.Key_J, CTRL)
    combo = dialog.judgement
    assert focused() is combo
    offered = {
        str(combo.itemData(i)): (combo.model().item(i).isEnabled(), combo.itemText(i))  # type: ignore[attr-defined]
        for i in range(combo.count())
    }
    assert offered["standard"] == (False, "Standard — not higher than the answers give")
    assert offered["medium"] == (False, "Medium — not higher than the answers give")
    assert offered["high"] == (True, "Raise to High")

    combo.setCurrentIndex(combo.findData("high"))
    assert not dialog.save_button.isEnabled()
    assert "Professional judgement needs the reason in writing." in dialog.blocking.text()
    assert dialog.judgement_message.is_error
    press(qtbot, Qt.Key.Key_S, CTRL)  # cannot save: goes to what stops it
    assert focused() is dialog.reason
    type_text(qtbot, "Threatened to kill her at the school gate yesterday.")
    assert dialog.save_button.isEnabled()
    assert dialog.score_panel.level.text() == (
        "Level that stands: High — raised from Medium by professional judgement"
    )

    # Answers that reach high themselves: raising to high would not raise, so it cannot stand.
    questions = dialog.questions
    assert questions is not None
    questions.go_to(questions.questions["q13"])
    wait_for_row_focus(qtbot, dialog)
    press(qtbot, "Y")
    press(qtbot, "Y")
    assert _score(dialog) == ("14", "High")
    assert not dialog.save_button.isEnabled()
    assert "can only raise the level" in dialog.blocking.text()
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Delete)  # question 14 unanswered again: 13, medium
    assert _score(dialog) == ("13", "Medium")
    assert dialog.save_button.isEnabled()

    saved = _save(qtbot, dialog)
    assert (saved.band, saved.judgement_band, saved.effective_band) == ("medium", "high", "high")
    assert saved.judgement_reason == "Threatened to kill her at the school gate yesterday."
    qtbot.waitUntil(lambda: detail.assessments_box.list.topLevelItemCount() == 1, timeout=5_000)
    assert history_rows(detail)[0][3] == "High (judgement; answers Medium)"


def test_the_asb_matrix_in_the_same_view(qtbot, window: MainWindow, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    add_panel(open_store, "Community MARAC", "community_marac")
    detail = referral_page(qtbot, window, open_store, panel="Community MARAC")
    detail.assessments_box.new_button.click()  # by mouse this time
    qtbot.waitUntil(lambda: detail.assessment_dialog is not None, timeout=5_000)
    dialog = detail.assessment_dialog
    assert dialog is not None
    wait_for_row_focus(qtbot, dialog)
    assert dialog.title.text() == "Anti-social behaviour risk matrix (MARAC Desk)"
    assert "1/2/3/4 where shown" in dialog.hint.text()
    assert unnamed_controls(dialog) == []
    questions = dialog.questions
    assert questions is not None
    assert list(questions.questions) == [
        q.id for q in risk.current_form(open_store.store, rf.ASB_MATRIX_ID).questions
    ]
    f01 = questions.questions["f01"]
    assert [b.text() for b in f01.buttons.values()] == [
        "Once (1)",
        "Twice (2)",
        "3 or more times (3)",
        "Every week or more often (4)",
        "Don't know (D)",
    ]

    # The documents' worked example: threats and fear at home, 3+ times in 3 months, getting
    # worse, a disability made worse = 11, medium.
    for key in "NYNNY" + "NNN" + "NN" + "YNDN" + "3" + "YNN":
        press(qtbot, key)
    assert _score(dialog) == ("11", "Medium")
    assert dialog.score_panel.out_of.text() == "of 39"
    assert dialog.score_panel.threshold.text() == "Below the referral threshold (High)"

    # Fire near the home: 14 points, but high whatever the score (a band floor), by mouse.
    questions.questions["e02"].buttons["yes"].click()
    assert _score(dialog) == ("14", "High")
    assert "At least High: Fire at or near the home is a risk to life." in (
        dialog.score_panel.floors.text()
    )
    questions.questions["e02"].buttons["no"].click()
    assert _score(dialog) == ("11", "Medium") and dialog.score_panel.floors.isHidden()

    # Targeted for who they are, and weekly: 15, high, meets the Community MARAC threshold.
    questions.questions["p03"].buttons["yes"].click()
    assert _score(dialog) == ("14", "Medium")
    questions.go_to(f01)
    wait_for_row_focus(qtbot, dialog)
    press(qtbot, "4")
    assert _score(dialog) == ("15", "High")
    assert dialog.score_panel.threshold.text() == "⚠ High — meets the referral threshold (High)"

    before = referrals.get_referral(open_store.store, detail.detail.id)  # type: ignore[union-attr]
    saved = _save(qtbot, dialog)
    assert (saved.form_id, saved.score, saved.band) == (rf.ASB_MATRIX_ID, 15, "high")
    qtbot.waitUntil(lambda: detail.assessments_box.list.topLevelItemCount() == 1, timeout=5_000)
    assert history_rows(detail)[0][2:4] == ["15 / 39", "High · meets threshold"]
    after = referrals.get_referral(open_store.store, saved.referral_id)
    assert (after.risk_score, after.risk_grade) == (before.risk_score, before.risk_grade)


def test_cancel_asks_before_dropping_answers(
    qtbot, window: MainWindow, open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    detail = referral_page(qtbot, window, open_store)
    dialog = open_new_assessment(qtbot, detail)
    press(qtbot, "Y")
    asked: list[bool] = []
    monkeypatch.setattr(assessment_form, "confirm_discard", lambda _p: asked.append(True) or False)
    press(qtbot, Qt.Key.Key_Escape)
    assert asked == [True] and dialog.isVisible()
    monkeypatch.setattr(assessment_form, "confirm_discard", lambda _p: True)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: detail.assessment_dialog is None, timeout=5_000)
    assert risk.list_assessments(open_store.store, detail.detail.id) == ()  # type: ignore[union-attr]


def test_a_date_in_the_future_stops_the_save(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    detail = referral_page(qtbot, window, open_store)
    dialog = open_new_assessment(qtbot, detail)
    press(qtbot, "Y")
    dialog.assessed_on.setFocus()
    dialog.assessed_on.selectAll()
    type_text(qtbot, (TODAY + timedelta(days=1)).strftime("%d/%m/%Y"))
    assert not dialog.save_button.isEnabled()
    assert dialog.blocking.text() == "Cannot save yet: The assessment date is in the future."
    dialog.assessed_on.selectAll()
    type_text(qtbot, (TODAY - timedelta(days=7)).strftime("%d/%m/%Y"))
    assert dialog.save_button.isEnabled()
    saved = _save(qtbot, dialog)
    assert saved.assessed_on == TODAY - timedelta(days=7)
