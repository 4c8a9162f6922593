"""Short leases kept alive while the claiming process works: a round that takes longer than a
lease (at Telegram's pace) keeps its reminders, and a process that cannot renew stops sending
what it holds before anyone else may take it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from telegram.ext import ExtBot

from bot.config import Settings
from bot.context import AppServices
from bot.db.engine import SessionFactory
from bot.db.models import Delivery
from bot.db.types import utc_now
from bot.delivery.aiohttp_request import AiohttpRequest
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.lease_keeper import LeaseKeeper
from bot.delivery.rate_limit import SlidingWindowRateLimiter
from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN, real_catalog
from tests.delivery.people import insert_due_users

LEASE = 5
RATE = 12
REMINDERS = 80  # ~7 s at 12/s: longer than a lease


def _dispatcher(session_factory: SessionFactory, database_url: str, api_root: str) -> Dispatcher:
    settings = Settings(
        database_url=database_url,
        telegram_bot_token=TOKEN,
        telegram_api_url=api_root,
        delivery_lease_seconds=LEASE,
        card_animations=False,  # the cards as photos: the test counts sendPhoto calls
        _env_file=None,
    )
    services = AppServices(
        settings=settings, catalog=real_catalog(), session_factory=session_factory
    )
    bot: ExtBot[int] = ExtBot(
        TOKEN,
        base_url=f"{api_root}/bot",
        base_file_url=f"{api_root}/file/bot",
        request=AiohttpRequest(),
        rate_limiter=SlidingWindowRateLimiter(max_rate=RATE),
    )
    return Dispatcher(services, bot)


async def test_a_round_longer_than_its_lease_keeps_its_reminders_from_another_replica(
    session_factory: SessionFactory, database_url: str
) -> None:
    chats = await insert_due_users(session_factory, REMINDERS, utc_now() - timedelta(seconds=5))
    async with TelegramFake(token=TOKEN, rate_limit=RATE) as tg:
        for chat in chats:
            tg.user(chat)
        working = _dispatcher(session_factory, database_url, tg.api_root)
        watching = _dispatcher(session_factory, database_url, tg.api_root)
        async with working.sender.bot, watching.sender.bot:
            started = time.monotonic()
            round_ = asyncio.ensure_future(working.run_round())
            taken = 0
            while not round_.done():  # another replica looking for expired leases meanwhile
                await asyncio.sleep(0.5)
                taken += await watching.run_round()
            sent = await round_
            took = time.monotonic() - started
        prompts = Counter(r.chat_id for r in tg.calls("sendPhoto", ok=True))
        refused = len(tg.calls("sendPhoto")) - sum(prompts.values())
    async with session_factory() as session:
        statuses = Counter((await session.scalars(select(Delivery.status))).all())
    assert took > LEASE + 1, f"the round ({took:.1f} s) outlasted a lease"
    assert working.leases.renewals >= 2
    assert (sent, taken) == (REMINDERS, 0)
    assert prompts == dict.fromkeys(chats, 1)
    assert refused == 0
    assert statuses == {"sent": REMINDERS}


async def test_a_process_that_cannot_renew_stops_sending_before_its_leases_run_out(
    session_factory: SessionFactory,
) -> None:
    keeper = LeaseKeeper(session_factory, utc_now, timedelta(seconds=LEASE))
    keeper.claimed([1, 2], claimed_at=time.monotonic())
    assert keeper.valid()
    # Claimed a lease ago and never renewed (the database was away): not surely ours.
    stale = LeaseKeeper(session_factory, utc_now, timedelta(seconds=LEASE))
    stale.claimed([3], claimed_at=time.monotonic() - LEASE)
    assert not stale.valid()
    await stale.renew()  # the database is back: renewed, valid again
    assert stale.valid()
