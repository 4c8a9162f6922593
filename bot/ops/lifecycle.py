"""What `stretchbot run` adds around the Application: the monitoring endpoint and a graceful
SIGTERM.

python-telegram-bot stops on SIGTERM by waiting for running jobs without a bound, and a
dispatch round keeps claiming while anything is due. Ours: stop claiming, give the batch in
flight SHUTDOWN_DRAIN_SECONDS (default 6 s; docker waits 10 s before SIGKILL) to finish, its
outcomes recorded; hand back whatever is still out (lease ends now, so another process sends
it at once); then let python-telegram-bot stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from bot.app import DISPATCHER_KEY
from bot.context import AppServices
from bot.delivery.dispatcher import Dispatcher
from bot.ops.monitor import MonitorServer

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def install(application: Any, services: AppServices) -> None:
    """Chain our start-up and shutdown steps onto the Application's post_init/post_shutdown."""
    settings = services.settings
    monitor = (
        MonitorServer(services, settings.metrics_listen, settings.metrics_port)
        if settings.metrics_port is not None
        else None
    )
    app_post_init, app_post_shutdown = application.post_init, application.post_shutdown
    stopping: list[asyncio.Task[None]] = []
    drain = settings.shutdown_drain_seconds

    async def post_init(app: Any) -> None:
        if app_post_init is not None:
            await app_post_init(app)
        dispatcher: Dispatcher | None = app.bot_data.get(DISPATCHER_KEY)
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            # Replaces python-telegram-bot's handler (it would stop without draining).
            loop.add_signal_handler(sig, _on_signal, app, dispatcher, sig, stopping, drain)
        if monitor is not None:
            monitor.dispatcher = dispatcher
            await monitor.start()

    async def post_shutdown(app: Any) -> None:
        try:
            if monitor is not None:
                await monitor.stop()
        finally:
            if app_post_shutdown is not None:
                await app_post_shutdown(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown


def _on_signal(
    application: Any,
    dispatcher: Dispatcher | None,
    sig: signal.Signals,
    stopping: list[asyncio.Task[None]],
    drain: float,
) -> None:
    if stopping:
        log.warning("second stop signal: stopping now", extra={"signal": sig.name})
        application.stop_running()
        return
    log.info("stop signal: finishing in-flight reminders", extra={"signal": sig.name})
    stopping.append(asyncio.create_task(graceful_stop(application, dispatcher, drain)))


async def graceful_stop(application: Any, dispatcher: Dispatcher | None, drain: float) -> None:
    try:
        if dispatcher is not None:
            await dispatcher.close(drain)
    except Exception:
        log.exception("could not drain the dispatcher; leases will expire instead")
    finally:
        application.stop_running()
