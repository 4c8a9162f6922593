"""The inbox of updates in the database: stored on arrival, claimed a chat at a time, marked
done, pruned. (Receiving and handling them is bot.ops.inbox; no Telegram here.)

An update is stored before Telegram is told it arrived, so once Telegram forgets it, the
database has it. A claim leases the oldest pending update of each chat that has nothing else
pending before it: updates of one chat are handled one at a time, in order, whatever the
number of processes. On PostgreSQL the pick uses FOR UPDATE SKIP LOCKED, so replicas share the
inbox (as the reminder engine's claim does); SQLite has a single writer, one process.

A process that dies leaves its claims to expire (`lease_until`); the next claim takes them
again, so an update in flight at a crash may be handled twice, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import InboxUpdate

log = logging.getLogger(__name__)

# An update claimed this many times without being marked done (each time the process died, or
# its lease ran out, while handling it) is given up, so one poisonous update cannot hold its
# chat's later ones back for ever.
MAX_ATTEMPTS = 5
HANDLED = "handled"
GAVE_UP = "gave up"


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A claimed update, to handle now."""

    update_id: int
    chat_key: int | None
    payload: str
    attempts: int


async def store(
    session: AsyncSession, update_id: int, chat_key: int | None, payload: str, now: datetime
) -> bool:
    """Keep an update until it is handled; False if it was already there (a redelivery).
    Commits."""
    session.add(
        InboxUpdate(update_id=update_id, chat_key=chat_key, payload=payload, received_at=now)
    )
    try:
        await session.commit()
    except IntegrityError:
        # Unique on update_id: the same update again (Telegram resends what it was not told
        # arrived), whether still pending or already handled.
        await session.rollback()
        return False
    return True


async def finish_and_claim(
    session: AsyncSession,
    done: Iterable[int],
    now: datetime,
    limit: int,
    lease_until: datetime,
) -> list[InboxItem]:
    """Mark the updates in `done` handled (payload dropped), then lease up to `limit` more: each
    the oldest pending update of its chat, none of a chat with an update in flight; in update_id
    order. One transaction, so a chat's next update is claimed as soon as its previous one is
    done. Commits."""
    ids = sorted(set(done))
    if ids:
        await session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.update_id.in_(ids), InboxUpdate.done_at.is_(None))
            .values(done_at=now, lease_until=None, payload=None, outcome=HANDLED)
        )
    items = await _claim(session, now, limit, lease_until) if limit > 0 else []
    await session.commit()
    return items


# Anything to claim? Built once: a poll that finds nothing (the idle process, every
# POLL_SECONDS) costs one small indexed query, not the claim's statement and a transaction.
_CLAIMABLE = (
    select(InboxUpdate.update_id)
    .where(
        InboxUpdate.done_at.is_(None),
        or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until <= bindparam("now")),
    )
    .limit(1)
)


async def claimable(session: AsyncSession, now: datetime) -> bool:
    """Whether a claim now could take anything: a pending update with no live lease. (A chat
    whose earlier update is in flight elsewhere may still yield nothing: the claim decides.)"""
    return (await session.scalar(_CLAIMABLE, {"now": now})) is not None


async def _claim(
    session: AsyncSession, now: datetime, limit: int, lease_until: datetime
) -> list[InboxItem]:
    earlier = aliased(InboxUpdate)
    query = (
        select(InboxUpdate)
        .where(
            InboxUpdate.done_at.is_(None),
            or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until <= now),
            # The chat's oldest pending update only: an earlier one still waiting or in flight
            # (claimed here or by another process) holds the later ones back.
            ~exists().where(
                earlier.chat_key == InboxUpdate.chat_key,
                earlier.done_at.is_(None),
                earlier.update_id < InboxUpdate.update_id,
            ),
        )
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=InboxUpdate, skip_locked=True)
    items: list[InboxItem] = []
    for row in await session.scalars(query):
        row.attempts += 1
        if row.attempts > MAX_ATTEMPTS or row.payload is None:
            log.error(
                "giving up an update that was never handled",
                extra={"update_id": row.update_id, "attempts": row.attempts - 1},
            )
            _mark_done(row, now, GAVE_UP)
            continue
        if row.attempts > 1:
            log.warning(
                "claiming an update again (its handler did not finish)",
                extra={"update_id": row.update_id, "attempt": row.attempts},
            )
        row.lease_until = lease_until
        items.append(InboxItem(row.update_id, row.chat_key, row.payload, row.attempts))
    return items


def _mark_done(row: InboxUpdate, now: datetime, outcome: str) -> None:
    row.done_at = now
    row.lease_until = None
    row.payload = None  # what the user sent is not kept once handled
    row.outcome = outcome


async def extend(session: AsyncSession, update_ids: Iterable[int], lease_until: datetime) -> None:
    """Renew the leases of updates still being handled. Commits."""
    ids = sorted(set(update_ids))
    if ids:
        await session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.update_id.in_(ids), InboxUpdate.done_at.is_(None))
            .values(lease_until=lease_until)
        )
    await session.commit()


async def release(session: AsyncSession, update_ids: Iterable[int], now: datetime) -> int:
    """Hand updates back unhandled (shutdown): their lease ends now, so the next claim (after a
    restart, or another replica's) takes them at once. Returns how many. Commits."""
    ids = sorted(set(update_ids))
    if not ids:
        return 0
    result = await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(ids), InboxUpdate.done_at.is_(None))
        .values(lease_until=now, attempts=InboxUpdate.attempts - 1)
    )
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def prune(session: AsyncSession, done_before: datetime, batch: int = 5000) -> int:
    """Delete up to `batch` rows handled before `done_before`; returns how many. Commits."""
    oldest = (
        select(InboxUpdate.update_id)
        .where(InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < done_before)
        .limit(batch)
    )
    result = await session.execute(
        delete(InboxUpdate).where(InboxUpdate.update_id.in_(oldest.scalar_subquery()))
    )
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def backlog(session: AsyncSession) -> int:
    """Updates stored and not yet handled."""
    count = await session.scalar(
        select(func.count()).select_from(InboxUpdate).where(InboxUpdate.done_at.is_(None))
    )
    return int(count or 0)
