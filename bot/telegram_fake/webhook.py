"""Webhook delivery: while a webhook is set, POST the queued updates to it, as Telegram does.

Telegram's Bot API server (telegram-bot-api, WebhookActor) keeps one queue per chat: a chat's
next update is sent only once the previous one was answered with a 2xx, while updates of
different chats go out in parallel, up to `max_connections` requests at once, from a window of
the oldest 2 x max_connections pending updates. So a chat's updates arrive in order, and
updates of different chats in any order. An update leaves the queue only on a 2xx answer;
a failed one is retried with backoff (its chat waits meanwhile), reported through
getWebhookInfo.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.telegram_fake.state import FakeState, now
from bot.telegram_fake.updates import JSON

log = logging.getLogger("bot.telegram_fake.webhook")

_IDLE_WAIT = 3600.0
_FIRST_BACKOFF = 0.05
_MAX_BACKOFF = 2.0


def queue_of(update: JSON) -> Any:
    """The queue an update waits in: its chat (else its sender); one of its own otherwise."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        for holder in (payload, payload.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return holder["chat"].get("id")
        sender = payload.get("from") or payload.get("user")
        if isinstance(sender, dict):
            return sender.get("id")
    return ("update", update["update_id"])


class WebhookSender:
    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.delivered = 0
        self._sending: dict[Any, asyncio.Task[None]] = {}  # queue -> its update in flight
        self._backoff: dict[int, float] = {}  # update_id -> pause before its next attempt
        self._not_before: dict[int, float] = {}  # update_id -> loop time of its next attempt

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                while True:
                    webhook, updates = self.state.webhook, self.state.updates
                    wait = _IDLE_WAIT
                    if webhook.url:
                        limit = max(1, webhook.max_connections)
                        seen: set[Any] = set()
                        for update in updates.peek(2 * limit):
                            queue = queue_of(update)
                            if queue in seen:
                                continue  # a later update of a chat waits for the earlier one
                            seen.add(queue)
                            if queue in self._sending or len(self._sending) >= limit:
                                continue
                            due = self._not_before.get(update["update_id"], 0.0) - loop.time()
                            if due > 0:
                                wait = min(wait, due)
                                continue
                            self._sending[queue] = asyncio.create_task(
                                self._deliver(session, update, queue)
                            )
                    await updates.wait_change(wait)
            finally:
                for task in self._sending.values():
                    task.cancel()
                await asyncio.gather(*self._sending.values(), return_exceptions=True)

    async def _deliver(self, session: aiohttp.ClientSession, update: JSON, queue: Any) -> None:
        webhook, updates = self.state.webhook, self.state.updates
        headers = {}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        error: str | None = None
        try:
            async with session.post(webhook.url, json=update, headers=headers) as resp:
                if not 200 <= resp.status < 300:
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        finally:
            self._sending.pop(queue, None)
        update_id = update["update_id"]
        if error is None:
            updates.remove(update)
            self.delivered += 1
            self._backoff.pop(update_id, None)
            self._not_before.pop(update_id, None)
        else:
            log.debug("webhook delivery of update %s failed: %s", update_id, error)
            webhook.last_error_date, webhook.last_error_message = now(), error
            backoff = self._backoff.get(update_id, _FIRST_BACKOFF)
            self._not_before[update_id] = asyncio.get_running_loop().time() + backoff
            self._backoff[update_id] = min(backoff * 2, _MAX_BACKOFF)
        updates.wake()  # the chat's next update (or this one, later) may go now
