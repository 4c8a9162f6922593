"""The hold timer's target: which stretch a ⏱ Hold press counts for, checked against the
prompt the bot recorded (the user's own, delivered, recent, of a stretch with a hold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.db.models import Delivery, DeliveryStatus, User
from bot.domain.hold import HoldPlan, hold_plan
from bot.services.answers import OPEN_FOR

# "⏱ Again" rounds beyond this are surely a forged or stuck button.
MAX_ROUNDS = 30


@dataclass(frozen=True, slots=True)
class HoldTarget:
    delivery_id: int
    title: str
    plan: HoldPlan
    round_number: int
    prompt_message_id: int | None


async def hold_target(
    session: AsyncSession, catalog: Catalog, user: User, argument: str | None, now: datetime
) -> HoldTarget | None:
    """For data `<delivery id>:<round>`; None for anything forged, stale or without a hold."""
    head, _, tail = (argument or "").partition(":")
    if not (head.isascii() and head.isdigit() and len(head) <= 12):
        return None
    if not (tail.isascii() and tail.isdigit() and 1 <= int(tail) <= MAX_ROUNDS):
        return None
    delivery = await session.get(Delivery, int(head))
    if (
        delivery is None
        or delivery.user_id != user.id
        or delivery.status not in (DeliveryStatus.SENT, DeliveryStatus.PENDING)
        or delivery.stretch_id is None
        or delivery.stretch_id not in catalog
        or now - (delivery.sent_at or delivery.scheduled_for) > OPEN_FOR
    ):
        return None
    stretch = catalog.get(delivery.stretch_id)
    plan = hold_plan(stretch.hold_to_do)
    if plan is None:
        return None
    return HoldTarget(delivery.id, stretch.title, plan, int(tail), delivery.message_id)
