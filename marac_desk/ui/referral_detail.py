"""One referral: everything it says, whether it is a repeat (and of what), the victim's previous
referrals with their actions (outstanding first), and what the coordinator can change: the
status (with a reason and who decided, never a silent rejection), the repeat flag (with a
reason), and which person the victim or a perpetrator is linked to.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core import referral_rules as rules
from marac_desk.core.repeats import add_months
from marac_desk.core.vocab import OPEN_ACTION_STATUSES
from marac_desk.services import referrals, risk, settings
from marac_desk.services.referrals import PersonOnReferral, ReferralDetail, ReferralRejected
from marac_desk.services.risk import AssessmentSummary
from marac_desk.ui.area import AreaContext
from marac_desk.ui.assessment_form import AssessmentDialog
from marac_desk.ui.assessment_history import AssessmentHistory
from marac_desk.ui.person_match import CandidatePanel, Probe
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import (
    CHILDREN_STATUS_LABELS,
    CRITERIA_LABELS,
    GENDER_LABELS,
    MATCH_LABELS,
    RELATIONSHIP_LABELS,
    RISK_TOOL_LABELS,
    STATUS_LABELS,
    TRI_STATE_SHORT,
    age_text,
    label,
    long_date,
    person_name,
    risk_text,
    status_label,
)
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    OK_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    ScrollBody,
    heading,
    name_unnamed_buttons,
    named,
    safe_error,
)

REPEAT_STYLE = (
    "background: #fde7e9; color: #8b0015; border: 2px solid #b00020; border-radius: 4px;"
    " padding: 8px 12px; font-weight: bold;"
)
NEW_PERP_STYLE = (
    "background: #fff3cd; color: #5c4400; border: 2px solid #c79100; border-radius: 4px;"
    " padding: 8px 12px; font-weight: bold;"
)


def _e(text: object) -> str:
    return html.escape(str(text))


def _rows_html(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of (label, value); values already escaped."""
    cells = "".join(
        f'<tr><td style="color:{MUTED_COLOUR}; padding-right:12px; white-space:nowrap;">'
        f"{_e(key)}</td><td>{value}</td></tr>"
        for key, value in rows
        if value
    )
    return f'<table cellspacing="0" cellpadding="2">{cells}</table>'


class RelinkDialog(QDialog):
    """Find the person the victim or a perpetrator should be linked to."""

    def __init__(
        self,
        ctx: AreaContext,
        who: str,
        current: PersonOnReferral,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Link {who} to another person").format(who=who))
        self.setMinimumWidth(760)
        self.chosen_id: int | None = None
        self._current = current.person_id
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Search for the person {who} really is. What this referral says of them (the "
                "spelling, date of birth and any NHS number or agency ID) moves with it, and "
                "repeat flags are worked out again for every referral either person appears in."
            ).format(who=who),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QHBoxLayout()
        self.first = QLineEdit(current.first_name, self)
        named(self.first, self.tr("First name(s) to search for"))
        self.last = QLineEdit(current.last_name, self)
        named(self.last, self.tr("Last name to search for"))
        self.dob = DateField(self, self.tr("Date of birth to search for"))
        self.dob.set_date(current.dob)
        for text, widget in (
            (self.tr("First name(s)"), self.first),
            (self.tr("Last name"), self.last),
            (self.tr("Date of birth"), self.dob),
        ):
            caption = QLabel(text, self)
            caption.setBuddy(widget)
            form.addWidget(caption)
            form.addWidget(widget, 1)
        layout.addLayout(form)
        self.candidates = CandidatePanel(
            lambda: ctx.opened.store, who, self, shortcut_scope=self, existing_only=True
        )
        self.candidates.link_button.setText(self.tr("Link to this person"))
        layout.addWidget(self.candidates)
        layout.addStretch(1)
        self.candidates.decision_changed.connect(self._decided)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for edit in (self.first, self.last, self.dob):
            edit.textChanged.connect(lambda _t: self._search())
        name_unnamed_buttons(self)
        self._search()
        self.candidates.search()

    def _search(self) -> None:
        self.candidates.set_probe(
            Probe(self.first.text().strip(), self.last.text().strip(), self.dob.parsed().value)
        )

    def _decided(self) -> None:
        linked = self.candidates.linked
        if linked is None:
            return
        if linked.id == self._current:
            self.candidates.status.show_error(self.tr("That is the person already linked."))
            self.candidates.linked = None
            return
        self.chosen_id = linked.id
        self.accept()


class ReferralDetailView(QWidget):
    back_requested = Signal()
    open_requested = Signal(int)
    loaded = Signal(object)  # the ReferralDetail shown
    changed = Signal()  # something about this referral was saved
    action_done = Signal(bool, str)  # a change finished: ok, message shown

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 - builds the widgets in reading order
        super().__init__(parent)
        self._ctx = ctx
        self.detail: ReferralDetail | None = None
        self.relink_dialog: RelinkDialog | None = None
        self.assessment_dialog: AssessmentDialog | None = None
        self._busy = False
        self._history: list[int] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.back_button = QPushButton(self.tr("← Back to the list"), self)
        self.back_button.setToolTip(self.tr("Back (Esc or Alt+Left)"))
        named(self.back_button, self.tr("Back to the referral list"))
        self.back_button.clicked.connect(self.go_back)
        top.addWidget(self.back_button)
        self.title = heading("", 1, self)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.title, 1)
        self.status_pill = QLabel(self)
        self.status_pill.setAccessibleName(self.tr("Status"))
        top.addWidget(self.status_pill)
        outer.addLayout(top)

        self.notice = MessageLabel(self, name=self.tr("Notice"))
        outer.addWidget(self.notice)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        outer.addWidget(self.banner)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        named(scroll, self.tr("Referral details"))
        body = ScrollBody(scroll)
        self.body = body
        stacked = QVBoxLayout(body)
        stacked.setContentsMargins(0, 0, 8, 0)
        stacked.setSpacing(10)
        self.previous_box = self._build_previous(body)
        stacked.addWidget(self.previous_box)
        self.assessments_box = AssessmentHistory(body)
        self.assessments_box.new_requested.connect(self.new_assessment)
        self.assessments_box.open_requested.connect(self.open_assessment)
        stacked.addWidget(self.assessments_box)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        stacked.addLayout(columns)
        stacked.addStretch(1)
        left = QVBoxLayout()
        left.setSpacing(10)
        right = QVBoxLayout()
        right.setSpacing(10)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.referral_box, self.referral_text = self._text_group(body, self.tr("Referral"))
        self.victim_box, self.victim_text = self._text_group(body, self.tr("Victim"))
        self.victim_link_row = QHBoxLayout()
        self.victim_box.layout().addLayout(self.victim_link_row)  # type: ignore[union-attr]
        self.perp_box = QGroupBox(self.tr("Perpetrators"), body)
        named(self.perp_box, self.tr("Perpetrators"))
        self.perp_layout = QVBoxLayout(self.perp_box)
        self.children_box, self.children_text = self._text_group(
            body, self.tr("Children in the household")
        )
        self.criteria_box, self.criteria_text = self._text_group(
            body, self.tr("Reason, criteria and risk")
        )
        self.completeness_box, self.completeness_text = self._text_group(
            body, self.tr("Completeness")
        )
        for box in (self.referral_box, self.victim_box, self.perp_box, self.children_box):
            left.addWidget(box)
        left.addStretch(1)
        right.addWidget(self._build_status(body))
        right.addWidget(self._build_override(body))
        right.addWidget(self.criteria_box)
        right.addWidget(self.completeness_box)
        right.addStretch(1)

        for keys, slot in (
            ("Escape", self.go_back),
            ("Alt+Left", self.go_back),
            ("Ctrl+Shift+S", self.status_choice.setFocus),
            ("Ctrl+Shift+R", self.override_choice.setFocus),
            ("Ctrl+Shift+K", self.relink_victim),
            ("Ctrl+Shift+A", self.new_assessment),
            ("Ctrl+Shift+L", self.assessments_box.focus_list),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        name_unnamed_buttons(self)

    # ----- building --------------------------------------------------------------------------

    def _text_group(self, parent: QWidget, title: str) -> tuple[QGroupBox, QLabel]:
        group = QGroupBox(title, parent)
        named(group, title)
        layout = QVBoxLayout(group)
        text = QLabel(group)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setAccessibleName(title)
        layout.addWidget(text)
        return group, text

    def _build_previous(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Previous referrals of this victim"), parent)
        named(group, self.tr("Previous referrals of this victim"))
        layout = QVBoxLayout(group)
        self.previous_note = QLabel(group)
        self.previous_note.setWordWrap(True)
        self.previous_note.setAccessibleName(self.tr("About the previous referrals"))
        layout.addWidget(self.previous_note)
        self.previous = QTreeWidget(group)
        self.previous.setColumnCount(4)
        self.previous.setHeaderLabels(
            [
                self.tr("Referral or action"),
                self.tr("Date / due"),
                self.tr("Status"),
                self.tr("Owner"),
            ]
        )
        self.previous.setWordWrap(True)
        self.previous.setUniformRowHeights(False)
        self.previous.setRootIsDecorated(True)
        self.previous.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.previous.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        metrics = self.previous.fontMetrics()
        for column, sample in (
            (1, "00 Sep 0000 (overdue)"),
            (2, "carried forward"),
            (3, "Children's Social Care"),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.previous.setColumnWidth(column, metrics.horizontalAdvance(sample) + 16)
        named(
            self.previous,
            self.tr("Previous referrals and their actions"),
            self.tr("Enter on a referral opens it"),
        )
        self.previous.itemActivated.connect(self._previous_activated)
        layout.addWidget(self.previous)
        return group

    def _build_status(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Status"), parent)
        named(group, self.tr("Change the status"))
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.status_current = QLabel(group)
        self.status_current.setWordWrap(True)
        self.status_current.setAccessibleName(self.tr("Current status"))
        form.addRow(self.tr("Now:"), self.status_current)
        self.status_choice = QComboBox(group)
        named(self.status_choice, self.tr("New status"))
        self.status_message = MessageLabel(group, name=self.tr("New status: problem"))
        form.addRow(
            self.tr("Change &to (Ctrl+Shift+S):"),
            self._stack(group, self.status_choice, self.status_message),
        )
        self.status_reason = QLineEdit(group)
        self.status_reason.setMaxLength(500)
        self.status_reason.setPlaceholderText(self.tr("needed for diverted, withdrawn or reopened"))
        named(self.status_reason, self.tr("Reason for the status change"))
        self.status_reason_message = MessageLabel(group, name=self.tr("Reason: problem"))
        form.addRow(
            self.tr("Rea&son:"), self._stack(group, self.status_reason, self.status_reason_message)
        )
        self.status_decided_by = QLineEdit(group)
        self.status_decided_by.setMaxLength(120)
        self.status_decided_by.setPlaceholderText(self.tr("name and role, e.g. chair"))
        named(self.status_decided_by, self.tr("Who decided"))
        self.status_decided_message = MessageLabel(group, name=self.tr("Who decided: problem"))
        form.addRow(
            self.tr("&Who decided:"),
            self._stack(group, self.status_decided_by, self.status_decided_message),
        )
        self.status_button = QPushButton(self.tr("Change status"), group)
        named(self.status_button, self.tr("Change the status"))
        self.status_button.clicked.connect(self.change_status)
        self.status_done = MessageLabel(group, name=self.tr("Status change result"))
        row = QHBoxLayout()
        row.addWidget(self.status_button)
        row.addStretch(1)
        form.addRow(row)
        form.addRow(self.status_done)
        self.status_reason.returnPressed.connect(self.change_status)
        self.status_decided_by.returnPressed.connect(self.change_status)
        return group

    def _build_override(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Repeat flag"), parent)
        named(group, self.tr("Repeat flag"))
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.override_current = QLabel(group)
        self.override_current.setWordWrap(True)
        self.override_current.setAccessibleName(self.tr("How the repeat flag was set"))
        form.addRow(self.tr("Now:"), self.override_current)
        self.override_choice = QComboBox(group)
        self.override_choice.addItem(self.tr("As the repeat rule works it out"), None)
        self.override_choice.addItem(self.tr("A repeat (my judgement)"), True)
        self.override_choice.addItem(self.tr("Not a repeat (my judgement)"), False)
        named(self.override_choice, self.tr("Repeat flag"))
        form.addRow(self.tr("Set to (Ctrl+Shift+R):"), self.override_choice)
        self.override_reason = QLineEdit(group)
        self.override_reason.setMaxLength(500)
        named(self.override_reason, self.tr("Reason for overriding the repeat flag"))
        self.override_message = MessageLabel(group, name=self.tr("Override reason: problem"))
        form.addRow(
            self.tr("Reaso&n:"), self._stack(group, self.override_reason, self.override_message)
        )
        self.override_button = QPushButton(self.tr("Apply repeat flag"), group)
        named(self.override_button, self.tr("Apply the repeat flag"))
        self.override_button.clicked.connect(self.apply_override)
        self.override_reason.returnPressed.connect(self.apply_override)
        self.override_done = MessageLabel(group, name=self.tr("Repeat flag result"))
        row = QHBoxLayout()
        row.addWidget(self.override_button)
        row.addStretch(1)
        form.addRow(row)
        form.addRow(self.override_done)
        return group

    @staticmethod
    def _stack(parent: QWidget, widget: QWidget, message: MessageLabel) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(message)
        return box

    # ----- loading ---------------------------------------------------------------------------

    def load(self, referral_id: int, *, notice: str = "", remember: bool = True) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        if remember and self.detail is not None and self.detail.id != referral_id:
            self._history.append(self.detail.id)
        elif remember and self.detail is None:
            self._history.clear()
        try:
            detail = referrals.get_referral(store, referral_id)
        except Exception as exc:
            self.notice.show_error(
                self.tr("The referral could not be read: {error}").format(error=safe_error(exc))
            )
            return
        window = int(settings.get_all(store).get("repeat_window_months", 12))
        self.show_detail(detail, window)
        self._show_assessments(detail)
        if notice:
            self.notice.show_ok(notice)
        else:
            self.notice.clear_message()
        for message in (self.status_done, self.override_done):
            message.clear_message()
        self.loaded.emit(detail)

    @staticmethod
    def _identifiers_text(person: PersonOnReferral) -> str:
        """The person's identifiers, escaped, one a line and never broken inside ("" when none
        are known)."""
        return "<br>".join(
            f'<span style="white-space:nowrap;">{_e(identifier)}</span>'
            for identifier in person.identifiers
        )

    def reload(self) -> None:
        if self.detail is not None:
            keep = self.notice.text() if self.notice.isVisible() else ""
            self.load(self.detail.id, notice=keep, remember=False)

    def go_back(self) -> None:
        if self._history:
            self.load(self._history.pop(), remember=False)
            return
        self.detail = None
        self.back_requested.emit()

    def show_detail(self, d: ReferralDetail, window_months: int = 12) -> None:
        self.detail = d
        victim = person_name(d.victim.first_name, d.victim.last_name)
        self.title.setText(f"{d.case_ref} — {victim}")
        self.title.setAccessibleName(self.title.text())
        self.status_pill.setText(status_label(d.status))
        self.status_pill.setStyleSheet(
            "border: 1px solid #8892a0; border-radius: 9px; padding: 2px 10px; font-weight: bold;"
        )
        self._show_banner(d, window_months)
        self._show_referral(d)
        self._show_victim(d)
        self._show_perpetrators(d)
        self._show_children(d)
        self._show_criteria(d)
        self._show_completeness(d)
        self._show_previous(d)
        self._show_status(d)
        self._show_override(d)
        self.body.fit_height()

    def _show_banner(self, d: ReferralDetail, window_months: int) -> None:
        by_id = {p.id: p for p in d.previous}
        if d.is_repeat:
            base = by_id.get(d.previous_referral_id or -1) if d.previous_referral_id else None
            if base is None and d.previous:
                base = d.previous[0]
            if base is not None:
                text = self.tr(
                    "REPEAT — previous referral {ref} on {day}, same victim and perpetrator "
                    "within {n} months. Review the previous actions (below, outstanding first) "
                    "before the case is heard again."
                ).format(ref=base.case_ref, day=long_date(base.referral_date), n=window_months)
            else:
                text = self.tr("REPEAT — review the previous actions before the case is heard.")
            if d.repeat_override is True:
                text += " " + self.tr("(Set by the coordinator: {reason})").format(
                    reason=d.repeat_override_reason
                )
            self.banner.setText(text)
            self.banner.setStyleSheet(REPEAT_STYLE)
            self.banner.setAccessibleName(self.tr("Repeat referral"))
            self.banner.setAccessibleDescription(text)
            self.banner.show()
        elif d.new_perpetrator_flag and d.repeat_override is None:
            recent = [
                p
                for p in d.previous
                if p.referral_date >= add_months(d.referral_date, -window_months)
            ]
            base = recent[0] if recent else (d.previous[0] if d.previous else None)
            if base is not None:
                text = self.tr(
                    "PREVIOUS MARAC, NEW PERPETRATOR — this victim was referred on {day} ({ref}) "
                    "about a different perpetrator. Not a repeat under the strict rule, but the "
                    "panel should see it."
                ).format(ref=base.case_ref, day=long_date(base.referral_date))
            else:
                text = self.tr("PREVIOUS MARAC, NEW PERPETRATOR.")
            self.banner.setText(text)
            self.banner.setStyleSheet(NEW_PERP_STYLE)
            self.banner.setAccessibleName(self.tr("Previous MARAC, new perpetrator"))
            self.banner.setAccessibleDescription(text)
            self.banner.show()
        else:
            self.banner.hide()
            self.banner.setText("")

    def _show_referral(self, d: ReferralDetail) -> None:
        agency = _e(d.referring_agency)
        if d.joint_agency:
            agency += " " + _e(self.tr("jointly with {agency}").format(agency=d.joint_agency))
        rows = [
            (self.tr("Case ref"), f"<b>{_e(d.case_ref)}</b>"),
            (self.tr("Referral date"), _e(long_date(d.referral_date))),
            (self.tr("Panel"), _e(d.panel)),
            (self.tr("Referring agency"), agency),
            (self.tr("Referrer"), _e(d.referrer_name)),
            (self.tr("Referrer's contact"), _e(d.referrer_contact)),
            (self.tr("External reference"), _e(d.external_ref)),
            (self.tr("Status"), _e(status_label(d.status))),
            (self.tr("Status reason"), _e(d.status_reason)),
            (self.tr("Decided by"), _e(d.status_decided_by)),
        ]
        self.referral_text.setText(_rows_html(rows))

    def _fact(self, d: ReferralDetail, key: str) -> str:
        value = d.facts.get(key)
        if value in (None, ""):
            return ""
        return _e(label(TRI_STATE_SHORT, str(value)))

    def _show_victim(self, d: ReferralDetail) -> None:
        f = d.facts
        dob = d.victim.dob
        born = ""
        if dob:
            born = _e(f"{long_date(dob)} ({age_text(dob, d.referral_date)} when referred)")
        ethnicity = str(f.get("victim_ethnicity") or "")
        contact = " · ".join(
            f"{words} <b>{_e(label(TRI_STATE_SHORT, str(f.get(key) or '')))}</b>"
            for key, words in (
                ("safe_to_call", self.tr("call")),
                ("safe_to_text", self.tr("text")),
                ("safe_to_leave_message", self.tr("leave a message")),
            )
        )
        rows = [
            (
                self.tr("Name (as referred)"),
                f"<b>{_e(person_name(d.victim.first_name, d.victim.last_name))}</b>",
            ),
            (self.tr("Born"), born or _e(self.tr("not given"))),
            (self.tr("Gender"), _e(label(GENDER_LABELS, str(f.get("victim_gender") or "")))),
            (
                self.tr("Person record"),
                _e(
                    self.tr("#{id} · match: {m}").format(
                        id=d.victim.person_id, m=label(MATCH_LABELS, d.match_status)
                    )
                ),
            ),
            (self.tr("Identifiers"), self._identifiers_text(d.victim)),
            (
                self.tr("Address"),
                _e(" ".join(str(f.get(k) or "") for k in ("address", "postcode")).strip()),
            ),
            (self.tr("Phone"), _e(f.get("phone") or "")),
            (self.tr("Safe to"), contact),
            (self.tr("Best time"), _e(f.get("best_contact_time") or "")),
            (self.tr("Language"), _e(f.get("language") or "")),
            (self.tr("Interpreter"), self._fact(d, "interpreter_needed")),
            (
                self.tr("Ethnicity"),
                _e(
                    label(TRI_STATE_SHORT, ethnicity)
                    if ethnicity in ("not_known", "not_stated")
                    else ethnicity
                ),
            ),
            (self.tr("Black, Asian or racially minoritised"), self._fact(d, "victim_bame")),
            (self.tr("LGBT+"), self._fact(d, "victim_lgbt")),
            (self.tr("Disability"), self._fact(d, "victim_disability")),
            (self.tr("Mental health needs"), self._fact(d, "victim_mental_health")),
            (self.tr("Substance misuse"), self._fact(d, "victim_substance_misuse")),
            (self.tr("Pregnant / recent birth"), self._fact(d, "victim_pregnant")),
        ]
        self.victim_text.setText(_rows_html(rows))
        self._clear_layout(self.victim_link_row)
        button = QPushButton(self.tr("Link the victim to another person…"), self.victim_box)
        button.setToolTip(self.tr("Ctrl+Shift+K"))
        named(button, self.tr("Link the victim to another person"))
        button.clicked.connect(self.relink_victim)
        self.victim_link_row.addWidget(button)
        self.victim_link_row.addStretch(1)

    def _show_perpetrators(self, d: ReferralDetail) -> None:
        self._clear_layout(self.perp_layout)
        if not d.perpetrators:
            empty = QLabel(self.tr("No perpetrator was named."), self.perp_box)
            empty.setStyleSheet(f"color: {WARNING_COLOUR};")
            self.perp_layout.addWidget(empty)
            return
        for i, p in enumerate(d.perpetrators, 1):
            born = _e(f"{long_date(p.dob)} ({age_text(p.dob, d.referral_date)})") if p.dob else ""
            text = QLabel(self.perp_box)
            text.setTextFormat(Qt.TextFormat.RichText)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setText(
                _rows_html(
                    [
                        (
                            self.tr("Perpetrator {n}").format(n=i),
                            f"<b>{_e(person_name(p.first_name, p.last_name))}</b>",
                        ),
                        (self.tr("Born"), born),
                        (self.tr("Relationship"), _e(label(RELATIONSHIP_LABELS, p.relationship))),
                        (self.tr("Person record"), _e(f"#{p.person_id}")),
                        (self.tr("Identifiers"), self._identifiers_text(p)),
                    ]
                )
            )
            text.setAccessibleName(self.tr("Perpetrator {n}").format(n=i))
            row = QHBoxLayout()
            row.addWidget(text, 1)
            button = QPushButton(self.tr("Link to another person…"), self.perp_box)
            named(button, self.tr("Link perpetrator {n} to another person").format(n=i))
            button.clicked.connect(
                lambda _c=False, person=p, n=i: self.relink_perpetrator(person, n)
            )
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.perp_layout.addLayout(row)

    def _show_children(self, d: ReferralDetail) -> None:
        if not d.children:
            text = label(CHILDREN_STATUS_LABELS, d.children_status)
            self.children_text.setText(_e(text))
            return
        rows = []
        for c in d.children:
            born = f"{long_date(c.dob)} ({age_text(c.dob, d.referral_date)})" if c.dob else ""
            relation = f" · {c.relationship}" if c.relationship else ""
            rows.append(
                (person_name(c.first_name, c.last_name), _e(f"{born}{relation}".strip(" ·")))
            )
        self.children_text.setText(_rows_html(rows))

    def _show_criteria(self, d: ReferralDetail) -> None:
        criteria = ", ".join(label(CRITERIA_LABELS, c) for c in d.criteria)
        rows = [
            (
                self.tr("Criteria"),
                _e(criteria)
                or f'<span style="color:{WARNING_COLOUR}">{_e(self.tr("none ticked"))}</span>',
            ),
            (self.tr("Professional judgement"), _e(d.professional_judgement_reason)),
            (
                self.tr("Police incidents (12 months)"),
                _e(d.police_incidents_12m) if d.police_incidents_12m is not None else "",
            ),
            (self.tr("Risk tool"), _e(label(RISK_TOOL_LABELS, d.risk_tool)) if d.risk_tool else ""),
            (self.tr("Risk"), _e(risk_text(d.risk_score, d.risk_grade))),
            (self.tr("Reason"), _e(d.reason).replace("\n", "<br>")),
            (self.tr("Others feared"), _e(d.facts.get("others_feared") or "")),
            (self.tr("Victim knows"), self._fact(d, "victim_aware")),
            (self.tr("Victim consented"), self._fact(d, "victim_consented")),
            (self.tr("Why not"), _e(d.facts.get("no_consent_reason") or "")),
            (self.tr("Previous MARAC elsewhere"), self._fact(d, "previous_marac_elsewhere")),
        ]
        self.criteria_text.setText(_rows_html(rows))

    def _show_completeness(self, d: ReferralDetail) -> None:
        if d.missing:
            self.completeness_text.setText(
                f'<span style="color:{WARNING_COLOUR}">'
                + _e(
                    self.tr("Missing: {items}.").format(
                        items=", ".join(self.tr(m) for m in d.missing)
                    )
                )
                + "</span>"
            )
        else:
            self.completeness_text.setText(
                f'<span style="color:{OK_COLOUR}">' + _e(self.tr("✔ Nothing missing.")) + "</span>"
            )

    def _show_previous(self, d: ReferralDetail) -> None:
        self.previous.clear()
        if not d.previous:
            self.previous_note.setText(self.tr("This victim has no earlier referral in the store."))
            self.previous_note.setStyleSheet(f"color: {MUTED_COLOUR};")
            self.previous.hide()
            return
        self.previous.show()

        outstanding = sum(
            1 for p in d.previous for a in p.actions if a.status in OPEN_ACTION_STATUSES
        )
        note = self.tr("{n} earlier referral(s), newest first.").format(n=len(d.previous))
        if outstanding:
            note += " " + self.tr("{n} action(s) still outstanding.").format(n=outstanding)
        self.previous_note.setText(note)
        self.previous_note.setStyleSheet(f"color: {ERROR_COLOUR if outstanding else MUTED_COLOUR};")
        bold = QFont()
        bold.setBold(True)
        today = date.today()
        for p in d.previous:
            what = p.case_ref
            if p.perpetrators:
                what += " — " + ", ".join(p.perpetrators)
            if p.id == d.previous_referral_id:
                what += "  " + self.tr("◀ repeated now")
            item = QTreeWidgetItem([what, long_date(p.referral_date), status_label(p.status), ""])
            item.setData(0, Qt.ItemDataRole.UserRole, p.id)
            item.setFont(0, bold)
            item.setToolTip(0, self.tr("Enter or double-click opens {ref}").format(ref=p.case_ref))
            if not p.actions:
                none = QTreeWidgetItem([self.tr("No actions recorded"), "", "", ""])
                none.setForeground(0, QBrush(QColor(MUTED_COLOUR)))
                item.addChild(none)
            for a in p.actions:
                is_open = a.status in OPEN_ACTION_STATUSES
                due = long_date(a.due_date) if a.due_date else self.tr("no due date")
                overdue = is_open and a.due_date is not None and a.due_date < today
                if overdue:
                    due += " " + self.tr("(overdue)")
                state = a.status.replace("_", " ")
                child = QTreeWidgetItem(
                    [("● " if is_open else "") + a.text, due, state, a.owner_agency]
                )
                child.setToolTip(0, a.text)
                if is_open:
                    for column in range(4):
                        child.setForeground(column, QBrush(QColor(ERROR_COLOUR)))
                    child.setFont(0, bold)
                else:
                    for column in range(4):
                        child.setForeground(column, QBrush(QColor(MUTED_COLOUR)))
                item.addChild(child)
            self.previous.addTopLevelItem(item)
        self.previous.expandAll()
        self.previous.setCurrentItem(self.previous.topLevelItem(0))
        self._fit_previous()

    def _fit_previous(self, most_rows: int = 18) -> None:
        """As tall as its rows (up to a limit, then it scrolls)."""
        tree = self.previous
        tree.doItemsLayout()
        heights: list[int] = []
        for i in range(tree.topLevelItemCount()):
            top = tree.topLevelItem(i)
            heights.append(tree.visualItemRect(top).height())
            heights += [tree.visualItemRect(top.child(c)).height() for c in range(top.childCount())]
        fallback = tree.fontMetrics().height() + 4
        rows = [h if h > 0 else fallback for h in heights[:most_rows]]
        tree.setFixedHeight(
            sum(rows) + tree.header().sizeHint().height() + 2 * tree.frameWidth() + 4
        )

    def _show_status(self, d: ReferralDetail) -> None:
        now = status_label(d.status)
        if d.status_reason:
            now += " — " + d.status_reason
        if d.status_decided_by:
            now += " " + self.tr("(decided by {who})").format(who=d.status_decided_by)
        self.status_current.setText(now)
        self.status_choice.clear()
        allowed = rules.TRANSITIONS.get(d.status, frozenset())
        for code, text in STATUS_LABELS:
            if code in allowed:
                needs = code in rules.NEEDS_REASON or d.status in (
                    "closed",
                    "diverted",
                    "withdrawn",
                )
                suffix = self.tr(" (reason and who decided needed)") if needs else ""
                self.status_choice.addItem(self.tr(text) + suffix, code)
        self.status_reason.clear()
        self.status_decided_by.clear()
        for message in (
            self.status_message,
            self.status_reason_message,
            self.status_decided_message,
        ):
            message.clear_message()
        self.status_button.setEnabled(self.status_choice.count() > 0)

    def _show_override(self, d: ReferralDetail) -> None:
        computed = self.tr("a repeat") if d.computed_repeat else self.tr("not a repeat")
        if d.repeat_override is None:
            text = self.tr("The repeat rule says {computed}.").format(computed=computed)
        else:
            mine = self.tr("a repeat") if d.repeat_override else self.tr("not a repeat")
            text = self.tr(
                "Set by the coordinator to {mine} ({reason}); the rule says {computed}."
            ).format(mine=mine, reason=d.repeat_override_reason, computed=computed)
        self.override_current.setText(text)
        self.override_choice.setCurrentIndex(
            max(0, self.override_choice.findData(d.repeat_override))
            if d.repeat_override is not None
            else 0
        )
        self.override_reason.setText(d.repeat_override_reason)
        self.override_message.clear_message()

    @staticmethod
    def _clear_layout(layout: Any) -> None:
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
            elif item.layout() is not None:
                ReferralDetailView._clear_layout(item.layout())

    def _previous_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        referral_id = item.data(0, Qt.ItemDataRole.UserRole)
        if referral_id is None and item.parent() is not None:
            referral_id = item.parent().data(0, Qt.ItemDataRole.UserRole)
        if referral_id is not None:
            self.open_requested.emit(int(referral_id))

    # ----- risk assessments ------------------------------------------------------------------

    def _show_assessments(self, d: ReferralDetail) -> None:
        """The referral's assessments and next review (a few rows by index: read here, like the
        rest of the page)."""
        today = date.today()
        try:
            found = risk.list_assessments(self._ctx.opened.store, d.id, today=today)
        except Exception as exc:
            self.assessments_box.show_assessments((), today, live=True)
            self.assessments_box.show_error(
                self.tr("The risk assessments could not be read: {error}").format(
                    error=safe_error(exc)
                )
            )
            return
        self.assessments_box.show_assessments(
            found, today, live=d.status in risk.LIVE_REFERRAL_STATUSES, status=d.status
        )
        self.body.fit_height()

    def new_assessment(self) -> None:
        """Start a risk assessment of this referral (Ctrl+Shift+A)."""
        d = self.detail
        if d is None or self.assessment_dialog is not None or self._ctx.opened.store.closed:
            return
        try:
            setup = risk.assessment_setup(self._ctx.opened.store, d.id)
        except Exception as exc:
            self.notice.show_error(
                self.tr("A risk assessment cannot be started: {error}").format(
                    error=safe_error(exc)
                )
            )
            return
        if not setup.forms:
            self.notice.show_error(
                self.tr(
                    "No risk form is installed for a {kind} panel: a partnership form can be "
                    "added with 'marac-desk forms add'."
                ).format(kind=setup.panel_type.replace("_", " "))
            )
            return
        self._open_assessment_dialog(AssessmentDialog(self._ctx, self, setup=setup))

    def open_assessment(self, assessment_id: int) -> None:
        """An earlier assessment, read-only, on the form version it was answered on."""
        d = self.detail
        if d is None or self.assessment_dialog is not None or self._ctx.opened.store.closed:
            return
        try:
            found = risk.get_assessment(self._ctx.opened.store, assessment_id)
        except Exception as exc:
            self.assessments_box.show_error(
                self.tr("The assessment could not be read: {error}").format(error=safe_error(exc))
            )
            return
        self._open_assessment_dialog(
            AssessmentDialog(self._ctx, self, detail=found, case_ref=d.case_ref)
        )

    def _open_assessment_dialog(self, dialog: AssessmentDialog) -> None:
        self.assessment_dialog = dialog
        dialog.saved.connect(self._assessment_saved)

        def finished(_code: int) -> None:
            if self.assessment_dialog is dialog:
                self.assessment_dialog = None
            dialog.deleteLater()
            if self.detail is not None:
                self.assessments_box.focus_list()

        dialog.finished.connect(finished)
        dialog.open()

    def _assessment_saved(self, saved: AssessmentSummary) -> None:
        if self.detail is None:
            return
        text = self.tr("Risk assessment saved: score {score}, {level}.").format(
            score="—" if saved.score is None else saved.score,
            level=saved.effective_band_label or saved.band_label,
        )
        if saved.review_due is not None:
            text += " " + self.tr("Review due {day}.").format(day=long_date(saved.review_due))
        self.load(self.detail.id, notice=text, remember=False)
        self.changed.emit()
        self.action_done.emit(True, text)

    # ----- changes ---------------------------------------------------------------------------

    def _run(
        self,
        title: str,
        work: Callable[[], object],
        done: MessageLabel,
        ok_text: str,
        on_rejected: Callable[[ReferralRejected], None],
    ) -> None:
        if self._busy or self.detail is None:
            return
        self._busy = True
        referral_id = self.detail.id
        done.show_note(self.tr("Saving…"))

        def succeeded(_result: object) -> None:
            self._busy = False
            self.load(referral_id, remember=False)
            done.show_ok(ok_text)
            self.changed.emit()
            self.action_done.emit(True, ok_text)

        def failed(exc: BaseException) -> None:
            self._busy = False
            if isinstance(exc, ReferralRejected):
                on_rejected(exc)
                text = self.tr("Not saved: see the marked fields.")
            else:
                text = self.tr("Not saved: {error}").format(error=safe_error(exc))
            done.show_error(text)
            self.action_done.emit(False, text)

        self._ctx.runner.run(
            title, lambda _t: work(), on_success=succeeded, on_error=failed, context=self
        )

    def _status_problems(self, problems: Iterable[rules.Problem]) -> None:
        targets = {
            "status": self.status_message,
            "status_reason": self.status_reason_message,
            "status_decided_by": self.status_decided_message,
        }
        for message in targets.values():
            message.clear_message()
        for problem in problems:
            targets.get(problem.field, self.status_message).show_error(problem.message)

    def change_status(self) -> None:
        d = self.detail
        new = self.status_choice.currentData()
        if d is None or new is None:
            return
        reason, who = self.status_reason.text().strip(), self.status_decided_by.text().strip()
        problems = rules.check_transition(d.status, str(new), reason, who)
        self._status_problems(problems)
        if problems:
            self.status_done.show_error(self.tr("Not saved: see the marked fields."))
            self.action_done.emit(False, self.status_done.text())
            return
        store, actor, referral_id = self._ctx.opened.store, self._ctx.opened.actor, d.id
        self._run(
            self.tr("Changing the status"),
            lambda: referrals.set_status(
                store, actor, referral_id, str(new), reason=reason, decided_by=who
            ),
            self.status_done,
            self.tr("Status changed to {status}.").format(status=status_label(str(new))),
            lambda exc: self._status_problems(exc.problems),
        )

    def apply_override(self) -> None:
        d = self.detail
        if d is None:
            return
        value = self.override_choice.currentData()
        reason = self.override_reason.text().strip()
        self.override_message.clear_message()
        if value is not None and not reason:
            self.override_message.show_error(self.tr("Say why you override the repeat flag."))
            self.override_done.show_error(self.tr("Not saved: see the marked fields."))
            self.action_done.emit(False, self.override_done.text())
            return
        store, actor, referral_id = self._ctx.opened.store, self._ctx.opened.actor, d.id

        def rejected(exc: ReferralRejected) -> None:
            self.override_message.show_error("\n".join(p.message for p in exc.problems))

        self._run(
            self.tr("Setting the repeat flag"),
            lambda: referrals.override_repeat(store, actor, referral_id, value, reason),
            self.override_done,
            self.tr("Repeat flag saved."),
            rejected,
        )

    def relink_victim(self) -> None:
        if self.detail is not None:
            self._open_relink("victim", self.tr("the victim"), self.detail.victim)

    def relink_perpetrator(self, person: PersonOnReferral, n: int) -> None:
        self._open_relink("perpetrator", self.tr("perpetrator {n}").format(n=n), person)

    def _open_relink(self, role: str, who: str, person: PersonOnReferral) -> None:
        if self.relink_dialog is not None or self.detail is None:
            return
        dialog = RelinkDialog(self._ctx, who, person, self)
        self.relink_dialog = dialog
        referral_id = self.detail.id
        store, actor = self._ctx.opened.store, self._ctx.opened.actor

        def finished(code: int) -> None:
            self.relink_dialog = None
            dialog.deleteLater()
            if code != QDialog.DialogCode.Accepted or dialog.chosen_id is None:
                return
            chosen = dialog.chosen_id
            self._run(
                self.tr("Linking to another person"),
                lambda: referrals.relink_person(
                    store, actor, referral_id, role=role, row_id=person.row_id, person_id=chosen
                ),
                self.notice,
                self.tr(
                    "{who} is now linked to person #{id}; repeat flags worked out again."
                ).format(who=who[:1].upper() + who[1:], id=chosen),
                lambda exc: None,
            )

        dialog.finished.connect(finished)
        dialog.open()
