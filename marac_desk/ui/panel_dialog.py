"""Dialogs about a panel: its settings (cadence, bank holidays, deadlines, case cap, quorum) and
planning its meetings from the cadence, with the dates shown before anything is created.

`FormDialog` is the shape the meeting dialogs share: fields with their problem shown beside
them, an OK button that says what it does, and `submitted` carrying the values once the dialog's
own checks pass. The area does the work and calls `succeeded()` (the dialog closes) or
`failed()` (the dialog stays open with the problem shown), so nothing typed is lost to an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractItemModel, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core.cadence import (
    CadenceError,
    CadenceKind,
    OnHoliday,
    parse_cadence,
    plan_meetings,
)
from marac_desk.core.meeting_rules import QuorumRule
from marac_desk.core.referral_rules import Problem
from marac_desk.core.working_days import Region
from marac_desk.services.panels import PANEL_TYPE_LABELS, PanelConfig, PanelRejected, check_config
from marac_desk.ui.area import RowsModel
from marac_desk.ui.referral_form import DateField
from marac_desk.ui.widgets import MUTED_COLOUR, MessageLabel, name_unnamed_buttons, named, tr

CONTEXT = "Meetings"
CADENCE_EXAMPLES = (
    "daily · weekly:wed · fortnightly:tue · every-6-weeks:thu · monthly:2:wed · monthly:last:fri"
)
ON_HOLIDAY_LABELS: tuple[tuple[OnHoliday, str], ...] = (
    (
        OnHoliday.NEXT_WORKING_DAY,
        str(QT_TRANSLATE_NOOP("Meetings", "Move it to the next working day")),
    ),
    (OnHoliday.SKIP, str(QT_TRANSLATE_NOOP("Meetings", "Skip it"))),
)


def _dtr(text: str) -> str:
    """Translate a dialog's title before the dialog exists."""
    return tr(text, CONTEXT)


def lower_first(text: str) -> str:
    """'Weekly on Wednesday' → 'weekly on Wednesday' (day names keep their capital)."""
    return text[:1].lower() + text[1:]


def short_date(day: date | None) -> str:
    """'Wed 02 Dec 2026': the weekday matters for meetings."""
    return day.strftime("%a %d %b %Y") if day else ""


def hhmm(at: time | None) -> str:
    return at.strftime("%H:%M") if at else ""


def to_qtime(at: time | None) -> QTime:
    return QTime(at.hour, at.minute) if at else QTime(10, 0)


def from_qtime(value: QTime) -> time:
    return time(value.hour(), value.minute())


class FormDialog(QDialog):
    """Fields with their problems beside them; `submitted` once the dialog's own checks pass."""

    submitted = Signal(object)

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.busy = False
        self.messages: dict[str, MessageLabel] = {}
        self.outer = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(8)
        self.outer.addLayout(self.form)
        self.error = MessageLabel(self, name=self.tr("Problem"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setText(ok_text)
        self.ok_button.setToolTip(self.tr("{what} (Ctrl+Enter)").format(what=ok_text))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.accept)

    def finish(self) -> None:
        """Add the general problem line and the buttons below everything built so far."""
        self.outer.addWidget(self.error)
        self.outer.addWidget(self.buttons)
        name_unnamed_buttons(self)

    def add_field(self, key: str, caption: str, widget: QWidget, note: str = "") -> MessageLabel:
        """A row: the caption (its mnemonic focuses the field), the field, a note, its problem."""
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        if note:
            hint = QLabel(note, box)
            hint.setWordWrap(True)
            hint.setStyleSheet(f"color: {MUTED_COLOUR};")
            layout.addWidget(hint)
        message = MessageLabel(box, name=self.tr("{field}: problem").format(field=caption))
        layout.addWidget(message)
        label = QLabel(caption, self)
        label.setBuddy(widget)
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus and widget.focusProxy() is None:
            # A group of fields: the caption's mnemonic goes to the first one.
            first = next(
                (
                    w
                    for w in widget.findChildren(QWidget)
                    if w.focusPolicy() != Qt.FocusPolicy.NoFocus
                ),
                None,
            )
            if first is not None:
                widget.setFocusProxy(first)
        self.form.addRow(label, box)
        self.messages[key] = message
        return message

    def values(self) -> object | None:
        """The values to submit, or None after showing what is wrong (override)."""
        return None

    def problem(self, key: str, text: str) -> None:
        self.messages.get(key, self.error).show_error(text)

    def accept(self) -> None:
        if self.busy:
            return
        for message in (*self.messages.values(), self.error):
            message.clear_message()
        found = self.values()
        if found is None:
            return
        self.busy = True
        self.ok_button.setEnabled(False)
        self.error.show_note(self.tr("Saving…"))
        self.submitted.emit(found)

    def succeeded(self) -> None:
        self.busy = False
        super().accept()

    def failed(self, text: str, problems: Iterable[Problem] = ()) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.error.clear_message()
        shown = False
        for p in problems:
            self.problem(p.field, p.message)
            shown = True
        if not shown:
            self.error.show_error(text)


def make_table(parent: QWidget, model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only table of whole rows, one selected at a time, Tab leaving it."""
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setHighlightSections(False)
    named(table, name)
    return table


def spin(
    parent: QWidget, span: tuple[int, int], value: int, name: str, suffix: str = ""
) -> QSpinBox:
    box = QSpinBox(parent)
    box.setRange(*span)
    box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    box.setValue(value)
    if suffix:
        box.setSuffix(suffix)
    named(box, name)
    return box


def _tick(on: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked


class AgencyChecklist(QListWidget):
    """Agencies with a tick each; Space ticks the current one."""

    def __init__(self, parent: QWidget, agencies: Sequence[str], ticked: Iterable[str], name: str):
        super().__init__(parent)
        chosen = {a.casefold() for a in ticked}
        for agency in agencies:
            item = QListWidgetItem(agency, self)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if agency.casefold() in chosen else Qt.CheckState.Unchecked
            )
        named(self, name, self.tr("Space ticks or unticks the agency"))
        if self.count():
            self.setCurrentRow(0)

    def ticked(self) -> list[str]:
        return [
            self.item(i).text()
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_ticked(self, names: Iterable[str]) -> None:
        chosen = {n.casefold() for n in names}
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(
                Qt.CheckState.Checked
                if item.text().casefold() in chosen
                else Qt.CheckState.Unchecked
            )


class PanelDialog(FormDialog):
    """A panel's settings. `submitted` carries a PanelConfig that passed `check_config`."""

    def __init__(  # noqa: PLR0915 - builds the fields in reading order
        self,
        config: PanelConfig | None,
        agencies: Sequence[str],
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        editing = config is not None
        super().__init__(
            _dtr("Panel settings") if editing else _dtr("New panel"),
            _dtr("Save panel") if editing else _dtr("Create panel"),
            parent,
        )
        self.setMinimumWidth(620)
        self._base = config or PanelConfig(id=None, name="")
        self._today = today or date.today()
        base = self._base

        self.name = QLineEdit(base.name, self)
        self.name.setMaxLength(120)
        self.name.setPlaceholderText(self.tr("For example Northtown MARAC"))
        named(self.name, self.tr("Panel name"))
        self.add_field("name", self.tr("&Name"), self.name)

        self.panel_type = QComboBox(self)
        for code, text in PANEL_TYPE_LABELS.items():
            self.panel_type.addItem(tr(text, CONTEXT), code)
        self.panel_type.setCurrentIndex(max(0, self.panel_type.findData(base.panel_type)))
        named(self.panel_type, self.tr("Panel type"))
        self.add_field("panel_type", self.tr("&Type"), self.panel_type)

        self.cadence = QLineEdit(base.cadence, self)
        self.cadence.setMaxLength(40)
        self.cadence.setPlaceholderText("weekly:wed")
        named(self.cadence, self.tr("Cadence"), self.tr("How often the panel meets"))
        cadence_box = QWidget(self)
        cadence_layout = QVBoxLayout(cadence_box)
        cadence_layout.setContentsMargins(0, 0, 0, 0)
        cadence_layout.setSpacing(2)
        cadence_layout.addWidget(self.cadence)
        self.cadence_description = MessageLabel(cadence_box, name=self.tr("Cadence in words"))
        cadence_layout.addWidget(self.cadence_description)
        self.next_dates = QLabel(cadence_box)
        self.next_dates.setWordWrap(True)
        self.next_dates.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.next_dates.setAccessibleName(self.tr("Next meeting dates"))
        cadence_layout.addWidget(self.next_dates)
        self.add_field(
            "cadence", self.tr("&Cadence"), cadence_box, self.tr("For example: ") + CADENCE_EXAMPLES
        )

        self.anchor = DateField(self, self.tr("First meeting of the series"))
        self.anchor.set_date(base.anchor)
        self.add_field(
            "anchor",
            self.tr("&First meeting"),
            self.anchor,
            self.tr("Fortnightly and every-N-weeks panels count their weeks from this date."),
        )

        self.region = QComboBox(self)
        for region in Region:
            self.region.addItem(self.tr(region.label), region.value)
        self.region.setCurrentIndex(max(0, self.region.findData(base.region.value)))
        named(self.region, self.tr("Whose bank holidays apply"))
        self.add_field("region", self.tr("&Bank holidays of"), self.region)

        self.on_holiday = QComboBox(self)
        for rule, text in ON_HOLIDAY_LABELS:
            self.on_holiday.addItem(tr(text, CONTEXT), rule.value)
        self.on_holiday.setCurrentIndex(max(0, self.on_holiday.findData(base.on_holiday.value)))
        named(self.on_holiday, self.tr("A meeting on a bank holiday"))
        self.add_field("on_holiday", self.tr("On a bank &holiday"), self.on_holiday)

        self.default_time = QTimeEdit(to_qtime(base.default_time), self)
        self.default_time.setDisplayFormat("HH:mm")
        named(self.default_time, self.tr("Usual start time"))
        self.venue = QLineEdit(base.venue, self)
        self.venue.setMaxLength(200)
        named(self.venue, self.tr("Usual venue"))
        when = QWidget(self)
        when_layout = QHBoxLayout(when)
        when_layout.setContentsMargins(0, 0, 0, 0)
        when_layout.addWidget(self.default_time)
        venue_label = QLabel(self.tr("&Venue"), when)
        venue_label.setBuddy(self.venue)
        when_layout.addWidget(venue_label)
        when_layout.addWidget(self.venue, 1)
        self.add_field("default_time", self.tr("Usual &start"), when)
        self.messages["venue"] = self.messages["default_time"]

        self.chair = QComboBox(self)
        self.chair.addItem(self.tr("(not set)"), "")
        for agency in agencies:
            self.chair.addItem(agency, agency)
        self.chair.setCurrentIndex(max(0, self.chair.findData(base.chair_agency)))
        named(self.chair, self.tr("Chair agency"))
        self.add_field("chair_agency", self.tr("Chai&r agency"), self.chair)

        self.cap_warn = spin(
            self, (1, 200), base.case_cap_warn, self.tr("Warn from this many cases")
        )
        self.cap_strong = spin(
            self, (1, 200), base.case_cap_strong, self.tr("Warn strongly above this many cases")
        )
        cap = QWidget(self)
        cap_layout = QHBoxLayout(cap)
        cap_layout.setContentsMargins(0, 0, 0, 0)
        cap_layout.addWidget(QLabel(self.tr("warn from"), cap))
        cap_layout.addWidget(self.cap_warn)
        cap_layout.addWidget(QLabel(self.tr("cases; strongly above"), cap))
        cap_layout.addWidget(self.cap_strong)
        cap_layout.addStretch(1)
        self.add_field(
            "case_cap",
            self.tr("Case &limit"),
            cap,
            self.tr("SafeLives treats 15 to 20 cases as the most a meeting can hear with care."),
        )

        self.quorum = AgencyChecklist(
            self, agencies, base.quorum.required_agencies, self.tr("Agencies that must be present")
        )
        self.quorum.setMaximumHeight(self.quorum.sizeHintForRow(0) * 6 + 8 if agencies else 60)
        self.quorum_minimum = spin(
            self, (0, 30), base.quorum.minimum_agencies, self.tr("Fewest agencies for a quorum")
        )
        quorum = QWidget(self)
        quorum_layout = QVBoxLayout(quorum)
        quorum_layout.setContentsMargins(0, 0, 0, 0)
        quorum_layout.addWidget(self.quorum)
        minimum_row = QHBoxLayout()
        minimum_label = QLabel(self.tr("and at least"), quorum)
        minimum_label.setBuddy(self.quorum_minimum)
        minimum_row.addWidget(minimum_label)
        minimum_row.addWidget(self.quorum_minimum)
        minimum_row.addWidget(QLabel(self.tr("agencies present"), quorum))
        minimum_row.addStretch(1)
        quorum_layout.addLayout(minimum_row)
        self.quorum_ticked = QLabel(quorum)
        self.quorum_ticked.setWordWrap(True)
        self.quorum_ticked.setAccessibleName(self.tr("Agencies that must attend"))
        quorum_layout.insertWidget(1, self.quorum_ticked)
        self.quorum.itemChanged.connect(lambda _i: self._show_ticked())
        self._show_ticked()
        self.add_field(
            "quorum", self.tr("&Quorum: must attend"), quorum, self.tr("Space ticks an agency.")
        )

        days = self.tr(" days before")
        self.agenda_days = spin(
            self, (0, 60), base.agenda_days_before, self.tr("Days before the list goes out"), days
        )
        self.cutoff_days = spin(
            self, (0, 60), base.referral_cutoff_days, self.tr("Referral cut-off, days before"), days
        )
        self.minutes_due = spin(
            self,
            (0, 30),
            base.minutes_due_working_days,
            self.tr("Working days to circulate minutes"),
            self.tr(" working days after"),
        )
        self.minutes_per_case = spin(
            self,
            (1, 120),
            max(1, base.minutes_per_case),
            self.tr("Minutes allowed per case"),
            self.tr(" minutes"),
        )
        self.add_field("agenda_days_before", self.tr("Case list &goes out"), self.agenda_days)
        self.add_field(
            "referral_cutoff_days",
            self.tr("Referral c&ut-off"),
            self.cutoff_days,
            self.tr("Referrals received by then are proposed for the meeting."),
        )
        self.add_field("minutes_due_working_days", self.tr("&Minutes due"), self.minutes_due)
        self.add_field("minutes_per_case", self.tr("Time &per case"), self.minutes_per_case)
        self.active = QCheckBox(self.tr("In use"), self)
        self.active.setChecked(base.active)
        named(self.active, self.tr("The panel is in use"))
        self.add_field(
            "active",
            self.tr("Panel &in use"),
            self.active,
            self.tr("A panel out of use takes no new referrals; its meetings and cases stay."),
        )
        self.finish()

        self.cadence.textChanged.connect(lambda _t: self.describe())
        for combo in (self.region, self.on_holiday):
            combo.currentIndexChanged.connect(lambda _i: self.describe())
        self.anchor.textChanged.connect(lambda _t: self.describe())
        self.describe()
        self.name.setFocus()

    def _show_ticked(self) -> None:
        ticked = self.quorum.ticked()
        self.quorum_ticked.setText(
            self.tr("Must attend: {agencies}").format(agencies=", ".join(ticked))
            if ticked
            else self.tr("No agency must attend; only the number present counts.")
        )

    # ----- the cadence, live ------------------------------------------------------------------

    def describe(self) -> None:
        """Say the cadence in words as it is typed, or what is wrong with it, and the next
        three meeting dates (bank holidays applied)."""
        config = self._config()
        self.next_dates.clear()
        try:
            cadence = config.parsed_cadence
        except CadenceError as exc:
            self.cadence_description.show_error(str(exc))
            self.anchor.setEnabled(False)
            return
        self.cadence_description.show_ok(self.tr(cadence.describe()))
        self.anchor.setEnabled(cadence.kind is CadenceKind.WEEKLY and cadence.every_weeks > 1)
        start = self._today
        try:
            plan = plan_meetings(
                cadence,
                start,
                start + timedelta(days=400),
                region=config.region,
                on_holiday=config.on_holiday,
                anchor=config.anchor,
            )
        except ValueError:
            return
        held = [p.held_on for p in plan if p.held_on is not None][:3]
        if held:
            self.next_dates.setText(
                self.tr("Next: {dates}").format(dates=", ".join(short_date(d) for d in held))
            )

    def _config(self) -> PanelConfig:
        anchor = self.anchor.parsed().value if self.anchor.isEnabled() else None
        return replace(
            self._base,
            name=" ".join(self.name.text().split()),
            panel_type=str(self.panel_type.currentData()),
            cadence=self.cadence.text().strip(),
            default_time=from_qtime(self.default_time.time()),
            venue=self.venue.text().strip(),
            chair_agency=str(self.chair.currentData() or ""),
            region=Region(str(self.region.currentData())),
            on_holiday=OnHoliday(str(self.on_holiday.currentData())),
            anchor=anchor,
            case_cap_warn=self.cap_warn.value(),
            case_cap_strong=self.cap_strong.value(),
            quorum=QuorumRule(tuple(self.quorum.ticked()), self.quorum_minimum.value()),
            agenda_days_before=self.agenda_days.value(),
            referral_cutoff_days=self.cutoff_days.value(),
            minutes_due_working_days=self.minutes_due.value(),
            minutes_per_case=self.minutes_per_case.value(),
            active=self.active.isChecked(),
        )

    def values(self) -> PanelConfig | None:
        config = self._config()
        bad = False
        if not config.name:
            self.problem("name", self.tr("Give the panel a name."))
            bad = True
        anchor_text = self.anchor.parsed()
        if self.anchor.isEnabled() and anchor_text.problem:
            self.problem("anchor", anchor_text.problem)
            bad = True
        if config.case_cap_warn > config.case_cap_strong:
            self.problem(
                "case_cap", self.tr("The warning must come at or before the strong warning.")
            )
            bad = True
        try:
            parse_cadence(config.cadence)
        except CadenceError:
            self.cadence.setFocus()
            return None
        if bad:
            return None
        try:
            check_config(config)
        except PanelRejected as exc:
            self.error.show_error(str(exc))
            return None
        return config


# ----- planning meetings ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanChoice:
    start: date
    end: date
    new_dates: tuple[date, ...]


class PlanDialog(FormDialog):
    """Plan meetings from the cadence over a period: the dates are shown before any is made."""

    def __init__(
        self,
        config: PanelConfig,
        taken: Iterable[date],
        start: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            _dtr("Plan meetings for {panel}").format(panel=config.name),
            _dtr("Add meetings"),
            parent,
        )
        self.setMinimumSize(560, 480)
        self._config = config
        self._taken = set(taken)
        self.new_dates: tuple[date, ...] = ()
        intro = QLabel(
            self.tr(
                "{panel} meets: {cadence}. Meetings that fall on a bank holiday are {rule}. "
                "Dates already in the schedule (or moved or cancelled from it) are not added "
                "again."
            ).format(
                panel=config.name,
                cadence=lower_first(self.tr(config.parsed_cadence.describe())),
                rule=self.tr("moved to the next working day")
                if config.on_holiday is OnHoliday.NEXT_WORKING_DAY
                else self.tr("skipped"),
            ),
            self,
        )
        intro.setWordWrap(True)
        self.outer.insertWidget(0, intro)
        self.start = DateField(self, self.tr("Plan from date"))
        self.start.set_date(start)
        self.end = DateField(self, self.tr("Plan up to date"))
        self.end.set_date(start + timedelta(weeks=13) - timedelta(days=1))
        self.add_field("start", self.tr("&From"), self.start)
        self.add_field("end", self.tr("&To"), self.end)
        self.preview_model = RowsModel([self.tr("Date"), self.tr("What happens")], parent=self)
        self.preview = make_table(self, self.preview_model, self.tr("Meetings to be added"))
        self.preview.setColumnWidth(
            0, self.preview.fontMetrics().horizontalAdvance("Wed 00 Sep 0000") + 16
        )
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.outer.addWidget(self.preview, 1)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("How many meetings will be added"))
        self.outer.addWidget(self.summary)
        self.finish()
        for edit in (self.start, self.end):
            edit.textChanged.connect(lambda _t: self.refresh())
        self.refresh()
        self.start.setFocus()

    def refresh(self) -> None:
        start, end = self.start.parsed(), self.end.parsed()
        self.new_dates = ()
        if start.value is None or end.value is None:
            self.preview_model.set_rows([])
            self.summary.setText(self.tr("Type both dates as DD/MM/YYYY."))
            self.ok_button.setEnabled(False)
            return
        try:
            plan = plan_meetings(
                self._config.parsed_cadence,
                start.value,
                end.value,
                region=self._config.region,
                on_holiday=self._config.on_holiday,
                anchor=self._config.anchor,
            )
        except ValueError as exc:
            self.preview_model.set_rows([])
            self.summary.setText(str(exc))
            self.ok_button.setEnabled(False)
            return
        rows: list[tuple[str, str]] = []
        new: list[date] = []
        for meeting in plan:
            if meeting.held_on is None:
                rows.append(
                    (
                        short_date(meeting.scheduled),
                        self.tr("Not held: {why}").format(why=meeting.note),
                    )
                )
            elif meeting.held_on in self._taken:
                rows.append((short_date(meeting.held_on), self.tr("Already in the schedule")))
            else:
                new.append(meeting.held_on)
                what = self.tr("New meeting")
                if meeting.note:
                    what += " — " + meeting.note
                rows.append((short_date(meeting.held_on), what))
        self.new_dates = tuple(new)
        self.preview_model.set_rows(rows)
        n = len(new)
        self.summary.setText(
            self.tr("No new meetings in that period.")
            if not n
            else self.tr("1 new meeting will be added.")
            if n == 1
            else self.tr("{n} new meetings will be added.").format(n=n)
        )
        self.ok_button.setEnabled(bool(n) and not self.busy)
        self.ok_button.setText(
            self.tr("Add {n} meetings").format(n=n) if n != 1 else self.tr("Add 1 meeting")
        )

    def values(self) -> PlanChoice | None:
        start, end = self.start.parsed(), self.end.parsed()
        if start.value is None:
            self.problem("start", start.problem or self.tr("Type the first date."))
            return None
        if end.value is None:
            self.problem("end", end.problem or self.tr("Type the last date."))
            return None
        if end.value < start.value:
            self.problem("end", self.tr("The period ends before it starts."))
            return None
        if not self.new_dates:
            self.error.show_error(self.tr("No new meetings in that period."))
            return None
        return PlanChoice(start.value, end.value, self.new_dates)
