"""Shared fixtures: every test gets its own app directories and, when asked, its own store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must be headless before anything imports it; an empty value counts as missing.
if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from marac_desk.services.paths import AppPaths
from marac_desk.services.session import OpenStore, create_store

PASSPHRASE = "plum orchard lantern 7 quietly"
USER = "Sam Coordinator"
PARTNERSHIP = "Northtown Community Safety Partnership"


@pytest.fixture(autouse=True)
def app_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Redirect every MARAC Desk directory (and HOME) away from the real user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MARAC_DESK_HOME", str(home / "marac"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("MARAC_DESK_PASSPHRASE", raising=False)
    monkeypatch.delenv("MARAC_DESK_NEW_PASSPHRASE", raising=False)
    return home


@pytest.fixture
def app_paths(app_home: Path) -> AppPaths:
    return AppPaths.default()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "stores" / "test.store"


@pytest.fixture
def open_store(store_path: Path, app_paths: AppPaths) -> Iterator[OpenStore]:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    opened = create_store(
        store_path,
        PASSPHRASE,
        PASSPHRASE,
        partnership=PARTNERSHIP,
        user_name=USER,
        paths=app_paths,
    )
    yield opened
    opened.store.close()
