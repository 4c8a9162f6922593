"""Answers to prompts (done, easier, skip, later, it hurts) and what they change next.

Each delivery takes one answer; a second one changes nothing (double taps, old messages).
Every answer is checked to belong to the user giving it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog, Stretch, TextBlock
from bot.db.models import (
    BlockedStretch,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    StretchPreference,
    User,
)
from bot.domain.progression import Answer, easier_choice, hurts_outcome, stronger_offer
from bot.services import accounts
from bot.services.dispatch.queueing import queue_delivery

LATER_DELAY = timedelta(minutes=30)
# A typed "done" applies to the newest prompt if it is at most this old.
OPEN_FOR = timedelta(hours=24)


class Refusal(enum.Enum):
    UNKNOWN = "unknown"  # no such delivery (forged, or deleted with the user's data)
    NOT_YOURS = "not_yours"
    NOT_SENT = "not_sent"  # never reached the user (missed, failed...)
    ALREADY = "already"  # answered before: nothing changes


@dataclass(frozen=True)
class AnswerResult:
    delivery: Delivery
    answer: Answer
    stretch: Stretch | None  # None if the pack no longer has the answered stretch
    queued: Delivery | None = None  # Easier: the easier variation, sent now; Later: the re-send
    easier: Stretch | None = None  # the easier variation (sent for Easier, suggested for hurts)
    tips: tuple[str, ...] = ()
    safety: tuple[TextBlock, ...] = ()
    later_refused: bool = False  # Later on a re-send: once per prompt
    offer: Stretch | None = None  # a stronger variation to offer after this Done


async def find_delivery(session: AsyncSession, delivery_id: int) -> Delivery | None:
    return await session.get(Delivery, delivery_id)


async def delivery_for_message(
    session: AsyncSession, user: User, message_id: int
) -> Delivery | None:
    return await session.scalar(
        select(Delivery).where(Delivery.user_id == user.id, Delivery.message_id == message_id)
    )


async def latest_open(session: AsyncSession, user: User, now: datetime) -> Delivery | None:
    """The newest prompt sent to the user, if it is unanswered and recent."""
    newest = await session.scalar(
        select(Delivery)
        .where(Delivery.user_id == user.id, Delivery.status == DeliveryStatus.SENT)
        .order_by(Delivery.sent_at.desc(), Delivery.id.desc())
        .limit(1)
    )
    if newest is None or newest.answer is not None or newest.sent_at is None:
        return None
    return newest if now - newest.sent_at <= OPEN_FOR else None


def check(delivery: Delivery | None, user: User, *, pressed: bool = False) -> Refusal | None:
    """Why this answer can't be taken, or None. A button press proves the prompt arrived, even
    while its outcome is still being recorded (PENDING) at the end of a large burst."""
    if delivery is None:
        return Refusal.UNKNOWN
    if delivery.user_id != user.id:
        return Refusal.NOT_YOURS
    arrived = {DeliveryStatus.SENT, DeliveryStatus.PENDING} if pressed else {DeliveryStatus.SENT}
    if delivery.status not in arrived:
        return Refusal.NOT_SENT
    if delivery.answer is not None:
        return Refusal.ALREADY
    return None


async def blocked_ids(session: AsyncSession, user: User) -> frozenset[str]:
    rows = await session.scalars(
        select(BlockedStretch.stretch_id).where(BlockedStretch.user_id == user.id)
    )
    return frozenset(rows)


async def can_ease(session: AsyncSession, catalog: Catalog, user: User, delivery: Delivery) -> bool:
    """Has the sheet an easier variation (allowed, not switched off) or a tip for this prompt's
    stretch? A stretch the pack dropped can still be answered "easier" (nothing follows)."""
    if delivery.stretch_id is None or delivery.stretch_id not in catalog:
        return True
    choice = easier_choice(
        catalog,
        delivery.stretch_id,
        conditions=await accounts.condition_ids(session, user),
        blocked=await blocked_ids(session, user),
    )
    return choice.easier is not None or bool(choice.tips)


async def answer(
    session: AsyncSession,
    catalog: Catalog,
    user: User,
    delivery: Delivery,
    given: Answer,
    now: datetime,
    *,
    dones_for_stronger: int,
) -> AnswerResult:
    """Record `given` on a delivery that `check` accepted, and apply what it means."""
    delivery.answer, delivery.answered_at = given.value, now
    delivery.answered_zone = user.time_zone
    stretch_id = delivery.stretch_id or ""
    stretch = catalog.get(stretch_id) if stretch_id in catalog else None
    conditions = await accounts.condition_ids(session, user)
    blocked = await blocked_ids(session, user)

    if given is Answer.DONE and stretch is not None:
        run = await _run(session, user, stretch)
        offer = stronger_offer(
            catalog,
            stretch.id,
            run,
            n=dones_for_stronger,
            conditions=conditions,
            blocked=blocked,
        )
        await session.flush()
        return AnswerResult(delivery, given, stretch, offer=offer)

    if given is Answer.EASIER and stretch is not None:
        choice = easier_choice(catalog, stretch.id, conditions=conditions, blocked=blocked)
        queued = None
        if choice.easier is not None:
            await prefer(session, user, choice.easier, now)
            queued = queue_delivery(session, user, choice.easier.id, DeliveryKind.NOW, now)
        await session.flush()
        return AnswerResult(
            delivery, given, stretch, queued=queued, easier=choice.easier, tips=choice.tips
        )

    if given is Answer.LATER and stretch is not None:
        if delivery.kind is DeliveryKind.LATER:
            await session.flush()
            return AnswerResult(delivery, given, stretch, later_refused=True)
        queued = queue_delivery(
            session, user, stretch.id, DeliveryKind.LATER, now + LATER_DELAY, later_of=delivery
        )
        await session.flush()
        return AnswerResult(delivery, given, stretch, queued=queued)

    if given is Answer.HURTS and stretch is not None:
        outcome = hurts_outcome(catalog, stretch.id, conditions=conditions, blocked=blocked)
        if stretch.id not in blocked:
            session.add(BlockedStretch(user_id=user.id, stretch_id=stretch.id, created_at=now))
        await session.flush()
        return AnswerResult(
            delivery,
            given,
            stretch,
            easier=outcome.easier,
            tips=outcome.tips,
            safety=outcome.safety,
        )

    await session.flush()  # Skip, or any answer to a stretch the pack has since dropped
    return AnswerResult(delivery, given, stretch)


async def _run(session: AsyncSession, user: User, stretch: Stretch) -> list[Answer]:
    """Answers to this stretch since its run began (see StretchPreference.run_started_at)."""
    preference = await session.get(StretchPreference, (user.id, stretch.family))
    query = (
        select(Delivery.answer)
        .where(
            Delivery.user_id == user.id,
            Delivery.stretch_id == stretch.id,
            Delivery.answer.is_not(None),
        )
        .order_by(Delivery.answered_at, Delivery.id)
    )
    if preference is not None:
        query = query.where(Delivery.answered_at >= preference.run_started_at)
    return [Answer(value) for value in await session.scalars(query) if value in _ANSWERS]


_ANSWERS = frozenset(answer.value for answer in Answer)


async def prefer(session: AsyncSession, user: User, stretch: Stretch, now: datetime) -> None:
    """From now on, `stretch` is the variation sent for its family; its run starts now."""
    preference = await session.get(StretchPreference, (user.id, stretch.family))
    if preference is None:
        session.add(
            StretchPreference(
                user_id=user.id, family_id=stretch.family, stretch_id=stretch.id, run_started_at=now
            )
        )
    else:
        preference.stretch_id, preference.run_started_at = stretch.id, now
    await session.flush()


async def not_yet(session: AsyncSession, user: User, stretch: Stretch, now: datetime) -> None:
    """ "Not yet" to a stronger offer: keep the variation; the count starts again."""
    await prefer(session, user, stretch, now)


async def try_easier_now(
    session: AsyncSession, user: User, easier: Stretch, now: datetime
) -> Delivery:
    """After "It hurts": the user takes up the suggested easier variation."""
    await prefer(session, user, easier, now)
    queued = queue_delivery(session, user, easier.id, DeliveryKind.NOW, now)
    await session.flush()
    return queued


async def unblock(session: AsyncSession, user: User, stretch_id: str) -> bool:
    result = await session.execute(
        delete(BlockedStretch).where(
            BlockedStretch.user_id == user.id, BlockedStretch.stretch_id == stretch_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
