"""Last line of defence: log what escaped a handler, with the ids needed to act on it."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext

log = logging.getLogger(__name__)


async def log_error(update: object, context: BotContext) -> None:
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "handler failed",
        exc_info=context.error,
        extra={"update_id": update_id, "user_id": user_id},
    )
