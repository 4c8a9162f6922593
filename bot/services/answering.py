"""Answering a prompt, end to end: which prompt an answer is for (a button names its delivery;
a typed answer applies to the prompt it replies to, else to the newest open one), the checks it
must pass, the answer recorded (bot.services.answers), the follow-up question it earns
(bot.services.offers), and the user's local times to show with it.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.db.models import Delivery, OfferKind, User
from bot.domain.progression import Answer as Answer  # re-exported: handlers branch on it
from bot.domain.progression import parse_answer
from bot.domain.zones import get_zone
from bot.services import answers, offers, undo

log = logging.getLogger(__name__)

_CODES = {answer.value: answer for answer in Answer}


class Refusal(enum.Enum):
    """Why an answer changed nothing (beyond bot.services.answers.Refusal's reasons)."""

    OUT_OF_DATE = "out_of_date"  # malformed data, or a press from another message: forged
    NOTHING_OPEN = "nothing_open"  # a typed answer, but no prompt is waiting for one
    NOTHING_EASIER = "nothing_easier"  # Easier where the sheet has no variation nor tip


@dataclass(frozen=True)
class Answered:
    """An answer recorded, with what the user is shown about it."""

    given: Answer
    result: answers.AnswerResult
    chat_id: int
    prompt_message_id: int | None  # the prompt's message, to show the answer on it
    stretch_id: str | None
    # The follow-up question recorded with the answer (stronger after Done, easier after it
    # hurts); its buttons name it.
    offer_id: int | None
    answered_local: datetime  # now, in the user's zone
    again_local: datetime | None  # Later: when the prompt comes again, in the user's zone
    undo_id: int | None = None  # its ↩️ Undo (bot.services.undo)


async def by_button(
    session: AsyncSession,
    catalog: Catalog,
    user: User,
    argument: str | None,
    pressed_message_id: int | None,
    now: datetime,
    *,
    dones_for_stronger: int,
) -> Answered | answers.Refusal | Refusal:
    """A press of one of a prompt's buttons (data `<delivery id>:<answer>`)."""
    parsed = _split(argument)
    given = _CODES.get(parsed[1]) if parsed else None
    if parsed is None or given is None:
        return Refusal.OUT_OF_DATE
    delivery = await answers.find_delivery(session, parsed[0])
    refusal = answers.check(delivery, user, pressed=True)
    if refusal is not None or delivery is None:
        return refusal or answers.Refusal.UNKNOWN
    if delivery.message_id is not None and pressed_message_id != delivery.message_id:
        # The data names a prompt, but the press came from another message: forged.
        return Refusal.OUT_OF_DATE
    return await _record(
        session, catalog, user, delivery, given, pressed_message_id, now, dones_for_stronger
    )


async def by_text(
    session: AsyncSession,
    catalog: Catalog,
    user: User,
    text: str,
    reply_to_message_id: int | None,
    now: datetime,
    *,
    dones_for_stronger: int,
) -> Answered | answers.Refusal | Refusal | None:
    """A typed answer ("done", "too hard", "✅"...); None if the text isn't one."""
    given = parse_answer(text)
    if given is None:
        return None
    if reply_to_message_id is not None:
        delivery = await answers.delivery_for_message(session, user, reply_to_message_id)
        refusal = answers.check(delivery, user)
        if refusal is not None or delivery is None:
            return refusal or answers.Refusal.UNKNOWN
    else:
        delivery = await answers.latest_open(session, user, now)
        if delivery is None:
            return Refusal.NOTHING_OPEN
    return await _record(session, catalog, user, delivery, given, None, now, dones_for_stronger)


async def _record(
    session: AsyncSession,
    catalog: Catalog,
    user: User,
    delivery: Delivery,
    given: Answer,
    message_id: int | None,
    now: datetime,
    dones_for_stronger: int,
) -> Answered | Refusal:
    if given is Answer.EASIER and not await answers.can_ease(session, catalog, user, delivery):
        return Refusal.NOTHING_EASIER  # the prompt stays open: Done, Skip or It hurts
    before = await undo.snapshot(session, user)
    result = await answers.answer(
        session, catalog, user, delivery, given, now, dones_for_stronger=dones_for_stronger
    )
    offer_id = None
    if given is Answer.DONE and result.offer is not None and result.stretch is not None:
        offer = await offers.record(
            session, user, delivery, OfferKind.STRONGER, result.stretch, result.offer, now
        )
        offer_id = offer.id
    elif given is Answer.HURTS and result.easier is not None and result.stretch is not None:
        offer = await offers.record(
            session, user, delivery, OfferKind.EASIER, result.stretch, result.easier, now
        )
        offer_id = offer.id
    prompt_message_id = delivery.message_id or message_id
    kept = await undo.record(
        session, user, before, now, message_id=prompt_message_id, delivery=delivery
    )
    again = result.queued.scheduled_for if given is Answer.LATER and result.queued else None
    log.info(
        "prompt answered",
        extra={
            "delivery_id": delivery.id,
            "user_id": user.id,
            "stretch_id": delivery.stretch_id,
            "answer": given.value,
        },
    )
    return Answered(
        given=given,
        result=result,
        chat_id=user.chat_id,
        prompt_message_id=prompt_message_id,
        stretch_id=delivery.stretch_id,
        offer_id=offer_id,
        answered_local=_local(now, user.time_zone),
        again_local=_local(again, user.time_zone) if again is not None else None,
        undo_id=kept.id,
    )


def _local(moment: datetime, zone: str | None) -> datetime:
    """`moment` in the user's zone; as it is (UTC) while they have none."""
    if zone is None:
        return moment
    return moment.astimezone(get_zone(zone))


def _split(argument: str | None) -> tuple[int, str] | None:
    """`<delivery id>:<word>` -> (id, word), or None for anything malformed."""
    if argument is None:
        return None
    head, _, word = argument.partition(":")
    if not head.isascii() or not head.isdigit() or len(head) > 12:
        return None
    return int(head), word
