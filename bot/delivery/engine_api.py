"""The one way the reminder engine sends anything to Telegram: `EngineApi`.

Prompts (a photo with its caption and the answer buttons, or a photo then a text for a long
card) and follow-ups (a text in reply to the prompt) go through it, and so must any new kind of
message the engine sends (alerts, digests): a `send_*` method here, and a body from
bot.delivery.json_bodies. Its speed tricks, all measured (benchmarks/README.md), are these:

* **One call, without `Bot`'s generic layers.** `post` makes the call `ExtBot._do_post` makes,
  with the same two objects: the bot's rate limiter (`process_request`: pacing, the 429
  retries) and its request object (`BaseRequest.post`: python-telegram-bot's error mapping to
  `Forbidden`, `BadRequest`, `RetryAfter`, `InvalidToken`, `TimedOut`, `NetworkError`, and the
  answer's `result`). Both are this project's own implementations of python-telegram-bot's
  interfaces (bot.delivery.rate_limit, bot.delivery.aiohttp_request), so the contract they are
  used by is one we hold. `Bot.do_api_request`, the generic way, cost ~15 % more per prompt: a
  warning raised and filtered on every call, defaults inserted, each parameter wrapped and then
  JSON-encoded again.
* **Answers read raw.** Only `message_id` (and after an upload the photo's `file_id`) is read;
  building a `Message` with its `User`, `Chat`, `PhotoSize`s and echoed keyboard from each
  answer was ~25 % of the bot's CPU per reminder at Telegram's rate.
* **Bodies pre-encoded** (bot.delivery.json_bodies): a message's fields (a stretch's caption,
  file_id, a follow-up's text) are JSON-encoded once and reused; the answer keyboard is cut once
  from the view around the delivery id; only the chat id and per-message ids are put in per
  call. The views stay the source of truth (the keyboard template is checked against them).
* **Pictures uploaded once** (bot.delivery.picture_uploads): sent by the file_id Telegram
  returned, kept in the database; the one upload per picture takes plain `Bot.send_photo`
  (`Bot.send_animation` for a stretch's animation, stored the same way by content hash).

Nothing else of the engine calls `Bot` methods. Errors reach the caller as python-telegram-bot's
exceptions, exactly as `Bot.send_photo` / `send_message` would raise them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Literal

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseRateLimiter, ExtBot

from bot.delivery.aiohttp_request import AiohttpRequest, JsonBody
from bot.delivery.json_bodies import Fields, json_body, reply_to_json
from bot.delivery.picture_uploads import PictureUploads

log = logging.getLogger(__name__)

HTML = ParseMode.HTML.value
MediaKind = Literal["photo", "animation"]
_ENDPOINTS: dict[MediaKind, str] = {"photo": "sendPhoto", "animation": "sendAnimation"}


class EngineApi:
    """`paid_broadcast` (PAID_BROADCAST): every message carries allow_paid_broadcast, and the
    rate limiter is told so (it paces them at the paid rate)."""

    def __init__(self, bot: Bot, pictures: PictureUploads, *, paid_broadcast: bool = False) -> None:
        request = bot.request
        if not isinstance(request, AiohttpRequest):
            # Another transport would send a JsonBody as a request without parameters.
            raise TypeError(f"the engine needs an AiohttpRequest, not {type(request).__name__}")
        self._bot = bot
        self._request = request
        self._limiter: BaseRateLimiter[Any] | None = (
            bot.rate_limiter if isinstance(bot, ExtBot) else None
        )
        self._pictures = pictures
        self._paid: Fields = (("allow_paid_broadcast", True),) if paid_broadcast else ()
        self._limited: dict[str, Any] = {"allow_paid_broadcast": True} if paid_broadcast else {}

    # -- what the engine sends --------------------------------------------------------------

    async def send_photo(
        self,
        chat_id: int,
        picture: Path,
        caption_html: str,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> int:
        """The picture with an HTML caption: by file_id when Telegram has it, else uploaded
        (once: bot.delivery.picture_uploads); `reply_markup` as JSON (bot.delivery.json_bodies).
        Returns the message id."""
        return await self._send_media(
            "photo", chat_id, picture, caption_html, reply_markup, **timeouts
        )

    async def send_animation(
        self,
        chat_id: int,
        animation: Path,
        caption_html: str,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> int:
        """The stretch in motion (a GIF or silent MP4), as `send_photo` sends a picture."""
        return await self._send_media(
            "animation", chat_id, animation, caption_html, reply_markup, **timeouts
        )

    async def _send_media(
        self,
        kind: MediaKind,
        chat_id: int,
        picture: Path,
        caption_html: str,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> int:
        fields: Fields = (("caption", caption_html), ("parse_mode", HTML), *self._paid)
        pictures = self._pictures
        key, file_id = await pictures.known(picture)
        if file_id is None:
            async with pictures.lock(key):
                file_id = pictures.file_id(key) or await pictures.uploaded_elsewhere(key)
                if file_id is None:
                    return await self._upload(
                        kind, chat_id, picture, key, fields, reply_markup, **timeouts
                    )
        try:
            return await self._by_file_id(kind, chat_id, file_id, fields, reply_markup, **timeouts)
        except BadRequest as error:
            if "file identifier" not in str(error).lower():
                raise
            # Telegram no longer knows this file_id (e.g. the bot's token changed): upload anew.
            log.warning("stored file_id refused; uploading again", extra={"picture": picture.name})
            async with pictures.lock(key):
                if pictures.forget(key, file_id) or (file_id := pictures.file_id(key)) is None:
                    return await self._upload(
                        kind, chat_id, picture, key, fields, reply_markup, **timeouts
                    )
            return await self._by_file_id(kind, chat_id, file_id, fields, reply_markup, **timeouts)

    async def send_message(
        self,
        chat_id: int,
        text_html: str,
        *,
        reply_markup: bytes | None = None,
        reply_to: int | None = None,
        **timeouts: Any,
    ) -> int:
        """An HTML text; `reply_markup` as JSON; `reply_to`: a message it answers (sent all the
        same if that message is gone). Returns the message id."""
        body = json_body(
            chat_id,
            (("text", text_html), ("parse_mode", HTML), *self._paid),
            reply_markup,
            reply_parameters=None if reply_to is None else reply_to_json(reply_to),
        )
        answer = await self.post("sendMessage", body, chat_id, **timeouts)
        return int(answer["message_id"])

    # -- the calls ---------------------------------------------------------------------------

    async def _by_file_id(
        self,
        kind: MediaKind,
        chat_id: int,
        file_id: str,
        fields: Fields,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> int:
        body = json_body(chat_id, ((kind, file_id), *fields), reply_markup)
        answer = await self.post(_ENDPOINTS[kind], body, chat_id, **timeouts)
        return int(answer["message_id"])

    async def _upload(
        self,
        kind: MediaKind,
        chat_id: int,
        picture: Path,
        key: str,
        fields: Fields,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> int:
        """sendPhoto / sendAnimation with the file (once per picture, so python-telegram-bot's
        own methods); the file_id Telegram returns is kept for every later send."""
        data = await self._pictures.content(picture)
        markup = (
            None
            if reply_markup is None
            else InlineKeyboardMarkup.de_json(json.loads(reply_markup), self._bot)
        )
        named: dict[str, Any] = dict(fields)  # caption, parse_mode
        upload = InputFile(data, filename=picture.name)
        if kind == "animation":
            message = await self._bot.send_animation(
                chat_id, upload, reply_markup=markup, **named, **timeouts
            )
            if message.animation is None:
                raise BadRequest("the animation came back as another kind of message")
            file_id = message.animation.file_id
        else:
            message = await self._bot.send_photo(
                chat_id, upload, reply_markup=markup, **named, **timeouts
            )
            file_id = message.photo[-1].file_id  # the largest size
        await self._pictures.uploaded(picture, key, file_id)
        return message.message_id

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
            data={"chat_id": chat_id, **self._limited},
            rate_limit_args=None,
        )
