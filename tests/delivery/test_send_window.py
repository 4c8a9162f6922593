"""The send window counts a request until its answer, then from the latest moment it can have
reached Telegram: however late requests arrive, no `window` of arrivals holds more than
`limit`, and waves still go out together."""

from __future__ import annotations

import asyncio
import random

from bot.delivery.send_window import SendWindow


def most_in_any_window(stamps: list[float], window: float) -> int:
    ordered = sorted(stamps)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _send(window: SendWindow, arrivals: list[float], delay: float) -> None:
    turn = await window.turn()
    # On the way: a late wake-up, a new connection, an upload, the network, a busy server.
    await asyncio.sleep(0.02 + delay)
    arrivals.append(window.loop_time())  # counted by "Telegram"
    await asyncio.sleep(0.005)  # the answer's way back
    turn.done()


async def test_late_arrivals_push_the_next_wave_back_instead_of_crowding_it() -> None:
    rng = random.Random(14)
    window = SendWindow(limit=5, window=0.2)
    stamps: list[float] = []
    started = window.loop_time()
    await asyncio.gather(
        *(_send(window, stamps, rng.choice((0.0, 0.0, 0.005, 0.06))) for _ in range(40))
    )
    took = window.loop_time() - started
    assert most_in_any_window(stamps, 0.2) <= 5
    # 40 in waves of 5: 7 full windows after the first wave, plus the late writes' delays.
    assert 1.4 <= took < 2.4


async def test_a_request_that_was_never_written_counts_from_its_answer() -> None:
    window = SendWindow(limit=1, window=0.1)
    first = await window.turn()
    await asyncio.sleep(0.05)
    first.done(answered=False)  # no answer (a timeout): stamped now, not when let through
    answered = window.loop_time()
    await window.turn()
    assert window.loop_time() - answered >= 0.1 - 0.002


async def test_a_raised_limit_lets_waiting_requests_through_at_once() -> None:
    window = SendWindow(limit=0, window=1.0)
    waiting = asyncio.ensure_future(window.turn())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    assert window.demand() == 1
    window.set_limit(1)
    turn = await asyncio.wait_for(waiting, 0.5)
    turn.done()
    assert window.in_window() == 1
