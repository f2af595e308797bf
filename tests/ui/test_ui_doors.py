"""Creating and unlocking a store through the dialogs, as a coordinator would."""

from __future__ import annotations

from pathlib import Path

from conftest import PARTNERSHIP, PASSPHRASE, USER
from ui_support import (  # noqa: F401 - fixtures
    controller_fixture,
    locked_store_fixture,
    qt_quiet,
    unlock_through_dialog,
)

from marac_desk.services import audit, settings, users
from marac_desk.services.paths import AppConfig, AppPaths
from marac_desk.services.session import OpenStore, unlock_store
from marac_desk.ui import dialogs
from marac_desk.ui.app import AppController
from marac_desk.ui.dialogs import CreateStoreDialog, UnlockDialog
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.widgets import unnamed_controls

pytestmark = qt_quiet


def _fill_create(dialog: CreateStoreDialog, first: str, second: str) -> None:
    dialog.partnership.setText(PARTNERSHIP)
    dialog.user_name.setText(USER)
    dialog.passphrase.setText(first)
    dialog.confirmation.setText(second)


def test_no_store_opens_the_create_dialog(qtbot, controller: AppController) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    dialog = controller.create_dialog
    assert dialog is not None and dialog.isVisible()
    assert controller.unlock_dialog is None
    assert dialog.location.text() == str(controller.store_path)
    assert unnamed_controls(dialog) == []


def test_weak_passphrase_is_refused_next_to_the_field(qtbot, controller: AppController) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    dialog = controller.create_dialog
    assert dialog is not None
    _fill_create(dialog, "password1234", "password1234")
    dialog.create_button.click()

    assert dialog.passphrase_message.isVisible()
    assert dialog.passphrase_message.is_error
    assert "too easy to guess" in dialog.passphrase_message.text()
    # The fields were cleared at once, nothing was created, and the dialog is still there.
    assert dialog.passphrase.text() == "" and dialog.confirmation.text() == ""
    assert not controller.store_path.exists()
    assert controller.window is None and dialog.isVisible()


def test_mismatched_passphrases_are_refused(qtbot, controller: AppController) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    dialog = controller.create_dialog
    assert dialog is not None
    _fill_create(dialog, PASSPHRASE, PASSPHRASE + "x")
    dialog.create_button.click()

    assert dialog.confirmation_message.isVisible()
    assert dialog.confirmation_message.text() == "The two passphrases do not match."
    assert not dialog.passphrase_message.is_error
    assert not controller.store_path.exists()


def test_create_makes_the_store_and_opens_the_window(
    qtbot, controller: AppController, app_paths: AppPaths
) -> None:  # type: ignore[no-untyped-def]
    controller.store_path.parent.mkdir(parents=True, exist_ok=True)
    controller.start()
    dialog = controller.create_dialog
    assert dialog is not None
    _fill_create(dialog, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(controller.window_opened, timeout=10_000) as opened:
        dialog.create_button.click()

    window = opened.args[0]
    assert isinstance(window, MainWindow)
    assert controller.store_path.is_file()
    assert window.partnership_label.text() == PARTNERSHIP
    assert window.profile_label.text() == f"Signed in: {USER}"
    config = AppConfig(app_paths)
    assert config.get("last_store") == str(controller.store_path)
    assert config.get("last_profile_id") == window.opened.actor.user_id
    # Only a path and an id were written outside the store.
    assert PARTNERSHIP not in app_paths.config_file.read_text()
    assert USER not in app_paths.config_file.read_text()


def test_create_dialog_file_picker_sets_the_location(qtbot, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = CreateStoreDialog(AppPaths.default(), tmp_path / "a.store")
    qtbot.addWidget(dialog)
    monkeypatch.setattr(dialogs, "pick_save_file", lambda *a: tmp_path / "chosen")
    dialog.browse.click()
    assert dialog.location.text() == str(tmp_path / "chosen.store")


def test_existing_store_opens_the_unlock_dialog(
    qtbot, controller: AppController, locked_store: Path
) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    dialog = controller.unlock_dialog
    assert isinstance(dialog, UnlockDialog) and dialog.isVisible()
    assert controller.create_dialog is None
    assert dialog.location.text() == str(locked_store)
    assert unnamed_controls(dialog) == []


def test_wrong_passphrase_shows_why_and_changes_nothing(
    qtbot, controller: AppController, locked_store: Path
) -> None:  # type: ignore[no-untyped-def]
    before = locked_store.read_bytes()
    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None
    dialog.passphrase.setText("not the passphrase at all")
    dialog.unlock_button.click()

    assert dialog.message.isVisible() and dialog.message.is_error
    assert dialog.message.text() == "The passphrase is not right for this store."
    assert dialog.passphrase.text() == ""
    assert controller.window is None
    assert locked_store.read_bytes() == before
    assert not Path(f"{locked_store}-wal").exists()


def test_unlock_opens_the_main_window(qtbot, controller: AppController, locked_store: Path) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    dialog = controller.unlock_dialog
    window = unlock_through_dialog(qtbot, controller)
    assert isinstance(window, MainWindow) and window.isVisible()
    assert dialog is not None and not dialog.isVisible()
    assert dialog.passphrase.text() == ""
    with qtbot.waitSignal(window.ready, timeout=10_000, raising=False):
        pass
    events = audit.list_events(window.opened.store, audit.AuditFilter(action="sign_in"))
    assert len(events) == 2  # at creation, and now


def test_unlock_message_for_a_file_that_is_not_a_store(
    qtbot, controller: AppController, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    not_a_store = tmp_path / "notes.store"
    not_a_store.write_text("Meeting notes, nothing more\n" * 10)
    controller.store_path = not_a_store
    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None
    dialog.passphrase.setText(PASSPHRASE)
    dialog.unlock_button.click()
    assert dialog.message.text() == "The file is a text file, not a MARAC Desk store."


def test_repeated_failures_show_a_countdown(
    qtbot, controller: AppController, locked_store: Path
) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None
    for _ in range(3):
        dialog.passphrase.setText("wrong passphrase again")
        dialog.unlock_button.click()
    # Three honest typos are free; after that the dialog makes the user wait, and says so.
    assert dialog.seconds_to_wait >= 1
    assert not dialog.unlock_button.isEnabled()
    assert "Too many wrong passphrases: wait" in dialog.message.text()
    qtbot.waitUntil(dialog.unlock_button.isEnabled, timeout=5_000)
    assert dialog.message.text() == "You can try again now."
    window = unlock_through_dialog(qtbot, controller)
    assert window.isVisible()


def test_several_profiles_are_offered_with_the_last_one_chosen(
    qtbot, controller: AppController, locked_store: Path, app_paths: AppPaths
) -> None:  # type: ignore[no-untyped-def]
    store = unlock_store(locked_store, PASSPHRASE, paths=app_paths)
    try:
        deputy = users.add_profile(store, None, "Alex Deputy", "deputy")
        users.add_profile(store, None, "Chris Admin", "administrator")
    finally:
        store.close()
    AppConfig(app_paths).set("last_profile_id", deputy.id)

    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None
    dialog.passphrase.setText(PASSPHRASE)
    dialog.unlock_button.click()
    assert dialog.pages.currentIndex() == 1
    assert dialog.profile_list.count() == 3
    assert dialog.profile_list.currentItem().text().startswith("Alex Deputy")
    with qtbot.waitSignal(controller.window_opened, timeout=10_000) as opened:
        dialog.unlock_button.click()
    window = opened.args[0]
    assert window.opened.actor.name == "Alex Deputy"
    assert window.profile_label.text() == "Signed in: Alex Deputy"


def test_going_back_from_the_profile_choice_locks_again(
    qtbot, controller: AppController, locked_store: Path, app_paths: AppPaths
) -> None:  # type: ignore[no-untyped-def]
    store = unlock_store(locked_store, PASSPHRASE, paths=app_paths)
    try:
        users.add_profile(store, None, "Alex Deputy", "deputy")
    finally:
        store.close()
    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None
    dialog.passphrase.setText(PASSPHRASE)
    dialog.unlock_button.click()
    assert dialog.pages.currentIndex() == 1
    dialog.cancel_button.click()  # "Back"
    assert dialog.pages.currentIndex() == 0 and dialog.isVisible()
    # The store was closed again: it can be opened by someone else.
    again = unlock_store(locked_store, PASSPHRASE, paths=app_paths)
    again.close()


def test_quit_from_the_unlock_dialog_ends_the_app(
    qtbot, controller: AppController, locked_store: Path
) -> None:  # type: ignore[no-untyped-def]
    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None
    with qtbot.waitSignal(controller.finished, timeout=5_000):
        dialog.cancel_button.click()


def test_settings_are_read_after_unlock(
    qtbot, controller: AppController, locked_store: Path, app_paths: AppPaths
) -> None:  # type: ignore[no-untyped-def]
    store = unlock_store(locked_store, PASSPHRASE, paths=app_paths)
    try:
        opened = OpenStore(store, users.list_profiles(store)[0].actor, app_paths)
        settings.update(store, opened.actor, {"auto_lock_minutes": 3})
    finally:
        store.close()
    controller.start()
    unlock_through_dialog(qtbot, controller)
    assert controller.idle.timeout_ms == 3 * 60_000
