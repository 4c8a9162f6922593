"""Wrong settings, an unreachable database or API, a broken content pack: one clear line each,
a non-zero exit, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

GOOD_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


def stretchbot(
    *args: str, cwd: Path, wrapper: Sequence[str] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "METRICS_", "WEBHOOK_"))
    }
    return subprocess.run(
        [*wrapper, sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "stretchbot: TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "stretchbot: TELEGRAM_BOT_TOKEN is malformed"),
        (
            {"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "TELEGRAM_API_URL": "ftp://example.org"},
            "stretchbot: TELEGRAM_API_URL is not an http(s) URL",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "DATABASE_URL": "mysql://x@y/z"},
            "stretchbot: DATABASE_URL must be a sqlite:/// or postgresql:// URL",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "ADMIN_IDS": "12,abc"},
            "stretchbot: ADMIN_IDS must be comma-separated numeric Telegram user ids",
        ),
    ],
)
def test_bad_settings_stop_with_exit_code_2_and_one_line(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = stretchbot("run", cwd=tmp_path, **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(expected)
    assert "not-a-token" not in result.stderr  # a mistyped token is not echoed
    assert not (tmp_path / "data").exists(), "nothing is written"


def test_an_unreachable_bot_api_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = stretchbot(
        "run", cwd=tmp_path, TELEGRAM_BOT_TOKEN=GOOD_TOKEN, TELEGRAM_API_URL="http://127.0.0.1:9"
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("stretchbot: cannot reach the Bot API at http://127.0.0.1:9")
    )
    assert "Traceback" not in result.stderr
    assert GOOD_TOKEN not in result.stderr + result.stdout


def test_an_unreachable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = stretchbot(
        "migrate", cwd=tmp_path, DATABASE_URL="postgresql://nobody:secret@127.0.0.1:9/nothing"
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith(
        "stretchbot: cannot migrate the database at postgresql+asyncpg://nobody:***@127.0.0.1:9"
    )
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    result = stretchbot("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "stretchbot.sqlite3").exists()


def test_run_refuses_an_invalid_content_pack_with_the_full_report(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "stretches").mkdir(parents=True)
    (pack / "stretches" / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    result = stretchbot("run", cwd=tmp_path, TELEGRAM_BOT_TOKEN=GOOD_TOKEN, CONTENT_DIR=str(pack))
    assert result.returncode == 1
    assert result.stderr.startswith(f"stretchbot: the content pack at {pack} is invalid:")
    assert "broken.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_content_check_passes_on_the_real_pack(tmp_path: Path) -> None:
    result = stretchbot("content", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("OK: 14 stretches, 2 conditions")


def test_an_empty_content_dir_means_the_shipped_pack_not_the_working_folder(
    tmp_path: Path,
) -> None:
    """`CONTENT_DIR=` as .env.example has it: the clinic's pack, wherever the bot runs."""
    result = stretchbot("content", "check", cwd=tmp_path, CONTENT_DIR="")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("OK: 14 stretches, 2 conditions")


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another process already listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


WEBHOOK = ("--webhook", "https://bot.example.com/telegram")


def run_bot(
    tmp_path: Path, *args: str, wrapper: Sequence[str] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    return stretchbot(
        "run", *args, cwd=tmp_path, wrapper=wrapper, TELEGRAM_BOT_TOKEN=GOOD_TOKEN, **env
    )


def assert_one_line(result: subprocess.CompletedProcess[str], start: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith(start), result.stderr


def test_a_metrics_port_in_use_is_one_line_naming_it_and_exit_2(
    tmp_path: Path, taken_port: int
) -> None:
    result = run_bot(
        tmp_path,
        METRICS_PORT=str(taken_port),
        METRICS_LISTEN="127.0.0.1",
    )
    assert_one_line(result, f"stretchbot: METRICS_PORT {taken_port} is already in use")
    assert not (tmp_path / "data").exists(), "stopped before touching the database"


def test_a_webhook_port_in_use_is_one_line_naming_it_and_exit_2(
    tmp_path: Path, taken_port: int
) -> None:
    result = run_bot(
        tmp_path,
        *WEBHOOK,
        WEBHOOK_PORT=str(taken_port),
        WEBHOOK_LISTEN="127.0.0.1",
    )
    assert_one_line(result, f"stretchbot: WEBHOOK_PORT {taken_port} is already in use")


def test_one_port_for_both_servers_is_refused(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody uses: only the two settings collide
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    result = run_bot(
        tmp_path,
        *WEBHOOK,
        METRICS_PORT=port,
        WEBHOOK_PORT=port,
    )
    assert_one_line(result, f"stretchbot: WEBHOOK_PORT {port} is also METRICS_PORT")


def test_a_port_this_user_may_not_open_is_one_line_naming_it_and_exit_2(tmp_path: Path) -> None:
    if int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text()) <= 80:
        pytest.skip("this machine lets anyone listen on port 80")
    # As root, take away the one capability that allows ports below 1024 (setpriv, util-linux).
    without_root = ("setpriv", "--bounding-set=-net_bind_service") if os.geteuid() == 0 else ()
    result = run_bot(
        tmp_path,
        wrapper=without_root,
        METRICS_PORT="80",
        METRICS_LISTEN="127.0.0.1",
    )
    assert_one_line(result, "stretchbot: METRICS_PORT 80 is not allowed: ports below 1024")


def test_a_listen_address_not_on_this_machine_is_one_line_naming_it(tmp_path: Path) -> None:
    result = run_bot(
        tmp_path,
        *WEBHOOK,
        WEBHOOK_LISTEN="192.0.2.7",  # TEST-NET-1: documentation only, never a local address
    )
    assert_one_line(result, "stretchbot: WEBHOOK_LISTEN 192.0.2.7 is not an address of this")
