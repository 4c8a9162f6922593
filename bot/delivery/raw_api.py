"""The engine's Bot API calls, answered as raw JSON and sent without `Bot`'s generic layers.

Why: at Telegram's rate, building a `Message` (with its `User`, `Chat`, `PhotoSize`s and the
echoed `InlineKeyboardMarkup`) from each sendPhoto answer, and `InlineKeyboardButton` objects for
each request, were ~25 % of the bot's CPU per reminder (benchmarks/README.md), while the engine
needs two fields of the answer: `message_id` and, after an upload, the photo's `file_id`. The
generic way to a raw answer, `Bot.do_api_request`, cost ~15 % more per prompt: a warning
raised and filtered on every call ("Please use 'Bot.sendPhoto'"), defaults inserted, rate-limit
arguments extracted, each parameter wrapped and then JSON-encoded again, although a prompt's
body differs from the last one of the same stretch only by the chat and the delivery id.

`RawBotApi.post` makes the call `ExtBot._do_post` makes, with the same two objects, and a body
encoded by the caller (bot.delivery.prompt_body): the bot's rate limiter (`process_request`:
pacing and the 429 retries) and its request object (`post`: `BaseRequest`'s error mapping to
`Forbidden`, `BadRequest`, `RetryAfter`, `InvalidToken`, `TimedOut`, `NetworkError`, and the
answer's `result`). Both are this project's own implementations of python-telegram-bot's
interfaces (bot.delivery.rate_limit, bot.delivery.aiohttp_request), so the contract they are
used by is one we hold. Uploads (a file, once per picture) take `Bot.send_photo`.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.ext import BaseRateLimiter, ExtBot

from bot.delivery.aiohttp_request import AiohttpRequest, JsonBody


class RawBotApi:
    """`paid_broadcast`: the bodies posted carry allow_paid_broadcast (the caller encodes it);
    the rate limiter is told so, and paces them at the paid rate."""

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False) -> None:
        request = bot.request
        if not isinstance(request, AiohttpRequest):
            # Another transport would send a JsonBody as a request without parameters.
            raise TypeError(f"the engine needs an AiohttpRequest, not {type(request).__name__}")
        self._bot = bot
        self._request = request
        self._limiter: BaseRateLimiter[Any] | None = (
            bot.rate_limiter if isinstance(bot, ExtBot) else None
        )
        self._paid_broadcast = paid_broadcast

    async def post(self, endpoint: str, body: bytes, chat_id: int, **timeouts: Any) -> Any:
        """POST the JSON `body` (its own "chat_id" is `chat_id`, which the rate limiter reads) to
        `endpoint` ("sendPhoto", "sendMessage"); `timeouts` as `BaseRequest.post` takes them.
        Returns Telegram's `result` as parsed JSON."""
        args = (f"{self._bot.base_url}/{endpoint}", JsonBody(body))
        if self._limiter is None:
            return await self._request.post(*args, **timeouts)
        return await self._limiter.process_request(
            callback=self._request.post,
            args=args,
            kwargs=timeouts,
            endpoint=endpoint,
            data={"chat_id": chat_id, "allow_paid_broadcast": True}
            if self._paid_broadcast
            else {"chat_id": chat_id},
            rate_limit_args=None,
        )

    async def upload_photo(
        self,
        chat_id: int,
        photo: InputFile,
        fields: dict[str, Any],
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> dict[str, Any]:
        """sendPhoto with a file to upload (once per picture, so python-telegram-bot's own
        `send_photo`); `fields` as the Bot API names them (caption, parse_mode), `reply_markup`
        as JSON. Returns Telegram's answer as a dict, like `post`."""
        markup = (
            None
            if reply_markup is None
            else InlineKeyboardMarkup.de_json(json.loads(reply_markup), self._bot)
        )
        message = await self._bot.send_photo(
            chat_id, photo, reply_markup=markup, **fields, **timeouts
        )
        return message.to_dict()
