"""Where button presses, free text and shared locations go.

Every press is checked against the database: the user is whoever pressed (Telegram says so),
the data is parsed defensively, and anything stale or forged gets a polite answer — never an
exception, never a change.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.handlers import account, answers, basic, clinic, setup
from bot.handlers.common import unit_of_work
from bot.services import accounts
from bot.views import callback_data as cb

log = logging.getLogger(__name__)

STALE = "This button doesn't work any more. Send /settings or /help."


async def on_callback(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is not None and message.chat.id != query.from_user.id:
        # In a private chat only its owner sees the buttons; anything else is forged.
        log.warning("button pressed from another chat", extra={"user_id": query.from_user.id})
        await query.answer("This button isn't yours.")
        return
    button = cb.parse(query.data)
    if button is None:
        log.info("unknown button data", extra={"user_id": query.from_user.id})
        await query.answer(STALE)
        return
    async with unit_of_work(context) as session:
        user = await accounts.find_user(session, query.from_user.id)
        if user is None:
            await query.answer("Send /start to set up first.")
            return
        press = setup.Press(
            update=update,
            context=context,
            query=query,
            argument=button.argument,
            user=user,
            session=session,
            now=context.services.clock(),
        )
        for handle in (answers.on_button, setup.on_button, account.on_button, clinic.on_button):
            if await handle(press, button.action):
                return
    await query.answer(STALE)


async def on_text(update: Update, context: BotContext) -> None:
    message, tg_user = update.effective_message, update.effective_user
    assert message is not None
    assert tg_user is not None
    text = (message.text or "").strip()
    async with unit_of_work(context) as session:
        user = await accounts.find_user(session, tg_user.id)
        if user is not None and user.consented_at is not None:
            # An answer word ("done", "later"...) is never a city or a time: answers first.
            if await answers.on_text(update, context, session, user, text):
                return
            if await setup.on_text(update, context, session, user, text):
                return
    await basic.unknown_text(update, context)


async def on_location(update: Update, context: BotContext) -> None:
    tg_user = update.effective_user
    assert tg_user is not None
    async with unit_of_work(context) as session:
        user = await accounts.find_user(session, tg_user.id)
        if user is None or user.consented_at is None:
            await basic.unknown_text(update, context)
            return
        await setup.on_location(update, context, session, user)
