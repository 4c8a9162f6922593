"""Updates kept in the database from arrival to done (services.inbox holds the SQL).

Receiving. python-telegram-bot hands every update it receives to the Application's update
queue: the Updater after each getUpdates, the webhook server before it answers. That queue is a
`DurableUpdateQueue`, whose `put` stores the update and returns once the row is committed, so
Telegram hears that an update arrived only once it is stored:

* polling: the Updater confirms a batch (the next getUpdates' `offset`, or the one it sends
  when it stops) only after `put` returned for every update of it. A process that dies before
  leaves the batch with Telegram, which sends it again (stored once: unique update_id).
* webhook: the 200 is written when the request handler returns, after `put`; a `put` that
  fails answers 500 and Telegram sends the update again. The secret-token check comes first,
  as before (python-telegram-bot's handler).

Handling. Nothing is taken from the queue itself. `InboxWorker` claims from the table (woken by
this process's stores, a finished update, and a poll for other replicas' stores and expired
leases: every POLL_SECONDS, backing off to IDLE_POLL_SECONDS while polls find nothing), runs
each update through the Application's handlers (`process_update`, so handler order, groups and
the error handler are python-telegram-bot's), and marks it done right after, in one transaction
with the next claim (whatever finished meanwhile, together: a transaction per update was most
of the inbox's cost on PostgreSQL). Handlers commit their own transactions and talk to Telegram
in between, so "done" cannot share their transaction: a process killed between the two handles
that update again (the in-flight ones only, at most UPDATES_IN_FLIGHT).

Per-chat order: the claim takes only the oldest pending update of a chat and none of a chat
with one in flight, so a chat's updates are handled one at a time, in order, across replicas.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import NetworkError

from bot.db.engine import SessionFactory
from bot.db.types import utc_now
from bot.services import inbox
from bot.services.inbox import InboxItem

log = logging.getLogger(__name__)

# Updates being handled at once (each of a different chat). Replies queue at the rate limiter
# (30 messages/s), so more would only wait there.
UPDATES_IN_FLIGHT = 32
# Besides being woken: look for work stored by other replicas, or left by a dead process; after
# each poll that finds nothing, wait twice as long, up to IDLE_POLL_SECONDS. A poll a second
# was ~2 ms/s of an idle process's CPU, ~10 % of its CPU per reminder in a burst (measured
# 30 Nov: benchmarks/burst.py 1.08 ms per reminder with it, 0.99 ms without). A busy replica
# is woken by its own work, and each of its rounds claims expired leases too; an idle one takes
# over a dead replica's updates at most IDLE_POLL_SECONDS after their lease ends.
POLL_SECONDS = 1.0
IDLE_POLL_SECONDS = 8.0
# Handled rows (update_id only, the payload is dropped when done) are kept this long, then
# pruned. Telegram resends an update it was not told arrived (a crash between storing and
# confirming: seconds; a webhook retried for a while): a day recognises every such redelivery,
# and is far shorter than the week after which Telegram may restart update_ids at random.
KEEP_HANDLED = timedelta(days=1)
PRUNE_EVERY_SECONDS = 3600.0
PRUNE_BATCH = 5000
# Retrying the database while storing (then the update is refused: Telegram keeps it).
STORE_BACKOFF = (0.1, 0.3, 1.0, 2.0)
# Stopping: after the drain, how long recording the finished and handing back the rest may take.
HAND_BACK_SECONDS = 1.0


def chat_key(update: Update) -> int | None:
    """Whose conversation an update belongs to: its chat, else its user, else nobody's."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class DurableUpdateQueue(asyncio.Queue[object]):
    """The Application's update queue: `put(update)` stores it in the inbox (see above).

    Anything else (python-telegram-bot's own stop marker) is queued as usual.
    """

    def __init__(self, session_factory: SessionFactory) -> None:
        super().__init__()
        self._session_factory = session_factory
        self.on_stored: list[Callable[[], None]] = []  # called after each update stored

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):
            await super().put(item)
            return
        payload = json.dumps(item.to_dict(), ensure_ascii=False, separators=(",", ":"))
        key = chat_key(item)
        for attempt, pause in enumerate((*STORE_BACKOFF, None), 1):
            try:
                async with self._session_factory() as session:
                    new = await inbox.store(session, item.update_id, key, payload, utc_now())
            except Exception as error:
                # Only the driver's reason: SQLAlchemy's message lists the statement's
                # parameters, and one of them is what the user typed.
                original = getattr(error, "orig", None) or error
                reason = f"{type(original).__name__}: {str(original)[:200]}".splitlines()[0]
                if pause is None:
                    # A TelegramError, so the Updater's retry loop fetches the batch again later
                    # (Telegram still has it); the webhook answers 500 (Telegram retries).
                    raise NetworkError(f"the inbox cannot store updates: {reason}") from None
                log.warning(
                    "could not store an update; retrying",
                    extra={"update_id": item.update_id, "attempt": attempt, "error": reason},
                )
                await asyncio.sleep(pause)
            else:
                if not new:
                    log.info("update received again", extra={"update_id": item.update_id})
                for listener in self.on_stored:
                    listener()
                return


class InboxWorker:
    """Claims and handles updates; see the module docstring. Each round is one transaction:
    mark what finished since the last round done, claim as many as there are free slots."""

    def __init__(
        self,
        application: Any,
        session_factory: SessionFactory,
        lease: timedelta,
        in_flight: int = UPDATES_IN_FLIGHT,
    ) -> None:
        self.application = application
        self._session_factory = session_factory
        self._lease = lease
        self._limit = in_flight
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # update_id -> its handling
        self._finished: list[int] = []  # handled, not yet marked done
        self._wake = asyncio.Event()
        self._closing = False
        self._loop_task: asyncio.Task[None] | None = None
        self._close_task: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()
        self.handled = 0  # updates handled and marked done by this process

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="inbox")

    def wake(self) -> None:
        self._wake.set()

    # -- rounds ----------------------------------------------------------------------------

    async def _run(self) -> None:
        next_renewal = next_prune = time.monotonic()
        polled = True  # the first round: whatever a previous process left
        poll_wait = POLL_SECONDS
        while True:
            self._wake.clear()  # before the round: a wake-up during it is not lost
            # Stopping: claim nothing; once every handler has returned (or was cut short), the
            # last round records what finished and hands back the rest.
            last = self._closing and all(task.done() for task in self._in_flight.values())
            found_nothing = False
            try:
                found_nothing = await self._round(polled)
                if last:
                    await self._hand_back()
                    return
                now = time.monotonic()
                if not self._closing and now >= next_renewal:
                    next_renewal = now + self._lease.total_seconds() / 3
                    await self._renew()
                if not self._closing and now >= next_prune:
                    next_prune = now + PRUNE_EVERY_SECONDS
                    await self._prune()
            except Exception:
                # The database went away, say: nothing is lost (stored updates wait, finished
                # ones are recorded next round, claimed ones are claimed again after their
                # lease); look again shortly.
                log.exception("inbox round failed")
            # A poll that found nothing: the next one waits longer (see IDLE_POLL_SECONDS).
            poll_wait = min(IDLE_POLL_SECONDS, 2 * poll_wait) if found_nothing else POLL_SECONDS
            try:
                async with asyncio.timeout(poll_wait):
                    await self._wake.wait()
                polled = False
            except TimeoutError:
                polled = True

    async def _round(self, polled: bool = False) -> bool:
        """Record what finished and claim what there is room for. `polled`: nobody woke us, so
        most likely nothing arrived: look before claiming (the idle process's cost). True if
        this was a poll that found nothing to do."""
        finished = self._finished[:]
        free = 0 if self._closing else self._limit - len(self._in_flight) + len(finished)
        if not finished and free <= 0:
            return False  # every slot busy: nothing to record, nothing to claim
        now = utc_now()
        async with self._session_factory() as session:
            if polled and not finished and not await inbox.claimable(session, now):
                return not self._in_flight
            items = await inbox.finish_and_claim(session, finished, now, free, now + self._lease)
        del self._finished[: len(finished)]
        for update_id in finished:
            self._in_flight.pop(update_id, None)
        self.handled += len(finished)
        for item in items:
            task = asyncio.create_task(self._handle(item), name=f"update-{item.update_id}")
            task.add_done_callback(lambda _: self._wake.set())
            self._in_flight[item.update_id] = task
        return False

    async def _renew(self) -> None:
        if self._in_flight:
            async with self._session_factory() as session:
                await inbox.extend(session, list(self._in_flight), utc_now() + self._lease)

    async def _prune(self) -> None:
        before, total = utc_now() - KEEP_HANDLED, 0
        while True:  # in batches: short transactions, however many an hour brought
            async with self._session_factory() as session:
                pruned = await inbox.prune(session, before, PRUNE_BATCH)
            total += pruned
            if pruned < PRUNE_BATCH or self._closing:
                break
        if total:
            log.info("handled updates pruned", extra={"rows": total})

    async def _handle(self, item: InboxItem) -> None:
        try:
            update = Update.de_json(json.loads(item.payload), self.application.bot)
            await self.application.process_update(update)
        except Exception:
            # process_update hands handler errors to the error handler; this is a payload that
            # does not parse, say. Marked done: trying again would fail again.
            log.exception("an update could not be handled", extra={"update_id": item.update_id})
        self._finished.append(item.update_id)

    # -- shutdown --------------------------------------------------------------------------

    async def close(self, drain: float) -> None:
        """Claim nothing more; let the updates in flight finish within `drain` seconds; record
        them, and hand back the rest (their lease ends now). A second call waits for the
        first."""
        if self._close_task is None:
            self._close_task = asyncio.create_task(self._close(drain), name="inbox-close")
        elif drain <= 0:
            self._hurry.set()  # stop waiting for the drain
        await asyncio.shield(self._close_task)

    async def _close(self, drain: float) -> None:
        self._closing = True
        self._wake.set()
        loop_task = self._loop_task
        if loop_task is None:
            return
        hurry = asyncio.ensure_future(self._hurry.wait())
        try:
            await asyncio.wait({loop_task, hurry}, timeout=drain, return_when=FIRST_COMPLETED)
        finally:
            hurry.cancel()
        if not loop_task.done():
            for task in self._in_flight.values():
                task.cancel()  # handed back by the last round
            await asyncio.wait({loop_task}, timeout=HAND_BACK_SECONDS)
        if not loop_task.done():
            loop_task.cancel()
            await asyncio.wait({loop_task})
            log.warning(
                "inbox stopped without handing back; leases will expire",
                extra={"in_flight": len(self._in_flight)},
            )

    async def _hand_back(self) -> None:
        left = list(self._in_flight)
        released = 0
        if left:
            async with self._session_factory() as session:
                released = await inbox.release(session, left, utc_now())
        log.info("inbox stopped", extra={"handled": self.handled, "handed_back": released})
