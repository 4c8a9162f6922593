"""The user-side API: what a simulated person sees, and how a test waits for it."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram_fake import FakeUser, TelegramFake

CARD_KEYS = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Done", callback_data="done:3"),
            InlineKeyboardButton("Skip", callback_data="skip:3"),
        ],
        [InlineKeyboardButton("Clinic", url="https://osteoworks.example")],
    ]
)


async def test_next_message_hands_out_each_bot_message_once_in_order(
    bot: Bot, alice: FakeUser
) -> None:
    waiting = asyncio.create_task(alice.next_message(timeout=2))
    await asyncio.sleep(0.01)
    await bot.send_message(alice.chat_id, "first")
    await bot.send_message(alice.chat_id, "second")
    assert (await waiting).text == "first"
    assert alice.unread == 1
    assert (await alice.next_message()).text == "second"
    with pytest.raises(TimeoutError, match="got no message"):
        await alice.next_message(timeout=0.05)


async def test_transcript_has_both_directions_with_edits_applied(bot: Bot, alice: FakeUser) -> None:
    mine = await alice.send("/start")
    card = await bot.send_message(alice.chat_id, "Pick one", reply_markup=CARD_KEYS)
    await bot.edit_message_text("Picked", chat_id=alice.chat_id, message_id=card.message_id)
    transcript = alice.messages
    assert [(m.from_bot, m.content) for m in transcript] == [(False, "/start"), (True, "Picked")]
    assert transcript[0] == mine
    assert transcript[1].edited
    assert transcript[1].edit_count == 1
    assert repr(transcript[1]) == "<ChatMessage #2 bot edited: 'Picked'>"


async def test_wait_for_sees_new_messages_and_edits(bot: Bot, alice: FakeUser) -> None:
    card = await bot.send_message(alice.chat_id, "Hold for 30 s", reply_markup=CARD_KEYS)
    watcher = asyncio.create_task(alice.wait_for(lambda m: "✓" in m.content, timeout=2))
    await asyncio.sleep(0.01)
    assert not watcher.done()
    await bot.edit_message_text(
        "Hold for 30 s ✓", chat_id=alice.chat_id, message_id=card.message_id
    )
    assert (await watcher).message_id == card.message_id
    with pytest.raises(TimeoutError, match="matched"):
        await alice.wait_for(lambda m: m.photo is not None, timeout=0.05)


async def test_wait_for_edit(bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.chat_id, "v1", reply_markup=CARD_KEYS)
    card = await alice.next_message()
    edit = asyncio.create_task(alice.wait_for_edit(card, timeout=2))
    await asyncio.sleep(0.01)
    await bot.edit_message_reply_markup(alice.chat_id, card.message_id, reply_markup=None)
    assert (await edit).buttons == []


async def test_buttons_expose_labels_data_and_urls(bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.chat_id, "card", reply_markup=CARD_KEYS)
    card = await alice.next_message()
    assert card.button_labels == [["Done", "Skip"], ["Clinic"]]
    assert card.button("Skip").data == "skip:3"
    assert card.button("Clinic").url == "https://osteoworks.example"
    with pytest.raises(ValueError, match="no callback_data"):
        await alice.press("Clinic")


async def test_press_defaults_to_the_latest_message_with_buttons(bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.chat_id, "old", reply_markup=CARD_KEYS)
    newer = await bot.send_message(
        alice.chat_id,
        "new",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="d:9")]]),
    )
    await bot.send_message(alice.chat_id, "no keyboard")

    async def answer_once() -> tuple[str | None, int | None]:
        (update,) = await bot.get_updates(timeout=5)
        query = update.callback_query
        assert query is not None
        assert query.message is not None
        await bot.answer_callback_query(query.id)
        return query.data, query.message.message_id

    answering = asyncio.create_task(answer_once())
    answer = await alice.press("Done")
    assert answer.text is None
    assert await answering == ("d:9", newer.message_id)


async def test_forged_callback_data(bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.chat_id, "card", reply_markup=CARD_KEYS)
    card = await alice.next_message()

    async def reject() -> str | None:
        (update,) = await bot.get_updates(timeout=5)
        assert update.callback_query is not None
        await bot.answer_callback_query(update.callback_query.id, "That button has expired.")
        return update.callback_query.data

    answering = asyncio.create_task(reject())
    answer = await alice.press_data(card, "done:999999")
    assert answer.text == "That button has expired."
    assert await answering == "done:999999"


async def test_reply_and_location_updates(bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.chat_id, "Which time zone?")
    question = await alice.next_message()
    await alice.reply_to(question, "Auckland")
    await alice.share_location(-36.85, 174.76)
    reply, location = await bot.get_updates()
    assert reply.message is not None
    assert reply.message.reply_to_message is not None
    assert reply.message.reply_to_message.message_id == question.message_id
    assert location.message is not None
    assert location.message.location is not None
    assert location.message.location.latitude == pytest.approx(-36.85)


async def test_commands_anywhere_get_entities(alice: FakeUser) -> None:
    message = await alice.send("😀 /help@stretchbot_fake_bot and /times")
    assert [(e["offset"], e["length"]) for e in message.entities] == [(3, 25), (33, 6)]
    assert (await alice.send("no/command here")).entities == []


async def test_user_registry_is_idempotent(tg: TelegramFake) -> None:
    first = tg.user(5, "Eve")
    assert tg.user(5, "Someone else") is first
    assert tg.users == [first]
    assert first.user == {"id": 5, "is_bot": False, "first_name": "Eve"}


async def test_many_users_in_parallel(bot: Bot, tg: TelegramFake) -> None:
    people = [tg.user(10_000 + n, f"P{n}") for n in range(50)]

    async def converse(person: FakeUser) -> str | None:
        await bot.send_message(person.chat_id, f"hello {person.id}")
        return (await person.next_message()).text

    texts = await asyncio.gather(*(converse(p) for p in people))
    assert texts == [f"hello {p.id}" for p in people]
