"""Every delivery queued outside the schedule wakes the reminder engine once it is committed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, User, UserStatus
from bot.services.changes import schedule_changed
from bot.services.dispatch.queueing import queue_delivery, queue_now
from tests.domain.catalogs import real_catalog

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def a_user(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        user = User(telegram_id=1, chat_id=1, time_zone="Europe/London", status=UserStatus.ACTIVE)
        session.add(user)
        await session.commit()
        return user.id


async def test_next_queues_the_next_stretch_and_marks_the_change_itself(
    session_factory: SessionFactory,
) -> None:
    user_id = await a_user(session_factory)
    async with session_factory() as session:
        user = await session.get_one(User, user_id)

        queued = await queue_now(session, real_catalog(), user, NOW)

        assert queued is not None
        assert (queued.kind, queued.status, queued.scheduled_for) == (
            DeliveryKind.NOW,
            DeliveryStatus.PENDING,
            NOW,
        )
        assert schedule_changed(session)  # what the unit of work reads after its commit
        await session.commit()
    async with session_factory() as session:
        stored = await session.get_one(Delivery, queued.id)
        assert stored.stretch_id == queued.stretch_id


async def test_a_later_is_queued_once_per_prompt_and_marks_the_change(
    session_factory: SessionFactory,
) -> None:
    user_id = await a_user(session_factory)
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        prompt = queue_delivery(session, user, "knee-hugs", DeliveryKind.NOW, NOW)
        await session.flush()
        assert schedule_changed(session)
        assert not schedule_changed(session)  # read once

        later = queue_delivery(
            session,
            user,
            "knee-hugs",
            DeliveryKind.LATER,
            NOW + timedelta(minutes=30),
            later_of=prompt,
        )
        await session.commit()

        assert later.later_of_id == prompt.id
        assert schedule_changed(session)
