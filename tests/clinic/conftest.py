from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.db.engine import SessionFactory
from tests.bot_harness import Harness, running_bot


@pytest.fixture
async def bot(session_factory: SessionFactory, database_url: str) -> AsyncIterator[Harness]:
    async with running_bot(session_factory, database_url) as harness:
        yield harness
