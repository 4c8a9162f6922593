"""Every setting stays changeable after onboarding: stories from the user's side."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.base import Base
from bot.db.models import UserStatus
from bot.services import accounts, schedule
from bot.telegram_fake import FakeUser
from tests.bot_harness import Harness, text_of


async def onboard(bot: Harness, user_id: int, zone: str = "Pacific/Auckland") -> FakeUser:
    user = bot.tg.user(user_id, f"User{user_id}")
    await user.send("/start")
    await user.next_message()
    await user.press("✅ I understand")
    await user.next_message()
    await user.press("None of these ✓")
    await user.next_message()
    await user.send(zone)
    await user.next_message()
    times = await user.next_message()
    await user.press("07:30", times)
    await user.wait_for(lambda m: "✅ 07:30" in str(m.button_labels))
    await user.press("Done ✓", times)
    days = await user.next_message()
    await user.press("Every day", days)
    assert "All set" in text_of(await user.next_message())
    return user


async def next_prompt(bot: Harness, telegram_id: int) -> datetime | None:
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, telegram_id)
        assert user is not None
        return schedule.next_prompt_at(await schedule.slots_of(session, user))


async def test_settings_shows_everything_on_one_screen(bot: Harness) -> None:
    user = await onboard(bot, 3001)
    await user.send("/settings")
    screen = await user.next_message()
    assert screen.text is not None
    for part in ("Pacific/Auckland", "07:30", "Every day", "Next stretch Thu 26 Nov at 07:30"):
        assert part in screen.text
    labels = str(screen.button_labels)
    for button in ("Conditions", "Time zone", "Times", "Days", "Pause", "Delete my data"):
        assert button in labels


async def test_start_again_shows_current_settings_instead_of_starting_over(bot: Harness) -> None:
    user = await onboard(bot, 3002)
    await user.send("/start")
    assert "Your settings" in text_of(await user.next_message())


async def test_a_time_zone_change_moves_the_next_prompt(bot: Harness) -> None:
    user = await onboard(bot, 3003)
    assert await next_prompt(bot, 3003) == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    await user.send("/timezone")
    await user.next_message()
    await user.send("Europe/London")
    assert "Europe/London" in text_of(await user.next_message())
    saved = await user.next_message()
    assert saved.text is not None
    assert "Thu 26 Nov at 07:30" in saved.text
    assert await next_prompt(bot, 3003) == datetime(2026, 11, 26, 7, 30, tzinfo=UTC)


async def test_times_adds_and_removes_a_time(bot: Harness) -> None:
    user = await onboard(bot, 3004)
    await user.send("/times")
    times = await user.next_message()
    await user.send("9pm")
    times = await user.next_message()
    assert "✅ 21:00" in str(times.button_labels)
    await user.press("✅ 07:30", times)
    await user.wait_for(
        lambda m: m.message_id == times.message_id and "✅ 07:30" not in str(m.button_labels)
    )
    await user.press("Done ✓", times)
    assert "Saved" in text_of(await user.next_message())
    # 23:00 in Auckland now: 21:00 tomorrow.
    assert await next_prompt(bot, 3004) == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


async def test_pause_for_three_days_then_resume(bot: Harness) -> None:
    user = await onboard(bot, 3005, zone="Europe/London")
    await user.send("/pause 3 days")
    reply = await user.next_message()
    assert reply.text is not None
    assert "Paused until Sat 28 Nov" in reply.text
    assert await next_prompt(bot, 3005) == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    await user.send("/resume")
    assert "Next stretch Thu 26 Nov at 07:30" in text_of(await user.next_message())
    assert await next_prompt(bot, 3005) == datetime(2026, 11, 26, 7, 30, tzinfo=UTC)


async def test_pause_with_nonsense_changes_nothing(bot: Harness) -> None:
    user = await onboard(bot, 3006, zone="Europe/London")
    await user.send("/pause forever and ever")
    assert "Nothing changed" in text_of(await user.next_message())
    assert await next_prompt(bot, 3006) == datetime(2026, 11, 26, 7, 30, tzinfo=UTC)


async def test_stop_then_start_turns_reminders_back_on(bot: Harness) -> None:
    user = await onboard(bot, 3007)
    await user.send("/stop")
    assert "Stopped" in text_of(await user.next_message())
    assert await next_prompt(bot, 3007) is None
    await user.send("/start")
    assert "Welcome back" in text_of(await user.next_message())
    assert await next_prompt(bot, 3007) is not None
    async with bot.services.session_factory() as session:
        stored = await accounts.find_user(session, 3007)
        assert stored is not None
        assert stored.status is UserStatus.ACTIVE


async def test_delete_after_confirmation_leaves_no_row_behind(bot: Harness) -> None:
    user = await onboard(bot, 3008)
    other = await onboard(bot, 3009)
    await user.send("/delete")
    confirm = await user.next_message()
    await user.press("Keep my data", confirm)
    assert "Nothing was deleted" in text_of(await user.wait_for_edit(confirm))
    await user.send("/delete")
    confirm = await user.next_message()
    await user.press("🗑 Yes, delete everything", confirm)
    await user.wait_for_edit(confirm)
    async with bot.services.session_factory() as session:
        assert await accounts.find_user(session, 3008) is None
        users = await session.scalar(
            select(func.count()).select_from(Base.metadata.tables["users"])
        )
        assert users == 1  # only the other user remains
        survivor = await accounts.find_user(session, 3009)
        assert survivor is not None
        for table in Base.metadata.sorted_tables:
            if "user_id" in table.c:
                rows = await session.scalar(
                    select(func.count()).select_from(table).where(table.c.user_id != survivor.id)
                )
                assert rows == 0, table.name
    # A press on the old confirmation afterwards is harmless.
    answer = await user.press_data(confirm, "del_yes")
    assert answer.text
    assert other.id == 3009


async def test_export_sends_my_data_as_a_json_document(bot: Harness) -> None:
    user = await onboard(bot, 3010)
    await user.send("/export")
    document = await user.next_message()
    assert document.document is not None
    assert document.document["file_name"] == "stretchbot-my-data.json"
    data = json.loads(document.file_bytes or b"")
    assert data["profile"]["telegram_id"] == 3010
    assert data["profile"]["time_zone"] == "Pacific/Auckland"
    assert data["schedule"][0]["time"] == "07:30"


async def test_settings_commands_before_setup_point_to_start(bot: Harness) -> None:
    stranger = bot.tg.user(3011, "Stranger")
    for command in ("/settings", "/pause", "/resume", "/times", "/timezone", "/conditions"):
        await stranger.send(command)
        assert "/start" in text_of(await stranger.next_message())


async def test_forged_and_stale_buttons_get_a_polite_answer(bot: Harness) -> None:
    user = await onboard(bot, 3012)
    screen_msg = user.last_bot_message
    for data in (
        "",
        "x" * 64,
        "nonsense",
        "tz:Mars/Base",
        "time:9999",
        "days:0",
        "day:9",
        "cond:unknown",
        "set:../../etc",
        "consent",
    ):
        answer = await user.press_data(screen_msg, data)
        assert answer.text, data
    assert await next_prompt(bot, 3012) == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)


async def test_follow_ups_turn_off_and_on_again_from_settings(bot: Harness) -> None:
    user = await onboard(bot, 3020)
    await user.send("/settings")
    screen = await user.next_message()
    assert "unanswered: on" in text_of(screen)
    answer = await user.press("💬 Follow-ups: turn off", screen)
    assert answer.text == "Follow-ups off"
    screen = await user.next_message()
    assert "unanswered: off" in text_of(screen)
    async with bot.services.session_factory() as session:
        stored = await accounts.find_user(session, 3020)
        assert stored is not None
        assert stored.nudges is False
    answer = await user.press("💬 Follow-ups: turn on", screen)
    assert answer.text == "Follow-ups on"
    assert "unanswered: on" in text_of(await user.next_message())
