"""Start-up and shutdown have one home, bot/ops/lifecycle.py: the Application builder gets its
hooks once, nothing re-assigns or wraps them later, and only it installs stop signals."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
LIFECYCLE = BOT / "ops" / "lifecycle.py"
HOOKS = {"post_init", "post_stop", "post_shutdown"}


def modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text())) for path in sorted(BOT.rglob("*.py"))]


def test_hooks_are_given_to_the_builder_and_never_assigned_afterwards() -> None:
    assigned, given = [], []
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assigned += [
                    f"{path.name}:{node.lineno}"
                    for target in targets
                    if isinstance(target, ast.Attribute) and target.attr in HOOKS
                ]
            if (  # ApplicationBuilder()...post_init(...): a call on the builder chain
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in HOOKS
                and isinstance(node.func.value, ast.Call)
            ):
                given.append(node.func.attr)
    assert not assigned, "a hook overwritten after the builder set it"
    assert sorted(given) == sorted(HOOKS), "each hook given to the builder once"


def test_only_the_lifecycle_installs_signal_handlers_and_ptb_installs_none() -> None:
    installs, runs = [], []
    for path, tree in modules():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr in ("add_signal_handler", "signal") and path != LIFECYCLE:
                installs.append(f"{path.name}:{node.lineno}")
            if node.func.attr in ("run_polling", "run_webhook"):
                stop_signals = [k.value for k in node.keywords if k.arg == "stop_signals"]
                runs.append(
                    len(stop_signals) == 1
                    and isinstance(stop_signals[0], ast.Constant)
                    and stop_signals[0].value is None
                )
    assert not installs
    assert runs == [True, True], "run_polling and run_webhook get stop_signals=None"


def test_ops_does_not_import_the_application_module() -> None:
    for path in sorted((BOT / "ops").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "bot.app", f"{path.name} imports bot.app (a back edge)"
            if isinstance(node, ast.Import):
                assert all(alias.name != "bot.app" for alias in node.names), path.name
