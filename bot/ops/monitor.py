"""The operator's HTTP endpoint (METRICS_PORT): `/healthz` and Prometheus `/metrics`.

`/healthz` answers 200 when the database answers and the dispatcher finished a round
recently, else 503 with the reason as text (docker compose's health check reads it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.context import AppServices
from bot.delivery.dispatcher import Dispatcher
from bot.ops import metrics

log = logging.getLogger(__name__)

DATABASE_TIMEOUT = 3.0


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def dispatcher_stale_after(services: AppServices) -> float:
    """A dispatcher silent for longer than this is unhealthy: its safety interval, thrice,
    plus the time a long round may take."""
    return 3 * services.settings.dispatch_safety_seconds + 60


async def check_health(services: AppServices, dispatcher: Dispatcher | None) -> Health:
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), services.session_factory() as session:
            await session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to answer is the reason, in one line
        reason = str(getattr(error, "orig", None) or error).splitlines()[0] if str(error) else ""
        return Health(False, f"database: {type(error).__name__} {reason}".strip())
    if dispatcher is None or dispatcher.last_round_at is None:
        return Health(False, "dispatcher: has not run yet")
    age = time.monotonic() - dispatcher.last_round_at
    if age > dispatcher_stale_after(services):
        return Health(False, f"dispatcher: last round {age:.0f} s ago")
    return Health(True, f"ok: database answers, dispatcher ran {age:.0f} s ago")


class MonitorServer:
    """aiohttp server on (host, port); `dispatcher` is read on each request (set at post_init)."""

    def __init__(self, services: AppServices, host: str, port: int) -> None:
        self.services = services
        self.host = host
        self.port = port
        self.dispatcher: Dispatcher | None = None
        self._runner: web.AppRunner | None = None

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        return app

    async def _healthz(self, _request: web.Request) -> web.Response:
        health = await check_health(self.services, self.dispatcher)
        if not health.ok:
            log.warning("health check failing", extra={"reason": health.reason})
        return web.Response(status=200 if health.ok else 503, text=health.reason + "\n")

    async def _metrics(self, _request: web.Request) -> web.Response:
        try:
            await metrics.refresh_database_gauges(
                self.services.session_factory, self.services.clock()
            )
        except Exception:
            log.warning("metrics: database gauges not refreshed", exc_info=True)
        body = generate_latest(metrics.REGISTRY)
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("monitoring endpoint listening", extra={"host": self.host, "port": self.port})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
