"""Follow-up questions after an answer: "Ready for the stronger variation?" (after enough Dones)
and "Try the easier one?" (after It hurts).

Each question is an `Offer` row written in the same transaction as the answer that earned it.
A button answering it names the row; the press is accepted only if the row exists, belongs to
the presser, is still unanswered, came from the very message that asked it, and still fits the
user's programme (the variation they had when asked is still theirs, the offered one is still
allowed and not switched off). Anything else is refused and changes nothing: button data alone
never changes what a user is sent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog, Stretch
from bot.db.models import Delivery, Offer, StretchPreference, User
from bot.db.models import OfferKind as OfferKind  # re-exported: handlers name the kind here
from bot.services import accounts, undo
from bot.services.answers import blocked_ids, not_yet, prefer, try_easier_now


class OfferRefusal(enum.Enum):
    UNKNOWN = "unknown"  # no such offer (forged, or deleted with the user's data)
    NOT_YOURS = "not_yours"
    WRONG_MESSAGE = "wrong_message"  # the press did not come from the message that asked
    ALREADY = "already"  # answered before
    OUT_OF_DATE = "out_of_date"  # the programme moved on since (other variation, new pack...)


@dataclass(frozen=True)
class OfferOutcome:
    """What accepting an offer did: the variation the user gets from now on."""

    offer: Offer
    accepted: bool
    stretch: Stretch
    undo_id: int | None = None  # its ↩️ Undo (bot.services.undo)


async def record(
    session: AsyncSession,
    user: User,
    delivery: Delivery,
    kind: OfferKind,
    current: Stretch,
    offered: Stretch,
    now: datetime,
) -> Offer:
    offer = Offer(
        user_id=user.id,
        delivery_id=delivery.id,
        kind=kind,
        from_stretch_id=current.id,
        stretch_id=offered.id,
        created_at=now,
    )
    session.add(offer)
    await session.flush()
    return offer


async def asked_in(session: AsyncSession, offer_id: int, message_id: int) -> None:
    """Telegram accepted the question as `message_id`: from now on only that message's
    buttons answer it."""
    await session.execute(update(Offer).where(Offer.id == offer_id).values(message_id=message_id))


async def find(session: AsyncSession, offer_id: int) -> Offer | None:
    return await session.get(Offer, offer_id)


def check(
    offer: Offer | None, user: User, kind: OfferKind, message_id: int | None
) -> OfferRefusal | None:
    """Why a press can't answer this offer, or None."""
    if offer is None or offer.kind is not kind:
        return OfferRefusal.UNKNOWN
    if offer.user_id != user.id:
        return OfferRefusal.NOT_YOURS
    if offer.message_id is None or offer.message_id != message_id:
        return OfferRefusal.WRONG_MESSAGE
    if offer.answer is not None:
        return OfferRefusal.ALREADY
    return None


async def _variation_now(session: AsyncSession, catalog: Catalog, user: User, family: str) -> str:
    preference = await session.get(StretchPreference, (user.id, family))
    if preference is not None:
        return preference.stretch_id
    return catalog.family_of(family).default.id


async def answer(
    session: AsyncSession,
    catalog: Catalog,
    user: User,
    offer: Offer,
    *,
    yes: bool,
    now: datetime,
) -> OfferOutcome | OfferRefusal:
    """Apply Yes / Not yet to an offer that `check` accepted, if it still fits the user's
    programme; else OUT_OF_DATE and nothing changes."""
    if offer.from_stretch_id not in catalog or offer.stretch_id not in catalog:
        return OfferRefusal.OUT_OF_DATE
    current, offered = catalog.get(offer.from_stretch_id), catalog.get(offer.stretch_id)
    conditions = await accounts.condition_ids(session, user)
    blocked = await blocked_ids(session, user)
    if offer.kind is OfferKind.STRONGER:
        still_offered = catalog.stronger_of(current.id, conditions)
        if (
            await _variation_now(session, catalog, user, current.family) != current.id
            or still_offered is None
            or still_offered.id != offered.id
            or offered.id in blocked
        ):
            return OfferRefusal.OUT_OF_DATE
        if yes:
            await prefer(session, user, offered, now)
        else:
            await not_yet(session, user, current, now)
    else:
        if not yes:
            return OfferRefusal.UNKNOWN  # an easier offer has one button only
        if not catalog.is_allowed(offered.id, conditions) or offered.id in blocked:
            return OfferRefusal.OUT_OF_DATE
        await try_easier_now(session, user, offered, now)
    offer.answer, offer.answered_at = ("yes" if yes else "no"), now
    await session.flush()
    return OfferOutcome(offer, yes, offered if yes else current)


async def answer_press(
    session: AsyncSession,
    catalog: Catalog,
    user: User,
    kind: OfferKind,
    argument: str | None,
    message_id: int | None,
    now: datetime,
) -> OfferOutcome | OfferRefusal:
    """A press of an offer's button, from message `message_id`: data `<offer id>:yes|no` for
    the stronger variation, `<offer id>` for the easier one. Malformed data is UNKNOWN."""
    head, _, word = (argument or "").partition(":")
    if not (head.isascii() and head.isdigit() and len(head) <= 12):
        return OfferRefusal.UNKNOWN
    yes = {"yes": True, "no": False}.get(word) if kind is OfferKind.STRONGER else True
    if yes is None:
        return OfferRefusal.UNKNOWN
    offer = await find(session, int(head))
    refusal = check(offer, user, kind, message_id)
    if refusal is not None or offer is None:
        return refusal or OfferRefusal.UNKNOWN
    before = await undo.snapshot(session, user)
    outcome = await answer(session, catalog, user, offer, yes=yes, now=now)
    if isinstance(outcome, OfferRefusal):
        return outcome
    kept = await undo.record(session, user, before, now, message_id=message_id, offer=offer)
    return replace(outcome, undo_id=kept.id)
