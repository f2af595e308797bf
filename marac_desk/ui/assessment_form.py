"""Filling in, and reading back, a risk form: the domestic abuse checklist, the ASB matrix or a
partnership's own. Everything is drawn from the form definition (sections, questions, answer
options and their keys, points, follow-up questions, bands, band floors, thresholds): no
question is written here.

Keyboard first. One question per row; the current row is outlined. On a row the answer keys of
the form (Y, N, D on the checklist; 1-4 for how often on the ASB matrix) answer it and move to the
next question; ↑/↓ move without answering; Enter or Tab goes into the comment, Tab again to the
source of information, Enter in either comes back to the question; Delete clears the answer. An
optional section (the stalking supplement) is a row of its own: Y includes it, N skips it. F8 goes
to the next unanswered question, Ctrl+J to professional judgement, Ctrl+S saves, Esc cancels.
The score, the band and the threshold warning follow every answer.

An old assessment opens read-only on the form version it was answered on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core import risk_forms as rf
from marac_desk.core.risk_forms import Answer, Evaluation, FormDefinition, Question, Section
from marac_desk.services import risk
from marac_desk.services.risk import (
    AssessmentDetail,
    AssessmentInput,
    AssessmentRejected,
    AssessmentSetup,
    AssessmentSummary,
)
from marac_desk.ui.area import AreaContext
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import long_date
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
    tr,
)

CONTEXT = "Assessments"

KIND_LABELS: tuple[tuple[str, str], ...] = (
    ("initial", QT_TRANSLATE_NOOP("Assessments", "Initial assessment")),
    ("review", QT_TRANSLATE_NOOP("Assessments", "Review")),
)

# Offered as the source of information is typed (any text is accepted).
SOURCE_SUGGESTIONS: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("Assessments", "Victim"),
    QT_TRANSLATE_NOOP("Assessments", "Referrer"),
    QT_TRANSLATE_NOOP("Assessments", "Police records"),
    QT_TRANSLATE_NOOP("Assessments", "Agency records"),
    QT_TRANSLATE_NOOP("Assessments", "Another professional"),
    QT_TRANSLATE_NOOP("Assessments", "Family or friends"),
)

CURRENT_ROW_STYLE = (
    "QFrame#assessmentRow { border: 1px solid transparent; border-bottom-color: #dde1e6; }"
    'QFrame#assessmentRow[current="true"] { border: 2px solid #1f6feb; background: #eef4fc; }'
)
ANSWER_BUTTON_STYLE = (
    "QToolButton { border: 1px solid #9aa3ad; border-radius: 3px; padding: 3px 9px;"
    " background: palette(button); }"
    "QToolButton:checked { background: #1f4e79; color: white; border-color: #1f4e79;"
    " font-weight: bold; }"
    'QToolButton:checked[unknown="true"] { background: #5f6b78; border-color: #5f6b78; }'
    "QToolButton:disabled { color: #777777; }"
    "QToolButton:checked:disabled { color: white; }"
)
THRESHOLD_MET_STYLE = (
    "background: #fde7e9; color: #8b0015; border: 2px solid #b00020; border-radius: 4px;"
    " padding: 6px 8px; font-weight: bold;"
)


def kind_label(kind: str) -> str:
    for code, text in KIND_LABELS:
        if code == kind:
            return tr(text, CONTEXT)
    return kind.replace("_", " ").capitalize()


def band_colours(form: FormDefinition | None, band_id: str) -> tuple[str, str]:
    """(text, background) for a band: the lowest green, the highest red, between amber."""
    rank = form.band_rank(band_id) if form is not None else None
    if form is None or rank is None or len(form.bands) < 2:
        return "#333333", "#eceff1"
    if rank == len(form.bands) - 1:
        return "#8b0015", "#fde7e9"
    if rank == 0:
        return OK_COLOUR, "#e8f5e9"
    return "#5c4400", "#fff3cd"


def confirm_discard(parent: QWidget) -> bool:
    """Ask before throwing answers away (patched in tests)."""
    answer = QMessageBox.question(
        parent,
        tr("Discard this assessment?", CONTEXT),
        tr("The risk assessment has not been saved. Discard the answers?", CONTEXT),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def _points_text(form: FormDefinition, question: Question) -> str:
    """'Yes scores 4' or 'Scores: Twice 1, 3 or more times 2…' on a points form."""
    if form.method is not rf.ScoringMethod.POINTS or not question.scored:
        return ""
    scoring = [(form.option_label(o), p) for o, p in question.points if p]
    if not scoring:
        return ""
    if len(scoring) == 1:
        label, points = scoring[0]
        return tr("{answer} scores {n}", CONTEXT).format(answer=label, n=points)
    return tr("Scores: {list}", CONTEXT).format(
        list=", ".join(f"{label} {points}" for label, points in scoring)
    )


# ----- one row per question --------------------------------------------------------------------


class _Row(QFrame):
    """What the question list moves between: a question, or an optional section's switch."""

    step = Signal(object, int)  # (row, -1 | +1): move without answering
    advance = Signal(object)  # (row): answered or decided by key, go to the next
    entered = Signal(object)  # the row or one of its fields has the focus

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentRow")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(CURRENT_ROW_STYLE)
        self.setProperty("current", False)
        self.in_hidden_section = False

    def set_current(self, current: bool) -> None:
        if bool(self.property("current")) == current:
            return
        self.setProperty("current", current)
        self.style().unpolish(self)
        self.style().polish(self)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.entered.emit(self)

    def watch(self, *fields: QWidget) -> None:
        for widget in fields:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            self.entered.emit(self)
        elif (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self.setFocus(Qt.FocusReason.OtherFocusReason)  # Enter in a field: back to the row
            return True
        return False

    def _navigation(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Up:
            self.step.emit(self, -1)
        elif key == Qt.Key.Key_Down:
            self.step.emit(self, 1)
        else:
            return False
        return True


class QuestionRow(_Row):
    """A question with its answer buttons, comment, source and any follow-up questions."""

    changed = Signal(object)  # (row): the answer, a comment or a source changed

    def __init__(  # noqa: PLR0915 - builds the widgets in reading order
        self,
        form: FormDefinition,
        question: Question,
        section: Section,
        parent: QWidget,
        *,
        position: int,
        total: int,
        read_only: bool,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.question = question
        self.section = section
        self.read_only = read_only
        self._answer = ""
        self._keys = {
            o.key.upper(): o.id
            for o in (form.option(i) for i in question.options)
            if o is not None and o.key
        }
        # Numbered within the section; the section is named unless it is the only scored one.
        alone = section.scored and sum(s.scored for s in form.sections) == 1
        where = (
            tr("Question {n} of {total}", CONTEXT)
            if alone
            else tr("{section}, question {n} of {total}", CONTEXT)
        ).format(n=position, total=total, section=section.title)
        self.where = where
        self.setAccessibleName(f"{where}: {question.topic}")

        # Boxes, not a grid: wrapped question text then gets exactly the height it needs.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(4)
        top = QHBoxLayout()
        top.setSpacing(10)
        outer.addLayout(top)
        number = QLabel(str(question.number), self)
        font = number.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        number.setFont(font)
        indent = number.fontMetrics().horizontalAdvance("00") + 4
        number.setFixedWidth(indent)
        number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        top.addWidget(number, 0, Qt.AlignmentFlag.AlignTop)
        indent += top.spacing()

        words = QVBoxLayout()
        words.setSpacing(1)
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setText(question.text)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        topic = QLabel(question.topic, self)
        topic.setTextFormat(Qt.TextFormat.PlainText)
        topic.setStyleSheet(f"color: {MUTED_COLOUR}; font-weight: bold;")
        words.addWidget(topic)
        words.addWidget(self.text)
        points = _points_text(form, question)
        if points:
            worth = QLabel(points, self)
            worth.setTextFormat(Qt.TextFormat.PlainText)
            worth.setStyleSheet(f"color: {MUTED_COLOUR};")
            words.addWidget(worth)
        if question.help:
            self.setToolTip(question.help)
        top.addLayout(words, 1)

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for option_id in question.options:
            option = form.option(option_id)
            if option is None:
                continue
            shown = option.label.replace("&", "&&")
            text = f"{shown} ({option.key})" if option.key else shown
            button = QToolButton(self)
            button.setText(text)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(ANSWER_BUTTON_STYLE)
            button.setProperty("unknown", option.unknown)
            button.setEnabled(not read_only)
            named(button, f"{where}: {option.label}")
            button.clicked.connect(lambda _c=False, o=option_id: self._clicked(o))
            self.group.addButton(button)
            self.buttons[option_id] = button
            buttons.addWidget(button)
        if len(self.buttons) > 3:  # a line of their own under the question
            buttons.insertSpacing(0, indent)
            buttons.addStretch(1)
            outer.addLayout(buttons)
        else:
            top.addLayout(buttons, 0)
            buttons.setAlignment(Qt.AlignmentFlag.AlignTop)

        notes = QHBoxLayout()
        notes.setSpacing(6)
        notes.addSpacing(indent)
        self.comment = QLineEdit(self)
        self.comment.setMaxLength(rf.MAX_ANSWER_TEXT)
        if not read_only:
            self.comment.setPlaceholderText(tr("Comment (Enter or Tab)", CONTEXT))
        named(self.comment, tr("{where}: comment", CONTEXT).format(where=where))
        self.source = QLineEdit(self)
        self.source.setMaxLength(rf.MAX_SOURCE)
        if not read_only:
            self.source.setPlaceholderText(tr("Source of information", CONTEXT))
        named(self.source, tr("{where}: source of information", CONTEXT).format(where=where))
        completer = QCompleter([tr(s, CONTEXT) for s in SOURCE_SUGGESTIONS], self.source)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Inline (no pop-up list): Enter keeps meaning "back to the question".
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.source.setCompleter(completer)
        notes.addWidget(self.comment, 3)
        notes.addWidget(self.source, 1)
        outer.addLayout(notes)

        self.follow_ups: dict[str, tuple[QLabel, QLineEdit]] = {}
        for follow in question.follow_ups:
            label = QLabel(follow.text, self)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            edit = QLineEdit(self)
            edit.setMaxLength(rf.MAX_ANSWER_TEXT)
            edit.setReadOnly(read_only)
            named(edit, f"{where}: {follow.text}", follow.help)
            label.setBuddy(edit)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(label)
            box.addWidget(edit)
            line = QHBoxLayout()
            line.addSpacing(indent)
            line.addLayout(box, 1)
            outer.addLayout(line)
            label.hide()
            edit.hide()
            self.follow_ups[follow.id] = (label, edit)
            edit.textEdited.connect(lambda _t: self.changed.emit(self))
            self.watch(edit)

        for edit in (self.comment, self.source):
            edit.setReadOnly(read_only)
            edit.textEdited.connect(lambda _t: self.changed.emit(self))
        self.watch(self.comment, self.source)
        self._describe()
        self.show_notes()

    # ----- the answer ----------------------------------------------------------------------

    @property
    def answer(self) -> str:
        return self._answer

    def set_answer(self, option_id: str) -> None:
        if option_id and option_id not in self.buttons:
            return
        self._answer = option_id
        if option_id:
            self.buttons[option_id].setChecked(True)
        else:
            self.group.setExclusive(False)
            for button in self.buttons.values():
                button.setChecked(False)
            self.group.setExclusive(True)
        for follow in self.question.follow_ups:
            label, edit = self.follow_ups[follow.id]
            asked = option_id in follow.when and (not self.read_only or bool(edit.text()))
            label.setVisible(asked)
            edit.setVisible(asked)
        self._describe()

    def _clicked(self, option_id: str) -> None:
        if self.read_only:
            return
        self.set_answer(option_id)
        self.setFocus()
        self.changed.emit(self)

    def choose(self, option_id: str) -> None:
        """Answer as a key press does: the answer, then on to the next question."""
        self.set_answer(option_id)
        self.changed.emit(self)
        self.advance.emit(self)

    def _describe(self) -> None:
        answer = (
            self.form.option_label(self._answer) if self._answer else tr("not answered", CONTEXT)
        )
        keys = ", ".join(f"{k} {self.form.option_label(o)}" for k, o in self._keys.items())
        self.setAccessibleDescription(
            tr("{text} Answer: {answer}. Keys: {keys}; Enter for the comment.", CONTEXT).format(
                text=self.question.text, answer=answer, keys=keys
            )
        )

    def set_current(self, current: bool) -> None:
        super().set_current(current)
        self.show_notes()

    def show_notes(self) -> None:
        """The comment and source show on the current row and on rows that have them, so the
        list stays short enough to read down."""
        visible = self.has_notes() or (bool(self.property("current")) and not self.read_only)
        self.comment.setVisible(visible)
        self.source.setVisible(visible)

    def has_notes(self) -> bool:
        return bool(self.comment.text().strip() or self.source.text().strip())

    def to_answer(self) -> Answer | None:
        if not self._answer:
            return None
        follow_ups = tuple(
            (follow.id, self.follow_ups[follow.id][1].text().strip())
            for follow in self.question.follow_ups
            if self._answer in follow.when and self.follow_ups[follow.id][1].text().strip()
        )
        return Answer(
            self._answer,
            self.comment.text().strip(),
            self.source.text().strip(),
            follow_ups,
        )

    def show_answer(self, row: rf.AnswerRow) -> None:
        by_text = {f.text: f.id for f in self.question.follow_ups}
        for text, value in row.follow_ups:
            fid = by_text.get(text, text)
            if fid in self.follow_ups:
                self.follow_ups[fid][1].setText(value)
        self.comment.setText(row.comment)
        self.source.setText(row.source)
        self.set_answer(row.answer)
        self.show_notes()

    # ----- keys ----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        # Ctrl+S and friends are shortcuts; a key a field did not want (Enter in the comment,
        # which has already brought the focus back here) is not an answer.
        if modifiers & ~Qt.KeyboardModifier.ShiftModifier or not self.hasFocus():
            super().keyPressEvent(event)
            return
        key = event.key()
        option = self._keys.get(event.text().upper()) if event.text() else None
        if option is not None and not self.read_only:
            self.choose(option)
        elif self._navigation(event):
            pass
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.comment.setFocus()
            self.comment.end(False)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not self.read_only:
            self.set_answer("")
            self.changed.emit(self)
        else:
            super().keyPressEvent(event)
            return
        event.accept()


class SectionSwitch(_Row):
    """An optional section (the stalking supplement): Y includes it, N skips it."""

    toggled = Signal(object)  # (switch) included or not

    def __init__(self, section: Section, parent: QWidget, *, read_only: bool) -> None:
        super().__init__(parent)
        self.section = section
        self.read_only = read_only
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.box = QCheckBox(
            tr("Include the {section} — Y includes it, N skips it", CONTEXT).format(
                section=section.title
            ),
            self,
        )
        self.box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.box.setEnabled(not read_only)
        named(self.box, tr("Include the {section}", CONTEXT).format(section=section.title))
        self.box.toggled.connect(self._toggled)
        self.box.clicked.connect(lambda _c=False: self.setFocus())
        layout.addWidget(self.box)
        if section.help:
            note = QLabel(section.help, self)
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setWordWrap(True)
            note.setStyleSheet(f"color: {MUTED_COLOUR};")
            layout.addWidget(note)
        self.setAccessibleName(section.title)
        self._describe()

    @property
    def included(self) -> bool:
        return self.box.isChecked()

    def _toggled(self, _on: bool) -> None:
        self._describe()
        self.toggled.emit(self)

    def _describe(self) -> None:
        state = tr("included", CONTEXT) if self.included else tr("not included", CONTEXT)
        self.setAccessibleDescription(
            tr("Optional, {state}. Y includes it, N skips it.", CONTEXT).format(state=state)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.hasFocus() or event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        ):
            super().keyPressEvent(event)
            return
        text = event.text().upper()
        if self.read_only and text in ("Y", "N", " "):
            event.accept()
            return
        if text in ("Y", " "):
            self.box.setChecked(True)
            self.advance.emit(self)
        elif text == "N":
            self.box.setChecked(False)
            self.advance.emit(self)
        elif not self._navigation(event):
            super().keyPressEvent(event)
            return
        event.accept()


# ----- the question list -----------------------------------------------------------------------


class QuestionList(ScrollBody):
    """Every section and question of a form, drawn from its definition, in form order."""

    changed = Signal()  # an answer, comment or source changed, or a section was switched
    current_changed = Signal(object)  # the row now current
    finished = Signal()  # moved on past the last row

    def __init__(self, form: FormDefinition, parent: QWidget, *, read_only: bool) -> None:
        super().__init__(parent)
        self.form = form
        self.read_only = read_only
        self.rows: list[_Row] = []  # in order: switches and questions
        self.questions: dict[str, QuestionRow] = {}
        self.switches: dict[str, SectionSwitch] = {}
        self.current: _Row | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(2)
        for section in form.sections:
            questions = [q for q in form.questions if q.section_id == section.id]
            title = (
                section.title
                if section.scored
                else tr("{title} (not scored)", CONTEXT).format(title=section.title)
            )
            layout.addSpacing(6)
            caption = heading(title, 2, self)
            caption.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(caption)
            if section.help and not section.optional:
                note = QLabel(section.help, self)
                note.setTextFormat(Qt.TextFormat.PlainText)
                note.setWordWrap(True)
                note.setStyleSheet(f"color: {MUTED_COLOUR};")
                layout.addWidget(note)
            switch: SectionSwitch | None = None
            if section.optional:
                switch = SectionSwitch(section, self, read_only=read_only)
                self.switches[section.id] = switch
                switch.toggled.connect(self._switched)
                self._add(switch, layout)
            for position, question in enumerate(questions, 1):
                row = QuestionRow(
                    form,
                    question,
                    section,
                    self,
                    position=position,
                    total=len(questions),
                    read_only=read_only,
                )
                row.changed.connect(lambda _r: self.changed.emit())
                self.questions[question.id] = row
                self._add(row, layout)
                if switch is not None:
                    row.in_hidden_section = True
                    row.hide()
        layout.addStretch(1)

    def _add(self, row: _Row, layout: QVBoxLayout) -> None:
        self.rows.append(row)
        layout.addWidget(row)
        row.step.connect(self._step)
        row.advance.connect(self._advance)
        row.entered.connect(self._entered)

    # ----- moving --------------------------------------------------------------------------

    def reachable(self) -> list[_Row]:
        return [r for r in self.rows if not r.in_hidden_section]

    def _entered(self, row: _Row) -> None:
        if self.current is row:
            return
        if self.current is not None:
            self.current.set_current(False)
        self.current = row
        row.set_current(True)
        self.current_changed.emit(row)

    def go_to(self, row: _Row) -> None:
        self._entered(row)
        row.setFocus(Qt.FocusReason.OtherFocusReason)

    def _neighbour(self, row: _Row, delta: int) -> _Row | None:
        rows = self.reachable()
        if row not in rows:
            return rows[0] if rows else None
        i = rows.index(row) + delta
        return rows[i] if 0 <= i < len(rows) else None

    def _step(self, row: _Row, delta: int) -> None:
        target = self._neighbour(row, delta)
        if target is not None:
            self.go_to(target)

    def _advance(self, row: _Row) -> None:
        target = self._neighbour(row, 1)
        if target is None:
            self.finished.emit()
        else:
            self.go_to(target)

    def first(self) -> _Row | None:
        rows = self.reachable()
        return rows[0] if rows else None

    def next_unanswered(self) -> QuestionRow | None:
        """The first unanswered question after the current one (wrapping round)."""
        rows = [r for r in self.reachable() if isinstance(r, QuestionRow)]
        start = rows.index(self.current) + 1 if self.current in rows else 0
        for row in rows[start:] + rows[:start]:
            if not row.answer:
                return row
        return None

    def _switched(self, switch: SectionSwitch) -> None:
        for row in self.questions.values():
            if row.section.id == switch.section.id:
                row.in_hidden_section = not switch.included
                row.setVisible(switch.included)
        self.fit_height()
        self.changed.emit()

    # ----- answers -------------------------------------------------------------------------

    def answers(self) -> dict[str, Answer]:
        """The answers to questions of the sections in use (a skipped section gives none)."""
        out: dict[str, Answer] = {}
        for qid, row in self.questions.items():
            if row.in_hidden_section:
                continue
            answer = row.to_answer()
            if answer is not None:
                out[qid] = answer
        return out

    def notes_without_answer(self, *, current_too: bool) -> list[QuestionRow]:
        """Questions with a comment or source but no answer (the current one only when asked:
        a comment may well be written before the answer)."""
        return [
            r
            for r in self.questions.values()
            if not r.in_hidden_section
            and not r.answer
            and r.has_notes()
            and (current_too or r is not self.current)
        ]

    def show_answers(self, rows: Iterable[rf.AnswerRow]) -> None:
        for row in rows:
            question = self.questions.get(row.question_id)
            if question is None:
                continue
            question.show_answer(row)
            switch = self.switches.get(question.section.id)
            if switch is not None and (row.answer or row.comment or row.source):
                switch.box.setChecked(True)


# ----- the score -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What the score panel shows, from live answers or from a recorded assessment."""

    score: int
    max_score: int
    band: str  # the answers' band (score and floors)
    judgement_band: str
    threshold: int | str | None
    threshold_met: bool | None
    answered: int
    to_answer: int
    dont_know: int
    floors: tuple[rf.BandFloor, ...] = ()


class ScorePanel(QWidget):
    """Score, band, threshold and the level that stands; help for the current question."""

    def __init__(self, parent: QWidget) -> None:  # noqa: PLR0915 - builds the widgets in order
        super().__init__(parent)
        self.form: FormDefinition | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        caption = QLabel(self.tr("Score"), self)
        caption.setStyleSheet(f"color: {MUTED_COLOUR}; font-weight: bold;")
        layout.addWidget(caption)
        line = QHBoxLayout()
        self.score = QLabel("0", self)
        font = self.score.font()
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        self.score.setFont(font)
        self.score.setAccessibleName(self.tr("Score"))
        self.out_of = QLabel("", self)
        self.out_of.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.band = QLabel("", self)
        self.band.setAccessibleName(self.tr("Band"))
        band_font = self.band.font()
        band_font.setBold(True)
        band_font.setPointSizeF(band_font.pointSizeF() * 1.2)
        self.band.setFont(band_font)
        line.addWidget(self.score)
        line.addWidget(self.out_of, 0, Qt.AlignmentFlag.AlignBottom)
        line.addStretch(1)
        line.addWidget(self.band, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(line)
        self.threshold = QLabel("", self)
        self.threshold.setWordWrap(True)
        self.threshold.setAccessibleName(self.tr("Threshold"))
        layout.addWidget(self.threshold)
        self.counts = QLabel("", self)
        self.counts.setWordWrap(True)
        self.counts.setAccessibleName(self.tr("Answers so far"))
        layout.addWidget(self.counts)
        self.floors = QLabel("", self)
        self.floors.setWordWrap(True)
        self.floors.setAccessibleName(self.tr("Answers that set a minimum level"))
        self.floors.setStyleSheet(f"color: {WARNING_COLOUR}; font-weight: bold;")
        self.floors.hide()
        layout.addWidget(self.floors)
        self.level = QLabel("", self)
        self.level.setWordWrap(True)
        self.level.setAccessibleName(self.tr("Level that stands"))
        layout.addWidget(self.level)
        self.bands = QLabel("", self)
        self.bands.setWordWrap(True)
        self.bands.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.bands.setAccessibleName(self.tr("Bands of this form"))
        layout.addWidget(self.bands)

    def use_form(self, form: FormDefinition) -> None:
        self.form = form
        self.out_of.setText(self.tr("of {n}").format(n=form.max_score))
        legend = " · ".join(b.describe() for b in form.bands)
        self.bands.setText(self.tr("Bands: {legend}").format(legend=legend))
        self.bands.setToolTip(form.scoring_explanation)

    def threshold_text(self, s: Standing) -> str:
        form = self.form
        if form is None or s.threshold is None:
            return ""
        if isinstance(s.threshold, int):
            counted = [form.option_label(a).lower() for a in form.count_answers]
            unit = (
                counted[0]
                if form.method is rf.ScoringMethod.COUNT and len(counted) == 1
                else self.tr("points")
            )
            if s.threshold_met:
                return self.tr(
                    "⚠ {score} {unit} — meets the visible high-risk threshold ({threshold})"
                ).format(score=s.score, unit=unit, threshold=s.threshold)
            return self.tr(
                "{score} {unit} — {n} more to reach the visible high-risk threshold ({threshold})"
            ).format(score=s.score, unit=unit, n=s.threshold - s.score, threshold=s.threshold)
        refer = form.band_label(s.threshold)
        if s.threshold_met:
            return self.tr("⚠ {band} — meets the referral threshold ({refer})").format(
                band=form.band_label(s.band), refer=refer
            )
        return self.tr("Below the referral threshold ({refer})").format(refer=refer)

    def show_standing(self, s: Standing) -> None:
        form = self.form
        if form is None:
            return
        self.score.setText(str(s.score))
        self.score.setAccessibleDescription(
            self.tr("{score} of {max}").format(score=s.score, max=s.max_score)
        )
        self.out_of.setText(self.tr("of {n}").format(n=s.max_score))
        fg, bg = band_colours(form, s.band)
        self.band.setText(form.band_label(s.band))
        self.band.setStyleSheet(
            f"color: {fg}; background: {bg}; border: 1px solid {fg}; border-radius: 9px;"
            " padding: 3px 12px;"
        )
        self.band.setAccessibleDescription(form.band_label(s.band))
        threshold = self.threshold_text(s)
        self.threshold.setText(threshold)
        self.threshold.setAccessibleDescription(threshold)
        self.threshold.setVisible(bool(threshold))
        self.threshold.setStyleSheet(
            THRESHOLD_MET_STYLE if s.threshold_met else f"color: {MUTED_COLOUR};"
        )
        counts = self.tr("Answered {answered} of {total}").format(
            answered=s.answered, total=s.answered + s.to_answer
        )
        if s.dont_know:
            counts += " · " + self.tr("{n} don't know (never counted)").format(n=s.dont_know)
        if s.to_answer:
            counts += " · " + self.tr("{n} to answer").format(n=s.to_answer)
        self.counts.setText(counts)
        self.counts.setAccessibleDescription(counts)
        floors = [
            self.tr("At least {band}: {reason}").format(
                band=form.band_label(f.band), reason=f.reason
            )
            for f in s.floors
        ]
        self.floors.setText("\n".join(floors))
        self.floors.setVisible(bool(floors))
        stands = rf.effective_band(form, s.band, s.judgement_band)
        if stands != s.band:
            level = self.tr(
                "Level that stands: {level} — raised from {band} by professional judgement"
            ).format(level=form.band_label(stands), band=form.band_label(s.band))
        else:
            level = self.tr("Level that stands: {level}").format(level=form.band_label(stands))
        fg, _bg = band_colours(form, stands)
        self.level.setText(level)
        self.level.setAccessibleDescription(level)
        self.level.setStyleSheet(f"color: {fg}; font-weight: bold;")


# ----- the dialog ------------------------------------------------------------------------------


class AssessmentDialog(QDialog):
    """A new assessment of a referral, or an old one read back (read-only)."""

    saved = Signal(object)  # AssessmentSummary
    evaluated = Signal()  # the score panel was brought up to date (for whoever watches)

    def __init__(  # noqa: PLR0915 - builds the widgets in reading order
        self,
        ctx: AreaContext,
        parent: QWidget | None = None,
        *,
        setup: AssessmentSetup | None = None,
        detail: AssessmentDetail | None = None,
        case_ref: str = "",
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        if (setup is None) == (detail is None):
            raise ValueError("An assessment dialog needs a setup (new) or a detail (read-only).")
        self._ctx = ctx
        self.setup = setup
        self.detail = detail
        self.read_only = detail is not None
        self.today = today or date.today()
        self.dirty = False
        self.saving = False
        self.problems: list[tuple[str, QWidget | None]] = []
        self.evaluation: Evaluation | None = None
        case_ref = setup.case_ref if setup is not None else case_ref
        self.form: FormDefinition | None = (
            detail.form if detail is not None else setup.forms[0] if setup and setup.forms else None
        )
        if self.form is None and detail is None:
            raise ValueError("No risk form is installed for this panel.")
        self.setWindowTitle(
            self.tr("Risk assessment — {ref}").format(ref=case_ref)
            if self.read_only
            else self.tr("New risk assessment — {ref}").format(ref=case_ref)
        )
        self.setMinimumSize(900, 600)
        self.resize(1180, 820)
        self.setSizeGripEnabled(True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.title = heading(
            self.form.title if self.form is not None else self.tr("Risk assessment"), 1, self
        )
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.version = QLabel(self)
        self.version.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.version.setAccessibleName(self.tr("Form version"))
        top.addWidget(self.version, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        outer.addLayout(self._build_header())
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(
            f"color: {MUTED_COLOUR}; background: #f3f5f7; border-radius: 4px; padding: 4px 8px;"
        )
        self.hint.setAccessibleName(self.tr("Keys"))
        outer.addWidget(self.hint)

        middle = QHBoxLayout()
        middle.setSpacing(14)
        self.question_scroll = QScrollArea(self)
        self.question_scroll.setWidgetResizable(True)
        self.question_scroll.setFrameShape(QFrame.Shape.NoFrame)
        named(self.question_scroll, self.tr("Questions"))
        middle.addWidget(self.question_scroll, 1)
        middle.addWidget(self._build_side(), 0)
        outer.addLayout(middle, 1)

        bottom = QHBoxLayout()
        self.blocking = QLabel(self)
        self.blocking.setWordWrap(True)
        self.blocking.setAccessibleName(self.tr("What stops a save"))
        bottom.addWidget(self.blocking, 3)
        self.message = MessageLabel(self, name=self.tr("Assessment message"))
        bottom.addWidget(self.message, 3)
        bottom.addStretch(1)
        self.cancel_button = QPushButton(
            self.tr("Close") if self.read_only else self.tr("Cancel"), self
        )
        self.cancel_button.setToolTip(self.tr("Esc"))
        self.cancel_button.clicked.connect(self.reject)
        bottom.addWidget(self.cancel_button)
        self.save_button = QPushButton(self.tr("&Save assessment"), self)
        self.save_button.setToolTip(self.tr("Save (Ctrl+S)"))
        named(self.save_button, self.tr("Save the assessment"))
        self.save_button.clicked.connect(self.save)
        self.save_button.setVisible(not self.read_only)
        bottom.addWidget(self.save_button)
        for button in (self.cancel_button, self.save_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        outer.addLayout(bottom)

        self.questions: QuestionList | None = None
        self.fallback: QLabel | None = None
        if self.form is not None:
            self._use_form(self.form)
        else:
            self._show_without_form()
        if detail is not None:
            self._show_recorded(detail)

        for keys, slot in (
            (QKeySequence.StandardKey.Save, self.save),
            ("F8", self.next_unanswered),
            ("Ctrl+J", self.focus_judgement),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        name_unnamed_buttons(self)
        self.dirty = False

    # ----- building ------------------------------------------------------------------------

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        setup = self.setup
        self.form_choice = QComboBox(self)
        named(self.form_choice, self.tr("Risk form"))
        for form in setup.forms if setup is not None else ():
            self.form_choice.addItem(
                self.tr("{title} (version {version})").format(
                    title=form.title, version=form.version
                ),
                form.key,
            )
        self.form_choice.currentIndexChanged.connect(self._form_chosen)
        self.kind = QComboBox(self)
        for code, text in KIND_LABELS:
            self.kind.addItem(tr(text, CONTEXT), code)
        named(self.kind, self.tr("Kind of assessment"))
        if setup is not None and setup.assessments:
            self.kind.setCurrentIndex(1)
        self.assessed_on = DateField(self, self.tr("Date of the assessment"))
        self.assessed_on.set_date(self.today)
        self.assessed_on.textEdited.connect(lambda _t: self._changed())
        self.assessor = QLineEdit(self)
        self.assessor.setMaxLength(risk.MAX_ASSESSOR)
        self.assessor.setPlaceholderText(self.tr("name and agency"))
        named(self.assessor, self.tr("Assessor"))
        if setup is not None:
            self.assessor.setText(self._ctx.opened.actor.name)
        self.assessor.textEdited.connect(lambda _t: self._changed())
        self.recorded = QLabel(self)
        self.recorded.setWordWrap(True)
        self.recorded.setAccessibleName(self.tr("Recorded"))
        if self.read_only:
            row.addWidget(self.recorded, 1)
            for field in (self.form_choice, self.kind, self.assessed_on, self.assessor):
                field.hide()
            return row
        self.recorded.hide()
        fields: list[tuple[str, QWidget]] = []
        if self.form_choice.count() > 1:
            fields.append((self.tr("&Form:"), self.form_choice))
        else:
            self.form_choice.hide()
        fields += [
            (self.tr("&Kind:"), self.kind),
            (self.tr("&Date:"), self.assessed_on),
            (self.tr("&Assessor:"), self.assessor),
        ]
        self.assessed_on.setMaximumWidth(140)
        for text, widget in fields:
            caption = QLabel(text, self)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget, 1 if widget is self.assessor else 0)
        return row

    def _build_side(self) -> QWidget:
        side = QWidget(self)
        side.setFixedWidth(330)
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.score_panel = ScorePanel(side)
        layout.addWidget(self.score_panel)

        judgement = QFrame(side)
        judgement.setFrameShape(QFrame.Shape.StyledPanel)
        named(judgement, self.tr("Professional judgement"))
        box = QVBoxLayout(judgement)
        box.setSpacing(4)
        title = QLabel(self.tr("Professional &judgement (Ctrl+J)"), judgement)
        title.setStyleSheet("font-weight: bold;")
        box.addWidget(title)
        explain = QLabel(
            self.tr("Can raise the level, never lower it, and needs the reason in writing."),
            judgement,
        )
        explain.setWordWrap(True)
        explain.setStyleSheet(f"color: {MUTED_COLOUR};")
        box.addWidget(explain)
        self.judgement = QComboBox(judgement)
        named(self.judgement, self.tr("Raise the level to"))
        title.setBuddy(self.judgement)
        self.judgement.currentIndexChanged.connect(lambda _i: self._judgement_changed())
        box.addWidget(self.judgement)
        self.reason = QPlainTextEdit(judgement)
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(self.tr("Why the level is higher than the answers give"))
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 12)
        named(self.reason, self.tr("Reason for raising the level"))
        self.reason.textChanged.connect(self._changed)
        box.addWidget(self.reason)
        self.judgement_message = MessageLabel(judgement, name=self.tr("Judgement: problem"))
        box.addWidget(self.judgement_message)
        layout.addWidget(judgement)
        self.judgement_box = judgement

        self.help_title = QLabel(side)
        self.help_title.setTextFormat(Qt.TextFormat.PlainText)
        self.help_title.setStyleSheet("font-weight: bold;")
        self.help_title.setWordWrap(True)
        self.help_text = QLabel(side)
        self.help_text.setTextFormat(Qt.TextFormat.PlainText)
        self.help_text.setWordWrap(True)
        self.help_text.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.help_text.setAccessibleName(self.tr("About the current question"))
        layout.addWidget(self.help_title)
        layout.addWidget(self.help_text)
        layout.addStretch(1)
        return side

    def _hint_text(self, form: FormDefinition) -> str:
        common = [
            o
            for o in form.options
            if o.key and sum(o.id in q.options for q in form.questions) * 2 >= len(form.questions)
        ]
        others = [o for o in form.options if o.key and o not in common]
        keys = " · ".join(f"{o.key} {o.label.lower()}" for o in common)
        if others:
            keys += " · " + self.tr("{keys} where shown").format(
                keys="/".join(o.key for o in others)
            )
        if self.read_only:
            return self.tr("Read only. ↑ ↓ move between questions · Esc closes")
        return self.tr(
            "Keys: {keys} — answers and moves on · ↑ ↓ move · Enter or Tab: comment, Tab: "
            "source, Enter: back · Del clears · F8 next unanswered · Ctrl+J judgement · "
            "Ctrl+S saves · Esc cancels"
        ).format(keys=keys)

    def _use_form(self, form: FormDefinition) -> None:
        self.form = form
        self.title.setText(form.title)
        self.title.setAccessibleName(form.title)
        self.version.setText(self.tr("version {version}").format(version=form.version))
        self.hint.setText(self._hint_text(form))
        questions = QuestionList(form, self.question_scroll, read_only=self.read_only)
        questions.changed.connect(self._changed)
        questions.current_changed.connect(self._current_changed)
        questions.finished.connect(self._finished)
        self.question_scroll.setWidget(questions)  # the old list, if any, is deleted
        self.questions = questions
        self.score_panel.use_form(form)
        self.judgement.blockSignals(True)
        self.judgement.clear()
        self.judgement.addItem(self.tr("No change: the answers' level stands"), "")
        for band in form.bands:
            self.judgement.addItem(self.tr("Raise to {band}").format(band=band.label), band.id)
        self.judgement.blockSignals(False)
        self.reason.setEnabled(False)
        self._evaluate()

    def _show_without_form(self) -> None:
        """The form an old assessment was answered on is no longer installed: its answers."""
        detail = self.detail
        assert detail is not None
        summary = detail.summary
        self.title.setText(
            self.tr("Risk form {form} (version {version} is not installed)").format(
                form=summary.form_id, version=summary.form_version
            )
        )
        lines = [
            f"{r.question_id}: {r.answer_label or self.tr('not answered')}"
            + (f" — {r.comment}" if r.comment else "")
            + (f" ({r.source})" if r.source else "")
            for r in detail.rows
        ]
        label = QLabel(
            "\n".join(lines) or self.tr("No answers were recorded."), self.question_scroll
        )
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(self.tr("Answers"))
        self.question_scroll.setWidget(label)
        self.fallback = label
        self.hint.setText(self.tr("Read only · Esc closes"))
        self.judgement_box.hide()
        self.score_panel.score.setText(str(summary.score) if summary.score is not None else "—")
        self.score_panel.band.setText(summary.effective_band_label or summary.band_label)

    def _show_recorded(self, detail: AssessmentDetail) -> None:
        s = detail.summary
        assessor = s.assessor or self.tr("assessor not recorded")
        self.recorded.setText(
            self.tr(
                "{kind} · {day} · {assessor} · answered on version {version} of this form"
            ).format(
                kind=kind_label(s.kind),
                day=long_date(s.assessed_on),
                assessor=assessor,
                version=s.form_version,
            )
        )
        self.recorded.setAccessibleDescription(self.recorded.text())
        if self.questions is None or self.form is None:
            return
        self.questions.show_answers(detail.rows)
        self.judgement.setCurrentIndex(max(0, self.judgement.findData(s.judgement_band)))
        self.judgement.setEnabled(False)
        self.reason.setPlainText(s.judgement_reason)
        self.reason.setReadOnly(True)
        self.reason.setEnabled(bool(s.judgement_band))
        self._evaluate()

    # ----- live scoring --------------------------------------------------------------------

    def _changed(self) -> None:
        if not self.read_only:
            self.dirty = True
        self._evaluate()

    def _evaluate(self) -> None:
        form, questions = self.form, self.questions
        if form is None or questions is None:
            return
        answers = questions.answers()
        visible = self.setup.visible_high_risk if self.setup is not None else None
        ev = rf.evaluate(form, answers, visible_high_risk=visible)
        self.evaluation = ev
        summary = self.detail.summary if self.detail is not None else None
        judgement_band = str(self.judgement.currentData() or "")
        standing = Standing(
            score=summary.score if summary is not None and summary.score is not None else ev.score,
            max_score=ev.max_score,
            band=summary.band if summary is not None and summary.band else ev.band.id,
            judgement_band=judgement_band,
            threshold=ev.threshold,
            threshold_met=(
                summary.threshold_met
                if summary is not None and summary.threshold_met is not None
                else ev.threshold_met
            ),
            answered=ev.answered,
            to_answer=len(ev.unanswered),
            dont_know=ev.dont_know,
            floors=ev.floors_applied,
        )
        self.score_panel.show_standing(standing)
        self._offer_judgement(form, standing.band)
        self._check()
        self.evaluated.emit()

    def _offer_judgement(self, form: FormDefinition, band: str) -> None:
        """Only the levels above the answers' band can be chosen: judgement never lowers."""
        model = self.judgement.model()
        if not isinstance(model, QStandardItemModel):
            return
        rank = form.band_rank(band)
        for i in range(1, self.judgement.count()):
            item = model.item(i)
            higher = rank is None or (form.band_rank(str(self.judgement.itemData(i))) or 0) > rank
            item.setEnabled(higher and not self.read_only)
            label = form.band_label(str(self.judgement.itemData(i)))
            item.setText(
                self.tr("Raise to {band}").format(band=label)
                if higher
                else self.tr("{band} — not higher than the answers give").format(band=label)
            )

    def _judgement_changed(self) -> None:
        chosen = bool(self.judgement.currentData())
        self.reason.setEnabled(chosen or self.read_only)
        self._changed()

    # ----- checks --------------------------------------------------------------------------

    def _problems(self, *, strict: bool = False) -> list[tuple[str, QWidget | None]]:
        """What stops a save, each with the field to go to."""
        problems: list[tuple[str, QWidget | None]] = []
        self.judgement_message.clear_message()
        parsed = self.assessed_on.parsed()
        if parsed.value is None:
            problems.append(
                (parsed.problem or self.tr("Type the date of the assessment."), self.assessed_on)
            )
        elif parsed.value > self.today:
            problems.append((self.tr("The assessment date is in the future."), self.assessed_on))
        questions, form, ev = self.questions, self.form, self.evaluation
        if questions is None or form is None or ev is None:
            return problems
        if not questions.answers():
            problems.append((self.tr("Answer at least one question."), questions.first()))
        problems += [
            (
                self.tr(
                    "{where} has a comment or source but no answer: answer it or clear them."
                ).format(where=row.where),
                row,
            )
            for row in questions.notes_without_answer(current_too=strict)
        ]
        band = str(self.judgement.currentData() or "")
        if band:
            found = rf.check_judgement(form, ev.band.id, band, self.reason.toPlainText())
            if found:
                self.judgement_message.show_error("\n".join(found))
            problems += [
                (text, self.reason if "reason" in text else self.judgement) for text in found
            ]
        return problems

    def _check(self, *, strict: bool = False) -> None:
        """Bring the line by the Save button up to date: what stops a save, or that it can."""
        if self.read_only:
            self.blocking.hide()
            return
        problems = self.problems = self._problems(strict=strict)
        self.save_button.setEnabled(not problems and not self.saving)
        if self.saving:
            text, colour = self.tr("Saving…"), MUTED_COLOUR
        elif problems:
            text = self.tr("Cannot save yet: {first}").format(first=problems[0][0])
            if len(problems) > 1:
                text += " " + self.tr("(and {n} more)").format(n=len(problems) - 1)
            colour = ERROR_COLOUR if self.dirty else MUTED_COLOUR
        else:
            ev = self.evaluation
            to_answer = len(ev.unanswered) if ev is not None else 0
            text = self.tr("Ready to save (Ctrl+S).")
            colour = OK_COLOUR
            if to_answer:
                text += " " + self.tr(
                    "{n} question(s) unanswered: they add nothing to the score."
                ).format(n=to_answer)
                colour = WARNING_COLOUR
        self.blocking.setText(text)
        self.blocking.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.blocking.setAccessibleDescription(text)

    # ----- moving --------------------------------------------------------------------------

    def focus_start(self) -> None:
        if self.questions is None:
            self.cancel_button.setFocus()
            return
        first = (None if self.read_only else self.questions.next_unanswered()) or (
            self.questions.first()
        )
        if first is not None:
            self.questions.go_to(first)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self.focus_start)

    def _current_changed(self, row: _Row) -> None:
        self.question_scroll.ensureWidgetVisible(row, 0, 60)
        self._check()
        if isinstance(row, QuestionRow):
            self.help_title.setText(f"{row.where}: {row.question.topic}")
            self.help_text.setText(row.question.help)
        elif isinstance(row, SectionSwitch):
            self.help_title.setText(row.section.title)
            self.help_text.setText(row.section.help)

    def _finished(self) -> None:
        """Past the last question: to Save when it can save, else to what stops it."""
        if self.read_only:
            return
        if self.save_button.isEnabled():
            self.save_button.setFocus()
        else:
            self.focus_problem()

    def next_unanswered(self) -> None:
        if self.questions is None:
            return
        row = self.questions.next_unanswered()
        if row is not None:
            self.questions.go_to(row)

    def focus_judgement(self) -> None:
        if not self.read_only and self.form is not None:
            self.judgement.setFocus()

    def focus_problem(self) -> None:
        for _text, widget in self.problems:
            if widget is None:
                continue
            if isinstance(widget, _Row) and self.questions is not None:
                self.questions.go_to(widget)
            else:
                widget.setFocus()
            return

    # ----- saving --------------------------------------------------------------------------

    def collect(self) -> AssessmentInput:
        form, questions = self.form, self.questions
        assert form is not None and questions is not None
        band = str(self.judgement.currentData() or "")
        return AssessmentInput(
            form_id=form.form_id,
            form_version=form.version,
            assessed_on=self.assessed_on.parsed().value or self.today,
            answers=questions.answers(),
            kind=str(self.kind.currentData() or "initial"),
            assessor=self.assessor.text().strip(),
            judgement_band=band,
            judgement_reason=self.reason.toPlainText().strip() if band else "",
        )

    def save(self) -> None:
        if self.read_only or self.saving or self.setup is None:
            return
        self._evaluate()
        self._check(strict=True)
        if self.problems:
            self.focus_problem()
            return
        inp = self.collect()
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        referral_id, today = self.setup.referral_id, self.today
        self.saving = True
        self.message.show_note(self.tr("Saving the assessment…"))
        self._check()
        self._ctx.runner.run(
            self.tr("Saving the risk assessment"),
            lambda _task: risk.record_assessment(store, actor, referral_id, inp, today=today),
            on_success=self._saved,
            on_error=self._save_failed,
            context=self,
        )

    def _saved(self, summary: AssessmentSummary) -> None:
        self.saving = False
        self.dirty = False
        self.message.show_ok(self.tr("Saved."))
        self.saved.emit(summary)
        self.done(QDialog.DialogCode.Accepted)

    def _save_failed(self, exc: BaseException) -> None:
        self.saving = False
        if isinstance(exc, AssessmentRejected):
            text = self.tr("Not saved: {problems}").format(problems=" ".join(exc.problems))
        else:
            text = self.tr("Not saved: {error}").format(error=safe_error(exc))
        self.message.show_error(text)
        self._check()

    def reject(self) -> None:
        if self.saving:
            return
        if self.dirty and not confirm_discard(self):
            return
        self.dirty = False
        super().reject()

    def _form_chosen(self, index: int) -> None:
        setup = self.setup
        if setup is None or index < 0 or index >= len(setup.forms):
            return
        form = setup.forms[index]
        if self.form is not None and form.key == self.form.key:
            return
        answered = self.questions is not None and bool(self.questions.answers())
        if answered and not confirm_discard(self):
            self.form_choice.blockSignals(True)
            self.form_choice.setCurrentIndex(
                max(0, self.form_choice.findData(self.form.key if self.form else None))
            )
            self.form_choice.blockSignals(False)
            return
        self._use_form(form)
        name_unnamed_buttons(self)
        self.focus_start()
