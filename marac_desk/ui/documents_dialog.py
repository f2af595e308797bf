"""The documents of one meeting — or every agency's list of open actions — saved to files.

One meeting: the minutes (status, draft, approval, the approved copy of any version), each
agency's own action list (ticked agencies, how cases are identified), the actions as a
spreadsheet, the agenda, and "Write the whole set…", which puts the agenda, the minutes
(approved if the approved version still matches the meeting, else a draft) and every agency's
list into one folder. Without a meeting (the Actions area): every agency's list of its open
actions.

Files are never written over: a name already taken stops the whole write before anything is
built, so nothing is disclosed or half-written (services.disclosures). PDFs can be protected
with a password typed twice in `PasswordDialog`; it is handed to the one export it is for and
kept nowhere. Building and writing run in the task runner; every export is recorded in the
audit trail as a disclosure by the services.

Keys: Alt+W the whole set, Alt+P protect with a password, Alt+D / Alt+A / Alt+V draft, approve
and save approved minutes, Alt+G all agencies, Alt+I identification, Alt+L the agency lists,
Alt+S the spreadsheet, Alt+E the agenda, Alt+C the calendar; Escape closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import disclosures, documents, minutes, settings
from marac_desk.services.disclosures import AgencyCount, MeetingSet, Overview, Written
from marac_desk.services.minutes import MinutesState
from marac_desk.ui.area import AreaContext
from marac_desk.ui.panel_dialog import FormDialog, short_date
from marac_desk.ui.password_dialog import PasswordDialog
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.referral_text import uk_date
from marac_desk.ui.settings_view import IDENTIFY_LABELS
from marac_desk.ui.widgets import (
    MUTED_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    heading,
    local_time,
    name_unnamed_buttons,
    named,
    safe_error,
    tr,
)

CONTEXT = "Documents"
PDF = ("PDF document", ".pdf")
CSV = ("CSV spreadsheet", ".csv")
XLSX = ("Excel workbook", ".xlsx")
ICS = ("Calendar", ".ics")
IDENTIFY_NOTES = {
    "case_ref": "Agencies find the case by its reference; nothing else names the victim. "
    "Usually enough.",
    "initials": "Adds the victim's initials, for an agency that does not hold the case reference.",
    "name_dob": "Adds the victim's name and date of birth: only where the agency needs them "
    "to act.",
}


# ----- file pickers (patched in tests) -----------------------------------------------------------


def pick_folder(parent: QWidget | None, caption: str, start: Path) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, caption, str(start))
    return Path(chosen) if chosen else None


def pick_new_file(
    parent: QWidget | None, caption: str, start: Path, kinds: Sequence[tuple[str, str]]
) -> Path | None:
    """A file name to save to, ending in one of `kinds`' suffixes (the chosen filter's if the
    name has none). The picker does not ask about replacing: existing files are refused."""
    filters = [f"{tr(label, CONTEXT)} (*{suffix})" for label, suffix in kinds]
    chosen, selected = QFileDialog.getSaveFileName(
        parent,
        caption,
        str(start),
        ";;".join(filters),
        filters[0],
        QFileDialog.Option.DontConfirmOverwrite,
    )
    if not chosen:
        return None
    path = Path(chosen)
    suffixes = [suffix for _label, suffix in kinds]
    if path.suffix.lower() not in suffixes:
        wanted = suffixes[filters.index(selected)] if selected in filters else suffixes[0]
        path = path.with_name(path.name + wanted)
    return path


# ----- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    overview: Overview
    minutes: MinutesState | None  # None: the open-actions mode
    identify: str


def load(ctx: AreaContext, meeting_id: int | None, today: date) -> Loaded:
    store = ctx.opened.store
    found = disclosures.overview(store, meeting_id=meeting_id, today=today)
    state = minutes.state(store, meeting_id) if meeting_id is not None else None
    return Loaded(found, state, str(settings.get(store, "action_list_identify")))


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def count_text(n: int) -> str:
    return tr("1 action", CONTEXT) if n == 1 else tr("{n} actions", CONTEXT).format(n=n)


def error_text(exc: BaseException) -> str:
    """What went wrong, without anything from inside the store."""
    if isinstance(exc, disclosures.FileClash):
        return tr(
            "A file already exists at {path}. Nothing was written: choose another folder, or "
            "move that file first.",
            CONTEXT,
        ).format(path=exc.path)
    if isinstance(exc, OSError) and not isinstance(exc, disclosures.FileClash):
        return tr("The files could not be written ({why}). Nothing was written.", CONTEXT).format(
            why=exc.strerror or type(exc).__name__
        )
    return safe_error(exc)


# ----- approving the minutes ----------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalChoice:
    approved_by: str
    on: date


class ApproveDialog(FormDialog):
    """Who approved the minutes (usually the chair) and on which day."""

    def __init__(self, chair: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Approve the minutes"), self.tr("Approve"), parent)
        self.setMinimumWidth(440)
        intro = QLabel(
            self.tr(
                "The minutes are approved as they stand now and kept as a new version, exactly "
                "as issued. A later change to the meeting needs a new approval."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {MUTED_COLOUR};")
        intro.setAccessibleName(self.tr("About approval"))
        self.outer.insertWidget(0, intro)
        self.approved_by = QLineEdit(chair, self)
        self.approved_by.setMaxLength(200)
        named(self.approved_by, self.tr("Approved by"))
        self.on = DateField(self, self.tr("Approved on"))
        self.on.set_date(today)
        self.add_field(
            "approved_by", self.tr("Approved &by"), self.approved_by, self.tr("Name and role.")
        )
        self.add_field("on", self.tr("Approved &on"), self.on)
        self.finish()
        self.approved_by.setFocus()
        self.approved_by.selectAll()

    def values(self) -> ApprovalChoice | None:
        who = " ".join(self.approved_by.text().split())
        if not who:
            self.problem("approved_by", self.tr("Say who approved the minutes."))
            return None
        parsed = self.on.parsed()
        if parsed.value is None:
            self.problem("on", parsed.problem or self.tr("Type the day they were approved."))
            return None
        return ApprovalChoice(who, parsed.value)


# ----- the dialog ---------------------------------------------------------------------------------


class DocumentsDialog(QDialog):
    loaded = Signal()  # what the dialog shows has been read
    worked = Signal(bool, str)  # a piece of work finished: ok, the message shown

    def __init__(  # noqa: PLR0915 - builds the widgets in reading order
        self, ctx: AreaContext, meeting_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.meeting_id = meeting_id
        self.data: Loaded | None = None
        self.busy = False
        self._identify_set = False
        self.folder = Path.home()
        self.today: Callable[[], date] = date.today
        self.password_dialog: PasswordDialog | None = None
        self.approve_dialog: ApproveDialog | None = None
        self.setWindowTitle(
            self.tr("Documents") if meeting_id is not None else self.tr("Export open actions")
        )
        self.setMinimumWidth(700)

        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        self.title = heading("", 2, self)
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        about = QLabel(
            self.tr(
                "Every file saved here is recorded in the audit trail as a disclosure. "
                "Existing files are never replaced."
            ),
            self,
        )
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {MUTED_COLOUR};")
        about.setAccessibleName(self.tr("About saving documents"))
        outer.addWidget(about)

        self.protect = QCheckBox(self.tr("Protect PDFs with a &password"), self)
        named(
            self.protect,
            self.tr("Protect PDFs with a password"),
            self.tr("You type the password each time; it is never stored"),
        )
        self.protect.setToolTip(
            self.tr("You are asked for a password when you save; MARAC Desk never keeps it.")
        )
        outer.addWidget(self.protect)

        self.set_box = self._build_set()
        outer.addWidget(self.set_box)
        self.minutes_box = self._build_minutes()
        outer.addWidget(self.minutes_box)
        self.lists_box = self._build_lists()
        outer.addWidget(self.lists_box, 1)
        self.agenda_box = self._build_agenda()
        outer.addWidget(self.agenda_box)
        for box in (self.set_box, self.minutes_box, self.agenda_box):
            box.setVisible(meeting_id is not None)

        self.message = MessageLabel(self, name=self.tr("Documents message"))
        outer.addWidget(self.message)
        footer = QHBoxLayout()
        self.calendar_button = self._button(
            self, self.tr("Save &calendar (.ics)…"), self.save_calendar
        )
        self.calendar_button.setToolTip(
            self.tr("Meeting dates and open actions' due dates, with case references only")
        )
        footer.addWidget(self.calendar_button)
        footer.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        named(self.close_button, self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        footer.addWidget(self.buttons)
        outer.addLayout(footer)
        name_unnamed_buttons(self)
        self._actions = [
            self.whole_set_button,
            self.draft_button,
            self.approve_button,
            self.approved_button,
            self.lists_button,
            self.table_button,
            self.agenda_button,
            self.calendar_button,
        ]
        self.resize(780, 700 if meeting_id is not None else 480)
        self._show(None)
        self.reload()

    # ----- building --------------------------------------------------------------------------

    def _button(self, parent: QWidget, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, parent)
        named(button, text.replace("&", "").rstrip("…"))
        button.clicked.connect(lambda _c=False: slot())
        return button

    @staticmethod
    def _note(parent: QWidget, text: str, name: str) -> QLabel:
        label = QLabel(text, parent)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {MUTED_COLOUR};")
        label.setAccessibleName(name)
        return label

    def _build_set(self) -> QGroupBox:
        box = QGroupBox(self.tr("Everything for this meeting"), self)
        layout = QHBoxLayout(box)
        self.set_note = self._note(
            box,
            self.tr(
                "The agenda, the minutes (approved if the approved version still matches the "
                "meeting, otherwise a draft) and every agency's action list, into one folder."
            ),
            self.tr("What the whole set holds"),
        )
        layout.addWidget(self.set_note, 1)
        self.whole_set_button = self._button(
            box, self.tr("&Write the whole set…"), self.write_whole_set
        )
        self.whole_set_button.setStyleSheet("font-weight: bold; padding: 4px 12px;")
        layout.addWidget(self.whole_set_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return box

    def _build_minutes(self) -> QGroupBox:
        box = QGroupBox(self.tr("Minutes"), self)
        layout = QVBoxLayout(box)
        self.minutes_status = QLabel(box)
        self.minutes_status.setWordWrap(True)
        self.minutes_status.setAccessibleName(self.tr("Minutes status"))
        layout.addWidget(self.minutes_status)
        row = QHBoxLayout()
        self.draft_button = self._button(box, self.tr("Save &draft minutes…"), self.save_draft)
        self.approve_button = self._button(box, self.tr("&Approve minutes…"), self.approve)
        self.approved_button = self._button(
            box, self.tr("Save appro&ved minutes…"), self.save_approved
        )
        self.version_choice = QComboBox(box)
        self.version_choice.setMinimumWidth(150)
        named(self.version_choice, self.tr("Which approved version to save"))
        version_caption = QLabel(self.tr("Versio&n"), box)
        version_caption.setBuddy(self.version_choice)
        for widget in (self.draft_button, self.approve_button, self.approved_button):
            row.addWidget(widget)
        row.addSpacing(6)
        row.addWidget(version_caption)
        row.addWidget(self.version_choice, 1)
        layout.addLayout(row)
        return box

    def _build_lists(self) -> QGroupBox:
        box = QGroupBox(self.tr("Agency action lists"), self)
        grid = QGridLayout(box)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.lists_note = self._note(
            box,
            self.tr(
                "Each agency gets only its own actions: those agreed at this meeting and its "
                "overdue ones from earlier meetings. One PDF per agency, named after it."
            )
            if self.meeting_id is not None
            else self.tr(
                "Each agency gets only its own open actions, whichever meeting agreed them. "
                "One PDF per agency, named after it."
            ),
            self.tr("About agency action lists"),
        )
        self._lists_about = self.lists_note.text()
        grid.addWidget(self.lists_note, 0, 0, 1, 2)
        self.all_agencies = QCheckBox(self.tr("All a&gencies"), box)
        self.all_agencies.setTristate(False)
        named(self.all_agencies, self.tr("All agencies"))
        self.all_agencies.clicked.connect(self._all_clicked)
        grid.addWidget(self.all_agencies, 1, 0)
        self.agency_list = QListWidget(box)
        self.agency_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.agency_list.setMinimumHeight(96)
        named(
            self.agency_list,
            self.tr("Agencies to send a list to"),
            self.tr("Space ticks or unticks the agency"),
        )
        self.agency_list.itemChanged.connect(lambda _item: self._ticks_changed())
        grid.addWidget(self.agency_list, 2, 0)

        right = QVBoxLayout()
        caption = QLabel(self.tr("&Identify each case by"), box)
        self.identify = QComboBox(box)
        for key, label in IDENTIFY_LABELS.items():
            self.identify.addItem(self.tr(label), key)
        named(self.identify, self.tr("How the lists identify each case"))
        caption.setBuddy(self.identify)
        self.identify_note = self._note(box, "", self.tr("About the identification"))
        self.identify.currentIndexChanged.connect(lambda _i: self._identify_changed())
        grid.addWidget(caption, 1, 1)
        right.addWidget(self.identify)
        right.addWidget(self.identify_note)
        right.addStretch(1)
        grid.addLayout(right, 2, 1)
        buttons = QHBoxLayout()
        self.lists_button = self._button(box, self.tr("Save action &lists…"), self.save_lists)
        self.table_button = self._button(
            box, self.tr("Save all actions as a &spreadsheet…"), self.save_table
        )
        self.table_button.setToolTip(
            self.tr("CSV or Excel, for your own records; spreadsheets cannot carry a password")
        )
        buttons.addWidget(self.lists_button)
        buttons.addWidget(self.table_button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 3, 0, 1, 2)
        return box

    def _build_agenda(self) -> QGroupBox:
        box = QGroupBox(self.tr("Agenda (case list)"), self)
        layout = QHBoxLayout(box)
        layout.addWidget(
            self._note(
                box,
                self.tr(
                    "Names and dates of birth, so agencies can research their records before "
                    "the meeting. PDF, CSV or Excel."
                ),
                self.tr("About the agenda"),
            ),
            1,
        )
        self.agenda_button = self._button(box, self.tr("Save ag&enda…"), self.save_agenda)
        layout.addWidget(self.agenda_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return box

    # ----- showing ---------------------------------------------------------------------------

    def reload(self) -> None:
        meeting_id, today = self.meeting_id, self.today()
        self._ctx.runner.run(
            self.tr("Reading the documents"),
            lambda _t: load(self._ctx, meeting_id, today),
            show_progress=False,
            on_success=self._loaded,
            on_error=lambda exc: self.message.show_error(
                self.tr("The meeting could not be read: {error}").format(error=error_text(exc))
            ),
            context=self,
        )

    def _loaded(self, data: Loaded) -> None:
        first = self.data is None
        self._show(data)
        if first:
            (self.whole_set_button if self.meeting_id is not None else self.lists_button).setFocus()
        self.loaded.emit()

    def _show(self, data: Loaded | None) -> None:
        self.data = data
        details = data.overview.details if data is not None else None
        if self.meeting_id is None:
            self.title.setText(self.tr("Every agency's list of its open actions"))
        elif details is not None:
            self.title.setText(
                self.tr("{panel} — {date}").format(
                    panel=details.panel, date=short_date(details.meeting_date)
                )
            )
        else:
            self.title.setText(self.tr("Reading the meeting…"))
        self.title.setAccessibleName(self.title.text())
        if data is None:
            self._update_buttons()
            return
        if not self._identify_set:  # the setting, until the coordinator chooses otherwise
            self.identify.setCurrentIndex(max(self.identify.findData(data.identify), 0))
            self._identify_set = True
        self._identify_changed()
        self._show_agencies(data.overview.agencies)
        if data.minutes is not None:
            self._show_minutes(data.minutes)
        self._update_buttons()

    def _show_agencies(self, counts: Sequence[AgencyCount]) -> None:
        before = {
            self.agency_list.item(i).data(Qt.ItemDataRole.UserRole): self.agency_list.item(
                i
            ).checkState()
            for i in range(self.agency_list.count())
        }
        self.agency_list.blockSignals(True)
        self.agency_list.clear()
        for c in counts:
            item = QListWidgetItem(f"{c.agency} — {count_text(c.actions)}", self.agency_list)
            item.setData(Qt.ItemDataRole.UserRole, c.agency)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(before.get(c.agency, Qt.CheckState.Checked))
        self.agency_list.blockSignals(False)
        if self.agency_list.count():
            self.agency_list.setCurrentRow(0)
        self.all_agencies.setEnabled(bool(counts))
        self.lists_note.setText(
            self._lists_about
            if counts
            else self.tr("No agency has actions from this meeting: there are no lists to send.")
            if self.meeting_id is not None
            else self.tr("No agency has open actions: there are no lists to send.")
        )
        self.lists_note.setStyleSheet(f"color: {MUTED_COLOUR if counts else WARNING_COLOUR};")
        self._ticks_changed()

    def _show_minutes(self, state: MinutesState) -> None:
        latest = state.latest
        colour = MUTED_COLOUR
        if latest is None:
            text = self.tr(
                "Not approved yet. A draft carries DRAFT on every page; approve the minutes "
                "when the chair has agreed them."
            )
        else:
            recorded = uk_date(local_time(latest.approved_at).date()) if latest.approved_at else ""
            if latest.current:
                text = self.tr(
                    "Version {n} approved by {who} (recorded {day}). It matches the meeting as "
                    "it stands."
                ).format(n=latest.version, who=latest.approved_by, day=recorded)
            else:
                colour = WARNING_COLOUR
                text = self.tr(
                    "The meeting has changed since version {n} was approved by {who} "
                    "(recorded {day}). Save a draft, or approve the changes as version {next}."
                ).format(
                    n=latest.version, who=latest.approved_by, day=recorded, next=latest.version + 1
                )
        self.minutes_status.setText(text)
        self.minutes_status.setStyleSheet(f"color: {colour};")
        self.minutes_status.setAccessibleDescription(text)
        keep = self.version_choice.currentData()
        self.version_choice.clear()
        if latest is not None:
            self.version_choice.addItem(
                self.tr("Latest (version {n})").format(n=latest.version), None
            )
            for v in reversed(state.versions):
                day = uk_date(local_time(v.approved_at).date()) if v.approved_at else ""
                self.version_choice.addItem(
                    self.tr("Version {n} — {who}, {day}").format(
                        n=v.version, who=v.approved_by, day=day
                    ),
                    v.version,
                )
        index = self.version_choice.findData(keep)
        self.version_choice.setCurrentIndex(max(index, 0))

    def _identify_changed(self) -> None:
        key = str(self.identify.currentData() or "case_ref")
        text = self.tr(IDENTIFY_NOTES.get(key, ""))
        self.identify_note.setText(text)
        self.identify_note.setAccessibleDescription(text)

    def _all_clicked(self) -> None:
        on = self.all_agencies.isChecked()
        self.agency_list.blockSignals(True)
        for i in range(self.agency_list.count()):
            self.agency_list.item(i).setCheckState(
                Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            )
        self.agency_list.blockSignals(False)
        self._ticks_changed()

    def _ticks_changed(self) -> None:
        ticked = len(self.ticked_agencies())
        total = self.agency_list.count()
        self.all_agencies.setChecked(bool(total) and ticked == total)
        self.all_agencies.setText(
            self.tr("All a&gencies ({ticked} of {total} ticked)").format(ticked=ticked, total=total)
        )
        self._update_buttons()

    def ticked_agencies(self) -> list[str]:
        return [
            str(self.agency_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.agency_list.count())
            if self.agency_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update_buttons(self) -> None:
        ready = self.data is not None and not self.busy
        state = self.data.minutes if self.data is not None else None
        for button in self._actions:
            button.setEnabled(ready)
        self.approved_button.setEnabled(ready and state is not None and state.latest is not None)
        self.version_choice.setEnabled(self.approved_button.isEnabled())
        self.lists_button.setEnabled(ready and bool(self.ticked_agencies()))
        self.protect.setEnabled(not self.busy)

    # ----- doing -----------------------------------------------------------------------------

    def _run(self, title: str, work: Callable[[], Any], ok: Callable[[Any], str]) -> None:
        """Run `work` in the worker; show what it did (or why not) when it comes back."""
        self.busy = True
        self._update_buttons()
        self.message.show_note(title + "…")

        def succeeded(result: Any) -> None:
            self.busy = False
            text = ok(result)
            self.message.show_ok(text)
            self._update_buttons()
            self.worked.emit(True, text)

        def failed(exc: BaseException) -> None:
            self.busy = False
            text = error_text(exc)
            self.message.show_error(text)
            self._update_buttons()
            self.worked.emit(False, text)

        self._ctx.runner.run(
            title, lambda _t: work(), on_success=succeeded, on_error=failed, context=self
        )

    def _with_password(self, what: str, then: Callable[[str | None], None]) -> None:
        """Ask for a password if the PDFs are to be protected; then carry on with it."""
        if not self.protect.isChecked():
            then(None)
            return
        dialog = PasswordDialog(self, what=what)
        self.password_dialog = dialog
        dialog.chosen.connect(then)

        def closed(_code: int) -> None:
            if self.password_dialog is dialog:
                self.password_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(closed)
        dialog.open()

    def _choose_folder(self, caption: str) -> Path | None:
        folder = pick_folder(self, caption, self.folder)
        if folder is not None:
            self.folder = folder
        return folder

    def _choose_file(
        self, caption: str, name: str, kinds: Sequence[tuple[str, str]]
    ) -> Path | None:
        path = pick_new_file(self, caption, self.folder / name, kinds)
        if path is not None:
            self.folder = path.parent
            if path.exists():
                self.message.show_error(error_text(disclosures.FileClash(path)))
                return None
        return path

    def _identify(self) -> Any:
        return str(self.identify.currentData() or "case_ref")

    @property
    def _day(self) -> str:
        details = self.data.overview.details if self.data is not None else None
        return details.meeting_date.isoformat() if details is not None else ""

    def _protected(self, password: str | None) -> str:
        return (
            " " + self.tr("PDFs are protected with the password you typed: send it separately.")
            if password
            else ""
        )

    def _summary(self, folder: Path, files: Sequence[Written], password: str | None) -> str:
        lines = [
            (
                self.tr("Wrote 1 file to {folder}:")
                if len(files) == 1
                else self.tr("Wrote {n} files to {folder}:")
            ).format(n=len(files), folder=folder)
        ]
        for w in files:
            what = (
                self.tr("{agency}'s action list, {count}").format(
                    agency=w.what, count=count_text(w.actions)
                )
                if w.actions is not None
                else self.tr(w.what)
            )
            lines.append(f"• {w.path.name} — {what}")
        return "\n".join(lines) + self._protected(password)

    # whole set

    def write_whole_set(self) -> None:
        if self.meeting_id is None or self.data is None or self.busy:
            return
        folder = self._choose_folder(self.tr("Write the whole set into which folder?"))
        if folder is None:
            return
        meeting_id, identify = self.meeting_id, self._identify()
        store, actor = self._ctx.opened.store, self._ctx.opened.actor

        def go(password: str | None) -> None:
            def work() -> MeetingSet:
                return disclosures.write_meeting_set(
                    store,
                    actor,
                    meeting_id,
                    folder,
                    identify=identify,
                    password=password,
                    generated_at=now(),
                    marking=documents.protective_marking(store),
                )

            def ok(result: MeetingSet) -> str:
                text = self._summary(folder, result.files, password)
                if result.minutes == "draft":
                    text += "\n" + self.tr(
                        "The minutes are a DRAFT: they are not approved, or the meeting changed "
                        "after approval."
                    )
                else:
                    text += "\n" + self.tr("The minutes are approved version {n}.").format(
                        n=result.minutes_version
                    )
                return text

            self._run(self.tr("Writing the whole set"), work, ok)

        self._with_password(self.tr("This password protects every PDF of the set."), go)

    # minutes

    def save_draft(self) -> None:
        if self.meeting_id is None or self.busy:
            return
        path = self._choose_file(
            self.tr("Save the draft minutes as"), f"Minutes {self._day} (draft).pdf", [PDF]
        )
        if path is None:
            return
        meeting_id = self.meeting_id
        store, actor = self._ctx.opened.store, self._ctx.opened.actor

        def go(password: str | None) -> None:
            self._run(
                self.tr("Saving the draft minutes"),
                lambda: disclosures.save_new(
                    path,
                    lambda: disclosures.draft_minutes_file(
                        store,
                        actor,
                        meeting_id,
                        generated_at=now(),
                        marking=documents.protective_marking(store),
                        password=password,
                    ),
                ),
                lambda p: (
                    self.tr("Saved the draft minutes to {path}.").format(path=p)
                    + self._protected(password)
                ),
            )

        self._with_password(self.tr("This password protects the draft minutes."), go)

    def approve(self) -> None:
        if self.meeting_id is None or self.data is None or self.busy:
            return
        if self.approve_dialog is not None:
            self.approve_dialog.raise_()
            return
        details = self.data.overview.details
        dialog = ApproveDialog(details.chair if details else "", self.today(), self)
        self.approve_dialog = dialog
        meeting_id = self.meeting_id
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        state = self.data.minutes
        before = state.latest if state is not None else None

        def submit(values: Any) -> None:
            assert isinstance(values, ApprovalChoice)

            def succeeded(version: int) -> None:
                dialog.succeeded()
                if before is not None and before.version == version and before.current:
                    text = self.tr(
                        "Nothing has changed since version {n}: it stays the approved version."
                    ).format(n=version)
                else:
                    text = self.tr(
                        "Minutes approved as version {n} by {who}. Save approved minutes… "
                        "(Alt+V) saves the copy to send."
                    ).format(n=version, who=values.approved_by)
                self.message.show_ok(text)
                self._ctx.events.data_changed.emit()
                self.approved_button.setFocus()
                self.reload()
                self.worked.emit(True, text)

            def failed(exc: BaseException) -> None:
                text = error_text(exc)
                dialog.failed(text)
                self.worked.emit(False, text)

            self._ctx.runner.run(
                self.tr("Approving the minutes"),
                lambda _t: minutes.approve(
                    store,
                    actor,
                    meeting_id,
                    approved_by=values.approved_by,
                    on=values.on,
                    marking=documents.protective_marking(store),
                ),
                on_success=succeeded,
                on_error=failed,
                context=self,
            )

        dialog.submitted.connect(submit)

        def closed(_code: int) -> None:
            if self.approve_dialog is dialog:
                self.approve_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(closed)
        dialog.open()

    def save_approved(self) -> None:
        state = self.data.minutes if self.data is not None else None
        if self.meeting_id is None or state is None or state.latest is None or self.busy:
            return
        chosen = self.version_choice.currentData()
        version = int(chosen) if chosen is not None else None
        shown = version if version is not None else state.latest.version
        path = self._choose_file(
            self.tr("Save the approved minutes as"),
            f"Minutes {self._day} (version {shown}).pdf",
            [PDF],
        )
        if path is None:
            return
        meeting_id = self.meeting_id
        store, actor = self._ctx.opened.store, self._ctx.opened.actor

        def go(password: str | None) -> None:
            self._run(
                self.tr("Saving the approved minutes"),
                lambda: disclosures.save_new(
                    path,
                    lambda: disclosures.approved_minutes_file(
                        store, actor, meeting_id, version, password
                    ),
                ),
                lambda p: (
                    self.tr("Saved version {n} of the minutes to {path}.").format(n=shown, path=p)
                    + self._protected(password)
                ),
            )

        self._with_password(self.tr("This password protects the approved minutes."), go)

    # agency lists

    def save_lists(self) -> None:
        agencies = self.ticked_agencies()
        if self.data is None or self.busy:
            return
        if not agencies:
            self.message.show_error(self.tr("Tick at least one agency."))
            return
        folder = self._choose_folder(self.tr("Save the agency action lists into which folder?"))
        if folder is None:
            return
        meeting_id, identify = self.meeting_id, self._identify()
        store, actor = self._ctx.opened.store, self._ctx.opened.actor

        def go(password: str | None) -> None:
            self._run(
                self.tr("Saving the agency action lists"),
                lambda: disclosures.write_agency_lists(
                    store,
                    actor,
                    folder,
                    meeting_id=meeting_id,
                    agencies=agencies,
                    identify=identify,
                    password=password,
                    generated_at=now(),
                    marking=documents.protective_marking(store),
                ),
                lambda files: self._summary(folder, files, password),
            )

        self._with_password(self.tr("This password protects each agency's action list."), go)

    def save_table(self) -> None:
        if self.data is None or self.busy:
            return
        name = f"Actions {self._day}" if self.meeting_id is not None else "Open actions"
        path = self._choose_file(self.tr("Save the actions as"), f"{name}.xlsx", [XLSX, CSV])
        if path is None:
            return
        meeting_id = self.meeting_id
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        fmt = "csv" if path.suffix.lower() == ".csv" else "xlsx"
        unprotected = (
            " " + self.tr("Spreadsheets cannot carry a password: send it by secure e-mail.")
            if self.protect.isChecked()
            else ""
        )
        self._run(
            self.tr("Saving the actions"),
            lambda: disclosures.save_new(
                path,
                lambda: disclosures.actions_table(
                    store,
                    actor,
                    meeting_id=meeting_id,
                    agency=None,
                    fmt=fmt,
                    generated_at=now(),
                ),
            ),
            lambda p: self.tr("Saved the actions to {path}.").format(path=p) + unprotected,
        )

    # agenda and calendar

    def save_agenda(self) -> None:
        if self.meeting_id is None or self.busy:
            return
        path = self._choose_file(
            self.tr("Save the agenda as"), f"Agenda {self._day}.pdf", [PDF, CSV, XLSX]
        )
        if path is None:
            return
        fmt = path.suffix.lower()[1:]
        meeting_id = self.meeting_id
        store, actor = self._ctx.opened.store, self._ctx.opened.actor

        def go(password: str | None) -> None:
            self._run(
                self.tr("Saving the agenda"),
                lambda: disclosures.save_new(
                    path,
                    lambda: disclosures.agenda_file(
                        store,
                        actor,
                        meeting_id,
                        fmt=fmt,
                        generated_at=now(),
                        marking=documents.protective_marking(store),
                        password=password,
                    ),
                ),
                lambda p: (
                    self.tr("Saved the agenda to {path}.").format(path=p)
                    + self._protected(password)
                ),
            )

        if fmt == "pdf":
            self._with_password(self.tr("This password protects the agenda."), go)
        else:
            go(None)

    def save_calendar(self) -> None:
        if self.busy:
            return
        path = self._choose_file(self.tr("Save the calendar as"), "MARAC meetings.ics", [ICS])
        if path is None:
            return
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        self._run(
            self.tr("Saving the calendar"),
            lambda: disclosures.save_new(
                path, lambda: disclosures.calendar_file(store, actor, generated_at=now())
            ),
            lambda p: self.tr("Saved the calendar to {path}.").format(path=p),
        )
