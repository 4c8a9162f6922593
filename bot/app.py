"""Builds the python-telegram-bot Application: handlers, rate limiter, start-up and shutdown."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import SERVICES_KEY, AppServices, BotContext
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.rate_budget import SharedRateBudget
from bot.delivery.rate_limit import SlidingWindowRateLimiter
from bot.handlers import account, admin, basic, router, setup
from bot.handlers.errors import log_error
from bot.ops import metrics
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
        # AIORateLimiter, pacing 30 messages/s with a sliding window instead of its leaky bucket
        # (which starts every burst with 429s; see bot.delivery.rate_limit), shared with the
        # other processes on a PostgreSQL database (bot.delivery.rate_budget). Retries on 429
        # honour Telegram's retry_after; the default max_retries=0 would raise RetryAfter to the
        # caller instead.
        .rate_limiter(
            SlidingWindowRateLimiter(
                max_retries=3,
                paid_rate=settings.paid_broadcast_rate if settings.paid_broadcast else None,
                budget=None
                if settings.is_sqlite or not settings.shared_rate_budget
                else SharedRateBudget(services.session_factory.kw["bind"]),
            )
        )
        # The Bot API transport (aiohttp: a third of httpx's CPU per request), counting
        # Telegram errors by status code for /metrics.
        .request(metrics.ObservedRequest(connection_pool_size=256))
        .get_updates_request(metrics.ObservedRequest(connection_pool_size=1))
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
        CommandHandler("progress", account.progress_command, filters=private),
        CommandHandler("pause", account.pause_command, filters=private),
        CommandHandler("resume", account.resume_command, filters=private),
        CommandHandler("stop", account.stop_command, filters=private),
        CommandHandler("export", account.export_command, filters=private),
        CommandHandler("delete", account.delete_command, filters=private),
        # Admins only (ADMIN_IDS), not in the command menu; others get the unknown-command answer.
        CommandHandler("stats", admin.stats_command, filters=private),
        CallbackQueryHandler(router.on_callback),
        MessageHandler(private & filters.LOCATION, router.on_location),
        # Anything that looks like a command but none of the above.
        MessageHandler(private & filters.COMMAND, basic.unknown_command),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, router.on_text),
    ]
    application.add_handlers(handlers)
    # Group -1 runs before the handlers above for every update: count it, change nothing.
    application.add_handler(TypeHandler(Update, metrics.count_update), group=-1)
    application.add_error_handler(log_error)


async def _post_init(application: BotApplication) -> None:
    await application.bot.set_my_commands(
        [BotCommand(command.name, command.description) for command in COMMANDS]
    )
    services: AppServices = application.bot_data[SERVICES_KEY]
    dispatcher = Dispatcher(services, application.bot)
    services.schedule_changes.subscribe(dispatcher.poke)
    dispatcher.on_outcomes.append(metrics.observe_outcomes)
    assert application.job_queue is not None
    dispatcher.start(application.job_queue)
    application.bot_data[DISPATCHER_KEY] = dispatcher
