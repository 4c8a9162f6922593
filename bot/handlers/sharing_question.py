"""Asking a patient whether to share their record with a practitioner (the question a
practitioner's link opens), and remembering which message asked it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update

from bot.context import BotContext
from bot.db.models import Practitioner, User
from bot.handlers.common import OnSent, send
from bot.services import sharing
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


async def ask_pending(
    update: Update, context: BotContext, session: AsyncSession, user: User
) -> None:
    """Once set-up is done: the sharing question a practitioner's link opened during it."""
    for share, practitioner in await sharing.unasked(session, user):
        await ask(update, context, share.id, practitioner)
