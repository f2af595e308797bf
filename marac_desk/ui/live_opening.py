"""The live meeting's opening page: the confidentiality statement read aloud, the minutes'
header (chair, minute taker, start time) and the attendance register with the quorum."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import meetings, referrals
from marac_desk.services.meetings import AttendanceInput, AttendanceRow, MeetingDetails
from marac_desk.services.session import OpenStore
from marac_desk.ui.autosave import Autosaver, SaveHub
from marac_desk.ui.live_common import (
    NO_MODIFIER,
    Field,
    KeyFilter,
    LivePage,
    agency_combo,
    combo_value,
    on_enter,
    page_shortcut,
    parse_time,
    reset_type_ahead,
    set_combo_value,
    time_text,
)
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import long_date
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    OK_COLOUR,
    MessageLabel,
    named,
    safe_error,
)

ATTENDANCE_LABELS = (
    ("present", QT_TRANSLATE_NOOP("OpeningPage", "Present")),
    ("apologies", QT_TRANSLATE_NOOP("OpeningPage", "Apologies")),
    ("observer", QT_TRANSLATE_NOOP("OpeningPage", "Observer")),
)


class OpeningPage(LivePage):
    """Statement, header and attendance."""

    details_changed = Signal()

    def __init__(
        self,
        opened: OpenStore,
        hub: SaveHub,
        details: MeetingDetails,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = self.tr("Opening: statement and attendance")
        self._opened = opened
        self._hub = hub
        self.meeting_id = details.meeting.id
        self.meeting_date = details.meeting.meeting_date
        self.editing_id: int | None = None
        self.rows: list[AttendanceRow] = []
        named(self, self.title)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self._build_statement(details), 3)
        top.addWidget(self._build_header(details), 2)
        outer.addLayout(top)
        outer.addWidget(self._build_attendance(), 1)

        for keys, slot in (
            ("Alt+R", self.toggle_statement),
            ("Alt+C", lambda: self._focus(self.chair)),
            ("Alt+M", lambda: self._focus(self.minute_taker)),
            ("Alt+T", self.start_now),
            ("Alt+A", lambda: self._focus(self.agency)),
            ("Alt+L", lambda: self._focus(self.table)),
        ):
            page_shortcut(self, keys, slot)

    # ----- building --------------------------------------------------------------------------

    def _build_statement(self, details: MeetingDetails) -> QGroupBox:
        group = QGroupBox(self.tr("Confidentiality statement — the chair reads it aloud"), self)
        named(group, self.tr("Confidentiality statement"))
        layout = QVBoxLayout(group)
        self.statement = QTextBrowser(group)
        self.statement.setPlainText(meetings.confidentiality_statement(self._opened.store))
        self.statement.setStyleSheet("font-size: 11pt;")
        self.statement.setMinimumHeight(130)
        named(self.statement, self.tr("Confidentiality statement text"))
        self.statement.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        layout.addWidget(self.statement, 1)
        self.statement_read = QCheckBox(self.tr("Statement read aloud (Alt+R)"), group)
        self.statement_read.setChecked(details.confidentiality_read)
        named(self.statement_read, self.tr("Statement read aloud"))
        self.statement_read.toggled.connect(self._statement_toggled)
        self.statement_message = MessageLabel(group, name=self.tr("Statement: problem"))
        layout.addWidget(self.statement_read)
        layout.addWidget(self.statement_message)
        return group

    def _build_header(self, details: MeetingDetails) -> QGroupBox:
        group = QGroupBox(self.tr("The minutes' header"), self)
        named(group, self.tr("The minutes' header"))
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(10)
        self.chair = QLineEdit(details.chair, group)
        self.chair.setMaxLength(120)
        named(self.chair, self.tr("Chair"))
        self.minute_taker = QLineEdit(details.minute_taker, group)
        self.minute_taker.setMaxLength(120)
        named(self.minute_taker, self.tr("Minute taker"))
        self.start_time = QLineEdit(
            time_text(details.meeting.start_time) if details.meeting.status == "held" else "",
            group,
        )
        self.start_time.setPlaceholderText(
            self.tr("planned {time}").format(time=time_text(details.meeting.start_time))
            if details.meeting.start_time
            else self.tr("HH:MM")
        )
        self.start_time.setMaxLength(5)
        self.start_time.setMaximumWidth(110)
        named(self.start_time, self.tr("Start time"), self.tr("Hours and minutes, e.g. 09:30"))
        self.start_button = QPushButton(self.tr("Start meeting now (Alt+T)"), group)
        named(self.start_button, self.tr("Start meeting now"))
        self.start_button.clicked.connect(self.start_now)
        self.header_message = MessageLabel(group, name=self.tr("Header: problem"))
        grid.addWidget(QLabel(self.tr("Chair (Alt+C)"), group), 0, 0)
        grid.addWidget(self.chair, 0, 1, 1, 2)
        grid.addWidget(QLabel(self.tr("Minute taker (Alt+M)"), group), 1, 0)
        grid.addWidget(self.minute_taker, 1, 1, 1, 2)
        grid.addWidget(QLabel(self.tr("Started at"), group), 2, 0)
        grid.addWidget(self.start_time, 2, 1)
        grid.addWidget(self.start_button, 2, 2)
        grid.addWidget(self.header_message, 3, 0, 1, 3)
        self.agenda_line = QLabel(group)
        self.agenda_line.setWordWrap(True)
        named(self.agenda_line, self.tr("Today's case list"))
        grid.addWidget(self.agenda_line, 4, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(5, 1)
        self._show_agenda()

        self.header_saver = Autosaver(self._hub, self._save_header, self).watch(
            self.chair, self.minute_taker, self.start_time
        )
        return group

    def _show_agenda(self) -> None:
        agenda = meetings.get_agenda(self._opened.store, self.meeting_id)
        repeats = sum(1 for c in agenda.cases if c.is_repeat)
        text = self.tr(
            "Today: {n} cases ({repeats} repeats), {minutes} minutes allotted; "
            "{actions} outstanding actions to review first."
        ).format(
            n=len(agenda.cases),
            repeats=repeats,
            minutes=agenda.total_minutes,
            actions=agenda.outstanding_actions,
        )
        if agenda.cap.level != "ok":
            text += "\n⚠ " + agenda.cap.message
        self.agenda_line.setText(text)
        self.agenda_line.setAccessibleDescription(text)

    def _build_attendance(self) -> QGroupBox:  # noqa: PLR0915 - one row of fields
        group = QGroupBox(self.tr("Attendance (Alt+A to add, Alt+L for the list)"), self)
        named(group, self.tr("Attendance"))
        layout = QVBoxLayout(group)
        agencies = referrals.agency_names(self._opened.store)
        self.agency = agency_combo(group, agencies, self.tr("Attending agency"), self.tr("Agency…"))
        self.person = QLineEdit(group)
        self.person.setMaxLength(120)
        self.person.setPlaceholderText(self.tr("name and role"))
        named(self.person, self.tr("Person attending"))
        self.status = QComboBox(group)
        for code, text in ATTENDANCE_LABELS:
            self.status.addItem(self.tr(text), code)
        named(self.status, self.tr("Attendance"), self.tr("Present, apologies or observer"))
        self.info_sent = QCheckBox(self.tr("Information sent"), group)
        named(self.info_sent, self.tr("Information sent with the apologies"))
        self.info_sent_on = DateField(group, self.tr("Date the information was sent"))
        self.signed = QCheckBox(self.tr("Statement signed"), group)
        named(self.signed, self.tr("Confidentiality statement signed"))
        self.substitute_for = QLineEdit(group)
        self.substitute_for.setMaxLength(120)
        self.substitute_for.setPlaceholderText(self.tr("if deputising"))
        named(self.substitute_for, self.tr("Substitute for"))
        self.add_button = QPushButton(self.tr("Add (Enter)"), group)
        named(self.add_button, self.tr("Add to the attendance"))
        self.add_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(self.tr("Cancel edit (Esc)"), group)
        named(self.cancel_button, self.tr("Cancel the edit"))
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.cancel_button.hide()

        self.f_agency = Field(group, self.tr("Agency"), self.agency)
        self.f_person = Field(group, self.tr("Person"), self.person)
        self.f_status = Field(group, self.tr("Attendance"), self.status)
        self.f_info = Field(group, self.tr("Apologies: information sent on"), self.info_sent_on)
        self.f_signed = Field(group, self.tr("Observer"), self.signed)
        self.f_substitute = Field(group, self.tr("Substitute for"), self.substitute_for)
        info_row = QWidget(group)
        info_layout = QHBoxLayout(info_row)
        info_layout.setContentsMargins(0, 0, 0, 0)
        info_layout.addWidget(self.info_sent)
        info_layout.addWidget(self.f_info)

        entry = QHBoxLayout()
        entry.setSpacing(10)
        entry.addWidget(self.f_agency, 3)
        entry.addWidget(self.f_person, 3)
        entry.addWidget(self.f_status, 2)
        entry.addWidget(info_row, 4)
        entry.addWidget(self.f_signed, 2)
        entry.addWidget(self.f_substitute, 3)
        buttons = QVBoxLayout()
        buttons.addSpacing(self.f_agency.caption.sizeHint().height())
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        entry.addLayout(buttons)
        layout.addLayout(entry)
        self.entry_message = MessageLabel(group, name=self.tr("Attendance: problem"))
        layout.addWidget(self.entry_message)

        self.quorum_line = QLabel(group)
        self.quorum_line.setWordWrap(True)
        self.quorum_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named(self.quorum_line, self.tr("Quorum"))
        layout.addWidget(self.quorum_line)

        self.table = QTableWidget(0, 5, group)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Agency"),
                self.tr("Person"),
                self.tr("Attendance"),
                self.tr("Confidentiality statement"),
                self.tr("Substitute for"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        named(
            self.table,
            self.tr("Attendance register"),
            self.tr("Enter edits the chosen row, Delete removes it"),
        )
        layout.addWidget(self.table, 1)

        self.status.currentIndexChanged.connect(self._status_changed)
        self.info_sent.toggled.connect(self._info_toggled)
        entry_widgets = (
            self.agency,
            self.person,
            self.status,
            self.info_sent,
            self.info_sent_on,
            self.signed,
            self.substitute_for,
        )
        on_enter(self, self.submit, *entry_widgets)
        KeyFilter(self, {(Qt.Key.Key_Escape, NO_MODIFIER): self.cancel_edit}).install(
            *entry_widgets
        )
        KeyFilter(
            self,
            {
                (Qt.Key.Key_Return, NO_MODIFIER): self.edit_selected,
                (Qt.Key.Key_Enter, NO_MODIFIER): self.edit_selected,
                (Qt.Key.Key_Delete, NO_MODIFIER): self.remove_selected,
            },
        ).install(self.table)
        self._status_changed()
        return group

    # ----- the page --------------------------------------------------------------------------

    def enter(self, focus: bool = True) -> None:
        self.refresh()
        if not focus:
            return
        if not self.statement_read.isChecked():
            self.statement_read.setFocus()
        else:
            self.agency.setFocus()

    def leave(self) -> None:
        self.header_saver.flush()

    def hints(self) -> str:
        return self.tr(
            "Alt+R statement read · Alt+C chair · Alt+M minute taker · Alt+T start now · "
            "Alt+A add attendance (type the agency's first letters, Enter adds) · "
            "Alt+L the register: Enter edits, Delete removes"
        )

    def _focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def refresh(self) -> None:
        store = self._opened.store
        self.rows = meetings.list_attendance(store, self.meeting_id)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            values = [
                row.agency,
                row.person_name,
                self.attendance_text(row),
                self.tr("signed") if row.statement_signed else "",
                row.substitute_for,
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                self.table.setItem(r, c, item)
        self.show_quorum()

    def attendance_text(self, row: AttendanceRow) -> str:
        if row.status == "present":
            return self.tr("Present")
        if row.status == "observer":
            return self.tr("Observer")
        if row.information_sent:
            when = long_date(row.information_sent_on) if row.information_sent_on else ""
            return (
                self.tr("Apologies — information sent {day}").format(day=when).strip()
                if when
                else self.tr("Apologies — information sent")
            )
        return self.tr("Apologies — no information sent")

    def show_quorum(self) -> None:
        verdict = meetings.quorum(self._opened.store, self.meeting_id)
        mark = "✓" if verdict.met else "⚠"
        self.quorum_line.setText(f"{mark} {verdict.message}")
        self.quorum_line.setStyleSheet(
            f"color: {OK_COLOUR if verdict.met else ERROR_COLOUR}; font-weight: bold;"
        )
        self.quorum_line.setAccessibleDescription(verdict.message)

    # ----- the statement and the header ------------------------------------------------------

    def toggle_statement(self) -> None:
        self.statement_read.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.statement_read.toggle()

    def _statement_toggled(self, checked: bool) -> None:
        try:
            meetings.record_statement_read(
                self._opened.store, self._opened.actor, self.meeting_id, checked
            )
        except Exception as exc:
            self.statement_message.show_error(safe_error(exc))
            self._hub.note_error(self.statement_read, safe_error(exc))
            return
        self.statement_message.clear_message()
        self._hub.note_error(self.statement_read, "")
        self._hub.note_saved()

    def _save_header(self) -> None:
        text = self.start_time.text().strip()
        started = parse_time(text) if text else None
        if text and started is None:
            self.header_message.show_error(
                self.tr("Type the start time as HH:MM, for example 09:30.")
            )
        else:
            self.header_message.clear_message()
        meetings.update_meeting_details(
            self._opened.store,
            self._opened.actor,
            self.meeting_id,
            chair=self.chair.text(),
            minute_taker=self.minute_taker.text(),
            start_time=started,
        )

    def start_now(self) -> None:
        """The meeting starts: held from now, the start time is this minute."""
        self.header_saver.flush()
        now = datetime.now().time().replace(second=0, microsecond=0)
        try:
            meetings.start_meeting(self._opened.store, self._opened.actor, self.meeting_id, now)
        except Exception as exc:
            self.header_message.show_error(safe_error(exc))
            return
        self.start_time.setText(time_text(now))
        self.header_message.show_ok(
            self.tr("The meeting started at {time}.").format(time=time_text(now))
        )
        self._hub.note_saved()
        self.details_changed.emit()
        self.agency.setFocus()

    # ----- attendance ------------------------------------------------------------------------

    def _status_changed(self, _index: int = 0) -> None:
        status = combo_value(self.status)
        self.info_sent.setEnabled(status == "apologies")
        self.info_sent_on.setEnabled(status == "apologies" and self.info_sent.isChecked())

    def _info_toggled(self, checked: bool) -> None:
        self.info_sent_on.setEnabled(checked and combo_value(self.status) == "apologies")
        if checked and not self.info_sent_on.text().strip():
            self.info_sent_on.set_date(date.today())

    def _clear_messages(self) -> None:
        for field in (self.f_agency, self.f_info, self.f_signed):
            field.message.clear_message()
        self.entry_message.clear_message()

    def entry_input(self) -> AttendanceInput | None:
        """The typed row, or None with the problems shown beside the fields."""
        self._clear_messages()
        agency = combo_value(self.agency)
        status = combo_value(self.status)
        problems = False
        if not agency:
            self.f_agency.message.show_error(self.tr("Choose the agency."))
            problems = True
        sent_on = None
        if status == "apologies" and self.info_sent.isChecked():
            parsed = self.info_sent_on.parsed()
            if parsed.problem or parsed.value is None:
                self.f_info.message.show_error(
                    parsed.problem or self.tr("Give the date the information was sent.")
                )
                problems = True
            sent_on = parsed.value
        if status == "observer" and not self.signed.isChecked():
            self.f_signed.message.show_error(
                self.tr("An observer must sign the confidentiality statement first.")
            )
            problems = True
        if problems:
            return None
        return AttendanceInput(
            agency=agency,
            person_name=self.person.text(),
            status=status,
            information_sent=status == "apologies" and self.info_sent.isChecked(),
            information_sent_on=sent_on,
            statement_signed=self.signed.isChecked(),
            substitute_for=self.substitute_for.text(),
        )

    def submit(self) -> None:
        inp = self.entry_input()
        if inp is None:
            for field in (self.f_agency, self.f_info, self.f_signed):
                if field.message.is_error:
                    field.widget.setFocus()
                    break
            return
        store, actor = self._opened.store, self._opened.actor
        try:
            if self.editing_id is None:
                meetings.add_attendance(store, actor, self.meeting_id, inp)
            else:
                meetings.update_attendance(store, actor, self.editing_id, inp)
        except Exception as exc:
            self.entry_message.show_error(safe_error(exc))
            return
        self._hub.note_saved()
        self._reset_entry()
        self.refresh()
        self.agency.setFocus()

    def _reset_entry(self) -> None:
        self.editing_id = None
        self.agency.setCurrentIndex(0)
        reset_type_ahead(self.agency)
        reset_type_ahead(self.status)
        self.person.clear()
        self.status.setCurrentIndex(0)
        self.info_sent.setChecked(False)
        self.info_sent_on.clear()
        self.signed.setChecked(False)
        self.substitute_for.clear()
        self.add_button.setText(self.tr("Add (Enter)"))
        named(self.add_button, self.tr("Add to the attendance"))
        self.cancel_button.hide()
        self._clear_messages()

    def cancel_edit(self) -> None:
        self._reset_entry()
        self.agency.setFocus()

    def _selected(self) -> AttendanceRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def edit_selected(self) -> None:
        row = self._selected()
        if row is None:
            return
        self._reset_entry()
        self.editing_id = row.id
        set_combo_value(self.agency, row.agency)
        self.person.setText(row.person_name)
        set_combo_value(self.status, row.status)
        self.info_sent.setChecked(row.information_sent)
        self.info_sent_on.set_date(row.information_sent_on)
        self.signed.setChecked(row.statement_signed)
        self.substitute_for.setText(row.substitute_for)
        self.add_button.setText(self.tr("Update (Enter)"))
        named(self.add_button, self.tr("Update the attendance entry"))
        self.cancel_button.show()
        self.person.setFocus()

    def remove_selected(self) -> None:
        row = self._selected()
        if row is None:
            return
        at = self.table.currentRow()
        try:
            meetings.remove_attendance(self._opened.store, self._opened.actor, row.id)
        except Exception as exc:
            self.entry_message.show_error(safe_error(exc))
            return
        self._hub.note_saved()
        if self.editing_id == row.id:
            self._reset_entry()
        self.refresh()
        if self.table.rowCount():
            self.table.setCurrentCell(min(at, self.table.rowCount() - 1), 0)
        else:
            self.agency.setFocus()
