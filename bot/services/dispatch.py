"""Claiming due reminders and recording how each ended (no Telegram here: see bot.delivery).

A claim is one short transaction: pick due schedule slots, insert one delivery row per firing
(unique on slot + scheduled time), choose the stretch, advance the slot's `next_fire_at`, and
commit. Only then is anything sent. On PostgreSQL the pick uses FOR UPDATE SKIP LOCKED, so
several dispatchers (replicas) share the work without sending anything twice; SQLite has a
single writer, which serialises claims by itself.

A claimed delivery is PENDING with a lease. If the process dies before recording the outcome,
the lease runs out and the delivery is claimed again (at most the in-flight ones are repeated).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.db.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    ScheduleSlot,
    User,
    UserStatus,
)
from bot.domain.clock_times import Weekdays
from bot.domain.fire_times import UnknownZoneError, next_fire_at
from bot.domain.rotation import RotationState, next_stretch
from bot.services.user_state import rotation_states

log = logging.getLogger(__name__)

# After a long outage a slot may have fired many times; each firing is recorded (missed), but
# never more than this many per slot in one claim, so a claim stays short.
MAX_FIRINGS_PER_CLAIM = 40
ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery to send now."""

    delivery_id: int
    user_id: int
    chat_id: int
    stretch_id: str
    scheduled_for: datetime
    kind: DeliveryKind


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    grace: timedelta  # later than this after its time: recorded missed, not sent
    lease: timedelta  # a claim not finished within this is claimed again
    batch: int = 500


def _lock(session: AsyncSession) -> bool:
    """Whether to lock picked rows (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
    return session.get_bind().dialect.name == "postgresql"


async def claim_due(
    session: AsyncSession, catalog: Catalog, now: datetime, policy: DispatchPolicy
) -> list[Claimed]:
    """Claim what is due at `now`: expired leases first, then due slots. Commits."""
    claimed = await _claim_queued_and_expired(session, now, policy)
    claimed += await _claim_slots(session, catalog, now, policy, policy.batch - len(claimed))
    await session.commit()
    return claimed


async def _claim_queued_and_expired(
    session: AsyncSession, now: datetime, policy: DispatchPolicy
) -> list[Claimed]:
    # Queued deliveries (no lease yet: /next, "Later") whose time has come, and claimed ones
    # whose lease ran out because the process that claimed them died.
    query = (
        select(Delivery, User.chat_id)
        .join(User, User.id == Delivery.user_id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.scheduled_for <= now,
            or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now),
        )
        .order_by(Delivery.scheduled_for)
        .limit(policy.batch)
    )
    if _lock(session):
        query = query.with_for_update(of=Delivery, skip_locked=True)
    claimed: list[Claimed] = []
    for delivery, chat_id in (await session.execute(query)).all():
        if now - delivery.scheduled_for > policy.grace or delivery.stretch_id is None:
            delivery.status = DeliveryStatus.MISSED
            delivery.lease_until = None
            continue
        if delivery.lease_until is not None:
            log.warning(
                "reclaiming an unfinished delivery",
                extra={"delivery_id": delivery.id, "user_id": delivery.user_id},
            )
        delivery.lease_until = now + policy.lease
        claimed.append(_claimed(delivery, chat_id))
    return claimed


def _claimed(delivery: Delivery, chat_id: int) -> Claimed:
    assert delivery.stretch_id is not None  # pending deliveries always have their stretch
    return Claimed(
        delivery_id=delivery.id,
        user_id=delivery.user_id,
        chat_id=chat_id,
        stretch_id=delivery.stretch_id,
        scheduled_for=delivery.scheduled_for,
        kind=delivery.kind,
    )


async def _claim_slots(
    session: AsyncSession, catalog: Catalog, now: datetime, policy: DispatchPolicy, limit: int
) -> list[Claimed]:
    if limit <= 0:
        return []
    query = (
        select(ScheduleSlot, User)
        .join(User, User.id == ScheduleSlot.user_id)
        .where(ScheduleSlot.next_fire_at <= now)
        .order_by(ScheduleSlot.next_fire_at)
        .limit(limit)
    )
    if _lock(session):
        query = query.with_for_update(of=ScheduleSlot, skip_locked=True)
    rows = (await session.execute(query)).all()
    if not rows:
        return []
    states = await rotation_states(session, {user for _, user in rows})
    new: list[Delivery] = []
    chats: dict[int, int] = {}
    for slot, user in rows:
        if (
            user.status is UserStatus.PAUSED
            and user.paused_until is not None
            and user.paused_until <= now
        ):
            user.status, user.paused_until = UserStatus.ACTIVE, None  # the pause is over
        if user.status is not UserStatus.ACTIVE or user.time_zone is None:
            slot.next_fire_at = None
            continue
        # A slot that should not fire (paused, stopped, blocked, no zone) was left with a stale
        # next_fire_at; silence it: the user's next settings change recomputes it.
        chats[user.id] = user.chat_id
        try:
            deliveries, states[user.id] = _firings(
                slot, user, catalog, states[user.id], now, policy
            )
        except Exception:
            # One corrupt row must not stop every reminder behind it, round after round.
            log.exception("slot skipped", extra={"user_id": user.id, "slot_id": slot.id})
            slot.next_fire_at = None
            continue
        new += deliveries
    session.add_all(new)
    await session.flush()
    return [_claimed(d, chats[d.user_id]) for d in new if d.status is DeliveryStatus.PENDING]


def _firings(
    slot: ScheduleSlot,
    user: User,
    catalog: Catalog,
    state: RotationState,
    now: datetime,
    policy: DispatchPolicy,
) -> tuple[list[Delivery], RotationState]:
    """One delivery per time the slot fired up to `now`; advances the slot past `now`."""
    zone = user.time_zone
    assert zone is not None
    deliveries: list[Delivery] = []
    fire = slot.next_fire_at
    try:
        days = Weekdays(slot.days)
        while fire is not None and fire <= now:
            if len(deliveries) >= MAX_FIRINGS_PER_CLAIM:
                fire = next_fire_at(slot.local_time, days, zone, now)  # skip the rest of an outage
                break
            delivery = Delivery(
                user_id=user.id,
                slot_id=slot.id,
                kind=DeliveryKind.SCHEDULED,
                scheduled_for=fire,
                attempts=0,
            )
            if now - fire > policy.grace:
                delivery.status = DeliveryStatus.MISSED
            else:
                stretch = next_stretch(catalog, state)
                if stretch is None:
                    delivery.status = DeliveryStatus.FAILED
                    delivery.error = "no stretch suits this user (all blocked or excluded)"
                else:
                    delivery.stretch_id = stretch.id
                    delivery.status = DeliveryStatus.PENDING
                    delivery.lease_until = now + policy.lease
                    state = state.after_sending(stretch)
                    user.last_family_id = stretch.family
            deliveries.append(delivery)
            fire = next_fire_at(slot.local_time, days, zone, fire)
    except ValueError as error:
        # A corrupt row (unknown zone name, no days): this firing is kept (sent or recorded),
        # the slot is silenced until the user's settings change, and the rest go on.
        reason = "unknown zone" if isinstance(error, UnknownZoneError) else str(error)
        log.error(
            "slot cannot fire again; silenced",
            extra={"user_id": user.id, "slot_id": slot.id, "zone": zone, "error": reason},
        )
        fire = None
    slot.next_fire_at = fire
    return deliveries, state


async def earliest_due(session: AsyncSession) -> datetime | None:
    """When the dispatcher must next wake: the earliest slot time or expiring lease."""
    slot = await session.scalar(select(func.min(ScheduleSlot.next_fire_at)))
    pending = Delivery.status == DeliveryStatus.PENDING
    lease = await session.scalar(select(func.min(Delivery.lease_until)).where(pending))
    queued = await session.scalar(
        select(func.min(Delivery.scheduled_for)).where(pending, Delivery.lease_until.is_(None))
    )
    candidates = [moment for moment in (slot, lease, queued) if moment is not None]
    return min(candidates) if candidates else None


async def queue_now(
    session: AsyncSession, catalog: Catalog, user: User, now: datetime
) -> Delivery | None:
    """/next: the next stretch of the user's rotation, queued for the dispatcher to send now
    (recorded like any delivery). None when nothing suits the user."""
    state = (await rotation_states(session, [user]))[user.id]
    stretch = next_stretch(catalog, state)
    if stretch is None:
        return None
    user.last_family_id = stretch.family
    delivery = Delivery(
        user_id=user.id,
        kind=DeliveryKind.NOW,
        stretch_id=stretch.id,
        scheduled_for=now,
        status=DeliveryStatus.PENDING,
        attempts=0,
    )
    session.add(delivery)
    await session.flush()
    return delivery


@dataclass(frozen=True, slots=True)
class Outcome:
    """How sending one delivery ended."""

    delivery_id: int
    status: DeliveryStatus
    attempts: int
    message_id: int | None = None
    sent_at: datetime | None = None
    error: str | None = None
    user_id: int | None = None  # set with BLOCKED: the user to deactivate


_DELIVERIES = cast(Table, Delivery.__table__)
_RECORD_OUTCOME = (
    update(_DELIVERIES)
    .where(
        _DELIVERIES.c.id == bindparam("o_id"),
        _DELIVERIES.c.status == DeliveryStatus.PENDING,  # a final state is never overwritten
    )
    .values(
        {
            **{
                name: bindparam(f"o_{name}", type_=_DELIVERIES.c[name].type)
                for name in ("status", "attempts", "message_id", "sent_at", "error")
            },
            "lease_until": None,
        }
    )
)


async def record_outcomes(session: AsyncSession, outcomes: list[Outcome]) -> None:
    """Write every outcome in one transaction; blocked users stop receiving anything."""
    if outcomes:
        # One executemany, not a statement per outcome: at Telegram's rate this was the bot's
        # largest CPU cost after HTTP (each statement a compile-cache lookup and, on SQLite, a
        # round trip to aiosqlite's thread).
        await session.execute(
            _RECORD_OUTCOME,
            [
                {
                    "o_id": outcome.delivery_id,
                    "o_status": outcome.status,
                    "o_attempts": outcome.attempts,
                    "o_message_id": outcome.message_id,
                    "o_sent_at": outcome.sent_at,
                    "o_error": outcome.error[:ERROR_LENGTH] if outcome.error else None,
                }
                for outcome in outcomes
            ],
        )
    blocked = {o.user_id for o in outcomes if o.status is DeliveryStatus.BLOCKED and o.user_id}
    if blocked:
        await session.execute(
            update(User).where(User.id.in_(blocked)).values(status=UserStatus.BLOCKED)
        )
        await session.execute(
            update(ScheduleSlot).where(ScheduleSlot.user_id.in_(blocked)).values(next_fire_at=None)
        )
        # Nothing else goes to a user who blocked the bot, including claims still pending.
        await session.execute(
            update(Delivery)
            .where(Delivery.user_id.in_(blocked), Delivery.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.BLOCKED, lease_until=None)
        )
    await session.commit()
