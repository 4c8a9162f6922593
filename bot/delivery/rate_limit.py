"""python-telegram-bot's `AIORateLimiter`, pacing the overall limit with a sliding window.

Telegram allows about 30 messages a second over all chats and answers 429 beyond that. The
stock `AIORateLimiter` paces with aiolimiter's leaky bucket, and neither of its settings suits a
burst of reminders:

* the defaults (30 per 1 s) let 30 requests through at once and then 30 more within the same
  second, so every burst starts with 429s, and each 429 halts *all* sending for
  `retry_after` + 0.1 s (measured with 900 reminders: 432 429s, 43 % of the limit);
* a bucket of one (evenly spaced requests) never bursts, but every late wake-up of the event
  loop is time lost for good, and each request wakes the process on its own (measured: 89 to
  93 % of the limit, and more CPU per message).

A sliding window ("at most 30 in any `window` seconds") sends a wave as soon as the oldest of
the last 30 is `window` old: no second ever holds more than 30, a late wave does not push the
next one back, and a wave's requests share one wake-up. `window` is a little over 1 s for the
jitter between this process and Telegram's clock.

Everything else is AIORateLimiter's own: 429s are retried after `retry_after` (`max_retries`),
group and channel limits, paid broadcasts. Only requests to a chat count, as there.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

TELEGRAM_MESSAGES_PER_SECOND = 30
_Result = bool | dict[str, Any] | list[dict[str, Any]]


class SlidingWindowRateLimiter(AIORateLimiter):
    def __init__(
        self,
        max_rate: int = TELEGRAM_MESSAGES_PER_SECOND,
        window: float = 1.03,
        max_retries: int = 3,
    ) -> None:
        # overall_max_rate=0 turns AIORateLimiter's leaky bucket off; the window replaces it.
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self._window = window
        self._sent: deque[float] = deque(maxlen=max_rate)  # when the last max_rate went out
        self._gate = asyncio.Lock()  # first come, first served

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        if data.get("chat_id") is None or data.get("allow_paid_broadcast"):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        async def paced(*call_args: Any, **call_kwargs: Any) -> _Result:
            # Inside AIORateLimiter's retry loop: every attempt, retries included, takes a turn.
            await self._turn()
            return await callback(*call_args, **call_kwargs)

        return await super().process_request(paced, args, kwargs, endpoint, data, rate_limit_args)

    async def _turn(self) -> None:
        async with self._gate:
            loop = asyncio.get_running_loop()
            if len(self._sent) == self._sent.maxlen:
                wait = self._sent[0] + self._window - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            self._sent.append(loop.time())
