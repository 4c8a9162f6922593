"""A sliding window over the moments requests reach Telegram, not the moments they are let in.

Telegram counts a message when it arrives. A limiter that stamps a request when it lets it
through is wrong by however long the request then takes to get there: the task's wake-up, a
new connection, an upload's body, the network, and the server's own delays. Measured on a busy
host (issue 14): the first wave of a burst arrived late, the second was let through 1.03 s
after the first was *let in*, and a strict 1-second window at Telegram saw 31.

Here a request counts in the window from when it is let through until its answer arrives,
whatever its stamp; then its stamp is the latest moment it can have been counted: its answer's
arrival less the quickest round trip seen lately (`answer - rtt_min`, i.e. the time to come back
and the fixed part of the way there are taken off, what varies is kept). A late request pushes
the next wave back instead of crowding it, and a quiet network costs nothing.

Invariant (tested): at most `limit` stamps in any `window` seconds. Take the last request let
through among those stamped in a window: when it was let in, every earlier one stamped in that
window was either unanswered (counted) or stamped within `window` of it (counted), and it was
let in only with fewer than `limit` counted. Telegram's count follows the stamps as long as
`window` - 1 s covers how much quicker than the quickest round trip a request can reach it.

`limit` may change (a replica's share of the token's budget, bot.delivery.rate_budget); a lower
limit binds windows that start after the change, which the budget allows for.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Iterable

# How long rtt_min remembers: the smallest round trip of the last one or two blocks of this
# many seconds (of those that saw a call), so that it follows a network that got slower for
# good, not a busy spell. Counted in samples it was 256, i.e. 0.3 s of a paid broadcast at
# 1000/s: every busy moment raised it, the quick requests after it were stamped too early and
# crowded one of Telegram's windows (429s 15 s into a 20,000-reminder paid burst).
RTT_MEMORY_SECONDS = 30.0
# Until this many round trips are known, none is taken off (a stamp is its answer's arrival):
# the first requests of a burst are uploads, whose round trip says nothing of a message's; the
# limiter adds the quick calls that are not a chat's (getMe at start-up, answerCallbackQuery).
RTT_SAMPLES = 16


class Turn:
    """One request's place in a window, from being let through until its answer."""

    __slots__ = ("_let_in", "_window")

    def __init__(self, window: SendWindow, let_in: float) -> None:
        self._window = window
        self._let_in = let_in

    @property
    def let_in(self) -> float:
        """When it was let through (the event loop's clock)."""
        return self._let_in

    @let_in.setter
    def let_in(self, moment: float) -> None:
        self._let_in = moment

    def done(self, answered: bool = True) -> None:
        """The answer arrived (or, `answered=False`, the request failed without one)."""
        self._window.finish(self._let_in, answered)


class SendWindow:
    """At most `limit` stamps in any `window` seconds (see the module docstring).

    Requests take turns first come, first served; a wave of them shares one wake-up."""

    def __init__(self, limit: int, window: float, rtt_memory: float = RTT_MEMORY_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._rtt_memory = rtt_memory
        # Heap of answer times (less rtt_min, a request's stamp), maybe still in the window:
        # kept as answers, so that a later, smaller rtt_min moves every stamp later, not earlier.
        self._answers: list[float] = []
        self._unanswered = 0  # let through, stamp not final yet
        self._last_answer = float("-inf")
        self._waiting = 0
        self._gate = asyncio.Lock()
        self._changed = asyncio.Event()
        self._all_answered = asyncio.Event()
        self._all_answered.set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._rtt = 0.0  # rtt_min once known, taken off answers
        self._rtt_min = float("inf")  # the smaller of the two blocks'
        self._rtt_block_min = float("inf")
        self._rtt_block_ends = 0.0
        self._rtt_samples = 0

    def loop_time(self) -> float:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop.time()

    def set_limit(self, limit: int) -> None:
        if limit != self.limit:
            self.limit = limit
            self._changed.set()

    @property
    def taken_off(self) -> float:
        """The round trip taken off answers to stamp them (0 until enough are known)."""
        return self._rtt

    @property
    def waiting(self) -> int:
        """Requests waiting for a turn."""
        return self._waiting

    @property
    def unanswered(self) -> int:
        """Requests let through whose answer has not arrived."""
        return self._unanswered

    def last_answer_age(self) -> float:
        """How long ago the latest answer arrived (none of the requests answered so far can
        reach Telegram after that moment); 0 for one reckoned ahead (no answer)."""
        return max(0.0, self.loop_time() - self._last_answer)

    def demand(self) -> int:
        """Requests waiting, in flight or counted within the window: what this process would
        send in the next window if it could."""
        return self._waiting + self.in_window()

    async def answered(self) -> None:
        """Until every request let through has its answer."""
        await self._all_answered.wait()

    def is_full(self) -> bool:
        """A request let in now would have to wait."""
        return self.in_window() >= self.limit

    def in_window(self) -> int:
        self._expire(self.loop_time())
        return self._unanswered + len(self._answers)

    def _expire(self, now: float) -> None:
        answers, oldest = self._answers, now - self.window + self._rtt
        while answers and answers[0] <= oldest:
            heapq.heappop(answers)

    async def turn(self) -> Turn:
        self._waiting += 1
        try:
            async with self._gate:
                while True:
                    now = self.loop_time()
                    self._expire(now)
                    if self._unanswered + len(self._answers) < self.limit:
                        break
                    await self._wait_for_room(now)
        finally:
            self._waiting -= 1
        self._unanswered += 1
        self._all_answered.clear()
        return Turn(self, now)

    async def _wait_for_room(self, now: float) -> None:
        # Room comes when the oldest stamp leaves the window, or when the limit rises; with
        # every counted request still unanswered, when one of them gets its stamp.
        self._changed.clear()
        timer = (
            self._loop.call_later(
                self._answers[0] - self._rtt + self.window - now, self._changed.set
            )
            if self._answers and self._loop is not None
            else None
        )
        try:
            await self._changed.wait()
        finally:
            if timer is not None:
                timer.cancel()

    def finish(self, let_in: float, answered: bool) -> None:
        now = self.loop_time()
        if answered:
            self._learn(now - let_in, now)
            answer = now
        else:
            answer = now + self._rtt  # no answer: it may have arrived just now
        self._unanswered -= 1
        if not self._unanswered:
            self._all_answered.set()
        self._last_answer = max(self._last_answer, answer)
        was_empty = not self._answers
        heapq.heappush(self._answers, answer)
        if was_empty:
            self._changed.set()  # a waiter with nothing to time its wait by can now

    def learn_round_trip(self, rtt: float) -> None:
        """A call's round trip, this window's own or any quick call's to the same server: the
        quicker, the safer. Only from the window's own requests, a burst that starts slow
        (uploads, new connections, a busy server) would teach it a round trip that the quick
        requests after it beat, and they would crowd into one of Telegram's windows."""
        self._learn(rtt, self.loop_time())

    def _learn(self, rtt: float, now: float) -> None:
        if now >= self._rtt_block_ends:
            if self._rtt_block_min < float("inf"):  # an idle block forgets nothing
                self._rtt_min, self._rtt_block_min = self._rtt_block_min, float("inf")
            self._rtt_block_ends = now + self._rtt_memory
        if rtt < self._rtt_block_min:
            self._rtt_block_min = rtt
            self._rtt_min = min(self._rtt_min, rtt)
        self._rtt_samples += 1
        if self._rtt_samples >= RTT_SAMPLES:
            self._rtt = self._rtt_min


async def take_turns(windows: Iterable[SendWindow]) -> tuple[Turn, ...]:
    """A turn in each window (a paid broadcast counts in two); the request goes out when it
    has the last, so each turn's round trip is reckoned from then, not from a wait for the next
    window's turn (which would teach a window a slow "quickest" round trip)."""
    turns = [await window.turn() for window in windows]
    if len(turns) > 1:
        sent = turns[-1].let_in
        for turn in turns[:-1]:
            turn.let_in = sent
    return tuple(turns)
