"""Typed SQLAlchemy models: everything that must survive a restart lives here."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base
from bot.db.types import UTCDateTime, utc_now


def _stored_enum(values: type[enum.StrEnum], name: str) -> Enum:
    """A StrEnum kept as its values in a VARCHAR with a CHECK constraint: the same on SQLite
    and PostgreSQL, and a new value needs no ALTER TYPE."""
    return Enum(
        values,
        native_enum=False,
        create_constraint=True,
        length=16,
        name=name,
        values_callable=lambda members: [member.value for member in members],
    )


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
        _stored_enum(UserStatus, "user_status"),
        default=UserStatus.ONBOARDING,
    )
    # Set when the user presses "I understand"; nothing beyond the Telegram id is kept before.
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where the conversation stands (an onboarding step or a settings question awaiting an
    # answer; "days:<mask>" while days are ticked in the picker: bot.domain.dialogue), kept in
    # the DB so a restart mid-way resumes at the same step.
    dialog_step: Mapped[str | None] = mapped_column(String(32))
    # A deep-link payload (/start <code>), kept for clinic codes.
    start_code: Mapped[str | None] = mapped_column(String(64))
    # /pause until this moment (UTC); None with status PAUSED means "until /resume".
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A gentle follow-up when a prompt is left unanswered (switchable in /settings).
    nudges: Mapped[bool] = mapped_column(Boolean, default=True)
    # Active days a week that meet the user's goal (1-7): the week streak in /progress.
    weekly_goal: Mapped[int] = mapped_column(Integer, default=5)
    # Where the user is in the rotation: the family of the last stretch claimed for them.
    last_family_id: Mapped[str | None] = mapped_column(String(32))
    # The weekly pain check-in: its weekday (0 = Monday) in the user's zone, None when off, and
    # the UTC moment it is next asked (derived, like a slot's next_fire_at: at the user's first
    # reminder time on that day).
    pain_checkin_day: Mapped[int | None] = mapped_column(Integer)
    pain_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
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


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # claimed; being sent (lease_until says until when this claim holds)
    SENT = "sent"
    MISSED = "missed"  # too late after downtime: recorded, not sent
    BLOCKED = "blocked"  # Telegram 403 / chat not found: the user is deactivated
    FAILED = "failed"  # gave up after retries, or a request Telegram will never accept


class DeliveryKind(enum.StrEnum):
    SCHEDULED = "scheduled"  # a schedule slot fired
    LATER = "later"  # the user answered "Later": the same stretch 30 minutes on
    NOW = "now"  # /next


class Delivery(Base):
    """One prompt: what was (to be) sent to whom and when, and how it ended.

    The unique (slot_id, scheduled_for) key is what makes a reminder go out exactly once, even
    with several dispatchers claiming at the same moment.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("slot_id", "scheduled_for"),
        UniqueConstraint("later_of_id"),
        Index("ix_deliveries_status_lease_until", "status", "lease_until"),
        Index("ix_deliveries_user_id_scheduled_for", "user_id", "scheduled_for"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_slots.id", ondelete="SET NULL")
    )
    # For a "Later" re-send: the prompt it repeats (at most one re-send per prompt).
    later_of_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(_stored_enum(DeliveryKind, "delivery_kind"))
    # None only for a reminder recorded as missed or failed before a stretch was chosen.
    stretch_id: Mapped[str | None] = mapped_column(String(32))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DeliveryStatus] = mapped_column(
        _stored_enum(DeliveryStatus, "delivery_status"),
        default=DeliveryStatus.PENDING,
    )
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The user's answer (domain.progression.Answer values), once, with when it came.
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The user's zone when they answered: streaks count local days, and zones change.
    answered_zone: Mapped[str | None] = mapped_column(String(64))
    # The one gentle follow-up for an unanswered prompt.
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class TelegramFile(Base):
    """A picture Telegram already has: uploaded once, then sent by its file_id.

    Keyed by the picture's content hash, so a clinic swapping a picture uploads the new one.
    """

    __tablename__ = "telegram_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class StretchPreference(Base):
    """Per user and family: the variation to send (set by Easier, or Yes to a stronger one)."""

    __tablename__ = "stretch_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    family_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stretch_id: Mapped[str] = mapped_column(String(32))
    # Answers to this variation since then count toward the stronger offer (reset by Easier,
    # a new preferred variation, or "Not yet").
    run_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class BlockedStretch(Base):
    """A stretch the user answered "It hurts" to: not sent again until re-enabled."""

    __tablename__ = "blocked_stretches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    stretch_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class OfferKind(enum.StrEnum):
    STRONGER = "stronger"  # after enough Dones: "Ready for the stronger variation?"
    EASIER = "easier"  # after It hurts: "Try the easier one?"


class Offer(Base):
    """A follow-up question the bot asked after an answer to a prompt.

    Its buttons carry this row's id, and a press is accepted only if the row exists, belongs to
    the presser, is unanswered, and the press comes from the message that asked it
    (`message_id`): button data alone never changes a user's programme.
    """

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("delivery_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The answered prompt that led to the question.
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    kind: Mapped[OfferKind] = mapped_column(_stored_enum(OfferKind, "offer_kind"))
    # The variation the user had when asked, and the one offered instead.
    from_stretch_id: Mapped[str] = mapped_column(String(32))
    stretch_id: Mapped[str] = mapped_column(String(32))
    # The message that asks, once Telegram has accepted it; None until then.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # "yes" or "no", once, with when.
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class Practitioner(Base):
    """A clinician patients may share their stretch record with.

    Added by an operator (CLI or an admin's /invite); becomes reachable in Telegram once someone
    opens the one-time claim link (`claim_token_hash` is the SHA-256 of its secret: the link
    itself is never stored). `invite_code` is the deep-link payload patients join by.
    """

    __tablename__ = "practitioners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    clinic: Mapped[str] = mapped_column(String(128))
    # IANA zone for alerts' quiet hours and the Monday digest.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    invite_code: Mapped[str] = mapped_column(String(64), unique=True)
    claim_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The Telegram user who claimed the role; None until claimed (or after their /delete).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class Share(Base):
    """A patient's explicit yes to sharing their record with one practitioner.

    Asked when the patient opens the practitioner's link; active only between `consented_at`
    and `revoked_at`. Everything a practitioner sees is read through an active share.
    """

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("patient_id", "practitioner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), index=True
    )
    # The message that asked (its buttons are the only ones that may answer).
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class PainScore(Base):
    """One weekly pain check-in (NRS 0-10): asked at `asked_for`, answered once, any time."""

    __tablename__ = "pain_scores"
    __table_args__ = (UniqueConstraint("user_id", "asked_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    asked_for: Mapped[datetime] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    score: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ClinicMessageKind(enum.StrEnum):
    PAIN_CHECKIN = "pain_checkin"  # to a patient: the weekly 0-10 question
    ALERT_HURTS = "alert_hurts"  # to a practitioner: a patient pressed It hurts
    ALERT_PAIN = "alert_pain"  # pain 3 points above the patient's first score
    ALERT_QUIET = "alert_quiet"  # no answer for 7 days
    DIGEST = "digest"  # Monday 08:00: all of a practitioner's patients


class ClinicMessageStatus(enum.StrEnum):
    PENDING = "pending"  # queued, or claimed while lease_until holds
    SENT = "sent"
    MISSED = "missed"  # too late after downtime (a digest or check-in of days ago)
    BLOCKED = "blocked"  # the recipient blocked the bot
    FAILED = "failed"  # Telegram refused it, or gave up after retries
    CANCELLED = "cancelled"  # no longer allowed when its time came (sharing stopped)


class ClinicMessage(Base):
    """A message of the clinic loop, sent by the reminder engine like a prompt: queued with a
    unique `key` (so an event queues it once), claimed with a lease, its outcome recorded.

    Alerts refer to their patient (`patient_id`): deleting the patient deletes them, and an
    alert whose share was revoked before it went is recorded cancelled, not sent.
    """

    __tablename__ = "clinic_messages"
    __table_args__ = (Index("ix_clinic_messages_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[ClinicMessageKind] = mapped_column(
        _stored_enum(ClinicMessageKind, "clinic_message_kind")
    )
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    practitioner_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE")
    )
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The event behind an alert: an answered prompt or a pain score.
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    pain_score_id: Mapped[int | None] = mapped_column(
        ForeignKey("pain_scores.id", ondelete="CASCADE")
    )
    event_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When it may go: the event's time, or 08:00 next morning in the recipient's zone.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ClinicMessageStatus] = mapped_column(
        _stored_enum(ClinicMessageStatus, "clinic_message_status"),
        default=ClinicMessageStatus.PENDING,
    )
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class RateShare(Base):
    """One process's share of a Telegram rate budget, while several send on one token
    (bot.domain.rate_shares). Times are seconds since the epoch on the database's clock."""

    __tablename__ = "rate_shares"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # "bot", "paid"
    holder: Mapped[str] = mapped_column(String(64), primary_key=True)  # a process, made up
    share: Mapped[int] = mapped_column(Integer)
    wants: Mapped[int] = mapped_column(Integer)
    expires: Mapped[float] = mapped_column(Float)
    reserved: Mapped[int] = mapped_column(Integer)
    reserved_until: Mapped[float] = mapped_column(Float)


class InboxUpdate(Base):
    """An update from Telegram, stored before Telegram is told it arrived (bot.ops.inbox).

    Pending while `done_at` is None; `lease_until` says until when a process's claim holds (a
    process that dies leaves it to expire, and the update is claimed again). Once handled, the
    payload (what the user sent) is cleared and the row only remembers the update_id, so a
    redelivery of it is recognised; services.inbox prunes those rows after a day.
    """

    __tablename__ = "inbox_updates"
    __table_args__ = (
        # The claim looks for each chat's oldest pending update: a small index, as only
        # pending rows are in it.
        Index(
            "ix_inbox_updates_pending",
            "chat_key",
            "update_id",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
        Index("ix_inbox_updates_done_at", "done_at"),
    )

    # Telegram's own id: unique, so an update delivered twice is stored once.
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Whose conversation the update belongs to (the chat, else the user; None: nobody's):
    # updates of one chat are handled one at a time, in update_id order.
    chat_key: Mapped[int | None] = mapped_column(BigInteger)
    # The update as the Bot API sent it (JSON); None once handled.
    payload: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Claims so far: an update whose handling kills the process every time is given up.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "handled", or "gave up" after too many attempts.
    outcome: Mapped[str | None] = mapped_column(String(16))


class AnswerUndo(Base):
    """What an answer changed, kept so "↩️ Undo" can put it back for a while.

    `before` and `after` are the user's variations and switched-off stretches (JSON) around
    the answer: Undo restores `before`, and only while the state is still `after` (nothing
    changed since). `created` names the rows the answer added (a Later re-send, an easier one
    now, a follow-up question), removed by Undo if not yet sent.
    """

    __tablename__ = "answer_undos"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The answered prompt, or the answered follow-up question: one of the two.
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    # The message whose ↩️ Undo button this is.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    created: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
