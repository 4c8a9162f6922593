"""Helpers for tests that run `python -m bot ...` as a real process against the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.telegram_fake import FakeUser, TelegramFake
from tests.bot_harness import TOKEN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def stop(self) -> tuple[int, float]:
        """SIGTERM; (exit code, seconds it took)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), timeout=15)
        return code, time.monotonic() - started


@asynccontextmanager
async def bot_process(
    tg: TelegramFake,
    database_url: str,
    folder: Path,
    *args: str,
    env: dict[str, str] | None = None,
    log_name: str = "bot.log",
) -> AsyncIterator[BotProcess]:
    log = folder / log_name
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.api_root,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "DEBUG",
        **(env or {}),
    }
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            *args,
            env=environment,
            stdout=sink,
            stderr=sink,
            cwd=folder,
        )
    running = BotProcess(process, log)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def wait_http(url: str, within: float = 30.0) -> tuple[int, str]:
    """GET `url` once the server is up (retrying connection errors)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await get(url)
        except aiohttp.ClientConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def onboard(user: FakeUser, first_timeout: float = 30.0) -> None:
    """/start to "All set" (Auckland, 07:30 every day), through the real process."""
    await user.send("/start")
    welcome = await user.next_message(timeout=first_timeout)
    await user.press("✅ I understand", welcome)
    await user.next_message()
    await user.press("None of these ✓")
    await user.next_message()
    await user.send("Auckland")
    # A fresh process loads its place data on the first /start, in a thread (~1 s quiet, more
    # on a busy machine): a person reads and taps meanwhile, this script does not.
    await user.next_message(timeout=first_timeout)
    times = await user.next_message()
    await user.press("07:30", times)
    await user.wait_for(lambda m: "✅ 07:30" in str(m.button_labels))
    await user.press("Done ✓", times)
    days = await user.next_message()
    await user.press("Every day", days)
    all_set = await user.next_message()
    assert all_set.text is not None
    assert "All set" in all_set.text


def metric(text: str, name: str) -> float:
    """The value of one sample line (`name` includes labels) of a Prometheus exposition."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {name} in:\n{text}")
