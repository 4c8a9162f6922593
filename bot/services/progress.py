"""A user's progress: their Done answers, read for the streak rules in domain.streaks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, User
from bot.domain.progression import Answer
from bot.domain.streaks import Done, Progress, progress


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
    return progress(dones, now=now, zone=current_zone)
