"""``python -m bot.telegram_fake`` serves the API on a fixed port, optionally as a terminal chat."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

TOKEN = "42:STANDALONE"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def standalone() -> AsyncIterator[tuple[asyncio.subprocess.Process, int]]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.telegram_fake",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--chat",
        "1001",
        "--quiet",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    banner = await asyncio.wait_for(process.stdout.readline(), 10)
    assert f"http://127.0.0.1:{port}".encode() in banner
    try:
        yield process, port
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def test_terminal_chat_with_a_bot(
    standalone: tuple[asyncio.subprocess.Process, int],
) -> None:
    process, port = standalone
    assert process.stdin is not None
    assert process.stdout is not None
    root = f"http://127.0.0.1:{port}"
    async with Bot(TOKEN, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot") as bot:
        process.stdin.write(b"/start\n")
        await process.stdin.drain()
        (update,) = await bot.get_updates(timeout=5)
        assert update.message is not None
        assert update.message.text == "/start"
        await bot.send_message(update.message.chat.id, "Hello from the bot")
        line = await asyncio.wait_for(process.stdout.readline(), 5)
        assert line.decode().strip() == "bot> Hello from the bot"
