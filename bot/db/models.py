"""Typed SQLAlchemy models: everything that must survive a restart lives here."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # Set when the user presses "I understand"; nothing beyond the Telegram id is kept before.
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where the conversation stands (an onboarding step or a settings question awaiting an
    # answer), kept in the DB so a restart mid-way resumes at the same step.
    dialog_step: Mapped[str | None] = mapped_column(String(32))
    # A deep-link payload (/start <code>), kept for clinic codes.
    start_code: Mapped[str | None] = mapped_column(String(64))
    # /pause until this moment (UTC); None with status PAUSED means "until /resume".
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)

    conditions: Mapped[list[UserCondition]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    slots: Mapped[list[ScheduleSlot]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ScheduleSlot.local_time",
    )

    def __repr__(self) -> str:
        return f"User(id={self.id}, telegram_id={self.telegram_id}, status={self.status})"


class UserCondition(Base):
    """A condition from the content pack the user said they have (e.g. "disc-problems")."""

    __tablename__ = "user_conditions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    condition_id: Mapped[str] = mapped_column(String(32), primary_key=True)

    user: Mapped[User] = relationship(back_populates="conditions")


class ScheduleSlot(Base):
    """One daily reminder time of a user, in the user's zone, with the UTC moment it fires next.

    `next_fire_at` is derived (domain.fire_times) and kept so the reminder engine can find due
    slots with one indexed range scan, whatever the number of users.
    """

    __tablename__ = "schedule_slots"
    __table_args__ = (
        Index("ix_schedule_slots_next_fire_at", "next_fire_at"),
        UniqueConstraint("user_id", "local_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    local_time: Mapped[time] = mapped_column(Time())
    # Weekdays bit mask: bit 0 = Monday ... bit 6 = Sunday (domain.clock_times.Weekdays).
    days: Mapped[int] = mapped_column(Integer, default=0b1111111)
    # None while the slot must not fire (user paused, stopped, blocked or without a zone).
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    user: Mapped[User] = relationship(back_populates="slots")
