"""A user's life with the bot: start, consent, conditions, zone, pause, stop, export, delete."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User as User  # re-exported: handlers name the type from here
from bot.db.models import UserCondition, UserStatus
from bot.domain.fire_times import local_date, resume_instant
from bot.domain.pause import PauseParseError, parse_pause
from bot.domain.zones import get_zone
from bot.services import schedule

# Telegram deep-link payloads are 1-64 characters of A-Z, a-z, 0-9, _ and -.
_START_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def valid_start_code(payload: str | None) -> str | None:
    """The deep-link code if it is well formed; anything else is ignored, never stored."""
    if payload and _START_CODE.fullmatch(payload):
        return payload
    return None


async def find_user(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def register(
    session: AsyncSession, telegram_id: int, chat_id: int, start_code: str | None
) -> User:
    """The row a /start creates before consent: the Telegram id (and chat), nothing personal."""
    user = await find_user(session, telegram_id)
    if user is None:
        user = User(
            telegram_id=telegram_id,
            chat_id=chat_id,
            status=UserStatus.ONBOARDING,
            dialog_step="consent",
        )
        session.add(user)
    if start_code is not None:
        user.start_code = start_code
    await session.flush()
    return user


async def record_consent(
    session: AsyncSession,
    user: User,
    first_name: str,
    language_code: str | None,
    now: datetime,
) -> None:
    user.consented_at = user.consented_at or now
    user.first_name = first_name[:128]
    user.language_code = language_code[:16] if language_code else None
    await session.flush()


async def condition_ids(session: AsyncSession, user: User) -> frozenset[str]:
    result = await session.scalars(
        select(UserCondition.condition_id).where(UserCondition.user_id == user.id)
    )
    return frozenset(result)


async def set_conditions(session: AsyncSession, user: User, wanted: Iterable[str]) -> None:
    wanted_set = frozenset(wanted)
    have = await condition_ids(session, user)
    if have - wanted_set:
        await session.execute(
            delete(UserCondition).where(
                UserCondition.user_id == user.id,
                UserCondition.condition_id.in_(have - wanted_set),
            )
        )
    session.add_all(
        UserCondition(user_id=user.id, condition_id=condition_id)
        for condition_id in sorted(wanted_set - have)
    )
    await session.flush()


async def set_time_zone(session: AsyncSession, user: User, zone: str, now: datetime) -> None:
    get_zone(zone)  # raises UnknownZoneError: only IANA names are ever stored
    user.time_zone = zone
    await schedule.reschedule(session, user, now)


async def activate(session: AsyncSession, user: User, now: datetime) -> None:
    """Onboarding finished, or /start after /stop: prompts are on."""
    user.status = UserStatus.ACTIVE
    user.paused_until = None
    user.dialog_step = None
    await schedule.reschedule(session, user, now)


async def pause(session: AsyncSession, user: User, until: date | None, now: datetime) -> None:
    """Hold prompts until local date `until` starts (None: until /resume)."""
    user.status = UserStatus.PAUSED
    user.paused_until = (
        resume_instant(until, user.time_zone) if until is not None and user.time_zone else None
    )
    await schedule.reschedule(session, user, now)


@dataclass(frozen=True)
class Paused:
    until: date | None  # the local date prompts start again; None: until /resume
    upcoming: datetime | None  # the next prompt, if one is scheduled
    zone: str  # the zone `until` and `upcoming` are shown in


async def pause_from_text(
    session: AsyncSession, user: User, text: str, now: datetime
) -> Paused | str:
    """/pause with what the user typed after it (nothing: until /resume; "tomorrow"...), read
    in the user's zone; or why it can't be understood (then nothing changes)."""
    zone = user.time_zone or "UTC"
    try:
        until = parse_pause(text, local_date(now, zone))
    except PauseParseError as error:
        return error.message
    await pause(session, user, until, now)
    slots = await schedule.slots_of(session, user)
    return Paused(until, schedule.next_prompt_at(slots), zone)


def is_paused(user: User) -> bool:
    return user.status is UserStatus.PAUSED


async def toggle_nudges(session: AsyncSession, user: User) -> bool:
    """Follow-ups (a nudge when a prompt goes unanswered) on if off, off if on; the new
    setting."""
    user.nudges = not user.nudges
    await session.flush()
    return user.nudges


async def resume(session: AsyncSession, user: User, now: datetime) -> None:
    await activate(session, user, now)


async def stop(session: AsyncSession, user: User, now: datetime) -> None:
    """No more prompts; everything is kept so /start picks up where they left off."""
    user.status = UserStatus.STOPPED
    await schedule.reschedule(session, user, now)


async def delete_everything(session: AsyncSession, user: User) -> None:
    """Erase the user and every row that refers to them (foreign keys cascade)."""
    await session.execute(delete(User).where(User.id == user.id))
    await session.flush()
