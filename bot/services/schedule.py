"""A user's reminder times: add, remove, choose days, and keep each slot's next fire time.

`next_fire_at` is derived from (time, days, zone, status, pause) and rewritten here whenever
one of those changes, so the reminder engine only ever reads an indexed UTC column.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ScheduleSlot, User, UserStatus
from bot.domain.clock_times import MAX_TIMES_PER_DAY, Weekdays
from bot.domain.fire_times import UnknownZoneError, local_date, next_fire_at
from bot.services.changes import mark_schedule_changed

log = logging.getLogger(__name__)


class TooManyTimes(ValueError):
    def __init__(self) -> None:
        super().__init__(f"at most {MAX_TIMES_PER_DAY} reminder times a day")


async def slots_of(session: AsyncSession, user: User) -> list[ScheduleSlot]:
    result = await session.scalars(
        select(ScheduleSlot)
        .where(ScheduleSlot.user_id == user.id)
        .order_by(ScheduleSlot.local_time)
    )
    return list(result)


def refresh_fire_times(
    session: AsyncSession, user: User, slots: list[ScheduleSlot], now: datetime
) -> None:
    """Recompute every slot's `next_fire_at` from the user's current settings."""
    mark_schedule_changed(session)
    for slot in slots:
        slot.next_fire_at = slot_fire_time(user, slot, now)


def slot_fire_time(user: User, slot: ScheduleSlot, now: datetime) -> datetime | None:
    """When this slot fires next, or None if it must not fire at all for now."""
    if user.time_zone is None or not slot.days:
        return None
    if user.status not in (UserStatus.ACTIVE, UserStatus.PAUSED):
        return None
    paused_until = None
    if user.status is UserStatus.PAUSED:
        if user.paused_until is None:
            return None  # paused until /resume
        paused_until = local_date(user.paused_until, user.time_zone)
    try:
        return next_fire_at(
            slot.local_time, Weekdays(slot.days), user.time_zone, now, paused_until=paused_until
        )
    except UnknownZoneError:
        # A zone the tz database no longer knows (e.g. after a tzdata change): the slot stays
        # quiet and /settings shows the zone needs choosing again; never a crash.
        log.warning("unknown zone on user", extra={"user_id": user.id, "zone": user.time_zone})
        return None


async def set_times(
    session: AsyncSession, user: User, times: tuple[time, ...], now: datetime
) -> list[ScheduleSlot]:
    """Replace the user's times with `times` (sorted, distinct), keeping their days."""
    wanted = sorted(set(times))
    if len(wanted) > MAX_TIMES_PER_DAY:
        raise TooManyTimes
    slots = await slots_of(session, user)
    days = int(Weekdays.of_slots(slot.days for slot in slots))
    kept = [slot for slot in slots if slot.local_time in wanted]
    for slot in slots:
        if slot.local_time not in wanted:
            await session.delete(slot)
    have = {slot.local_time for slot in kept}
    for value in wanted:
        if value not in have:
            slot = ScheduleSlot(user_id=user.id, local_time=value, days=days)
            session.add(slot)
            kept.append(slot)
    kept.sort(key=lambda slot: slot.local_time)
    refresh_fire_times(session, user, kept, now)
    await session.flush()
    return kept


async def add_times(
    session: AsyncSession, user: User, times: tuple[time, ...], now: datetime
) -> list[ScheduleSlot]:
    current = tuple(slot.local_time for slot in await slots_of(session, user))
    return await set_times(session, user, current + times, now)


async def remove_time(
    session: AsyncSession, user: User, value: time, now: datetime
) -> list[ScheduleSlot]:
    current = tuple(slot.local_time for slot in await slots_of(session, user))
    return await set_times(session, user, tuple(t for t in current if t != value), now)


async def set_days(
    session: AsyncSession, user: User, days: Weekdays, now: datetime
) -> list[ScheduleSlot]:
    if not days:
        raise ValueError("choose at least one day")
    slots = await slots_of(session, user)
    for slot in slots:
        slot.days = int(days)
    refresh_fire_times(session, user, slots, now)
    await session.flush()
    return slots


async def reschedule(session: AsyncSession, user: User, now: datetime) -> list[ScheduleSlot]:
    """After a change of zone, status or pause: every slot's next time is recomputed."""
    slots = await slots_of(session, user)
    refresh_fire_times(session, user, slots, now)
    await session.flush()
    return slots


async def upcoming(session: AsyncSession, user: User) -> datetime | None:
    """When the user's next prompt is due, if any is."""
    return next_prompt_at(await slots_of(session, user))


def next_prompt_at(slots: list[ScheduleSlot]) -> datetime | None:
    times = [slot.next_fire_at for slot in slots if slot.next_fire_at is not None]
    return min(times) if times else None
