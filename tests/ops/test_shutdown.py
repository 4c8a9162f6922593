"""SIGTERM during a slow burst: the process exits within 10 s, every reminder it sent is
recorded, the rest are handed back, and the next process sends those at once (not after the
lease), each exactly once."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrations import upgrade
from bot.db.models import Delivery, DeliveryStatus, ScheduleSlot, User, UserStatus
from bot.domain.clock_times import Weekdays
from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN
from tests.ops.procs import bot_process

pytestmark = pytest.mark.e2e

USERS = 30
FIRST_ID = 8000


async def seed_due_reminders(database_url: str) -> None:
    """USERS set-up users whose 07:00 reminder was due a minute ago."""
    engine = create_engine(database_url)
    await upgrade(engine)
    now = datetime.now(UTC)
    async with create_session_factory(engine)() as session:
        for n in range(USERS):
            user = User(
                telegram_id=FIRST_ID + n,
                chat_id=FIRST_ID + n,
                first_name=f"U{n}",
                time_zone="UTC",
                status=UserStatus.ACTIVE,
                consented_at=now,
            )
            user.slots.append(
                ScheduleSlot(
                    local_time=(now - timedelta(minutes=1)).time().replace(microsecond=0),
                    days=int(Weekdays.EVERY_DAY),
                    next_fire_at=now - timedelta(minutes=1),
                )
            )
            session.add(user)
        await session.commit()
    await engine.dispose()


async def deliveries(database_url: str) -> list[Delivery]:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        rows = list(await session.scalars(select(Delivery)))
    await engine.dispose()
    return rows


async def test_sigterm_mid_burst_records_or_hands_back_every_reminder(
    database_url: str, tmp_path: Path
) -> None:
    await seed_due_reminders(database_url)
    # Each wave of 4 sends takes 1 s; the drain ends half-way through one (2.5 s), not when a
    # wave's answers are due: a send cut just as Telegram answers it was truly sent, and would be
    # handed back and sent again (the in-flight duplicates the crash test bounds), not this test.
    env = {
        "SEND_CONCURRENCY": "4",
        "LOG_LEVEL": "INFO",
        "SHUTDOWN_DRAIN_SECONDS": "2.5",
        "CARD_ANIMATIONS": "false",  # the cards as photos: the test counts sendPhoto calls
    }
    async with TelegramFake(token=TOKEN) as tg:
        users = [tg.user(FIRST_ID + n, f"U{n}") for n in range(USERS)]
        tg.faults.add("latency", method="sendPhoto", seconds=1.0, times=None)
        async with bot_process(tg, database_url, tmp_path, env=env, log_name="first.log") as bot:
            deadline = time.monotonic() + 30
            while len(tg.calls("sendPhoto", ok=True)) < 4:
                assert time.monotonic() < deadline, bot.output()
                await asyncio.sleep(0.05)
            code, seconds = await bot.stop()
            first_log = bot.output()
        assert code == 0, first_log
        assert seconds < 10, first_log
        sent_first = {r.chat_id for r in tg.calls("sendPhoto", ok=True)}
        assert 4 <= len(sent_first) < USERS, "the burst was cut short, not finished"

        rows = await deliveries(database_url)
        assert len(rows) == USERS  # one per slot: nothing lost, nothing doubled
        now = datetime.now(UTC)
        recorded = {row.user_id for row in rows if row.status is DeliveryStatus.SENT}
        pending = [row for row in rows if row.status is DeliveryStatus.PENDING]
        assert len(recorded) == len(sent_first), "every photo Telegram got is recorded"
        assert len(recorded) + len(pending) == USERS
        assert all(row.lease_until is not None and row.lease_until <= now for row in pending)
        assert "shutdown: in-flight reminders handed back" in first_log

        # The next process (no latency now) sends the handed-back ones at once.
        tg.faults.clear()
        async with bot_process(tg, database_url, tmp_path, env=env, log_name="second.log") as bot:
            for user in users:
                await user.wait_for(lambda m: m.kind in ("photo", "animation"), timeout=20)
            await bot.stop()
        photos = [r.chat_id or 0 for r in tg.calls("sendPhoto", ok=True)]
        assert sorted(photos) == sorted(u.chat_id for u in users), "each exactly once"
    assert {row.status for row in await deliveries(database_url)} == {DeliveryStatus.SENT}
