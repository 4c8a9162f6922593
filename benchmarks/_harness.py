"""What the benchmarks share: a fresh database, bulk-loaded users, the Bot API emulator, and the
real bot (`python -m bot run`) as a child process measured through /proc.

Not a test helper: nothing here asserts; the scripts print figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import secrets
import signal
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import Delivery, ScheduleSlot, User, UserStatus
from bot.startup import migrate
from bot.telegram_fake import TelegramFake

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
ROOT = Path(__file__).resolve().parents[1]
# Real users live in many zones; the engine must not care (it reads one UTC column).
ZONES = ("UTC", "Europe/London", "Pacific/Auckland", "America/New_York", "Asia/Kolkata")
# Where each user stands in the rotation, so a burst sends every picture, not just the first.
FAMILIES = (
    None,
    "table-stretch",
    "pelvic-tilt",
    "knee-hugs",
    "gluteal-stretch",
    "gluteal-stretch-2",
    "rotation-stretch",
    "quadriceps-stretch",
    "psoas-stretch",
    "hamstring-stretch-floor",
)
CHAT_BASE = 10_000_000
INSERT_CHUNK = 5_000
TELEGRAM_LIMIT = 30  # messages per second over all chats
# What a reminder is sent as: a card (a photo, or an animation with CARD_ANIMATIONS), or text.
CARD_METHODS = ("sendPhoto", "sendAnimation", "sendMessage")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The bot with its own rate limiter switched off, to measure the engine's ceiling (--no-limit).
# Everything else is `stretchbot run` unchanged.
_UNLIMITED_BOT = """
import sys

import telegram.ext

import bot.app

# No pacing at all (AIORateLimiter with its limits off, retries kept).
bot.app.SlidingWindowRateLimiter = lambda **kwargs: telegram.ext.AIORateLimiter(
    overall_max_rate=0, group_max_rate=0, max_retries=kwargs.get("max_retries", 3)
)
from bot.cli import main

sys.exit(main(["run"]))
"""


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    """--database-url: the PostgreSQL server to create a fresh database on (default SQLite)."""
    parser.add_argument(
        "--database-url", help="PostgreSQL server to create a fresh database on (default SQLite)"
    )


def settings_for(database_url: str) -> Settings:
    """Settings that ignore any .env in the working directory."""
    return Settings(
        database_url=database_url,
        telegram_bot_token=TOKEN,
        # Cards as photos, as every earlier figure was measured (an animation is sent by
        # file_id the same way, so the per-reminder cost is alike).
        card_animations=False,
        _env_file=None,
    )


def normalised_url(url: str) -> str:
    return settings_for(url).database_url


# -- database ------------------------------------------------------------------------------


@asynccontextmanager
async def fresh_database(url: str | None, workdir: Path) -> AsyncIterator[str]:
    """A new, migrated database: a SQLite file in `workdir`, or a new PostgreSQL database on
    the server of `url` (created and dropped here). Yields its URL."""
    if url is None or normalised_url(url).startswith("sqlite"):
        if url is None:
            url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        await migrate(settings_for(url))
        yield normalised_url(url)
        return
    server = make_url(normalised_url(url))
    name = f"stretchbot_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    fresh = server.set(database=name).render_as_string(hide_password=False)
    try:
        await migrate(settings_for(fresh))
        yield fresh
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@dataclass(frozen=True)
class Load:
    users: int
    seconds: float


async def insert_users(
    url: str,
    count: int,
    fire_at: Callable[[int], datetime | None],
    *,
    first_id: int = 1,
) -> Load:
    """`count` ACTIVE users with a zone and one daily slot each, inserted in bulk (executemany);
    user i's slot has next_fire_at = fire_at(i). Chat ids are CHAT_BASE + user id."""
    started = time.perf_counter()
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        for chunk_start in range(first_id, first_id + count, INSERT_CHUNK):
            ids = range(chunk_start, min(chunk_start + INSERT_CHUNK, first_id + count))
            users: list[dict[str, Any]] = []
            slots: list[dict[str, Any]] = []
            for user_id in ids:
                zone = ZONES[user_id % len(ZONES)]
                fire = fire_at(user_id)
                local = (
                    (fire or now).astimezone(_zone(zone)).time().replace(second=0, microsecond=0)
                )
                users.append(
                    {
                        "id": user_id,
                        "telegram_id": CHAT_BASE + user_id,
                        "chat_id": CHAT_BASE + user_id,
                        "first_name": f"User {user_id}",
                        "language_code": "en",
                        "time_zone": zone,
                        "status": UserStatus.ACTIVE,
                        "consented_at": now,
                        "nudges": False,
                        "last_family_id": FAMILIES[user_id % len(FAMILIES)],
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                slots.append(
                    {
                        "id": user_id,
                        "user_id": user_id,
                        "local_time": local,
                        "days": 0b1111111,
                        "next_fire_at": fire,
                        "created_at": now,
                    }
                )
            async with engine.begin() as connection:
                await connection.execute(insert(cast(Table, User.__table__)), users)
                await connection.execute(insert(cast(Table, ScheduleSlot.__table__)), slots)
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                for table in ("users", "schedule_slots"):
                    await connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return Load(count, time.perf_counter() - started)


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@dataclass(frozen=True)
class DeliveryRow:
    status: str
    scheduled_for: datetime
    sent_at: datetime | None
    attempts: int


async def deliveries(engine: AsyncEngine) -> list[DeliveryRow]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                Delivery.status, Delivery.scheduled_for, Delivery.sent_at, Delivery.attempts
            ).order_by(Delivery.id)
        )
        return [
            DeliveryRow(str(s.value if hasattr(s, "value") else s), f, t, a) for s, f, t, a in rows
        ]


async def count_unfinished(engine: AsyncEngine) -> tuple[int, int]:
    """(all deliveries, those still pending)."""
    async with engine.connect() as connection:
        total = await connection.scalar(select(func.count()).select_from(Delivery))
        pending = await connection.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
        )
    return int(total or 0), int(pending or 0)


# -- the bot process -----------------------------------------------------------------------


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    spawned_wall: float  # time.time() at spawn
    spawned: float  # time.monotonic() at spawn
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU of the process (all its threads) so far."""
        user, system = self.cpu_split()
        return user + system

    def cpu_split(self) -> tuple[float, float]:
        """(user, system) CPU seconds of the process so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS

    def thread_cpu(self) -> dict[int, float]:
        """Thread id -> CPU seconds so far."""
        threads: dict[int, float] = {}
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                threads[int(task.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return threads

    def _status(self, key: str) -> float:
        match = re.search(
            rf"^{key}:\s+(\d+) kB", Path(f"/proc/{self.pid}/status").read_text(), re.M
        )
        return int(match.group(1)) / 1024 if match else float("nan")

    def peak_rss_mb(self) -> float:
        return self._status("VmHWM")

    def rss_mb(self) -> float:
        return self._status("VmRSS")

    def logged_at(self, event: str) -> float | None:
        """Seconds from spawn to the first log line of `event`, from its ts field."""
        for line in self.log.read_text(errors="replace").splitlines():
            if f"event={event}" in line or f'event="{event}"' in line:
                match = re.match(r"ts=(\S+)", line)
                if match:
                    return datetime.fromisoformat(match.group(1)).timestamp() - self.spawned_wall
        return None

    def errors(self) -> list[str]:
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if "level=ERROR" in line or "Traceback" in line]


@asynccontextmanager
async def bot_process(
    tg: TelegramFake,
    database_url: str,
    workdir: Path,
    *,
    unlimited: bool = False,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
    name: str = "bot",
) -> AsyncIterator[BotProcess]:
    """`python -m bot run [args]` against the emulator (more settings in `env`); SIGTERM (then
    SIGKILL) on the way out. Its log is `workdir/{name}.log`."""
    log = workdir / f"{name}.log"
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.api_root,
        "DATABASE_URL": database_url,
        "CONTENT_DIR": str(ROOT / "content"),
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    command: Sequence[str] = (
        [sys.executable, "-c", _UNLIMITED_BOT]
        if unlimited
        else [sys.executable, "-m", "bot", "run", *args]
    )
    with log.open("wb") as sink:
        wall, mono = time.time(), time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, env=environment, stdout=sink, stderr=sink, cwd=workdir
        )
    running = BotProcess(process, wall, mono, log)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()


@asynccontextmanager
async def profiled(bot: BotProcess, output: Path | None) -> AsyncIterator[None]:
    """py-spy (if installed and asked for) records the bot process meanwhile."""
    if output is None:
        yield
        return
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(bot.pid),
        "--format",
        {".json": "speedscope", ".svg": "flamegraph"}.get(output.suffix, "raw"),
        "--output",
        str(output),
        "--rate",
        "500",
        "--gil",  # only what holds the GIL: CPU, not waiting
        "--nonblocking",  # read without pausing the bot: far less overhead
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        await spy.wait()


async def wait_until_answering(tg: TelegramFake, bot: BotProcess, within: float = 60) -> float:
    """Seconds from spawn until the bot answers a /help sent by a user (queued at spawn)."""
    probe = tg.user(CHAT_BASE - 1, "Probe")
    await probe.send("/help")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if bot.process.returncode is not None:
            raise RuntimeError(f"the bot exited ({bot.process.returncode}):\n{bot.log.read_text()}")
        with contextlib.suppress(TimeoutError):
            await probe.next_message(timeout=0.05)
            return time.monotonic() - bot.spawned
    raise TimeoutError(f"the bot did not answer within {within} s:\n{bot.log.read_text()}")


# -- figures -------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)
