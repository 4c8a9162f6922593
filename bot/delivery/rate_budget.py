"""One Telegram rate budget per token, shared by every process on one PostgreSQL database.

Each process paces itself with its own windows (bot.delivery.rate_limit); this sets their
limits to the process's share of the token's budget, renewed through the database a few times a
second (rules: bot.domain.rate_shares; transaction: bot.services.rate_shares). Why shares and not a
shared bucket of send slots: each process keeps pacing by its own requests' arrival times, so a
late process pushes only its own next wave back, and the database is asked a few times a second
rather than for every message (at 1,000 paid messages a second, too).

Safe when things go wrong: a share is a lease; if the database cannot be reached, the process
sends at its share until the lease ends, then stops until it can renew (nothing else can claim
or record meanwhile either). A process that dies loses its share a window after its lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.delivery.send_window import SendWindow
from bot.services.rate_shares import Renewal, Want, renew

log = logging.getLogger(__name__)

LEASE_SECONDS = 3.0
# How often a process that holds or wants a share renews: often while some process waits for
# others to give up its fair share (this one, so it takes it as soon as it is free; another,
# so it is given up at once), else twice a second (how long a newcomer may wait to be seen).
RENEW_WAITING = 0.2
RENEW_CALM = 0.5
# A share that lapses for another process is asked for this long after the moment the database
# gave (this process's clock, reckoned from the answer's arrival: never early).
AFTER_LAPSE = 0.002
SETTLE_MIN = 0.15
# Before giving part of a share up, wait this long at most for the answers of what is out.
ANSWERS_WITHIN = 1.0  # see bot.domain.rate_shares.allocate


class SharedRateBudget:
    def __init__(self, engine: AsyncEngine, *, lease: float = LEASE_SECONDS) -> None:
        self.engine = engine
        self.lease = lease
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        self._windows: dict[str, SendWindow] = {}
        self._budgets: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lapse: asyncio.TimerHandle | None = None
        self._round_trip = 0.0
        self._others_waiting = False
        self._said: dict[str, int] = {}  # the wants of the last renewal
        self._connection: AsyncConnection | None = None
        self.renewals = 0

    async def start(self, windows: dict[str, SendWindow]) -> None:
        """Take over `windows`: their limits now are the whole token's budgets. Once: a bot
        may be initialized twice (python-telegram-bot's Application does it at start)."""
        if self._task is not None:
            return
        self._windows = windows
        self._budgets = {scope: window.limit for scope, window in windows.items()}
        for window in windows.values():
            window.set_limit(0)  # nothing until the first share
        self._task = asyncio.create_task(self._run(), name="rate-budget")

    def wanted(self) -> None:
        """A request must wait: a process waiting wants the whole budget (see `_wants`); if it
        did not say so at its last renewal, renew now. Not otherwise: in a burst every request
        waits, and renewing for each would be hundreds of transactions a second."""
        if any(
            self._said.get(scope, 0) < self._budgets[scope] and window.is_full()
            for scope, window in self._windows.items()
        ):
            self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._lapse is not None:
            self._lapse.cancel()
        # Give the shares back (counted for one more window, as the rules say).
        with contextlib.suppress(Exception):
            await self._renew(dict.fromkeys(self._windows, 0))
        for window in self._windows.values():
            window.set_limit(0)
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None

    def _wants(self) -> dict[str, int]:
        # With requests waiting, all of it (a burst's backlog is more than the limiter sees:
        # the rest waits for a picture's upload or to be claimed); with every answer in and
        # nothing waiting (a burst's end, a reply sent), nothing: what it sent within the window
        # is still counted for it, until a window after its last answer, and no longer (see
        # bot.domain.rate_shares); else what it uses now.
        return {
            scope: (
                self._budgets[scope]
                if window.waiting
                else window.in_window()
                if window.unanswered
                else 0
            )
            for scope, window in self._windows.items()
        }

    async def _run(self) -> None:
        while True:
            wants = self._wants()
            holding = any(window.limit for window in self._windows.values())
            if not holding and not any(wants.values()):
                # Idle with nothing held: no renewals until a request waits (wanted()).
                await self._wake.wait()
                self._wake.clear()
                continue
            self._wake.clear()
            try:
                again_in = await self._renew(wants)
            except Exception:
                log.warning("could not renew the rate share; retrying", exc_info=True)
                again_in = RENEW_WAITING
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(again_in):
                    await self._wake.wait()

    async def _renew(self, wants: dict[str, int]) -> float:
        """Renew; how soon to renew again: soon while a process (this one or another) waits for
        shares to be given up, at the moment one lapses if that is sooner."""
        loop = asyncio.get_running_loop()
        held = {scope: window.limit for scope, window in self._windows.items()}
        in_use = await self._pause_if_shrinking(wants)
        sent = loop.time()
        # Until the answer this process may go on at its old share, but no longer than the
        # `settle` the rules count it for: past that, it pauses (limit 0) until the answer.
        settle = max(SETTLE_MIN, 4 * self._round_trip)
        pause = loop.call_at(sent + settle, self._pause_all)
        # A connection of its own, kept: no pool checkout, ping and reset per renewal.
        try:
            if self._connection is None:
                self._connection = await self.engine.connect()
            self._said = wants
            renewal = await self._agree(self._connection, wants, in_use, settle)
        except Exception:
            pause.cancel()
            for scope, limit in held.items():
                # A renewal giving part of a share up may have been committed and its answer
                # lost: the others may be using it already, so it stays paused until one works.
                self._windows[scope].set_limit(0 if scope in in_use else limit)
            connection, self._connection = self._connection, None
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            raise
        pause.cancel()
        received = loop.time()
        self._others_waiting = renewal.others_waiting
        self._round_trip = received - sent
        self.renewals += 1
        for scope, grant in renewal.grants.items():
            if grant.share != held[scope]:
                log.debug(
                    "rate share",
                    extra={"scope": scope, "share": grant.share, "wants": wants[scope]},
                )
            self._windows[scope].set_limit(grant.share)
        # The lease in this process's clock, counted from before the database's "now".
        lapses_at = sent + min(grant.expires for grant in renewal.grants.values()) - renewal.now
        if self._lapse is not None:
            self._lapse.cancel()
        self._lapse = loop.call_at(lapses_at, self._lapsed)
        if any(grant.to_give_up for grant in renewal.grants.values()):
            # Asked to give part of its share up: again at once, paused this time.
            self._others_waiting = True
            self._wake.set()
        if not renewal.others_waiting and not any(g.waiting for g in renewal.grants.values()):
            return RENEW_CALM
        lapses = [g.free_at for g in renewal.grants.values() if g.waiting and g.free_at]
        if not lapses:
            return RENEW_WAITING
        lapse = received + min(lapses) - renewal.now + AFTER_LAPSE
        return min(RENEW_WAITING, max(0.0, lapse - loop.time()))

    async def _pause_if_shrinking(self, wants: dict[str, int]) -> dict[str, tuple[int, float]]:
        """When this renewal may shrink a share (someone waits for one, or this process wants
        less than it has): stop sending, wait for the answers of what is out, and count what
        went out within the last window. Only those need to stay counted for this process, not
        its whole old share for a window more, and only until a window after the last answer
        (bot.domain.rate_shares.allocate)."""
        shrinking = [
            scope
            for scope, window in self._windows.items()
            if self._others_waiting or wants[scope] < window.limit
        ]
        if not shrinking:
            return {}
        for scope in shrinking:
            self._windows[scope].set_limit(0)
        try:
            async with asyncio.timeout(ANSWERS_WITHIN):
                for scope in shrinking:
                    await self._windows[scope].answered()
        except TimeoutError:
            return {}  # answers are slow: count the whole old share instead
        return {
            scope: (self._windows[scope].in_window(), self._windows[scope].last_answer_age())
            for scope in shrinking
        }

    def _pause_all(self) -> None:
        for window in self._windows.values():
            window.set_limit(0)

    async def _agree(
        self,
        connection: AsyncConnection,
        wants: dict[str, int],
        in_use: dict[str, tuple[int, float]],
        settle: float,
    ) -> Renewal:
        return await renew(
            connection,
            self.holder,
            [
                Want(scope, self._budgets[scope], wants[scope], *in_use.get(scope, (None, 0.0)))
                for scope in self._windows
            ],
            window=max(window.window for window in self._windows.values()),
            lease=self.lease,
            settle=settle,
        )

    def _lapsed(self) -> None:
        if not any(window.limit for window in self._windows.values()):
            return  # nothing held: nothing to pause
        log.warning("rate share lapsed (database unreachable?): sending paused until renewed")
        for window in self._windows.values():
            window.set_limit(0)
        self._wake.set()
