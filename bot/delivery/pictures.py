"""Pictures go to Telegram once; after that they are sent by the file_id Telegram returned.

The file_id is kept in the database (telegram_files, keyed by the picture's content hash), so a
restart or a second replica does not upload again, and a clinic's new picture is uploaded once.
Concurrent first sends of one picture wait for a single upload instead of each uploading.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from telegram import InputFile
from telegram.error import BadRequest

from bot.db.engine import SessionFactory
from bot.db.models import TelegramFile
from bot.delivery.prompt_body import Fields, json_body
from bot.delivery.raw_api import RawBotApi

log = logging.getLogger(__name__)


class PictureFiles:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._file_ids: dict[str, str] = {}
        self._contents: dict[Path, tuple[str, bytes]] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._loaded = False
        self._load_lock = asyncio.Lock()

    async def _load(self) -> None:
        if self._loaded:
            return
        # One read, not one per send: the first batch starts dozens of sends at once.
        async with self._load_lock:
            if self._loaded:
                return
            try:
                async with self._session_factory() as session:
                    rows = await session.execute(select(TelegramFile.sha256, TelegramFile.file_id))
                    self._file_ids.update((sha, file_id) for sha, file_id in rows)
            except Exception:
                # The database is away: send anyway (uploading at worst) and read them next time.
                log.warning("could not load stored file_ids", exc_info=True)
                return
            self._loaded = True

    async def _content(self, picture: Path) -> tuple[str, bytes]:
        """(sha256, bytes) of a picture, read once: pictures are few and small."""
        if picture not in self._contents:
            data = await asyncio.to_thread(picture.read_bytes)
            self._contents[picture] = (hashlib.sha256(data).hexdigest(), data)
        return self._contents[picture]

    async def send_photo(
        self,
        api: RawBotApi,
        chat_id: int,
        picture: Path,
        fields: Fields,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> dict[str, Any]:
        """sendPhoto by file_id when Telegram has the picture, else upload it (once). `fields`:
        the rest of the request (caption, parse_mode) as the Bot API names them, `reply_markup`
        as JSON (see bot.delivery.prompt_body). Returns Telegram's answer as a dict."""
        await self._load()
        key, _ = await self._content(picture)
        file_id = self._file_ids.get(key)
        if file_id is None:
            async with self._locks[key]:
                file_id = self._file_ids.get(key)
                if file_id is None:
                    return await self._upload(
                        api, chat_id, picture, key, fields, reply_markup, **timeouts
                    )
        try:
            return await self._send(api, chat_id, file_id, fields, reply_markup, **timeouts)
        except BadRequest as error:
            if "file identifier" not in str(error).lower():
                raise
            # Telegram no longer knows this file_id (e.g. the bot's token changed): upload anew.
            log.warning("stored file_id refused; uploading again", extra={"picture": picture.name})
            async with self._locks[key]:
                if self._file_ids.get(key) == file_id:
                    del self._file_ids[key]
                    return await self._upload(
                        api, chat_id, picture, key, fields, reply_markup, **timeouts
                    )
            return await self._send(
                api, chat_id, self._file_ids[key], fields, reply_markup, **timeouts
            )

    @staticmethod
    async def _send(
        api: RawBotApi,
        chat_id: int,
        file_id: str,
        fields: Fields,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> dict[str, Any]:
        body = json_body(chat_id, (("photo", file_id), *fields), reply_markup)
        answer: dict[str, Any] = await api.post("sendPhoto", body, chat_id, **timeouts)
        return answer

    async def _upload(
        self,
        api: RawBotApi,
        chat_id: int,
        picture: Path,
        key: str,
        fields: Fields,
        reply_markup: bytes | None,
        **timeouts: Any,
    ) -> dict[str, Any]:
        _, data = await self._content(picture)
        answer = await api.upload_photo(
            chat_id,
            InputFile(data, filename=picture.name),
            dict(fields),
            reply_markup,
            **timeouts,
        )
        file_id: str = answer["photo"][-1]["file_id"]  # the largest size Telegram made
        self._file_ids[key] = file_id
        try:
            await self._store(key, file_id)
        except Exception:
            # The photo was sent: that must be recorded as sent, not failed. This process keeps
            # the file_id in memory; another one would upload the picture once more.
            log.warning("could not store a file_id", exc_info=True, extra={"picture": picture.name})
        log.info("picture uploaded", extra={"picture": picture.name})
        return answer

    async def _store(self, key: str, file_id: str) -> None:
        async with self._session_factory() as session:
            dialect = session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            statement = insert(TelegramFile).values(sha256=key, file_id=file_id)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[TelegramFile.sha256], set_={"file_id": file_id}
                )
            )
            await session.commit()
