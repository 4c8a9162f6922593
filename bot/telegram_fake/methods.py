"""The Bot API methods: validate like Telegram, change ``FakeState``, return the result object.

Transport, faults and logging live in ``server.py``; here a method is a plain async function
of its ``Params``. Sending methods run without awaiting between the flood check and the
record, so the rate limit holds under any concurrency.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot.telegram_fake.errors import WRONG_FILE_ID, ApiError
from bot.telegram_fake.limits import (
    CHAT_ACTIONS,
    FloodControl,
    check_callback_answer,
    check_caption,
    check_commands,
    check_reply_markup,
    check_secret_token,
    check_text,
    formatted,
)
from bot.telegram_fake.params import Params, Upload
from bot.telegram_fake.state import JSON, Chat, FakeState, FileKind, StoredMessage, now

Method = Callable[[Params], Awaitable[Any]]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_CALLBACK_GONE = "query is too old and response timeout expired or query ID is invalid"


class BotApi:
    def __init__(self, state: FakeState, flood: FloodControl) -> None:
        self.state = state
        self.flood = flood
        self.uploads = 0  # multipart photo/document/animation uploads that were stored
        self.closing = False
        self._poll_generation = 0
        self._methods: dict[str, Method] = {
            "getme": self.get_me,
            "getupdates": self.get_updates,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "sendmessage": self.send_message,
            "sendphoto": self.send_photo,
            "senddocument": self.send_document,
            "sendanimation": self.send_animation,
            "sendlocation": self.send_location,
            "sendchataction": self.send_chat_action,
            "getfile": self.get_file,
            "answercallbackquery": self.answer_callback_query,
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
        }

    def lookup(self, method: str) -> Method | None:
        # Telegram matches method names case-insensitively.
        return self._methods.get(method.lower())

    def chat_id_of(self, method: str, params: Params) -> int | None:
        """The chat a request concerns, for faults and the request log; None if none/unknown."""
        if method.lower() == "answercallbackquery":
            pending = self.state.callbacks.get(params.get_str("callback_query_id") or "")
            return pending.chat_id if pending else None
        raw = params.raw("chat_id")
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            text = raw.strip()
            if text.startswith("@"):
                return self.state.usernames.get(text[1:].lower())
            try:
                return int(text)
            except ValueError:
                return None
        return None

    # --- bot & updates -------------------------------------------------------------------

    async def get_me(self, params: Params) -> JSON:
        return {
            **self.state.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[JSON]:
        if self.state.webhook.url:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        updates = self.state.updates
        offset = params.get_int("offset")
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_int("timeout", 0) or 0, 0)
        allowed = params.get_json("allowed_updates")
        updates.set_allowed(allowed if isinstance(allowed, list) else None)
        updates.confirm(offset)
        # Like Telegram, a newer poll ends an older one that is still waiting.
        self._poll_generation += 1
        generation = self._poll_generation
        updates.wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = updates.peek(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self.closing:
                return batch
            await updates.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLL)

    async def set_webhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        secret = params.get_str("secret_token")
        check_secret_token(secret)
        if url and not url.startswith(("http://", "https://")):
            raise ApiError.bad_request("bad webhook: invalid webhook URL specified")
        webhook = self.state.webhook
        webhook.url = url
        webhook.secret_token = secret if url else None
        webhook.max_connections = params.get_int("max_connections", 40) or 40
        allowed = params.get_json("allowed_updates")
        webhook.allowed_updates = allowed if isinstance(allowed, list) else None
        self.state.updates.set_allowed(webhook.allowed_updates)
        webhook.last_error_date = webhook.last_error_message = None
        if params.get_bool("drop_pending_updates"):
            self.state.updates.drop_all()
        self.state.updates.wake()  # the delivery worker picks up the new URL
        return True

    async def delete_webhook(self, params: Params) -> bool:
        webhook = self.state.webhook
        webhook.url = ""
        webhook.secret_token = None
        if params.get_bool("drop_pending_updates"):
            self.state.updates.drop_all()
        self.state.updates.wake()
        return True

    async def get_webhook_info(self, params: Params) -> JSON:
        return self.state.webhook.info(len(self.state.updates))

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.get_json("scope", "scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get_str("language_code") or ""

    async def set_my_commands(self, params: Params) -> bool:
        commands = check_commands(params.get_json("commands", "commands"))
        self.state.commands[self._commands_key(params)] = commands
        return True

    async def get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return self.state.commands.get(self._commands_key(params), [])

    async def delete_my_commands(self, params: Params) -> bool:
        self.state.commands.pop(self._commands_key(params), None)
        return True

    # --- sending -------------------------------------------------------------------------

    def _target(self, params: Params) -> Chat:
        if "chat_id" not in params:
            raise ApiError.bad_request("chat_id is empty")
        chat = self.state.chat(params.raw("chat_id"))
        chat.check_reachable()
        return chat

    def _reply_target(self, chat: Chat, params: Params) -> JSON | None:
        reply = params.get_json("reply_parameters", "reply parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.get_int("reply_to_message_id")
            allow_missing = params.get_bool("allow_sending_without_reply")
        if message_id is None:
            return None
        target = chat.get(message_id) if isinstance(message_id, int) else None
        if target is None:
            if allow_missing:
                return None
            raise ApiError.bad_request("message to be replied not found")
        # Telegram nests the replied-to message one level deep only.
        return {k: v for k, v in target.data.items() if k != "reply_to_message"}

    def _markup(self, params: Params) -> JSON | None:
        return check_reply_markup(params.get_json("reply_markup", "reply keyboard markup"))

    def _deliver(
        self, chat: Chat, params: Params, content: JSON, markup: JSON | None, reply: JSON | None
    ) -> JSON:
        paid = _paid(params)
        self.flood.check(chat.id, paid=paid)
        if reply is not None:
            content["reply_to_message"] = reply
        if markup is not None:
            if "inline_keyboard" in markup:
                # Only inline keyboards belong to a message; the others change the user's UI.
                if markup["inline_keyboard"]:
                    content["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
            elif "keyboard" in markup:
                chat.reply_keyboard = markup
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        stored = chat.add_message(self.state.bot_user, content, from_bot=True)
        self.flood.record(chat.id, paid=paid)
        return stored.data

    def _caption(self, params: Params) -> JSON:
        raw = params.get_str("caption") or ""
        parsed = formatted(
            raw,
            params.get_str("parse_mode"),
            params.get_json("caption_entities", "caption entities"),
            strict_ampersand=self.state.strict_ampersand,
        )
        check_caption(parsed)
        content: JSON = {}
        if parsed.text:
            content["caption"] = parsed.text
            if parsed.entities:
                content["caption_entities"] = parsed.entities
        return content

    async def send_message(self, params: Params) -> JSON:
        chat = self._target(params)
        parsed = formatted(
            params.get_str("text") or "",
            params.get_str("parse_mode"),
            params.get_json("entities", "entities"),
            strict_ampersand=self.state.strict_ampersand,
        )
        check_text(parsed)
        content: JSON = {"text": parsed.text}
        if parsed.entities:
            content["entities"] = parsed.entities
        markup, reply = self._markup(params), self._reply_target(chat, params)
        return self._deliver(chat, params, content, markup, reply)

    def _existing_file(self, file_id: str, kind: FileKind) -> JSON | list[JSON]:
        stored = self.state.files.get(file_id.strip())
        if stored is None:
            raise ApiError.bad_request(WRONG_FILE_ID)
        if stored.kind != kind:
            raise ApiError.bad_request(
                f"can't use file of type {stored.kind.title()} as {kind.title()}"
            )
        if kind == "photo":
            return self.state.files.photo_sizes(stored.file_id)
        return stored.meta

    def _input(self, params: Params, field: str) -> Upload | str:
        given = params.input_file(field)
        if given is None:
            raise ApiError.bad_request(f"there is no {field} in the request")
        return given

    def _file(
        self, chat: Chat, params: Params, given: Upload | str, kind: FileKind
    ) -> JSON | list[JSON]:
        """The uploaded file, stored (one more upload), or the one a file_id names."""
        if not isinstance(given, Upload):
            return self._existing_file(given, kind)
        # Don't store a file for a request that will be refused.
        self.flood.check(chat.id, paid=_paid(params))
        files = self.state.files
        stored: JSON | list[JSON]
        if kind == "photo":
            stored = files.add_photo(given)
        elif kind == "document":
            stored = files.add_document(given)
        else:
            stored = files.add_animation(given)
        self.uploads += 1
        return stored

    async def _send_file(self, params: Params, kind: FileKind) -> JSON:
        chat = self._target(params)
        given = self._input(params, kind)
        content = self._caption(params)
        markup, reply = self._markup(params), self._reply_target(chat, params)
        found = self._file(chat, params, given, kind)
        content[kind] = found
        if kind == "animation":
            assert isinstance(found, dict)
            # Like Telegram: an animation message carries the same file as its document too,
            # for clients that predate animations.
            content["document"] = {
                key: found[key]
                for key in ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
            }
        return self._deliver(chat, params, content, markup, reply)

    async def send_photo(self, params: Params) -> JSON:
        return await self._send_file(params, "photo")

    async def send_document(self, params: Params) -> JSON:
        return await self._send_file(params, "document")

    async def send_animation(self, params: Params) -> JSON:
        return await self._send_file(params, "animation")

    async def send_location(self, params: Params) -> JSON:
        chat = self._target(params)
        latitude, longitude = params.get_float("latitude"), params.get_float("longitude")
        if latitude is None or longitude is None:
            raise ApiError.bad_request("wrong location specified")
        content: JSON = {"location": {"latitude": latitude, "longitude": longitude}}
        markup, reply = self._markup(params), self._reply_target(chat, params)
        return self._deliver(chat, params, content, markup, reply)

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._target(params)
        action = params.get_str("action") or ""
        if action not in CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    async def get_file(self, params: Params) -> JSON:
        stored = self.state.files.get(params.get_str("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def answer_callback_query(self, params: Params) -> bool:
        query_id = params.require_str("callback_query_id", "query_id is empty")
        pending = self.state.callbacks.get(query_id)
        if pending is None or pending.answer.done():
            raise ApiError.bad_request(_CALLBACK_GONE)
        text = params.get_str("text")
        check_callback_answer(text)
        pending.answer.set_result(
            {
                "text": text,
                "show_alert": params.get_bool("show_alert"),
                "url": params.get_str("url"),
                "cache_time": params.get_int("cache_time", 0),
            }
        )
        return True

    # --- editing -------------------------------------------------------------------------

    def _editable(self, params: Params) -> tuple[Chat, StoredMessage]:
        if "inline_message_id" in params:
            raise ApiError.bad_request("MESSAGE_ID_INVALID")  # inline mode is not emulated
        chat = self._target(params)
        message_id = params.require_int("message_id", "message identifier is not specified")
        stored = chat.get(message_id)
        if stored is None:
            raise ApiError.bad_request("message to edit not found")
        if not stored.from_bot:
            raise ApiError.bad_request("message can't be edited")
        return chat, stored

    def _inline_markup(self, params: Params) -> JSON | None:
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError.bad_request("inline keyboard expected")
        # An empty keyboard is no keyboard: Telegram returns no reply_markup for it.
        if markup is None or not markup["inline_keyboard"]:
            return None
        return {"inline_keyboard": markup["inline_keyboard"]}

    def _apply_edit(self, chat: Chat, stored: StoredMessage, changes: JSON) -> JSON:
        """Apply ``changes`` (None deletes a field) or fail the way Telegram does if no-op."""
        data = stored.data
        if all(data.get(key) == value for key, value in changes.items()):
            raise ApiError.bad_request(NOT_MODIFIED)
        # An edit is a message to the chat for flood control (Telegram answers 429 to a
        # countdown edited faster than the chat's limit), but not to the bot's overall rate.
        self.flood.check_chat(chat.id)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        data["edit_date"] = now()
        self.flood.record_chat(chat.id)
        stored.edit_count += 1
        chat.changed.notify()
        return data

    async def edit_message_text(self, params: Params) -> JSON:
        chat, stored = self._editable(params)
        if "text" not in stored.data:
            raise ApiError.bad_request("there is no text in the message to edit")
        parsed = formatted(
            params.get_str("text") or "",
            params.get_str("parse_mode"),
            params.get_json("entities", "entities"),
            strict_ampersand=self.state.strict_ampersand,
        )
        check_text(parsed)
        # Leaving reply_markup out removes the keyboard: Telegram does that too.
        changes = {
            "text": parsed.text,
            "entities": parsed.entities or None,
            "reply_markup": self._inline_markup(params),
        }
        return self._apply_edit(chat, stored, changes)

    async def edit_message_caption(self, params: Params) -> JSON:
        chat, stored = self._editable(params)
        if not any(key in stored.data for key in ("photo", "document", "animation")):
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": self._inline_markup(params),
        }
        return self._apply_edit(chat, stored, changes)

    async def edit_message_reply_markup(self, params: Params) -> JSON:
        chat, stored = self._editable(params)
        return self._apply_edit(chat, stored, {"reply_markup": self._inline_markup(params)})

    async def delete_message(self, params: Params) -> bool:
        chat = self._target(params)
        message_id = params.require_int("message_id", "message identifier is not specified")
        stored = chat.get(message_id)
        if stored is None:
            raise ApiError.bad_request("message to delete not found")
        stored.deleted = True
        chat.changed.notify()
        return True


def _paid(params: Params) -> bool:
    """allow_paid_broadcast: up to 1000 messages/s, past the per-bot limit (for a fee)."""
    return params.get_bool("allow_paid_broadcast")
