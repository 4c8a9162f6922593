"""JSON bodies of the engine's requests, from parts encoded once (see bot.delivery.engine_api).

A prompt's sendPhoto body differs from the last one of the same stretch only by the chat id and
the delivery id in the buttons' callback data; the photo's file_id, the ~1 kB HTML caption and
the rest are the same. Encoding them once per stretch, not once per reminder, and cutting the
answer keyboard once from the view, keeps JSON encoding and python-telegram-bot's per-parameter
objects off the hot path (benchmarks/README.md). The view stays the source of truth: the
keyboard template is checked against `answer_keyboard()` at start, and a shape it cannot
template is encoded from the view every time.
"""

from __future__ import annotations

import json
from functools import lru_cache

from bot.views.prompt import EVERY_ANSWER, PromptButtons, answer_keyboard

Fields = tuple[tuple[str, str | int], ...]


def json_body(
    chat_id: int,
    fields: Fields,
    reply_markup: bytes | None = None,
    *,
    reply_parameters: bytes | None = None,
) -> bytes:
    """`{"chat_id": chat_id, **dict(fields), "reply_markup": <reply_markup>,
    "reply_parameters": <reply_parameters>}` as JSON bytes (the last two only if given, and
    already JSON)."""
    parts = [b'{"chat_id":', str(chat_id).encode(), b",", _encoded(fields)]
    if reply_markup is not None:
        parts += [b',"reply_markup":', reply_markup]
    if reply_parameters is not None:
        parts += [b',"reply_parameters":', reply_parameters]
    parts.append(b"}")
    return b"".join(parts)


def reply_to_json(message_id: int) -> bytes:
    """ReplyParameters for an answer to `message_id`, sent even if that message is gone."""
    return b'{"message_id":%d,"allow_sending_without_reply":true}' % message_id


@lru_cache(maxsize=512)  # a few per stretch (file_id, caption): the pack has 14 stretches
def _encoded(fields: Fields) -> bytes:
    encoded = json.dumps(dict(fields), separators=(",", ":")).encode()
    return encoded[1:-1]  # the members, without the braces


class AnswerKeyboardJson:
    """`answer_keyboard(delivery_id, buttons)` as the Bot API's JSON, without building
    python-telegram-bot objects per prompt: the view's JSON for a sample id is cut once per
    keyboard shape (which optional buttons it has) into the parts around that id."""

    _SAMPLE = 918_273_645  # an id no button text or other callback data contains

    def __init__(self) -> None:
        self._parts: dict[PromptButtons, list[bytes] | None] = {}

    def _template(self, buttons: PromptButtons) -> list[bytes] | None:
        if buttons not in self._parts:
            parts = self._from_view(self._SAMPLE, buttons).split(str(self._SAMPLE).encode())
            check = 271_828
            made = json.loads(str(check).encode().join(parts))
            # If the id also stands somewhere else, the cut is wrong: ask the view every time.
            good = made == answer_keyboard(check, buttons).to_dict()
            self._parts[buttons] = parts if good else None
        return self._parts[buttons]

    @staticmethod
    def _from_view(delivery_id: int, buttons: PromptButtons) -> bytes:
        keyboard = answer_keyboard(delivery_id, buttons)
        return json.dumps(keyboard.to_dict(), separators=(",", ":")).encode()

    def templated(self, buttons: PromptButtons = EVERY_ANSWER) -> bool:
        return self._template(buttons) is not None

    def __call__(self, delivery_id: int, buttons: PromptButtons = EVERY_ANSWER) -> bytes:
        parts = self._template(buttons)
        if parts is None:
            return self._from_view(delivery_id, buttons)
        return str(delivery_id).encode().join(parts)
