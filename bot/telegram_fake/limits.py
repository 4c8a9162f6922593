"""Telegram's limits: message sizes, keyboards, commands and flood control.

Every check raises the ``ApiError`` Telegram would answer with, so code that is only ever
tested here still cannot exceed what the real API accepts.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from bot.telegram_fake.errors import ApiError
from bot.telegram_html import EntityParseError, ParsedText, parse_html, utf16_length

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100
# Fields of an inline button that do not say what pressing it does.
_BUTTON_DECORATIONS = frozenset({"text", "style", "icon_custom_emoji_id"})
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)


def formatted(
    raw: str,
    parse_mode: str | None,
    explicit_entities: Any,
    *,
    strict_ampersand: bool,
) -> ParsedText:
    """Apply ``parse_mode`` (or explicit entities) the way Telegram does before any length check."""
    if parse_mode:
        mode = parse_mode.strip().lower()
        if mode == "html":
            try:
                return parse_html(raw, strict_ampersand=strict_ampersand)
            except EntityParseError as err:
                raise ApiError.bad_request(f"can't parse entities: {err}") from None
        if mode in ("markdown", "markdownv2"):
            # Not emulated: failing loudly beats pretending the markup was parsed.
            raise ApiError.bad_request(f"parse_mode {parse_mode} is not supported by the emulator")
        raise ApiError.bad_request(f"unsupported parse_mode {parse_mode!r}")
    return ParsedText(raw, check_entities(raw, explicit_entities))


def check_entities(text: str, entities: Any) -> list[dict[str, Any]]:
    if entities is None:
        return []
    if not isinstance(entities, list):
        raise ApiError.bad_request("can't parse entities JSON object")
    size = utf16_length(text)
    checked: list[dict[str, Any]] = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") not in _ENTITY_TYPES:
            raise ApiError.bad_request("can't parse MessageEntity: unknown entity type")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 0:
            raise ApiError.bad_request("can't parse MessageEntity: bad offset or length")
        if length and offset + length <= size:
            checked.append(dict(entity))
    return checked


def check_text(parsed: ParsedText) -> None:
    if not parsed.text.strip():
        raise ApiError.bad_request("message text is empty")
    if utf16_length(parsed.text) > MAX_TEXT:
        raise ApiError.bad_request("message is too long")


def check_caption(parsed: ParsedText) -> None:
    if utf16_length(parsed.text) > MAX_CAPTION:
        raise ApiError.bad_request("message caption is too long")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate any of the four reply_markup kinds; returns it unchanged."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    elif not (markup.get("remove_keyboard") is True or markup.get("force_reply") is True):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _rows(rows: Any, what: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request(f'field "{what}" must be an Array of Array')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise ApiError.bad_request("reply markup is too long")
    return rows


def _check_inline_keyboard(rows: Any) -> None:
    for row in _rows(rows, "inline_keyboard"):
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: Text must be a String"
                )
            if not button["text"].strip():
                raise ApiError.bad_request("text buttons are unallowed in the inline keyboard")
            actions = [key for key in button if key not in _BUTTON_DECORATIONS]
            if not actions:
                raise ApiError.bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not (
                    1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise ApiError.bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url):
                    raise ApiError.bad_request("BUTTON_URL_INVALID")


def _check_reply_keyboard(rows: Any) -> None:
    for row in _rows(rows, "keyboard"):
        for button in row:
            text = (
                button
                if isinstance(button, str)
                else (button.get("text") if isinstance(button, dict) else None)
            )
            if not isinstance(text, str) or not text:
                raise ApiError.bad_request("can't parse keyboard button: Text must be a String")


def check_callback_answer(text: str | None) -> None:
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise ApiError.bad_request("MESSAGE_TOO_LONG")


def check_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError.bad_request("can't parse commands JSON object")
    checked: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise ApiError.bad_request("can't parse BotCommand")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
            raise ApiError.bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name, "description": description})
    return checked


def check_secret_token(secret: str | None) -> None:
    if secret is not None and not _SECRET_TOKEN_RE.fullmatch(secret):
        raise ApiError.bad_request("secret token contains unallowed characters")


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds for each key; O(1) amortised per check."""

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[Hashable, deque[float]] = {}

    def retry_after(self, key: Hashable = None) -> int:
        """0 if one more event is allowed now, else whole seconds to wait (Telegram rounds up)."""
        events = self._events.get(key)
        if not events:
            return 0
        now = self._clock()
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) < self.limit:
            return 0
        return max(1, math.ceil(events[0] + self.window - now))

    def record(self, key: Hashable = None) -> None:
        self._events.setdefault(key, deque()).append(self._clock())


PAID_BROADCAST_PER_SECOND = 1000  # with allow_paid_broadcast (sendMessage, sendPhoto, ...)


class FloodControl:
    """Telegram's sending limits: per bot, optionally per chat; each is off unless configured.

    Windows are strict: at most ``per_second`` sends in any 1 s (no slack for jitter). A send
    with ``allow_paid_broadcast`` ignores the per-bot limit and counts against
    ``paid_per_second`` instead (Telegram: 1000/s); every send counts there, so the two together
    never exceed it. With ``penalty`` (Telegram's behaviour), a 429 closes its scope (the bot,
    the paid broadcasts, or the chat) until its retry_after has passed: every send in that scope
    is refused meanwhile, even one the window alone would allow.
    """

    def __init__(
        self,
        per_second: int | None = None,
        per_chat_per_second: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        paid_per_second: int | None = None,
        penalty: bool = True,
    ) -> None:
        self._clock = clock
        self._overall = SlidingWindow(per_second, clock=clock) if per_second else None
        self._paid = SlidingWindow(paid_per_second, clock=clock) if paid_per_second else None
        self._per_chat = (
            SlidingWindow(per_chat_per_second, clock=clock) if per_chat_per_second else None
        )
        self._penalty = penalty
        self._closed_until: dict[Hashable, float] = {}  # scope -> when it opens again

    def _scopes(self, chat_id: int | None, paid: bool) -> list[tuple[Hashable, SlidingWindow]]:
        scopes: list[tuple[Hashable, SlidingWindow]] = []
        if self._overall and not paid:
            scopes.append(("bot", self._overall))
        if self._paid:
            scopes.append(("paid", self._paid))
        if self._per_chat and chat_id is not None:
            scopes.append((("chat", chat_id), self._per_chat))
        return scopes

    def check(self, chat_id: int | None, *, paid: bool = False) -> None:
        self._check(self._scopes(chat_id, paid))

    def _check(self, scopes: list[tuple[Hashable, SlidingWindow]]) -> None:
        now = self._clock()
        for scope, window in scopes:
            closed_until = self._closed_until.get(scope, 0.0)
            wait = (
                max(1, math.ceil(closed_until - now))
                if closed_until > now
                else window.retry_after(scope)
            )
            if wait:
                if self._penalty and closed_until <= now:
                    self._closed_until[scope] = now + wait
                raise ApiError.too_many_requests(wait)

    def record(self, chat_id: int | None, *, paid: bool = False) -> None:
        for scope, window in self._scopes(chat_id, paid):
            window.record(scope)

    def limit_each_chat(self, per_second: int) -> None:
        self._per_chat = SlidingWindow(per_second, clock=self._clock)

    def check_chat(self, chat_id: int) -> None:
        """The chat's limit alone (edits count there, not toward the bot's overall rate)."""
        if self._per_chat:
            self._check([(("chat", chat_id), self._per_chat)])

    def record_chat(self, chat_id: int) -> None:
        if self._per_chat:
            self._per_chat.record(("chat", chat_id))
