"""Figures for the admin's /stats: users by status, prompts sent, answers. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, DeliveryStatus, User, UserStatus
from bot.domain.progression import Answer

TOP_EASED = 3


@dataclass(frozen=True)
class Stats:
    users_total: int
    users_by_status: dict[UserStatus, int]
    sent_today: int  # since 00:00 UTC
    sent_7_days: int
    done_rate_7_days: float | None  # Done answers / prompts sent; None when nothing was sent
    most_eased: list[tuple[str, int]]  # (stretch id, Easier answers in 7 days), most first


async def user_counts(session: AsyncSession) -> dict[UserStatus, int]:
    rows = await session.execute(select(User.status, func.count()).group_by(User.status))
    counts = dict.fromkeys(UserStatus, 0)
    counts.update({status: int(count) for status, count in rows.all()})
    return counts


async def prompts_sent_since(session: AsyncSession, since: datetime) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.status == DeliveryStatus.SENT, Delivery.sent_at >= since)
    )
    return int(count or 0)


async def done_rate_since(session: AsyncSession, since: datetime) -> float | None:
    """Share of the prompts sent since `since` that were answered Done."""
    sent = Delivery.status == DeliveryStatus.SENT
    total = await session.scalar(
        select(func.count()).select_from(Delivery).where(sent, Delivery.sent_at >= since)
    )
    if not total:
        return None
    done = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(sent, Delivery.sent_at >= since, Delivery.answer == Answer.DONE.value)
    )
    return int(done or 0) / int(total)


async def most_eased_since(
    session: AsyncSession, since: datetime, limit: int = TOP_EASED
) -> list[tuple[str, int]]:
    """The stretches answered Easier most often since `since` (answers counted when given)."""
    count = func.count().label("eased")
    rows = await session.execute(
        select(Delivery.stretch_id, count)
        .where(
            Delivery.answer == Answer.EASIER.value,
            Delivery.answered_at >= since,
            Delivery.stretch_id.is_not(None),
        )
        .group_by(Delivery.stretch_id)
        .order_by(count.desc(), Delivery.stretch_id)
        .limit(limit)
    )
    return [(str(stretch_id), int(n)) for stretch_id, n in rows.all()]


async def gather_stats(session: AsyncSession, now: datetime) -> Stats:
    by_status = await user_counts(session)
    today = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    week_ago = now - timedelta(days=7)
    return Stats(
        users_total=sum(by_status.values()),
        users_by_status=by_status,
        sent_today=await prompts_sent_since(session, today),
        sent_7_days=await prompts_sent_since(session, week_ago),
        done_rate_7_days=await done_rate_since(session, week_ago),
        most_eased=await most_eased_since(session, week_ago),
    )
