"""The user side: simulated people who write to the bot, press its buttons and read its replies.

Reading is awaitable and event-driven: ``next_message``/``wait_for``/``press`` sleep until
the bot's request arrives, never poll.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.telegram_fake.state import JSON, Chat, FakeState, PendingCallback, StoredMessage
from bot.telegram_html import render_html, utf16_length

DEFAULT_TIMEOUT = 5.0
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


@dataclass(frozen=True)
class Button:
    label: str
    data: str | None = None  # callback_data
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot said in answerCallbackQuery (the toast or alert the user sees)."""

    text: str | None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = 0


class ChatMessage:
    """A live view of one message in a chat: edits and deletion show up as they happen."""

    def __init__(self, stored: StoredMessage, chat: Chat, state: FakeState) -> None:
        self._stored = stored
        self._chat = chat
        self._state = state

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else "user"
        body = self.text if self.text is not None else (self.caption or self.kind)
        flags = " edited" if self.edited else ""
        flags += " deleted" if self.deleted else ""
        return f"<ChatMessage #{self.message_id} {who}{flags}: {body!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChatMessage) and other._stored is self._stored

    def __hash__(self) -> int:
        return id(self._stored)

    @property
    def data(self) -> JSON:
        """The Bot API Message object as Telegram currently holds it."""
        return self._stored.data

    @property
    def message_id(self) -> int:
        return self._stored.message_id

    @property
    def from_bot(self) -> bool:
        return self._stored.from_bot

    @property
    def kind(self) -> str:
        for kind in ("text", "photo", "animation", "document", "location"):
            if kind in self.data:
                return kind
        return "other"

    @property
    def text(self) -> str | None:
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.data.get("text") or self.data.get("caption") or ""

    @property
    def entities(self) -> list[JSON]:
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def html(self) -> str:
        """Text or caption back as canonical Telegram HTML (``<b>``, ``<i>``, ``<a href>``...)."""
        return render_html(self.content, self.entities)

    @property
    def photo(self) -> list[JSON] | None:
        return self.data.get("photo")

    @property
    def photo_file_id(self) -> str | None:
        """The largest size's file_id, what a bot would store for reuse."""
        return self.photo[-1]["file_id"] if self.photo else None

    @property
    def file_path(self) -> str | None:
        """Where the attached photo/document can be downloaded (relative to the file URL)."""
        file_id = self.photo_file_id or (self.document or {}).get("file_id")
        stored = self._state.files.get(file_id) if file_id else None
        return stored.file_path if stored else None

    @property
    def file_bytes(self) -> bytes | None:
        """The uploaded bytes of the attached photo or document."""
        file_id = self.photo_file_id or (self.document or {}).get("file_id")
        stored = self._state.files.get(file_id) if file_id else None
        return stored.data if stored else None

    @property
    def photo_bytes(self) -> bytes | None:
        return self.file_bytes if self.photo else None

    @property
    def document(self) -> JSON | None:
        return self.data.get("document")

    @property
    def animation(self) -> JSON | None:
        return self.data.get("animation")

    @property
    def location(self) -> tuple[float, float] | None:
        location = self.data.get("location")
        return (location["latitude"], location["longitude"]) if location else None

    @property
    def buttons(self) -> list[list[Button]]:
        markup = self.data.get("reply_markup") or {}
        return [
            [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]

    @property
    def button_labels(self) -> list[list[str]]:
        return [[button.label for button in row] for row in self.buttons]

    def button(self, label: str) -> Button:
        for row in self.buttons:
            for button in row:
                if button.label == label:
                    return button
        raise LookupError(f"no button {label!r} on {self!r}; buttons: {self.button_labels}")

    @property
    def edited(self) -> bool:
        return self._stored.edit_count > 0

    @property
    def edit_count(self) -> int:
        return self._stored.edit_count

    @property
    def deleted(self) -> bool:
        return self._stored.deleted

    @property
    def reply_to(self) -> ChatMessage | None:
        replied = self.data.get("reply_to_message")
        if not replied:
            return None
        stored = self._chat.messages.get(replied["message_id"])
        return ChatMessage(stored, self._chat, self._state) if stored else None


class FakeUser:
    """One person in a private chat with the bot (chat id == user id)."""

    def __init__(self, state: FakeState, chat: Chat) -> None:
        self._state = state
        self._chat = chat
        self._cursor = 0  # how many bot messages next_message() has handed out

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.user['first_name']!r}>"

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def user(self) -> JSON:
        """The Bot API User object the bot sees in updates from this person."""
        return self._chat.user

    # --- what the user does ---------------------------------------------------------------

    def _view(self, stored: StoredMessage) -> ChatMessage:
        return ChatMessage(stored, self._chat, self._state)

    async def _post(self, content: JSON, reply_to: ChatMessage | int | None = None) -> ChatMessage:
        if self._chat.deactivated:
            raise RuntimeError(f"{self!r} is deactivated and cannot write")
        self._chat.blocked = False  # writing to a bot you blocked means you unblocked it
        if reply_to is not None:
            message_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
            target = self._chat.get(message_id)
            if target is None:
                raise LookupError(f"no message {message_id} to reply to")
            content["reply_to_message"] = {
                k: v for k, v in target.data.items() if k != "reply_to_message"
            }
        stored = self._chat.add_message(self.user, content, from_bot=False)
        self._state.updates.push("message", stored.data)
        await asyncio.sleep(0)  # let the server hand it to a waiting long poll
        return self._view(stored)

    async def send(
        self,
        text: str,
        *,
        reply_to: ChatMessage | int | None = None,
        entities: list[JSON] | None = None,
    ) -> ChatMessage:
        """Type a message; ``/commands`` get bot_command entities, as Telegram adds them."""
        if entities is None:
            entities = [
                {
                    "type": "bot_command",
                    "offset": utf16_length(text[: m.start()]),
                    "length": utf16_length(m.group()),
                }
                for m in _COMMAND_RE.finditer(text)
            ]
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return await self._post(content, reply_to)

    async def reply_to(self, message: ChatMessage | int, text: str) -> ChatMessage:
        return await self.send(text, reply_to=message)

    async def share_location(self, latitude: float, longitude: float) -> ChatMessage:
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}})

    async def press(
        self,
        label: str,
        message: ChatMessage | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (test-facing API)
    ) -> CallbackAnswer:
        """Press the inline button ``label`` (default: on the latest message with a keyboard)
        and return the bot's answerCallbackQuery; TimeoutError if the bot never answers."""
        if message is None:
            message = self.last_message_with_buttons
            if message is None:
                raise LookupError(f"{self!r} has no message with inline buttons")
        button = message.button(label)
        if button.data is None:
            raise ValueError(f"button {label!r} has no callback_data (url={button.url!r})")
        return await self.press_data(message, button.data, timeout=timeout)

    async def press_data(
        self,
        message: ChatMessage | None,
        data: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (test-facing API)
    ) -> CallbackAnswer:
        """Send a callback query with any ``data`` (stale or forged, as a modified client can)."""
        if message is None:
            message = self.last_message_with_buttons or self.last_bot_message
            if message is None:
                raise LookupError(f"{self!r} has no bot message to press on")
        query_id = self._state.new_callback_id()
        answer: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._state.callbacks[query_id] = PendingCallback(self.chat_id, answer)
        self._state.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.user,
                "message": message.data,
                "chat_instance": f"-{self.chat_id}77",
                "data": data,
            },
        )
        try:
            async with asyncio.timeout(timeout):
                result = await asyncio.shield(answer)
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not answer the callback query {data!r} within {timeout} s"
            ) from None
        return CallbackAnswer(**result)

    def block(self) -> None:
        """Block the bot: from now on anything it sends here fails with 403."""
        self._chat.blocked = True

    def unblock(self) -> None:
        self._chat.blocked = False

    def deactivate(self) -> None:
        """Delete the account: sends fail with 403 "user is deactivated"."""
        self._chat.deactivated = True

    # --- what the user sees ---------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """The chat as the user sees it now: both directions, edits applied, deletions gone."""
        return [self._view(m) for m in self._chat.messages.values() if not m.deleted]

    @property
    def bot_messages(self) -> list[ChatMessage]:
        return [self._view(m) for m in self._chat.bot_messages if not m.deleted]

    @property
    def last_bot_message(self) -> ChatMessage | None:
        for stored in reversed(self._chat.bot_messages):
            if not stored.deleted:
                return self._view(stored)
        return None

    @property
    def last_message_with_buttons(self) -> ChatMessage | None:
        for stored in reversed(self._chat.bot_messages):
            if not stored.deleted and stored.data.get("reply_markup"):
                return self._view(stored)
        return None

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the custom (reply) keyboard currently shown, if any."""
        markup = self._chat.reply_keyboard
        if markup is None:
            return None
        return [
            [button if isinstance(button, str) else button["text"] for button in row]
            for row in markup["keyboard"]
        ]

    @property
    def chat_actions(self) -> list[str]:
        """Every sendChatAction the bot made here ("typing", "upload_photo", ...)."""
        return list(self._chat.actions)

    @property
    def unread(self) -> int:
        """Bot messages not yet returned by ``next_message``."""
        return len(self._chat.bot_messages) - self._cursor

    async def next_message(
        self,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (test-facing API)
    ) -> ChatMessage:
        """The next message the bot sent here (in order, each once); waits if there is none."""

        def ready() -> ChatMessage | None:
            if self._cursor < len(self._chat.bot_messages):
                stored = self._chat.bot_messages[self._cursor]
                self._cursor += 1
                return self._view(stored)
            return None

        try:
            return await self._chat.changed.wait_until(ready, timeout)
        except TimeoutError:
            raise TimeoutError(f"{self!r} got no message from the bot within {timeout} s") from None

    async def wait_for(
        self,
        predicate: Callable[[ChatMessage], Any],
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (test-facing API)
    ) -> ChatMessage:
        """The newest bot message (edits applied) satisfying ``predicate``, waiting for new
        messages and edits until one does. Does not move the ``next_message`` cursor."""

        def match() -> ChatMessage | None:
            for stored in reversed(self._chat.bot_messages):
                if not stored.deleted:
                    view = self._view(stored)
                    if predicate(view):
                        return view
            return None

        try:
            return await self._chat.changed.wait_until(match, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no bot message for {self!r} matched within {timeout} s; "
                f"last: {self.last_bot_message!r}"
            ) from None

    async def wait_for_edit(
        self,
        message: ChatMessage,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (test-facing API)
    ) -> ChatMessage:
        """Wait until ``message`` is edited (or deleted) after this call."""
        seen = (message.edit_count, message.deleted)

        def changed() -> ChatMessage | None:
            return message if (message.edit_count, message.deleted) != seen else None

        return await self._chat.changed.wait_until(changed, timeout)
