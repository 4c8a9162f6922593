"""Asking a patient whether to share their record with a practitioner (the question a
practitioner's link opens), and remembering which message asked it."""

from __future__ import annotations

from telegram import Message, Update

from bot.context import BotContext
from bot.handlers.common import OnSent, send
from bot.services import accounts, sharing
from bot.services.practitioners import Practitioner
from bot.views import clinic as views


async def ask(
    update: Update, context: BotContext, share_id: int, practitioner: Practitioner
) -> None:
    await send(
        update,
        context,
        *views.share_question(practitioner, share_id),
        on_sent=_remember(context, share_id),
    )


def _remember(context: BotContext, share_id: int) -> OnSent:
    """Once Telegram has the question, only that message's buttons may answer it."""

    async def remember(message: Message) -> None:
        async with context.services.session_factory() as session:
            await sharing.asked_in(session, share_id, message.message_id)
            await session.commit()

    return remember


async def ask_pending(update: Update, context: BotContext, user: accounts.User) -> None:
    """Once set-up is done: the sharing question a practitioner's link opened (at /start, in
    an earlier update: committed, so a session of its own reads it)."""
    async with context.services.session_factory() as session:
        pending = await sharing.unasked(session, user)
    for share, practitioner in pending:
        await ask(update, context, share.id, practitioner)
