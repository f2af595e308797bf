"""One case in the live meeting: who referred it and why (a repeat with its previous referrals
and their actions), what each agency shared (fact kept apart from opinion), the victim's voice,
the risks identified, the actions agreed, the outcome, and the case's timer.

Everything typed is saved as it is typed (ui.autosave): the agency notes, the victim's voice,
the four risk fields and the action being typed — an action becomes real as soon as it has an
owner agency and some text, and later keystrokes edit it; Enter finishes it and starts the next.
"""

from __future__ import annotations

import time as clock_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core.vocab import OPEN_ACTION_STATUSES
from marac_desk.services import actions, meetings, referrals, risk
from marac_desk.services.actions import ActionInput, ActionRejected, ActionRow
from marac_desk.services.meetings import CaseSheet, MeetingRow, NoteRow
from marac_desk.services.referrals import ReferralDetail
from marac_desk.services.session import OpenStore
from marac_desk.ui import live_common
from marac_desk.ui.autosave import Autosaver, SaveHub
from marac_desk.ui.live_common import (
    NO_MODIFIER,
    Field,
    KeyFilter,
    LivePage,
    agency_combo,
    combo_value,
    ltr,
    on_enter,
    page_shortcut,
    reset_type_ahead,
    set_combo_value,
    text_area,
)
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import (
    CRITERIA_LABELS,
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
    named,
    safe_error,
)

PERSIST_EVERY_S = 30  # a running case timer is written to the store this often
TICK_MS = 500

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("pending", QT_TRANSLATE_NOOP("CasePage", "Not yet heard")),
    ("heard_closed", QT_TRANSLATE_NOOP("CasePage", "Heard and closed")),
    ("heard_open", QT_TRANSLATE_NOOP("CasePage", "Heard and kept open")),
    ("deferred", QT_TRANSLATE_NOOP("CasePage", "Deferred")),
)
RISK_FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "risks_to_victim",
        QT_TRANSLATE_NOOP("CasePage", "To the victim"),
        QT_TRANSLATE_NOOP("CasePage", "Risk to the victim"),
    ),
    (
        "risks_to_children",
        QT_TRANSLATE_NOOP("CasePage", "To children"),
        QT_TRANSLATE_NOOP("CasePage", "Risk to children"),
    ),
    (
        "risks_to_others",
        QT_TRANSLATE_NOOP("CasePage", "To others (perpetrator's behaviour)"),
        QT_TRANSLATE_NOOP("CasePage", "Risk to others"),
    ),
    (
        "risks_to_professionals",
        QT_TRANSLATE_NOOP("CasePage", "To professionals"),
        QT_TRANSLATE_NOOP("CasePage", "Risk to professionals"),
    ),
)
REPEAT_STYLE = (
    "background: #fde7e9; color: #8b0015; border: 2px solid #b00020; border-radius: 4px;"
    " padding: 3px 8px; font-weight: bold;"
)
NEW_STYLE = (
    "background: #e8f0fe; color: #1a3d7c; border: 1px solid #5b7fc7; border-radius: 4px;"
    " padding: 3px 8px; font-weight: bold;"
)
FACT_STYLE = "QPushButton { font-weight: bold; color: #1a3d7c; padding: 2px 10px; }"
OPINION_STYLE = (
    "QPushButton { font-weight: bold; font-style: italic; color: #6b4500; padding: 2px 10px; }"
)


def clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def kind_text(kind: str) -> str:
    return ltr("FACT") if kind == "fact" else ltr("OPINION")


# ----- the timer ----------------------------------------------------------------------------------


class CaseTimer(QObject):
    """A stopwatch for the case being heard, against its allotted minutes. The time is written
    to the store (meetings.add_elapsed) every half minute while it runs, when it pauses and
    when the case is left."""

    changed = Signal()

    def __init__(
        self, opened: OpenStore, hub: SaveHub, clock: Callable[[], float], parent: QObject
    ) -> None:
        super().__init__(parent)
        self._opened = opened
        self._hub = hub
        self.clock = clock
        self.case_id: int | None = None
        self.allotted_seconds = 0
        self._base = 0.0  # seconds counted before the current run
        self._started: float | None = None
        self._persisted = 0  # what the store holds
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)

    @property
    def running(self) -> bool:
        return self._started is not None

    def load(self, case_id: int, elapsed: int, allotted_minutes: int) -> None:
        self.pause()
        self.case_id = case_id
        self._base = float(elapsed)
        self._persisted = elapsed
        self.allotted_seconds = allotted_minutes * 60
        self.changed.emit()

    def seconds(self) -> float:
        running = self.clock() - self._started if self._started is not None else 0.0
        return self._base + max(0.0, running)

    @property
    def over(self) -> bool:
        return self.seconds() > self.allotted_seconds > 0

    def start(self) -> None:
        if self._started is None and self.case_id is not None:
            self._started = self.clock()
            self._ticker.start()
            self.changed.emit()

    def pause(self) -> None:
        if self._started is not None:
            self._base = self.seconds()
            self._started = None
            self._ticker.stop()
            self.persist()
            self.changed.emit()

    def toggle(self) -> None:
        if self.running:
            self.pause()
        else:
            self.start()

    def persist(self) -> None:
        if self.case_id is None:
            return
        delta = int(self.seconds()) - self._persisted
        if delta <= 0:
            return
        try:
            self._persisted = meetings.add_elapsed(self._opened.store, self.case_id, delta)
        except Exception as exc:
            self._hub.note_error(self, safe_error(exc))
            return
        self._hub.note_error(self, "")

    def _tick(self) -> None:
        if self.running and self.seconds() - self._persisted >= PERSIST_EVERY_S:
            self.persist()
        self.changed.emit()


# ----- agency notes -------------------------------------------------------------------------------


class KindButton(QPushButton):
    """Fact or opinion, shown in words (and style): Space or a click switches."""

    kind_changed = Signal(str)

    def __init__(self, parent: QWidget, kind: str, who: str) -> None:
        super().__init__(parent)
        self._who = who
        self.kind = ""
        self.set_kind(kind)
        self.clicked.connect(lambda: self.set_kind("opinion" if self.kind == "fact" else "fact"))
        KeyFilter(
            self,
            {
                (Qt.Key.Key_F, NO_MODIFIER): lambda: self.set_kind("fact"),
                (Qt.Key.Key_O, NO_MODIFIER): lambda: self.set_kind("opinion"),
            },
        ).install(self)

    def set_kind(self, kind: str) -> None:
        if kind == self.kind:
            return
        self.kind = kind
        self.setText(kind_text(kind))
        self.setStyleSheet(FACT_STYLE if kind == "fact" else OPINION_STYLE)
        named(
            self,
            ltr("{who}: fact or opinion, now {kind}").format(who=self._who, kind=kind_text(kind)),
            ltr("Space switches; F fact, O opinion"),
        )
        self.kind_changed.emit(kind)


class NoteEditor(QFrame):
    """One agency's note: the agency, fact or opinion, and the text (saved as typed)."""

    delete_requested = Signal(object)

    def __init__(self, page: CasePage, note: NoteRow) -> None:
        super().__init__(page.notes_box)
        self.page = page
        self.note_id = note.id
        self.agency = note.agency
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("note")
        self.setStyleSheet("QFrame#note { background: #fafbfc; border: 1px solid #d5d9de; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.agency_label = QLabel(note.agency, self)
        self.agency_label.setStyleSheet("font-weight: bold;")
        top.addWidget(self.agency_label)
        self.kind = KindButton(self, note.kind, ltr("{agency} note").format(agency=note.agency))
        top.addWidget(self.kind)
        top.addStretch(1)
        self.delete_button = QPushButton(ltr("Delete note"), self)
        self.delete_button.setFlat(True)
        named(self.delete_button, ltr("Delete the {agency} note").format(agency=note.agency))
        self.delete_button.clicked.connect(lambda: self.delete_requested.emit(self))
        top.addWidget(self.delete_button)
        layout.addLayout(top)
        self.text = text_area(
            self, ltr("{agency} note text").format(agency=note.agency), 3, fixed=True
        )
        self.text.setPlainText(note.text)
        layout.addWidget(self.text)
        self.saver = Autosaver(page.hub, self._save, self).watch(self.text)
        self.kind.kind_changed.connect(self._kind_changed)

    def _save(self) -> None:
        page = self.page
        meetings.save_note(
            page.opened.store, page.opened.actor, self.note_id, text=self.text.toPlainText()
        )

    def _kind_changed(self, kind: str) -> None:
        page = self.page
        try:
            meetings.save_note(page.opened.store, page.opened.actor, self.note_id, kind=kind)
        except Exception as exc:
            page.hub.note_error(self.kind, safe_error(exc))
            return
        page.hub.note_error(self.kind, "")
        page.hub.note_saved()


class _NotesScroll(QScrollArea):
    """The notes scroll inside their column: they take the room the page has, never push the
    actions below the fold."""

    def sizeHint(self) -> QSize:
        return QSize(320, 170)


# ----- the page -----------------------------------------------------------------------------------


@dataclass
class _Parked:
    """An action half typed (no owner yet) when the coordinator moved to another case."""

    owner: str
    person: str
    text: str
    risk: str
    category: str
    due: str


class CasePage(LivePage):
    outcome_changed = Signal(int, str)  # case id, outcome
    actions_changed = Signal()

    def __init__(
        self,
        opened: OpenStore,
        hub: SaveHub,
        meeting: MeetingRow,
        clock: Callable[[], float] = clock_module.monotonic,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.opened = opened
        self.hub = hub
        self.meeting = meeting
        self.title = self.tr("Case")
        self.case_id: int | None = None
        self.sheet: CaseSheet | None = None
        self.detail: ReferralDetail | None = None
        self.note_editors: list[NoteEditor] = []
        self.action_rows: list[ActionRow] = []
        self.draft_id: int | None = None
        self.draft_is_new = False
        self.original: ActionInput | None = None
        self._parked: dict[int, _Parked] = {}
        self._saved_outcome: tuple[str, str] = ("pending", "")
        self._timer_colour = ""
        store = opened.store
        self.agencies = referrals.agency_names(store)
        self.default_due: date = actions.default_due_date(store, meeting.meeting_date)
        named(self, self.tr("Case"))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_top())
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self.body_scroll)
        self.body_scroll.setWidget(body)
        outer.addWidget(self.body_scroll, 1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 6, 16, 8)
        layout.setSpacing(6)
        layout.addWidget(self._build_previous(body))
        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addWidget(self._build_notes(body), 1)
        columns.addWidget(self._build_voice_and_risks(body), 1)
        layout.addLayout(columns, 1)
        layout.addWidget(self._build_actions(body))
        layout.addWidget(self._build_outcome(body))

        self.timer = CaseTimer(opened, hub, clock, self)
        self.timer.changed.connect(self._show_timer)
        self.timer_button.clicked.connect(self.timer.toggle)
        self._show_timer()

        for keys, slot in (
            ("Ctrl+T", self.timer.toggle),
            ("Alt+N", self.focus_new_note),
            ("Alt+F", lambda: self.set_note_kind("fact")),
            ("Alt+O", lambda: self.set_note_kind("opinion")),
            ("Alt+V", lambda: self.focus(self.voice)),
            ("Alt+R", lambda: self.focus(self.risk_edits["risks_to_victim"])),
            ("Alt+A", lambda: self.focus(self.owner)),
            ("Alt+L", lambda: self.focus(self.actions_table)),
            ("Alt+U", self.focus_outcome),
        ):
            page_shortcut(self, keys, slot)

    # ----- building --------------------------------------------------------------------------

    def _build_top(self) -> QWidget:
        top = QFrame(self)
        top.setObjectName("caseTop")
        top.setStyleSheet(
            "QFrame#caseTop { background: #f3f5f8; border-bottom: 1px solid #c8ccd2; }"
        )
        layout = QHBoxLayout(top)
        layout.setContentsMargins(16, 8, 16, 8)
        left = QVBoxLayout()
        left.setSpacing(3)
        first = QHBoxLayout()
        self.case_title = QLabel(top)
        font = self.case_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.case_title.setFont(font)
        self.case_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        first.addWidget(self.case_title)
        self.badge = QLabel(top)
        first.addWidget(self.badge)
        self.ongoing_badge = QLabel(self.tr("ONGOING — kept open from an earlier meeting"), top)
        self.ongoing_badge.setStyleSheet(NEW_STYLE)
        first.addWidget(self.ongoing_badge)
        first.addStretch(1)
        left.addLayout(first)
        self.summary = QLabel(top)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named(self.summary, self.tr("Referral summary"))
        left.addWidget(self.summary)
        self.research = QLabel(top)
        self.research.setWordWrap(True)
        self.research.setStyleSheet(f"color: {MUTED_COLOUR};")
        named(self.research, self.tr("Research returns"))
        left.addWidget(self.research)
        layout.addLayout(left, 1)

        box = QVBoxLayout()
        box.setSpacing(2)
        self.timer_label = QLabel(top)
        timer_font = QFont(self.timer_label.font())
        timer_font.setPointSizeF(timer_font.pointSizeF() * 1.5)
        timer_font.setBold(True)
        self.timer_label.setFont(timer_font)
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        named(self.timer_label, self.tr("Case timer"))
        self.timer_state = QLabel(top)
        self.timer_state.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.timer_button = QPushButton(top)
        box.addWidget(self.timer_label)
        box.addWidget(self.timer_state)
        box.addWidget(self.timer_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(box)
        return top

    def _build_previous(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Previous referrals and their actions"), parent)
        named(group, self.tr("Previous referrals and their actions"))
        layout = QVBoxLayout(group)
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
        self.previous.setRootIsDecorated(True)
        header = self.previous.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        named(self.previous, self.tr("Previous referrals of this victim and their actions"))
        layout.addWidget(self.previous)
        self.previous_group = group
        return group

    def _build_notes(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("What agencies shared (Alt+N adds a note)"), parent)
        named(group, self.tr("Agency notes"))
        layout = QVBoxLayout(group)
        layout.setSpacing(6)
        row = QHBoxLayout()
        self.note_agency = agency_combo(
            group, self.agencies, self.tr("New note: agency"), self.tr("Agency…")
        )
        self.note_kind = KindButton(group, "fact", self.tr("New note"))
        self.add_note_button = QPushButton(self.tr("Add note (Enter)"), group)
        named(self.add_note_button, self.tr("Add the note"))
        self.add_note_button.clicked.connect(self.add_note)
        row.addWidget(self.note_agency, 1)
        row.addWidget(self.note_kind)
        row.addWidget(self.add_note_button)
        layout.addLayout(row)
        self.note_message = MessageLabel(group, name=self.tr("New note: problem"))
        layout.addWidget(self.note_message)
        legend = QLabel(
            self.tr(
                "FACT: what the agency's records show · OPINION: a professional view. "
                "Alt+F / Alt+O mark the note you are typing."
            ),
            group,
        )
        legend.setWordWrap(True)
        legend.setStyleSheet(f"color: {MUTED_COLOUR};")
        layout.addWidget(legend)

        self.notes_scroll = _NotesScroll(group)
        self.notes_scroll.setWidgetResizable(True)
        self.notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.notes_scroll.setMinimumHeight(150)
        self.notes_box = QWidget(self.notes_scroll)
        self.notes_layout = QVBoxLayout(self.notes_box)
        self.notes_layout.setContentsMargins(0, 0, 4, 0)
        self.notes_layout.setSpacing(6)
        self.no_notes = QLabel(self.tr("No agency has shared anything yet."), self.notes_box)
        self.no_notes.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.notes_layout.addWidget(self.no_notes)
        self.notes_layout.addStretch(1)
        self.notes_scroll.setWidget(self.notes_box)
        layout.addWidget(self.notes_scroll, 1)
        on_enter(self, self.add_note, self.note_agency, self.note_kind)
        return group

    def _build_voice_and_risks(self, parent: QWidget) -> QWidget:
        column = QWidget(parent)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        voice_group = QGroupBox(self.tr("The victim's voice, from the IDVA (Alt+V)"), column)
        named(voice_group, self.tr("The victim's voice"))
        voice_layout = QVBoxLayout(voice_group)
        voice_layout.setContentsMargins(8, 4, 8, 6)
        self.voice = text_area(voice_group, self.tr("The victim's voice"), 3, fixed=True)
        voice_layout.addWidget(self.voice)
        layout.addWidget(voice_group)

        risks_group = QGroupBox(self.tr("Risks identified (Alt+R)"), column)
        named(risks_group, self.tr("Risks identified"))
        grid = QGridLayout(risks_group)
        grid.setContentsMargins(8, 4, 8, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.risk_edits: dict[str, QPlainTextEdit] = {}
        for i, (field, caption, name) in enumerate(RISK_FIELDS):
            edit = text_area(risks_group, self.tr(name), 3, fixed=True)
            self.risk_edits[field] = edit
            grid.addWidget(Field(risks_group, self.tr(caption), edit, stretch=True), i // 2, i % 2)
        layout.addWidget(risks_group)
        layout.addStretch(1)

        self.text_savers: dict[str, Autosaver] = {}
        for field, edit in [("victim_voice", self.voice), *self.risk_edits.items()]:
            saver = Autosaver(self.hub, partial(self._save_text, field, edit), self)
            self.text_savers[field] = saver.watch(edit)
        return column

    def _build_actions(self, parent: QWidget) -> QGroupBox:  # noqa: PLR0915 - one row of fields
        group = QGroupBox(
            self.tr("Actions (Alt+A: owner first; Enter saves and starts the next)"), parent
        )
        named(group, self.tr("Actions"))
        layout = QVBoxLayout(group)
        self.owner = agency_combo(group, self.agencies, self.tr("Action: owner agency"), "")
        self.owner.setItemText(0, self.tr("Owner…"))
        self.person = QLineEdit(group)
        self.person.setMaxLength(120)
        named(self.person, self.tr("Action: named person"))
        self.action_text = QLineEdit(group)
        self.action_text.setMaxLength(1000)
        self.action_text.setPlaceholderText(self.tr("what the agency will do"))
        named(self.action_text, self.tr("Action: what will be done"))
        self.linked_risk = QComboBox(group)
        self.linked_risk.setEditable(True)
        self.linked_risk.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        named(self.linked_risk, self.tr("Action: linked risk"), self.tr("Choose or type the risk"))
        self.category = QComboBox(group)
        for code, words in actions.CATEGORY_LABELS.items():
            self.category.addItem(self.tr(words), code)
        set_combo_value(self.category, "other")
        named(self.category, self.tr("Action: category"))
        self.due = DateField(group, self.tr("Action: due date"))
        self.due.set_date(self.default_due)
        self.action_button = QPushButton(self.tr("Add (Enter)"), group)
        named(self.action_button, self.tr("Save the action and start the next"))
        self.action_button.clicked.connect(self.submit_action)
        self.cancel_action_button = QPushButton(self.tr("Cancel (Esc)"), group)
        named(self.cancel_action_button, self.tr("Cancel the action being typed"))
        self.cancel_action_button.clicked.connect(self.cancel_action)

        self.f_owner = Field(group, self.tr("Owner agency"), self.owner)
        self.f_person = Field(group, self.tr("Named person"), self.person)
        self.f_text = Field(group, self.tr("Action"), self.action_text)
        self.f_risk = Field(group, self.tr("Linked risk"), self.linked_risk)
        self.f_category = Field(group, self.tr("Category"), self.category)
        self.f_due = Field(group, self.tr("Due"), self.due)
        entry = QHBoxLayout()
        entry.setSpacing(8)
        for field, stretch in (
            (self.f_owner, 2),
            (self.f_person, 2),
            (self.f_text, 6),
            (self.f_risk, 3),
            (self.f_category, 2),
            (self.f_due, 1),
        ):
            entry.addWidget(field, stretch)
        buttons = QVBoxLayout()
        buttons.addSpacing(self.f_owner.caption.sizeHint().height())
        pair = QHBoxLayout()
        pair.addWidget(self.action_button)
        pair.addWidget(self.cancel_action_button)
        buttons.addLayout(pair)
        buttons.addStretch(1)
        entry.addLayout(buttons)
        layout.addLayout(entry)
        self.action_message = MessageLabel(group, name=self.tr("Action: message"))
        layout.addWidget(self.action_message)

        self.actions_table = QTableWidget(0, 7, group)
        self.actions_table.setHorizontalHeaderLabels(
            [
                self.tr("Owner"),
                self.tr("Named person"),
                self.tr("Action"),
                self.tr("Linked risk"),
                self.tr("Category"),
                self.tr("Due"),
                self.tr("Status"),
            ]
        )
        table = self.actions_table
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        for column in (0, 1, 4, 5, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(3, 220)
        named(
            table,
            self.tr("Actions agreed for this case"),
            self.tr("Enter edits the chosen action, Delete removes it"),
        )
        layout.addWidget(table)

        entry_widgets = (
            self.owner,
            self.person,
            self.action_text,
            self.linked_risk,
            self.category,
            self.due,
        )
        on_enter(self, self.submit_action, *entry_widgets)
        KeyFilter(self, {(Qt.Key.Key_Escape, NO_MODIFIER): self.cancel_action}).install(
            *entry_widgets
        )
        KeyFilter(
            self,
            {
                (Qt.Key.Key_Return, NO_MODIFIER): self.edit_selected_action,
                (Qt.Key.Key_Enter, NO_MODIFIER): self.edit_selected_action,
                (Qt.Key.Key_F2, NO_MODIFIER): self.edit_selected_action,
                (Qt.Key.Key_Delete, NO_MODIFIER): self.delete_selected_action,
            },
        ).install(table)
        self.action_saver = Autosaver(self.hub, self._save_draft, self).watch(*entry_widgets)
        return group

    def _build_outcome(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Outcome (Alt+U, then 1 to 4)"), parent)
        named(group, self.tr("Outcome"))
        layout = QHBoxLayout(group)
        self.outcome_group = QButtonGroup(group)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        digits = {}
        for n, (code, words) in enumerate(OUTCOMES, start=1):
            button = QRadioButton(f"{n}  {self.tr(words)}", group)
            named(button, self.tr("Outcome: {words}").format(words=self.tr(words)))
            self.outcome_group.addButton(button, n)
            self.outcome_buttons[code] = button
            button.toggled.connect(partial(self._outcome_toggled, code))
            layout.addWidget(button)
            digits[(Qt.Key(Qt.Key.Key_0 + n), NO_MODIFIER)] = lambda c=code: self.outcome_buttons[
                c
            ].setChecked(True)
        self.reason = QLineEdit(group)
        self.reason.setMaxLength(500)
        self.reason.setPlaceholderText(self.tr("why it is deferred"))
        named(self.reason, self.tr("Reason for deferring"))
        self.f_reason = Field(group, self.tr("Reason for deferring"), self.reason)
        layout.addWidget(self.f_reason, 1)
        KeyFilter(self, digits).install(*self.outcome_buttons.values())
        self.reason_saver = Autosaver(self.hub, self._save_outcome, self).watch(self.reason)
        on_enter(self, self.reason_saver.flush, self.reason)
        return group

    # ----- the page --------------------------------------------------------------------------

    def hints(self) -> str:
        return self.tr(
            "Ctrl+T timer · Alt+N note (agency, F/O, Enter) · "
            "Alt+F/Alt+O fact/opinion · Alt+V victim's voice · Alt+R risks · "
            "Alt+A action (Enter saves, Esc cancels) · Alt+L actions list (Enter edits, "
            "Delete removes) · Alt+U outcome 1–4"
        )

    def focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.notes_box.isAncestorOf(widget):
            self.notes_scroll.ensureWidgetVisible(widget, 10, 10)
            widget = self.notes_scroll
        self.body_scroll.ensureWidgetVisible(widget, 20, 40)

    def load(self, case_id: int, index: int, total: int) -> None:
        """Show a case (the previous one must have been left: `leave()`)."""
        store = self.opened.store
        self.case_id = case_id
        self.sheet = sheet = meetings.get_case_sheet(store, case_id)
        case = sheet.case
        self.detail = detail = referrals.get_referral(store, case.referral_id)
        self.title = self.tr("Case {n} of {total}: {ref}").format(
            n=index, total=total, ref=case.case_ref
        )
        victim = person_name(detail.victim.first_name, detail.victim.last_name)
        age = age_text(detail.victim.dob, self.meeting.meeting_date)
        self.case_title.setText(
            self.tr("Case {n} of {total} · {ref} · {victim}{age}").format(
                n=index,
                total=total,
                ref=case.case_ref,
                victim=victim,
                age=f", {age}" if age else "",
            )
        )
        named(self.case_title, self.case_title.text())
        self._show_badge(case)
        self.ongoing_badge.setVisible(case.ongoing)
        self.summary.setText(self._summary_text(detail, case))
        self.summary.setAccessibleDescription(self.summary.text())
        research = " · ".join(f"{r.agency} {r.status.replace('_', ' ')}" for r in case.research)
        self.research.setText(self.tr("Research: {list}").format(list=research) if research else "")
        self.research.setVisible(bool(research))
        self._show_previous(detail)

        for field, saver in self.text_savers.items():
            edit = self.voice if field == "victim_voice" else self.risk_edits[field]
            with saver.muted():
                edit.setPlainText(getattr(sheet, field))
        self._show_notes(sheet.agency_notes)
        # The referring agency presents first: its note is the likely first one.
        set_combo_value(self.note_agency, "" if sheet.agency_notes else case.referring_agency)
        reset_type_ahead(self.note_agency)
        self.note_kind.set_kind("fact")
        self.note_message.clear_message()

        self._clear_entry()
        parked = self._parked.pop(case_id, None)
        if parked is not None:
            self._unpark(parked)
        self._refresh_risk_choices()
        self.refresh_actions()

        with self.reason_saver.muted():
            self.outcome_buttons[case.outcome].setChecked(True)
            self.reason.setText(case.outcome_reason)
        self._saved_outcome = (case.outcome, case.outcome_reason.strip())
        self.f_reason.message.clear_message()
        self._show_reason()
        self.timer.load(case_id, case.elapsed_seconds, case.allotted_minutes)
        self.body_scroll.verticalScrollBar().setValue(0)

    def enter(self, focus: bool = True) -> None:
        if focus:
            self.focus(self.note_agency)

    def leave(self) -> None:
        """Save what is waiting, park a half-typed action, stop and write the timer."""
        if self.case_id is None:
            return
        self.timer.pause()
        self.timer.persist()
        for saver in self.text_savers.values():
            saver.flush()
        for editor in self.note_editors:
            editor.saver.flush()
        self.reason_saver.flush()
        self.action_saver.flush()
        if self.draft_id is None and self._entry_has_text():
            self._parked[self.case_id] = _Parked(
                combo_value(self.owner),
                self.person.text(),
                self.action_text.text(),
                self.linked_risk.currentText(),
                combo_value(self.category),
                self.due.text(),
            )
        self._drop_empty_notes()

    def unsaved(self) -> str:
        """Something typed that cannot be saved as it stands ("" when nothing)."""
        if self.draft_id is None and self._entry_has_text():
            return self.tr("An action is half typed: it needs an owner agency and its text.")
        return ""

    # ----- header ----------------------------------------------------------------------------

    def _show_badge(self, case: meetings.AgendaCase) -> None:
        if case.is_repeat:
            when = long_date(case.previous_referral_date) if case.previous_referral_date else ""
            text = (
                self.tr("REPEAT — previous referral {day}").format(day=when)
                if when
                else self.tr("REPEAT")
            )
            self.badge.setStyleSheet(REPEAT_STYLE)
        else:
            text = self.tr("NEW")
            self.badge.setStyleSheet(NEW_STYLE)
        self.badge.setText(text)
        named(self.badge, text)

    def _summary_text(self, detail: ReferralDetail, case: meetings.AgendaCase) -> str:
        parts = [
            self.tr("Referred {day} by {agency}").format(
                day=long_date(detail.referral_date), agency=detail.referring_agency
            )
        ]
        risk_words = risk_text(detail.risk_score, detail.risk_grade)
        if risk_words:
            parts.append(self.tr("risk {risk}").format(risk=risk_words))
        assessments = risk.list_assessments(self.opened.store, detail.id)
        if assessments:
            newest = assessments[-1]
            band = newest.effective_band_label or newest.band_label
            score = (
                f"{newest.score}/{newest.max_score}"
                if newest.score is not None and newest.max_score
                else ""
            )
            parts.append(
                self.tr("assessed {day}: {what}").format(
                    day=long_date(newest.assessed_on),
                    what=" ".join(p for p in (score, band) if p) or newest.form_title,
                )
            )
        criteria = ", ".join(label(CRITERIA_LABELS, c).lower() for c in detail.criteria)
        if criteria:
            parts.append(self.tr("criteria: {list}").format(list=criteria))
        parts.append(self.tr("{n} min allotted").format(n=case.allotted_minutes))
        return " · ".join(parts)

    def _show_previous(self, detail: ReferralDetail) -> None:
        tree = self.previous
        tree.clear()
        self.previous_group.setVisible(bool(detail.previous))
        if not detail.previous:
            return
        bold = QFont()
        bold.setBold(True)
        today = self.meeting.meeting_date
        for p in detail.previous:
            what = p.case_ref + (" — " + ", ".join(p.perpetrators) if p.perpetrators else "")
            if p.id == detail.previous_referral_id:
                what += "  " + self.tr("◀ repeated now")
            item = QTreeWidgetItem([what, long_date(p.referral_date), status_label(p.status), ""])
            item.setFont(0, bold)
            if not p.actions:
                none = QTreeWidgetItem([self.tr("No actions recorded"), "", "", ""])
                none.setForeground(0, QBrush(QColor(MUTED_COLOUR)))
                item.addChild(none)
            for a in p.actions:
                is_open = a.status in OPEN_ACTION_STATUSES
                due = long_date(a.due_date) if a.due_date else self.tr("no due date")
                if is_open and a.due_date is not None and a.due_date < today:
                    due += " " + self.tr("(overdue)")
                child = QTreeWidgetItem(
                    [
                        ("● " if is_open else "") + a.text,
                        due,
                        self.tr(actions.STATUS_LABELS.get(a.status, a.status)),
                        a.owner_agency,
                    ]
                )
                child.setToolTip(0, a.text)
                colour = ERROR_COLOUR if is_open else MUTED_COLOUR
                for column in range(4):
                    child.setForeground(column, QBrush(QColor(colour)))
                item.addChild(child)
            tree.addTopLevelItem(item)
        tree.expandAll()
        tree.doItemsLayout()
        heights: list[int] = []
        for i in range(tree.topLevelItemCount()):
            top = tree.topLevelItem(i)
            if top is None:
                continue
            heights.append(tree.visualItemRect(top).height())
            for c in range(top.childCount()):
                below = top.child(c)
                if below is not None:
                    heights.append(tree.visualItemRect(below).height())
        fallback = tree.fontMetrics().height() + 4
        shown = [h if h > 0 else fallback for h in heights[:5]]
        tree.setFixedHeight(
            sum(shown) + tree.header().sizeHint().height() + 2 * tree.frameWidth() + 4
        )

    # ----- timer -----------------------------------------------------------------------------

    def _show_timer(self) -> None:
        t = self.timer
        seconds = t.seconds()
        allotted = clock_text(t.allotted_seconds)
        if t.over:
            over = clock_text(seconds - t.allotted_seconds)
            text = f"⚠ {clock_text(seconds)} / {allotted}"
            state = self.tr("Over time by {over}").format(over=over)
            colour = WARNING_COLOUR
        else:
            text = f"{clock_text(seconds)} / {allotted}"
            state = self.tr("running") if t.running else self.tr("paused")
            colour = OK_COLOUR if t.running else MUTED_COLOUR
        if t.over:
            state += " · " + (self.tr("running") if t.running else self.tr("paused"))
        self.timer_label.setText(text)
        self.timer_state.setText(state)
        if colour != self._timer_colour:  # restyling twice a second is wasted work
            self._timer_colour = colour
            self.timer_label.setStyleSheet(f"color: {colour};")
            self.timer_state.setStyleSheet(f"color: {colour};")
        self.timer_label.setAccessibleDescription(f"{text} {state}")
        words = self.tr("Pause timer (Ctrl+T)") if t.running else self.tr("Start timer (Ctrl+T)")
        self.timer_button.setText(words)
        named(self.timer_button, words.split(" (")[0])

    # ----- text ------------------------------------------------------------------------------

    def _save_text(self, field: str, edit: QPlainTextEdit) -> None:
        assert self.case_id is not None
        meetings.save_case_text(
            self.opened.store, self.opened.actor, self.case_id, field, edit.toPlainText()
        )
        if field != "victim_voice":
            self._refresh_risk_choices()

    def _refresh_risk_choices(self) -> None:
        """The linked-risk choices: each line typed under the risks, then the four areas."""
        lines: list[str] = []
        for edit in self.risk_edits.values():
            for typed in edit.toPlainText().splitlines():
                line = typed.strip(" -•\t")
                if line and line not in lines:
                    lines.append(line)
        choices = [*lines, *(self.tr(name) for _f, _c, name in RISK_FIELDS)]
        combo = self.linked_risk
        current = combo.currentText()
        with self.action_saver.muted():
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(choices)
            combo.setCurrentIndex(-1)
            combo.setEditText(current)
            combo.blockSignals(False)

    # ----- notes -----------------------------------------------------------------------------

    def _show_notes(self, notes: tuple[NoteRow, ...]) -> None:
        for editor in self.note_editors:
            editor.saver.discard()
            self.hub.forget(editor.saver)
            editor.setParent(None)
            editor.deleteLater()
        self.note_editors = []
        for note in notes:
            self._add_editor(note)
        self.no_notes.setVisible(not self.note_editors)

    def _add_editor(self, note: NoteRow) -> NoteEditor:
        editor = NoteEditor(self, note)
        editor.delete_requested.connect(self.delete_note)
        self.notes_layout.insertWidget(self.notes_layout.count() - 1, editor)
        self.note_editors.append(editor)
        self.no_notes.hide()
        return editor

    def focus_new_note(self) -> None:
        self.focus(self.note_agency)

    def add_note(self) -> None:
        if self.case_id is None:
            return
        agency = combo_value(self.note_agency)
        if not agency:
            self.note_message.show_error(self.tr("Choose the agency that is sharing."))
            self.note_agency.setFocus()
            return
        kind = self.note_kind.kind
        try:
            note_id = meetings.add_note(
                self.opened.store, self.opened.actor, self.case_id, agency, kind
            )
        except Exception as exc:
            self.note_message.show_error(safe_error(exc))
            return
        self.hub.note_saved()
        self.note_message.clear_message()
        editor = self._add_editor(NoteRow(note_id, agency, kind, "", len(self.note_editors) + 1))
        self.note_agency.setCurrentIndex(0)
        reset_type_ahead(self.note_agency)
        self.note_kind.set_kind("fact")
        self.focus(editor.text)

    def _note_with_focus(self) -> NoteEditor | None:
        focused = self.focusWidget()
        for editor in self.note_editors:
            if focused is not None and editor.isAncestorOf(focused):
                return editor
        return None

    def set_note_kind(self, kind: str) -> None:
        editor = self._note_with_focus()
        if editor is not None:
            editor.kind.set_kind(kind)
        else:
            self.note_kind.set_kind(kind)

    def delete_note(self, editor: NoteEditor) -> None:
        if editor.text.toPlainText().strip() and not live_common.confirm(
            self,
            self.tr("Delete this note?"),
            self.tr("Delete the {agency} note and what it says?").format(agency=editor.agency),
        ):
            return
        editor.saver.discard()
        try:
            meetings.delete_note(self.opened.store, self.opened.actor, editor.note_id)
        except Exception as exc:
            self.note_message.show_error(safe_error(exc))
            return
        self.hub.forget(editor.saver)
        self.hub.note_saved()
        self.note_editors.remove(editor)
        editor.setParent(None)
        editor.deleteLater()
        self.no_notes.setVisible(not self.note_editors)
        self.focus(self.note_agency)

    def _drop_empty_notes(self) -> None:
        """A note added and left empty is not kept."""
        for editor in list(self.note_editors):
            if not editor.text.toPlainText().strip() and not editor.saver.dirty:
                try:
                    meetings.delete_note(self.opened.store, self.opened.actor, editor.note_id)
                except Exception as exc:
                    self.hub.note_error(editor, safe_error(exc))
                    continue
                self.hub.forget(editor.saver)
                self.note_editors.remove(editor)
                editor.setParent(None)
                editor.deleteLater()

    # ----- actions ---------------------------------------------------------------------------

    def _entry_has_text(self) -> bool:
        return bool(self.person.text().strip() or self.action_text.text().strip())

    def _read_entry(self) -> tuple[ActionInput, str]:
        """The typed action, and a problem with the due date ("" when it is fine)."""
        due_problem = ""
        due: date | None = None
        if self.due.text().strip():
            parsed = self.due.parsed()
            if parsed.value is None:
                due_problem = parsed.problem or self.tr("That is not a date.")
            due = parsed.value
        inp = ActionInput(
            owner_agency=combo_value(self.owner),
            text=self.action_text.text(),
            owner_person=self.person.text(),
            linked_risk=self.linked_risk.currentText(),
            category=combo_value(self.category) or "other",
            due_date=due,
        )
        return inp, due_problem

    def _entry_fields(self) -> dict[str, Field]:
        return {
            "owner_agency": self.f_owner,
            "text": self.f_text,
            "category": self.f_category,
            "due_date": self.f_due,
        }

    def _show_entry_problems(self, problems: list[tuple[str, str]]) -> QWidget | None:
        fields = self._entry_fields()
        for field in fields.values():
            field.message.clear_message()
        first: QWidget | None = None
        for name, message in problems:
            target = fields.get(name)
            if target is None:
                self.action_message.show_error(message)
                continue
            target.message.show_error(message)
            first = first or target.widget
        return first

    def _save_draft(self) -> None:
        """Saved as typed: the action exists once it has an owner and text; edits follow."""
        if self.case_id is None:
            return
        inp, due_problem = self._read_entry()
        problems = [(p.field, p.message) for p in actions.check_input(inp)]
        if due_problem:
            problems.append(("due_date", due_problem))
        store, actor = self.opened.store, self.opened.actor
        if self.draft_id is None:
            if problems:
                return  # not an action yet: nothing to save
            self.draft_id = actions.add_action(store, actor, self.case_id, inp)
            self.draft_is_new = True
        else:
            if problems:
                self._show_entry_problems(problems)
                raise ValueError(problems[0][1])
            actions.edit_action(store, actor, self.draft_id, inp)
        self._show_entry_problems([])
        self.refresh_actions()

    def submit_action(self) -> None:
        """Enter: the action is saved (if it was not already) and the row is ready for the next."""
        if self.case_id is None:
            return
        inp, due_problem = self._read_entry()
        problems = [(p.field, p.message) for p in actions.check_input(inp)]
        if due_problem:
            problems.append(("due_date", due_problem))
        if problems:
            first = self._show_entry_problems(problems)
            if first is not None:
                first.setFocus()
            return
        self.action_saver.discard()
        store, actor = self.opened.store, self.opened.actor
        try:
            if self.draft_id is None:
                actions.add_action(store, actor, self.case_id, inp)
            else:
                actions.edit_action(store, actor, self.draft_id, inp)
        except ActionRejected as exc:
            first = self._show_entry_problems([(p.field, p.message) for p in exc.problems])
            if first is not None:
                first.setFocus()
            return
        except Exception as exc:
            self.action_message.show_error(safe_error(exc))
            return
        self.hub.note_saved()
        self._clear_entry()
        self.action_message.show_ok(
            self.tr("Saved: {owner} — {text}").format(owner=inp.owner_agency, text=inp.text.strip())
        )
        self.refresh_actions()
        self.actions_changed.emit()
        self.owner.setFocus()

    def cancel_action(self) -> None:
        """Escape: forget what is being typed; an action it created is removed again, an
        action being edited gets its words back."""
        self.action_saver.discard()
        store, actor = self.opened.store, self.opened.actor
        try:
            if self.draft_id is not None and self.draft_is_new:
                actions.delete_action(store, actor, self.draft_id)
            elif self.draft_id is not None and self.original is not None:
                actions.edit_action(store, actor, self.draft_id, self.original)
        except Exception as exc:
            self.action_message.show_error(safe_error(exc))
            return
        self._clear_entry()
        self.refresh_actions()
        self.actions_changed.emit()
        self.owner.setFocus()

    def _clear_entry(self) -> None:
        self.draft_id = None
        self.draft_is_new = False
        self.original = None
        with self.action_saver.muted():
            self.owner.setCurrentIndex(0)
            reset_type_ahead(self.owner)
            reset_type_ahead(self.category)
            self.person.clear()
            self.action_text.clear()
            self.linked_risk.setCurrentIndex(-1)
            self.linked_risk.setEditText("")
            set_combo_value(self.category, "other")
            self.due.set_date(self.default_due)
        self.action_saver.discard()
        self.action_button.setText(self.tr("Add (Enter)"))
        self._show_entry_problems([])
        self.action_message.clear_message()

    def _unpark(self, parked: _Parked) -> None:
        with self.action_saver.muted():
            set_combo_value(self.owner, parked.owner)
            self.person.setText(parked.person)
            self.action_text.setText(parked.text)
            self.linked_risk.setEditText(parked.risk)
            set_combo_value(self.category, parked.category)
            self.due.setText(parked.due)

    def refresh_actions(self) -> None:
        if self.case_id is None:
            return
        self.action_rows = actions.actions_of_case(self.opened.store, self.case_id)
        table = self.actions_table
        table.setRowCount(len(self.action_rows))
        for r, row in enumerate(self.action_rows):
            status = self.tr(actions.STATUS_LABELS.get(row.status, row.status))
            if row.id == self.draft_id:
                status = self.tr("✎ being typed")
            values = [
                row.owner_agency,
                row.owner_person,
                row.text,
                row.linked_risk,
                self.tr(actions.CATEGORY_LABELS.get(row.category, row.category)),
                long_date(row.due_date) if row.due_date else "",
                status,
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                table.setItem(r, c, item)
        line = table.verticalHeader().defaultSectionSize()
        shown = min(max(table.rowCount(), 2), 6)
        header = max(table.horizontalHeader().sizeHint().height(), line)
        table.setFixedHeight(shown * line + header + 2 * table.frameWidth() + 2)

    def _selected_action(self) -> ActionRow | None:
        r = self.actions_table.currentRow()
        return self.action_rows[r] if 0 <= r < len(self.action_rows) else None

    def edit_selected_action(self) -> None:
        row = self._selected_action()
        if row is None:
            return
        if self.draft_id is not None or self._entry_has_text():
            self.submit_action()
            if self.draft_id is not None or self._entry_has_text():
                return  # the row being typed has a problem: it is shown beside its field
        self._clear_entry()
        self.draft_id = row.id
        self.draft_is_new = False
        self.original = ActionInput(
            owner_agency=row.owner_agency,
            text=row.text,
            owner_person=row.owner_person,
            linked_risk=row.linked_risk,
            category=row.category,
            due_date=row.due_date,
        )
        with self.action_saver.muted():
            set_combo_value(self.owner, row.owner_agency)
            self.person.setText(row.owner_person)
            self.action_text.setText(row.text)
            self.linked_risk.setEditText(row.linked_risk)
            set_combo_value(self.category, row.category)
            self.due.set_date(row.due_date)
        self.action_button.setText(self.tr("Done (Enter)"))
        self.refresh_actions()
        self.action_message.show_note(
            self.tr("Editing the {owner} action: changes are saved as you type.").format(
                owner=row.owner_agency
            )
        )
        self.focus(self.action_text)
        self.action_text.deselect()  # a keystroke must not replace the whole action
        self.action_text.end(False)

    def delete_selected_action(self) -> None:
        row = self._selected_action()
        if row is None:
            return
        if not live_common.confirm(
            self,
            self.tr("Delete this action?"),
            self.tr("Delete the {owner} action “{text}”?").format(
                owner=row.owner_agency, text=row.text
            ),
        ):
            return
        try:
            actions.delete_action(self.opened.store, self.opened.actor, row.id)
        except Exception as exc:
            self.action_message.show_error(safe_error(exc))
            return
        self.hub.note_saved()
        if row.id == self.draft_id:
            self._clear_entry()
        at = self.actions_table.currentRow()
        self.refresh_actions()
        self.actions_changed.emit()
        if self.actions_table.rowCount():
            self.actions_table.setCurrentCell(min(at, self.actions_table.rowCount() - 1), 0)
        else:
            self.owner.setFocus()

    # ----- outcome ---------------------------------------------------------------------------

    def focus_outcome(self) -> None:
        checked = self.outcome_group.checkedButton()
        self.focus(checked or self.outcome_buttons["pending"])

    def chosen_outcome(self) -> str:
        for code, button in self.outcome_buttons.items():
            if button.isChecked():
                return code
        return "pending"

    def _show_reason(self) -> None:
        deferred = self.chosen_outcome() == "deferred"
        self.reason.setEnabled(deferred)
        self.f_reason.setVisible(deferred)

    def _outcome_toggled(self, code: str, checked: bool) -> None:
        if checked:
            self._outcome_chosen(code)

    def _outcome_chosen(self, code: str) -> None:
        self._show_reason()
        if self.reason_saver.is_muted:
            return
        self.reason_saver.touch()
        if not self.reason_saver.flush() and code == "deferred":
            self.focus(self.reason)

    def blocking_problem(self) -> str:
        """A decision half made that must be finished before moving on ("" when none)."""
        deferred = self.case_id is not None and self.chosen_outcome() == "deferred"
        if deferred and not self.reason.text().strip():
            message = self.tr("Say why the case is deferred.")
            self.f_reason.message.show_error(message)
            self.focus(self.reason)
            return message
        return ""

    def _save_outcome(self) -> None:
        if self.case_id is None:
            return
        code, reason = self.chosen_outcome(), self.reason.text().strip()
        if code != "deferred":
            reason = ""
        if code == "deferred" and not reason:
            self.f_reason.message.show_error(self.tr("Say why the case is deferred."))
            raise meetings.MeetingError(self.tr("Say why the case is deferred."))
        self.f_reason.message.clear_message()
        if (code, reason) == self._saved_outcome:
            return
        meetings.set_outcome(self.opened.store, self.opened.actor, self.case_id, code, reason)
        self._saved_outcome = (code, reason)
        self.outcome_changed.emit(self.case_id, code)
