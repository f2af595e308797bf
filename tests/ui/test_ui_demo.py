"""Demo mode: a throwaway store full of synthetic data, marked as such, deleted at exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import qt_quiet, unlock_through_dialog

from marac_desk.services import audit
from marac_desk.services.paths import AppConfig, AppPaths
from marac_desk.ui.app import DEMO_PASSPHRASE, AppController

pytestmark = qt_quiet


@pytest.fixture
def demo_controller(qapp, app_paths: AppPaths):  # type: ignore[no-untyped-def]
    pytest.importorskip("marac_desk.services.demo")
    ctl = AppController(app_paths, None, demo=True, demo_referrals=40)
    ctl.runner.progress_delay_ms = 0
    yield ctl
    ctl.shutdown()


def test_demo_opens_a_marked_store_and_removes_it(
    qtbot, demo_controller: AppController, app_paths: AppPaths
) -> None:  # type: ignore[no-untyped-def]
    ctl = demo_controller
    with qtbot.waitSignal(ctl.demo_ready, timeout=60_000):
        ctl.start()
    window = ctl.window
    assert window is not None
    assert window.windowTitle().endswith("DEMO — synthetic data")
    assert window.demo_banner is not None and DEMO_PASSPHRASE in window.demo_banner.text()
    assert "⚠" not in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.ready, timeout=20_000, raising=False):
        pass
    view = window.areas["dashboard"]
    qtbot.waitUntil(lambda: view.summary is not None, timeout=20_000)
    assert view.summary.referrals_total == 40
    store_path = window.opened.store.path
    assert audit.count_events(window.opened.store) > 0

    # After an idle lock the unlock dialog tells the user the demo passphrase.
    qtbot.waitUntil(lambda: not ctl.runner.busy, timeout=20_000)
    with qtbot.waitSignal(ctl.locked, timeout=10_000):
        ctl.lock("idle lock")
    dialog = ctl.unlock_dialog
    assert dialog is not None and DEMO_PASSPHRASE in dialog.demo_banner.text()
    assert "DEMO" in dialog.windowTitle()
    unlock_through_dialog(qtbot, ctl, DEMO_PASSPHRASE)

    # The demo never becomes "the last store".
    assert AppConfig(app_paths).get("last_store") is None
    qtbot.waitUntil(lambda: not ctl.runner.busy, timeout=20_000)
    ctl.shutdown()
    assert not store_path.exists() and not store_path.parent.exists()


def test_demo_if_no_store_uses_the_real_store_when_there_is_one(
    qtbot, app_paths: AppPaths, store_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"")  # exists: so no demo, the normal door
    ctl = AppController(app_paths, store_path, demo_if_no_store=True)
    try:
        assert not ctl.demo
        ctl.start()
        assert ctl.unlock_dialog is not None and ctl.unlock_dialog.isVisible()
    finally:
        ctl.shutdown()
    missing = AppController(app_paths, store_path.with_name("none.store"), demo_if_no_store=True)
    assert missing.demo
    missing.shutdown()
