"""Answers to prompts, by button or by word, and the follow-ups they lead to.

A button names its delivery; a typed answer applies to the prompt it replies to, else to the
newest open prompt. Either way the delivery is checked to be the user's and unanswered first.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.catalog import Stretch
from bot.context import BotContext
from bot.db.models import Delivery, User
from bot.domain.progression import Answer, easier_choice, parse_answer
from bot.domain.zones import get_zone
from bot.handlers.common import edit, edit_message, send
from bot.handlers.press import Press, button
from bot.services import accounts, answers
from bot.views import answers as views
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
        await send(update, context, *views.done(result.offer, delivery.id))
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
        await send(
            update, context, *views.hurts(result.stretch, result.easier, result.safety, delivery.id)
        )


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


def _split(argument: str | None) -> tuple[int, str] | None:
    """`<delivery id>:<word>` -> (id, word), or None for anything malformed."""
    if argument is None:
        return None
    head, _, word = argument.partition(":")
    if not head.isdigit() or len(head) > 12:
        return None
    return int(head), word


@button
async def answer_button(press: Press) -> None:
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
    await press.query.answer(views.STATUS[given])
    message = press.query.message
    await apply(
        press.update,
        press.context,
        press.session,
        press.user,
        delivery,
        given,
        message.message_id if message is not None else None,
    )


async def _answered_stretch(press: Press, delivery_id: int) -> Stretch | None:
    """The stretch of the user's own prompt a follow-up button refers to; answers the press
    politely (and returns None) for someone else's prompt, an unknown one, or a stretch the
    pack has since dropped."""
    delivery = await answers.find_delivery(press.session, delivery_id)
    if delivery is None or delivery.user_id != press.user.id or delivery.stretch_id is None:
        await press.query.answer(views.REFUSALS["not_yours" if delivery else "unknown"])
        return None
    if delivery.stretch_id not in press.catalog:
        await press.query.answer("That stretch is no longer in the clinic's sheet.")
        return None
    return press.catalog.get(delivery.stretch_id)


@button
async def stronger_button(press: Press) -> None:
    parsed = _split(press.argument)
    if parsed is None or parsed[1] not in ("yes", "no"):
        await press.query.answer("This button doesn't work any more.")
        return
    current = await _answered_stretch(press, parsed[0])
    if current is None:
        return
    conditions = await accounts.condition_ids(press.session, press.user)
    stronger = press.catalog.stronger_of(current.id, conditions)
    await press.query.answer()
    if parsed[1] == "yes" and stronger is not None:
        await answers.prefer(press.session, press.user, stronger, press.now)
        await edit(press.query, views.stronger_chosen(stronger))
    else:
        await answers.not_yet(press.session, press.user, current, press.now)
        await edit(press.query, views.stronger_declined())


@button
async def try_easier_button(press: Press) -> None:
    parsed = _split(f"{press.argument}:")
    if parsed is None:
        await press.query.answer("This button doesn't work any more.")
        return
    current = await _answered_stretch(press, parsed[0])
    if current is None:
        return
    choice = easier_choice(
        press.catalog,
        current.id,
        conditions=await accounts.condition_ids(press.session, press.user),
        blocked=await answers.blocked_ids(press.session, press.user),
    )
    if choice.easier is None:
        await press.query.answer("There's no easier variation I can send you.")
        return
    await press.query.answer("Sending it now")
    await answers.try_easier_now(press.session, press.user, choice.easier, press.now)
    await edit(press.query, views.easier(choice.easier, ()))


@button
async def unblock_button(press: Press) -> None:
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
