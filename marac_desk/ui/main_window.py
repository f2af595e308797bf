"""The main window: navigation on the left, one area at a time on the right.

Adding an area is one line in `AREAS`: a key, a title and a factory taking (AreaContext, parent).
An area widget may define `activated()`, called each time it is shown, and a `badge_changed`
signal carrying a short text (a count) shown beside its name in the navigation ("" for none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from marac_desk import APP_NAME, __version__
from marac_desk.services import settings
from marac_desk.services.session import OpenStore
from marac_desk.ui import store_actions
from marac_desk.ui.actions_view import ActionsView
from marac_desk.ui.area import AppEvents, AreaContext
from marac_desk.ui.audit_view import AuditView
from marac_desk.ui.dashboard_view import DashboardView
from marac_desk.ui.meetings_view import MeetingsView
from marac_desk.ui.people_review_view import PeopleReviewView
from marac_desk.ui.referrals_view import ReferralsView
from marac_desk.ui.reports_view import ReportsView
from marac_desk.ui.settings_view import SettingsView
from marac_desk.ui.tasks import TaskRunner
from marac_desk.ui.widgets import MUTED_COLOUR, app_icon, name_unnamed_buttons, named

# A live meeting's place: the meeting and the page shown ("case" and its id, "opening"…).
LivePlace = tuple[int, tuple[str, int | None]]


@dataclass(frozen=True)
class AreaSpec:
    key: str
    title: str  # source text; shown through QCoreApplication.translate("MainWindow", title)
    factory: Callable[[AreaContext, QWidget], QWidget]


# The areas in navigation order; Ctrl+1.. follow this order.
AREAS: tuple[AreaSpec, ...] = (
    AreaSpec("dashboard", QT_TRANSLATE_NOOP("MainWindow", "Dashboard"), DashboardView),
    AreaSpec("referrals", QT_TRANSLATE_NOOP("MainWindow", "Referrals"), ReferralsView),
    AreaSpec("meetings", QT_TRANSLATE_NOOP("MainWindow", "Meetings"), MeetingsView),
    AreaSpec("actions", QT_TRANSLATE_NOOP("MainWindow", "Actions"), ActionsView),
    AreaSpec("reports", QT_TRANSLATE_NOOP("MainWindow", "Reports"), ReportsView),
    AreaSpec("reviews", QT_TRANSLATE_NOOP("MainWindow", "People to review"), PeopleReviewView),
    AreaSpec("audit", QT_TRANSLATE_NOOP("MainWindow", "Audit trail"), AuditView),
    AreaSpec("settings", QT_TRANSLATE_NOOP("MainWindow", "Settings"), SettingsView),
)

DEMO_TITLE = QT_TRANSLATE_NOOP("MainWindow", "DEMO — synthetic data")


class MainWindow(QMainWindow):
    ready = Signal()  # the dashboard has shown its first figures
    lock_requested = Signal(str)  # a reason for the audit trail
    quit_requested = Signal()

    def __init__(
        self,
        opened: OpenStore,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
        demo_passphrase: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.opened = opened
        self.runner = runner or TaskRunner(self)
        self.runner.dialog_parent = self
        self.events = AppEvents(self)
        self.ctx = AreaContext(opened, self.runner, self.events, demo_passphrase)
        self._demo = demo_passphrase is not None
        self._disposed = False
        self._ready_sent = False
        self.message_box: QMessageBox | None = None

        self.setWindowIcon(app_icon())
        self.resize(QSize(1200, 800))
        self._values: dict[str, Any] = settings.get_all(opened.store)
        self._update_title()

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.demo_banner = self._build_demo_banner(central, demo_passphrase)
        if self.demo_banner is not None:
            outer.addWidget(self.demo_banner)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        outer.addLayout(body, 1)

        self.nav = self._build_nav(central)
        self.stack = QStackedWidget(central)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.areas: dict[str, QWidget] = {}
        self.area_actions: dict[str, QAction] = {}
        for spec in AREAS:
            widget = spec.factory(self.ctx, self.stack)
            self.stack.addWidget(widget)
            self.areas[spec.key] = widget
            item = QListWidgetItem(self.area_title(spec))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
            self._connect_badge(widget, item, spec)
        self.nav.currentRowChanged.connect(self._area_changed)

        dashboard = self.areas.get("dashboard")
        if isinstance(dashboard, DashboardView):
            dashboard.loaded.connect(self._dashboard_loaded)

        self._build_menus()
        self._build_status_bar()
        self.events.settings_changed.connect(self._settings_changed)
        self.events.notice.connect(self._notice)
        name_unnamed_buttons(self)
        self.nav.setCurrentRow(0)

    # ----- structure -------------------------------------------------------------------------

    @staticmethod
    def area_title(spec: AreaSpec) -> str:
        return QCoreApplication.translate("MainWindow", spec.title)

    def _connect_badge(self, widget: QWidget, item: QListWidgetItem, spec: AreaSpec) -> None:
        badge = getattr(widget, "badge_changed", None)
        if badge is None:
            return
        badge.connect(lambda text: self._show_badge(item, spec, text))
        refresh_badge = getattr(widget, "refresh_badge", None)
        if callable(refresh_badge):
            refresh_badge()

    def _show_badge(self, item: QListWidgetItem, spec: AreaSpec, text: str) -> None:
        title = self.area_title(spec)
        item.setText(f"{title}  ({text})" if text else title)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text())

    def area_keys(self) -> list[str]:
        return [
            str(self.nav.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.nav.count())
        ]

    def _build_demo_banner(self, parent: QWidget, demo_passphrase: str | None) -> QLabel | None:
        if demo_passphrase is None:
            return None
        banner = QLabel(
            self.tr(
                "DEMO — synthetic data: nothing here is about real people, and the store is "
                "deleted when MARAC Desk closes. Demo passphrase (to unlock after auto-lock): "
                "{passphrase}"
            ).format(passphrase=demo_passphrase),
            parent,
        )
        banner.setWordWrap(True)
        banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        banner.setStyleSheet(
            "background: #fff3cd; color: #5c4400; border-bottom: 1px solid #e0c060;"
            "padding: 6px 12px;"
        )
        banner.setAccessibleName(banner.text())
        return banner

    def _build_nav(self, parent: QWidget) -> QListWidget:
        nav = QListWidget(parent)
        nav.setFixedWidth(190)
        nav.setSpacing(2)
        nav.setStyleSheet(
            "QListWidget { border: none; border-right: 1px solid #c8ccd2; padding-top: 8px;"
            " outline: 0; }"
            "QListWidget::item { padding: 8px 12px; }"
        )
        named(nav, self.tr("Areas"), self.tr("Choose an area; Ctrl+1 to Ctrl+9 jump to one"))
        return nav

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.lock_action = self._action(
            self.tr("&Lock now"), "Ctrl+L", lambda: self.lock_requested.emit("locked by user")
        )
        self.backup_action = self._action(self.tr("&Back up…"), "Ctrl+Shift+B", self.back_up)
        self.check_action = self._action(
            self.tr("&Check store integrity"), "Ctrl+Shift+I", self.check_integrity
        )
        self.quit_action = self._action(self.tr("&Quit"), "Ctrl+Q", self.close)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.check_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        go_menu = bar.addMenu(self.tr("&Go"))
        for row, spec in enumerate(AREAS):
            shortcut = f"Ctrl+{row + 1}" if row < 9 else ""
            action = self._action(
                self.area_title(spec), shortcut, lambda r=row: self.nav.setCurrentRow(r)
            )
            self.area_actions[spec.key] = action
            go_menu.addAction(action)
        go_menu.addSeparator()
        self.refresh_action = self._action(self.tr("&Refresh"), "F5", self.refresh_current)
        go_menu.addAction(self.refresh_action)

        help_menu = bar.addMenu(self.tr("&Help"))
        self.about_action = self._action(self.tr("&About MARAC Desk"), "F1", self.about)
        help_menu.addAction(self.about_action)

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.marking_label = QLabel(status)
        self.marking_label.setStyleSheet("font-weight: bold; padding: 0 8px;")
        self.partnership_label = QLabel(status)
        self.profile_label = QLabel(status)
        self.file_label = QLabel(status)
        for label in (self.partnership_label, self.profile_label, self.file_label):
            label.setStyleSheet(f"color: {MUTED_COLOUR}; padding: 0 8px;")
        self.file_label.setToolTip(str(self.opened.store.path))
        status.addPermanentWidget(self.partnership_label)
        status.addPermanentWidget(self.profile_label)
        status.addPermanentWidget(self.file_label)
        status.addPermanentWidget(self.marking_label)
        self._update_status()

    def _update_status(self) -> None:
        partnership = str(self._values.get("partnership_name") or "") or self.tr(
            "(no partnership name)"
        )
        self.partnership_label.setText(partnership)
        self.partnership_label.setAccessibleName(
            self.tr("Partnership: {name}").format(name=partnership)
        )
        self.profile_label.setText(self.tr("Signed in: {name}").format(name=self.opened.actor.name))
        self.file_label.setText(self.tr("Store: {name}").format(name=self.opened.store.path.name))
        self.marking_label.setText(str(self._values.get("protective_marking") or ""))

    def _update_title(self) -> None:
        partnership = str(self._values.get("partnership_name") or "")
        title = APP_NAME + (f" — {partnership}" if partnership else "")
        if self._demo:
            title += " — " + QCoreApplication.translate("MainWindow", DEMO_TITLE)
        self.setWindowTitle(title)

    # ----- behaviour -------------------------------------------------------------------------

    def _area_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        widget = self.stack.widget(row)
        activated = getattr(widget, "activated", None)
        if callable(activated) and not self.opened.store.closed:
            activated()

    def show_area(self, key: str) -> QWidget:
        row = self.area_keys().index(key)
        self.nav.setCurrentRow(row)
        return self.areas[key]

    def current_area(self) -> str:
        return self.area_keys()[self.nav.currentRow()]

    def refresh_current(self) -> None:
        self._area_changed(self.nav.currentRow())

    def _dashboard_loaded(self, _summary: object) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()

    def _settings_changed(self, values: dict[str, Any]) -> None:
        self._values = dict(values)
        self._update_status()
        self._update_title()

    def _notice(self, text: str, is_error: bool) -> None:
        self.statusBar().showMessage(("⚠ " if is_error else "") + text, 20000)
        self.statusBar().setToolTip(text)

    def back_up(self) -> None:
        store_actions.start_backup(self, self.ctx)

    def check_integrity(self) -> None:
        def done(result: store_actions.CheckResult | None, text: str) -> None:
            ok = result is not None and result.ok
            self._show_message(
                QMessageBox.Icon.Information if ok else QMessageBox.Icon.Critical,
                self.tr("Store check"),
                text,
            )

        store_actions.start_integrity_check(self.ctx, done)

    def about(self) -> None:
        self._show_message(
            QMessageBox.Icon.NoIcon,
            self.tr("About MARAC Desk"),
            self.tr(
                "{app} {version}\n\nOffline, encrypted case management for MARAC and "
                "Community MARAC coordinators.\n\nEverything is kept in one encrypted store "
                "file; nothing about cases is written anywhere else."
            ).format(app=APP_NAME, version=__version__),
        )

    def _show_message(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        if self.message_box is not None:
            self.message_box.close()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        if icon == QMessageBox.Icon.NoIcon:
            box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _code: setattr(self, "message_box", None))
        self.message_box = box
        name_unnamed_buttons(box)
        box.open()

    def live_meetings(self) -> list[LivePlace]:
        """The live meetings open, each with the page it shows (meeting id, page): what to open
        again once the coordinator unlocks after a lock."""
        view = self.areas.get("meetings")
        if not isinstance(view, MeetingsView):
            return []
        return [
            (meeting_id, live.entries[live.current])
            for meeting_id, live in view.live_windows.items()
            if live.current >= 0
        ]

    def resume_live_meetings(self, open_before: list[LivePlace]) -> None:
        """Open the live meetings a lock closed, at the page each was on — the same case, even
        if the agenda changed meanwhile (everything typed was saved as it was typed, or when
        the lock closed them)."""
        view = self.areas.get("meetings")
        if not isinstance(view, MeetingsView):
            return
        for meeting_id, page in open_before:
            try:
                live = view.open_live_meeting(meeting_id)
            except ValueError:
                continue  # the meeting is gone (another coordinator's change): nothing to show
            if page in live.entries:
                live.go(live.entries.index(page), focus=True)

    @property
    def is_disposed(self) -> bool:
        return self._disposed

    def dispose(self) -> None:
        """Close for a lock: no quit, no questions; the widget is deleted later."""
        self._disposed = True
        if self.runner.dialog_parent is self:
            self.runner.dialog_parent = None
        if self.message_box is not None:
            self.message_box.close()
        self.close()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._disposed:
            event.accept()
            return
        if self.runner.busy:
            event.ignore()
            self._notice(self.tr("Please wait: background work is still running."), True)
            return
        event.accept()
        self._disposed = True
        if self.runner.dialog_parent is self:
            self.runner.dialog_parent = None
        self.quit_requested.emit()
