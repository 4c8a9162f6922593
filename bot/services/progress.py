"""A user's progress: their Done answers, read for the streak rules in domain.streaks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, User
from bot.domain.progression import Answer
from bot.domain.streaks import Done, Progress, progress

# Missed days a month that don't break the day streak (see domain.streaks).
FREEZES_PER_MONTH = 1


async def user_progress(session: AsyncSession, user: User, now: datetime) -> Progress:
    rows = await session.execute(
        select(Delivery.answered_at, Delivery.answered_zone, Delivery.stretch_id).where(
            Delivery.user_id == user.id,
            Delivery.answer == Answer.DONE.value,
            Delivery.answered_at.is_not(None),
        )
    )
    current_zone = user.time_zone or "UTC"
    dones = [
        Done(at=at, zone=zone or current_zone, stretch_id=stretch_id or "")
        for at, zone, stretch_id in rows
        if at is not None
    ]
    return progress(
        dones,
        now=now,
        zone=current_zone,
        weekly_goal=user.weekly_goal,
        freezes_per_month=FREEZES_PER_MONTH,
    )


async def set_weekly_goal(session: AsyncSession, user: User, days: int) -> None:
    """The week streak's goal: active days a week, 1 to 7."""
    if not 1 <= days <= 7:
        raise ValueError(f"a weekly goal is 1 to 7 days, not {days}")
    user.weekly_goal = days
    await session.flush()
