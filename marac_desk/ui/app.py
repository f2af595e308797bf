"""The GUI bootstrap: which door to show (create, unlock or demo), the main window, idle lock.

`AppController` owns the life cycle so tests can drive it without `run_gui`'s event loop:

    create/unlock dialog → signed in → MainWindow → (idle or Ctrl+L) → locked → unlock dialog …

Only ids and paths are remembered outside the store (`AppConfig`: last store, last profile id);
the demo store lives in a temporary directory that is deleted when the app exits.
"""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog

from marac_desk import APP_NAME, __version__
from marac_desk.services import session, settings
from marac_desk.services.paths import AppConfig, AppPaths
from marac_desk.services.session import OpenStore
from marac_desk.ui.dialogs import CreateStoreDialog, UnlockDialog
from marac_desk.ui.idle import IdleWatcher
from marac_desk.ui.main_window import LivePlace, MainWindow
from marac_desk.ui.tasks import Task, TaskContext, TaskRunner
from marac_desk.ui.widgets import app_icon, safe_error, tr

# Shown to the user (banner and unlock dialog), so they can unlock the demo after auto-lock.
DEMO_PASSPHRASE = "violet harbour kettle 42 demo"  # noqa: S105 - public by design
DEMO_PARTNERSHIP = "Demo Partnership (synthetic data)"
DEMO_USER = "Demo Coordinator"
DEMO_REFERRALS = 300
DEMO_SEED = 1

_CTX = "App"


class AppController(QObject):
    window_opened = Signal(object)  # the MainWindow
    locked = Signal()
    demo_ready = Signal()
    finished = Signal(int)  # the exit code: the event loop should end

    def __init__(
        self,
        paths: AppPaths,
        store_path: Path | None = None,
        *,
        demo: bool = False,
        demo_if_no_store: bool = False,
        demo_referrals: int = DEMO_REFERRALS,
    ) -> None:
        super().__init__()
        self.paths = paths
        self.config = AppConfig(paths)
        self.store_path = self._resolve_store_path(store_path)
        self.demo = demo or (demo_if_no_store and not self.store_path.exists())
        self.demo_referrals = demo_referrals
        self.demo_passphrase: str | None = None
        self._demo_dir: tempfile.TemporaryDirectory[str] | None = None
        self.demo_task: Task | None = None

        self.runner = TaskRunner(self)
        self.runner.idle.connect(self._run_pending_lock)
        self.idle = IdleWatcher(10, self)
        self.idle.idle.connect(lambda: self.lock("idle lock"))
        self.opened: OpenStore | None = None
        self.window: MainWindow | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.create_dialog: CreateStoreDialog | None = None
        self._pending_lock: str | None = None
        # Live meetings a lock closed, to open again at the same page when this store is
        # unlocked (ids only, in memory).
        self._live_before_lock: tuple[Path, list[LivePlace]] | None = None
        self._switching = False
        self._shut_down = False

    def _resolve_store_path(self, given: Path | None) -> Path:
        if given is not None:
            return Path(given).expanduser().absolute()
        last = self.config.get("last_store")
        if isinstance(last, str) and last and Path(last).is_file():
            return Path(last)
        return self.paths.default_store

    # ----- the doors -------------------------------------------------------------------------

    def start(self) -> None:
        if self.demo:
            self.start_demo()
        elif self.store_path.exists():
            self.show_unlock()
        else:
            self.show_create()

    def show_create(self, path: Path | None = None) -> CreateStoreDialog:
        self._close_doors()
        dialog = CreateStoreDialog(self.paths, path or self.store_path)
        dialog.setWindowIcon(app_icon())
        dialog.created.connect(self._created)
        dialog.open_existing_requested.connect(self._open_existing)
        dialog.rejected.connect(self._door_rejected)
        self.create_dialog = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    def show_unlock(self, path: Path | None = None) -> UnlockDialog:
        self._close_doors()
        last_profile = self.config.get("last_profile_id")
        dialog = UnlockDialog(
            self.paths,
            path or self.store_path,
            demo_passphrase=self.demo_passphrase,
            last_profile_id=last_profile if isinstance(last_profile, int) else None,
        )
        dialog.setWindowIcon(app_icon())
        dialog.signed_in.connect(self._signed_in)
        dialog.create_requested.connect(self._create_requested)
        dialog.rejected.connect(self._door_rejected)
        self.unlock_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _close_doors(self) -> None:
        self._switching = True
        try:
            for dialog in (self.unlock_dialog, self.create_dialog):
                if dialog is not None:
                    dialog.close()
                    dialog.deleteLater()
            self.unlock_dialog = None
            self.create_dialog = None
        finally:
            self._switching = False

    def _door_rejected(self) -> None:
        if not self._switching and self.window is None:
            self.quit()

    def _open_existing(self, path: Path) -> None:
        self.store_path = Path(path)
        self.show_unlock(self.store_path)

    def _create_requested(self) -> None:
        default = self.paths.default_store
        self.show_create(default if not default.exists() else default.with_name("new.store"))

    def _created(self, opened: OpenStore) -> None:
        self.store_path = opened.store.path
        self._signed_in(opened)

    def _signed_in(self, opened: OpenStore) -> None:
        self.store_path = opened.store.path
        if not self.demo:
            self.config.set("last_store", str(opened.store.path))
            self.config.set("last_profile_id", opened.actor.user_id)
        self.open_main(opened)

    # ----- the demo --------------------------------------------------------------------------

    def start_demo(self) -> None:
        self._demo_dir = tempfile.TemporaryDirectory(prefix="marac-desk-demo-")
        path = Path(self._demo_dir.name) / "demo.store"
        self.store_path = path
        self.demo_passphrase = DEMO_PASSPHRASE
        opened = session.create_store(
            path,
            DEMO_PASSPHRASE,
            DEMO_PASSPHRASE,
            partnership=DEMO_PARTNERSHIP,
            user_name=DEMO_USER,
            paths=self.paths,
        )
        self.opened = opened
        try:
            from marac_desk.services import demo
        except ImportError:
            self._demo_loaded(
                tr("Demo data is not part of this build; the demo store is empty.", _CTX)
            )
            return
        referrals = self.demo_referrals

        def work(task: TaskContext) -> str:
            summary = demo.generate_demo_data(
                opened, referrals=referrals, seed=DEMO_SEED, progress=task.progress
            )
            describe = getattr(summary, "describe", None)
            return str(describe()) if callable(describe) else ""

        self.demo_task = self.runner.run(
            tr("Creating synthetic demo data", _CTX),
            work,
            cancellable=True,
            on_success=lambda _text: self._demo_loaded(""),
            on_error=lambda exc: self._demo_loaded(
                tr("The demo data could not be created: {error}", _CTX).format(
                    error=safe_error(exc)
                )
            ),
        )
        self.demo_task.cancelled.connect(
            lambda: self._demo_loaded(tr("Demo data creation was cancelled.", _CTX))
        )

    def _demo_loaded(self, problem: str) -> None:
        if self.opened is None or self.opened.store.closed:
            return
        window = self.open_main(self.opened)
        if problem:
            window.events.notice.emit(problem, True)
        self.demo_ready.emit()

    # ----- the main window and locking -------------------------------------------------------

    def open_main(self, opened: OpenStore) -> MainWindow:
        self.opened = opened
        self._close_doors()
        window = MainWindow(opened, runner=self.runner, demo_passphrase=self.demo_passphrase)
        window.lock_requested.connect(self.lock)
        window.quit_requested.connect(self.quit)
        window.events.settings_changed.connect(self._apply_settings)
        self.window = window
        self._apply_settings(settings.get_all(opened.store))
        window.show()
        self.idle.start()  # first: whatever happens below, the idle lock is on
        resume, self._live_before_lock = self._live_before_lock, None
        if resume is not None and resume[0] == opened.store.path:
            window.resume_live_meetings(resume[1])
        self.window_opened.emit(window)
        return window

    def _apply_settings(self, values: dict[str, object]) -> None:
        minutes = values.get("auto_lock_minutes")
        self.idle.set_minutes(minutes if isinstance(minutes, int) else 10)

    @property
    def is_locked(self) -> bool:
        return self.opened is None

    def lock(self, reason: str = "locked") -> None:
        """Close the main window, drop the key, and show the unlock dialog again."""
        if self.opened is None or self.window is None:
            return
        if self.runner.busy:
            # A task is using the store: lock the moment it finishes.
            self._pending_lock = reason
            return
        self._pending_lock = None
        self.idle.stop()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        window, opened = self.window, self.opened
        self.window, self.opened = None, None
        path = opened.store.path
        live = window.live_meetings()
        self._live_before_lock = (path, live) if live else None
        window.dispose()
        opened.lock(reason)
        self.locked.emit()
        if not self._shut_down:
            self.store_path = path
            self.show_unlock(path)

    def _run_pending_lock(self) -> None:
        if self._pending_lock is not None:
            QTimer.singleShot(0, self, lambda: self.lock(self._pending_lock or "locked"))

    def quit(self, code: int = 0) -> None:
        self.shutdown()
        self.finished.emit(code)

    def shutdown(self) -> None:
        """Lock whatever is open and remove the demo store. Safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        self.idle.stop()
        self.runner.wait_for_done()
        self._close_doors()
        if self.window is not None:
            self.window.dispose()
            self.window = None
        if self.opened is not None:
            try:
                self.opened.lock("signed out")
            finally:
                self.opened = None
        if self._demo_dir is not None:
            self._demo_dir.cleanup()
            self._demo_dir = None


def _quiet_excepthook(kind: type[BaseException], exc: BaseException, tb: object) -> None:
    """An unexpected error in a slot: name its type only. Its message or traceback could carry
    data from the store (a database error repeats the values it was given)."""
    print(
        f"marac-desk: unexpected error ({kind.__name__}); nothing more is shown so that no "
        "case data reaches the terminal.",
        file=sys.stderr,
    )


def run_gui(store_path: Path | None, *, demo: bool, demo_if_no_store: bool) -> int:
    """Open the app; returns the exit code when the app ends."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "marac-desk"])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)

    controller = AppController(
        AppPaths.default(), store_path, demo=demo, demo_if_no_store=demo_if_no_store
    )
    controller.finished.connect(app.exit)
    app.aboutToQuit.connect(controller.shutdown)

    def start() -> None:
        try:
            controller.start()
        except Exception as exc:
            print(f"marac-desk: the app could not start: {safe_error(exc)}", file=sys.stderr)
            controller.quit(1)

    # Ctrl+C in the terminal locks and quits cleanly: wake Python now and then to notice it.
    previous_sigint = signal.signal(signal.SIGINT, lambda *_: controller.quit(130))
    previous_hook = sys.excepthook
    sys.excepthook = _quiet_excepthook
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(500)
    try:
        QTimer.singleShot(0, start)
        return int(app.exec())
    finally:
        heartbeat.stop()
        sys.excepthook = previous_hook
        signal.signal(signal.SIGINT, previous_sigint)
        controller.shutdown()
