"""Schema migrations with Alembic, run on the store's own keyed connection.

The migration scripts live inside the package (db/migrations) so an installed wheel finds them.
Callers back the store up before `upgrade_to_head` and refuse stores whose revision this version
does not know (written by a newer MARAC Desk).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

_MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    return frozenset(rev.revision for rev in _script().walk_revisions())


def read_revision(dbapi_conn: Any) -> str | None:
    """The store's revision via a raw DB-API connection (used before an engine exists)."""
    has_table = dbapi_conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = dbapi_conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def is_newer_than_app(revision: str | None) -> bool:
    return revision is not None and revision not in known_revisions()


def needs_upgrade(revision: str | None) -> bool:
    return revision != head_revision()


def upgrade_to_head(engine: Engine) -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
