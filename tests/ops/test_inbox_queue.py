"""The Application's update queue keeps updates in the database: `put` returns once the update
is stored, and fails (so Telegram is not told it arrived) when it cannot be."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import Update
from telegram.error import NetworkError

from bot.db.engine import SessionFactory, create_session_factory
from bot.db.models import InboxUpdate
from bot.ops import inbox as ops_inbox
from bot.ops.inbox import DurableUpdateQueue

SECRET_TEXT = "my back hurts since the fall"


def an_update(update_id: int = 7) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 42, "type": "private", "first_name": "A"},
                "from": {"id": 42, "is_bot": False, "first_name": "A"},
                "text": SECRET_TEXT,
            },
        },
        None,
    )


async def test_an_update_is_stored_once_and_each_arrival_wakes_the_worker(
    session_factory: SessionFactory,
) -> None:
    queue = DurableUpdateQueue(session_factory)
    wakes: list[None] = []
    queue.on_stored.append(lambda: wakes.append(None))
    await queue.put(an_update())
    await queue.put(an_update())  # Telegram sent it again
    assert queue.empty(), "updates are handled from the table, not the queue"
    assert len(wakes) == 2
    async with session_factory() as session:
        rows = list(await session.scalars(select(InboxUpdate)))
    assert [(row.update_id, row.chat_key) for row in rows] == [(7, 42)]
    assert rows[0].payload is not None
    assert SECRET_TEXT in rows[0].payload
    stored = Update.de_json(json.loads(rows[0].payload), None)
    assert stored == an_update()


async def test_python_telegram_bots_stop_marker_is_queued_as_usual(
    session_factory: SessionFactory,
) -> None:
    queue = DurableUpdateQueue(session_factory)
    marker = object()
    await queue.put(marker)
    assert queue.get_nowait() is marker


async def test_a_database_that_cannot_store_refuses_the_update_without_logging_its_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ops_inbox, "STORE_BACKOFF", (0.0, 0.0))
    broken = create_async_engine("sqlite+aiosqlite:////nonexistent/folder/db.sqlite3")
    queue = DurableUpdateQueue(create_session_factory(broken))
    try:
        with pytest.raises(NetworkError, match="the inbox cannot store updates") as refused:
            await queue.put(an_update())
    finally:
        await broken.dispose()
    # A TelegramError: the Updater retries the batch (Telegram keeps it); the webhook says 500.
    assert SECRET_TEXT not in str(refused.value)
    assert [r.message for r in caplog.records].count("could not store an update; retrying") == 2
    assert SECRET_TEXT not in caplog.text
