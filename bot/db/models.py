"""Typed SQLAlchemy models: everything that must survive a restart lives here."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base
from bot.db.types import UTCDateTime, utc_now


class UserStatus(enum.StrEnum):
    ONBOARDING = "onboarding"  # pressed /start, setup not finished
    ACTIVE = "active"  # receives prompts
    PAUSED = "paused"  # /pause: prompts held until resumed
    STOPPED = "stopped"  # /stop: no prompts, data kept, /start resumes
    BLOCKED = "blocked"  # Telegram said 403: the user blocked the bot or was deactivated


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    language_code: Mapped[str | None] = mapped_column(String(16))
    # IANA name (e.g. "Pacific/Auckland"), never a fixed offset; None until chosen.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[UserStatus] = mapped_column(
        Enum(
            UserStatus,
            native_enum=False,
            create_constraint=True,
            length=16,
            name="user_status",
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default=UserStatus.ONBOARDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)

    def __repr__(self) -> str:
        return f"User(id={self.id}, telegram_id={self.telegram_id}, status={self.status})"
