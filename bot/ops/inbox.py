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

Handling. Nothing is taken from the queue itself. `InboxWorker` claims from the table (woken
by this process's stores, a finished update, and every POLL_SECONDS for other replicas' stores
and expired leases), runs each update through the Application's handlers (`process_update`,
so handler order, groups and the error handler are python-telegram-bot's), and marks it done
right after. Handlers commit their own transactions and talk to Telegram in between, so "done"
cannot share their transaction: a process killed between the two handles that update again
(the in-flight ones only, at most UPDATES_IN_FLIGHT).

Per-chat order: the claim takes only the oldest pending update of a chat and none of a chat
with one in flight, so a chat's updates are handled one at a time, in order, across replicas.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
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
# Besides being woken: look for work stored by other replicas, or left by a dead process.
POLL_SECONDS = 1.0
# Handled rows (update_id only, the payload is dropped when done) are kept this long, then
# pruned. Telegram resends an update it was not told arrived (a crash between storing and
# confirming: seconds; a webhook retried for a while): a day recognises every such redelivery,
# and is far shorter than the week after which Telegram may restart update_ids at random.
KEEP_HANDLED = timedelta(days=1)
PRUNE_EVERY_SECONDS = 3600.0
# Retrying the database while storing (then the update is refused: Telegram keeps it) and while
# marking done (then its lease runs out and it is handled again).
STORE_BACKOFF = (0.1, 0.3, 1.0, 2.0)
FINISH_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)


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
        self.on_stored: list[Any] = []  # callables, called with no argument after each store

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
                if pause is None:
                    # A TelegramError, so the Updater's retry loop fetches the batch again later
                    # (Telegram still has it); the webhook answers 500 (Telegram retries).
                    raise NetworkError(f"the inbox cannot store updates: {error}") from error
                log.warning(
                    "could not store an update; retrying",
                    exc_info=True,
                    extra={"update_id": item.update_id, "attempt": attempt},
                )
                await asyncio.sleep(pause)
            else:
                if not new:
                    log.info("update received again", extra={"update_id": item.update_id})
                for listener in self.on_stored:
                    listener()
                return


@dataclass
class _InFlight:
    item: InboxItem
    task: asyncio.Task[None] | None = None
    handling: bool = True  # False once the handlers returned: only marking done is left


class InboxWorker:
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
        self._in_flight: dict[int, _InFlight] = {}
        self._wake = asyncio.Event()
        self._closing = False
        self._loop_task: asyncio.Task[None] | None = None
        self._close_task: asyncio.Task[None] | None = None
        self.handled = 0  # updates handled and marked done by this process

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="inbox")

    def wake(self) -> None:
        self._wake.set()

    # -- claiming --------------------------------------------------------------------------

    async def _run(self) -> None:
        next_renewal = next_prune = time.monotonic()
        while not self._closing:
            self._wake.clear()  # before the claim: a wake-up during it is not lost
            try:
                await self._claim_and_start()
                now = time.monotonic()
                if now >= next_renewal:
                    next_renewal = now + self._lease.total_seconds() / 3
                    await self._renew()
                if now >= next_prune:
                    next_prune = now + PRUNE_EVERY_SECONDS
                    await self._prune()
            except Exception:
                # The database went away, say: nothing is lost (stored updates wait, claimed
                # ones are claimed again after their lease); look again shortly.
                log.exception("inbox round failed")
            if self._closing:
                return
            try:
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _claim_and_start(self) -> None:
        free = self._limit - len(self._in_flight)
        if free <= 0:
            return
        now = utc_now()
        async with self._session_factory() as session:
            items = await inbox.claim(session, now, free, now + self._lease)
        for item in items:
            state = _InFlight(item)
            self._in_flight[item.update_id] = state
            state.task = asyncio.create_task(self._handle(state), name=f"update-{item.update_id}")

    async def _renew(self) -> None:
        if self._in_flight:
            async with self._session_factory() as session:
                await inbox.extend(session, list(self._in_flight), utc_now() + self._lease)

    async def _prune(self) -> None:
        async with self._session_factory() as session:
            pruned = await inbox.prune(session, utc_now() - KEEP_HANDLED)
        if pruned:
            log.info("handled updates pruned", extra={"rows": pruned})

    # -- handling --------------------------------------------------------------------------

    async def _handle(self, state: _InFlight) -> None:
        item = state.item
        try:
            update = Update.de_json(json.loads(item.payload), self.application.bot)
            await self.application.process_update(update)
        except asyncio.CancelledError:
            raise  # close() cut it short: handed back there
        except Exception:
            # process_update hands handler errors to the error handler; this is a payload that
            # does not parse, say. Marked done: trying again would fail again.
            log.exception("an update could not be handled", extra={"update_id": item.update_id})
        state.handling = False
        if await self._finish(item.update_id):
            self.handled += 1
        self._in_flight.pop(item.update_id, None)
        self._wake.set()  # a slot is free, and the chat's next update may be claimed

    async def _finish(self, update_id: int) -> bool:
        for attempt, pause in enumerate((*FINISH_BACKOFF, None), 1):
            try:
                async with self._session_factory() as session:
                    await inbox.finish(session, update_id, utc_now())
            except Exception:
                if pause is None or self._closing:
                    log.exception(
                        "could not mark an update done; it will be handled again",
                        extra={"update_id": update_id},
                    )
                    return False
                log.warning(
                    "could not mark an update done; retrying",
                    exc_info=True,
                    extra={"update_id": update_id, "attempt": attempt},
                )
                await asyncio.sleep(pause)
            else:
                return True
        return False

    # -- shutdown --------------------------------------------------------------------------

    async def close(self, drain: float) -> None:
        """Claim nothing more; let the updates in flight finish within `drain` seconds; hand
        back the rest (their lease ends now). A second call waits for the first."""
        if self._close_task is None:
            self._close_task = asyncio.create_task(self._close(drain), name="inbox-close")
        await asyncio.shield(self._close_task)

    async def _close(self, drain: float) -> None:
        self._closing = True
        self._wake.set()
        deadline = time.monotonic() + drain
        if self._loop_task is not None:
            await _wait_or_cancel({self._loop_task}, max(0.1, deadline - time.monotonic()))
        tasks = {state.task for state in self._in_flight.values() if state.task is not None}
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
            for state in list(self._in_flight.values()):
                if state.task in late and state.handling:
                    state.task.cancel()
            # Those only marking done get a moment; then everything left is handed back.
            await _wait_or_cancel(late, 1.0)
        left = list(self._in_flight)
        released = 0
        if left:
            try:
                async with self._session_factory() as session:
                    released = await inbox.release(session, left, utc_now())
            except Exception:
                log.exception("could not hand updates back; their leases will expire instead")
        log.info("inbox stopped", extra={"handled": self.handled, "handed_back": released})


async def _wait_or_cancel(tasks: set[asyncio.Task[None]], timeout: float) -> None:  # noqa: ASYNC109
    if not tasks:
        return
    _, late = await asyncio.wait(tasks, timeout=timeout)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)
