"""Builds the python-telegram-bot Application: handlers, rate limiter, start-up and shutdown."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.context import SERVICES_KEY, AppServices, BotContext
from bot.delivery.dispatcher import Dispatcher
from bot.handlers import account, basic, router, setup
from bot.handlers.errors import log_error
from bot.views.commands import COMMANDS

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]
DISPATCHER_KEY = "dispatcher"


def build_application(services: AppServices) -> BotApplication:
    settings = services.settings
    root = settings.telegram_api_url
    application = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=BotContext))
        # Retries on 429 honour Telegram's retry_after; the default max_retries=0 would raise
        # RetryAfter to the caller instead.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    _add_handlers(application)
    return application


def _add_handlers(application: BotApplication) -> None:
    # Order matters: python-telegram-bot tries handlers of a group in order, first match wins.
    private = filters.ChatType.PRIVATE
    handlers = [
        CommandHandler("start", setup.start, filters=private),
        CommandHandler("help", basic.help_command, filters=private),
        CommandHandler("about", account.about_command, filters=private),
        CommandHandler("settings", account.settings_command, filters=private),
        CommandHandler("conditions", account.section_command("conditions"), filters=private),
        CommandHandler("timezone", account.section_command("timezone"), filters=private),
        CommandHandler("times", account.section_command("times"), filters=private),
        CommandHandler("next", account.next_command, filters=private),
        CommandHandler("pause", account.pause_command, filters=private),
        CommandHandler("resume", account.resume_command, filters=private),
        CommandHandler("stop", account.stop_command, filters=private),
        CommandHandler("export", account.export_command, filters=private),
        CommandHandler("delete", account.delete_command, filters=private),
        CallbackQueryHandler(router.on_callback),
        MessageHandler(private & filters.LOCATION, router.on_location),
        # Anything that looks like a command but none of the above.
        MessageHandler(private & filters.COMMAND, basic.unknown_command),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, router.on_text),
    ]
    application.add_handlers(handlers)
    application.add_error_handler(log_error)


async def _post_init(application: BotApplication) -> None:
    await application.bot.set_my_commands(
        [BotCommand(command.name, command.description) for command in COMMANDS]
    )
    services: AppServices = application.bot_data[SERVICES_KEY]
    dispatcher = Dispatcher(services, application.bot)
    services.schedule_changes.subscribe(dispatcher.poke)
    assert application.job_queue is not None
    dispatcher.start(application.job_queue)
    application.bot_data[DISPATCHER_KEY] = dispatcher
