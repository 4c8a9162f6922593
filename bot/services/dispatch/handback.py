"""Handing claimed deliveries back at shutdown, so another process can send them at once.

A claimed delivery holds a lease; if the process that claimed it stops, the delivery would
wait for the lease to run out. Releasing sets the lease to now: the next claim (this process
after a restart, or another replica) takes it straight away. Nothing is lost either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, DeliveryStatus


async def release_claims(session: AsyncSession, delivery_ids: Iterable[int], now: datetime) -> int:
    """Expire the leases of these deliveries if still pending; returns how many. Commits."""
    return await _lease_until(session, delivery_ids, now)


async def renew_leases(session: AsyncSession, delivery_ids: Iterable[int], until: datetime) -> int:
    """Extend the leases of these deliveries, if still pending and claimed, to `until` (the
    claiming process is alive and working on them); returns how many. Commits."""
    return await _lease_until(session, delivery_ids, until)


async def _lease_until(session: AsyncSession, delivery_ids: Iterable[int], until: datetime) -> int:
    """Set the lease of these deliveries, if still pending and claimed, to `until`. Commits."""
    ids = sorted(set(delivery_ids))
    if not ids:
        return 0
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.lease_until.is_not(None),
        )
        .values(lease_until=until)
    )
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
