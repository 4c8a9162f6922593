"""Stories of a user's settings as the database keeps them (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from bot.db.base import Base
from bot.db.engine import SessionFactory
from bot.db.models import User, UserStatus
from bot.domain.clock_times import Weekdays
from bot.domain.zones import UnknownZoneError
from bot.services import accounts, schedule

# Wednesday 25 November 2026, 10:00 UTC = 23:00 in Auckland (NZDT, +13), 05:00 in New York.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def onboarded_user(
    session_factory: SessionFactory,
    zone: str = "Pacific/Auckland",
    times: tuple[time, ...] = (time(8, 0),),
    telegram_id: int = 501,
) -> int:
    async with session_factory() as session:
        user = await accounts.register(
            session, telegram_id=telegram_id, chat_id=telegram_id, start_code=None
        )
        await accounts.record_consent(session, user, "Mere", "en", NOW)
        await accounts.set_conditions(session, user, {"disc-problems"})
        await accounts.set_time_zone(session, user, zone, NOW)
        await schedule.set_times(session, user, times, NOW)
        await accounts.activate(session, user, NOW)
        await session.commit()
        return user.id


async def next_prompt(session_factory: SessionFactory, user_id: int) -> datetime | None:
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        return schedule.next_prompt_at(await schedule.slots_of(session, user))


async def test_an_auckland_user_at_8am_is_next_prompted_at_8am_auckland_time(
    session_factory: SessionFactory,
) -> None:
    user_id = await onboarded_user(session_factory)
    # 23:00 Wednesday in Auckland -> 08:00 Thursday NZDT = 19:00 Wednesday UTC.
    assert await next_prompt(session_factory, user_id) == datetime(2026, 11, 25, 19, 0, tzinfo=UTC)


async def test_changing_the_time_zone_moves_the_next_prompt(
    session_factory: SessionFactory,
) -> None:
    user_id = await onboarded_user(session_factory)
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        await accounts.set_time_zone(session, user, "America/New_York", NOW)
        await session.commit()
    # 05:00 in New York -> 08:00 EST today = 13:00 UTC.
    assert await next_prompt(session_factory, user_id) == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


async def test_an_unknown_zone_is_refused_and_changes_nothing(
    session_factory: SessionFactory,
) -> None:
    user_id = await onboarded_user(session_factory)
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        with pytest.raises(UnknownZoneError):
            await accounts.set_time_zone(session, user, "Mars/Olympus_Mons", NOW)
    async with session_factory() as session:
        assert (await session.get_one(User, user_id)).time_zone == "Pacific/Auckland"


async def test_weekdays_only_skips_the_weekend(session_factory: SessionFactory) -> None:
    user_id = await onboarded_user(session_factory, zone="Europe/London")
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        await schedule.set_days(session, user, Weekdays.WEEKDAYS, friday_evening)
        await session.commit()
    assert await next_prompt(session_factory, user_id) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


async def test_pause_for_three_days_then_resume(session_factory: SessionFactory) -> None:
    user_id = await onboarded_user(session_factory, zone="Europe/London")
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        await accounts.pause(session, user, until=date(2026, 11, 28), now=NOW)
        await session.commit()
        assert user.status is UserStatus.PAUSED
    # Nothing before Saturday 28th starts in London.
    assert await next_prompt(session_factory, user_id) == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)

    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        await accounts.resume(session, user, NOW)
        await session.commit()
    assert await next_prompt(session_factory, user_id) == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


async def test_pause_without_end_and_stop_silence_every_slot(
    session_factory: SessionFactory,
) -> None:
    user_id = await onboarded_user(session_factory, times=(time(7, 30), time(18, 0)))
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        await accounts.pause(session, user, until=None, now=NOW)
        await session.commit()
    assert await next_prompt(session_factory, user_id) is None

    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        await accounts.stop(session, user, NOW)
        await session.commit()
        assert user.status is UserStatus.STOPPED
        assert len(await schedule.slots_of(session, user)) == 2  # kept for a later /start
    assert await next_prompt(session_factory, user_id) is None


async def test_at_most_six_times_a_day(session_factory: SessionFactory) -> None:
    user_id = await onboarded_user(session_factory)
    async with session_factory() as session:
        user = await session.get_one(User, user_id)
        with pytest.raises(schedule.TooManyTimes):
            await schedule.set_times(session, user, tuple(time(h, 0) for h in range(7, 14)), NOW)


async def test_delete_leaves_no_row_of_the_user_in_any_table(
    session_factory: SessionFactory,
) -> None:
    user_id = await onboarded_user(session_factory, times=(time(7, 30), time(18, 0)))
    async with session_factory() as session:
        await accounts.delete_everything(session, await session.get_one(User, user_id))
        await session.commit()
    async with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            assert await session.scalar(select(func.count()).select_from(table)) == 0, table.name


def test_only_well_formed_deep_link_codes_are_kept() -> None:
    assert accounts.valid_start_code("clinic_42-a") == "clinic_42-a"
    for bad in ("", "x" * 65, "bad code", "<script>", "ü"):
        assert accounts.valid_start_code(bad) is None
