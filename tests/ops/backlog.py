"""A busy morning for the inbox tests: 50 people, 20 commands each, queued at Telegram before
the bot reads any; and what each of them got back."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

from sqlalchemy import select

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import InboxUpdate
from bot.telegram_fake import FakeUser, TelegramFake

PEOPLE = 50
COMMANDS_EACH = 20
TOTAL = PEOPLE * COMMANDS_EACH
# Seconds a process may take to answer a whole backlog (35 s on an idle machine).
LONG = 240.0
FIRST_ID = 30_000
# The bot answers a command it does not know by naming it: "/q7" -> "... the command /q7. ...".
_ANSWER = re.compile(r"the command /q(\d+)\b")


async def queue_backlog(tg: TelegramFake) -> list[FakeUser]:
    """Everyone sends /q0 ... /q19, interleaved (a round of 50, then the next)."""
    people = [tg.user(FIRST_ID + n, f"P{n}") for n in range(PEOPLE)]
    for k in range(COMMANDS_EACH):
        for person in people:
            await person.send(f"/q{k}")
    assert tg.pending_updates == TOTAL
    return people


def answers(person: FakeUser) -> list[int]:
    """The numbers of the commands the bot answered, in the order the answers arrived."""
    found = []
    for message in person.bot_messages:
        match = _ANSWER.search(message.text or "")
        assert match is not None, f"unexpected answer {message!r}"
        found.append(int(match.group(1)))
    return found


def answered(people: list[FakeUser]) -> int:
    return sum(len(person.bot_messages) for person in people)


async def until(condition: Callable[[], bool], within: float, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, explain()
        await asyncio.sleep(0.05)


async def inbox_rows(database_url: str) -> list[InboxUpdate]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            return list(await session.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id)))
    finally:
        await engine.dispose()
