"""What handlers and jobs receive: python-telegram-bot's context plus our services.

The Application holds one `AppServices` in bot_data; `BotContext.services` gives handlers typed
access to it, following python-telegram-bot's `contexttypes.py` example.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.catalog import Catalog
from bot.config import Settings
from bot.db.engine import SessionFactory
from bot.db.types import utc_now
from bot.services.changes import ScheduleChanges

SERVICES_KEY = "services"
# bot_data key of the reminder engine (bot.delivery.dispatcher), set at start-up.
DISPATCHER_KEY = "dispatcher"
HOLD_TIMERS_KEY = "hold_timers"


@dataclass(frozen=True)
class AppServices:
    settings: Settings
    catalog: Catalog
    session_factory: SessionFactory
    # The bot's idea of "now" (aware UTC). Replaceable so `console` and tests can move time.
    clock: Callable[[], datetime] = utc_now
    schedule_changes: ScheduleChanges = field(default_factory=ScheduleChanges)


# ExtBot[int]: the bot's rate limiter is an AIORateLimiter, whose per-call argument is an int.
class BotContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> AppServices:
        services = self.bot_data[SERVICES_KEY]
        assert isinstance(services, AppServices)
        return services

    @classmethod
    def from_application(cls, application: Application[Any, Any, Any, Any, Any, Any]) -> BotContext:
        return cls(application=application)
