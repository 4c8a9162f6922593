"""/help, and the answers to anything the bot does not understand."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.views import texts


async def help_command(update: Update, context: BotContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.help_text())


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    command = message.text.split()[0].split("@")[0][:64]
    await message.reply_text(texts.unknown_command(command))


async def unknown_text(update: Update, context: BotContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.plain_text_fallback())
