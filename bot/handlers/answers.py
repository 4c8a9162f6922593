"""Answers to prompts, by button or by word, and the follow-up questions they lead to.

Which prompt an answer is for, and whether it may be taken, is bot.services.answering's call;
the follow-up questions ("Ready for the stronger variation?", "Try the easier one?") are
bot.services.offers'. These handlers show the outcome: on the prompt itself and in a reply.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update

from bot.context import BotContext
from bot.handlers import hold
from bot.handlers.common import OnSent, edit, edit_markup, edit_message, send
from bot.handlers.press import Press, button
from bot.services import accounts, answering, answers, offers, undo
from bot.views import answers as views
from bot.views.html import bold

Answer = answering.Answer


async def _show(update: Update, context: BotContext, answered: answering.Answered) -> None:
    """Show the answer on the prompt and send what follows from it."""
    given, result = answered.given, answered.result
    running = hold.timers(context)
    if running is not None:
        running.cancel(answered.chat_id)  # the countdown was for this prompt, now answered
    status = views.status_line(given, answered.answered_local, answered.again_local)
    await _mark_prompt(context, answered, status)
    asked = _remember_question(context, answered.offer_id)
    if given is Answer.DONE:
        await send(update, context, *views.done(result.offer, answered.offer_id), on_sent=asked)
    elif given is Answer.EASIER:
        await send(update, context, views.easier(result.easier, result.tips))
    elif given is Answer.SKIP:
        await send(update, context, views.skipped())
    elif given is Answer.LATER:
        if result.later_refused:
            await send(update, context, views.later_refused())
        elif answered.again_local is not None:
            await send(update, context, views.later(answered.again_local))
    elif given is Answer.HURTS and result.stretch is not None:
        await send(
            update,
            context,
            *views.hurts(result.stretch, result.easier, result.safety, answered.offer_id),
            on_sent=asked,
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


async def _mark_prompt(context: BotContext, answered: answering.Answered, status: str) -> None:
    """Show the answer on the prompt itself and take its buttons away."""
    message_id = answered.prompt_message_id
    if message_id is None:
        return
    rebuilt = views.answered_prompt(context.services.catalog, answered.stretch_id, status)
    if rebuilt is None:
        await edit_message(
            context,
            answered.chat_id,
            message_id,
            None,
            is_caption=False,
            markup=views.status_keyboard(status, answered.undo_id),
        )
        return
    html, is_caption = rebuilt
    await edit_message(
        context,
        answered.chat_id,
        message_id,
        html,
        is_caption=is_caption,
        markup=views.undo_keyboard(answered.undo_id),
    )


# -- buttons ---------------------------------------------------------------------------------

OUT_OF_DATE = "This button doesn't work any more."


@button
async def answer_button(press: Press) -> None:
    """Done, Easier, Skip, Later or It hurts under a prompt (data `<delivery id>:<answer>`)."""
    message = press.query.message
    answered = await answering.by_button(
        press.session,
        press.catalog,
        press.user,
        press.argument,
        message.message_id if message is not None else None,
        press.now,
        dones_for_stronger=press.context.services.settings.stronger_after_dones,
    )
    if isinstance(answered, answers.Refusal | answering.Refusal):
        await press.query.answer(views.REFUSALS[answered.value])
        return
    await press.query.answer(views.STATUS[answered.given])
    await _show(press.update, press.context, answered)


_OFFER_REFUSALS = {
    offers.OfferRefusal.UNKNOWN: OUT_OF_DATE,
    offers.OfferRefusal.NOT_YOURS: "This button isn't yours.",
    offers.OfferRefusal.WRONG_MESSAGE: OUT_OF_DATE,
    offers.OfferRefusal.ALREADY: "Already noted. 🙂",
    offers.OfferRefusal.OUT_OF_DATE: "Your programme has changed since: nothing to do here.",
}


async def _offer_button(press: Press, kind: offers.OfferKind) -> None:
    """Yes / Not yet to a stronger variation, or "Try the easier one": accepted only for an
    offer the bot recorded, from the message that asked it, that still fits the programme."""
    message = press.query.message
    outcome = await offers.answer_press(
        press.session,
        press.catalog,
        press.user,
        kind,
        press.argument,
        message.message_id if message is not None else None,
        press.now,
    )
    if isinstance(outcome, offers.OfferRefusal):
        await press.query.answer(_OFFER_REFUSALS[outcome])
        return
    undo = views.undo_keyboard(outcome.undo_id)
    if kind is offers.OfferKind.EASIER:
        await press.query.answer("Sending it now")
        await edit(press.query, views.easier(outcome.stretch, ()), undo)
    elif outcome.accepted:
        await press.query.answer()
        await edit(press.query, views.stronger_chosen(outcome.stretch), undo)
    else:
        await press.query.answer()
        await edit(press.query, views.stronger_declined(), undo)


_UNDO_REFUSALS = {
    undo.UndoRefusal.UNKNOWN: OUT_OF_DATE,
    undo.UndoRefusal.NOT_YOURS: "This button isn't yours.",
    undo.UndoRefusal.WRONG_MESSAGE: OUT_OF_DATE,
    undo.UndoRefusal.ALREADY: views.REFUSALS["undo_already"],
    undo.UndoRefusal.TOO_LATE: views.REFUSALS["undo_too_late"],
    undo.UndoRefusal.CHANGED: views.REFUSALS["undo_changed"],
}


@button
async def undo_button(press: Press) -> None:
    """↩️ Undo under an answered prompt or question (data `<undo id>`): the answer and all it
    changed are taken back, and the prompt or question is shown again, answerable."""
    message = press.query.message
    undone = await undo.undo(
        press.session,
        press.user,
        press.argument,
        message.message_id if message is not None else None,
        press.now,
    )
    if isinstance(undone, undo.UndoRefusal):
        await press.query.answer(_UNDO_REFUSALS[undone])
        if undone in (undo.UndoRefusal.TOO_LATE, undo.UndoRefusal.CHANGED):
            await edit_markup(press.query, None)  # the button can't do anything any more
        return
    await press.query.answer("Undone ↩️")
    if undone.delivery is not None:
        html, markup = views.reopened_prompt(
            press.catalog, undone.delivery.stretch_id, undone.delivery.id
        )
        if html is None:
            await edit_markup(press.query, markup)
        else:
            await edit(press.query, html, markup)
    elif undone.offer is not None and undone.offer.stretch_id in press.catalog:
        stronger = undone.offer.kind is offers.OfferKind.STRONGER
        offered = press.catalog.get(undone.offer.stretch_id)
        await edit(press.query, *views.question_again(stronger, offered, undone.offer.id))


@button
async def stronger_button(press: Press) -> None:
    """Yes / Not yet to "Ready for the stronger variation?" (data `<offer id>:yes|no`)."""
    await _offer_button(press, offers.OfferKind.STRONGER)


@button
async def try_easier_button(press: Press) -> None:
    """ "Try the easier one" after It hurts (data `<offer id>`)."""
    await _offer_button(press, offers.OfferKind.EASIER)


@button
async def unblock_button(press: Press) -> None:
    """Turn a stretch switched off after It hurts back on (from /settings)."""
    stretch_id = press.argument or ""
    if await answers.unblock(press.session, press.user, stretch_id):
        title = press.catalog.get(stretch_id).title if stretch_id in press.catalog else stretch_id
        await press.query.answer("Turned back on")
        await edit(press.query, f"✅ {bold(title)} is back in your rotation.")
    else:
        await press.query.answer("It's already on.")


# -- words -----------------------------------------------------------------------------------


async def on_text(
    update: Update, context: BotContext, session: AsyncSession, user: accounts.User, text: str
) -> bool:
    """A typed answer ("done", "too hard", "✅"...); False if the text isn't one."""
    message = update.effective_message
    assert message is not None
    replied = message.reply_to_message
    services = context.services
    answered = await answering.by_text(
        session,
        services.catalog,
        user,
        text,
        replied.message_id if replied is not None else None,
        services.clock(),
        dones_for_stronger=services.settings.stronger_after_dones,
    )
    if answered is None:
        return False
    if isinstance(answered, answers.Refusal | answering.Refusal):
        await send(update, context, views.REFUSALS[answered.value])
    else:
        await _show(update, context, answered)
    return True
