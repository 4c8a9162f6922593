"""Builds the python-telegram-bot Application: handlers, rate limiter, update queue and the
lifecycle hooks (start-up, shutdown: bot.ops.lifecycle)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import SERVICES_KEY, AppServices, BotContext
from bot.delivery.aiohttp_request import AiohttpRequest
from bot.delivery.rate_budget import SharedRateBudget
from bot.delivery.rate_limit import SlidingWindowRateLimiter
from bot.handlers import account, admin, answers, basic, clinic, hold, messages, press, setup
from bot.handlers.errors import log_error
from bot.ops import metrics
from bot.ops.lifecycle import Lifecycle
from bot.views import callback_data as cb

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


def build_application(services: AppServices, lifecycle: Lifecycle | None = None) -> BotApplication:
    """The Application; `lifecycle` (default: one without signals or monitoring, for tests and
    `console`) owns its start-up and shutdown."""
    settings = services.settings
    lifecycle = lifecycle or Lifecycle(services)
    root = settings.telegram_api_url
    application = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=BotContext))
        # Every text the bot writes is Telegram HTML (bot.views). The engine's raw Bot API
        # calls (bot.delivery.engine_api) bypass these defaults and set parse_mode themselves.
        .defaults(Defaults(parse_mode=ParseMode.HTML))
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
        .request(AiohttpRequest(connection_pool_size=256, on_error=metrics.count_telegram_error))
        .get_updates_request(
            AiohttpRequest(connection_pool_size=1, on_error=metrics.count_telegram_error)
        )
        # Every update is stored before Telegram is told it arrived, then handled from the
        # database (bot.ops.inbox).
        .update_queue(lifecycle.update_queue)
        .post_init(lifecycle.post_init)
        .post_stop(lifecycle.post_stop)
        .post_shutdown(lifecycle.post_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    _add_handlers(application)
    return application


def _add_handlers(application: BotApplication) -> None:
    # Order matters: python-telegram-bot tries handlers of a group in order, first match wins.
    private = filters.ChatType.PRIVATE
    handlers = [
        # /start, also with a practitioner's claim or invite code (the clinic loop).
        CommandHandler("start", clinic.start, filters=private),
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
        CommandHandler("report", clinic.report_command, filters=private),
        # Practitioners: their sharing patients, and their invite link (admins: add one).
        CommandHandler("patients", clinic.patients_command, filters=private),
        CommandHandler("invite", clinic.invite_command, filters=private),
        # Admins only (ADMIN_IDS), not in the command menu; others get the unknown-command answer.
        CommandHandler("stats", admin.stats_command, filters=private),
        # Inline buttons, by the action their data starts with. Each route runs only for a
        # checked press (its owner's chat, data that parses, a known user: bot.handlers.press).
        *(
            CallbackQueryHandler(route, pattern=cb.route(action))
            for action, route in (
                # answers to a prompt, and the questions that follow them
                (cb.ANSWER, answers.answer_button),
                (cb.STRONGER, answers.stronger_button),
                (cb.TRY_EASIER, answers.try_easier_button),
                (cb.UNBLOCK, answers.unblock_button),
                (cb.UNDO, answers.undo_button),
                (cb.SIDE, answers.side_button),
                (cb.NOOP, press.noop),
                # the hold timer under a prompt, and its countdown's buttons
                (cb.HOLD, hold.hold_button),
                (cb.HOLD_STOP, hold.stop_button),
                # set-up steps (onboarding, and the same steps from /settings)
                (cb.CONSENT, setup.consent),
                (cb.CONDITION_TOGGLE, setup.toggle_condition),
                (cb.CONDITIONS_DONE, setup.conditions_done),
                (cb.ZONE_PICK, setup.pick_zone),
                (cb.TIME_TOGGLE, setup.toggle_time),
                (cb.TIMES_DONE, setup.times_done),
                (cb.DAYS_PRESET, setup.days_preset),
                (cb.DAY_TOGGLE, setup.toggle_day),
                (cb.DAYS_DONE, setup.days_done),
                (cb.GOAL_SET, setup.choose_goal),
                # the settings screen
                (cb.SETTINGS_OPEN, account.open_settings_section),
                (cb.PAUSE_TOGGLE, account.toggle_pause),
                (cb.NUDGES_TOGGLE, account.toggle_nudges),
                (cb.DELETE_CANCEL, account.cancel_delete),
                (cb.DELETE_CONFIRM, account.confirm_delete),
                # the clinic loop: a patient's sharing and weekly pain check-in
                (cb.SHARE, clinic.share_button),
                (cb.UNSHARE, clinic.unshare_button),
                (cb.PAIN, clinic.pain_button),
                (cb.PAIN_TOGGLE, clinic.pain_toggle_button),
                (cb.PAIN_DAY, clinic.pain_day_button),
                # ... and a practitioner's patients (each checked against a live share)
                (cb.PATIENTS_PAGE, clinic.patients_page_button),
                (cb.PATIENT_CARD, clinic.card_button),
                (cb.PATIENT_REPORT, clinic.report_button),
            )
        ),
        # Malformed, forged or retired button data: a polite "doesn't work any more".
        CallbackQueryHandler(press.stale),
        MessageHandler(private & filters.LOCATION, messages.on_location),
        # Anything that looks like a command but none of the above.
        MessageHandler(private & filters.COMMAND, basic.unknown_command),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, messages.on_text),
    ]
    application.add_handlers(handlers)
    # Group -1 runs before the handlers above for every update: count it, change nothing.
    application.add_handler(TypeHandler(Update, metrics.count_update), group=-1)
    application.add_error_handler(log_error)
