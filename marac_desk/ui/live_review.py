"""The review of outstanding actions, before the cases (DOMAIN.md §5): each open action from the
panel's earlier meetings, marked completed, not possible (change in circumstances), not
undertaken by the agency (a note says why) or carried forward (to a new date), one key each."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import actions
from marac_desk.services.actions import ActionRejected, ActionRow, UpdateRow
from marac_desk.services.session import OpenStore
from marac_desk.ui.autosave import SaveHub
from marac_desk.ui.live_common import (
    NO_MODIFIER,
    Field,
    KeyFilter,
    LivePage,
    ltr,
    on_enter,
    page_shortcut,
)
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import long_date
from marac_desk.ui.widgets import (
    MUTED_COLOUR,
    OK_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    heading,
    named,
    safe_error,
)

# The review's outcomes and their keys (plain in the list, with Alt anywhere on the page).
REVIEW_KEYS: tuple[tuple[str, Qt.Key, str], ...] = (
    ("completed", Qt.Key.Key_C, "C"),
    ("not_possible", Qt.Key.Key_P, "P"),
    ("not_undertaken", Qt.Key.Key_U, "U"),
    ("carried_forward", Qt.Key.Key_F, "F"),
)


def review_text(update: UpdateRow | None, row: ActionRow) -> str:
    """What the list says about an action in this meeting's review."""
    if update is None:
        text = ltr("Not yet reviewed")
        if row.overdue:
            text += " · " + ltr("overdue")
        return text
    text = ltr(actions.STATUS_LABELS.get(update.status, update.status))
    if update.status == "carried_forward" and update.new_due_date is not None:
        text += " " + ltr("to {day}").format(day=long_date(update.new_due_date))
    if update.note:
        text += " — " + update.note
    return "✓ " + text


class ReviewPage(LivePage):
    reviewed = Signal()  # an action's review was recorded

    def __init__(  # noqa: PLR0915 - builds the page in reading order
        self, opened: OpenStore, hub: SaveHub, meeting_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.title = self.tr("Review of outstanding actions")
        self._opened = opened
        self._hub = hub
        self.meeting_id = meeting_id
        self.rows: list[ActionRow] = []
        self.updates: dict[int, UpdateRow] = {}
        self.pending_status: str | None = None
        named(self, self.title)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.title, 2, self))
        top.addStretch(1)
        self.count = QLabel(self)
        named(self.count, self.tr("Actions reviewed"))
        top.addWidget(self.count)
        outer.addLayout(top)

        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Case"),
                self.tr("Set on"),
                self.tr("Owner"),
                self.tr("Action"),
                self.tr("Due"),
                self.tr("At this meeting"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(5, 300)
        named(
            self.table,
            self.tr("Outstanding actions"),
            self.tr("Up and Down choose an action; C, P, U or F records its outcome"),
        )
        self.table.currentCellChanged.connect(self._current_changed)
        outer.addWidget(self.table, 1)

        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("font-size: 11pt; padding: 4px 0;")
        named(self.detail, self.tr("The chosen action"))
        outer.addWidget(self.detail)

        self.note = QLineEdit(self)
        self.note.setPlaceholderText(
            self.tr("what changed, why it was not done, or progress (needed for P and U)")
        )
        named(self.note, self.tr("Review note"))
        self.new_due = DateField(self, self.tr("New due date"))
        self.f_note = Field(self, self.tr("Note (Alt+N)"), self.note)
        self.f_due = Field(self, self.tr("New due date, to carry forward (Alt+D)"), self.new_due)
        fields = QHBoxLayout()
        fields.addWidget(self.f_note, 4)
        fields.addWidget(self.f_due, 1)
        outer.addLayout(fields)

        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for status, _key, letter in REVIEW_KEYS:
            words = self.tr(actions.STATUS_LABELS[status])
            button = QPushButton(f"{words} ({letter})", self)
            named(
                button,
                words,
                self.tr("Key {key} in the list, Alt+{key} anywhere").format(key=letter),
            )
            button.clicked.connect(partial(self._clicked, status))
            buttons.addWidget(button)
            self.buttons[status] = button
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.message = MessageLabel(self, name=self.tr("Review: problem"))
        outer.addWidget(self.message)

        keys = {(key, NO_MODIFIER): partial(self.record, status) for status, key, _ in REVIEW_KEYS}
        keys[(Qt.Key.Key_Return, NO_MODIFIER)] = partial(
            self.note.setFocus, Qt.FocusReason.ShortcutFocusReason
        )
        keys[(Qt.Key.Key_Enter, NO_MODIFIER)] = partial(
            self.note.setFocus, Qt.FocusReason.ShortcutFocusReason
        )
        KeyFilter(self, keys).install(self.table)
        on_enter(self, self._confirm_pending, self.note, self.new_due)
        for status, _key, letter in REVIEW_KEYS:
            page_shortcut(self, f"Alt+{letter}", partial(self.record, status))
        page_shortcut(
            self, "Alt+N", partial(self.note.setFocus, Qt.FocusReason.ShortcutFocusReason)
        )
        page_shortcut(
            self, "Alt+D", partial(self.new_due.setFocus, Qt.FocusReason.ShortcutFocusReason)
        )
        page_shortcut(
            self, "Alt+L", partial(self.table.setFocus, Qt.FocusReason.ShortcutFocusReason)
        )

    # ----- the page --------------------------------------------------------------------------

    def enter(self, focus: bool = True) -> None:
        self.refresh()
        if self.table.currentRow() < 0 and self.rows:
            self.table.setCurrentCell(self._next_unreviewed(-1), 0)
        if focus:
            self.table.setFocus()

    def hints(self) -> str:
        return self.tr(
            "Up/Down choose · C completed · P not possible (note) · U not undertaken (note) · "
            "F carried forward (new date) · Alt+N note · Alt+D new date · Enter in the note "
            "confirms · Alt+L back to the list"
        )

    @property
    def reviewed_count(self) -> int:
        return sum(1 for r in self.rows if r.id in self.updates)

    def refresh(self) -> None:
        store = self._opened.store
        keep = self.current_action()
        self.rows = actions.outstanding_for_meeting(store, self.meeting_id)
        self.updates = actions.reviewed_at(store, self.meeting_id)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            self._fill(r, row)
        self.table.blockSignals(False)
        if keep is not None:
            for r, row in enumerate(self.rows):
                if row.id == keep.id:
                    self.table.setCurrentCell(r, 0)
                    break
        self._show_count()
        self._show_detail()

    def _fill(self, r: int, row: ActionRow) -> None:
        update = self.updates.get(row.id)
        owner = row.owner_agency + (f" ({row.owner_person})" if row.owner_person else "")
        due = long_date(row.due_date) if row.due_date else self.tr("no date")
        values = [
            row.case_ref,
            long_date(row.meeting_date) if row.meeting_date else "",
            owner,
            row.text,
            due,
            review_text(update, row),
        ]
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            if c == 5:
                colour = OK_COLOUR if update else (WARNING_COLOUR if row.overdue else MUTED_COLOUR)
                item.setForeground(QBrush(QColor(colour)))
            self.table.setItem(r, c, item)

    def _show_count(self) -> None:
        self.count.setText(
            self.tr("{done} of {total} reviewed").format(
                done=self.reviewed_count, total=len(self.rows)
            )
            if self.rows
            else self.tr("No outstanding actions from earlier meetings.")
        )

    def current_action(self) -> ActionRow | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def _current_changed(self, *_args: object) -> None:
        self.pending_status = None
        self.note.clear()
        self.new_due.clear()
        for field in (self.f_note, self.f_due):
            field.message.clear_message()
        self.message.clear_message()
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.current_action()
        if row is None:
            self.detail.setText("")
            return
        due = long_date(row.due_date) if row.due_date else self.tr("no due date")
        state = self.tr(actions.STATUS_LABELS.get(row.status, row.status))
        self.detail.setText(
            self.tr("{ref} · {owner} · due {due} · now: {state}\n{text}").format(
                ref=row.case_ref,
                owner=row.owner_agency + (f" ({row.owner_person})" if row.owner_person else ""),
                due=due + (" " + self.tr("(overdue)") if row.overdue else ""),
                state=state.lower(),
                text=row.text,
            )
        )
        self.detail.setAccessibleDescription(self.detail.text())

    def _next_unreviewed(self, after: int) -> int:
        for r in range(after + 1, len(self.rows)):
            if self.rows[r].id not in self.updates:
                return r
        for r in range(len(self.rows)):
            if self.rows[r].id not in self.updates:
                return r
        return max(0, min(after, len(self.rows) - 1))

    # ----- recording -------------------------------------------------------------------------

    def _clicked(self, status: str, _checked: bool = False) -> None:
        self.record(status)

    def _confirm_pending(self) -> None:
        if self.pending_status is not None:
            self.record(self.pending_status)

    def record(self, status: str) -> None:
        row = self.current_action()
        if row is None:
            return
        for field in (self.f_note, self.f_due):
            field.message.clear_message()
        self.message.clear_message()
        self.pending_status = status
        new_due: date | None = None
        if self.new_due.text().strip():
            parsed = self.new_due.parsed()
            if parsed.value is None:
                self.f_due.message.show_error(parsed.problem or self.tr("That is not a date."))
                self.new_due.setFocus()
                return
            new_due = parsed.value
        elif status == "carried_forward":
            # At the review a carried-forward action always gets its next date (the rules
            # would take a bare "still carried forward", which tells the panel nothing).
            self.f_due.message.show_error(
                self.tr("Give the new due date to carry the action forward to.")
            )
            self.new_due.setFocus()
            return
        try:
            actions.set_status(
                self._opened.store,
                self._opened.actor,
                row.id,
                status,
                note=self.note.text(),
                new_due=new_due,
                meeting_id=self.meeting_id,
            )
        except ActionRejected as exc:
            self._show_problems(exc)
            return
        except Exception as exc:
            self.message.show_error(safe_error(exc))
            return
        self._hub.note_saved()
        at = self.table.currentRow()
        self.pending_status = None
        self.refresh()
        self.table.setCurrentCell(self._next_unreviewed(at), 0)
        self.message.show_ok(
            self.tr("{ref}: {outcome}.").format(
                ref=row.case_ref, outcome=self.tr(actions.STATUS_LABELS[status]).lower()
            )
        )
        self.table.setFocus()
        self.reviewed.emit()

    def _show_problems(self, exc: ActionRejected) -> None:
        focus: QWidget | None = None
        for problem in exc.problems:
            if problem.field == "note":
                self.f_note.message.show_error(problem.message)
                focus = focus or self.note
            elif problem.field == "due_date":
                self.f_due.message.show_error(problem.message)
                focus = focus or self.new_due
            else:
                self.message.show_error(problem.message)
        if focus is not None:
            focus.setFocus()
