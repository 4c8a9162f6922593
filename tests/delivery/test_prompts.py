"""At each chosen local time the right stretch arrives, once, as a photo with answer buttons."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db.models import Delivery, DeliveryStatus, UserStatus
from bot.services import accounts
from bot.views.stretch_card import StretchCard
from tests.bot_harness import Harness, caption_of, text_of
from tests.delivery.people import dispatcher
from tests.handlers.test_settings import onboard

# Aroha (Auckland, 07:30 every day) is next prompted at 18:30 UTC on 25 November.
FIRST_PROMPT = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
ANSWERS = [["✅ Done", "🪶 Easier"], ["⏭ Skip", "⏰ Later", "🤕 It hurts"]]
# The Table stretch: a hold to count, and nothing easier on the sheet.
TABLE_ANSWERS = [["⏱ Hold", "✅ Done"], ["⏭ Skip", "⏰ Later", "🤕 It hurts"]]


async def deliveries(bot: Harness) -> list[Delivery]:
    await bot.settled()
    async with bot.services.session_factory() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def test_the_first_prompt_arrives_at_0730_auckland_time_as_a_photo_with_answers(
    bot: Harness,
) -> None:
    aroha = await onboard(bot, 6001)
    bot.advance_to(FIRST_PROMPT - timedelta(minutes=1))
    await asyncio.sleep(0.2)
    assert aroha.last_bot_message is not None
    assert aroha.last_bot_message.photo is None  # not yet
    bot.advance(timedelta(minutes=1))
    prompt = await aroha.next_message()
    assert prompt.photo is not None
    assert prompt.caption is not None
    assert prompt.caption.startswith("‘Table’ stretch")  # the sheet's first stretch
    assert prompt.button_labels == TABLE_ANSWERS
    [delivery] = await deliveries(bot)
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.stretch_id == "table-stretch"
    assert delivery.scheduled_for == FIRST_PROMPT
    assert delivery.message_id == prompt.message_id


async def test_the_rotation_follows_the_sheet_and_never_sends_disc_problem_stretches(
    bot: Harness,
) -> None:
    dee = await onboard(bot, 6002)
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 6002)
        assert user is not None
        await accounts.set_conditions(session, user, {"disc-problems"})
        await session.commit()
    sent = []
    for day in range(8):
        bot.advance_to(FIRST_PROMPT + timedelta(days=day))
        sent.append(caption_of(await dee.next_message()).split("\n")[0])
    assert sent == [
        "‘Table’ stretch",
        "Buttock/gluteal muscle stretch",
        "Buttock/gluteal stretch #2",
        "Rotation stretch for back",
        "Quadriceps stretch",
        "Psoas stretch (pronounced ‘So-as’)",
        "Hamstring stretch along the floor",
        "‘Table’ stretch",
    ]


async def test_each_picture_is_uploaded_once_then_sent_by_file_id(bot: Harness) -> None:
    users = [await onboard(bot, 6100 + i) for i in range(3)]
    bot.advance_to(FIRST_PROMPT)
    for user in users:
        await user.next_message()
    assert bot.tg.uploads == 1
    photos = bot.tg.calls("sendPhoto", ok=True)
    assert len(photos) == 3


async def test_after_downtime_old_reminders_are_missed_and_not_sent(bot: Harness) -> None:
    aroha = await onboard(bot, 6003)
    # The bot was "down" for three days: only the newest one within 2 h would be sent late.
    bot.advance_to(FIRST_PROMPT + timedelta(days=3, hours=1))
    late = await aroha.next_message()
    assert late.photo is not None
    rows = await deliveries(bot)
    assert [d.status for d in rows] == [
        DeliveryStatus.MISSED,
        DeliveryStatus.MISSED,
        DeliveryStatus.MISSED,
        DeliveryStatus.SENT,
    ]


async def test_a_user_who_blocked_the_bot_is_deactivated_and_gets_nothing_more(
    bot: Harness,
) -> None:
    aroha = await onboard(bot, 6004)
    aroha.block()
    bot.advance_to(FIRST_PROMPT)

    async def status() -> DeliveryStatus | None:
        rows = await deliveries(bot)
        return rows[0].status if rows else None

    for _ in range(100):
        if await status() is DeliveryStatus.BLOCKED:
            break
        await __import__("asyncio").sleep(0.05)
    assert await status() is DeliveryStatus.BLOCKED
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 6004)
        assert user is not None
        assert user.status is UserStatus.BLOCKED
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 1


async def test_next_sends_the_next_stretch_now_and_records_it(bot: Harness) -> None:
    aroha = await onboard(bot, 6005)
    await aroha.send("/next")
    prompt = await aroha.next_message()
    assert caption_of(prompt).startswith("‘Table’ stretch")
    await aroha.send("/next")
    assert caption_of(await aroha.next_message()).startswith("Pelvic tilt")
    assert [d.kind.value for d in await deliveries(bot)] == ["now", "now"]


async def test_a_card_too_long_for_a_caption_comes_as_photo_then_text_with_the_buttons(
    bot: Harness,
) -> None:
    # No stretch of the clinic's pack needs it today; a longer text from the clinic would.
    engine = dispatcher(bot)
    short = engine.sender.card("table-stretch")
    long_card = StretchCard(
        short.picture, "<b>‘Table’ stretch</b>", "Step 1 … <i>hold</i> &amp; rest"
    )
    engine.sender.card = lambda _stretch_id: long_card  # type: ignore[assignment]
    aroha = await onboard(bot, 6010)
    bot.advance_to(FIRST_PROMPT)

    photo = await aroha.next_message()
    assert photo.photo is not None
    assert caption_of(photo) == "‘Table’ stretch"
    assert photo.button_labels == []
    text = await aroha.next_message()
    assert text_of(text) == "Step 1 … hold & rest"
    assert text.button_labels == ANSWERS
    [delivery] = await deliveries(bot)
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.message_id == text.message_id  # answers by reply find it
