"""The set-up conversation as the database keeps it, without Telegram (SQLite and PostgreSQL):
onboarding walks every step and turns reminders on; the same steps from /settings save and end
the conversation; refused answers change nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.db.engine import SessionFactory
from bot.db.models import User, UserStatus
from bot.domain.clock_times import Weekdays
from bot.domain.dialogue import Question, Step, Transition
from bot.domain.zones import ZoneChoice
from bot.services import accounts, dialogue
from tests.bot_harness import real_catalog

# Wednesday 25 November 2026, 10:00 UTC = 23:00 in Auckland.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def stored(session_factory: SessionFactory, telegram_id: int) -> User:
    async with session_factory() as session:
        return await stored_in(session, telegram_id)


async def test_onboarding_walks_every_step_and_turns_reminders_on(
    session_factory: SessionFactory,
) -> None:
    catalog: Catalog = real_catalog()
    condition = catalog.conditions[0].id
    async with session_factory() as session:
        started = await dialogue.start(session, 301, 301, "Mere", None, NOW)
        assert started.kind is dialogue.StartKind.NEW
        assert started.question == Question(Step.CONSENT, first_name="Mere")
        user = started.user

        assert await dialogue.consent(session, user, "Mere", "en", NOW) == Question(Step.CONDITIONS)
        toggled = await dialogue.toggle_condition(session, catalog, user, condition)
        assert toggled == frozenset({condition})
        done = await dialogue.finish_conditions(session, user, NOW)
        assert not isinstance(done, dialogue.Refusal)
        chosen, after_conditions = done
        assert chosen == {condition}
        assert after_conditions.question == Question(Step.TIMEZONE)
        await session.commit()
    assert (await stored(session_factory, 301)).dialog_step == "timezone"

    async with session_factory() as session:
        user = await stored_in(session, 301)
        # A restart here: /start asks the zone again.
        resumed = await dialogue.start(session, 301, 301, "Mere", None, NOW)
        assert resumed.kind is dialogue.StartKind.RESUME
        assert resumed.question == Question(Step.TIMEZONE)

        after_zone = await dialogue.choose_zone(session, user, "Pacific/Auckland", NOW)
        assert isinstance(after_zone, dialogue.Finished)
        assert after_zone.question == Question(Step.TIMES)
        assert await dialogue.toggle_time(session, user, "0730", NOW) == (time(7, 30),)
        assert await dialogue.times_from_text(session, user, "6pm", NOW) == (
            time(7, 30),
            time(18, 0),
        )
        after_times = await dialogue.finish_times(session, user, NOW)
        assert isinstance(after_times, dialogue.Finished)
        assert after_times.question == Question(Step.DAYS)

        finished = await dialogue.choose_days_preset(
            session, user, str(int(Weekdays.WEEKDAYS)), NOW
        )
        assert isinstance(finished, dialogue.Finished)
        assert finished.transition == Transition(None, finishes_onboarding=True)
        assert finished.days == Weekdays.WEEKDAYS
        # 23:00 Wednesday in Auckland: the first stretch is Thursday 07:30 NZDT.
        assert finished.upcoming == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
        await session.commit()
    user = await stored(session_factory, 301)
    assert user.status is UserStatus.ACTIVE
    assert user.dialog_step is None


async def stored_in(session: AsyncSession, telegram_id: int) -> User:
    user = await accounts.find_user(session, telegram_id)
    assert user is not None
    return user


async def test_a_settings_step_saves_and_ends_the_conversation(
    session_factory: SessionFactory,
) -> None:
    await onboard(session_factory, 302)
    async with session_factory() as session:
        user = await stored_in(session, 302)
        opened = await dialogue.open_section(session, user, "times")
        assert opened == Question(Step.TIMES, times=(time(8, 0),))
        assert user.dialog_step == "times"
        assert await dialogue.toggle_time(session, user, "1800", NOW) == (time(8, 0), time(18, 0))
        finished = await dialogue.finish_times(session, user, NOW)
        assert isinstance(finished, dialogue.Finished)
        assert finished.transition.saved
        assert finished.question is None
        await session.commit()
    user = await stored(session_factory, 302)
    assert user.dialog_step is None
    assert user.status is UserStatus.ACTIVE


async def test_refused_answers_change_nothing(session_factory: SessionFactory) -> None:
    await onboard(session_factory, 303)
    catalog = real_catalog()
    async with session_factory() as session:
        user = await stored_in(session, 303)
        assert await dialogue.consent(session, user, "X", None, NOW) is (
            dialogue.Refusal.ALREADY_CONSENTED
        )
        assert await dialogue.toggle_condition(session, catalog, user, "none-such") is (
            dialogue.Refusal.UNKNOWN_CONDITION
        )
        assert await dialogue.choose_zone(session, user, "Mars/Base", NOW) is (
            dialogue.Refusal.UNKNOWN_ZONE
        )
        assert await dialogue.toggle_time(session, user, "2561", NOW) is (
            dialogue.Refusal.OUT_OF_DATE
        )
        assert await dialogue.choose_days_preset(session, user, "128", NOW) is (
            dialogue.Refusal.OUT_OF_DATE
        )
        await dialogue.choose_days_preset(session, user, str(int(Weekdays.MON)), NOW)
        assert await dialogue.pick_days(session, user) == Weekdays(0)
        assert await dialogue.finish_days(session, user, NOW) is dialogue.Refusal.NO_DAYS
        assert await dialogue.toggle_day(session, user, "0", NOW) == Weekdays.MON
        assert await dialogue.toggle_day(session, user, "0", NOW) == Weekdays(0)
        assert await dialogue.finish_days(session, user, NOW) is dialogue.Refusal.NO_DAYS
        user.dialog_step = None
        for forged in ("0", "8", "x", None):
            assert await dialogue.choose_goal(session, user, forged, NOW) is (
                dialogue.Refusal.OUT_OF_DATE
            )
        assert await dialogue.open_section(session, user, "../../etc") is None
        assert await dialogue.times_from_text(session, user, "25:99", NOW) == (
            "Hours go from 0 to 23, so '25:99' doesn't work. Try 7:30, 19:00 or 7pm."
        )
        six_more = "7:00 9:00 10:00 11:00 12:00 13:00"
        assert await dialogue.times_from_text(session, user, six_more, NOW) == (
            "That would be more than 6 times a day."
        )
        await session.commit()
    user = await stored(session_factory, 303)
    assert user.first_name == "Mere"
    assert user.time_zone == "Pacific/Auckland"
    assert user.dialog_step is None
    assert user.weekly_goal == 5
    async with session_factory() as session:
        user = await stored_in(session, 303)
        assert await accounts.condition_ids(session, user) == frozenset()
        assert await dialogue.current_days(session, user) == Weekdays.MON
        question = await dialogue.open_section(session, user, "times")
        assert question == Question(Step.TIMES, times=(time(8, 0),))


async def test_while_onboarding_an_old_message_of_a_later_step_changes_nothing(
    session_factory: SessionFactory,
) -> None:
    """After /delete and a new /start, the chat still shows the old "Every day": pressed
    before the zone is chosen, it must not finish onboarding ("All set" with no zone)."""
    async with session_factory() as session:
        user = (await dialogue.start(session, 304, 304, "Mere", None, NOW)).user
        await dialogue.consent(session, user, "Mere", "en", NOW)
        for press in (
            dialogue.choose_days_preset(session, user, str(int(Weekdays.EVERY_DAY)), NOW),
            dialogue.finish_days(session, user, NOW),
            dialogue.toggle_day(session, user, "0", NOW),
            dialogue.toggle_time(session, user, "0730", NOW),
            dialogue.finish_times(session, user, NOW),
            dialogue.choose_zone(session, user, "Europe/London", NOW),
            dialogue.pick_days(session, user),
            dialogue.choose_goal(session, user, "3", NOW),
        ):
            assert await press is dialogue.Refusal.OUT_OF_DATE
        await session.commit()
    user = await stored(session_factory, 304)
    assert user.status is UserStatus.ONBOARDING
    assert user.dialog_step == "conditions"
    assert user.time_zone is None
    async with session_factory() as session:
        user = await stored_in(session, 304)
        # Going back is fine: at the zone step, the conditions can still be changed.
        await dialogue.finish_conditions(session, user, NOW)
        condition = real_catalog().conditions[0].id
        toggled = await dialogue.toggle_condition(session, real_catalog(), user, condition)
        assert toggled == frozenset({condition})
        assert user.dialog_step == "timezone"


async def onboard(session_factory: SessionFactory, telegram_id: int) -> None:
    """A user set up the short way: Mere, Auckland, 08:00 every day."""
    async with session_factory() as session:
        user = (await dialogue.start(session, telegram_id, telegram_id, "Mere", None, NOW)).user
        await dialogue.consent(session, user, "Mere", "en", NOW)
        await dialogue.finish_conditions(session, user, NOW)
        await dialogue.choose_zone(session, user, "Pacific/Auckland", NOW)
        await dialogue.toggle_time(session, user, "0800", NOW)
        await dialogue.finish_times(session, user, NOW)
        await dialogue.choose_days_preset(session, user, str(int(Weekdays.EVERY_DAY)), NOW)
        await session.commit()


async def test_a_time_that_is_nowhere_now_is_answered_as_a_time_not_a_place(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every quarter-hour is some zone's time today; should none match (a tz database
    without that offset), the answer still speaks of the time, not of a place."""
    monkeypatch.setattr(dialogue, "zones_for_local_time", lambda *_args, **_kw: [])
    async with session_factory() as session:
        user = (await dialogue.start(session, 305, 305, "Mere", None, NOW)).user
        await dialogue.consent(session, user, "Mere", "en", NOW)
        await dialogue.finish_conditions(session, user, NOW)
        reply = await dialogue.zone_from_text(session, user, "10:05", NOW)
        assert reply == dialogue.NoZoneAtTime(time(10, 5))
        assert await dialogue.zone_from_text(session, user, "10:65", NOW) == (
            dialogue.UnreadableTime("Minutes go from 00 to 59, so '10:65' doesn't work.")
        )
        assert user.time_zone is None
        assert user.dialog_step == "timezone"


async def test_a_city_is_looked_up_off_the_event_loop(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first lookup of a process may load the place data (seconds of CPU): in a thread,
    everyone else's updates are still answered meanwhile."""
    looked_up_in: list[str] = []

    def lookup(text: str) -> list[ZoneChoice]:
        looked_up_in.append(threading.current_thread().name)
        return [ZoneChoice("Pacific/Auckland", "Auckland, New Zealand")]

    monkeypatch.setattr(dialogue, "zone_choices_for_name", lookup)
    async with session_factory() as session:
        user = (await dialogue.start(session, 306, 306, "Mere", None, NOW)).user
        await dialogue.consent(session, user, "Mere", "en", NOW)
        await dialogue.finish_conditions(session, user, NOW)
        await dialogue.zone_from_text(session, user, "Auckland", NOW)
    assert len(looked_up_in) == 1
    assert looked_up_in[0] != threading.main_thread().name
    assert user.time_zone == "Pacific/Auckland"
