"""Every way a prompt can end is recorded: sent (perhaps late or after retries), missed, blocked or
failed with the error kept. Telegram's failures are the emulator's real ones (429, 5xx, dropped
connections, silence, 403, 400), and no story ends with a delivery still pending."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.db.engine import SessionFactory
from bot.db.models import DeliveryStatus, UserStatus
from bot.delivery.sender import MAX_ATTEMPTS
from tests.bot_harness import START, Harness, running_bot
from tests.delivery.people import (
    deliveries_of,
    quick_retries,
    sends_to,
    subscribe,
    unfinished,
    user_row,
)

DUE = START + timedelta(minutes=30)  # everyone here is prompted at 10:30 UTC
GRACE = timedelta(hours=2)  # MISSED_GRACE_MINUTES' default


@pytest.fixture
async def bot(session_factory: SessionFactory, database_url: str) -> AsyncIterator[Harness]:
    async with running_bot(session_factory, database_url) as harness:
        quick_retries(harness)
        yield harness


async def quiet_for(seconds: float = 0.3) -> None:
    """Give the engine time to do something it should not do."""
    await asyncio.sleep(seconds)


async def test_a_429_is_waited_out_for_retry_after_and_the_prompt_arrives(bot: Harness) -> None:
    ana = await subscribe(bot, 7001)
    bot.tg.faults.add("429", method="sendPhoto", retry_after=1)
    bot.advance_to(DUE)

    prompt = await ana.next_message(timeout=10)

    assert prompt.photo is not None
    first, second = [r for r in bot.tg.calls("sendPhoto") if r.chat_id == 7001]
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0, "retry_after was honoured"
    [delivery] = await deliveries_of(bot, 7001)
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.message_id == prompt.message_id


async def test_two_bad_gateways_then_success_is_sent_with_its_attempts_recorded(
    bot: Harness,
) -> None:
    ben = await subscribe(bot, 7002)
    bot.tg.faults.add("5xx", method="sendPhoto", times=2)
    bot.advance_to(DUE)

    prompt = await ben.next_message(timeout=10)

    assert sends_to(bot, 7002) == [502, 502, 200]
    [delivery] = await deliveries_of(bot, 7002)
    assert (delivery.status, delivery.attempts, delivery.error) == (DeliveryStatus.SENT, 3, None)
    assert delivery.message_id == prompt.message_id


@pytest.mark.parametrize(
    ("trouble", "kept"),
    [("5xx", "Bad Gateway"), ("drop", "NetworkError"), ("timeout", "TimedOut")],
)
async def test_persistent_network_trouble_is_retried_with_backoff_then_failed_with_the_error(
    bot: Harness, trouble: str, kept: str
) -> None:
    quick_retries(bot, timeout=0.3)  # the bot gives up waiting for an answer after 0.3 s
    cleo = await subscribe(bot, 7003)
    fault = bot.tg.faults.add(trouble, method="sendPhoto", times=None)  # type: ignore[arg-type]
    bot.advance_to(DUE)

    [delivery] = await deliveries_of(bot, 7003)

    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.error is not None
    assert kept in delivery.error
    calls = [r for r in bot.tg.calls("sendPhoto") if r.chat_id == 7003]
    assert len(calls) == MAX_ATTEMPTS
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(calls)]
    assert all(gap >= 0.05 for gap in gaps), f"backed off between tries: {gaps}"
    assert cleo.bot_messages == []

    # Given up means given up: later rounds leave it alone, and tomorrow's prompt goes out.
    fault.remove()
    bot.advance(timedelta(minutes=5))
    await quiet_for()
    assert len(sends_to(bot, 7003)) == MAX_ATTEMPTS
    bot.advance_to(DUE + timedelta(days=1))
    assert (await cleo.next_message(timeout=10)).photo is not None
    statuses = [d.status for d in await deliveries_of(bot, 7003)]
    assert statuses == [DeliveryStatus.FAILED, DeliveryStatus.SENT]
    assert await unfinished(bot) == 0


@pytest.mark.parametrize(
    ("how", "answer"),
    [
        ("blocked", "bot was blocked by the user"),
        ("deactivated", "user is deactivated"),
        ("chat_not_found", "chat not found"),
    ],
)
async def test_a_user_telegram_cannot_reach_is_deactivated_and_their_slots_stop(
    bot: Harness, how: str, answer: str
) -> None:
    gone = await subscribe(bot, 7004)
    still_here = await subscribe(bot, 7005)
    if how == "blocked":
        gone.block()
    elif how == "deactivated":
        gone.deactivate()
    else:
        bot.tg.faults.add("chat_not_found", chat_id=7004, times=None)
    bot.advance_to(DUE)

    assert (await still_here.next_message(timeout=10)).photo is not None
    [delivery] = await deliveries_of(bot, 7004)
    assert delivery.status is DeliveryStatus.BLOCKED
    assert delivery.attempts == 1, "no retry: Telegram's answer is final"
    assert delivery.error is not None
    assert answer in delivery.error.lower()

    user, slots = await user_row(bot, 7004)
    assert user.status is UserStatus.BLOCKED
    assert [slot.next_fire_at for slot in slots] == [None]

    # The next day the other user has another prompt; the unreachable one nothing more.
    bot.advance_to(DUE + timedelta(days=1))
    await still_here.next_message(timeout=10)
    await quiet_for()
    assert len(sends_to(bot, 7004)) == 1
    assert len(await deliveries_of(bot, 7004)) == 1
    assert await unfinished(bot) == 0


@pytest.mark.parametrize(
    ("refusal", "kept"),
    [
        (
            'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 12',
            "can't parse entities",
        ),
        ("Bad Request: message caption is too long", "caption is too long"),
    ],
)
async def test_a_prompt_telegram_refuses_is_logged_with_its_stretch_and_never_retried(
    bot: Harness, refusal: str, kept: str, caplog: pytest.LogCaptureFixture
) -> None:
    dan = await subscribe(bot, 7006)
    fault = bot.tg.faults.add(
        "error", method="sendPhoto", chat_id=7006, status=400, description=refusal, times=None
    )
    caplog.set_level(logging.ERROR, logger="bot.delivery")
    bot.advance_to(DUE)

    [delivery] = await deliveries_of(bot, 7006)

    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.error is not None
    assert kept in delivery.error.lower()
    [logged] = [r for r in caplog.records if r.getMessage() == "telegram refused a prompt"]
    assert getattr(logged, "stretch_id", None) == delivery.stretch_id == "table-stretch"
    assert getattr(logged, "delivery_id", None) == delivery.id

    bot.advance(timedelta(minutes=5))
    await quiet_for()
    assert sends_to(bot, 7006) == [400], "refused once, never tried again"
    # Tomorrow is another prompt (and another chance, once the pack is fixed).
    fault.remove()
    bot.advance_to(DUE + timedelta(days=1))
    assert (await dan.next_message(timeout=10)).photo is not None
    assert await unfinished(bot) == 0


async def test_after_downtime_within_the_grace_period_the_reminder_is_sent_once_late(
    bot: Harness,
) -> None:
    eve = await subscribe(bot, 7007)
    bot.advance_to(DUE + GRACE - timedelta(minutes=1))  # the bot comes back 1 h 59 min late

    prompt = await eve.next_message(timeout=10)

    [delivery] = await deliveries_of(bot, 7007)
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.message_id == prompt.message_id
    assert delivery.sent_at is not None
    assert delivery.sent_at - delivery.scheduled_for == GRACE - timedelta(minutes=1)
    await quiet_for()
    assert len(eve.bot_messages) == 1, "sent once"


async def test_after_downtime_beyond_the_grace_period_the_reminder_is_missed_not_sent(
    bot: Harness,
) -> None:
    fay = await subscribe(bot, 7008)
    bot.advance_to(DUE + GRACE + timedelta(minutes=1))

    [delivery] = await deliveries_of(bot, 7008)

    assert delivery.status is DeliveryStatus.MISSED
    assert (delivery.scheduled_for, delivery.sent_at, delivery.attempts) == (DUE, None, 0)
    await quiet_for()
    assert fay.bot_messages == []
    assert sends_to(bot, 7008) == []
    # The slot moved on: tomorrow's prompt comes as usual.
    bot.advance_to(DUE + timedelta(days=1))
    assert (await fay.next_message(timeout=10)).photo is not None
    assert await unfinished(bot) == 0
