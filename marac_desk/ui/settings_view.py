"""The settings area: partnership, protective marking, auto-lock, the store file, user profiles."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import settings, users
from marac_desk.ui import store_actions
from marac_desk.ui.area import AreaContext, RowsModel
from marac_desk.ui.dialogs import NewPassphraseDialog
from marac_desk.ui.widgets import MUTED_COLOUR, MessageLabel, heading, named, safe_error

MARKINGS = ("OFFICIAL-SENSITIVE", "OFFICIAL", "RESTRICTED when complete")
IDENTIFY_LABELS = {
    "case_ref": "Case reference only",
    "initials": "Case reference and the victim's initials",
    "name_dob": "Case reference, the victim's name and date of birth",
}

_ROLE_LABELS = {
    "coordinator": "Coordinator",
    "deputy": "Deputy coordinator",
    "administrator": "Administrator",
    "read_only": "Read only",
}


class SettingsView(QWidget):
    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._profiles: tuple[users.Profile, ...] = ()
        self.passphrase_dialog: NewPassphraseDialog | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.addWidget(heading(self.tr("Settings"), 1, self))
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        named(scroll, self.tr("Settings"))
        body = QWidget(scroll)
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(16)
        left = QVBoxLayout()
        left.setSpacing(16)
        left.addWidget(self._build_partnership(body))
        left.addWidget(self._build_store(body))
        left.addStretch(1)
        columns.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(self._build_profiles(body))
        right.addWidget(self._build_meetings(body))
        right.addStretch(1)
        columns.addLayout(right, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save)

    # ----- building --------------------------------------------------------------------------

    def _field(self, field: QWidget, message: MessageLabel, note: str = "") -> QWidget:
        box = QWidget(field.parentWidget())
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        if note:
            hint = QLabel(note, box)
            hint.setWordWrap(True)
            hint.setStyleSheet(f"color: {MUTED_COLOUR};")
            layout.addWidget(hint)
        layout.addWidget(message)
        return box

    def _build_partnership(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Partnership and security"), parent)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)

        self.partnership = QLineEdit(group)
        self.partnership.setMaxLength(120)
        named(self.partnership, self.tr("Partnership name"))
        self.partnership_message = MessageLabel(group, name=self.tr("Partnership name message"))
        form.addRow(
            self.tr("&Partnership name:"), self._field(self.partnership, self.partnership_message)
        )

        self.marking = QComboBox(group)
        self.marking.setEditable(True)
        self.marking.addItems(list(MARKINGS))
        self.marking.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        named(self.marking, self.tr("Protective marking"))
        assert self.marking.lineEdit() is not None
        self.marking.lineEdit().setMaxLength(120)
        self.marking_message = MessageLabel(group, name=self.tr("Protective marking message"))
        form.addRow(
            self.tr("Protective &marking:"),
            self._field(
                self.marking,
                self.marking_message,
                self.tr("Printed at the top and bottom of every page of every document."),
            ),
        )

        self.auto_lock = QSpinBox(group)
        low, high = settings.AUTO_LOCK_RANGE
        self.auto_lock.setRange(low, high)
        self.auto_lock.setSuffix(self.tr(" minutes"))
        self.auto_lock.setMaximumWidth(160)
        named(self.auto_lock, self.tr("Auto-lock after this many idle minutes"))
        self.auto_lock_message = MessageLabel(group, name=self.tr("Auto-lock message"))
        form.addRow(
            self.tr("&Lock when idle for:"),
            self._field(
                self.auto_lock,
                self.auto_lock_message,
                self.tr("With no keyboard or mouse use for this long, the store locks itself."),
            ),
        )

        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Save settings"), group)
        self.save_button.setToolTip(self.tr("Save (Ctrl+S)"))
        named(self.save_button, self.tr("Save settings"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(self.tr("Undo &changes"), group)
        named(self.revert_button, self.tr("Undo unsaved changes"))
        self.revert_button.clicked.connect(self.load)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.save_message = MessageLabel(group, name=self.tr("Settings message"))
        form.addRow(self.save_message)
        return group

    def _build_store(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Store file"), parent)
        layout = QVBoxLayout(group)
        intro = QLabel(
            self.tr("All records are in this one encrypted file. Back it up regularly."), group
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.location = QLineEdit(str(self._ctx.opened.store.path), group)
        self.location.setReadOnly(True)
        named(self.location, self.tr("Store location"))
        layout.addWidget(self.location)
        row = QHBoxLayout()
        self.backup_button = QPushButton(self.tr("&Back up now…"), group)
        named(self.backup_button, self.tr("Back up now"))
        self.backup_button.clicked.connect(self.back_up)
        self.passphrase_button = QPushButton(self.tr("Change pass&phrase…"), group)
        named(self.passphrase_button, self.tr("Change passphrase"))
        self.passphrase_button.clicked.connect(self.change_passphrase)
        if self._ctx.demo_passphrase:
            self.passphrase_button.setEnabled(False)
            self.passphrase_button.setToolTip(self.tr("The demo store keeps its demo passphrase."))
        row.addWidget(self.backup_button)
        row.addWidget(self.passphrase_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.store_message = MessageLabel(group, name=self.tr("Store file message"))
        layout.addWidget(self.store_message)
        return group

    def _build_profiles(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("User profiles"), parent)
        layout = QVBoxLayout(group)
        intro = QLabel(
            self.tr(
                "Everyone who works in this store has a profile; the audit trail names it. "
                "Profiles are never deleted, only deactivated."
            ),
            group,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.profile_model = RowsModel(
            [self.tr("Name"), self.tr("Role"), self.tr("Status")], parent=self
        )
        self.profile_table = QTableView(group)
        self.profile_table.setModel(self.profile_model)
        self.profile_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.profile_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.profile_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.profile_table.verticalHeader().hide()
        self.profile_table.setTabKeyNavigation(False)
        header = self.profile_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        named(self.profile_table, self.tr("User profiles"))
        self.profile_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_toggle()
        )
        layout.addWidget(self.profile_table, 1)
        self.toggle_button = QPushButton(self.tr("&Deactivate"), group)
        named(self.toggle_button, self.tr("Deactivate or reactivate the selected profile"))
        self.toggle_button.clicked.connect(self.toggle_selected)
        toggle_row = QHBoxLayout()
        toggle_row.addWidget(self.toggle_button)
        toggle_row.addStretch(1)
        layout.addLayout(toggle_row)
        self.profile_message = MessageLabel(group, name=self.tr("User profile message"))
        layout.addWidget(self.profile_message)

        add_row = QHBoxLayout()
        self.new_profile_name = QLineEdit(group)
        self.new_profile_name.setMaxLength(120)
        self.new_profile_name.setPlaceholderText(self.tr("Name of the new profile"))
        named(self.new_profile_name, self.tr("New profile name"))
        self.new_profile_name.returnPressed.connect(self.add_profile)
        self.new_profile_role = QComboBox(group)
        for role in users.ROLES:
            self.new_profile_role.addItem(self.tr(_ROLE_LABELS.get(role, role)), role)
        named(self.new_profile_role, self.tr("New profile role"))
        self.add_button = QPushButton(self.tr("&Add profile"), group)
        named(self.add_button, self.tr("Add profile"))
        self.add_button.clicked.connect(self.add_profile)
        add_row.addWidget(self.new_profile_name, 1)
        add_row.addWidget(self.new_profile_role)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)
        self.add_message = MessageLabel(group, name=self.tr("New profile message"))
        layout.addWidget(self.add_message)
        return group

    def _build_meetings(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Meetings and documents"), parent)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)

        self.statement = QPlainTextEdit(group)
        self.statement.setTabChangesFocus(True)
        self.statement.setMinimumHeight(110)
        named(self.statement, self.tr("Confidentiality statement"))
        self.statement_message = MessageLabel(group, name=self.tr("Statement message"))
        form.addRow(
            self.tr("Confidentiality s&tatement:"),
            self._field(
                self.statement,
                self.statement_message,
                self.tr("Shown in the live meeting to be read aloud, and printed in the minutes."),
            ),
        )

        self.action_days = QSpinBox(group)
        low, high = settings.SPECS["action_due_days"].bounds or (1, 365)
        self.action_days.setRange(low, high)
        self.action_days.setSuffix(self.tr(" days"))
        self.action_days.setMaximumWidth(160)
        named(self.action_days, self.tr("Days from the meeting to an action's due date"))
        self.action_days_message = MessageLabel(group, name=self.tr("Action due days message"))
        form.addRow(
            self.tr("Actions &due after:"),
            self._field(
                self.action_days,
                self.action_days_message,
                self.tr("A new action's due date unless one is typed."),
            ),
        )

        self.identify = QComboBox(group)
        for key, label in IDENTIFY_LABELS.items():
            self.identify.addItem(self.tr(label), key)
        named(self.identify, self.tr("How agency action lists identify a case"))
        self.identify_message = MessageLabel(group, name=self.tr("Identification message"))
        form.addRow(
            self.tr("Agency lists &identify:"),
            self._field(
                self.identify,
                self.identify_message,
                self.tr("Share only what each agency needs: the case reference is usually enough."),
            ),
        )

        buttons = QHBoxLayout()
        self.meetings_save = QPushButton(self.tr("Save &meeting settings"), group)
        named(self.meetings_save, self.tr("Save meeting settings"))
        self.meetings_save.clicked.connect(self.save_meeting_settings)
        buttons.addWidget(self.meetings_save)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.meetings_message = MessageLabel(group, name=self.tr("Meeting settings message"))
        form.addRow(self.meetings_message)
        return group

    # ----- loading ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.load()
        self.load_profiles()

    def load(self) -> None:
        values = settings.get_all(self._ctx.opened.store)
        self._apply(values)
        for message in (self.partnership_message, self.marking_message, self.auto_lock_message):
            message.clear_message()

    def _apply(self, values: dict[str, Any]) -> None:
        self.partnership.setText(str(values["partnership_name"]))
        self.marking.setCurrentText(str(values["protective_marking"]))
        self.auto_lock.setValue(int(values["auto_lock_minutes"]))
        self.statement.setPlainText(str(values["confidentiality_statement"]))
        self.action_days.setValue(int(values["action_due_days"]))
        index = self.identify.findData(values["action_list_identify"])
        self.identify.setCurrentIndex(max(index, 0))

    def load_profiles(self) -> None:
        self._profiles = users.list_profiles(self._ctx.opened.store, include_inactive=True)
        me = self._ctx.opened.actor.user_id
        rows = []
        for p in self._profiles:
            name = p.name + (self.tr("  (you)") if p.id == me else "")
            status = self.tr("Active") if p.active else self.tr("Deactivated")
            rows.append((name, self.tr(_ROLE_LABELS.get(p.role, p.role)), status))
        self.profile_model.set_rows(rows)
        self._update_toggle()

    # ----- actions ---------------------------------------------------------------------------

    def save(self) -> None:
        fields = {
            "partnership_name": (self.partnership, self.partnership_message),
            "protective_marking": (self.marking, self.marking_message),
            "auto_lock_minutes": (self.auto_lock, self.auto_lock_message),
        }
        for _, message in fields.values():
            message.clear_message()
        self.save_message.clear_message()
        changes = {
            "partnership_name": self.partnership.text(),
            "protective_marking": self.marking.currentText(),
            "auto_lock_minutes": self.auto_lock.value(),
        }
        problems = False
        for key, (widget, message) in fields.items():
            try:
                settings.validate(key, changes[key])
            except ValueError as exc:
                message.show_error(str(exc))
                if not problems:
                    widget.setFocus()
                problems = True
        if problems:
            self.save_message.show_error(self.tr("Nothing was saved: correct the fields in red."))
            return
        try:
            values = settings.update(self._ctx.opened.store, self._ctx.opened.actor, changes)
        except Exception as exc:
            self.save_message.show_error(safe_error(exc))
            return
        self._apply(values)
        self.save_message.show_ok(self.tr("Settings saved."))
        self._ctx.events.settings_changed.emit(values)
        self._ctx.events.data_changed.emit()

    def save_meeting_settings(self) -> None:
        self.meetings_message.clear_message()
        self.statement_message.clear_message()
        changes = {
            "confidentiality_statement": self.statement.toPlainText(),
            "action_due_days": self.action_days.value(),
            "action_list_identify": self.identify.currentData(),
        }
        try:
            settings.validate("confidentiality_statement", changes["confidentiality_statement"])
        except ValueError as exc:
            self.statement_message.show_error(str(exc))
            self.statement.setFocus()
            return
        try:
            values = settings.update(self._ctx.opened.store, self._ctx.opened.actor, changes)
        except Exception as exc:
            self.meetings_message.show_error(safe_error(exc))
            return
        self._apply(values)
        self.meetings_message.show_ok(self.tr("Meeting settings saved."))
        self._ctx.events.settings_changed.emit(values)

    def back_up(self) -> None:
        self.store_message.clear_message()

        def done(ok: bool, text: str) -> None:
            if ok:
                self.store_message.show_ok(text)
            else:
                self.store_message.show_error(text)

        store_actions.start_backup(self, self._ctx, done)

    def change_passphrase(self) -> None:
        self.store_message.clear_message()
        values = settings.get_all(self._ctx.opened.store)
        context = (str(values["partnership_name"]), self._ctx.opened.actor.name, "marac", "desk")
        dialog = NewPassphraseDialog(context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self._rekey)
        dialog.finished.connect(lambda _code: setattr(self, "passphrase_dialog", None))
        self.passphrase_dialog = dialog
        dialog.open()

    def _rekey(self, passphrase: str) -> None:
        def done(ok: bool, text: str) -> None:
            if ok:
                self.store_message.show_ok(text)
            else:
                self.store_message.show_error(text)

        store_actions.start_change_passphrase(self._ctx, passphrase, done)

    def _selected_profile(self) -> users.Profile | None:
        row = self.profile_table.currentIndex().row()
        return self._profiles[row] if 0 <= row < len(self._profiles) else None

    def _update_toggle(self) -> None:
        profile = self._selected_profile()
        self.toggle_button.setEnabled(profile is not None)
        if profile is not None and not profile.active:
            self.toggle_button.setText(self.tr("&Reactivate"))
        else:
            self.toggle_button.setText(self.tr("&Deactivate"))

    def toggle_selected(self) -> None:
        self.profile_message.clear_message()
        profile = self._selected_profile()
        if profile is None:
            return
        try:
            users.set_active(
                self._ctx.opened.store, self._ctx.opened.actor, profile.id, not profile.active
            )
        except ValueError as exc:
            self.profile_message.show_error(str(exc))
            return
        row = self.profile_table.currentIndex().row()
        self.load_profiles()
        self.profile_table.selectRow(row)
        self._ctx.events.data_changed.emit()

    def add_profile(self) -> None:
        self.add_message.clear_message()
        try:
            profile = users.add_profile(
                self._ctx.opened.store,
                self._ctx.opened.actor,
                self.new_profile_name.text(),
                str(self.new_profile_role.currentData()),
            )
        except ValueError as exc:
            self.add_message.show_error(str(exc))
            self.new_profile_name.setFocus()
            return
        self.new_profile_name.clear()
        self.load_profiles()
        self.add_message.show_ok(self.tr("Profile added: {name}").format(name=profile.name))
        self._ctx.events.data_changed.emit()
