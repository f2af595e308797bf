"""The dependency rule of docs/architecture.md, checked on the source: ui → services →
{db, export, core}, export → core, db → core; only ui imports Qt; core imports nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "marac_desk"

FORBIDDEN = {
    "core": (
        "marac_desk.db",
        "marac_desk.services",
        "marac_desk.export",
        "marac_desk.ui",
        "PySide6",
        "sqlalchemy",
        "alembic",
        "sqlcipher3",
    ),
    "db": ("marac_desk.services", "marac_desk.export", "marac_desk.ui", "PySide6"),
    "export": ("marac_desk.db", "marac_desk.services", "marac_desk.ui", "PySide6", "sqlalchemy"),
    "services": ("marac_desk.ui", "PySide6"),
    "ui": ("marac_desk.db", "sqlalchemy", "sqlcipher3", "alembic"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


def test_only_ui_imports_qt() -> None:
    outside = [
        path.name
        for path in PACKAGE.glob("*.py")
        if any(m.startswith("PySide6") for m in imported_modules(path))
    ]
    assert outside == []
