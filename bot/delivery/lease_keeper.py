"""Short leases, kept alive while this process works on its claims: a crash costs seconds.

A claimed reminder holds a lease: if the process that claimed it dies, another (or the same,
restarted) claims it again when the lease runs out. A long lease makes a crash cost a minute of
lateness for everything claimed and unsent (issue 14: 66-69 s); a short one would let a busy
process's claims, waiting their turn at Telegram's rate, be taken over while it still works on
them. So the lease is short (DELIVERY_LEASE_SECONDS, 10 s) and this keeper renews it for every
reminder the process holds, every third of a lease, while a round runs.

And if the renewals fail (the database is away), the process stops sending what it holds before
its leases can have run out: it hands those back unsent (`valid()` false), so that a reminder
is never sent by two processes because a lease lapsed unnoticed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.db.engine import SessionFactory
from bot.services.dispatch.handback import renew_leases

log = logging.getLogger(__name__)

# Stop sending this long before a lease can have run out: clocks of different hosts differ, and
# a send takes time to reach Telegram.
SAFETY_MARGIN = 1.5


class LeaseKeeper:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Callable[[], datetime],
        lease: timedelta,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._lease = lease
        self._held: set[int] = set()
        self._valid_until = 0.0  # monotonic: the oldest lease held is good until then
        self.renewals = 0

    @property
    def every(self) -> float:
        return self._lease.total_seconds() / 3

    def claimed(self, delivery_ids: Iterable[int], claimed_at: float) -> None:
        """`claimed_at`: time.monotonic() from before the claim's transaction began."""
        if not self._held:
            self._valid_until = claimed_at + self._lease.total_seconds() - SAFETY_MARGIN
        self._held.update(delivery_ids)

    def done(self, delivery_ids: Iterable[int]) -> None:
        """Recorded (or handed back): no lease to keep."""
        self._held.difference_update(delivery_ids)

    def valid(self) -> bool:
        """Whether every lease this process holds is surely still its own."""
        return time.monotonic() < self._valid_until

    async def keep_until(self, stop: asyncio.Event) -> None:
        """Renew every third of a lease until `stop` is set."""
        while True:
            try:
                async with asyncio.timeout(self.every):
                    await stop.wait()
                return
            except TimeoutError:
                await self.renew()

    async def renew(self) -> None:
        if not self._held:
            return
        started = time.monotonic()
        held = list(self._held)
        try:
            async with self._session_factory() as session:
                await renew_leases(session, held, self._clock() + self._lease)
        except Exception:
            log.warning("could not renew leases", exc_info=True, extra={"held": len(held)})
            return
        self.renewals += 1
        self._valid_until = started + self._lease.total_seconds() - SAFETY_MARGIN
