"""Updates reach the bot by long polling or webhook, with Telegram's confirmation rules."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict

from bot.telegram_fake import FakeUser, TelegramFake


async def test_long_poll_returns_as_soon_as_a_user_writes(bot: Bot, alice: FakeUser) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()  # nothing to deliver: the request is held open
    started = time.monotonic()
    await alice.send("/start")
    (update,) = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert update.message is not None
    assert update.message.text == "/start"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "en"
    assert update.message.entities[0].type == "bot_command"


async def test_empty_long_poll_returns_after_its_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2


async def test_updates_stay_until_confirmed_by_offset(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    for text in ("one", "two", "three"):
        await alice.send(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert first[1].update_id == first[0].update_id + 1
    # Not confirmed yet: asking again gives the same updates (an answer lost on the wire is
    # delivered again).
    assert [u.update_id for u in await bot.get_updates(limit=2)] == [u.update_id for u in first]
    assert tg.confirmed_updates == []
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert tg.pending_updates == 1
    assert tg.confirmed_updates == [u.update_id for u in first]  # Telegram forgets these
    await bot.get_updates(offset=rest[-1].update_id + 1)
    assert tg.pending_updates == 0
    assert tg.confirmed_updates == [u.update_id for u in (*first, *rest)]


async def test_allowed_updates_filters_new_updates(bot: Bot, alice: FakeUser) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    await alice.send("ignored")
    assert await bot.get_updates() == ()


async def test_a_newer_poll_terminates_the_older_one(bot: Bot, tg: TelegramFake) -> None:
    async with Bot(**tg.bot_kwargs()) as second_instance:
        older = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        newer = asyncio.create_task(second_instance.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older
        assert await newer == ()


async def test_callback_press_round_trip_with_a_raw_bot(bot: Bot, alice: FakeUser) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done:7")]])
    await bot.send_message(alice.chat_id, "Stretch 7", reply_markup=keyboard)
    card = await alice.next_message()

    async def bot_side() -> None:
        (update,) = await bot.get_updates(timeout=5)
        query = update.callback_query
        assert query is not None
        assert query.data == "done:7"
        assert query.from_user.id == alice.id
        assert query.message is not None
        assert query.message.message_id == card.message_id
        await query.get_bot().answer_callback_query(query.id, "Nice work!", show_alert=True)
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query.id, "twice")

    bot_task = asyncio.create_task(bot_side())
    answer = await alice.press("Done")
    assert answer.text == "Nice work!"
    assert answer.show_alert is True
    await bot_task


async def test_press_times_out_when_the_bot_never_answers(alice: FakeUser, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Skip", callback_data="skip")]])
    await bot.send_message(alice.chat_id, "card", reply_markup=keyboard)
    with pytest.raises(TimeoutError, match="did not answer"):
        await alice.press("Skip", timeout=0.2)
    with pytest.raises(LookupError, match="no button 'Later'"):
        await alice.press("Later")


class Receiver:
    """A stand-in for the bot's webhook endpoint."""

    def __init__(self, fail_first: int = 0) -> None:
        self.updates: list[dict[str, Any]] = []
        self.secrets: list[str | None] = []
        self.fail_first = fail_first
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_first:
            self.fail_first -= 1
            return web.Response(status=500)
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        self.updates.append(await request.json())
        self.arrived.set()
        return web.Response()


async def _serve(receiver: Receiver) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def test_webhook_receives_updates_with_the_secret(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    receiver = Receiver(fail_first=1)
    runner, url = await _serve(receiver)
    try:
        await alice.send("queued before the webhook")
        assert await bot.set_webhook(url, secret_token="s3cret-token")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await alice.send("after")
        while len(receiver.updates) < 2:
            receiver.arrived.clear()
            await asyncio.wait_for(receiver.arrived.wait(), 5)
        assert [u["message"]["text"] for u in receiver.updates] == [
            "queued before the webhook",
            "after",
        ]
        assert receiver.secrets == ["s3cret-token", "s3cret-token"]
        # Confirmed by the 2xx answers only (the 500 was not): each once, in order.
        assert tg.confirmed_updates == [u["update_id"] for u in receiver.updates]
        info = await bot.get_webhook_info()
        assert info.url == url
        assert info.pending_update_count == 0
        assert info.last_error_message is not None  # the first attempt got a 500
        assert tg.webhook_info["url"] == url

        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        await alice.send("polled again")
        (update,) = await bot.get_updates()
        assert update.message is not None
        assert update.message.text == "polled again"
    finally:
        await runner.cleanup()


async def test_set_webhook_can_drop_pending_updates(bot: Bot, alice: FakeUser) -> None:
    await alice.send("stale")
    await bot.set_webhook("http://127.0.0.1:9/unreachable", drop_pending_updates=True)
    await bot.delete_webhook()
    assert await bot.get_updates() == ()
    with pytest.raises(BadRequest):
        await bot.set_webhook("http://127.0.0.1:9/x", secret_token="bad token!")


class HoldingReceiver:
    """A webhook endpoint that answers each update only when the test says so."""

    def __init__(self) -> None:
        self.arrived: asyncio.Queue[str] = asyncio.Queue()
        self.release: dict[str, asyncio.Event] = {}

    async def handle(self, request: web.Request) -> web.Response:
        text = (await request.json())["message"]["text"]
        self.release[text] = asyncio.Event()
        await self.arrived.put(text)
        await self.release[text].wait()
        return web.Response()

    async def next(self) -> str:
        return await asyncio.wait_for(self.arrived.get(), 5)


async def test_webhook_sends_chats_in_parallel_and_each_chat_in_order(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    """As Telegram's server does: one update in flight per chat, chats side by side, at most
    max_connections requests at once."""
    receiver = HoldingReceiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    bob, carol = tg.user(1002, "Bob"), tg.user(1003, "Carol")
    try:
        for text in ("alice 1", "alice 2"):
            await alice.send(text)
        await bob.send("bob 1")
        await carol.send("carol 1")
        assert await bot.set_webhook(url, max_connections=2)
        assert {await receiver.next(), await receiver.next()} == {"alice 1", "bob 1"}
        await asyncio.sleep(0.2)
        assert receiver.arrived.empty(), "two connections are busy, alice 2 waits for alice 1"
        receiver.release["bob 1"].set()
        assert await receiver.next() == "carol 1"  # bob's connection is free; alice's is not
        receiver.release["alice 1"].set()
        assert await receiver.next() == "alice 2"
        receiver.release["carol 1"].set()
        receiver.release["alice 2"].set()
        for _ in range(500):
            if not tg.pending_updates:
                break
            await asyncio.sleep(0.01)
        confirmed = tg.confirmed_updates
        assert len(confirmed) == 4
        alices = [n for n in confirmed if n <= min(confirmed) + 1]  # the first two written
        assert alices == sorted(alices)  # in order
    finally:
        await runner.cleanup()
