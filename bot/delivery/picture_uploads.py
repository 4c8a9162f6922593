"""Pictures go to Telegram once; after that they are sent by the file_id Telegram returned.

This module knows which file_id Telegram holds for each picture; the sending (by file_id, or the
one upload) is bot.delivery.engine_api's. The file_id is kept in the database (telegram_files,
keyed by the picture's content hash), so a restart or a second replica does not upload again,
and a clinic's new picture is uploaded once. Concurrent first sends of one picture wait for a
single upload (`lock`) instead of each uploading.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from pathlib import Path

from bot.db.engine import SessionFactory
from bot.db.telegram_files import store_file_id, stored_file_id, stored_file_ids

log = logging.getLogger(__name__)


class PictureUploads:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._file_ids: dict[str, str] = {}
        self._contents: dict[Path, tuple[str, bytes]] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._loaded = False
        self._load_lock = asyncio.Lock()

    async def known(self, picture: Path) -> tuple[str, str | None]:
        """The picture's key (its content hash) and the file_id Telegram has for it, if any."""
        await self._load()
        key, _ = await self._content(picture)
        return key, self._file_ids.get(key)

    def file_id(self, key: str) -> str | None:
        return self._file_ids.get(key)

    async def uploaded_elsewhere(self, key: str) -> str | None:
        """The file_id another process stored for `key` since this one read them (replicas
        starting a burst together would each upload every picture); None if none or unknown."""
        try:
            async with self._session_factory() as session:
                file_id = await stored_file_id(session, key)
        except Exception:
            log.warning("could not read a stored file_id", exc_info=True)
            return None
        if file_id is not None:
            self._file_ids[key] = file_id
        return file_id

    def lock(self, key: str) -> asyncio.Lock:
        """Held while the picture `key` is uploaded, so that it is uploaded once."""
        return self._locks[key]

    async def content(self, picture: Path) -> bytes:
        _, data = await self._content(picture)
        return data

    async def uploaded(self, picture: Path, key: str, file_id: str) -> None:
        """Telegram now has the picture as `file_id`: kept in memory and in the database."""
        self._file_ids[key] = file_id
        try:
            async with self._session_factory() as session:
                await store_file_id(session, key, file_id)
        except Exception:
            # The photo was sent: that must be recorded as sent, not failed. This process keeps
            # the file_id in memory; another one would upload the picture once more.
            log.warning("could not store a file_id", exc_info=True, extra={"picture": picture.name})
        log.info("picture uploaded", extra={"picture": picture.name})

    def forget(self, key: str, file_id: str) -> bool:
        """Telegram refused `file_id`: drop it, unless another send has already replaced it.
        True if dropped (the caller uploads anew, holding `lock(key)`)."""
        if self._file_ids.get(key) != file_id:
            return False
        del self._file_ids[key]
        return True

    async def _load(self) -> None:
        if self._loaded:
            return
        # One read, not one per send: the first batch starts dozens of sends at once.
        async with self._load_lock:
            if self._loaded:
                return
            try:
                async with self._session_factory() as session:
                    self._file_ids.update(await stored_file_ids(session))
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
