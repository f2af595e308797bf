"""The doors into a store: create, unlock (with the profile choice), and a new passphrase.

Passphrase fields are read once and cleared at once; every failure message comes from the
`StoreError` raised by the services (its text is written to be shown) and appears next to the
field it is about.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from marac_desk import APP_NAME
from marac_desk.services import session, settings, users
from marac_desk.services.paths import AppPaths
from marac_desk.ui.widgets import (
    STORE_FILE_FILTER,
    MessageLabel,
    app_pixmap,
    heading,
    name_unnamed_buttons,
    named,
    pick_open_file,
    pick_save_file,
)

if TYPE_CHECKING:
    from marac_desk.services.session import Store


def _passphrase_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumWidth(320)
    # No undo history, no drag out, no context-menu copy of what was typed.
    field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    field.setDragEnabled(False)
    named(field, name)
    return field


def _text_field(parent: QWidget, name: str, placeholder: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setMaxLength(120)
    field.setPlaceholderText(placeholder)
    named(field, name)
    return field


def _passphrase_hint() -> str:
    return QCoreApplication.translate(
        "Passphrase",
        "At least 12 characters. Four or five unrelated words are strong and easy to type.",
    )


def _with_message(field: QWidget, message: MessageLabel) -> QWidget:
    box = QWidget(field.parentWidget())
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(message)
    return box


def _header(parent: QWidget, title: str, intro: str) -> QWidget:
    box = QWidget(parent)
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 8)
    icon = QLabel(box)
    icon.setPixmap(app_pixmap(56))
    icon.setFixedSize(64, 64)
    icon.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    layout.addWidget(icon)
    text = QVBoxLayout()
    text.setSpacing(4)
    text.addWidget(heading(title, 1, box))
    blurb = QLabel(intro, box)
    blurb.setWordWrap(True)
    blurb.setAccessibleName(intro)
    text.addWidget(blurb)
    layout.addLayout(text, 1)
    return box


class _BusyCursor:
    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QGuiApplication.restoreOverrideCursor()


class CreateStoreDialog(QDialog):
    """First run: choose where the store lives, set a passphrase, name the partnership and user."""

    created = Signal(object)  # an OpenStore, signed in
    open_existing_requested = Signal(object)  # a Path

    def __init__(self, paths: AppPaths, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._default_path = default_path
        self.setWindowTitle(self.tr("Create a store — {app}").format(app=APP_NAME))
        self.setMinimumWidth(640)
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        outer.addWidget(
            _header(
                self,
                self.tr("Create an encrypted store"),
                self.tr(
                    "Everything you record in MARAC Desk is kept in one file on this computer, "
                    "encrypted with your passphrase. Nobody can recover the records without the "
                    "passphrase: keep a copy of it somewhere safe, away from this computer."
                ),
            )
        )
        outer.addLayout(self._build_form())
        outer.addStretch(1)

        outer.addWidget(self._build_buttons())
        name_unnamed_buttons(self)
        self.partnership.setFocus()

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)

        self.location = QLineEdit(str(self._default_path), self)
        named(self.location, self.tr("Store file"))
        self.browse = QPushButton(self.tr("&Choose…"), self)
        named(self.browse, self.tr("Choose where to save the store"))
        self.browse.clicked.connect(self._choose_location)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.location, 1)
        row.addWidget(self.browse)
        location_box = QWidget(self)
        location_box.setLayout(row)
        self.location_message = MessageLabel(self, name=self.tr("Store file message"))
        form.addRow(self.tr("Store &file:"), _with_message(location_box, self.location_message))

        self.partnership = _text_field(
            self,
            self.tr("Partnership name"),
            self.tr("e.g. Northtown Community Safety Partnership"),
        )
        self.partnership_message = MessageLabel(self, name=self.tr("Partnership name message"))
        form.addRow(
            self.tr("&Partnership name:"), _with_message(self.partnership, self.partnership_message)
        )
        self.user_name = _text_field(
            self,
            self.tr("Your user profile name"),
            self.tr("Your name, as it will appear in the audit trail"),
        )
        self.user_message = MessageLabel(self, name=self.tr("User profile message"))
        form.addRow(self.tr("&Your name:"), _with_message(self.user_name, self.user_message))

        self.passphrase = _passphrase_field(self, self.tr("Passphrase"))
        self.passphrase_message = MessageLabel(self, name=self.tr("Passphrase message"))
        self.passphrase_message.show_note(_passphrase_hint())
        form.addRow(
            self.tr("Pass&phrase:"), _with_message(self.passphrase, self.passphrase_message)
        )
        self.confirmation = _passphrase_field(self, self.tr("Passphrase again"))
        self.confirmation_message = MessageLabel(self, name=self.tr("Passphrase again message"))
        form.addRow(
            self.tr("Passphrase &again:"),
            _with_message(self.confirmation, self.confirmation_message),
        )
        return form

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(self)
        self.create_button = buttons.addButton(
            self.tr("&Create store"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setDefault(True)
        self.open_button = buttons.addButton(
            self.tr("&Open an existing store…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.cancel_button = buttons.addButton(
            self.tr("&Quit"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.create_button.clicked.connect(self.attempt_create)
        self.open_button.clicked.connect(self._open_existing)
        self.cancel_button.clicked.connect(self.reject)
        return buttons

    def _choose_location(self) -> None:
        current = Path(self.location.text().strip() or str(self._paths.default_store))
        chosen = pick_save_file(
            self, self.tr("Where to save the new store"), current, STORE_FILE_FILTER
        )
        if chosen is not None:
            if not chosen.suffix:
                chosen = chosen.with_suffix(".store")
            self.location.setText(str(chosen))

    def _open_existing(self) -> None:
        chosen = pick_open_file(
            self,
            self.tr("Open an existing store"),
            Path(self.location.text().strip() or str(self._paths.data_dir)).parent,
            STORE_FILE_FILTER,
        )
        if chosen is not None:
            self.open_existing_requested.emit(chosen)

    def _clear_messages(self) -> None:
        for message in (
            self.location_message,
            self.partnership_message,
            self.user_message,
            self.confirmation_message,
        ):
            message.clear_message()
        self.passphrase_message.show_note(_passphrase_hint())

    def attempt_create(self) -> None:
        self._clear_messages()
        first, second = self.passphrase.text(), self.confirmation.text()
        self.passphrase.clear()
        self.confirmation.clear()
        location = self.location.text().strip()
        if not location:
            self.location_message.show_error(self.tr("Choose where to save the store."))
            self.location.setFocus()
            return
        path = Path(location).expanduser()
        if path.parent == self._paths.data_dir:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with _BusyCursor():
                opened = session.create_store(
                    path,
                    first,
                    second,
                    partnership=self.partnership.text(),
                    user_name=self.user_name.text(),
                    paths=self._paths,
                )
        except session.PassphraseMismatch as exc:
            self.confirmation_message.show_error(str(exc))
            self.passphrase.setFocus()
            return
        except session.WeakPassphrase as exc:
            self.passphrase_message.show_error(str(exc))
            self.passphrase.setFocus()
            return
        except session.StoreError as exc:
            self.location_message.show_error(str(exc))
            self.location.setFocus()
            return
        except ValueError as exc:  # the partnership or the user profile name
            if settings.SPECS["partnership_name"].label.lower() in str(exc).lower():
                self.partnership_message.show_error(str(exc))
                self.partnership.setFocus()
            else:
                self.user_message.show_error(str(exc))
                self.user_name.setFocus()
            return
        finally:
            del first, second
        self.created.emit(opened)
        self.accept()


class UnlockDialog(QDialog):
    """Unlock a store, then (when the store has several people) choose who is working."""

    signed_in = Signal(object)  # an OpenStore
    create_requested = Signal()

    def __init__(
        self,
        paths: AppPaths,
        store_path: Path,
        *,
        demo_passphrase: str | None = None,
        last_profile_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._paths = paths
        self._last_profile_id = last_profile_id
        self._store: Store | None = None
        self._profiles: tuple[users.Profile, ...] = ()
        self._wait_left = 0
        self._countdown = QTimer(self)
        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        title = self.tr("Unlock — {app}").format(app=APP_NAME)
        if demo_passphrase:
            title += self.tr(" — DEMO — synthetic data")
        self.setWindowTitle(title)
        self.setMinimumWidth(600)
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        outer.addWidget(
            _header(
                self,
                self.tr("Unlock the store"),
                self.tr(
                    "The store is encrypted. Enter its passphrase to open it; MARAC Desk locks "
                    "it again when you are away."
                ),
            )
        )
        outer.addWidget(self._build_demo_banner(demo_passphrase))
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_passphrase_page(store_path))
        self.pages.addWidget(self._build_profile_page())
        self.pages.currentChanged.connect(self._fit_page)
        self._fit_page(0)
        outer.addWidget(self.pages, 1)
        outer.addWidget(self._build_buttons())
        name_unnamed_buttons(self)
        self.passphrase.setFocus()
        self._show_wait_if_needed()

    def _build_demo_banner(self, demo_passphrase: str | None) -> QLabel:
        banner = QLabel(self)
        banner.setWordWrap(True)
        banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        banner.setStyleSheet(
            "background: #fff3cd; color: #5c4400; border: 1px solid #e0c060; padding: 8px;"
        )
        if demo_passphrase:
            banner.setText(
                self.tr(
                    "DEMO — synthetic data, deleted when MARAC Desk closes. "
                    "The demo passphrase is: {passphrase}"
                ).format(passphrase=demo_passphrase)
            )
            banner.setAccessibleName(banner.text())
        else:
            banner.hide()
        self.demo_banner = banner
        return banner

    def _build_passphrase_page(self, store_path: Path) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.location = QLineEdit(str(store_path), page)
        self.location.setReadOnly(True)
        named(self.location, self.tr("Store file"))
        self.choose = QPushButton(self.tr("C&hoose…"), page)
        named(self.choose, self.tr("Choose another store file"))
        self.choose.clicked.connect(self._choose_store)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.location, 1)
        row.addWidget(self.choose)
        location_box = QWidget(page)
        location_box.setLayout(row)
        form.addRow(self.tr("Store file:"), location_box)
        self.passphrase = _passphrase_field(page, self.tr("Passphrase"))
        self.message = MessageLabel(page, name=self.tr("Unlock message"))
        form.addRow(self.tr("&Passphrase:"), _with_message(self.passphrase, self.message))
        return page

    def _build_profile_page(self) -> QWidget:
        who = QWidget(self)
        who_layout = QVBoxLayout(who)
        who_layout.setContentsMargins(0, 0, 0, 0)
        who_label = QLabel(self.tr("Who is working in this store?"), who)
        who_layout.addWidget(who_label)
        self.profile_list = QListWidget(who)
        self.profile_list.setMinimumHeight(140)
        self.profile_list.setStyleSheet(
            "QListWidget { outline: 0; } QListWidget::item { padding: 6px 4px; }"
        )
        named(self.profile_list, self.tr("User profiles"))
        self.profile_list.itemActivated.connect(lambda _item: self._continue())
        who_label.setBuddy(self.profile_list)
        who_layout.addWidget(self.profile_list, 1)
        self.profile_message = MessageLabel(who, name=self.tr("Profile message"))
        who_layout.addWidget(self.profile_message)
        return who

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(self)
        self.unlock_button = buttons.addButton(
            self.tr("&Unlock"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._continue)
        self.new_button = buttons.addButton(
            self.tr("&New store…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.new_button.clicked.connect(self.create_requested)
        self.cancel_button = buttons.addButton(
            self.tr("&Quit"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.clicked.connect(self.reject)
        return buttons

    def _fit_page(self, current: int) -> None:
        """Size the dialog to the page shown, not to the largest page."""
        for index in range(self.pages.count()):
            policy = (
                QSizePolicy.Policy.Preferred if index == current else QSizePolicy.Policy.Ignored
            )
            self.pages.widget(index).setSizePolicy(policy, policy)
        self.adjustSize()

    # ----- page 1 ----------------------------------------------------------------------------

    @property
    def store_path(self) -> Path:
        return Path(self.location.text())

    def _choose_store(self) -> None:
        chosen = pick_open_file(
            self, self.tr("Open a store"), self.store_path.parent, STORE_FILE_FILTER
        )
        if chosen is not None:
            self.location.setText(str(chosen))
            self.message.clear_message()
            self._show_wait_if_needed()

    def _continue(self) -> None:
        if self.pages.currentIndex() == 0:
            self.attempt_unlock()
        else:
            self._sign_in_selected()

    def attempt_unlock(self) -> None:
        if self._wait_left > 0:
            return
        passphrase = self.passphrase.text()
        self.passphrase.clear()
        self.message.clear_message()
        if not passphrase:
            self.message.show_error(self.tr("Enter the passphrase."))
            return
        try:
            with _BusyCursor():
                store = session.unlock_store(
                    self.store_path, passphrase, paths=self._paths, wait=False
                )
        except session.UnlockThrottled as exc:
            self._start_countdown(exc.seconds)
            return
        except session.StoreError as exc:
            self.message.show_error(str(exc))
            self.passphrase.setFocus()
            if isinstance(exc, session.WrongPassphrase):
                self._show_wait_if_needed()
            return
        finally:
            del passphrase
        self._store = store
        self._profiles = users.list_profiles(store)
        if not self._profiles:
            store.close()
            self._store = None
            self.message.show_error(
                self.tr("This store has no active user profile, so nobody can sign in to it.")
            )
            return
        if len(self._profiles) == 1:
            self._sign_in(self._profiles[0])
            return
        self._show_profiles()

    def _show_wait_if_needed(self) -> None:
        wait = session.UnlockAttempts(self._paths).wait_needed(self.store_path)
        if wait > 0:
            self._start_countdown(wait)

    def _start_countdown(self, seconds: float) -> None:
        self._wait_left = max(1, math.ceil(seconds))
        self.unlock_button.setEnabled(False)
        self._tick_message()
        self._countdown.start()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            # The wait is kept by the service (across windows and processes): ask it again.
            still = session.UnlockAttempts(self._paths).wait_needed(self.store_path)
            if still > 0:
                self._wait_left = max(1, math.ceil(still))
                self._tick_message()
                return
            self._countdown.stop()
            self._wait_left = 0
            self.unlock_button.setEnabled(True)
            self.message.show_note(self.tr("You can try again now."))
            self.passphrase.setFocus()
        else:
            self._tick_message()

    def _tick_message(self) -> None:
        if self._wait_left == 1:
            text = self.tr("Too many wrong passphrases: wait 1 second and try again.")
        else:
            text = self.tr("Too many wrong passphrases: wait {n} seconds and try again.").format(
                n=self._wait_left
            )
        self.message.show_error(text)

    @property
    def seconds_to_wait(self) -> int:
        return self._wait_left

    # ----- page 2 ----------------------------------------------------------------------------

    def _show_profiles(self) -> None:
        self.profile_list.clear()
        selected = 0
        for row, profile in enumerate(self._profiles):
            item = QListWidgetItem(f"{profile.name}  ({profile.role.replace('_', ' ')})")
            item.setData(Qt.ItemDataRole.UserRole, profile.id)
            self.profile_list.addItem(item)
            if profile.id == self._last_profile_id:
                selected = row
        self.profile_list.setCurrentRow(selected)
        self.pages.setCurrentIndex(1)
        self.unlock_button.setText(self.tr("&Continue"))
        self.unlock_button.setAccessibleName(self.tr("Continue"))
        self.new_button.hide()
        self.cancel_button.setText(self.tr("&Back"))
        self.cancel_button.setAccessibleName(self.tr("Back"))
        self.profile_list.setFocus()

    def _sign_in_selected(self) -> None:
        row = self.profile_list.currentRow()
        if not 0 <= row < len(self._profiles):
            self.profile_message.show_error(self.tr("Choose your user profile."))
            return
        self._sign_in(self._profiles[row])

    def _sign_in(self, profile: users.Profile) -> None:
        assert self._store is not None
        try:
            opened = session.sign_in(self._store, profile, self._paths)
        except session.StoreError as exc:
            self.profile_message.show_error(str(exc))
            return
        self._store = None
        self.signed_in.emit(opened)
        self.accept()

    def _back_to_passphrase(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self.pages.setCurrentIndex(0)
        self.unlock_button.setText(self.tr("&Unlock"))
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.new_button.show()
        self.cancel_button.setText(self.tr("&Quit"))
        self.cancel_button.setAccessibleName(self.tr("Quit"))
        self.passphrase.setFocus()

    def reject(self) -> None:
        if self.pages.currentIndex() == 1:
            self._back_to_passphrase()
            return
        self._countdown.stop()
        super().reject()

    def closeEvent(self, event: Any) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self._countdown.stop()
        super().closeEvent(event)


class NewPassphraseDialog(QDialog):
    """Asks for a new passphrase twice and checks it; `chosen` carries it to the caller once."""

    chosen = Signal(str)

    def __init__(self, context: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setWindowTitle(self.tr("Change passphrase"))
        self.setMinimumWidth(560)
        outer = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Choose a new passphrase for this store. A safety copy under the old passphrase "
                "is kept beside the store until you delete it."
            ),
            self,
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.passphrase = _passphrase_field(self, self.tr("New passphrase"))
        self.passphrase_message = MessageLabel(self, name=self.tr("New passphrase message"))
        form.addRow(
            self.tr("&New passphrase:"), _with_message(self.passphrase, self.passphrase_message)
        )
        self.confirmation = _passphrase_field(self, self.tr("New passphrase again"))
        self.confirmation_message = MessageLabel(self, name=self.tr("New passphrase again message"))
        form.addRow(self.tr("&Again:"), _with_message(self.confirmation, self.confirmation_message))
        outer.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton(
            self.tr("&Change passphrase"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.attempt)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.clicked.connect(self.reject)
        outer.addWidget(buttons)
        name_unnamed_buttons(self)

    def attempt(self) -> None:
        self.passphrase_message.clear_message()
        self.confirmation_message.clear_message()
        first, second = self.passphrase.text(), self.confirmation.text()
        self.passphrase.clear()
        self.confirmation.clear()
        try:
            session.check_new_passphrase(first, second, self._context)
        except session.PassphraseMismatch as exc:
            self.confirmation_message.show_error(str(exc))
            self.passphrase.setFocus()
            return
        except session.WeakPassphrase as exc:
            self.passphrase_message.show_error(str(exc))
            self.passphrase.setFocus()
            return
        self.accept()
        self.chosen.emit(first)
