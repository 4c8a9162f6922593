"""Webhook delivery: while a webhook is set, POST each queued update to it, in order.

One update at a time (Telegram allows up to max_connections in flight; ordering is simpler
to reason about in tests). An update leaves the queue only on a 2xx answer; failures are
retried with backoff and reported through getWebhookInfo, like Telegram.
"""

from __future__ import annotations

import logging

import aiohttp

from bot.telegram_fake.state import FakeState, now

log = logging.getLogger("bot.telegram_fake.webhook")

_IDLE_WAIT = 3600.0
_FIRST_BACKOFF = 0.05
_MAX_BACKOFF = 2.0


class WebhookSender:
    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.delivered = 0

    async def run(self) -> None:
        backoff = _FIRST_BACKOFF
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                webhook, updates = self.state.webhook, self.state.updates
                update = updates.first()
                if not webhook.url or update is None:
                    await updates.wait_change(_IDLE_WAIT)
                    continue
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
                if error is None:
                    if updates.first() is update:
                        updates.pop_first()
                    self.delivered += 1
                    backoff = _FIRST_BACKOFF
                    continue
                log.debug("webhook delivery of update %s failed: %s", update["update_id"], error)
                webhook.last_error_date, webhook.last_error_message = now(), error
                await updates.wait_change(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)
