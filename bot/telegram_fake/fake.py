"""``TelegramFake``: start/stop the emulator and reach everything a test needs from one object."""

from __future__ import annotations

import asyncio
import contextlib
import json
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.telegram_fake.faults import FaultSet
from bot.telegram_fake.limits import PAID_BROADCAST_PER_SECOND, FloodControl
from bot.telegram_fake.methods import BotApi
from bot.telegram_fake.server import ApiServer, RequestRecord
from bot.telegram_fake.state import JSON, Chat, FakeState, FileStore
from bot.telegram_fake.users import FakeUser
from bot.telegram_fake.webhook import WebhookSender


class TelegramFake:
    """A Bot API server on 127.0.0.1 plus the simulated users who talk to the bot through it.

    ``rate_limit``: messages/second over all chats (Telegram: 30), None = unlimited.
    ``per_chat_rate_limit``: messages/second per chat (Telegram's guidance: 1), None = unlimited.
    ``paid_rate_limit``: messages/second with ``allow_paid_broadcast`` (Telegram: 1000); by
    default 1000 whenever ``rate_limit`` is set.
    ``flood_penalty``: after a 429, that scope refuses every send until retry_after has passed,
    as Telegram does (on by default).
    All windows are strict 1-second windows.
    ``validate_images``: refuse photo uploads Pillow can't read, like Telegram does.
    ``strict_ampersand``: reject a bare ``&`` in HTML (Telegram tolerates it: bot.telegram_html).
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_first_name: str = "StretchBot",
        bot_username: str = "stretchbot_fake_bot",
        rate_limit: int | None = None,
        per_chat_rate_limit: int | None = None,
        paid_rate_limit: int | None = None,
        flood_penalty: bool = True,
        validate_images: bool = True,
        strict_ampersand: bool = True,
    ) -> None:
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.token = token
        self.host = host
        self._requested_port = port
        self.state = FakeState(
            bot_user={
                "id": bot_id,
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
            },
            files=FileStore(validate_images=validate_images),
            strict_ampersand=strict_ampersand,
        )
        self.faults = FaultSet()
        if paid_rate_limit is None and rate_limit is not None:
            paid_rate_limit = PAID_BROADCAST_PER_SECOND
        flood = FloodControl(
            rate_limit,
            per_chat_rate_limit,
            paid_per_second=paid_rate_limit,
            penalty=flood_penalty,
        )
        self._api = BotApi(self.state, flood)
        self._server = ApiServer(token, self._api, self.faults)
        self._webhook = WebhookSender(self.state)
        self._users: dict[int, FakeUser] = {}
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.port = 0

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> TelegramFake:
        # handler_cancellation: a client that hangs up (timeout, shutdown) ends its long poll.
        self._runner = web.AppRunner(
            self._server.build_app(),
            handler_cancellation=True,
            shutdown_timeout=1.0,
            access_log=None,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._webhook_task = asyncio.create_task(self._webhook.run(), name="telegram-fake-webhook")
        return self

    async def stop(self) -> None:
        self._server.close()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramFake:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- where the bot connects ----------------------------------------------------------

    @property
    def api_root(self) -> str:
        """``http://127.0.0.1:PORT``, the value for TELEGRAM_API_URL."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.api_root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_root}/file/bot"

    def bot_kwargs(self) -> dict[str, Any]:
        """``telegram.Bot(**tg.bot_kwargs())`` talks to this emulator."""
        return {"token": self.token, "base_url": self.base_url, "base_file_url": self.base_file_url}

    # --- people --------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> FakeUser:
        """The person with this id (created on first call; later calls return the same one)."""
        if user_id in self._users:
            return self._users[user_id]
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        chat = Chat(user)
        self.state.chats[user_id] = chat
        if username:
            self.state.usernames[username.lower()] = user_id
        fake_user = FakeUser(self.state, chat)
        self._users[user_id] = fake_user
        return fake_user

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    def limit_each_chat(self, per_second: int) -> None:
        """From now on, Telegram's per-chat flood control (messages and edits) at this rate."""
        self._api.flood.limit_each_chat(per_second)

    # --- what happened -------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Every Bot API call received, in order."""
        return self._server.requests

    def calls(self, method: str, *, ok: bool | None = None) -> list[RequestRecord]:
        """Logged calls of ``method`` (case-insensitive); ``ok=True`` keeps only successes."""
        wanted = method.lower()
        return [
            r
            for r in self._server.requests
            if r.method.lower() == wanted and (ok is None or r.ok == ok)
        ]

    @property
    def uploads(self) -> int:
        """Photos/documents received as multipart uploads and stored (i.e. not sent by file_id)."""
        return self._api.uploads

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        return len(self.state.updates)

    @property
    def confirmed_updates(self) -> list[int]:
        """Ids of the updates the bot confirmed (a later getUpdates offset, or a 2xx answer to
        the webhook), in that order: Telegram will not send them again."""
        return list(self.state.updates.confirmed)

    @property
    def webhook_info(self) -> JSON:
        return self.state.webhook.info(len(self.state.updates))

    def commands(self, language_code: str = "", scope: JSON | None = None) -> list[dict[str, str]]:
        """What setMyCommands registered for this scope/language (default scope, no language)."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self.state.commands.get(key, []))
