"""Helpers for the risk assessment GUI tests: a referral opened on its page, the assessment
dialog opened by its shortcut, and keys pressed where the keyboard focus is."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from referral_support import ctrl, make_referral, show_referrals

from marac_desk.core import risk_forms as rf
from marac_desk.db.models import Panel
from marac_desk.services.context import utcnow
from marac_desk.services.session import OpenStore
from marac_desk.ui.assessment_form import AssessmentDialog
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.referral_detail import ReferralDetailView

KEYS = {
    "Y": Qt.Key.Key_Y,
    "N": Qt.Key.Key_N,
    "D": Qt.Key.Key_D,
    "1": Qt.Key.Key_1,
    "2": Qt.Key.Key_2,
    "3": Qt.Key.Key_3,
    "4": Qt.Key.Key_4,
}


def add_panel(opened: OpenStore, name: str, panel_type: str) -> None:
    with opened.store.write() as s:
        s.add(Panel(name=name, panel_type=panel_type, cadence="weekly:wed", created_at=utcnow()))


def referral_page(qtbot: Any, win: MainWindow, opened: OpenStore, **kw: Any) -> ReferralDetailView:
    """A referral made through the services, shown on its page in the referrals area."""
    saved = make_referral(
        opened,
        kw.pop("first", "Amira"),
        kw.pop("last", "Haddad"),
        kw.pop("dob", date(1991, 5, 12)),
        perpetrator=("Sami", "Haddad", None),
        **kw,
    )
    view = show_referrals(qtbot, win)
    view.open_referral(saved.id)
    assert view.current_page() == "detail"
    return view.detail


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot: Any, key: Qt.Key | str, modifier: Qt.KeyboardModifier | None = None) -> None:
    """A key pressed wherever the keyboard focus is, as a user would."""
    code = KEYS[key] if isinstance(key, str) else key
    if modifier is None:
        qtbot.keyClick(focused(), code)
    else:
        qtbot.keyClick(focused(), code, modifier)


def type_text(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def open_new_assessment(qtbot: Any, detail: ReferralDetailView) -> AssessmentDialog:
    """Ctrl+Shift+A on the referral page; waits until the first question has the focus."""
    window = detail.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    detail.setFocus()
    ctrl(qtbot, detail, Qt.Key.Key_A, shift=True)
    qtbot.waitUntil(lambda: detail.assessment_dialog is not None, timeout=5_000)
    dialog = detail.assessment_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    wait_for_row_focus(qtbot, dialog)
    return dialog


def wait_for_row_focus(qtbot: Any, dialog: AssessmentDialog) -> None:
    def row_has_focus() -> bool:
        questions = dialog.questions
        return (
            questions is not None
            and questions.current is not None
            and QApplication.focusWidget() is questions.current
        )

    qtbot.waitUntil(row_has_focus, timeout=5_000)


def current_id(dialog: AssessmentDialog) -> str:
    """The question id of the current row ('' on a section switch)."""
    questions = dialog.questions
    assert questions is not None and questions.current is not None
    question = getattr(questions.current, "question", None)
    return question.id if question is not None else ""


def checklist_v2() -> dict[str, Any]:
    """The shipped checklist as a partnership's version 2: new wording for question 1, high
    from 12."""
    form = next(f for f in rf.shipped_forms() if f.form_id == rf.DA_CHECKLIST_ID)
    doc = copy.deepcopy(dict(form.document))
    doc["version"] = "2"
    doc["title"] = "Northtown checklist"
    doc["sections"][0]["questions"][0]["text"] = "Was the victim injured this time?"
    doc["bands"] = [
        {"id": "standard", "label": "Standard", "min": 0, "max": 7},
        {"id": "medium", "label": "Medium", "min": 8, "max": 11},
        {"id": "high", "label": "High", "min": 12},
    ]
    doc["thresholds"] = {"visible_high_risk": 12}
    return doc


def history_rows(detail: ReferralDetailView) -> list[list[str]]:
    tree = detail.assessments_box.list
    return [
        [tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
    ]
