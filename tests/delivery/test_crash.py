"""SIGKILL in the middle of a 1,000-reminder burst, then a restart: every due reminder ends with
exactly one final state, none is lost, and the only repeats are prompts that were in flight
(claimed, not yet recorded) when the process died."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryStatus, ScheduleSlot
from bot.db.types import utc_now
from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN
from tests.delivery.people import insert_due_users

ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 1_000
LEASE_SECONDS = 5

# `stretchbot run` unchanged, except that its rate limiter is off (the emulator's flood control
# is off too), so the burst takes seconds rather than Telegram's 33.
UNLIMITED_BOT = """
import sys
import telegram.ext
import bot.app

def unlimited(*args, **kwargs):
    return telegram.ext.AIORateLimiter(
        overall_max_rate=0, group_max_rate=0, max_retries=kwargs.get("max_retries", 3)
    )

for name in ("AIORateLimiter", "SlidingWindowRateLimiter"):  # whichever the app builds
    if hasattr(bot.app, name):
        setattr(bot.app, name, unlimited)
from bot.cli import main

sys.exit(main(["run"]))
"""


@asynccontextmanager
async def bot_process(
    tg: TelegramFake, database_url: str, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.api_root,
        "DATABASE_URL": database_url,
        "CONTENT_DIR": str(ROOT / "content"),
        "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "CARD_ANIMATIONS": "false",  # the cards as photos: the test counts sendPhoto calls
    }
    with log.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", UNLIMITED_BOT, env=env, stdout=sink, stderr=sink, cwd=log.parent
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _states(session_factory: SessionFactory) -> Counter[DeliveryStatus]:
    async with session_factory() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        counts: Counter[DeliveryStatus] = Counter()
        for status, count in rows:
            counts[status] = count
        return counts


# SQLite: one writer, the harder case for a restart; the replicas and database-loss tests cover
# PostgreSQL (running both here would double the suite's longest test).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sigkill_mid_burst_then_restart_loses_nothing_and_repeats_only_the_in_flight(
    session_factory: SessionFactory, database_url: str, tmp_path: Path
) -> None:
    chats = await insert_due_users(session_factory, REMINDERS, utc_now() - timedelta(seconds=5))
    log = tmp_path / "bot.log"
    async with TelegramFake(token=TOKEN) as tg:
        for chat in chats:
            tg.user(chat)
        tg.faults.add("latency", seconds=0.2, times=None)  # the burst takes a few seconds

        def delivered() -> int:
            return len(tg.calls("sendPhoto", ok=True))

        async with bot_process(tg, database_url, log) as first:
            deadline = time.monotonic() + 60
            while delivered() < REMINDERS * 0.4:
                assert first.returncode is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                await asyncio.sleep(0.01)
            first.send_signal(signal.SIGKILL)
            await first.wait()
        killed_at = time.monotonic()
        at_kill = await _states(session_factory)
        delivered_at_kill = delivered()

        async with bot_process(tg, database_url, log) as second:
            deadline = time.monotonic() + 60
            while True:
                states = await _states(session_factory)
                if states[DeliveryStatus.PENDING] == 0 and states.total() >= REMINDERS:
                    break
                assert second.returncode is None, log.read_text()
                assert time.monotonic() < deadline, f"{states}\n{log.read_text()}"
                await asyncio.sleep(0.05)
            recovered_in = time.monotonic() - killed_at
        prompts = Counter(r.chat_id for r in tg.calls("sendPhoto", ok=True))

    async with session_factory() as session:
        per_slot = Counter((await session.scalars(select(Delivery.slot_id))).all())
        due_left = await session.scalar(
            select(func.count())
            .select_from(ScheduleSlot)
            .where(ScheduleSlot.next_fire_at <= utc_now())
        )
    in_flight = at_kill[DeliveryStatus.PENDING]
    unrecorded = delivered_at_kill - at_kill[DeliveryStatus.SENT]  # sent, outcome not written
    duplicates = sum(1 for chat in chats if prompts[chat] > 1)
    lost = sum(1 for chat in chats if prompts[chat] == 0)
    print(
        f"\n[{database_url.split(':')[0]}] {REMINDERS} reminders; at SIGKILL: "
        f"{delivered_at_kill} delivered by the emulator, {at_kill[DeliveryStatus.SENT]} recorded "
        f"sent, {in_flight} in flight (claimed, not recorded), "
        f"{REMINDERS - at_kill.total()} not yet claimed, {unrecorded} delivered but not yet "
        f"recorded; after the restart "
        f"({recovered_in:.1f} s): lost {lost}, users with 2 prompts {duplicates}, "
        f"max prompts per user {max(prompts[chat] for chat in chats)}, final states "
        f"{dict(states)}"
    )
    assert in_flight > 0, "the kill came mid-burst"
    assert lost == 0
    assert duplicates <= in_flight
    assert max(prompts[chat] for chat in chats) <= 2
    assert per_slot == dict.fromkeys(per_slot, 1), "one delivery per reminder"
    assert len(per_slot) == REMINDERS
    assert states == Counter({DeliveryStatus.SENT: REMINDERS}), "exactly one final state each"
    assert due_left == 0
