"""The weekly pain check-in: on/off, when it is asked next, and its answers.

Asked once a week on the patient's chosen day (default: the weekday they began sharing) at
their first reminder time, through the reminder engine (services.clinic_outbox).
`pain_next_at` is derived like a slot's `next_fire_at` and rewritten whenever the schedule
changes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import PainScore, ScheduleSlot, User, UserStatus
from bot.domain.fire_times import UnknownZoneError, local_date
from bot.domain.pain import PainPoint, PainTrend, next_checkin, trend, valid_score


class PainRefusal(enum.Enum):
    UNKNOWN = "unknown"  # no such question, or not this user's
    WRONG_MESSAGE = "wrong_message"
    BAD_SCORE = "bad_score"
    ALREADY = "already"


def next_at(user: User, slots: Sequence[ScheduleSlot], now: datetime) -> datetime | None:
    """When the check-in is next asked, or None (off, not active, no zone or no times)."""
    if user.pain_checkin_day is None or user.time_zone is None or not slots:
        return None
    if user.status is not UserStatus.ACTIVE:
        return None
    first = min(slot.local_time for slot in slots)
    try:
        return next_checkin(user.pain_checkin_day, first, user.time_zone, now)
    except (UnknownZoneError, ValueError):
        return None


async def _slots(session: AsyncSession, user: User) -> list[ScheduleSlot]:
    return list(await session.scalars(select(ScheduleSlot).where(ScheduleSlot.user_id == user.id)))


async def switch_on(
    session: AsyncSession, user: User, now: datetime, weekday: int | None = None
) -> None:
    """On, on `weekday` (default: today's weekday in the patient's zone: the day they began
    sharing, or turned the check-in on)."""
    if weekday is None:
        weekday = local_date(now, user.time_zone or "UTC").weekday()
    user.pain_checkin_day = weekday
    user.pain_next_at = next_at(user, await _slots(session, user), now)


async def switch_off(user: User) -> None:
    user.pain_checkin_day = None
    user.pain_next_at = None


async def refresh(session: AsyncSession, user: User, now: datetime) -> None:
    user.pain_next_at = next_at(user, await _slots(session, user), now)


async def answer(
    session: AsyncSession,
    user: User,
    score_id: int,
    message_id: int | None,
    score: int,
    now: datetime,
) -> PainScore | PainRefusal:
    """Record a 0-10 answer to one check-in, once, from the message that asked it."""
    if not valid_score(score):
        return PainRefusal.BAD_SCORE
    row = await session.get(PainScore, score_id)
    if row is None or row.user_id != user.id:
        return PainRefusal.UNKNOWN
    # Only from the message that asked. Its id is recorded just after Telegram accepts it: a
    # press before that (a quick tap) still proves the question arrived to its owner.
    if row.message_id is not None and row.message_id != message_id:
        return PainRefusal.WRONG_MESSAGE
    if row.score is not None:
        return PainRefusal.ALREADY
    row.score, row.answered_at = score, now
    await session.flush()
    return row


async def pain_trend(session: AsyncSession, user_id: int) -> PainTrend:
    rows = await session.execute(
        select(PainScore.answered_at, PainScore.asked_for, PainScore.score).where(
            PainScore.user_id == user_id, PainScore.score.is_not(None)
        )
    )
    # Dated by when it was asked: a late answer describes the week it was asked about.
    return trend([PainPoint(asked, score) for _, asked, score in rows if score is not None])
