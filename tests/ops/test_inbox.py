"""Nothing a user sends is lost: 1,000 commands from 50 people are queued at Telegram, and the
bot is stopped (SIGTERM) or killed (SIGKILL) in the middle of answering them. Telegram is told
an update arrived only once it is in the database; after a restart every command is answered,
each person's answers in the order they wrote."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from bot.ops.inbox import UPDATES_IN_FLIGHT
from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN
from tests.ops.backlog import (
    COMMANDS_EACH,
    LONG,
    TOTAL,
    answered,
    answers,
    inbox_rows,
    queue_backlog,
    until,
)
from tests.ops.procs import bot_process

# 1,000 answers take 35 s at Telegram's 30 messages/s; on a loaded machine much longer. The
# budgets are generous so that only a bot that stops answering fails.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

# INFO: a DEBUG log of 1,000 updates is mostly python-telegram-bot's request lines.
ENV = {"LOG_LEVEL": "INFO", "UPDATE_LEASE_SECONDS": "3"}
CUT_AT = 150  # answers sent when the bot is stopped


async def test_sigterm_mid_backlog_exits_in_time_and_the_restart_answers_the_rest_once(
    database_url: str, tmp_path: Path
) -> None:
    async with TelegramFake(token=TOKEN) as tg:
        people = await queue_backlog(tg)
        async with bot_process(tg, database_url, tmp_path, env=ENV, log_name="first.log") as bot:
            await until(lambda: answered(people) >= CUT_AT, 120, bot.output)
            code, seconds = await bot.stop()
            first_log = bot.output()
        assert code == 0, first_log
        assert seconds < 10, first_log
        first = answered(people)
        assert first < TOTAL, "the backlog was finished before the stop: nothing was tested"

        # Whatever Telegram was told arrived is in the database (it will not send it again).
        stored = {row.update_id for row in await inbox_rows(database_url)}
        confirmed = len(tg.confirmed_updates)
        assert set(tg.confirmed_updates) <= stored
        assert "inbox stopped" in first_log
        assert "level=ERROR" not in first_log

        started = time.monotonic()
        async with bot_process(tg, database_url, tmp_path, env=ENV, log_name="second.log") as bot:
            await until(lambda: answered(people) >= TOTAL, LONG, bot.output)
            code, _ = await bot.stop()
        assert code == 0
        rest = time.monotonic() - started

    for person in people:
        assert answers(person) == list(range(COMMANDS_EACH)), person  # once each, in order
    rows = await inbox_rows(database_url)
    assert len(rows) == TOTAL
    assert all(row.done_at is not None and row.payload is None for row in rows)
    print(
        f"\nSIGTERM after {first} answers ({confirmed} updates stored and confirmed): exited in"
        f" {seconds:.2f} s; the restart answered the"
        f" other {TOTAL - first} in {rest:.1f} s; duplicates 0"
    )


async def test_sigkill_mid_backlog_loses_nothing_and_repeats_at_most_what_was_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    async with TelegramFake(token=TOKEN) as tg:
        people = await queue_backlog(tg)
        async with bot_process(tg, database_url, tmp_path, env=ENV, log_name="first.log") as bot:
            await until(lambda: answered(people) >= CUT_AT, 120, bot.output)
            bot.process.kill()
            await bot.process.wait()
        first = answered(people)
        assert first < TOTAL
        stored = {row.update_id for row in await inbox_rows(database_url)}
        confirmed = tg.confirmed_updates
        assert confirmed, "nothing was confirmed before the kill: nothing was tested"
        assert set(confirmed) <= stored, "Telegram was told of an update the bot did not keep"

        async with bot_process(tg, database_url, tmp_path, env=ENV, log_name="second.log") as bot:
            await until(
                lambda: all(set(answers(p)) == set(range(COMMANDS_EACH)) for p in people),
                LONG,
                bot.output,
            )
            code, _ = await bot.stop()
        assert code == 0

    rows = await inbox_rows(database_url)
    assert len(rows) == TOTAL
    assert all(row.done_at is not None for row in rows)
    # Which update each answer was: a person's k-th command is their k-th update.
    attempts: dict[int | None, list[int]] = {}
    for row in rows:
        attempts.setdefault(row.chat_key, []).append(row.attempts)
    duplicates = 0
    for person in people:
        got = answers(person)
        assert got == sorted(got), f"{person}: answers out of order {got}"
        for k in set(got):
            if got.count(k) > 1:
                duplicates += got.count(k) - 1
                # Only an update that was being handled at the kill is handled again.
                assert attempts[person.chat_id][k] > 1, (person, k)
    assert duplicates <= UPDATES_IN_FLIGHT
    print(
        f"\nSIGKILL after {first} answers: every one of the {TOTAL} answered after the restart;"
        f" {duplicates} answered twice (in flight at the kill; at most {UPDATES_IN_FLIGHT})"
    )


async def test_updates_still_in_flight_when_the_drain_ends_are_handed_back_and_answered_later(
    database_url: str, tmp_path: Path
) -> None:
    """Telegram is slow to take the answers (30 s each): the drain ends (after 1 s; or at a
    second SIGTERM, whatever the drain), the updates are handed back, and the next process
    answers each once."""
    async with TelegramFake(token=TOKEN) as tg:
        people = [tg.user(40_000 + n, f"S{n}") for n in range(5)]
        for person in people:
            await person.send("/q0")
        slow = tg.faults.add("latency", method="sendMessage", seconds=30, times=None)
        runs = [({"SHUTDOWN_DRAIN_SECONDS": "1"}, 1), ({"SHUTDOWN_DRAIN_SECONDS": "8"}, 2)]
        for number, (drain, signals) in enumerate(runs, 1):
            env = {**ENV, **drain}
            log_name = f"run{number}.log"
            async with bot_process(tg, database_url, tmp_path, env=env, log_name=log_name) as bot:

                def all_on_their_way(wanted: int = slow.hits + len(people)) -> bool:
                    return slow.hits >= wanted  # every answer sent, held by Telegram

                await until(all_on_their_way, 60, bot.output)
                started = time.monotonic()
                for _ in range(signals):
                    bot.process.send_signal(signal.SIGTERM)
                    await asyncio.sleep(0.3)
                code = await asyncio.wait_for(bot.process.wait(), 15)
                seconds = time.monotonic() - started
                output = bot.output()
            assert code == 0, output
            assert seconds < 4, output  # 1 s of drain, or none after the second signal
            assert 'event="inbox stopped" handled=0 handed_back=5' in output, output
            assert ("second stop signal" in output) == (signals == 2)
            assert not [person for person in people if person.bot_messages]
        slow.remove()
        async with bot_process(tg, database_url, tmp_path, env=ENV, log_name="last.log") as bot:
            await until(lambda: answered(people) >= len(people), 60, bot.output)
            await asyncio.sleep(0.5)  # room for a duplicate to show up
            code, _ = await bot.stop()
        assert code == 0
    assert [answers(person) for person in people] == [[0]] * len(people)
