"""One dispatcher in its own process, for the replicas test: the engine's real claim, send and
record (`Dispatcher.run_round`), with its own event loop and connection pool.

    python -m tests.delivery.dispatch_worker DATABASE_URL API_ROOT BATCH [RATE]

With RATE (messages a second), the bot's own rate limiter paces it, sharing RATE with every
other process on the database (bot.delivery.rate_budget), as replicas do.

Prints "ready" once connected, waits for a line on stdin (so two workers start together), runs
rounds until nothing is due, and prints how many deliveries it claimed as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import replace

from telegram import Bot
from telegram.ext import ExtBot

from bot.config import Settings
from bot.context import AppServices
from bot.db.engine import create_engine, create_session_factory
from bot.delivery.aiohttp_request import AiohttpRequest
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.rate_budget import SharedRateBudget
from bot.delivery.rate_limit import SlidingWindowRateLimiter
from bot.logging_setup import configure_logging
from tests.bot_harness import TOKEN, real_catalog


async def main(database_url: str, api_root: str, batch: int, rate: int | None) -> None:
    configure_logging(os.environ.get("STRETCHBOT_WORKER_LOG_LEVEL", "WARNING"), "keyvalue")
    settings = Settings(
        database_url=database_url,
        telegram_bot_token=TOKEN,
        telegram_api_url=api_root,
        card_animations=False,  # the cards as photos: the test counts sendPhoto calls
        _env_file=None,
    )
    engine = create_engine(settings.database_url)
    services = AppServices(
        settings=settings, catalog=real_catalog(), session_factory=create_session_factory(engine)
    )
    # The transport is the bot's own (the engine sends prompts only through it). Without RATE
    # no rate limiter: the emulator then runs without Telegram's limit.
    limiter = (
        None
        if rate is None
        else SlidingWindowRateLimiter(max_rate=rate, budget=SharedRateBudget(engine))
    )
    bot: Bot = ExtBot(
        TOKEN,
        base_url=f"{api_root}/bot",
        base_file_url=f"{api_root}/file/bot",
        request=AiohttpRequest(connection_pool_size=settings.send_concurrency),
        rate_limiter=limiter,
    )
    dispatcher = Dispatcher(services, bot)
    dispatcher.policy = replace(dispatcher.policy, batch=batch)
    async with bot:
        async with services.session_factory() as session:  # connect before the start line
            await session.connection()
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        claimed = await dispatcher.run_round()
    await engine.dispose()
    print(json.dumps({"claimed": claimed}), flush=True)


if __name__ == "__main__":
    rate = int(sys.argv[4]) if len(sys.argv) > 4 else None
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), rate))
