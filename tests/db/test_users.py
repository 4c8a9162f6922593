"""Users survive a round trip through either database with aware UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db.engine import SessionFactory
from bot.db.models import User, UserStatus


async def test_a_new_user_is_onboarding_with_utc_timestamps(
    session_factory: SessionFactory,
) -> None:
    async with session_factory() as session:
        session.add(User(telegram_id=2**40, chat_id=2**40, first_name="Aroha", language_code="mi"))
        await session.commit()

    async with session_factory() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert user.telegram_id == 2**40  # Telegram ids exceed 32 bits
    assert user.status is UserStatus.ONBOARDING
    assert user.created_at.tzinfo is UTC
    assert abs((datetime.now(UTC) - user.created_at).total_seconds()) < 60


async def test_one_row_per_telegram_user(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        session.add(User(telegram_id=7, chat_id=7))
        await session.commit()
    async with session_factory() as session:
        session.add(User(telegram_id=7, chat_id=7))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_naive_datetimes_are_refused(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        session.add(User(telegram_id=8, chat_id=8, created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            await session.commit()
