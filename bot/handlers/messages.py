"""Where free text and shared locations go (button presses have their own routes: bot.app).

Typed text from a set-up user is tried as an answer to a prompt first ("done", "later"... is
never a city or a time), then as an answer to the set-up step they are at; anything else gets
the "I didn't catch that" reply.
"""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers import answers, basic, setup
from bot.handlers.common import unit_of_work
from bot.services import accounts, dialogue


async def on_text(update: Update, context: BotContext) -> None:
    message, tg_user = update.effective_message, update.effective_user
    assert message is not None
    assert tg_user is not None
    text = (message.text or "").strip()
    async with unit_of_work(context) as session:
        user = await accounts.find_user(session, tg_user.id)
        if user is not None and dialogue.is_consented(user):
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
        if user is None or not dialogue.is_consented(user):
            await basic.unknown_text(update, context)
            return
        await setup.on_location(update, context, session, user)
