"""Subscribers for the reminder-engine stories, written straight into the database (fast), and
what the stories look at afterwards: each user's deliveries and whether anything is unfinished.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func, insert, select

from bot.context import DISPATCHER_KEY
from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryStatus, ScheduleSlot, User, UserStatus
from bot.delivery.dispatcher import Dispatcher
from bot.domain.clock_times import Weekdays
from bot.domain.fire_times import next_fire_at
from bot.telegram_fake import FakeUser
from tests.bot_harness import Harness

EVERY_DAY = 0b1111111
# Retries in these stories: quick, so a story with persistent trouble takes a second, not ten.
QUICK_BACKOFF = (0.05, 0.1, 0.2)


def dispatcher(bot: Harness) -> Dispatcher:
    found = bot.app.bot_data[DISPATCHER_KEY]
    assert isinstance(found, Dispatcher)
    return found


def quick_retries(bot: Harness, **sender: Any) -> None:
    """Short backoff (and e.g. `timeout=` per request) for the running bot's sender."""
    engine = dispatcher(bot)
    engine.sender = replace(engine.sender, backoff=QUICK_BACKOFF, **sender)


async def subscribe(
    bot: Harness,
    telegram_id: int,
    *,
    at: time = time(10, 30),
    zone: str = "UTC",
    **fields: Any,
) -> FakeUser:
    """An active subscriber prompted daily at `at` in `zone` (the slot's next time computed as
    the bot would), and the person in the emulator who reads the prompts."""
    person = bot.tg.user(telegram_id, f"User{telegram_id}")
    async with bot.services.session_factory() as session:
        user = User(
            telegram_id=telegram_id,
            chat_id=telegram_id,
            first_name=f"User{telegram_id}",
            time_zone=zone,
            status=UserStatus.ACTIVE,
            consented_at=bot.clock.now,
            nudges=False,
            **fields,
        )
        session.add(user)
        await session.flush()
        session.add(
            ScheduleSlot(
                user_id=user.id,
                local_time=at,
                days=EVERY_DAY,
                next_fire_at=next_fire_at(at, Weekdays(EVERY_DAY), zone, bot.clock.now),
            )
        )
        await session.commit()
    bot.services.schedule_changes.notify()
    return person


async def user_row(bot: Harness, telegram_id: int) -> tuple[User, list[ScheduleSlot]]:
    async with bot.services.session_factory() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert user is not None
        slots = list(
            await session.scalars(select(ScheduleSlot).where(ScheduleSlot.user_id == user.id))
        )
        return user, slots


async def settled(bot: Harness, within: float = 10.0) -> None:
    """Wait until the engine has claimed every due slot and recorded every due delivery."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with bot.services.session_factory() as session:
            due_slots = await session.scalar(
                select(func.count())
                .select_from(ScheduleSlot)
                .where(ScheduleSlot.next_fire_at <= bot.clock.now)
            )
        if due_slots == 0:
            break
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{due_slots} due slots still unclaimed")
        await asyncio.sleep(0.02)
    await bot.settled(within)


async def deliveries_of(bot: Harness, telegram_id: int) -> list[Delivery]:
    """The user's deliveries, oldest first, once nothing due is unclaimed or in flight."""
    await settled(bot)
    async with bot.services.session_factory() as session:
        return list(
            await session.scalars(
                select(Delivery)
                .join(User, User.id == Delivery.user_id)
                .where(User.telegram_id == telegram_id)
                .order_by(Delivery.id)
            )
        )


async def unfinished(bot: Harness) -> int:
    """Deliveries without a final state (pending), due or not, once the engine has settled."""
    await settled(bot)
    async with bot.services.session_factory() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status == DeliveryStatus.PENDING)
        )
    return int(count or 0)


def sends_to(bot: Harness, chat_id: int, method: str = "sendPhoto") -> list[int]:
    """HTTP statuses the emulator answered to the bot's `method` calls for this chat (0 = the
    connection was dropped or the bot gave up waiting)."""
    return [r.status for r in bot.tg.calls(method) if r.chat_id == chat_id]


async def insert_due_users(
    session_factory: SessionFactory, count: int, due: datetime, *, first_chat: int = 100_000
) -> list[int]:
    """`count` active users, each with one daily slot due at `due`, inserted in bulk (a burst
    without the cost of onboarding); returns their chat ids."""
    chats = list(range(first_chat, first_chat + count))
    local = due.astimezone(UTC).time().replace(second=0, microsecond=0)
    async with session_factory() as session:
        users = await session.execute(
            insert(User).returning(User.id, User.chat_id),
            [
                {
                    "telegram_id": chat,
                    "chat_id": chat,
                    "first_name": f"User{chat}",
                    "time_zone": "UTC",
                    "status": UserStatus.ACTIVE,
                    "consented_at": due,
                    "nudges": False,
                }
                for chat in chats
            ],
        )
        ids = [user_id for user_id, _ in users]
        await session.execute(
            insert(ScheduleSlot),
            [
                {"user_id": user_id, "local_time": local, "days": EVERY_DAY, "next_fire_at": due}
                for user_id in ids
            ],
        )
        await session.commit()
    return chats
