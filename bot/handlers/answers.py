"""Answers to prompts, by button or by word, and the follow-ups they lead to.

A button names its delivery; a typed answer applies to the prompt it replies to, else to the
newest open prompt. Either way the delivery is checked to be the user's and unanswered first.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update

from bot.context import BotContext
from bot.db.models import Delivery, OfferKind, User
from bot.domain.progression import Answer, parse_answer
from bot.domain.zones import get_zone
from bot.handlers.common import OnSent, edit, edit_message, send
from bot.handlers.setup import Press
from bot.services import answers, offers
from bot.views import answers as views
from bot.views import callback_data as cb
from bot.views.html import bold

log = logging.getLogger(__name__)

_CODES = {answer.value: answer for answer in Answer}


async def apply(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    user: User,
    delivery: Delivery,
    given: Answer,
    message_id: int | None = None,
) -> None:
    """Record the answer, show it on the prompt (`message_id`: the prompt's message, if the
    delivery's own record doesn't have it yet), and send what follows from it."""
    services = context.services
    now = services.clock()
    result = await answers.answer(
        session,
        services.catalog,
        user,
        delivery,
        given,
        now,
        dones_for_stronger=services.settings.stronger_after_dones,
    )
    zone = get_zone(user.time_zone) if user.time_zone else None
    local_now = now.astimezone(zone) if zone else now
    status = views.status_line(given, local_now)
    if given is Answer.LATER and result.queued is not None:
        again = (
            result.queued.scheduled_for.astimezone(zone) if zone else result.queued.scheduled_for
        )
        status = f"{views.STATUS[given]} · again at {again:%H:%M}"
    await _mark_prompt(context, user, delivery, status, delivery.message_id or message_id)
    log.info(
        "prompt answered",
        extra={
            "delivery_id": delivery.id,
            "user_id": user.id,
            "stretch_id": delivery.stretch_id,
            "answer": given.value,
        },
    )

    if given is Answer.DONE:
        offer_id = None
        if result.offer is not None and result.stretch is not None:
            offer = await offers.record(
                session, user, delivery, OfferKind.STRONGER, result.stretch, result.offer, now
            )
            offer_id = offer.id
        await send(
            update,
            context,
            *views.done(result.offer, offer_id),
            on_sent=_remember_question(context, offer_id),
        )
    elif given is Answer.EASIER:
        await send(update, context, views.easier(result.easier, result.tips))
    elif given is Answer.SKIP:
        await send(update, context, views.skipped())
    elif given is Answer.LATER:
        if result.later_refused:
            await send(update, context, views.later_refused())
        elif result.queued is not None:
            again = result.queued.scheduled_for
            await send(update, context, views.later(again.astimezone(zone) if zone else again))
    elif given is Answer.HURTS and result.stretch is not None:
        offer_id = None
        if result.easier is not None:
            offer = await offers.record(
                session, user, delivery, OfferKind.EASIER, result.stretch, result.easier, now
            )
            offer_id = offer.id
        await send(
            update,
            context,
            *views.hurts(result.stretch, result.easier, result.safety, offer_id),
            on_sent=_remember_question(context, offer_id),
        )


def _remember_question(context: BotContext, offer_id: int | None) -> OnSent | None:
    """Once Telegram has the question, only that message's buttons may answer it."""
    if offer_id is None:
        return None

    async def remember(message: Message) -> None:
        async with context.services.session_factory() as session:
            await offers.asked_in(session, offer_id, message.message_id)
            await session.commit()

    return remember


async def _mark_prompt(
    context: BotContext, user: User, delivery: Delivery, status: str, message_id: int | None
) -> None:
    """Show the answer on the prompt itself and take its buttons away."""
    if message_id is None:
        return
    rebuilt = views.answered_prompt(context.services.catalog, delivery.stretch_id, status)
    if rebuilt is None:
        await edit_message(
            context,
            user.chat_id,
            message_id,
            None,
            is_caption=False,
            markup=views.status_keyboard(status),
        )
        return
    html, is_caption = rebuilt
    await edit_message(context, user.chat_id, message_id, html, is_caption=is_caption)


# -- buttons ---------------------------------------------------------------------------------


async def on_button(press: Press, action: str) -> bool:
    if action == cb.ANSWER:
        await _answer_button(press)
    elif action == cb.STRONGER:
        await _stronger_button(press)
    elif action == cb.TRY_EASIER:
        await _try_easier_button(press)
    elif action == cb.UNBLOCK:
        await _unblock_button(press)
    elif action == "noop":
        await press.query.answer()
    else:
        return False
    return True


def _split(argument: str | None) -> tuple[int, str] | None:
    """`<delivery id>:<word>` -> (id, word), or None for anything malformed."""
    if argument is None:
        return None
    head, _, word = argument.partition(":")
    if not head.isdigit() or len(head) > 12:
        return None
    return int(head), word


async def _answer_button(press: Press) -> None:
    parsed = _split(press.argument)
    given = _CODES.get(parsed[1]) if parsed else None
    if parsed is None or given is None:
        await press.query.answer("This button doesn't work any more.")
        return
    delivery = await answers.find_delivery(press.session, parsed[0])
    refusal = answers.check(delivery, press.user, pressed=True)
    if refusal is not None or delivery is None:
        await press.query.answer(views.REFUSALS[(refusal or answers.Refusal.UNKNOWN).value])
        return
    message = press.query.message
    if delivery.message_id is not None and (
        message is None or message.message_id != delivery.message_id
    ):
        # The data names a prompt, but the press came from another message: forged.
        await press.query.answer("This button doesn't work any more.")
        return
    await press.query.answer(views.STATUS[given])
    await apply(
        press.update,
        press.context,
        press.session,
        press.user,
        delivery,
        given,
        message.message_id if message is not None else None,
    )


_OFFER_REFUSALS = {
    offers.OfferRefusal.UNKNOWN: "This button doesn't work any more.",
    offers.OfferRefusal.NOT_YOURS: "This button isn't yours.",
    offers.OfferRefusal.WRONG_MESSAGE: "This button doesn't work any more.",
    offers.OfferRefusal.ALREADY: "Already noted. 🙂",
    offers.OfferRefusal.OUT_OF_DATE: "Your programme has changed since: nothing to do here.",
}


async def _offer_button(press: Press, kind: OfferKind, yes: bool | None) -> None:
    """Yes / Not yet to a stronger variation, or "Try the easier one": accepted only for an
    offer the bot recorded, from the message that asked it, that still fits the programme."""
    head = (press.argument or "").partition(":")[0]
    offer_id = int(head) if head.isdigit() and len(head) <= 12 else None
    if offer_id is None or yes is None:
        await press.query.answer("This button doesn't work any more.")
        return
    message = press.query.message
    offer = await offers.find(press.session, offer_id)
    refusal = offers.check(
        offer, press.user, kind, message.message_id if message is not None else None
    )
    if refusal is not None or offer is None:
        await press.query.answer(_OFFER_REFUSALS[refusal or offers.OfferRefusal.UNKNOWN])
        return
    outcome = await offers.answer(
        press.session, press.catalog, press.user, offer, yes=yes, now=press.now
    )
    if isinstance(outcome, offers.OfferRefusal):
        await press.query.answer(_OFFER_REFUSALS[outcome])
        return
    if kind is OfferKind.EASIER:
        await press.query.answer("Sending it now")
        await edit(press.query, views.easier(outcome.stretch, ()))
    elif outcome.accepted:
        await press.query.answer()
        await edit(press.query, views.stronger_chosen(outcome.stretch))
    else:
        await press.query.answer()
        await edit(press.query, views.stronger_declined())


async def _stronger_button(press: Press) -> None:
    word = (press.argument or "").partition(":")[2]
    await _offer_button(press, OfferKind.STRONGER, {"yes": True, "no": False}.get(word))


async def _try_easier_button(press: Press) -> None:
    await _offer_button(press, OfferKind.EASIER, True)


async def _unblock_button(press: Press) -> None:
    stretch_id = press.argument or ""
    if await answers.unblock(press.session, press.user, stretch_id):
        title = press.catalog.get(stretch_id).title if stretch_id in press.catalog else stretch_id
        await press.query.answer("Turned back on")
        await edit(press.query, f"✅ {bold(title)} is back in your rotation.")
    else:
        await press.query.answer("It's already on.")


# -- words -----------------------------------------------------------------------------------


async def on_text(
    update: Update, context: BotContext, session: AsyncSession, user: User, text: str
) -> bool:
    """A typed answer ("done", "too hard", "✅"...); False if the text isn't one."""
    given = parse_answer(text)
    if given is None:
        return False
    message = update.effective_message
    assert message is not None
    if message.reply_to_message is not None:
        delivery = await answers.delivery_for_message(
            session, user, message.reply_to_message.message_id
        )
        refusal = answers.check(delivery, user)
        if refusal is not None or delivery is None:
            await send(update, context, views.REFUSALS[(refusal or answers.Refusal.UNKNOWN).value])
            return True
    else:
        delivery = await answers.latest_open(session, user, context.services.clock())
        if delivery is None:
            await send(update, context, views.nothing_to_answer())
            return True
    await apply(update, context, session, user, delivery, given)
    return True
