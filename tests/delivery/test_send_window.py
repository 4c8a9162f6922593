"""The send window counts a request until its answer, then from the latest moment it can have
reached Telegram: however late requests arrive, no `window` of arrivals holds more than
`limit`, and waves still go out together."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.delivery.rate_limit import SlidingWindowRateLimiter
from bot.delivery.send_window import RTT_SAMPLES, SendWindow, take_turns


def most_in_any_window(stamps: list[float], window: float) -> int:
    ordered = sorted(stamps)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - window:
            start += 1
        most = max(most, end - start + 1)
    return most


FORWARD = 0.02  # the quickest way to "Telegram"
BACK = 0.005  # and back


async def _send(window: SendWindow, arrivals: list[float], delay: float) -> None:
    turn = await window.turn()
    # On the way: a late wake-up, a new connection, an upload, the network, a busy server. The
    # arrival is reckoned from when the window let it through; the answer comes after it (a
    # busy event loop makes it later still, which only makes the window more careful).
    arrivals.append(turn.let_in + FORWARD + delay)
    await asyncio.sleep(FORWARD + delay + BACK)
    turn.done()


async def test_late_arrivals_push_the_next_wave_back_instead_of_crowding_it() -> None:
    rng = random.Random(14)
    # As 1.03 s is to Telegram's 1 s: a margin for how much quicker than the quickest round
    # trip a request can arrive (here: a busy event loop that delays every answer).
    window = SendWindow(limit=5, window=0.22)
    arrivals: list[float] = []
    started = window.loop_time()
    await asyncio.gather(
        *(_send(window, arrivals, rng.choice((0.0, 0.0, 0.005, 0.06))) for _ in range(40))
    )
    took = window.loop_time() - started
    assert most_in_any_window(arrivals, 0.2) <= 5
    # 40 in waves of 5: 7 full windows after the first wave, plus the late arrivals' delays.
    assert took >= 7 * 0.2


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


async def test_a_slow_start_does_not_teach_the_window_a_round_trip_quicker_ones_beat() -> None:
    # The first requests of a burst are slow (uploads, new connections, a busy server): had the
    # window learnt its quickest round trip from them alone, it would take too much off the
    # quick ones that follow and crowd them into one of Telegram's windows.
    window = SendWindow(limit=5, window=0.22)
    window.learn_round_trip(FORWARD + BACK)  # a quick call at start-up (getMe)
    arrivals: list[float] = []
    await asyncio.gather(*(_send(window, arrivals, 0.06) for _ in range(20)))
    await asyncio.gather(*(_send(window, arrivals, 0.0) for _ in range(20)))
    assert most_in_any_window(arrivals, 0.2) <= 5


async def test_the_limiter_learns_round_trips_from_calls_that_are_not_a_chats() -> None:
    limiter = SlidingWindowRateLimiter(paid_rate=1000)

    async def get_me(*_: object, **__: object) -> dict[str, object]:
        await asyncio.sleep(0.01)
        return {"id": 1}

    for _ in range(RTT_SAMPLES):
        await limiter.process_request(get_me, (), {}, "getMe", {}, None)
    for window in limiter.windows.values():
        assert 0.01 <= window.taken_off < 0.05
        assert window.in_window() == 0  # timed, not counted


async def test_a_busy_spell_of_many_requests_does_not_make_it_forget_the_quick_round_trip() -> None:
    # A paid broadcast sends hundreds a second: a busy spell is many round trips, but short.
    window = SendWindow(limit=100, window=0.22)
    window.learn_round_trip(FORWARD + BACK)
    arrivals: list[float] = []
    await asyncio.gather(*(_send(window, arrivals, 0.06) for _ in range(700)))
    await asyncio.gather(*(_send(window, arrivals, 0.0) for _ in range(200)))
    assert most_in_any_window(arrivals, 0.2) <= 100


async def test_it_follows_a_network_that_stays_slower() -> None:
    window = SendWindow(limit=5, window=0.22, rtt_memory=0.3)
    window.learn_round_trip(FORWARD + BACK)
    arrivals: list[float] = []
    await asyncio.gather(*(_send(window, arrivals, 0.06) for _ in range(40)))
    assert window.taken_off >= FORWARD + 0.06 + BACK - 0.001  # the quick one is forgotten


async def test_a_cancelled_request_counts_as_one_that_may_still_reach_telegram() -> None:
    limiter = SlidingWindowRateLimiter()
    started = asyncio.Event()

    async def get_me(*_: object, **__: object) -> dict[str, object]:
        await asyncio.sleep(0.01)
        return {"id": 1}

    async def never_answered(*_: object, **__: object) -> dict[str, object]:
        started.set()
        await asyncio.sleep(60)
        return {}

    for _ in range(RTT_SAMPLES):
        await limiter.process_request(get_me, (), {}, "getMe", {}, None)
    call = asyncio.ensure_future(
        limiter.process_request(never_answered, (), {}, "sendMessage", {"chat_id": 5}, None)
    )
    await started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    # Stamped a round trip ahead of now (it may be arriving), not as an answer that came, and
    # its cut-short "round trip" taught the window nothing.
    assert limiter.free.in_window() == 1
    assert limiter.free.last_answer_age() == 0.0
    assert limiter.free.taken_off >= 0.01


async def test_a_request_in_two_windows_reckons_its_round_trip_from_its_last_turn() -> None:
    free, paid = SendWindow(limit=5, window=1.0), SendWindow(limit=1, window=0.2)
    (await paid.turn()).done()  # the paid window is full for 0.2 s
    started = free.loop_time()
    first, second = await take_turns((free, paid))
    assert second.let_in - started >= 0.15
    assert first.let_in == second.let_in
