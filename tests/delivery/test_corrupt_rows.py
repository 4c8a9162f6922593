"""Corrupt rows and a database that goes away: logged, recorded, retried; the engine keeps
running for everyone else and loses nothing."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import func, select, update

from bot.db.engine import SessionFactory
from bot.db.models import (
    BlockedStretch,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    ScheduleSlot,
    StretchPreference,
    User,
    UserCondition,
)
from tests.bot_harness import START, Harness, running_bot
from tests.conftest import POSTGRES_URL_ENV, postgres_admin_url
from tests.delivery.people import (
    deliveries_of,
    quick_retries,
    sends_to,
    settled,
    subscribe,
    unfinished,
    user_row,
)

DUE = START + timedelta(minutes=30)


async def _queue_later_of_a_retired_stretch(bot: Harness, telegram_id: int) -> None:
    user, _ = await user_row(bot, telegram_id)
    async with bot.services.session_factory() as session:
        session.add(
            Delivery(
                user_id=user.id,
                kind=DeliveryKind.LATER,
                stretch_id="retired-stretch",
                scheduled_for=DUE,
                status=DeliveryStatus.PENDING,
                attempts=0,
            )
        )
        await session.commit()


async def test_a_later_for_a_stretch_the_new_pack_dropped_brings_the_next_stretch_instead(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # Gus pressed "Later" on a stretch; then the clinic's new pack dropped it.
    gus = await subscribe(bot, 8001, at=START.time().replace(hour=23))
    hal = await subscribe(bot, 8002)
    await _queue_later_of_a_retired_stretch(bot, 8001)
    caplog.set_level(logging.INFO, logger="bot.services")
    bot.advance_to(DUE)

    assert (await gus.next_message(timeout=10)).photo is not None
    assert (await hal.next_message(timeout=10)).photo is not None
    await settled(bot)
    [later] = await deliveries_of(bot, 8001)
    assert later.status is DeliveryStatus.SENT
    assert later.stretch_id is not None
    assert later.stretch_id in bot.services.catalog
    assert (await user_row(bot, 8001))[0].last_family_id == (
        bot.services.catalog.get(later.stretch_id).family
    )
    [logged] = [r for r in caplog.records if "dropped from the pack" in r.getMessage()]
    assert getattr(logged, "stretch_id", None) == "retired-stretch"
    assert await unfinished(bot) == 0


async def test_when_nothing_else_suits_the_dropped_later_fails_alone_with_the_reason(
    bot: Harness,
) -> None:
    # Ivy has switched every stretch off ("It hurts"); her Later's stretch was dropped too.
    ivy = await subscribe(bot, 8003, at=START.time().replace(hour=23))
    hal = await subscribe(bot, 8002)
    user, _ = await user_row(bot, 8003)
    async with bot.services.session_factory() as session:
        session.add_all(
            BlockedStretch(user_id=user.id, stretch_id=stretch.id)
            for stretch in bot.services.catalog.stretches
        )
        await session.commit()
    await _queue_later_of_a_retired_stretch(bot, 8003)
    bot.advance_to(DUE)

    assert (await hal.next_message(timeout=10)).photo is not None  # the same round goes on
    await settled(bot)
    [later] = await deliveries_of(bot, 8003)
    assert later.status is DeliveryStatus.FAILED
    assert later.error is not None
    assert "retired-stretch" in later.error
    assert ivy.bot_messages == []
    assert sends_to(bot, 8003) == []

    bot.advance(timedelta(minutes=5))
    await asyncio.sleep(0.2)
    assert (await deliveries_of(bot, 8003))[0].status is DeliveryStatus.FAILED
    assert await unfinished(bot) == 0


async def test_stale_preferences_blocks_conditions_and_history_are_ignored_not_fatal(
    bot: Harness,
) -> None:
    ivy = await subscribe(bot, 8003, last_family_id="retired-family")
    user, _ = await user_row(bot, 8003)
    async with bot.services.session_factory() as session:
        session.add_all(
            [
                StretchPreference(
                    user_id=user.id, family_id="table-stretch", stretch_id="retired-variation"
                ),
                StretchPreference(
                    user_id=user.id, family_id="retired-family", stretch_id="retired-stretch"
                ),
                BlockedStretch(user_id=user.id, stretch_id="retired-stretch"),
                UserCondition(user_id=user.id, condition_id="retired-condition"),
            ]
        )
        await session.commit()
    bot.advance_to(DUE)

    prompt = await ivy.next_message(timeout=10)

    assert prompt.caption is not None
    assert prompt.caption.startswith("‘Table’ stretch")  # the rotation starts over
    [delivery] = await deliveries_of(bot, 8003)
    assert (delivery.status, delivery.stretch_id) == (DeliveryStatus.SENT, "table-stretch")


@pytest.mark.parametrize(
    ("corruption", "logged"),
    [({"time_zone": "Mars/Olympus_Mons"}, "unknown zone"), ({"days": 0}, "no days chosen")],
)
async def test_a_slot_that_cannot_fire_again_is_silenced_and_the_others_go_on(
    bot: Harness,
    corruption: dict[str, object],
    logged: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    jon = await subscribe(bot, 8004)
    kim = await subscribe(bot, 8005)
    user, [slot] = await user_row(bot, 8004)
    async with bot.services.session_factory() as session:
        if "time_zone" in corruption:
            await session.execute(update(User).where(User.id == user.id).values(**corruption))
        else:
            await session.execute(
                update(ScheduleSlot).where(ScheduleSlot.id == slot.id).values(**corruption)
            )
        await session.commit()
    caplog.set_level(logging.ERROR, logger="bot.services")
    bot.advance_to(DUE)

    # The firing that was due still goes out (its time was computed while the row was sound).
    assert (await jon.next_message(timeout=10)).photo is not None
    assert (await kim.next_message(timeout=10)).photo is not None
    [delivery] = await deliveries_of(bot, 8004)
    assert delivery.status is DeliveryStatus.SENT
    _, [silenced] = await user_row(bot, 8004)
    assert silenced.next_fire_at is None
    [record] = [r for r in caplog.records if r.getMessage() == "slot cannot fire again; silenced"]
    assert getattr(record, "user_id", None) == user.id
    assert getattr(record, "error", "") == logged or logged in str(getattr(record, "error", ""))

    # The next day, the engine still runs for everyone else.
    bot.advance_to(DUE + timedelta(days=1))
    assert (await kim.next_message(timeout=10)).photo is not None
    await asyncio.sleep(0.2)
    assert len(jon.bot_messages) == 1
    assert await unfinished(bot) == 0


# -- the database goes away --------------------------------------------------------------------

BURST = 60


@pytest.fixture
async def postgres_bot(
    session_factory: SessionFactory, database_url: str
) -> AsyncIterator[Harness]:
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite has no server to lose")
    async with running_bot(session_factory, database_url, fake={"rate_limit": None}) as harness:
        quick_retries(harness)
        yield harness


async def _terminate_backends(database: str) -> int:
    """What a PostgreSQL restart does to the bot: every connection to its database cut."""
    admin_url = postgres_admin_url()
    assert admin_url is not None, f"{POSTGRES_URL_ENV} is set when this runs"
    connection = await asyncpg.connect(admin_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return len(
            await connection.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
        )
    finally:
        await connection.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_when_postgresql_cuts_every_connection_mid_burst_nothing_is_lost_or_repeated(
    postgres_bot: Harness, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot = postgres_bot
    people = [await subscribe(bot, 8100 + i) for i in range(BURST)]
    bot.tg.faults.add("latency", seconds=0.05, times=None)
    database = database_url.rsplit("/", 1)[1]
    caplog.set_level(logging.WARNING)
    bot.advance_to(DUE)

    cut = 0
    for _ in range(20):  # again and again while the burst goes out (~2 s at 30 messages/s)
        await asyncio.sleep(0.1)
        cut += await _terminate_backends(database)

    await settled(bot, within=60)
    prompts = Counter(r.chat_id for r in bot.tg.calls("sendPhoto", ok=True))
    async with bot.services.session_factory() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        states = dict(rows.all())
    troubles = [
        r.getMessage() for r in caplog.records if r.name.startswith("bot") and r.levelno >= 30
    ]
    print(f"\nconnections cut: {cut}; engine warnings: {Counter(troubles)}; states: {states}")
    assert cut > 0
    assert {person.chat_id: prompts[person.chat_id] for person in people} == {
        person.chat_id: 1 for person in people
    }, "each exactly once"
    assert states == {DeliveryStatus.SENT: BURST}
