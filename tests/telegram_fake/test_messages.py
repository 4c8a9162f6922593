"""A real python-telegram-bot ``Bot`` sends, edits and deletes messages through the emulator."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken

from bot.telegram_fake import FakeUser, TelegramFake

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Done", callback_data="done:1")],
        [InlineKeyboardButton("Easier", callback_data="easier:1")],
    ]
)


async def test_get_me_describes_the_bot(bot: Bot, tg: TelegramFake) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.id == 123456
    assert me.username == tg.state.bot_user["username"]


async def test_html_message_arrives_as_text_and_entities(bot: Bot, alice: FakeUser) -> None:
    sent = await bot.send_message(
        alice.chat_id, "<b>Knee hug</b> &amp; breathe", parse_mode=ParseMode.HTML
    )
    assert sent.text == "Knee hug & breathe"
    assert sent.entities[0].type == "bold"
    assert (sent.entities[0].offset, sent.entities[0].length) == (0, 8)
    seen = await alice.next_message()
    assert seen.message_id == sent.message_id
    assert seen.html == "<b>Knee hug</b> &amp; breathe"


async def test_message_ids_increase_per_chat_across_both_directions(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    bob = tg.user(2002, "Bob")
    first = await bot.send_message(alice.chat_id, "one")
    mine = await alice.send("hello")
    second = await bot.send_message(alice.chat_id, "two")
    bobs = await bot.send_message(bob.chat_id, "hi Bob")
    assert first.message_id < mine.message_id < second.message_id
    assert bobs.message_id == 1


async def test_invalid_html_is_refused_like_telegram(bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(alice.chat_id, "pain < 3", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities: can't find end tag"):
        await bot.send_message(alice.chat_id, "<b>unclosed", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(alice.chat_id, "Done & dusted", parse_mode=ParseMode.HTML)
    assert alice.bot_messages == []


async def test_text_limits_are_counted_after_parsing_in_utf16(bot: Bot, alice: FakeUser) -> None:
    # 4096 visible characters fit even though the markup makes the source longer ...
    await bot.send_message(alice.chat_id, f"<b>{'x' * 4096}</b>", parse_mode=ParseMode.HTML)
    # ... 4095 letters plus one emoji (2 UTF-16 units) do not.
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.chat_id, "x" * 4095 + "😀")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.chat_id, "<b></b>  ", parse_mode=ParseMode.HTML)


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "anyone?")


async def test_chat_can_be_addressed_by_username(bot: Bot, alice: FakeUser) -> None:
    sent = await bot.send_message("@alice", "by name")
    assert sent.chat.id == alice.chat_id


async def test_callback_data_over_64_bytes_is_refused(bot: Bot, alice: FakeUser) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.chat_id, "card", reply_markup=too_long)
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32)]])
    await bot.send_message(alice.chat_id, "card", reply_markup=fits)


async def test_malformed_reply_markup_is_refused(tg: TelegramFake, alice: FakeUser) -> None:
    url = f"{tg.base_url}{tg.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        for markup in ('{"inline_keyboard": [{"text": "x"}]}', "not json", '{"foo": 1}'):
            form = {"chat_id": str(alice.chat_id), "text": "x", "reply_markup": markup}
            async with http.post(url, data=form) as response:
                body = await response.json()
            assert response.status == 400, markup
            assert body["ok"] is False
            assert body["description"].startswith("Bad Request: ")


async def test_reply_is_reflected_in_the_returned_message(bot: Bot, alice: FakeUser) -> None:
    question = await alice.send("How long do I hold it?")
    answer = await bot.send_message(
        alice.chat_id, "30 seconds", reply_parameters=ReplyParameters(question.message_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "How long do I hold it?"
    seen = await alice.next_message()
    assert seen.reply_to == question
    legacy = await bot.send_message(
        alice.chat_id, "legacy", reply_to_message_id=question.message_id
    )
    assert legacy.reply_to_message is not None
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.chat_id, "?", reply_parameters=ReplyParameters(999))


async def test_edit_text_applies_and_identical_edit_is_not_modified(
    bot: Bot, alice: FakeUser
) -> None:
    card = await bot.send_message(alice.chat_id, "Stretch 1", reply_markup=KEYBOARD)
    seen = await alice.next_message()
    assert seen.button_labels == [["Done"], ["Easier"]]

    edited = await bot.edit_message_text(
        "<i>Done</i> ✓", chat_id=alice.chat_id, message_id=card.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, type(card))
    assert edited.edit_date is not None
    assert seen.edited
    assert seen.html == "<i>Done</i> ✓"
    assert seen.buttons == []  # no reply_markup in the edit removes the keyboard, as in Telegram

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<i>Done</i> ✓", chat_id=alice.chat_id, message_id=card.message_id, parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.chat_id, message_id=4242)


async def test_edit_reply_markup_and_caption_rules(bot: Bot, alice: FakeUser, png: bytes) -> None:
    card = await bot.send_message(alice.chat_id, "Stretch", reply_markup=KEYBOARD)
    await bot.edit_message_reply_markup(alice.chat_id, card.message_id, reply_markup=None)
    assert (await alice.next_message()).buttons == []
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.chat_id, card.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match="no caption"):
        await bot.edit_message_caption(alice.chat_id, card.message_id, caption="x")

    photo = await bot.send_photo(alice.chat_id, png, caption="before")
    edited = await bot.edit_message_caption(
        alice.chat_id, photo.message_id, caption="<b>after</b>", parse_mode="HTML"
    )
    assert isinstance(edited, type(photo))
    assert edited.caption == "after"
    with pytest.raises(BadRequest, match="no text"):
        await bot.edit_message_text("x", chat_id=alice.chat_id, message_id=photo.message_id)

    mine = await alice.send("user text")
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("x", chat_id=alice.chat_id, message_id=mine.message_id)


async def test_delete_removes_from_transcript(bot: Bot, alice: FakeUser) -> None:
    sent = await bot.send_message(alice.chat_id, "oops")
    assert await bot.delete_message(alice.chat_id, sent.message_id) is True
    assert alice.messages == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.chat_id, sent.message_id)


async def test_reply_keyboards_change_what_the_user_sees(bot: Bot, alice: FakeUser) -> None:
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Share location", request_location=True)], ["Type a city"]]
    )
    await bot.send_message(alice.chat_id, "Where are you?", reply_markup=keyboard)
    assert alice.reply_keyboard == [["Share location"], ["Type a city"]]
    sent = await bot.send_message(alice.chat_id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert sent.reply_markup is None
    assert alice.reply_keyboard is None


async def test_commands_round_trip(bot: Bot, tg: TelegramFake) -> None:
    commands = [BotCommand("start", "Begin"), BotCommand("help", "How it works")]
    assert await bot.set_my_commands(commands)
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.get_my_commands(language_code="de") == ()
    assert tg.commands() == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "How it works"},
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "bad")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_chat_action_is_recorded(bot: Bot, alice: FakeUser) -> None:
    assert await bot.send_chat_action(alice.chat_id, "upload_photo")
    assert alice.chat_actions == ["upload_photo"]
    with pytest.raises(BadRequest, match="action"):
        await bot.send_chat_action(alice.chat_id, "dancing")


async def test_location_message(bot: Bot, alice: FakeUser) -> None:
    sent = await bot.send_location(alice.chat_id, -36.85, 174.76)
    assert sent.location is not None
    assert (await alice.next_message()).location == (-36.85, 174.76)


async def test_wrong_token_and_unknown_method(tg: TelegramFake) -> None:
    impostor = Bot("999:WRONG", base_url=tg.base_url, base_file_url=tg.base_file_url)
    with pytest.raises(InvalidToken):
        await impostor.initialize()  # initialize() calls getMe
    await impostor.shutdown()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{tg.base_url}{tg.token}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.get(f"{tg.base_url}999:WRONG/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"


async def test_parameters_by_query_form_or_json(tg: TelegramFake, alice: FakeUser) -> None:
    url = f"{tg.base_url}{tg.token}"
    markup = '{"inline_keyboard": [[{"text": "Done", "callback_data": "d"}]]}'
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/sendMessage", params={"chat_id": "1001", "text": "q"}) as r:
            assert (await r.json())["result"]["text"] == "q"
        form = {"chat_id": "1001", "text": "f", "reply_markup": markup}
        async with http.post(f"{url}/sendmessage", data=form) as r:  # names are case-insensitive
            assert (await r.json())["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == (
                "Done"
            )
        body = {"chat_id": 1001, "text": "j", "reply_markup": {"inline_keyboard": []}}
        async with http.post(f"{url}/sendMessage", json=body) as r:
            assert (await r.json())["result"]["text"] == "j"
    assert [m.text for m in alice.bot_messages] == ["q", "f", "j"]
    assert [r.method for r in tg.requests] == ["sendMessage", "sendmessage", "sendMessage"]
