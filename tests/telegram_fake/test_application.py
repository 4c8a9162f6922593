"""A whole PTB Application, polling the emulator, serves a simulated user end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.telegram_fake import TelegramFake

from .pictures import image_bytes

PHOTO = image_bytes(640, 480)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    file_id = context.bot_data.get("photo_file_id")
    sent = await context.bot.send_photo(
        update.effective_chat.id,
        file_id or PHOTO,
        caption="<b>Knee to chest</b>\nHold for 30 seconds.",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Done", callback_data="done:knee")]]
        ),
    )
    context.bot_data["photo_file_id"] = sent.photo[-1].file_id  # upload once, then reuse


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Well done!")
    await query.edit_message_caption("<b>Knee to chest</b> ✓", parse_mode="HTML")


@pytest.fixture
async def running_app(tg: TelegramFake) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = (
        Application.builder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(done, pattern=r"^done:"))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_start_then_done_through_a_polling_application(
    tg: TelegramFake,
    running_app: Application,  # type: ignore[type-arg]
) -> None:
    alice = tg.user(1001, "Alice")
    bob = tg.user(1002, "Bob")
    await alice.send("/start")
    card = await alice.next_message()
    assert card.caption == "Knee to chest\nHold for 30 seconds."
    assert card.html == "<b>Knee to chest</b>\nHold for 30 seconds."
    assert card.photo_bytes == PHOTO
    assert card.button_labels == [["Done"]]

    answer = await alice.press("Done")
    assert answer.text == "Well done!"
    edited = await alice.wait_for(lambda m: m.caption is not None and "✓" in m.caption)
    assert edited == card
    assert card.buttons == []  # the edit carried no keyboard

    await bob.send("/start")
    assert (await bob.next_message()).photo_file_id == card.photo_file_id
    assert tg.uploads == 1


async def test_emulator_keeps_up_with_a_benchmark_load(tg: TelegramFake) -> None:
    """300 messages to 100 users through 30 concurrent connections all arrive, in order per
    chat. (How fast is for benchmarks/ to print, not for a test to assert.)"""
    people = [tg.user(50_000 + n, f"P{n}") for n in range(100)]
    request = HTTPXRequest(connection_pool_size=30)
    async with Bot(**tg.bot_kwargs(), request=request) as bot:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(300):
            queue.put_nowait(people[n % 100].chat_id)

        async def sender() -> None:
            while not queue.empty():
                await bot.send_message(queue.get_nowait(), "Time to stretch")

        await asyncio.gather(*(sender() for _ in range(30)))
    assert len(tg.calls("sendMessage", ok=True)) == 300
    assert all(len(p.bot_messages) == 3 for p in people)
