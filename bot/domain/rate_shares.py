"""How replicas on one token share Telegram's rate: each holds a share of the budget for a while.

Each process paces itself with its own sliding window (bot.delivery.send_window) whose limit is
its share: if every process keeps at most its share in any window, and the shares add up to
at most the budget, no window at Telegram holds more than the budget. The processes agree on
shares through the database (bot.services.rate_shares), one at a time, by these rules:

* **Fair by demand.** Each holder says how many it wants per window (what it has waiting and
  in flight); the budget is water-filled over the holders whose lease is live: nobody gets
  more than it wants, and what someone doesn't want goes to those who want more.
* **A share is a lease.** It is valid until `expires` (a few seconds) and renewed well before;
  a process that cannot renew stops sending at its lease's end. A crashed process's share
  comes back to the others one window after its lease ran out.
* **Giving back is counted.** A process gives part of its share up only when it has stopped
  sending and has the answers of everything it sent; what it sent within the last window is
  still counted (`reserved`) until a window after the last of those answers, so a window
  spanning the change never holds both its old sends and someone's new ones. Growing is
  immediate, from what is not counted for anyone; a holder waiting for more is told when the
  next counted share lapses (`Grant.free_at`), so it can ask again right then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Holder:
    """One process's standing in one budget (times in seconds on the database's clock)."""

    name: str
    share: int  # may send this many per window until `expires`
    wants: int
    expires: float
    reserved: int = 0  # a larger share it held, still counted until `reserved_until` + window
    reserved_until: float = 0.0

    def counted(self, now: float, window: float) -> int:
        """What this holder may have sent in a window that reaches past `now`."""
        active = self.share if self.expires + window > now else 0
        cooling = self.reserved if self.reserved_until + window > now else 0
        return max(active, cooling)

    def is_dead(self, now: float, window: float) -> bool:
        return self.counted(now, window) == 0 and self.expires <= now


@dataclass(frozen=True, slots=True)
class Grant:
    share: int
    expires: float
    reserved: int
    reserved_until: float
    fair: int = 0  # what it would have if nothing were still counted for others
    free_at: float | None = None  # while waiting: when the next share counted for others lapses

    @property
    def waiting(self) -> bool:
        """Less than its fair share, for now: others are still giving it up."""
        return self.share < self.fair

    @property
    def to_give_up(self) -> bool:
        """More than its fair share: it should renew at once, paused (see `allocate`)."""
        return self.share > self.fair


def water_fill(budget: int, wants: Mapping[str, int]) -> dict[str, int]:
    """Max-min fair integer shares: the smallest wants are met first, the rest split evenly
    (remainders to the later names in order), never more than anyone wants."""
    order = sorted(wants.items(), key=lambda item: (item[1], item[0]))
    left, shares = budget, {}
    for index, (name, want) in enumerate(order):
        given = min(max(0, want), left // (len(order) - index))
        shares[name] = given
        left -= given
    return shares


def short_of_fair(budget: int, holders: Iterable[Holder], now: float) -> set[str]:
    """Live holders that have less than their fair share: they wait for others to give up
    some, so those should renew soon."""
    live = [holder for holder in holders if holder.expires > now]
    fair = water_fill(budget, {holder.name: holder.wants for holder in live})
    return {holder.name for holder in live if holder.share < fair[holder.name]}


def allocate(
    *,
    budget: int,
    window: float,
    lease: float,
    settle: float,
    now: float,
    me: str,
    wants: int,
    holders: Iterable[Holder],
    in_use: int | None = None,
    in_use_age: float = 0.0,
) -> Grant:
    """My share from `now` on, given everyone's standing (mine included, if I had one).

    `settle`: how long after `now` this process may still send at its old share (until it has
    the answer); what it gives up is counted from then, not from `now`. `in_use`: how many it
    sent within the last window, if it stopped sending and had every answer before it asked
    (and sends nothing more until it has this answer); `in_use_age`: how long before `now`
    the last of their answers arrived (none of them can reach Telegram after it)."""
    others = [holder for holder in holders if holder.name != me]
    mine = next((holder for holder in holders if holder.name == me), None)
    live = {holder.name: holder.wants for holder in others if holder.expires > now}
    live[me] = wants
    fair = water_fill(budget, live)[me]
    free = budget - sum(holder.counted(now, window) for holder in others)
    share = max(0, min(fair, free))
    grant = _mine(mine, share, now, window, lease, fair, in_use, in_use_age)
    return replace(grant, free_at=_next_lapse(others, now, window)) if grant.waiting else grant


def _next_lapse(others: Iterable[Holder], now: float, window: float) -> float | None:
    """The earliest moment after `now` at which what is counted for some other holder drops."""
    moments = [
        moment
        for holder in others
        for moment in (holder.reserved_until + window, holder.expires + window)
        if moment > now
    ]
    return min(moments, default=None)


def _mine(
    mine: Holder | None,
    share: int,
    now: float,
    window: float,
    lease: float,
    fair: int,
    in_use: int | None,
    in_use_age: float,
) -> Grant:
    if mine is None:
        return Grant(share, now + lease, 0, 0.0, fair)
    cooling = mine.reserved if mine.reserved_until + window > now else 0
    # The share it may have sent at within the last window: until it has this answer, or
    # until its lease ran out.
    recent = mine.share if mine.expires + window > now else 0
    if recent > share and in_use is not None:
        # The holder stopped sending before it asked, had every answer, and counted what it
        # sent within the last window: all of that stays counted (an earlier reduction's
        # reservation included: what of it is still in a window is in `in_use`, which may be
        # more than the share it gives up now), until a window after the last of those
        # answers, `in_use_age` before `now`.
        age = min(max(0.0, in_use_age), window)  # older ones are out of any window anyway
        return Grant(share, now + lease, in_use, now - age, fair)
    if recent > share and mine.expires > now:
        # Still sending at its old share, some of it maybe still on its way to Telegram
        # (measured on a busy host: up to ~0.8 s after it was let through): it keeps its share
        # for now and gives part of it up at its next renewal, which it makes at once, paused
        # and with every answer in (`in_use` above).
        return Grant(
            recent, now + lease, mine.reserved if cooling else 0, mine.reserved_until, fair
        )
    if recent > share:
        # Its lease ran out: it stopped sending then.
        return Grant(share, now + lease, recent, mine.expires, fair)
    if cooling:
        # An earlier reservation still cooling: kept as it was, never extended.
        return Grant(share, now + lease, mine.reserved, mine.reserved_until, fair)
    return Grant(share, now + lease, 0, 0.0, fair)
