"""↩️ Undo: an answer (Done, Easier, Skip, Later, It hurts, or Yes / Not yet / Try the easier one
to a follow-up question) taken back within `UNDO_FOR`.

Around each answer the user's programme state is snapshotted: their chosen variations and the
stretches switched off after It hurts. Undo restores the snapshot from before — but only while
the state is still the one the answer left (anything changed since, and Undo refuses rather
than overwrite it) — removes what the answer added that hasn't gone out yet (a Later re-send,
an easier variation queued now, a follow-up question), and clears the answer itself, so the
prompt is open again and the streak is as it was. Everything is in the database: Undo works
after a restart too.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AnswerUndo,
    BlockedStretch,
    Delivery,
    DeliveryStatus,
    Offer,
    StretchPreference,
    User,
)

UNDO_FOR = timedelta(minutes=10)


class UndoRefusal(enum.Enum):
    UNKNOWN = "unknown"  # forged, or the user's data was deleted
    NOT_YOURS = "not_yours"
    WRONG_MESSAGE = "wrong_message"  # pressed from a message it doesn't belong to
    ALREADY = "already"
    TOO_LATE = "too_late"
    CHANGED = "changed"  # the programme changed since: undoing would overwrite that


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What an answer can change, and the rows it can add."""

    preferences: frozenset[tuple[str, str, str]]  # (family, stretch, run started at, ISO)
    blocked: frozenset[tuple[str, str]]  # (stretch, switched off at, ISO)
    pending: frozenset[int]  # deliveries not sent yet
    offers: frozenset[int]

    def programme(self) -> dict[str, Any]:
        return {
            "preferences": sorted(map(list, self.preferences)),
            "blocked": sorted(map(list, self.blocked)),
        }


@dataclass(frozen=True, slots=True)
class Undone:
    """An answer taken back: the prompt (or question) to show again."""

    delivery: Delivery | None
    offer: Offer | None


async def snapshot(session: AsyncSession, user: User) -> Snapshot:
    await session.flush()
    preferences = await session.execute(
        select(
            StretchPreference.family_id,
            StretchPreference.stretch_id,
            StretchPreference.run_started_at,
        ).where(StretchPreference.user_id == user.id)
    )
    blocked = await session.execute(
        select(BlockedStretch.stretch_id, BlockedStretch.created_at).where(
            BlockedStretch.user_id == user.id
        )
    )
    pending = await session.scalars(
        select(Delivery.id).where(
            Delivery.user_id == user.id, Delivery.status == DeliveryStatus.PENDING
        )
    )
    offers = await session.scalars(select(Offer.id).where(Offer.user_id == user.id))
    return Snapshot(
        preferences=frozenset((f, s, at.isoformat()) for f, s, at in preferences),
        blocked=frozenset((s, at.isoformat()) for s, at in blocked),
        pending=frozenset(pending),
        offers=frozenset(offers),
    )


async def record(
    session: AsyncSession,
    user: User,
    before: Snapshot,
    now: datetime,
    *,
    message_id: int | None,
    delivery: Delivery | None = None,
    offer: Offer | None = None,
) -> AnswerUndo:
    """After an answer: keep what it changed, for `undo`."""
    after = await snapshot(session, user)
    created = {
        "deliveries": sorted(after.pending - before.pending),
        "offers": sorted(after.offers - before.offers),
    }
    kept = AnswerUndo(
        user_id=user.id,
        delivery_id=delivery.id if delivery is not None else None,
        offer_id=offer.id if offer is not None else None,
        message_id=message_id,
        before=json.dumps(before.programme()),
        after=json.dumps(after.programme()),
        created=json.dumps(created),
        created_at=now,
        expires_at=now + UNDO_FOR,
    )
    session.add(kept)
    await session.flush()
    return kept


def parse_id(argument: str | None) -> int | None:
    head = argument or ""
    return int(head) if head.isascii() and head.isdigit() and len(head) <= 12 else None


async def undo(
    session: AsyncSession,
    user: User,
    argument: str | None,
    pressed_message_id: int | None,
    now: datetime,
) -> Undone | UndoRefusal:
    """Take back the answer `argument` names (data `<undo id>`)."""
    undo_id = parse_id(argument)
    kept = await session.get(AnswerUndo, undo_id) if undo_id is not None else None
    if kept is None:
        return UndoRefusal.UNKNOWN
    if kept.user_id != user.id:
        return UndoRefusal.NOT_YOURS
    if kept.message_id is not None and kept.message_id != pressed_message_id:
        return UndoRefusal.WRONG_MESSAGE
    if kept.undone_at is not None:
        return UndoRefusal.ALREADY
    if now >= kept.expires_at:
        return UndoRefusal.TOO_LATE
    if (await snapshot(session, user)).programme() != json.loads(kept.after):
        return UndoRefusal.CHANGED
    await _restore(session, user, json.loads(kept.before))
    created = json.loads(kept.created)
    if created["deliveries"]:
        await session.execute(
            delete(Delivery).where(
                Delivery.id.in_(created["deliveries"]),
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.message_id.is_(None),
            )
        )
    if created["offers"]:
        await session.execute(delete(Offer).where(Offer.id.in_(created["offers"])))
    delivery = await session.get(Delivery, kept.delivery_id) if kept.delivery_id else None
    offer = await session.get(Offer, kept.offer_id) if kept.offer_id else None
    if delivery is not None:
        delivery.answer = delivery.answered_at = delivery.answered_zone = None
    if offer is not None:
        offer.answer = offer.answered_at = None
    kept.undone_at = now
    await session.flush()
    return Undone(delivery, offer)


async def _restore(session: AsyncSession, user: User, programme: dict[str, Any]) -> None:
    await session.execute(delete(StretchPreference).where(StretchPreference.user_id == user.id))
    await session.execute(delete(BlockedStretch).where(BlockedStretch.user_id == user.id))
    # Core inserts: rows of the same keys were just deleted, which the ORM's identity map
    # would take for a conflict.
    if programme["preferences"]:
        await session.execute(
            insert(StretchPreference),
            [
                {
                    "user_id": user.id,
                    "family_id": family,
                    "stretch_id": stretch,
                    "run_started_at": datetime.fromisoformat(started),
                }
                for family, stretch, started in programme["preferences"]
            ],
        )
    if programme["blocked"]:
        await session.execute(
            insert(BlockedStretch),
            [
                {
                    "user_id": user.id,
                    "stretch_id": stretch,
                    "created_at": datetime.fromisoformat(at),
                }
                for stretch, at in programme["blocked"]
            ],
        )
