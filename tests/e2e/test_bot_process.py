"""`stretchbot run` as a real process, long polling the emulator over HTTP."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN, text_of
from tests.ops.procs import bot_process  # at LOG_LEVEL=DEBUG: the most a log could hold

pytestmark = pytest.mark.e2e


async def test_a_user_talks_to_the_real_bot_process_and_sigterm_stops_it_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    async with TelegramFake(token=TOKEN) as tg, bot_process(tg, database_url, tmp_path) as bot:
        alice = tg.user(5001, "Alice")
        await alice.send("/start")
        welcome = await alice.next_message(timeout=30)  # start-up: migrations, content
        assert "I understand" in str(welcome.button_labels)
        await alice.press("✅ I understand", welcome)
        assert "Disc problems" in str((await alice.next_message()).button_labels)

        await alice.send("/help")
        assert "/settings" in text_of(await alice.next_message())
        await alice.send("/dance")
        assert "/dance" in text_of(await alice.next_message())
        await alice.send("what is this?")  # mid set-up: the buttons are the answer
        assert "buttons above" in text_of(await alice.next_message())
        bob = tg.user(5002, "Bob")  # never started: plain text gets the general help
        await bob.send("what is this?")
        assert "/help" in text_of(await bob.next_message())
        assert {"start", "help"} <= {c["command"] for c in tg.commands()}

        code, seconds = await bot.stop()
        output = bot.output()
        assert code == 0, output
        assert seconds < 5
        # The token never appears in any log line, whole or its secret half.
        assert TOKEN not in output
        assert TOKEN.split(":")[1] not in output
        assert "handler failed" not in output


async def test_a_wrong_token_stops_the_bot_with_one_clear_line(tmp_path: Path) -> None:
    async with TelegramFake(token=TOKEN) as tg:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": "999:WRONG-token-abcdefghijklmnopqrstu",
            "TELEGRAM_API_URL": tg.api_root,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    lines = [line for line in stderr.decode().splitlines() if line.startswith("stretchbot:")]
    assert process.returncode == 2
    assert lines == [f"stretchbot: TELEGRAM_BOT_TOKEN was refused by the Bot API at {tg.api_root}"]
    assert "Traceback" not in stderr.decode()
    assert not (tmp_path / "db.sqlite3").exists(), "nothing is written before the API answers"
