"""python-telegram-bot's `AIORateLimiter`, pacing Telegram's limits with sliding windows.

Telegram allows about 30 messages a second over all chats and answers 429 beyond that; then,
for retry_after seconds, it refuses every message (its penalty). The stock `AIORateLimiter`
paces with aiolimiter's leaky bucket, and neither of its settings suits a burst of reminders:

* the defaults (30 per 1 s) let 30 requests through at once and then 30 more within the same
  second, so every burst starts with 429s, and each 429 halts *all* sending for
  `retry_after` + 0.1 s (measured with 900 reminders: 432 429s, 43 % of the limit);
* a bucket of one (evenly spaced requests) never bursts, but every late wake-up of the event
  loop is time lost for good, and each request wakes the process on its own (measured: 89 to
  93 % of the limit, and more CPU per message).

A sliding window ("at most 30 in any `window` seconds") sends a wave as soon as the oldest of
the last 30 is `window` old: no second ever holds more than 30, a late wave does not push the
next one back, and a wave's requests share one wake-up. A request counts from when it is let
through until it is answered, then from the latest moment it can have reached Telegram
(bot.delivery.send_window), and `window` is a little over 1 s for what that leaves uncertain.

Paid broadcasts (`allow_paid_broadcast`, PAID_BROADCAST): such a request skips the per-bot
window and takes a turn in a window of its own (`paid_rate`, Telegram: up to 1000/s); every
chat-bound request counts there too, so the two kinds together stay under it.

Replicas: with a `budget` (PostgreSQL, bot.delivery.rate_budget), each window's limit is this
process's share of the token's budget, agreed with the other processes through the database.

Everything else is AIORateLimiter's own: 429s are retried after `retry_after` (`max_retries`),
with all requests held meanwhile; group and channel limits. Only requests to a chat count.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.delivery.send_window import SendWindow, take_turns

TELEGRAM_MESSAGES_PER_SECOND = 30
# A little over Telegram's 1 s: the uncertainty left in when a request reached Telegram.
WINDOW_SECONDS = 1.03
_Result = bool | dict[str, Any] | list[dict[str, Any]]


class Budget(Protocol):
    """Shares the windows' limits with other processes (bot.delivery.rate_budget)."""

    async def start(self, windows: dict[str, SendWindow]) -> None: ...

    async def stop(self) -> None: ...

    def wanted(self) -> None:
        """A request must wait for room: if the process wants more than it last said, agree on
        a share now rather than at the next renewal (a reply to a user from an idle process)."""


class SlidingWindowRateLimiter(AIORateLimiter):
    def __init__(
        self,
        max_rate: int = TELEGRAM_MESSAGES_PER_SECOND,
        window: float = WINDOW_SECONDS,
        max_retries: int = 3,
        *,
        paid_rate: int | None = None,
        budget: Budget | None = None,
    ) -> None:
        # overall_max_rate=0 turns AIORateLimiter's leaky bucket off; the windows replace it.
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.free = SendWindow(max_rate, window)
        self.paid = SendWindow(paid_rate, window) if paid_rate else None
        self._free_turns = (self.free,) if self.paid is None else (self.free, self.paid)
        self._paid_turns = (self.paid,) if self.paid is not None else self._free_turns
        self._budget = budget

    @property
    def windows(self) -> dict[str, SendWindow]:
        """Scope name -> window, as the budget shares them."""
        return {"bot": self.free} | ({"paid": self.paid} if self.paid is not None else {})

    async def initialize(self) -> None:
        await super().initialize()
        if self._budget is not None:
            await self._budget.start(self.windows)

    async def shutdown(self) -> None:
        if self._budget is not None:
            await self._budget.stop()
        await super().shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        chat_id = data.get("chat_id")
        if chat_id is None:
            # Not paced, but timed: its round trip teaches the windows how quick a call to this
            # server can be (getUpdates never comes here: python-telegram-bot skips the limiter).
            sent = self.free.loop_time()
            result = await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
            rtt = self.free.loop_time() - sent
            for window in self.windows.values():
                window.learn_round_trip(rtt)
            return result
        windows = self._paid_turns if data.get("allow_paid_broadcast") else self._free_turns
        budget = self._budget

        async def paced(*call_args: Any, **call_kwargs: Any) -> _Result:
            # Inside AIORateLimiter's retry loop: every attempt, retries included, takes a turn.
            if budget is not None and any(window.is_full() for window in windows):
                budget.wanted()
            turns = await take_turns(windows)
            answered = False  # cancelled, or failed on the way: it may still reach Telegram
            try:
                result = await callback(*call_args, **call_kwargs)
                answered = True
                return result
            except TelegramError as error:
                # An answer, unless a timeout or a dropped connection (BadRequest, Forbidden and
                # RetryAfter are answers; BadRequest is a NetworkError too).
                answered = not (isinstance(error, TimedOut) or type(error) is NetworkError)
                raise
            finally:
                for turn in turns:
                    turn.done(answered)

        # Without allow_paid_broadcast: AIORateLimiter's own paid bucket would pace it again.
        return await super().process_request(
            paced, args, kwargs, endpoint, {"chat_id": chat_id}, rate_limit_args
        )
