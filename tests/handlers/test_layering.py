"""Handlers stay thin, read from the code: they reach the database and the domain rules only
through services, and views are given plain data, never services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports (`from a.b import c` counts as a.b and a.b.c)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def reaches(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(f"{package}."))


@pytest.mark.parametrize("path", sorted((BOT / "handlers").glob("*.py")), ids=lambda p: p.name)
def test_a_handler_imports_no_models_and_no_domain_rules(path: Path) -> None:
    modules = imported_modules(path)
    assert reaches(modules, "bot.db") == []
    assert reaches(modules, "bot.domain") == []


@pytest.mark.parametrize("path", sorted((BOT / "views").glob("*.py")), ids=lambda p: p.name)
def test_a_view_imports_no_services_and_no_handlers(path: Path) -> None:
    modules = imported_modules(path)
    assert reaches(modules, "bot.services") == []
    assert reaches(modules, "bot.handlers") == []


def test_the_check_sees_an_import_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.db.models import User\nimport bot.domain.zones\n")
    modules = imported_modules(sample)
    assert reaches(modules, "bot.db") == ["bot.db.models", "bot.db.models.User"]
    assert reaches(modules, "bot.domain") == ["bot.domain.zones"]
