"""Replicas sharing one rate budget: whatever order they renew in and whatever they want, the
shares in use in any window never add up to more than the budget, and demand is met fairly."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.rate_shares import Grant, Holder, allocate, water_fill

BUDGET, WINDOW, LEASE, SETTLE = 30, 1.03, 3.0, 0.25


def test_water_fill_meets_small_wants_and_splits_the_rest_evenly() -> None:
    assert water_fill(30, {"a": 30, "b": 30}) == {"a": 15, "b": 15}
    assert water_fill(30, {"a": 5, "b": 30, "c": 30}) == {"a": 5, "b": 12, "c": 13}
    assert water_fill(30, {"a": 0, "b": 30}) == {"a": 0, "b": 30}
    assert sum(water_fill(30, {"a": 30, "b": 30, "c": 30, "d": 30}).values()) == 30


def _grant(
    now: float,
    me: str,
    wants: int,
    holders: list[Holder],
    in_use: int | None = None,
    in_use_age: float = 0.0,
) -> Grant:
    """`in_use`: the renewal is made paused, every answer in (bot.delivery.rate_budget)."""
    return allocate(
        budget=BUDGET,
        window=WINDOW,
        lease=LEASE,
        settle=SETTLE,
        now=now,
        me=me,
        wants=wants,
        holders=holders,
        in_use=in_use,
        in_use_age=in_use_age,
    )


def _holder(name: str, wants: int, grant: Grant) -> Holder:
    return Holder(name, grant.share, wants, grant.expires, grant.reserved, grant.reserved_until)


def test_a_newcomer_waits_a_window_for_what_the_holder_gives_up() -> None:
    alone = _grant(0.0, "a", 30, [])
    assert alone.share == 30
    a = _holder("a", 30, alone)
    b_first = _grant(0.1, "b", 30, [a])
    assert (b_first.share, b_first.waiting) == (0, True)  # everything is a's for now
    b = _holder("b", 30, b_first)
    # a renews while sending: it keeps its share, and is told to give half of it up.
    a_asked = _grant(0.3, "a", 30, [a, b])
    assert (a_asked.share, a_asked.to_give_up) == (30, True)
    a = _holder("a", 30, a_asked)
    # At once again, paused, every answer in: 30 went out within the last window.
    a_gives = _grant(0.35, "a", 30, [a, b], in_use=30)
    assert (a_gives.share, a_gives.reserved, a_gives.reserved_until) == (15, 30, 0.35)
    a = _holder("a", 30, a_gives)
    # a renews meanwhile, still wanting all: what it gave up is not reserved again.
    a_again = _grant(0.6, "a", 30, [a, b])
    assert (a_again.share, a_again.reserved_until) == (15, 0.35)
    a = _holder("a", 30, a_again)
    assert _grant(0.35 + WINDOW - 0.01, "b", 30, [a, b]).share == 0
    assert _grant(0.35 + WINDOW + 0.01, "b", 30, [a, b]).share == 15


def test_a_holder_that_paused_to_renew_reserves_only_what_it_sent_in_the_last_window() -> None:
    a = _holder("a", 30, _grant(0.0, "a", 30, []))
    b = _holder("b", 30, _grant(0.1, "b", 30, [a]))
    # a's backlog is nearly gone: 3 sent in the last window, nothing waiting.
    shrinking = _grant(0.5, "a", 3, [a, b], in_use=3)
    assert (shrinking.share, shrinking.reserved) == (3, 3)
    a = _holder("a", 3, shrinking)
    assert _grant(0.6, "b", 30, [a, b]).share == 27  # at once, not a window later


def test_what_a_holder_gives_up_is_free_a_window_after_its_last_answer_not_after_it_asked() -> None:
    a = _holder("a", 30, _grant(0.0, "a", 30, []))
    b_first = _grant(0.1, "b", 30, [a])
    b = _holder("b", 30, b_first)
    # a's burst ended: its last answer came 0.4 s before it renewed, 20 of its sends still in a
    # window; it wants nothing more.
    done = _grant(1.0, "a", 0, [a, b], in_use=20, in_use_age=0.4)
    assert (done.share, done.reserved, done.reserved_until) == (0, 20, 0.6)
    a = _holder("a", 0, done)
    waiting = _grant(1.05, "b", 30, [a, b])
    assert (waiting.share, waiting.waiting) == (10, True)
    assert waiting.free_at == 0.6 + WINDOW  # when to ask again: then it is all b's
    assert _grant(0.6 + WINDOW + 0.001, "b", 30, [a, b]).share == 30


def test_giving_up_twice_in_a_window_keeps_counting_everything_still_in_it() -> None:
    a = _holder("a", 30, _grant(100.0, "a", 30, []))
    b = _holder("b", 30, _grant(100.1, "b", 30, [a]))
    # a sent 30 at 100.20 (answers in by 100.30) and gives half up, paused.
    a = _holder("a", 30, _grant(100.31, "a", 30, [a, b], in_use=30, in_use_age=0.01))
    assert (a.share, a.reserved, a.reserved_until) == (15, 30, 100.30)
    # Its burst ends: it gives the rest up while those 30 are still in a window.
    a = _holder("a", 0, _grant(100.51, "a", 0, [a, b], in_use=30, in_use_age=0.21))
    assert a.reserved == 30
    assert _grant(100.60, "b", 30, [a, b]).share == 0  # not 15: 30 + 15 in one window


def test_a_dead_holders_share_returns_a_window_after_its_lease() -> None:
    dead = Holder("dead", 30, 30, expires=3.0)
    shares = [
        _grant(now, "b", 30, [dead]).share for now in (2.9, 3.0 + WINDOW - 0.01, 3.1 + WINDOW)
    ]
    assert shares == [0, 0, 30]


@dataclass
class _Process:
    """What one replica does with its grants: it uses a new share from the moment it has the
    answer (`now`, or up to SETTLE later when the share shrank), never past the lease."""

    uses: list[tuple[float, float, int]] = field(default_factory=list)  # (from, until, share)
    row: Holder | None = None


def _in_use(process: _Process, start: float, end: float) -> int:
    """The largest share the process may send at in (start, end]."""
    return max(
        (share for begin, until, share in process.uses if begin < end and until > start),
        default=0,
    )


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),  # which process renews
            st.floats(0.0, 1.5),  # after how long
            st.integers(0, 40),  # what it wants
            st.floats(0.0, 1.0),  # how long its answer takes (of SETTLE)
            st.booleans(),  # paused first, every answer in (it says what it sent: in_use)
            st.floats(0.0, 1.0),  # when paused: how long before it stopped sending (of WINDOW)
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_shares_in_use_never_exceed_the_budget_in_any_window(
    renewals: list[tuple[int, float, int, float, bool, float]],
) -> None:
    processes = [_Process() for _ in range(4)]
    now = 0.0
    for index, step, wants, delay, paused, stopped in renewals:
        now += step
        me = processes[index]
        rows = [p.row for p in processes if p.row is not None]
        # Paused: it stopped sending a while ago, and every answer is in; what it may have sent
        # within the last window is the largest share it held then (the most it can have sent).
        stop = now - stopped * WINDOW if paused else now + delay * SETTLE
        me.uses = [(b, min(u, stop), s) for b, u, s in me.uses if min(u, stop) > b]
        grant = _grant(
            now,
            str(index),
            wants,
            rows,
            in_use=_in_use(me, now - WINDOW, now) if paused else None,
            in_use_age=now - stop if paused else 0.0,
        )
        # The old share stays in use until the answer (or until it stopped), the new one from
        # the answer to the lease.
        me.uses.append((now + delay * SETTLE, grant.expires, grant.share))
        me.row = Holder(
            str(index), grant.share, wants, grant.expires, grant.reserved, grant.reserved_until
        )
        # Every window that ends at or after this moment (earlier ones were checked already).
        # The sum changes when a use begins (checked just after) or one leaves a window.
        for end in sorted({now, *(b + 1e-9 for p in processes for b, _, _ in p.uses)}):
            if end < now - WINDOW:
                continue
            in_use = sum(_in_use(p, end - WINDOW, end) for p in processes)
            assert in_use <= BUDGET, (end, [p.uses for p in processes])
