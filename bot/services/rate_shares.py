"""Agreeing on rate shares through PostgreSQL: one short transaction per renewal.

The rules are bot.domain.rate_shares'; here they run under a transaction-level advisory lock
(one renewal at a time, for every process on the database), on the database's clock, so that
processes on different hosts agree on "now". About one renewal a second per process, on a
connection of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import RateShare
from bot.domain.rate_shares import Grant, Holder, allocate, short_of_fair

_SHARES = cast(Table, RateShare.__table__)
# pg_advisory_xact_lock's key: any constant no other lock of this database uses ("ratebudg").
_LOCK_KEY = 0x7261746562756467
_LOCK_AND_NOW = text(
    "SELECT pg_advisory_xact_lock(:key), extract(epoch FROM clock_timestamp())::float8"
)


@dataclass(frozen=True, slots=True)
class Want:
    scope: str
    budget: int  # per window, for all processes
    wants: int
    in_use: int | None = None  # sent within the last window, if paused until the answer
    in_use_age: float = 0.0  # how long ago the last of their answers arrived


@dataclass(frozen=True, slots=True)
class Renewal:
    now: float  # the database's clock when the shares were agreed
    grants: dict[str, Grant]
    others_waiting: bool  # another holder waits for shares to be given up: renew soon


async def renew(
    connection: AsyncConnection,
    holder: str,
    wants: Sequence[Want],
    *,
    window: float,
    lease: float,
    settle: float,
) -> Renewal:
    """Agree on this holder's share of each scope's budget (wants 0: give it back, e.g. when
    stopping); forgets holders long dead."""
    async with connection.begin():
        now = float((await connection.execute(_LOCK_AND_NOW, {"key": _LOCK_KEY})).one()[1])
        rows = (await connection.execute(select(_SHARES))).all()
        standing: dict[str, list[Holder]] = {}
        for row in rows:
            standing.setdefault(row.scope, []).append(
                Holder(
                    row.holder,
                    row.share,
                    row.wants,
                    row.expires,
                    row.reserved,
                    row.reserved_until,
                )
            )
        grants = {
            want.scope: allocate(
                budget=want.budget,
                window=window,
                lease=lease,
                settle=settle,
                now=now,
                me=holder,
                wants=want.wants,
                holders=standing.get(want.scope, []),
                in_use=want.in_use,
                in_use_age=want.in_use_age,
            )
            for want in wants
        }
        upsert = insert(_SHARES)
        await connection.execute(
            upsert.on_conflict_do_update(
                index_elements=[_SHARES.c.scope, _SHARES.c.holder],
                set_={
                    name: upsert.excluded[name]
                    for name in ("share", "wants", "expires", "reserved", "reserved_until")
                },
            ),
            [
                {
                    "scope": scope,
                    "holder": holder,
                    "share": grant.share,
                    "wants": want.wants,
                    "expires": grant.expires,
                    "reserved": grant.reserved,
                    "reserved_until": grant.reserved_until,
                }
                for want in wants
                for scope, grant in [(want.scope, grants[want.scope])]
            ],
        )
        dead = [
            (scope, h.name)
            for scope, holders in standing.items()
            for h in holders
            if h.name != holder and h.is_dead(now, window)
        ]
        for scope, name in dead:
            await connection.execute(
                delete(_SHARES).where(_SHARES.c.scope == scope, _SHARES.c.holder == name)
            )
    others_waiting = any(
        short_of_fair(want.budget, standing.get(want.scope, []), now) - {holder} for want in wants
    )
    return Renewal(now, grants, others_waiting)
