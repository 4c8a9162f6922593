"""`stretchbot console`: a scripted session on stdin, from /start to answering a stretch."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.console import next_local_time, parse_clock_delta

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """\
/start
1
/press None of these
Auckland
/press 07:30
/press Done
/press Every day
/clock 07:30
/press ✅ Done
/stats
/quit
"""


def run_console(script: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=False,
    )


@pytest.mark.e2e
def test_a_scripted_session_sets_up_gets_a_stretch_and_answers_it() -> None:
    result = run_console(SCRIPT)
    out = result.stdout
    assert result.returncode == 0, result.stderr + out
    assert "[1] ✅ I understand" in out
    assert "[3] None of these ✓" in out  # buttons numbered across rows
    assert "Time zone: Auckland (Pacific)" in out
    assert "[1] ✅ 07:30" in out  # the edited keyboard is shown again
    assert "All set" in out
    # /clock 07:30 -> the next 07:30 in Auckland, and the scheduled stretch arrives.
    assert "07:30 (Pacific/Auckland)" in out
    prompt = out.split("you › /clock 07:30", 1)[1]
    assert "[animation content/images/table-stretch.gif]" in prompt
    assert "‘Table’ stretch" in prompt
    assert "[1] ⏱ Hold  [2] ✅ Done" in prompt  # the Table stretch: a hold, nothing easier
    answered = prompt.split("you › /press ✅ Done", 1)[1]
    assert "✅ Done" in answered
    assert "Prompts sent: 1 today" in answered  # /stats: the console user is an admin
    assert "Done rate, 7 days: 100%" in answered
    assert "!!" not in out
    assert out.rstrip().endswith("bye")
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_a_clinician_previews_a_pack_and_a_broken_pack_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "pack"
    broken.mkdir()
    result = run_console("/quit\n", "--content", str(broken))
    assert result.returncode == 1
    assert f"the content pack at {broken} is invalid" in result.stderr


def test_clock_arguments() -> None:
    assert parse_clock_delta("+1h") == timedelta(hours=1)
    assert parse_clock_delta("+1d2h30m") == timedelta(days=1, hours=2, minutes=30)
    assert parse_clock_delta("+45m") == timedelta(minutes=45)
    for bad in ("1h", "+", "+1x", "-1h", "+h"):
        assert parse_clock_delta(bad) is None
    auckland = ZoneInfo("Pacific/Auckland")
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 23:00 in Auckland
    assert next_local_time(now, time(7, 30), auckland) == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    assert next_local_time(now, time(10, 0), ZoneInfo("UTC")) == now + timedelta(days=1)


CLINIC_SCRIPT = """\
/invite Dr Ana Smith; Osteoworks; Pacific/Auckland
/as practitioner
/open
/as you
/open
1
/press None of these
Auckland
/press 07:30
/press Done
/press Every day
/press Yes, share
/as practitioner
/patients
/quit
"""


@pytest.mark.e2e
def test_the_console_plays_the_clinic_loop_as_two_users() -> None:
    result = run_console(CLINIC_SCRIPT)
    out = result.stdout
    assert result.returncode == 0, result.stderr + out
    assert "Added <b>Dr Ana Smith</b>" in out or "Added Dr Ana Smith" in out
    assert "you are now practitioner" in out
    assert "Welcome, Dr Ana Smith!" in out
    assert "Share your stretch record with Dr Ana Smith at Osteoworks?" in out
    assert "You now share your stretch record with Dr Ana Smith" in out
    patients = out.rsplit("you › /patients", 1)[1]
    assert "Your patients · Osteoworks · 1 sharing" in patients
    assert "Console" in patients
    assert "!!" not in out
    assert "Traceback" not in result.stderr
