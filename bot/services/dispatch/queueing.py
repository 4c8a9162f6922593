"""Queueing a delivery outside the schedule: "Later", /next, an easier variation now.

`queue_delivery` is the only way to do it, and it wakes the dispatcher by construction: it marks
the session (bot.services.changes), and the unit of work that commits the session notifies the
engine, which re-plans its wake-up. Nothing is sent here: the row is kept in the database (it
survives a restart) and the dispatcher claims it at its time like any reminder.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, User
from bot.domain.rotation import next_stretch
from bot.services.changes import mark_schedule_changed
from bot.services.user_state import rotation_states


def queue_delivery(
    session: AsyncSession,
    user: User,
    stretch_id: str,
    kind: DeliveryKind,
    when: datetime,
    *,
    later_of: Delivery | None = None,
) -> Delivery:
    """A delivery of `stretch_id` for the engine to send at `when`; `later_of`: the prompt a
    "Later" re-sends (once per prompt). The engine wakes for it once the session commits."""
    queued = Delivery(
        user_id=user.id,
        kind=kind,
        stretch_id=stretch_id,
        scheduled_for=when,
        status=DeliveryStatus.PENDING,
        attempts=0,
    )
    if later_of is not None:
        queued.later_of_id = later_of.id
    session.add(queued)
    mark_schedule_changed(session)
    return queued


async def queue_now(
    session: AsyncSession, catalog: Catalog, user: User, now: datetime
) -> Delivery | None:
    """/next: the next stretch of the user's rotation, queued for the dispatcher to send now
    (recorded like any delivery). None when nothing suits the user."""
    state = (await rotation_states(session, [user]))[user.id]
    stretch = next_stretch(catalog, state)
    if stretch is None:
        return None
    user.last_family_id = stretch.family
    delivery = queue_delivery(session, user, stretch.id, DeliveryKind.NOW, now)
    await session.flush()
    return delivery
