"""The reminder engine's loop: the JobQueue is only the clock, the database the source of truth.

There are no per-user jobs. One job wakes the dispatcher at the earliest due moment in the
database (re-planned after every round and whenever a schedule changes), and a repeating job
is the safety net (e.g. a change made by another replica). Each round: claim a batch in one
transaction, send it concurrently through the rate limiter, record every outcome; repeat until
nothing is due.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.context import AppServices
from bot.db.models import DeliveryStatus
from bot.delivery.clinic import ClinicMessages
from bot.delivery.hold_timers import HoldTimers
from bot.delivery.lease_keeper import LeaseKeeper
from bot.delivery.picture_uploads import PictureUploads
from bot.delivery.sender import Sender
from bot.services.dispatch.claim import Claimed, claim_due, earliest_due
from bot.services.dispatch.handback import release_claims
from bot.services.dispatch.outcomes import ERROR_LENGTH, Outcome, record_outcomes
from bot.services.dispatch.policy import DispatchPolicy
from bot.services.nudges import Nudge, claim_nudges
from bot.views.nudge import nudge as nudge_text

log = logging.getLogger(__name__)


_gc_frozen = False  # see Dispatcher.start


class _Progress:
    """How many sends of a batch are left; `running_low` once no more than `low`."""

    def __init__(self, left: int, low: int) -> None:
        self.left = left
        self.low = low
        self.running_low = asyncio.Event()
        if left <= low:
            self.running_low.set()

    def one_done(self, _task: object) -> None:
        self.left -= 1
        if self.left <= self.low:
            self.running_low.set()


# APScheduler's default misfire_grace_time is 1 s: a wake-up delayed by a busy loop would be
# dropped silently. Ours always run, and coalesce if several were missed.
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}
# After a failed round (e.g. the database is away): look again this soon.
RETRY_SECONDS = 1.0
# Pauses between attempts to record a batch's outcomes while the database is away (~30 s).
RECORD_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
# While a batch is being sent, a finished send is recorded within this many seconds (with
# whatever else finished meanwhile): a crash repeats at most these and the ones in flight.
RECORD_WITHIN = 0.1


class Dispatcher:
    def __init__(
        self, services: AppServices, bot: Bot, hold_timers: HoldTimers | None = None
    ) -> None:
        settings = services.settings
        self.services = services
        self.policy = DispatchPolicy(
            grace=timedelta(minutes=settings.missed_grace_minutes),
            lease=timedelta(seconds=settings.delivery_lease_seconds),
        )
        self.sender = Sender(
            bot=bot,
            catalog=services.catalog,
            pictures=PictureUploads(services.session_factory),
            clock=services.clock,
            paid_broadcast=settings.paid_broadcast,
            # A new prompt ends the chat's hold timer: its countdown is for the last stretch.
            before_prompt=hold_timers.cancel if hold_timers is not None else None,
            animations=settings.card_animations,
        )
        self.clinic = ClinicMessages(services, self.sender.api, self.policy.lease)
        self.leases = LeaseKeeper(services.session_factory, services.clock, self.policy.lease)
        self._concurrency = asyncio.Semaphore(settings.send_concurrency)
        # Claim the next batch once this few of the current one are left (all of them in flight).
        self._prefetch_below = settings.send_concurrency
        self._round = asyncio.Lock()
        self._job_queue: JobQueue[Any] | None = None
        self.last_round_at: float | None = None  # monotonic; for health checks
        self.on_outcomes: list[Callable[[list[Claimed], list[Outcome]], None]] = []
        self._finished: list[Outcome] = []  # sent (or given up), not yet recorded
        self._wake_recorder = asyncio.Event()
        self._recording_planned: asyncio.TimerHandle | None = None
        self._closing = False  # shutting down: claim nothing more
        self._round_task: asyncio.Task[Any] | None = None

    # -- clock -----------------------------------------------------------------------------

    def start(self, job_queue: JobQueue[Any]) -> None:
        self._job_queue = job_queue
        # A process-wide change, kept for a measured reason: everything loaded by now
        # (libraries, the content pack, the application) lives as long as the process, and
        # gc.freeze() moves it out of the garbage collector's sight. Measured on 30 Nov 2026
        # (benchmarks/burst.py, 900 reminders, SQLite, six pairs alternating with and without
        # it, the first three with first, the last three without first): bot CPU per reminder
        # 0.68-0.89 ms with it vs 0.82-1.06 ms without, lower in every pair by 0.11-0.23 ms
        # (~17 %); rate and 429s the same within the machine's noise. Time inside collections
        # during the burst (gc.callbacks) was alike (17-61 ms, no full collection either way),
        # so the saving is not in the pauses the collector reports; three earlier pairs on an
        # overloaded host were mixed (benchmarks/README.md).
        # Once per process: a test process starts many dispatchers.
        global _gc_frozen
        if not _gc_frozen:
            gc.freeze()
            _gc_frozen = True
        job_queue.run_repeating(
            self._job,
            interval=self.services.settings.dispatch_safety_seconds,
            first=0,
            name="dispatch-safety",
            job_kwargs=JOB_KWARGS,
        )
        # `first=0` alone does not run a round at start: this is called before the scheduler
        # starts, and APScheduler's interval trigger then rounds a start time already past up
        # to the next interval (measured: the first round came 30 s after start-up, and
        # reminders due meanwhile waited for it). A one-shot job runs at once, and plans the
        # first wake-up.
        self.poke()

    def poke(self) -> None:
        """A schedule changed: look again now (cheap when nothing is due)."""
        if self._job_queue is not None:
            self._job_queue.run_once(self._job, when=0, name="dispatch-poke", job_kwargs=JOB_KWARGS)

    async def _job(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.run_round()
        except asyncio.CancelledError:
            if not self._closing:
                raise
            return  # close() cut the round short; what it claimed was handed back
        except Exception:
            # The database went away, say: log it and try again shortly (not at once: a fault
            # that persists must not spin). Nothing is lost: whatever was claimed and not
            # recorded is claimed again after its lease.
            log.exception("dispatch round failed")
            self._wake_in(RETRY_SECONDS)
            return
        try:
            await self._plan_wake()
        except Exception:
            log.exception("could not plan the next wake-up; trying again shortly")
            self._wake_in(RETRY_SECONDS)

    async def _plan_wake(self) -> None:
        if self._job_queue is None:
            return
        async with self.services.session_factory() as session:
            due = await earliest_due(session)
        if due is None:
            return
        # Relative to the bot's clock (which tests and `console` can move), not wall time.
        self._wake_in(max(0.0, (due - self.services.clock()).total_seconds()))

    def _wake_in(self, delay: float) -> None:
        if self._job_queue is None:
            return
        # One wake-up job, replaced each time: never a job per user or per reminder.
        self._job_queue.run_once(
            self._job,
            when=delay,
            name="dispatch-wake",
            # max_instances=2: this job plans its own successor; one due at once would
            # otherwise be skipped ("maximum number of running instances reached") while this
            # instance finishes, leaving reminders to the safety interval. Rounds take turns.
            job_kwargs={
                **JOB_KWARGS,
                "id": "dispatch-wake",
                "replace_existing": True,
                "max_instances": 2,
            },
        )

    # -- rounds ----------------------------------------------------------------------------

    async def run_round(self) -> int:
        """Claim, send and record until nothing is due; returns how many were sent or tried."""
        async with self._round:
            self._round_task = asyncio.current_task()
            # Outcomes are recorded as sends finish, not when a whole batch is done: if the
            # process dies, only what was truly in flight is claimed (and sent) again.
            sending = asyncio.Event()
            sending.set()
            recorder = asyncio.create_task(self._record_while(sending))
            done_sending = asyncio.Event()
            keeper = asyncio.create_task(self.leases.keep_until(done_sending))
            batches: list[tuple[list[Claimed], asyncio.Future[list[Outcome]]]] = []
            try:
                try:
                    await self._claim_and_send(batches)
                except asyncio.CancelledError:
                    # close() ran out of time: each batch records what finished and hands the
                    # rest back (see _send_all).
                    for _, batch in batches:
                        batch.cancel()
                    raise
                finally:
                    # Every batch claimed is sent (or handed back) before the round ends, also
                    # when a later claim failed (the database went away).
                    await asyncio.gather(*(batch for _, batch in batches), return_exceptions=True)
            finally:
                sending.clear()
                self._wake_recorder.set()
                await recorder  # records the rest
                done_sending.set()
                await keeper
                for claimed, batch in batches:
                    if batch.done() and not batch.cancelled() and batch.exception() is None:
                        for listener in self.on_outcomes:
                            listener(claimed, list(batch.result()))
            if not self._closing:
                await self._send_nudges()
                await self._send_clinic_messages()
            self.last_round_at = time.monotonic()
            self._round_task = None
            return sum(len(claimed) for claimed, _ in batches)

    async def _claim_and_send(
        self, batches: list[tuple[list[Claimed], asyncio.Future[list[Outcome]]]]
    ) -> None:
        """Claim batches until nothing is due, each sent by a task of its own. The next batch
        is claimed while the current one is still sending, once no more of it are left than can
        be in flight at once: sends keep queueing at the rate limiter, with no pause between
        batches for recording and claiming. (Measured: such a pause cut the sliding window's
        waves in two for the rest of a burst: time lost, and 429s from the split waves.)"""
        while not self._closing:
            now, claimed_at = self.services.clock(), time.monotonic()
            async with self.services.session_factory() as session:
                claimed = await claim_due(session, self.services.catalog, now, self.policy)
            if not claimed:
                return
            self.leases.claimed((claim.delivery_id for claim in claimed), claimed_at)
            progress = _Progress(len(claimed), low=self._prefetch_below)
            batches.append(
                (claimed, asyncio.ensure_future(self._send_all(claimed, progress.one_done)))
            )
            await progress.running_low.wait()

    async def _send_all(
        self, claimed: list[Claimed], one_done: Callable[[object], None]
    ) -> list[Outcome]:
        tasks = [asyncio.ensure_future(self._send(claim)) for claim in claimed]
        for task in tasks:
            task.add_done_callback(one_done)
        try:
            return list(await asyncio.gather(*tasks))
        except asyncio.CancelledError:
            # close() ran out of time: record what finished, hand the rest back at once.
            done = [
                t.result() for t in tasks if t.done() and not t.cancelled() and not t.exception()
            ]
            await asyncio.shield(self._hand_back(claimed, done))
            raise

    async def _hand_back(self, claimed: list[Claimed], done: list[Outcome]) -> None:
        finished = {outcome.delivery_id for outcome in done}
        unfinished = [c.delivery_id for c in claimed if c.delivery_id not in finished]
        async with self.services.session_factory() as session:
            await record_outcomes(session, done)
        async with self.services.session_factory() as session:
            released = await release_claims(session, unfinished, self.services.clock())
        self.leases.done(claim.delivery_id for claim in claimed)
        for listener in self.on_outcomes:
            listener(claimed, done)
        log.warning(
            "shutdown: in-flight reminders handed back",
            extra={"recorded": len(done), "released": released},
        )

    # -- shutdown --------------------------------------------------------------------------

    async def close(self, timeout: float) -> None:  # noqa: ASYNC109 (a budget, not a timeout)
        """Stop claiming; let the batch in flight finish within `timeout` seconds, else cut it
        short: finished sends are recorded and the rest handed back (lease ends now)."""
        self._closing = True
        task = self._round_task
        if task is None or task.done() or task is asyncio.current_task():
            return
        _, pending = await asyncio.wait({task}, timeout=timeout)
        if pending:
            task.cancel()
            await asyncio.wait({task})

    async def _record_while(self, sending: asyncio.Event) -> None:
        """Record finished outcomes (see `_finished_one`) while `sending`, then the rest.

        Woken by a timer the first finished send sets, not by a clock ticking all along: at
        Telegram's pace a batch mostly waits for the rate limiter, and a 10 Hz tick
        (`wait_for` with a timeout: a task, a timer and a cancellation each time) was ~15 % of
        the bot's CPU per reminder. A wave's answers arrive together and are recorded together.
        """
        while True:
            await self._wake_recorder.wait()
            self._wake_recorder.clear()
            if self._recording_planned is not None:
                self._recording_planned.cancel()
                self._recording_planned = None
            last = not sending.is_set()  # then every outcome of the batch is in _finished
            if self._finished:
                finished, self._finished = self._finished, []
                await self._record(finished)
            if last:
                return

    async def _record(self, outcomes: list[Outcome]) -> None:
        """Record what was sent; if the database is away, keep trying for a while: an outcome
        lost here means a reminder sent twice (it is claimed again after its lease)."""
        for attempt, pause in enumerate((*RECORD_BACKOFF, None), 1):
            try:
                async with self.services.session_factory() as session:
                    await record_outcomes(session, outcomes)
                self.leases.done(outcome.delivery_id for outcome in outcomes)
            except Exception:
                if pause is None:
                    raise
                log.warning(
                    "could not record outcomes; retrying",
                    exc_info=True,
                    extra={"outcomes": len(outcomes), "attempt": attempt},
                )
                await asyncio.sleep(pause)
            else:
                return

    async def _send_clinic_messages(self) -> None:
        """The clinic loop's check-ins, alerts and digests (bot.delivery.clinic): recorded
        deliveries like prompts. Their failure never stops the prompts' round."""
        try:
            await self.clinic.run()
        except Exception:
            log.exception("clinic messages round failed; trying again next round")

    async def _send_nudges(self) -> None:
        """The one gentle follow-up for prompts left unanswered (see services.nudges). Checked
        every round, so at most the safety interval late: precision doesn't matter here."""
        after = timedelta(minutes=self.services.settings.nudge_after_minutes)
        async with self.services.session_factory() as session:
            nudges = await claim_nudges(session, self.services.clock(), after)
        await asyncio.gather(*(self._send_nudge(nudge) for nudge in nudges))

    async def _send_nudge(self, nudge: Nudge) -> None:
        async with self._concurrency:
            try:
                # The engine's one send path (bot.delivery.engine_api), as prompts take.
                await self.sender.api.send_message(
                    nudge.chat_id,
                    nudge_text(self.services.catalog, nudge.stretch_id),
                    reply_to=nudge.message_id,
                )
            except TelegramError as error:
                # A nudge is a courtesy: marked as done either way, never retried.
                log.info(
                    "follow-up not sent",
                    extra={"delivery_id": nudge.delivery_id, "error": str(error)},
                )

    async def _send(self, claim: Claimed) -> Outcome:
        async with self._concurrency:
            if not self.leases.valid():
                # The leases could not be renewed (the database is away) and may run out
                # before this is sent: another process may claim it then. Handed back unsent
                # (recorded pending, lease ended) rather than maybe sent twice.
                outcome = Outcome(
                    delivery_id=claim.delivery_id,
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    error="lease not renewed: handed back unsent",
                )
                self._finished_one(outcome)
                return outcome
            try:
                outcome = await self.sender.send(claim)
            except Exception as error:
                # The sender records every failure itself; this is the last line of defence: an
                # exception here would lose the outcomes of the whole batch.
                log.exception("sending a prompt failed", extra={"delivery_id": claim.delivery_id})
                outcome = Outcome(
                    delivery_id=claim.delivery_id,
                    status=DeliveryStatus.FAILED,
                    attempts=1,
                    error=f"{type(error).__name__}: {error}"[:ERROR_LENGTH],
                )
        self._finished_one(outcome)
        return outcome

    def _finished_one(self, outcome: Outcome) -> None:
        """Hand an outcome to the recorder, which records it within RECORD_WITHIN seconds."""
        self._finished.append(outcome)
        if self._recording_planned is None:
            self._recording_planned = asyncio.get_running_loop().call_later(
                RECORD_WITHIN, self._wake_recorder.set
            )
