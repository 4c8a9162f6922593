"""The reminder engine's loop: the JobQueue is only the clock, the database the source of truth.

There are no per-user jobs. One job wakes the dispatcher at the earliest due moment in the
database (re-planned after every round and whenever a schedule changes), and a repeating job
is the safety net (e.g. a change made by another replica). Each round: claim a batch in one
transaction, send it concurrently through the rate limiter, record every outcome; repeat until
nothing is due.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.ext import ContextTypes, JobQueue

from bot.context import AppServices
from bot.delivery.pictures import PictureFiles
from bot.delivery.sender import Sender
from bot.services.dispatch import (
    Claimed,
    DispatchPolicy,
    Outcome,
    claim_due,
    earliest_due,
    record_outcomes,
)

log = logging.getLogger(__name__)

# APScheduler's default misfire_grace_time is 1 s: a wake-up delayed by a busy loop would be
# dropped silently. Ours always run, and coalesce if several were missed.
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}


class Dispatcher:
    def __init__(self, services: AppServices, bot: Bot) -> None:
        settings = services.settings
        self.services = services
        self.policy = DispatchPolicy(
            grace=timedelta(minutes=settings.missed_grace_minutes),
            lease=timedelta(seconds=settings.delivery_lease_seconds),
        )
        self.sender = Sender(
            bot=bot,
            catalog=services.catalog,
            pictures=PictureFiles(services.session_factory),
            clock=services.clock,
        )
        self._concurrency = asyncio.Semaphore(settings.send_concurrency)
        self._round = asyncio.Lock()
        self._job_queue: JobQueue[Any] | None = None
        self.last_round_at: float | None = None  # monotonic; for health checks
        self.on_outcomes: list[Callable[[list[Claimed], list[Outcome]], None]] = []

    # -- clock -----------------------------------------------------------------------------

    def start(self, job_queue: JobQueue[Any]) -> None:
        self._job_queue = job_queue
        job_queue.run_repeating(
            self._job,
            interval=self.services.settings.dispatch_safety_seconds,
            first=0,
            name="dispatch-safety",
            job_kwargs=JOB_KWARGS,
        )

    def poke(self) -> None:
        """A schedule changed: look again now (cheap when nothing is due)."""
        if self._job_queue is not None:
            self._job_queue.run_once(self._job, when=0, name="dispatch-poke", job_kwargs=JOB_KWARGS)

    async def _job(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.run_round()
        except Exception:
            # The database went away, say: log it and let the next wake-up try again. Nothing
            # is lost: whatever was claimed and not recorded is claimed again after its lease.
            log.exception("dispatch round failed")
        try:
            await self._plan_wake()
        except Exception:
            log.exception("could not plan the next wake-up; the safety interval still runs")

    async def _plan_wake(self) -> None:
        if self._job_queue is None:
            return
        async with self.services.session_factory() as session:
            due = await earliest_due(session)
        if due is None:
            return
        # Relative to the bot's clock (which tests and `console` can move), not wall time.
        delay = max(0.0, (due - self.services.clock()).total_seconds())
        # One wake-up job, replaced each time: never a job per user or per reminder.
        self._job_queue.run_once(
            self._job,
            when=delay,
            name="dispatch-wake",
            job_kwargs={**JOB_KWARGS, "id": "dispatch-wake", "replace_existing": True},
        )

    # -- rounds ----------------------------------------------------------------------------

    async def run_round(self) -> int:
        """Claim, send and record until nothing is due; returns how many were sent or tried."""
        async with self._round:
            total = 0
            while True:
                now = self.services.clock()
                async with self.services.session_factory() as session:
                    claimed = await claim_due(session, self.services.catalog, now, self.policy)
                if not claimed:
                    break
                outcomes = await asyncio.gather(*(self._send(claim) for claim in claimed))
                async with self.services.session_factory() as session:
                    await record_outcomes(session, list(outcomes))
                for listener in self.on_outcomes:
                    listener(claimed, list(outcomes))
                total += len(claimed)
            self.last_round_at = time.monotonic()
            return total

    async def _send(self, claim: Claimed) -> Outcome:
        async with self._concurrency:
            return await self.sender.send(claim)
