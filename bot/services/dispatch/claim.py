"""Claiming due reminders: the one step that decides what is sent, exactly once.

A claim is one short transaction: pick due schedule slots, insert one delivery row per firing
(unique on slot + scheduled time; see bot.services.dispatch.firings), choose the stretch, advance
the slot's `next_fire_at`, and commit. Only then is anything sent. On PostgreSQL the pick uses
FOR UPDATE SKIP LOCKED, so several dispatchers (replicas) share the work without sending anything
twice; SQLite has a single writer, which serialises claims by itself.

A claimed delivery is PENDING with a lease. If the process dies before recording the outcome,
the lease runs out and the delivery is claimed again (at most the in-flight ones are repeated).
Queued deliveries ("Later", /next: bot.services.dispatch.queueing) are claimed here too, when
their time comes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
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
from bot.domain.rotation import next_stretch
from bot.services.dispatch.firings import Firings
from bot.services.dispatch.policy import DispatchPolicy
from bot.services.user_state import rotation_states_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery to send now."""

    delivery_id: int
    user_id: int
    chat_id: int
    stretch_id: str
    scheduled_for: datetime
    kind: DeliveryKind


def _lock(session: AsyncSession) -> bool:
    """Whether to lock picked rows (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
    return session.get_bind().dialect.name == "postgresql"


async def claim_due(
    session: AsyncSession, catalog: Catalog, now: datetime, policy: DispatchPolicy
) -> list[Claimed]:
    """Claim what is due at `now`: expired leases first, then due slots. Commits."""
    claimed = await _claim_queued_and_expired(session, catalog, now, policy)
    claimed += await _claim_slots(session, catalog, now, policy, policy.batch - len(claimed))
    await session.commit()
    return claimed


class _Queued(NamedTuple):
    """A queued or expired delivery as claimed, with what sending it needs of its user."""

    delivery: Delivery
    chat_id: int
    last_family_id: str | None


async def _claim_queued_and_expired(
    session: AsyncSession, catalog: Catalog, now: datetime, policy: DispatchPolicy
) -> list[Claimed]:
    # Queued deliveries (no lease yet: /next, "Later") whose time has come, and claimed ones
    # whose lease ran out because the process that claimed them died.
    query = (
        select(Delivery, User.chat_id, User.last_family_id)
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
    dropped: list[_Queued] = []
    for row in map(_Queued._make, (await session.execute(query)).all()):
        delivery = row.delivery
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
        if delivery.stretch_id in catalog:
            claimed.append(_claimed(delivery, row.chat_id))
        else:
            dropped.append(row)
    if dropped:
        claimed += await _choose_again(session, catalog, dropped)
    return claimed


async def _choose_again(
    session: AsyncSession, catalog: Catalog, dropped: list[_Queued]
) -> list[Claimed]:
    """Queued deliveries ("Later", /next) of a stretch the content pack no longer has: the
    user gets the next stretch of their rotation instead (as a scheduled prompt would), or,
    when nothing suits them, the delivery is recorded failed with the reason."""
    states = await rotation_states_of(
        session, {row.delivery.user_id: row.last_family_id for row in dropped}
    )
    claimed: list[Claimed] = []
    for row in dropped:
        delivery = row.delivery
        gone = delivery.stretch_id
        stretch = next_stretch(catalog, states[delivery.user_id])
        if stretch is None:
            delivery.status = DeliveryStatus.FAILED
            delivery.lease_until = None
            delivery.error = f"stretch {gone!r} is no longer in the content pack; none suits"
            log.warning(
                "queued stretch dropped from the pack; nothing else suits",
                extra={"delivery_id": delivery.id, "stretch_id": gone},
            )
            continue
        delivery.stretch_id = stretch.id
        await session.execute(
            update(User).where(User.id == delivery.user_id).values(last_family_id=stretch.family)
        )
        log.info(
            "queued stretch dropped from the pack; the next one chosen instead",
            extra={"delivery_id": delivery.id, "stretch_id": gone, "instead": stretch.id},
        )
        claimed.append(_claimed(delivery, row.chat_id))
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


_DELIVERIES = cast(Table, Delivery.__table__)
_SLOTS = cast(Table, ScheduleSlot.__table__)
_USERS = cast(Table, User.__table__)


class _DueSlot(NamedTuple):
    """A row of `_DUE_SLOTS`: a due slot and its user."""

    slot_id: int
    local_time: time
    days: int
    next_fire_at: datetime | None
    user_id: int
    chat_id: int
    status: UserStatus
    time_zone: str | None
    paused_until: datetime | None
    last_family_id: str | None


_DUE_SLOT_COLUMNS = {
    "slot_id": _SLOTS.c.id,
    "local_time": _SLOTS.c.local_time,
    "days": _SLOTS.c.days,
    "next_fire_at": _SLOTS.c.next_fire_at,
    "user_id": _USERS.c.id,
    "chat_id": _USERS.c.chat_id,
    "status": _USERS.c.status,
    "time_zone": _USERS.c.time_zone,
    "paused_until": _USERS.c.paused_until,
    "last_family_id": _USERS.c.last_family_id,
}
_DUE_SLOTS = (
    # The columns in _DueSlot's order, so that each row is read by name.
    select(*(_DUE_SLOT_COLUMNS[name].label(name) for name in _DueSlot._fields))
    .select_from(_SLOTS.join(_USERS, _USERS.c.id == _SLOTS.c.user_id))
    .where(_SLOTS.c.next_fire_at <= bindparam("now", type_=_SLOTS.c.next_fire_at.type))
    .order_by(_SLOTS.c.next_fire_at)
    .limit(bindparam("limit"))
)
# RETURNING the unique key with the id, not `sort_by_parameter_order`: SQLAlchemy cannot order a
# multi-row INSERT's RETURNING on SQLite, so it would fall back to one INSERT per row.
_INSERT_DELIVERIES = insert(_DELIVERIES).returning(
    _DELIVERIES.c.id, _DELIVERIES.c.slot_id, _DELIVERIES.c.scheduled_for
)
_ADVANCE_SLOT = (
    update(_SLOTS)
    .where(_SLOTS.c.id == bindparam("s_id"))
    .values(next_fire_at=bindparam("s_next", type_=_SLOTS.c.next_fire_at.type))
)
_SET_LAST_FAMILY = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("u_id"))
    .values(last_family_id=bindparam("u_family"))
)


class _Inserted(NamedTuple):
    """A row `_INSERT_DELIVERIES` returns."""

    id: int
    slot_id: int
    scheduled_for: datetime


@dataclass(slots=True)
class _DueUser:
    """A user with due slots, as claimed (mutable: firings of several slots build on it)."""

    chat_id: int
    status: UserStatus
    time_zone: str | None
    paused_until: datetime | None
    loaded_family_id: str | None  # as read: last_family_id is written back only if it changed
    last_family_id: str | None = None
    resumed: bool = False  # the pause ended: ACTIVE is written back

    @classmethod
    def of(cls, slot: _DueSlot) -> _DueUser:
        return cls(
            chat_id=slot.chat_id,
            status=slot.status,
            time_zone=slot.time_zone,
            paused_until=slot.paused_until,
            loaded_family_id=slot.last_family_id,
            last_family_id=slot.last_family_id,
        )


async def _claim_slots(
    session: AsyncSession, catalog: Catalog, now: datetime, policy: DispatchPolicy, limit: int
) -> list[Claimed]:
    # SQLAlchemy Core, not the ORM: rows in, executemany out. Loading slot and user objects into
    # the identity map and flushing a Delivery object per firing was ~30 % of the bot's CPU per
    # reminder in a burst (benchmarks/README.md); the rules are the ORM version's.
    if limit <= 0:
        return []
    query = _DUE_SLOTS
    if _lock(session):
        # Only the slots are locked: a slot is claimed by one dispatcher (replica) at a time.
        query = query.with_for_update(of=_SLOTS, skip_locked=True)
    slots = list(map(_DueSlot._make, await session.execute(query, {"now": now, "limit": limit})))
    if not slots:
        return []
    users: dict[int, _DueUser] = {}
    for slot in slots:
        if slot.user_id not in users:
            users[slot.user_id] = _DueUser.of(slot)
    states = await rotation_states_of(
        session, {user_id: user.loaded_family_id for user_id, user in users.items()}
    )
    firings = Firings(catalog, now, policy)
    new: list[dict[str, Any]] = []
    advanced: list[dict[str, Any]] = []
    for slot in slots:
        slot_id, user_id = slot.slot_id, slot.user_id
        user = users[user_id]
        if (
            user.status is UserStatus.PAUSED
            and user.paused_until is not None
            and user.paused_until <= now
        ):
            user.status, user.paused_until, user.resumed = UserStatus.ACTIVE, None, True
        if user.status is not UserStatus.ACTIVE or user.time_zone is None:
            # A slot that should not fire (paused, stopped, blocked, no zone) was left with a
            # stale next_fire_at; silence it: the user's next settings change recomputes it.
            advanced.append({"s_id": slot_id, "s_next": None})
            continue
        try:
            fired = firings.of_slot(
                slot_id,
                user_id,
                slot.local_time,
                slot.days,
                slot.next_fire_at,
                user.time_zone,
                states[user_id],
            )
        except Exception:
            # One corrupt row must not stop every reminder behind it, round after round.
            log.exception("slot skipped", extra={"user_id": user_id, "slot_id": slot_id})
            advanced.append({"s_id": slot_id, "s_next": None})
            continue
        states[user_id] = fired.state
        if fired.family is not None:
            user.last_family_id = fired.family
        new += fired.deliveries
        advanced.append({"s_id": slot_id, "s_next": fired.next_fire_at})
    ids: dict[tuple[int, datetime], int] = {}
    if new:
        # Multi-row INSERT ... RETURNING (SQLAlchemy's insertmanyvalues); the unique
        # (slot_id, scheduled_for) key, which guards against a double claim, tells which id is
        # whose.
        inserted = map(_Inserted._make, await session.execute(_INSERT_DELIVERIES, new))
        ids = {(row.slot_id, row.scheduled_for): row.id for row in inserted}
    # Each in id order, so that concurrent claims (replicas) take row locks in the same order.
    advanced.sort(key=lambda params: cast(int, params["s_id"]))
    await session.execute(_ADVANCE_SLOT, advanced)
    moved_on = [
        {"u_id": user_id, "u_family": user.last_family_id}
        for user_id, user in sorted(users.items())
        if user.last_family_id != user.loaded_family_id
    ]
    if moved_on:
        await session.execute(_SET_LAST_FAMILY, moved_on)
    resumed = sorted(user_id for user_id, user in users.items() if user.resumed)
    if resumed:
        await session.execute(
            update(_USERS)
            .where(_USERS.c.id.in_(resumed))
            .values(status=UserStatus.ACTIVE, paused_until=None)
        )
    return [
        Claimed(
            delivery_id=ids[params["slot_id"], params["scheduled_for"]],
            user_id=params["user_id"],
            chat_id=users[params["user_id"]].chat_id,
            stretch_id=params["stretch_id"],
            scheduled_for=params["scheduled_for"],
            kind=DeliveryKind.SCHEDULED,
        )
        for params in new
        if params["status"] is DeliveryStatus.PENDING
    ]


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
