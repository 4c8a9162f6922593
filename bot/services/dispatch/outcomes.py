"""Recording how each send ended, in one transaction per recording.

A final state (sent, failed, blocked, missed) is never overwritten: a delivery handed back or
claimed again after its lease can only be recorded once. A user who blocked the bot is
deactivated at once: their slots stop firing and nothing already claimed for them is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, DeliveryStatus, ScheduleSlot, User, UserStatus

ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    """How sending one delivery ended."""

    delivery_id: int
    status: DeliveryStatus
    attempts: int
    message_id: int | None = None
    sent_at: datetime | None = None
    error: str | None = None
    user_id: int | None = None  # set with BLOCKED: the user to deactivate


_DELIVERIES = cast(Table, Delivery.__table__)
_RECORD_OUTCOME = (
    update(_DELIVERIES)
    .where(
        _DELIVERIES.c.id == bindparam("o_id"),
        _DELIVERIES.c.status == DeliveryStatus.PENDING,  # a final state is never overwritten
    )
    .values(
        {
            **{
                name: bindparam(f"o_{name}", type_=_DELIVERIES.c[name].type)
                for name in ("status", "attempts", "message_id", "sent_at", "error")
            },
            "lease_until": None,
        }
    )
)


async def record_outcomes(session: AsyncSession, outcomes: list[Outcome]) -> None:
    """Write every outcome in one transaction; blocked users stop receiving anything."""
    if outcomes:
        # One executemany, not a statement per outcome: at Telegram's rate this was the bot's
        # largest CPU cost after HTTP (each statement a compile-cache lookup and, on SQLite, a
        # round trip to aiosqlite's thread).
        await session.execute(
            _RECORD_OUTCOME,
            [
                {
                    "o_id": outcome.delivery_id,
                    "o_status": outcome.status,
                    "o_attempts": outcome.attempts,
                    "o_message_id": outcome.message_id,
                    "o_sent_at": outcome.sent_at,
                    "o_error": outcome.error[:ERROR_LENGTH] if outcome.error else None,
                }
                for outcome in outcomes
            ],
        )
    blocked = {o.user_id for o in outcomes if o.status is DeliveryStatus.BLOCKED and o.user_id}
    if blocked:
        await session.execute(
            update(User).where(User.id.in_(blocked)).values(status=UserStatus.BLOCKED)
        )
        await session.execute(
            update(ScheduleSlot).where(ScheduleSlot.user_id.in_(blocked)).values(next_fire_at=None)
        )
        # Nothing else goes to a user who blocked the bot, including claims still pending.
        await session.execute(
            update(Delivery)
            .where(Delivery.user_id.in_(blocked), Delivery.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.BLOCKED, lease_until=None)
        )
    await session.commit()
