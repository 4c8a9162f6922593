"""A sliding window over the moments requests reach the socket, not the moments they are let in.

Telegram counts a message when it arrives. A limiter that stamps a request when it lets it
through is wrong by however long the request then takes to be written: the task's wake-up, a
new connection, an upload's body. Measured on a busy host (issue 14): the first wave of a burst
reached the socket late, the second was let through 1.03 s after the first was *let in*, and a
strict 1-second window at Telegram saw 31. Here a request's stamp is the moment its last byte
was written (aiohttp's request trace, `stamp_writes`), and until its answer arrives it counts as
in the window whatever its stamp: a late write pushes the next wave back instead of crowding it.

Invariant (what the tests check): for any `window` seconds of write times, at most `limit`
requests. Proof sketch: take the last request let through among those written in a window; when
it was let in, every earlier one written in that window was either unanswered (counted) or
written within `window` of it (counted), and it was let in only with fewer than `limit` counted.

`limit` may change (a replica's share of the token's budget, bot.delivery.rate_budget); a lower
limit binds windows that start after the change, which the budget allows for.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Iterable
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

import aiohttp


class Turn:
    """One request's place in a window, from being let through until its answer."""

    __slots__ = ("_window", "written_at")

    def __init__(self, window: SendWindow) -> None:
        self._window = window
        self.written_at: float | None = None  # the last write seen so far (loop time)

    def done(self) -> None:
        """The answer arrived (or the request failed): its stamp is final. A request never
        written (it failed to connect) is stamped now, which is never too early."""
        window = self._window
        at = self.written_at if self.written_at is not None else window.loop_time()
        window.finish(at)


# The turns of the request this task is sending, for the transport's write trace.
_TURNS: ContextVar[tuple[Turn, ...]] = ContextVar("send_window_turns", default=())


def sending(turns: tuple[Turn, ...]) -> Any:
    """Mark `turns` as the current task's request (a ContextVar token, for `stop_sending`)."""
    return _TURNS.set(turns)


def stop_sending(token: Any) -> None:
    _TURNS.reset(token)


async def _stamp(_session: Any, _context: SimpleNamespace, _params: Any) -> None:
    turns = _TURNS.get()
    if turns:
        now = asyncio.get_running_loop().time()
        for turn in turns:
            turn.written_at = now


def stamp_writes() -> aiohttp.TraceConfig:
    """An aiohttp trace that stamps the current request's turns when its headers and each body
    chunk are written (the last one wins: an upload counts from its last byte)."""
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_stamp)
    trace.on_request_chunk_sent.append(_stamp)
    trace.freeze()
    return trace


class SendWindow:
    """At most `limit` requests written in any `window` seconds (see the module docstring).

    Requests take turns first come, first served; a wave of them shares one wake-up."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._written: list[float] = []  # heap: write times that may still be in the window
        self._unanswered = 0  # let through, stamp not final yet
        self._waiting = 0
        self._gate = asyncio.Lock()
        self._changed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def loop_time(self) -> float:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop.time()

    def set_limit(self, limit: int) -> None:
        if limit != self.limit:
            self.limit = limit
            self._changed.set()

    def demand(self) -> int:
        """Requests waiting, in flight or written within the window: what this process would
        send in the next window if it could."""
        self._expire(self.loop_time())
        return self._waiting + self._unanswered + len(self._written)

    def in_window(self) -> int:
        self._expire(self.loop_time())
        return self._unanswered + len(self._written)

    def _expire(self, now: float) -> None:
        written, oldest = self._written, now - self.window
        while written and written[0] <= oldest:
            heapq.heappop(written)

    async def turn(self) -> Turn:
        self._waiting += 1
        try:
            async with self._gate:
                while True:
                    now = self.loop_time()
                    self._expire(now)
                    if self._unanswered + len(self._written) < self.limit:
                        break
                    await self._wait_for_room(now)
        finally:
            self._waiting -= 1
        self._unanswered += 1
        return Turn(self)

    async def _wait_for_room(self, now: float) -> None:
        # Room comes when the oldest stamp leaves the window, or when the limit rises; with
        # every counted request still unanswered, when one of them gets its stamp.
        self._changed.clear()
        timer = (
            self._loop.call_later(self._written[0] + self.window - now, self._changed.set)
            if self._written and self._loop is not None
            else None
        )
        try:
            await self._changed.wait()
        finally:
            if timer is not None:
                timer.cancel()

    def finish(self, at: float) -> None:
        self._unanswered -= 1
        was_empty = not self._written
        heapq.heappush(self._written, at)
        if was_empty:
            self._changed.set()  # a waiter with nothing to time its wait by can now


async def take_turns(windows: Iterable[SendWindow]) -> tuple[Turn, ...]:
    return tuple([await window.turn() for window in windows])
