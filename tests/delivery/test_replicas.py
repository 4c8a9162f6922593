"""Two dispatchers (two processes, as two replicas would be) share one PostgreSQL: SKIP LOCKED
claims and the unique (slot, scheduled_for) key mean each of 2,000 due reminders goes out once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryStatus
from bot.db.types import utc_now
from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN
from tests.delivery.people import insert_due_users

ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 2_000
BATCH = 100  # small claims, so the two interleave many times


async def _start_worker(
    database_url: str, api_root: str, batch: int = BATCH, *rate: str
) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.delivery.dispatch_worker",
        database_url,
        api_root,
        str(batch),
        *rate,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
    assert line.strip() == b"ready", line
    return process


async def _go(workers: list[asyncio.subprocess.Process]) -> None:
    for worker in workers:  # "go" to all at once
        assert worker.stdin is not None
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()


async def _finish(process: asyncio.subprocess.Process) -> int:
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()[-3000:]
    return int(json.loads(stdout.decode().strip().splitlines()[-1])["claimed"])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_dispatcher_processes_send_each_of_2000_due_reminders_exactly_once(
    session_factory: SessionFactory, database_url: str
) -> None:
    chats = await insert_due_users(session_factory, REMINDERS, utc_now() - timedelta(minutes=1))
    async with TelegramFake(token=TOKEN) as tg:  # no flood control: the engine's own speed
        for chat in chats:
            tg.user(chat)
        workers = await asyncio.gather(*(_start_worker(database_url, tg.api_root) for _ in "ab"))
        started = time.monotonic()
        await _go(workers)
        claimed = [await _finish(worker) for worker in workers]
        seconds = time.monotonic() - started
        prompts = Counter(r.chat_id for r in tg.calls("sendPhoto", ok=True))
        attempts = len(tg.calls("sendPhoto"))

    async with session_factory() as session:
        rows = (await session.execute(select(Delivery.slot_id, Delivery.status))).all()
        pending = await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
        )
    print(
        f"\n{REMINDERS} reminders, two processes claimed {claimed[0]} + {claimed[1]} "
        f"in {seconds:.1f} s; sendPhoto calls {attempts}"
    )
    assert all(claimed), f"both dispatchers took part: {claimed}"
    assert sum(claimed) == REMINDERS
    assert {chat: prompts[chat] for chat in chats} == dict.fromkeys(chats, 1), "exactly once each"
    assert sum(prompts.values()) == REMINDERS
    assert len(rows) == REMINDERS
    assert len({slot_id for slot_id, _ in rows}) == REMINDERS, "one delivery per slot"
    assert {status for _, status in rows} == {DeliveryStatus.SENT}
    assert pending == 0
    assert seconds < 60


def most_in_any_second(moments: list[float]) -> int:
    ordered, most, start = sorted(moments), 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


SHARED_RATE = 20  # small, so that the test takes seconds: the rules don't depend on it
SHARED_REMINDERS = 150


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_processes_share_one_rate_budget_and_never_exceed_it_in_any_second(
    session_factory: SessionFactory, database_url: str
) -> None:
    # Telegram's flood control at 20/s: a strict 1-second window, and its penalty after a 429.
    chats = await insert_due_users(
        session_factory, SHARED_REMINDERS, utc_now() - timedelta(minutes=1)
    )
    async with TelegramFake(token=TOKEN, rate_limit=SHARED_RATE) as tg:
        for chat in chats:
            tg.user(chat)
        workers = [
            await _start_worker(database_url, tg.api_root, 20, str(SHARED_RATE)) for _ in "ab"
        ]
        started = time.monotonic()
        await _go(workers)
        claimed = [await _finish(worker) for worker in workers]
        seconds = time.monotonic() - started
        sends = [r for r in tg.requests if r.method == "sendPhoto"]

    accepted = [r.at for r in sends if r.ok]
    refused = [r for r in sends if r.status == 429]
    print(
        f"\n{SHARED_REMINDERS} reminders at {SHARED_RATE}/s shared by two processes: claimed "
        f"{claimed}, {seconds:.1f} s, most in any second {most_in_any_second(accepted)}, "
        f"429s {len(refused)}"
    )
    assert all(claimed), f"both processes sent: {claimed}"
    assert refused == []
    assert most_in_any_second(accepted) <= SHARED_RATE
    assert Counter(r.chat_id for r in sends if r.ok) == dict.fromkeys(chats, 1)
