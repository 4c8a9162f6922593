"""Start, stop, signals and hand-back, in one place: python-telegram-bot's builder hooks.

`build_application` gives the builder this object's `post_init`, `post_stop` and
`post_shutdown`, and its durable update queue; nothing else sets or wraps them.

* post_init: the command menu, the reminder engine (Dispatcher), the inbox worker (bot.ops.inbox)
  and, for `stretchbot run`, the monitoring endpoint and the stop signals.
* SIGTERM / SIGINT: stop fetching updates (polling: the Updater's last getUpdates confirms what
  is stored, nothing more; webhook: the server stops answering, so Telegram keeps the rest);
  meanwhile the updates and the reminders in flight get SHUTDOWN_DRAIN_SECONDS (default 6 s;
  docker waits 10 s before SIGKILL) to finish, outcomes recorded; whatever is still out is
  handed back (its lease ends now: the next process takes it at once). Then python-telegram-bot
  stops: Application.stop, post_stop, shutdown, post_shutdown. A second signal ends the drain
  at once.
* post_stop: the same hand-back without a drain, for a stop that came another way.
* post_shutdown: the monitoring endpoint, then the database engine (if this process made it).

python-telegram-bot's `run_polling`/`run_webhook` are called with `stop_signals=None`: these
handlers are the only ones (its own would stop at once, with no drain).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand

from bot.context import DISPATCHER_KEY, HOLD_TIMERS_KEY, AppServices
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.hold_timers import HoldTimers
from bot.ops import metrics
from bot.ops.inbox import DurableUpdateQueue, InboxWorker
from bot.ops.monitor import MonitorServer
from bot.views.commands import COMMANDS

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# How long stopping the Updater may take (polling: one last getUpdates, timeout 0).
STOP_FETCHING_SECONDS = 2.0


class Lifecycle:
    """What runs around the Application. `process=True` for `stretchbot run` (signals, the
    monitoring endpoint, `engine` disposed at the end); tests and `console` run without."""

    def __init__(
        self, services: AppServices, *, process: bool = False, engine: AsyncEngine | None = None
    ) -> None:
        self.services = services
        self.update_queue = DurableUpdateQueue(services.session_factory)
        self.dispatcher: Dispatcher | None = None
        self.inbox: InboxWorker | None = None
        self._process = process
        self._engine = engine
        settings = services.settings
        self.monitor = (
            MonitorServer(services, settings.metrics_listen, settings.metrics_port)
            if process and settings.metrics_port is not None
            else None
        )
        self._stopping: asyncio.Task[None] | None = None
        self._hurrying: asyncio.Task[None] | None = None

    # -- hooks -----------------------------------------------------------------------------

    async def post_init(self, application: Any) -> None:
        await application.bot.set_my_commands(
            [BotCommand(command.name, command.description) for command in COMMANDS]
        )
        services = self.services
        hold_timers = HoldTimers(application.bot)
        application.bot_data[HOLD_TIMERS_KEY] = hold_timers
        dispatcher = Dispatcher(services, application.bot, hold_timers)
        services.schedule_changes.subscribe(dispatcher.poke)
        dispatcher.on_outcomes.append(metrics.observe_outcomes)
        assert application.job_queue is not None
        dispatcher.start(application.job_queue)
        application.bot_data[DISPATCHER_KEY] = dispatcher
        self.dispatcher = dispatcher

        worker = InboxWorker(
            application,
            services.session_factory,
            lease=timedelta(seconds=services.settings.update_lease_seconds),
        )
        self.update_queue.on_stored.append(worker.wake)
        worker.start()  # handles what a previous process left, at once
        self.inbox = worker

        if self._process:
            loop = asyncio.get_running_loop()
            for sig in STOP_SIGNALS:
                loop.add_signal_handler(sig, self._on_signal, application, sig)
        if self.monitor is not None:
            self.monitor.dispatcher = dispatcher
            await self.monitor.start()

    async def post_stop(self, application: Any) -> None:
        await self._hand_back(drain=0.0)
        hold_timers = application.bot_data.get(HOLD_TIMERS_KEY)
        if hold_timers is not None:
            await hold_timers.close()

    async def post_shutdown(self, _application: Any) -> None:
        try:
            if self.monitor is not None:
                await self.monitor.stop()
        finally:
            if self._engine is not None:
                await self._engine.dispose()

    # -- stopping --------------------------------------------------------------------------

    def _on_signal(self, application: Any, sig: signal.Signals) -> None:
        if self._stopping is not None:
            log.warning(
                "second stop signal: handing back what is in flight now",
                extra={"signal": sig.name},
            )
            # The drain ends at once (the stop itself then goes on as usual).
            self._hurrying = asyncio.create_task(self._hand_back(drain=0.0))
            return
        log.info(
            "stop signal: finishing updates and reminders in flight", extra={"signal": sig.name}
        )
        self._stopping = asyncio.create_task(self._graceful_stop(application))

    async def _graceful_stop(self, application: Any) -> None:
        try:
            await asyncio.gather(
                self._stop_fetching(application),
                self._hand_back(self.services.settings.shutdown_drain_seconds),
            )
        finally:
            application.stop_running()

    async def _stop_fetching(self, application: Any) -> None:
        updater = application.updater
        if updater is None or not updater.running:
            return
        try:
            async with asyncio.timeout(STOP_FETCHING_SECONDS):
                await updater.stop()
        except Exception:
            log.exception("could not stop fetching updates cleanly")

    async def _hand_back(self, drain: float) -> None:
        """Drain updates and reminders in flight for up to `drain` seconds, together; hand
        back the rest. Safe to call again (it waits for the first call)."""
        closing = []
        if self.inbox is not None:
            closing.append(self.inbox.close(drain))
        if self.dispatcher is not None:
            closing.append(self.dispatcher.close(drain))
        for outcome in await asyncio.gather(*closing, return_exceptions=True):
            if isinstance(outcome, BaseException):
                log.error(
                    "could not drain; leases will expire instead",
                    exc_info=(type(outcome), outcome, outcome.__traceback__),
                )
