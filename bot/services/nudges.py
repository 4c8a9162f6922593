"""The one gentle follow-up for a prompt left unanswered.

Rules: only after `after` has passed since the prompt was sent; at most once per prompt; never
once it is answered; never when a newer prompt has been sent; never between 21:00 and 08:00 in
the user's zone (it waits for the morning, and is dropped if a newer prompt comes first); never
for users who switched follow-ups off, or who are paused, stopped or blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import Delivery, DeliveryStatus, User, UserStatus
from bot.domain.zones import UnknownZoneError, get_zone

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
# A prompt older than this is history, not something to nudge about.
TOO_OLD = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Nudge:
    delivery_id: int
    chat_id: int
    message_id: int
    stretch_id: str


def quiet_hours(moment: datetime, zone: str) -> bool:
    """Whether `moment` falls between 21:00 and 08:00 on the user's clock."""
    local = moment.astimezone(get_zone(zone)).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


async def claim_nudges(
    session: AsyncSession, now: datetime, after: timedelta, limit: int = 200
) -> list[Nudge]:
    """Pick the prompts due a follow-up and mark them (at most once each). Commits."""
    newer = aliased(Delivery)
    has_newer = exists().where(
        newer.user_id == Delivery.user_id,
        newer.id != Delivery.id,
        newer.status.in_((DeliveryStatus.SENT, DeliveryStatus.PENDING)),
        newer.scheduled_for > Delivery.scheduled_for,
        newer.scheduled_for <= now,
    )
    query = (
        select(Delivery, User)
        .join(User, User.id == Delivery.user_id)
        .where(
            Delivery.status == DeliveryStatus.SENT,
            Delivery.answer.is_(None),
            Delivery.nudged_at.is_(None),
            Delivery.message_id.is_not(None),
            Delivery.sent_at <= now - after,
            Delivery.sent_at > now - TOO_OLD,
            and_(User.nudges.is_(True), User.status == UserStatus.ACTIVE),
            ~has_newer,
        )
        .order_by(Delivery.sent_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Delivery, skip_locked=True)
    nudges: list[Nudge] = []
    for delivery, user in (await session.execute(query)).all():
        try:
            if quiet_hours(now, user.time_zone or "UTC"):
                continue  # wait for the morning
        except UnknownZoneError:
            continue
        delivery.nudged_at = now
        assert delivery.message_id is not None
        nudges.append(
            Nudge(delivery.id, user.chat_id, delivery.message_id, delivery.stretch_id or "")
        )
    await session.commit()
    return nudges
