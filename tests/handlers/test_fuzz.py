"""Forged, malformed, oversized, foreign or stale button data, and odd text: the bot answers
every one politely, no exception escapes a handler, and no row changes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from bot.db.base import Base
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.db.migrations import upgrade
from bot.domain.progression import parse_answer
from bot.telegram_fake import ChatMessage, FakeUser
from bot.views import callback_data as cb
from tests.bot_harness import Harness, running_bot
from tests.handlers.test_settings import onboard

ACTIONS = [
    "answer", "stronger", "try_easier", "unblock", "cond", "cond_done", "tz", "tz_clock",
    "time", "time_type", "time_done", "days", "day", "days_done", "set", "pause", "del_yes",
    "del_no", "consent", "nudges", "noop", "hold", "hold_stop",
]  # fmt: skip


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Harness, FakeUser, ChatMessage, tuple[int, int]]]:
    """One bot for every example: Mere is set up and has a prompt; Other has one too."""
    path = tmp_path_factory.mktemp("fuzz") / "db.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    async with running_bot(create_session_factory(engine)) as bot:
        mere = await onboard(bot, 9001)
        other = await onboard(bot, 9002)
        await mere.send("/next")
        prompt = await mere.next_message()
        await other.send("/next")
        await other.next_message()
        await bot.settled()
        async with bot.services.session_factory() as session:
            others_delivery, own_delivery = [
                await session.scalar(
                    text(
                        "SELECT d.id FROM deliveries d JOIN users u ON u.id = d.user_id "
                        f"WHERE u.telegram_id = {telegram_id}"
                    )
                )
                for telegram_id in (9002, 9001)
            ]
        BASELINE.update(await snapshot(bot.services.session_factory))
        yield bot, mere, prompt, (int(others_delivery), int(own_delivery))
    await engine.dispose()


# Every row as it was when the fuzzing began: nothing may ever differ from it.
BASELINE: dict[str, list[tuple[object, ...]]] = {}


# The inbox records each update's passage (stored, then handled), whatever the update says.
IN_TRANSIT = {"inbox_updates"}


async def snapshot(session_factory: SessionFactory) -> dict[str, list[tuple[object, ...]]]:
    async with session_factory() as session:
        return {
            table.name: sorted(map(tuple, (await session.execute(select(table))).all()), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name not in IN_TRANSIT
        }


def forged(others_delivery: int, own_delivery: int) -> st.SearchStrategy[str]:
    """`own_delivery`: Mere's open prompt. No follow-up question names it, so a follow-up
    button with its id is forged."""
    junk = st.text(max_size=80)
    argument = st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=50
    )
    return st.one_of(
        junk.filter(lambda data: cb.parse(data) is None),  # malformed or oversized
        st.builds(lambda a, arg: f"{a}:{arg}", st.sampled_from(ACTIONS), argument).filter(
            lambda data: cb.parse(data) is None
        ),
        # Well formed, but someone else's prompt, or none at all.
        st.builds(
            lambda i, word: f"answer:{i}:{word}",
            st.sampled_from([others_delivery, 0, 999_999, 10**11]),
            st.sampled_from(["done", "easier", "skip", "later", "hurts", "x"]),
        ),
        # Follow-up answers naming no offer the bot made: prompts' ids (hers and another's),
        # small ids, none at all.
        st.builds(
            lambda i, w: f"stronger:{i}:{w}",
            st.sampled_from([others_delivery, own_delivery, 0, 1, 2]),
            st.sampled_from(["yes", "no"]),
        ),
        st.builds(
            lambda i: f"try_easier:{i}",
            st.sampled_from([others_delivery, own_delivery, 0, 1, 77]),
        ),
        # Stale set-up buttons: the user is past those steps, or the values are impossible.
        st.sampled_from([
            "consent", "tz:Mars/Base", "tz:..", "time:2561", "time:9999", "days:0", "days:128",
            "day:7", "day:x", "cond:none-such", "set:../../etc", "unblock:none-such",
            "stronger:1:maybe", "answer:1:", "answer::done", "answer:abc:done",
        ]),
    )  # fmt: skip


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_forged_button_data_is_answered_and_changes_nothing(
    world: tuple[Harness, FakeUser, ChatMessage, tuple[int, int]],
    data: st.DataObject,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot, mere, prompt, (others_delivery, own_delivery) = world
    payload = data.draw(forged(others_delivery, own_delivery))
    with caplog.at_level(logging.ERROR):
        answer = await mere.press_data(prompt, payload)
    assert answer.text, payload
    assert await snapshot(bot.services.session_factory) == BASELINE, payload
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], payload


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    message=st.text(min_size=1, max_size=300).filter(
        lambda t: t.strip() and parse_answer(t) is None
    )
)
async def test_odd_text_gets_a_reply_and_changes_nothing(
    world: tuple[Harness, FakeUser, ChatMessage, tuple[int, int]],
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot, mere, _, _ = world
    with caplog.at_level(logging.ERROR):
        await mere.send(message)
        reply = await mere.next_message()
    assert reply.text
    assert await snapshot(bot.services.session_factory) == BASELINE, message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], message
