"""The bot's update queue, with Telegram's getUpdates semantics.

Updates stay queued until the bot confirms them (an ``offset`` greater than their id), so an
answer lost on the wire is simply delivered again; that is what makes polling at-least-once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections import deque
from typing import Any

JSON = dict[str, Any]

# Telegram's update ids "start from a certain positive number and increase sequentially". Here
# every emulator of a process draws from one sequence starting at a random number: a bot
# restarted against a new emulator (and the same database) never sees an id again, as with
# the real Telegram, which a bot keeping update ids (its inbox) relies on.
_UPDATE_IDS = itertools.count(random.randint(1, 2**30))

# What Telegram sends when allowed_updates was never set (the member/reaction kinds are opt-in).
_OPT_IN = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: deque[JSON] = deque()
        self._allowed: frozenset[str] | None = None
        self._event = asyncio.Event()
        self.delivered = 0  # updates confirmed by the bot, for assertions and benchmarks
        # The ids of those updates, in the order they were confirmed: Telegram forgets them.
        self.confirmed: list[int] = []

    def __len__(self) -> int:
        return len(self._pending)

    def set_allowed(self, kinds: list[str] | None) -> None:
        """As in Telegram, an empty or missing list keeps the previous setting."""
        if kinds:
            self._allowed = frozenset(kinds)

    def push(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update of ``kind`` (message, callback_query, ...); None if filtered out."""
        allowed = self._allowed
        if (allowed is not None and kind not in allowed) or (allowed is None and kind in _OPT_IN):
            return None
        update = {"update_id": next(_UPDATE_IDS), kind: payload}
        self._pending.append(update)
        self._wake()
        return update

    def confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            # Negative offset: keep only the last |offset| updates, forget the rest.
            while len(self._pending) > -offset:
                self._forget_first()
            return
        while self._pending and self._pending[0]["update_id"] < offset:
            self._forget_first()

    def _forget_first(self) -> None:
        self.confirmed.append(self._pending.popleft()["update_id"])
        self.delivered += 1

    def peek(self, limit: int) -> list[JSON]:
        return [update for _, update in zip(range(limit), self._pending, strict=False)]

    def drop_all(self) -> None:
        self._pending.clear()

    def remove(self, update: JSON) -> None:
        """Confirm one update (a webhook's 2xx answer), wherever it is in the queue."""
        for index, pending in enumerate(self._pending):
            if pending is update:
                del self._pending[index]
                self.confirmed.append(update["update_id"])
                self.delivered += 1
                return

    def wake(self) -> None:
        """Release every waiter (used on shutdown and when a newer poll supersedes one)."""
        self._wake()

    def _wake(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_change(self, seconds: float) -> None:
        """Sleep until the next push or ``wake()``, whatever is already queued."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    async def wait(self, seconds: float) -> None:
        """Sleep until something is queued or ``wake()`` is called, at most ``seconds``."""
        if self._pending or seconds <= 0:
            return
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()
