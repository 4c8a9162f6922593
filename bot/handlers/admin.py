"""/stats, for the Telegram ids in ADMIN_IDS only; to anyone else it is an unknown command."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.handlers import basic
from bot.services.stats import gather_stats
from bot.views.stats import stats_text

log = logging.getLogger(__name__)


async def stats_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    assert message is not None
    if user is None or user.id not in context.services.settings.admin_ids:
        # Don't reveal that the command exists.
        await basic.unknown_command(update, context)
        return
    services = context.services
    async with services.session_factory() as session:
        stats = await gather_stats(session, services.clock())
    log.info("admin stats", extra={"telegram_id": user.id})
    await message.reply_text(stats_text(stats, services.catalog))
