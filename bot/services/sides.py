""" "Left side more / Right side more" under a stretch whose sheet paragraph says how to bias it:
the one-side variation, with its own picture, sent now through the reminder engine. Checked
against the prompt the bot recorded (the user's own, delivered, recent, pressed from that
message) and the user's programme (allowed by their conditions, not switched off)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog, Stretch
from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, User
from bot.domain.sides import side_variations
from bot.services import accounts
from bot.services.answers import OPEN_FOR, blocked_ids
from bot.services.dispatch.queueing import queue_delivery


async def send_side(
    session: AsyncSession,
    catalog: Catalog,
    user: User,
    argument: str | None,
    pressed_message_id: int | None,
    now: datetime,
) -> Stretch | None:
    """For data `<delivery id>:left|right`: the variation queued to go now, or None when the
    press is forged, stale, not allowed, or the variation was already asked for from it."""
    head, _, side = (argument or "").partition(":")
    if not (head.isascii() and head.isdigit() and len(head) <= 12):
        return None
    delivery = await session.get(Delivery, int(head))
    if (
        delivery is None
        or delivery.user_id != user.id
        or delivery.status not in (DeliveryStatus.SENT, DeliveryStatus.PENDING)
        or (delivery.message_id is not None and delivery.message_id != pressed_message_id)
        or delivery.stretch_id is None
        or delivery.stretch_id not in catalog
        or now - (delivery.sent_at or delivery.scheduled_for) > OPEN_FOR
    ):
        return None
    variation = side_variations(catalog, catalog.get(delivery.stretch_id)).get(side)
    if (
        variation is None
        or not catalog.is_allowed(variation.id, await accounts.condition_ids(session, user))
        or variation.id in await blocked_ids(session, user)
    ):
        return None
    # Once per prompt: a double tap, or a tap after the card came, sends nothing more.
    already = await session.scalar(
        select(Delivery.id).where(
            Delivery.user_id == user.id,
            Delivery.stretch_id == variation.id,
            Delivery.kind == DeliveryKind.NOW,
            Delivery.scheduled_for >= (delivery.sent_at or delivery.scheduled_for),
        )
    )
    if already is not None:
        return None
    queue_delivery(session, user, variation.id, DeliveryKind.NOW, now)
    await session.flush()
    return variation
