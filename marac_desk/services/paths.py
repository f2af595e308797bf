"""Where MARAC Desk keeps things outside the store: only paths and counters, never case data.

`MARAC_DESK_HOME` redirects every directory (tests and the demo use it), so nothing touches the
user's real home by accident.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

APP_DIR_NAME = "marac-desk"
STORE_FILE_NAME = "marac-desk.store"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    state_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get("MARAC_DESK_HOME", "").strip()
        if home:
            root = Path(home)
            return cls(root / "data", root / "config", root / "state")
        return cls(
            platformdirs.user_data_path(APP_DIR_NAME, appauthor=False),
            platformdirs.user_config_path(APP_DIR_NAME, appauthor=False),
            platformdirs.user_state_path(APP_DIR_NAME, appauthor=False),
        )

    @property
    def default_store(self) -> Path:
        return self.data_dir / STORE_FILE_NAME

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.json"

    @property
    def attempts_file(self) -> Path:
        return self.state_dir / "unlock-attempts.json"


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomic replace, so a crash never leaves half a config file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class AppConfig:
    """The only things remembered outside a store: the last store path and profile id."""

    ALLOWED = frozenset({"last_store", "last_profile_id"})

    def __init__(self, paths: AppPaths) -> None:
        self._file = paths.config_file

    def get(self, key: str) -> Any:
        return read_json(self._file).get(key)

    def set(self, key: str, value: Any) -> None:
        if key not in self.ALLOWED:
            raise KeyError(key)
        data = read_json(self._file)
        data[key] = value
        write_json(self._file, data)
