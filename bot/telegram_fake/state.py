"""What the emulated Telegram remembers: chats and their messages, files, commands, webhook.

Everything is indexed (by chat id, message id, file id), so one request costs O(1) whatever
the history length: the emulator also drives throughput benchmarks.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from PIL import Image, UnidentifiedImageError

from bot.telegram_fake.errors import BOT_BLOCKED, CHAT_NOT_FOUND, USER_DEACTIVATED, ApiError
from bot.telegram_fake.params import Upload
from bot.telegram_fake.updates import UpdateQueue

T = TypeVar("T")
JSON = dict[str, Any]

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# sendAnimation: "animation files (GIF or H.264/MPEG-4 AVC video without sound) of up to 50 MB".
MAX_ANIMATION_BYTES = 50 * 1024 * 1024
_MP4_SOUND_TRACK = re.compile(rb"hdlr.{8}soun", re.DOTALL)
FileKind = Literal["photo", "document", "animation"]
_THUMBNAIL_SIDE = 90


def now() -> int:
    return int(time.time())


class Notifier:
    """Wakes every waiter on each change; waiters re-check their own condition (no polling)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], seconds: float) -> T:
        """Return ``check()``'s first non-None value; TimeoutError after ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"nothing happened within {seconds} s")
            event = self._event
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()


@dataclass(eq=False)
class StoredMessage:
    """One message as Telegram holds it: ``data`` is the Bot API Message, edits applied."""

    data: JSON
    from_bot: bool
    edit_count: int = 0
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])


class Chat:
    """A private chat with one user (chat id == user id, as in Telegram)."""

    def __init__(self, user: JSON) -> None:
        self.id: int = user["id"]
        self.user = user
        self.info: JSON = {"id": self.id, "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                self.info[key] = user[key]
        self.blocked = False
        self.deactivated = False
        self.messages: dict[int, StoredMessage] = {}
        self.bot_messages: list[StoredMessage] = []  # in order, deleted ones included
        self.actions: list[str] = []
        self.reply_keyboard: JSON | None = None  # the custom keyboard the user currently sees
        self.changed = Notifier()
        self._message_ids = itertools.count(1)

    def add_message(self, sender: JSON, content: JSON, *, from_bot: bool) -> StoredMessage:
        data: JSON = {
            "message_id": next(self._message_ids),
            "from": sender,
            "chat": self.info,
            "date": now(),
            **content,
        }
        stored = StoredMessage(data, from_bot)
        self.messages[stored.message_id] = stored
        if from_bot:
            self.bot_messages.append(stored)
        self.changed.notify()
        return stored

    def get(self, message_id: int) -> StoredMessage | None:
        stored = self.messages.get(message_id)
        return None if stored is None or stored.deleted else stored

    def check_reachable(self) -> None:
        """What Telegram answers when the bot writes to a user who can't be written to."""
        if self.deactivated:
            raise ApiError.forbidden(USER_DEACTIVATED)
        if self.blocked:
            raise ApiError.forbidden(BOT_BLOCKED)


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: FileKind
    data: bytes
    file_path: str
    meta: JSON  # the PhotoSize / Document object handed out for this file id


class FileStore:
    def __init__(self, *, validate_images: bool = True) -> None:
        self.validate_images = validate_images
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._photo_groups: dict[str, list[JSON]] = {}  # any size's file_id -> all sizes
        self._counter = itertools.count(1)

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def photo_sizes(self, file_id: str) -> list[JSON]:
        """The PhotoSize list a photo is sent with again when reused by any of its file_ids."""
        return self._photo_groups[file_id]

    def _store(self, kind: FileKind, data: bytes, variant: str, meta: JSON, ext: str) -> JSON:
        n = next(self._counter)
        digest = hashlib.sha256(data).hexdigest()
        # Same bytes -> same file_unique_id, new upload -> new file_id: what Telegram does.
        prefix = {"photo": "AgAC", "document": "BQAC", "animation": "CgAC"}[kind]
        file_id = f"{prefix}fake{n:06d}{digest[:12]}"
        unique_id = f"AQAD{digest[:16]}{variant}"
        path = f"{kind}s/file_{n}.{ext}"
        meta = {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data), **meta}
        stored = StoredFile(file_id, unique_id, kind, data, path, meta)
        self._by_id[file_id] = stored
        self._by_path[path] = stored
        return meta

    def add_photo(self, upload: Upload) -> list[JSON]:
        """Store an uploaded photo; returns its PhotoSize list (smallest first, like Telegram)."""
        if len(upload.data) > MAX_PHOTO_BYTES:
            raise ApiError.bad_request("PHOTO_INVALID_DIMENSIONS")
        width, height = self._dimensions(upload.data)
        sizes: list[JSON] = []
        if max(width, height) > _THUMBNAIL_SIDE:
            scale = _THUMBNAIL_SIDE / max(width, height)
            thumb = {"width": max(1, round(width * scale)), "height": max(1, round(height * scale))}
            sizes.append(self._store("photo", upload.data, "s", thumb, "jpg"))
        sizes.append(
            self._store("photo", upload.data, "y", {"width": width, "height": height}, "jpg")
        )
        for size in sizes:
            self._photo_groups[size["file_id"]] = sizes
        return sizes

    def _dimensions(self, data: bytes) -> tuple[int, int]:
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError, ValueError):
            if self.validate_images:
                raise ApiError.bad_request("IMAGE_PROCESS_FAILED") from None
            return 512, 512
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise ApiError.bad_request("PHOTO_INVALID_DIMENSIONS")
        return width, height

    def add_animation(self, upload: Upload) -> JSON:
        """Store an uploaded animation: a GIF, or an MP4 with no sound track; its Animation."""
        if len(upload.data) > MAX_ANIMATION_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        data = upload.data
        if data[4:8] == b"ftyp":
            # An MP4 with sound is a video, not an animation: refused here (Telegram would
            # send it as something else, never as the silent loop the bot asked for).
            if _MP4_SOUND_TRACK.search(data):
                raise ApiError.bad_request("ANIMATION_INVALID: the video has a sound track")
            width, height, seconds, mime, ext = 0, 0, 0, "video/mp4", "mp4"
        else:
            try:
                with Image.open(io.BytesIO(data)) as image:
                    if image.format != "GIF":
                        raise ApiError.bad_request("ANIMATION_INVALID: not a GIF or an MP4")
                    width, height = image.size
                    milliseconds = 0
                    for index in range(getattr(image, "n_frames", 1)):
                        image.seek(index)
                        milliseconds += int(image.info.get("duration", 0))
            except (UnidentifiedImageError, OSError, ValueError):
                raise ApiError.bad_request("ANIMATION_INVALID: not a GIF or an MP4") from None
            seconds, mime, ext = round(milliseconds / 1000), "image/gif", "gif"
        meta = {
            "width": width,
            "height": height,
            "duration": seconds,
            "file_name": upload.filename or f"animation.{ext}",
            "mime_type": mime,
        }
        return self._store("animation", data, "a", meta, ext)

    def add_document(self, upload: Upload) -> JSON:
        if len(upload.data) > MAX_DOCUMENT_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        name = upload.filename or "file"
        ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
        meta = {"file_name": name, "mime_type": upload.content_type or "application/octet-stream"}
        return self._store("document", upload.data, "d", meta, ext)


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending: int) -> JSON:
        info: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self.allowed_updates is not None:
                info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info


@dataclass
class PendingCallback:
    """A button press waiting for the bot's answerCallbackQuery."""

    chat_id: int
    answer: asyncio.Future[JSON]


@dataclass
class FakeState:
    """The whole emulated server side, shared by the HTTP handlers and the simulated users."""

    bot_user: JSON
    files: FileStore
    strict_ampersand: bool = True
    chats: dict[int, Chat] = field(default_factory=dict)
    usernames: dict[str, int] = field(default_factory=dict)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    webhook: Webhook = field(default_factory=Webhook)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    callbacks: dict[str, PendingCallback] = field(default_factory=dict)
    _callback_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def chat(self, chat_id: int | str | None) -> Chat:
        """The chat a method addresses, or Telegram's 400 for one it doesn't know."""
        if isinstance(chat_id, str):
            text = chat_id.strip()
            if text.startswith("@"):
                chat_id = self.usernames.get(text[1:].lower())
            else:
                try:
                    chat_id = int(text)
                except ValueError:
                    chat_id = None
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError.bad_request(CHAT_NOT_FOUND)
        return chat

    def new_callback_id(self) -> str:
        # Telegram's ids are large opaque numbers in strings; callers must not parse them.
        return str(4_000_000_000_000_000 + next(self._callback_ids))
