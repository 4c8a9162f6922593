"""The engine's Bot API calls, answered as raw JSON and sent without `Bot`'s generic layers.

Why: at Telegram's rate, building a `Message` (with its `User`, `Chat`, `PhotoSize`s and the
echoed `InlineKeyboardMarkup`) from each sendPhoto answer, and `InlineKeyboardButton` objects for
each request, were ~25 % of the bot's CPU per reminder (benchmarks/README.md), while the engine
needs two fields of the answer: `message_id` and, after an upload, the photo's `file_id`. The
generic way to a raw answer, `Bot.do_api_request`, still cost ~15 % more per prompt: a warning
raised and filtered on every call ("Please use 'Bot.sendPhoto'"), defaults inserted, rate-limit
arguments extracted, each parameter wrapped and then JSON-encoded again, although a prompt's
body differs from the last one of the same stretch only by the chat and the delivery id.

`RawBotApi.post` makes the call `ExtBot._do_post` makes, with the same two objects, and a body
encoded by the caller (bot.delivery.prompt_body): the bot's rate limiter (`process_request`:
pacing and the 429 retries) and its request object (`post`: `BaseRequest`'s error mapping to
`Forbidden`, `BadRequest`, `RetryAfter`, `InvalidToken`, `TimedOut`, `NetworkError`, and the
answer's `result`). Both are this project's own implementations of python-telegram-bot's
interfaces (bot.delivery.rate_limit, bot.delivery.aiohttp_request), so the contract they are
used by is one we hold. Uploads (a file, once per picture) take `Bot.do_api_request`.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot
from telegram.error import EndPointNotFound, InvalidToken
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.warnings import PTBUserWarning

from bot.delivery.aiohttp_request import AiohttpRequest, JsonBody

# do_api_request warns when the endpoint has a Bot method ("Please use 'Bot.sendPhoto'");
# using it for uploads is deliberate (see above), so that one warning is silenced, nothing else.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.sendPhoto' instead", category=PTBUserWarning
)


class RawBotApi:
    def __init__(self, bot: Bot) -> None:
        request = bot.request
        if not isinstance(request, AiohttpRequest):
            # Another transport would send a JsonBody as a request without parameters.
            raise TypeError(f"the engine needs an AiohttpRequest, not {type(request).__name__}")
        self._bot = bot
        self._request = request
        self._limiter: BaseRateLimiter[Any] | None = (
            bot.rate_limiter if isinstance(bot, ExtBot) else None
        )
        self._urls: dict[str, str] = {}

    async def post(self, endpoint: str, body: bytes, chat_id: int, **timeouts: Any) -> Any:
        """POST the JSON `body` (its own "chat_id" is `chat_id`, which the rate limiter reads) to
        `endpoint` ("sendPhoto", "sendMessage"); `timeouts` as `BaseRequest.post` takes them.
        Returns Telegram's `result` as parsed JSON."""
        url = self._urls.get(endpoint)
        if url is None:
            url = self._urls[endpoint] = f"{self._bot.base_url}/{endpoint}"
        args = (url, JsonBody(body))
        if self._limiter is None:
            return await self._request.post(*args, **timeouts)
        return await self._limiter.process_request(
            callback=self._request.post,
            args=args,
            kwargs=timeouts,
            endpoint=endpoint,
            data={"chat_id": chat_id},
            rate_limit_args=None,
        )

    async def upload(self, endpoint: str, params: dict[str, Any], **timeouts: Any) -> Any:
        """`endpoint` with `params` as the Bot API names them, an `InputFile` among them;
        returns Telegram's `result` as parsed JSON."""
        try:
            return await self._bot.do_api_request(endpoint, api_kwargs=params, **timeouts)
        except EndPointNotFound as error:
            # do_api_request turns a 401/404 into EndPointNotFound (meant for unknown endpoints);
            # these endpoints exist, so it is the token: raise what send_photo would have raised.
            if isinstance(error.__cause__, InvalidToken):
                raise error.__cause__ from None
            raise
