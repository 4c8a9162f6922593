"""The real Application, in-process, talking HTTP to the Bot API emulator.

Faster than a subprocess (tests/e2e does that), yet the same wiring: `build_application`, real
polling over HTTP, real handlers and a real database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import BotApplication, build_application
from bot.catalog import Catalog
from bot.config import Settings
from bot.content_commands import load_checked
from bot.context import AppServices
from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryStatus
from bot.services import inbox, zone_lookup
from bot.telegram_fake import ChatMessage, TelegramFake

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
CONTENT = Path(__file__).resolve().parents[1] / "content"

# Wednesday 25 November 2026, 10:00 UTC: 23:00 in Auckland, 10:00 in London, 05:00 New York.
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@cache
def real_catalog() -> Catalog:
    return load_checked(CONTENT)


def text_of(message: ChatMessage) -> str:
    """The text of a text message; fails the test if it has none (a photo, say)."""
    assert message.text is not None, f"{message!r} has no text"
    return message.text


def caption_of(message: ChatMessage) -> str:
    """The caption of a photo or document; fails the test if it has none."""
    assert message.caption is not None, f"{message!r} has no caption"
    return message.caption


@dataclass
class MovableClock:
    """The bot's clock in tests: starts at a fixed instant and moves only when told."""

    now: datetime = START
    calls: list[datetime] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Harness:
    tg: TelegramFake
    app: BotApplication
    services: AppServices
    clock: MovableClock

    def advance(self, delta: timedelta) -> None:
        """Move the bot's clock and let the reminder engine look again, as `/clock` does."""
        self.clock.advance(delta)
        self.services.schedule_changes.notify()

    def advance_to(self, moment: datetime) -> None:
        self.advance(moment - self.clock.now)

    async def settled(self, within: float = 10.0) -> None:
        """Wait until every update sent so far is handled (fetched, and the inbox empty) and
        the engine has recorded an outcome for every due delivery, those the handlers queued
        included.
        (Deliveries alone were not enough: on a loaded machine a press could still be in the
        inbox, its queued card not yet created, when the deliveries were all done.)"""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            async with self.services.session_factory() as session:
                # Not yet fetched from the emulator, or stored and not yet handled.
                unhandled = self.tg.pending_updates or await inbox.backlog(session)
                pending = unhandled or await session.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(
                        Delivery.status == DeliveryStatus.PENDING,
                        Delivery.scheduled_for <= self.clock.now,
                    )
                )
            if pending == 0:
                return
            if asyncio.get_running_loop().time() > deadline:
                what = "updates unhandled" if unhandled else "deliveries still pending"
                raise TimeoutError(f"{pending} {what}")
            await asyncio.sleep(0.02)


@asynccontextmanager
async def running_bot(
    session_factory: SessionFactory,
    database_url: str = "sqlite+aiosqlite://",
    *,
    settings: Mapping[str, Any] | None = None,
    fake: Mapping[str, Any] | None = None,
) -> AsyncIterator[Harness]:
    """The bot against a fresh emulator; `settings` overrides Settings fields (e.g. the lease),
    `fake` passes options to TelegramFake (e.g. rate_limit)."""
    zone_lookup.warm_up()  # once per test process, so no test's first city waits for it
    async with TelegramFake(token=TOKEN, **(fake or {})) as tg:
        clock = MovableClock()
        bot_settings = Settings(
            telegram_bot_token=TOKEN,
            telegram_api_url=tg.api_root,
            database_url=database_url,
            # Prompts as their still pictures, which most stories look at; the animated cards
            # have their own (tests/delivery/test_animated_cards.py).
            **{"card_animations": False, **(settings or {})},
        )
        services = AppServices(
            settings=bot_settings,
            catalog=real_catalog(),
            session_factory=session_factory,
            clock=clock,
        )
        app = build_application(services)
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield Harness(tg=tg, app=app, services=services, clock=clock)
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
