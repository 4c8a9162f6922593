"""docs/architecture.md stays true: its import rules are checked over the code (import-linter,
contracts in .importlinter), every room of `bot` has a place in them, and the map names them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from importlinter.api import read_configuration
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
CONFIG = ROOT / ".importlinter"
DOC = ROOT / "docs" / "architecture.md"


def rooms() -> list[str]:
    """The direct children of `bot` that Python imports: subpackages and top-level modules."""
    packages = [p.parent.name for p in BOT.glob("*/__init__.py")]
    modules = [p.stem for p in BOT.glob("*.py") if p.name != "__init__.py"]
    return sorted(f"bot.{name}" for name in packages + modules)


def layered_rooms() -> set[str]:
    contracts = read_configuration(str(CONFIG))["contracts_options"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    return {room.strip() for layer in layers["layers"] for room in re.split(r"[|:]", layer)}


def test_the_import_rules_hold(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True)
    assert exit_code == 0, capsys.readouterr().out


def test_every_room_has_a_place_in_the_layers() -> None:
    """A new room (a subpackage or a top-level module) is placed before it is used."""
    assert set(rooms()) - layered_rooms() == set()


@pytest.mark.parametrize("room", rooms())
def test_the_architecture_doc_names_every_room(room: str) -> None:
    name = room.removeprefix("bot.")
    path = f"bot/{name}/" if (BOT / name).is_dir() else f"{name}.py"
    assert path in DOC.read_text(), f"docs/architecture.md does not describe {path}"


def test_the_readme_links_the_map_and_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docs/architecture.md" in readme
    for document in (readme, DOC.read_text()):
        assert "../shared" not in document


CLOCK_READS = {"now", "utcnow", "today"}


def files_and_clocks(path: Path) -> list[str]:
    """Calls that read a file (`open`) or the clock (`datetime.now()` and the like)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "open":
            found.append(f"open, line {node.lineno}")
        if isinstance(node.func, ast.Attribute) and node.func.attr in CLOCK_READS:
            found.append(f"{node.func.attr}(), line {node.lineno}")
    return found


@pytest.mark.parametrize("path", sorted((BOT / "domain").glob("*.py")), ids=lambda p: p.name)
def test_the_domain_opens_no_files_and_reads_no_clock(path: Path) -> None:
    # The imports are checked by the contracts; builtins and datetime.now() are no imports.
    # The domain is given `now` by its caller.
    assert files_and_clocks(path) == []


def imported_from_bot(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "bot" or name.startswith("bot.")}


@pytest.mark.parametrize(
    "path", sorted((BOT / "migrations" / "versions").glob("*.py")), ids=lambda p: p.name[:13]
)
def test_a_migration_imports_nothing_of_ours_but_column_types(path: Path) -> None:
    """A migration must mean for ever what it meant when written: never the models of today.
    (bot/migrations is loaded by Alembic from its path, not a package the contracts see.)"""
    assert imported_from_bot(path) <= {"bot.db.types"}


def test_the_checks_see_what_they_forbid(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from bot.db.models import User\nimport bot.db.types\n"
        "with open('x'): pass\nstamp = datetime.now(UTC)\n"
    )
    assert imported_from_bot(sample) == {"bot.db.models", "bot.db.types"}
    assert sorted(files_and_clocks(sample)) == ["now(), line 4", "open, line 3"]
