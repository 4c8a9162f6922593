"""Bot API calls whose answer is used as the raw JSON dict, not as python-telegram-bot objects.

Why: at Telegram's rate, building a `Message` (with its `User`, `Chat`, `PhotoSize`s and the
echoed `InlineKeyboardMarkup`) from each sendPhoto answer, and `InlineKeyboardButton` objects for
each request, were ~25 % of the bot's CPU per reminder (benchmarks/README.md), while the engine
needs two fields of the answer: `message_id` and, after an upload, the photo's `file_id`.

`Bot.do_api_request` is python-telegram-bot's public way to do that: the call still goes through
`ExtBot._do_post`, i.e. the rate limiter (pacing, 429 retries), the request object (aiohttp) and
`BaseRequest`'s error mapping (`Forbidden`, `BadRequest`, `RetryAfter`, `TimedOut`,
`NetworkError`), exactly as `send_photo` does.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot
from telegram.error import EndPointNotFound, InvalidToken
from telegram.warnings import PTBUserWarning

# do_api_request warns when the endpoint has a Bot method ("Please use 'Bot.sendPhoto'");
# using it for these is deliberate (see above), so that one warning is silenced, nothing else.
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendPhoto|sendMessage)' instead",
    category=PTBUserWarning,
)


async def call(bot: Bot, endpoint: str, params: dict[str, Any], **timeouts: Any) -> Any:
    """`endpoint` ("sendPhoto", "sendMessage") with `params` as the Bot API names them (values
    as python-telegram-bot accepts them: str, int, dicts, an `InputFile` to upload); returns
    Telegram's `result` as parsed JSON."""
    try:
        return await bot.do_api_request(endpoint, api_kwargs=params, **timeouts)
    except EndPointNotFound as error:
        # do_api_request turns a 401/404 into EndPointNotFound (meant for unknown endpoints);
        # these endpoints exist, so it is the token: raise what send_photo would have raised.
        if isinstance(error.__cause__, InvalidToken):
            raise error.__cause__ from None
        raise
