"""A new user reaches a confirmed schedule from /start, by buttons or by typing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from bot.db.engine import SessionFactory
from bot.db.models import ScheduleSlot, User, UserStatus
from bot.services import accounts
from bot.telegram_fake import FakeUser
from tests.bot_harness import Harness, running_bot, text_of

AUCKLAND = (-36.8485, 174.7633)


async def stored_user(bot: Harness, telegram_id: int) -> User | None:
    async with bot.services.session_factory() as session:
        return await accounts.find_user(session, telegram_id)


async def stored_slots(bot: Harness, telegram_id: int) -> list[ScheduleSlot]:
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, telegram_id)
        assert user is not None
        return list(
            await session.scalars(select(ScheduleSlot).where(ScheduleSlot.user_id == user.id))
        )


async def consent_and_no_conditions(user: FakeUser) -> None:
    await user.send("/start")
    welcome = await user.next_message()
    assert welcome.text is not None
    assert "not a diagnosis" in welcome.text.lower() or "stretch gently" in welcome.text.lower()
    await user.press("✅ I understand")
    conditions = await user.next_message()
    assert "Disc problems" in str(conditions.button_labels)
    await user.press("None of these ✓")
    ask_zone = await user.next_message()
    assert ask_zone.text is not None
    assert "time zone" in ask_zone.text.lower()


async def test_onboarding_by_buttons_and_a_shared_location_takes_six_taps(bot: Harness) -> None:
    aroha = bot.tg.user(2001, "Aroha", language_code="en")
    taps = 0
    await aroha.send("/start")
    welcome = await aroha.next_message()
    assert welcome.button_labels == [["✅ I understand"]]
    assert welcome.text is not None
    assert "(stretchbot's advice, not the clinic's)" in welcome.text
    # Nothing beyond the Telegram id is stored before consent.
    before = await stored_user(bot, 2001)
    assert before is not None
    assert before.first_name == ""
    assert before.consented_at is None

    await aroha.press("✅ I understand")
    taps += 1
    await aroha.next_message()  # conditions
    await aroha.press("None of these ✓")
    taps += 1
    await aroha.next_message()  # where are you?
    assert aroha.reply_keyboard is not None
    await aroha.share_location(*AUCKLAND)
    taps += 1
    zone_set = await aroha.next_message()
    assert zone_set.text is not None
    assert "Pacific/Auckland" in zone_set.text
    times = await aroha.next_message()
    await aroha.press("07:30", times)
    taps += 1
    await aroha.wait_for(
        lambda m: m.message_id == times.message_id and "Done ✓" in str(m.button_labels)
    )
    await aroha.press("Done ✓")
    taps += 1
    days = await aroha.next_message()
    await aroha.press("Every day", days)
    taps += 1
    done = await aroha.next_message()

    assert done.text is not None
    assert "All set" in done.text
    # 23:00 Wednesday in Auckland: the first stretch is tomorrow morning.
    assert "Thu 26 Nov at 07:30" in done.text
    assert taps <= 8
    user = await stored_user(bot, 2001)
    assert user is not None
    assert user.status is UserStatus.ACTIVE
    assert user.first_name == "Aroha"
    assert user.time_zone == "Pacific/Auckland"
    [slot] = await stored_slots(bot, 2001)
    assert slot.local_time == time(7, 30)
    assert slot.next_fire_at == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)


async def test_onboarding_by_typing_a_city_and_times(bot: Harness) -> None:
    sam = bot.tg.user(2002, "Sam")
    await consent_and_no_conditions(sam)
    await sam.send("new york")
    assert "America/New York (now 05:00)" in text_of(await sam.next_message())
    await sam.next_message()  # times
    await sam.send("7:30pm, 0630")
    times = await sam.next_message()
    assert times.button_labels[0] == ["✅ 06:30", "07:30", "12:30"]
    assert "✅ 19:30" in str(times.button_labels)
    await sam.press("Done ✓", times)
    days = await sam.next_message()
    await sam.press("Choose days…", days)
    picker = await sam.wait_for_edit(days)
    for day in ("✅ Sat", "✅ Sun"):
        await sam.press(day, picker)
        picker = await sam.wait_for_edit(picker)
    await sam.press("Done ✓", picker)
    done = await sam.next_message()
    assert done.text is not None
    assert "06:30, 19:30, weekdays (America/New_York)" in done.text
    # 05:00 Wednesday in New York -> 06:30 the same morning.
    assert "Wed 25 Nov at 06:30" in done.text


async def test_what_time_is_it_for_you_offers_matching_zones(bot: Harness) -> None:
    kim = bot.tg.user(2003, "Kim", language_code="en-GB")
    await consent_and_no_conditions(kim)
    await kim.send("10:02")  # it is 10:00 UTC
    choices = await kim.next_message()
    labels = [label for row in choices.button_labels for label in row]
    assert labels[0].startswith("Europe/London")
    await kim.press(labels[0], choices)
    assert "Europe/London" in text_of(await kim.next_message())


async def test_an_ambiguous_city_gets_a_short_choice_list(bot: Harness) -> None:
    lee = bot.tg.user(2004, "Lee")
    await consent_and_no_conditions(lee)
    await lee.send("Portland")
    choices = await lee.next_message()
    labels = [label for row in choices.button_labels for label in row]
    assert 2 <= len(labels) <= 5
    assert any("Oregon" in label for label in labels)


@pytest.mark.parametrize("typed", ["Xyzzyville", "🙂" * 500, "tomorrow", "' OR 1=1 --"])
async def test_a_place_that_does_not_exist_changes_nothing(bot: Harness, typed: str) -> None:
    ana = bot.tg.user(2005, "Ana")
    await consent_and_no_conditions(ana)
    await ana.send(typed)
    reply = await ana.next_message()
    assert reply.text is not None
    assert "couldn't find" in reply.text
    user = await stored_user(bot, 2005)
    assert user is not None
    assert user.time_zone is None
    assert user.dialog_step == "timezone"


@pytest.mark.parametrize("typed", ["25:99", "tomorrow", "🙂" * 500, "7:3", "13pm"])
async def test_a_bad_time_gets_an_example_and_changes_nothing(bot: Harness, typed: str) -> None:
    ben = bot.tg.user(2006, "Ben")
    await consent_and_no_conditions(ben)
    await ben.send("Europe/London")
    await ben.next_message()
    await ben.next_message()  # times
    await ben.send(typed)
    reply = await ben.next_message()
    assert reply.text is not None
    assert "Nothing changed" in reply.text
    assert "7:30" in reply.text
    assert await stored_slots(bot, 2006) == []


async def test_a_user_with_disc_problems_has_it_remembered(bot: Harness) -> None:
    dee = bot.tg.user(2007, "Dee")
    await dee.send("/start")
    await dee.next_message()
    await dee.press("✅ I understand")
    conditions = await dee.next_message()
    await dee.press("⬜ Disc problems", conditions)
    conditions = await dee.wait_for_edit(conditions)
    assert "☑️ Disc problems" in str(conditions.button_labels)
    await dee.press("Done ✓", conditions)
    assert "Disc problems" in text_of(await dee.wait_for_edit(conditions))
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 2007)
        assert user is not None
        assert await accounts.condition_ids(session, user) == {"disc-problems"}


async def test_a_deep_link_code_is_kept_and_a_malformed_one_ignored(bot: Harness) -> None:
    eve = bot.tg.user(2008, "Eve")
    await eve.send("/start clinic_42")
    await eve.next_message()
    user = await stored_user(bot, 2008)
    assert user is not None
    assert user.start_code == "clinic_42"
    mal = bot.tg.user(2009, "Mal")
    await mal.send("/start " + "<script>" * 20)
    await mal.next_message()
    user = await stored_user(bot, 2009)
    assert user is not None
    assert user.start_code is None


async def test_a_restart_mid_onboarding_resumes_at_the_same_step(
    session_factory: SessionFactory, database_url: str
) -> None:
    async with running_bot(session_factory, database_url) as first:
        rua = first.tg.user(2010, "Rua")
        await consent_and_no_conditions(rua)
    # The bot process is gone; a new one starts on the same database.
    async with running_bot(session_factory, database_url) as second:
        rua = second.tg.user(2010, "Rua")
        await rua.send("/start")
        again = await rua.next_message()
        assert again.text is not None
        assert "time zone" in again.text.lower()
        await rua.send("Auckland")
        assert "Pacific/Auckland" in text_of(await rua.next_message())


async def test_two_users_onboarding_interleaved_never_see_each_others_data(bot: Harness) -> None:
    one, two = bot.tg.user(2011, "One"), bot.tg.user(2012, "Two")
    await asyncio.gather(consent_and_no_conditions(one), consent_and_no_conditions(two))
    await asyncio.gather(one.send("Auckland"), two.send("Europe/London"))
    assert "Pacific/Auckland" in text_of(await one.next_message())
    assert "Europe/London" in text_of(await two.next_message())
    times_one, times_two = await one.next_message(), await two.next_message()
    # Two forges a press on One's message: refused, and nobody's times change.
    answer = await two.press_data(times_one, times_one.button("07:30").data or "")
    assert "isn't yours" in (answer.text or "")
    await one.press("12:30", times_one)
    await one.wait_for(lambda m: "✅ 12:30" in str(m.button_labels))
    await two.press("18:00", times_two)
    await two.wait_for(lambda m: "✅ 18:00" in str(m.button_labels))
    assert [s.local_time for s in await stored_slots(bot, 2011)] == [time(12, 30)]
    assert [s.local_time for s in await stored_slots(bot, 2012)] == [time(18, 0)]
    assert all("One" not in m.content for m in two.bot_messages)


async def test_typing_at_a_button_step_points_to_the_buttons(bot: Harness) -> None:
    ivy = bot.tg.user(2013, "Ivy")
    await ivy.send("/start")
    await ivy.next_message()
    await ivy.press("✅ I understand")
    await ivy.next_message()
    await ivy.send("none of these")
    assert "tap one of the buttons above" in text_of(await ivy.next_message())


async def test_a_later_steps_old_button_mid_onboarding_is_out_of_date(bot: Harness) -> None:
    """Before the time zone is known, an old "Every day" (from before a /delete, say) must not
    finish onboarding: it is answered as out of date and nothing changes."""
    tui = bot.tg.user(2030, "Tui")
    await tui.send("/start")
    await tui.next_message()
    await tui.press("✅ I understand")
    conditions = await tui.next_message()
    for data in ("days:127", "days_done", "day:0", "time:0730", "time_done", "tz:Europe/London"):
        answer = await tui.press_data(conditions, data)
        assert answer.text is not None
        assert answer.text.startswith("That button is out of date"), data
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 2030)
        assert user is not None
        assert user.status is UserStatus.ONBOARDING
        assert user.dialog_step == "conditions"
        assert user.time_zone is None
