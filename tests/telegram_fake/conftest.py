"""Shared fixtures: a running emulator, a real PTB Bot pointed at it, a user, an image."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.telegram_fake import FakeUser, TelegramFake

from .pictures import image_bytes

TOKEN = "123456:TEST-token"


@pytest.fixture
def png() -> bytes:
    return image_bytes()


@pytest.fixture
async def tg() -> AsyncIterator[TelegramFake]:
    async with TelegramFake(TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(tg: TelegramFake) -> AsyncIterator[Bot]:
    async with Bot(**tg.bot_kwargs()) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def alice(tg: TelegramFake) -> FakeUser:
    return tg.user(1001, "Alice", username="alice", language_code="en")
