"""Injected faults and flood control surface as the PTB exceptions the bot must handle."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram_fake import FakeUser, TelegramFake
from bot.telegram_fake.errors import ApiError
from bot.telegram_fake.limits import FloodControl, SlidingWindow

# PTB 22 warns about RetryAfter.retry_after turning into a timedelta; not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_429_becomes_retry_after_with_telegrams_body(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    tg.faults.add("429", method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.chat_id, "hi")
    assert "7" in str(caught.value)
    assert tg.requests[-1].status == 429
    assert tg.requests[-1].fault == "429"
    # One-shot by default: the retry goes through.
    await bot.send_message(alice.chat_id, "hi")

    tg.faults.add("429", retry_after=3)
    async with aiohttp.ClientSession() as http:
        url = f"{tg.base_url}{tg.token}/sendMessage"
        async with http.post(url, json={"chat_id": alice.chat_id, "text": "x"}) as response:
            assert await response.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            }


async def test_5xx_n_times_then_success_and_only_for_its_chat(
    bot: Bot, alice: FakeUser, tg: TelegramFake, png: bytes
) -> None:
    bob = tg.user(2002, "Bob")
    fault = tg.faults.add("5xx", method="sendPhoto", chat_id=alice.chat_id, times=2)
    await bot.send_photo(bob.chat_id, png)  # other chat: unaffected
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_photo(alice.chat_id, png)
    await bot.send_photo(alice.chat_id, png)
    assert fault.hits == 2
    assert fault.exhausted
    assert len(tg.faults) == 0
    assert [r.status for r in tg.calls("sendPhoto")] == [200, 502, 502, 200]
    assert tg.uploads == 2  # the failed attempts stored nothing


async def test_persistent_fault_lasts_until_removed(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    fault = tg.faults.add("5xx", status=503, times=None)
    for _ in range(3):
        with pytest.raises(NetworkError, match="Service Unavailable"):
            await bot.send_message(alice.chat_id, "x")
    fault.remove()
    await bot.send_message(alice.chat_id, "x")


async def test_dropped_connection_is_a_network_error(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    tg.faults.add("drop", method="sendMessage")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(alice.chat_id, "lost")
    assert not isinstance(caught.value, TimedOut)
    assert alice.bot_messages == []
    assert tg.requests[-1].status == 0


async def test_timeout_without_effect(bot: Bot, alice: FakeUser, tg: TelegramFake) -> None:
    tg.faults.add("timeout", method="sendMessage")
    with pytest.raises(TimedOut):
        await bot.send_message(alice.chat_id, "slow", read_timeout=0.2)
    assert alice.bot_messages == []


async def test_timeout_after_effect_is_the_duplicate_send_trap(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    tg.faults.add("timeout", method="sendMessage", execute=True)
    with pytest.raises(TimedOut):
        await bot.send_message(alice.chat_id, "did it arrive?", read_timeout=0.2)
    assert [m.text for m in alice.bot_messages] == ["did it arrive?"]


async def test_5xx_after_effect(bot: Bot, alice: FakeUser, tg: TelegramFake) -> None:
    tg.faults.add("5xx", method="sendMessage", execute=True)
    with pytest.raises(NetworkError):
        await bot.send_message(alice.chat_id, "sent anyway")
    assert [m.text for m in alice.bot_messages] == ["sent anyway"]


async def test_latency_per_method(bot: Bot, alice: FakeUser, tg: TelegramFake) -> None:
    tg.faults.add("latency", method="sendMessage", seconds=0.3, times=None)
    started = time.monotonic()
    await bot.send_message(alice.chat_id, "slow")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    await bot.send_chat_action(alice.chat_id, "typing")
    assert time.monotonic() - started < 0.2


async def test_user_who_blocked_the_bot(bot: Bot, alice: FakeUser) -> None:
    alice.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.chat_id, "reminder")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(alice.chat_id, "typing")
    await alice.send("/start")  # writing again means she unblocked the bot
    await bot.send_message(alice.chat_id, "welcome back")


async def test_deactivated_user(bot: Bot, alice: FakeUser) -> None:
    alice.deactivate()
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(alice.chat_id, "reminder")
    with pytest.raises(RuntimeError, match="deactivated"):
        await alice.send("ghost")


async def test_injected_403_and_chat_not_found(bot: Bot, alice: FakeUser, tg: TelegramFake) -> None:
    tg.faults.add("blocked", chat_id=alice.chat_id)
    tg.faults.add("chat_not_found", chat_id=alice.chat_id)
    tg.faults.add("error", status=400, description="Bad Request: custom trouble")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(alice.chat_id, "x")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(alice.chat_id, "x")
    with pytest.raises(BadRequest, match="Custom trouble"):
        await bot.send_message(alice.chat_id, "x")


def test_fault_arguments_are_checked() -> None:
    fake = TelegramFake()
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.faults.add("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="times"):
        fake.faults.add("drop", times=0)


async def test_flood_control_overall() -> None:
    async with TelegramFake(rate_limit=30) as tg:
        users = [tg.user(i, f"U{i}") for i in range(1, 4)]
        async with Bot(**tg.bot_kwargs()) as bot:
            for n in range(30):
                await bot.send_message(users[n % 3].chat_id, f"m{n}")
            with pytest.raises(RetryAfter):
                await bot.send_message(users[0].chat_id, "one too many")
            assert tg.requests[-1].status == 429
            # Non-sending methods are not throttled.
            await bot.send_chat_action(users[0].chat_id, "typing")


async def test_flood_control_per_chat() -> None:
    async with TelegramFake(per_chat_rate_limit=1) as tg:
        alice, bob = tg.user(1, "A"), tg.user(2, "B")
        async with Bot(**tg.bot_kwargs()) as bot:
            await bot.send_message(alice.chat_id, "1")
            with pytest.raises(RetryAfter):
                await bot.send_message(alice.chat_id, "2")
            await bot.send_message(bob.chat_id, "other chat is fine")


async def test_edits_count_toward_the_chats_limit_but_not_the_bots() -> None:
    async with TelegramFake(rate_limit=1, per_chat_rate_limit=1) as tg:
        alice = tg.user(1, "A")
        async with Bot(**tg.bot_kwargs()) as bot:
            countdown = await bot.send_message(alice.chat_id, "Hold… 10")
            with pytest.raises(RetryAfter):  # a countdown edited at once: too fast
                await bot.edit_message_text("Hold… 9", alice.chat_id, countdown.message_id)
            assert tg.requests[-1].status == 429
            await asyncio.sleep(1.05)
            await bot.edit_message_text("Hold… 8", alice.chat_id, countdown.message_id)
            with pytest.raises(RetryAfter):  # and the edit was the chat's message this second
                await bot.send_message(alice.chat_id, "too soon")


def test_sliding_window_with_a_controlled_clock() -> None:
    now = [100.0]
    window = SlidingWindow(3, clock=lambda: now[0])
    for _ in range(3):
        assert window.retry_after() == 0
        window.record()
    assert window.retry_after() == 1
    now[0] += 0.999
    assert window.retry_after() == 1
    now[0] += 0.002
    assert window.retry_after() == 0


def test_after_a_429_the_scope_stays_closed_until_retry_after_has_passed() -> None:
    # Telegram's penalty: the window alone would let a send through 0.1 s after the 429 (the
    # oldest of the 30 has left it); the closed scope refuses it all the same.
    now = [0.0]
    flood = FloodControl(per_second=30, clock=lambda: now[0])
    for _ in range(30):
        flood.record(1)
        now[0] += 0.03  # 30 sends over 0.87 s
    now[0] = 0.95
    with pytest.raises(ApiError) as caught:
        flood.check(2)
    assert caught.value.retry_after == 1
    now[0] = 1.05  # the window has room again (the first send left it at 1.0)
    with pytest.raises(ApiError):
        flood.check(3)
    now[0] = 1.96  # retry_after (1 s from 0.95) has passed
    flood.check(3)


def test_without_the_penalty_only_the_window_counts() -> None:
    now = [0.0]
    flood = FloodControl(per_second=2, clock=lambda: now[0], penalty=False)
    flood.record(1)
    flood.record(1)
    with pytest.raises(ApiError):
        flood.check(1)
    now[0] = 1.0
    flood.check(1)


def test_the_window_is_strict_to_the_millisecond() -> None:
    now = [0.0]
    flood = FloodControl(per_second=1, clock=lambda: now[0], penalty=False)
    flood.record(1)
    now[0] = 0.999
    with pytest.raises(ApiError):
        flood.check(2)
    now[0] = 1.0
    flood.check(2)


def test_paid_broadcasts_pass_the_per_bot_limit_up_to_their_own() -> None:
    now = [0.0]
    flood = FloodControl(per_second=30, clock=lambda: now[0], paid_per_second=1000)
    for chat in range(30):
        flood.record(chat)
    with pytest.raises(ApiError):
        flood.check(31)
    # The per-bot scope is closed now (penalty); paid broadcasts are another scope.
    for chat in range(100, 1070):
        flood.check(chat, paid=True)
        flood.record(chat, paid=True)
    # 1000 sends of either kind in this second: the paid limit is reached too.
    with pytest.raises(ApiError):
        flood.check(2000, paid=True)


async def test_allow_paid_broadcast_over_http() -> None:
    async with TelegramFake(rate_limit=1) as tg:
        alice, bob = tg.user(1, "A"), tg.user(2, "B")
        async with Bot(**tg.bot_kwargs()) as bot:
            await bot.send_message(alice.chat_id, "free")
            await bot.send_message(bob.chat_id, "paid", allow_paid_broadcast=True)
            with pytest.raises(RetryAfter):
                await bot.send_message(bob.chat_id, "free again")
        assert [r.status for r in tg.calls("sendMessage")] == [200, 200, 429]


def test_flood_control_reports_whole_seconds() -> None:
    now = [0.0]
    flood = FloodControl(per_second=None, per_chat_per_second=1, clock=lambda: now[0])
    flood.record(5)
    flood.check(6)
    with pytest.raises(ApiError) as caught:
        flood.check(5)
    assert caught.value.retry_after == 1
    assert caught.value.payload()["parameters"] == {"retry_after": 1}
