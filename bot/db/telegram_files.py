"""The file_ids Telegram returned for our pictures (telegram_files, keyed by content hash)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import TelegramFile


async def stored_file_ids(session: AsyncSession) -> dict[str, str]:
    """sha256 of a picture -> its file_id, for every picture uploaded so far."""
    rows = await session.execute(select(TelegramFile.sha256, TelegramFile.file_id))
    return {row.sha256: row.file_id for row in rows}


async def stored_file_id(session: AsyncSession, sha256: str) -> str | None:
    """The file_id of one picture, if any process has uploaded it."""
    return await session.scalar(select(TelegramFile.file_id).where(TelegramFile.sha256 == sha256))


async def store_file_id(session: AsyncSession, sha256: str, file_id: str) -> None:
    """Keep `file_id` for the picture `sha256`, replacing an older one (another process may have
    uploaded the same picture meanwhile: the last answer wins, both are valid). Commits."""
    # INSERT ... ON CONFLICT DO UPDATE is each dialect's own construct in SQLAlchemy.
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(TelegramFile).values(sha256=sha256, file_id=file_id)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TelegramFile.sha256], set_={"file_id": file_id}
        )
    )
    await session.commit()
