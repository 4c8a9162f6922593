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
from datetime import datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.catalog.model import Stretch
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
from bot.services.user_state import rotation_states, rotation_states_of

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
    claimed = await _claim_queued_and_expired(session, catalog, now, policy)
    claimed += await _claim_slots(session, catalog, now, policy, policy.batch - len(claimed))
    await session.commit()
    return claimed


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
    dropped: list[tuple[Delivery, int, str | None]] = []
    for delivery, chat_id, last_family in (await session.execute(query)).all():
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
            claimed.append(_claimed(delivery, chat_id))
        else:
            dropped.append((delivery, chat_id, last_family))
    if dropped:
        claimed += await _choose_again(session, catalog, dropped)
    return claimed


async def _choose_again(
    session: AsyncSession, catalog: Catalog, dropped: list[tuple[Delivery, int, str | None]]
) -> list[Claimed]:
    """Queued deliveries ("Later", /next) of a stretch the content pack no longer has: the
    user gets the next stretch of their rotation instead (as a scheduled prompt would), or,
    when nothing suits them, the delivery is recorded failed with the reason."""
    states = await rotation_states_of(
        session, {delivery.user_id: last_family for delivery, _, last_family in dropped}
    )
    claimed: list[Claimed] = []
    for delivery, chat_id, _ in dropped:
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


_DELIVERIES = cast(Table, Delivery.__table__)
_SLOTS = cast(Table, ScheduleSlot.__table__)
_USERS = cast(Table, User.__table__)
_DUE_SLOTS = (
    select(
        _SLOTS.c.id,
        _SLOTS.c.local_time,
        _SLOTS.c.days,
        _SLOTS.c.next_fire_at,
        _USERS.c.id,
        _USERS.c.chat_id,
        _USERS.c.status,
        _USERS.c.time_zone,
        _USERS.c.paused_until,
        _USERS.c.last_family_id,
    )
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


@dataclass(slots=True)
class _Due:
    """A user with due slots, as claimed (mutable: firings of several slots build on it)."""

    chat_id: int
    status: UserStatus
    time_zone: str | None
    paused_until: datetime | None
    loaded_family_id: str | None  # as read: last_family_id is written back only if it changed
    last_family_id: str | None = None
    resumed: bool = False  # the pause ended: ACTIVE is written back

    def __post_init__(self) -> None:
        self.last_family_id = self.loaded_family_id


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
    rows = (await session.execute(query, {"now": now, "limit": limit})).all()
    if not rows:
        return []
    users: dict[int, _Due] = {}
    for row in rows:
        if row[4] not in users:
            users[row[4]] = _Due(*row[5:])
    states = await rotation_states_of(
        session, {user_id: user.loaded_family_id for user_id, user in users.items()}
    )
    firings = _Firings(catalog, now, policy)
    new: list[dict[str, Any]] = []
    advanced: list[dict[str, Any]] = []
    for slot_id, local_time, days, fire, user_id, *_ in rows:
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
            deliveries, next_fire, states[user_id], family = firings.of_slot(
                slot_id, user_id, local_time, days, fire, user.time_zone, states[user_id]
            )
        except Exception:
            # One corrupt row must not stop every reminder behind it, round after round.
            log.exception("slot skipped", extra={"user_id": user_id, "slot_id": slot_id})
            advanced.append({"s_id": slot_id, "s_next": None})
            continue
        if family is not None:
            user.last_family_id = family
        new += deliveries
        advanced.append({"s_id": slot_id, "s_next": next_fire})
    ids: dict[tuple[int, datetime], int] = {}
    if new:
        # Multi-row INSERT ... RETURNING (SQLAlchemy's insertmanyvalues); the unique
        # (slot_id, scheduled_for) key, which guards against a double claim, tells which id is
        # whose.
        inserted = await session.execute(_INSERT_DELIVERIES, new)
        ids = {(slot_id, scheduled_for): id_ for id_, slot_id, scheduled_for in inserted}
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


class _Firings:
    """What due slots produce at `now`, for one claim. Fire times and stretch choices are pure
    functions of their inputs, and in a burst most slots share them (same local time and zone,
    same rotation state), so each is computed once per claim: APScheduler's CronTrigger search
    alone was ~7 % of the CPU per reminder."""

    def __init__(self, catalog: Catalog, now: datetime, policy: DispatchPolicy) -> None:
        self.catalog = catalog
        self.now = now
        self.policy = policy
        self._fire_times: dict[tuple[time, int, str, datetime], datetime] = {}
        self._stretches: dict[RotationState, Stretch | None] = {}

    def _next_fire_at(self, local_time: time, days: int, zone: str, after: datetime) -> datetime:
        key = (local_time, days, zone, after)
        fire = self._fire_times.get(key)
        if fire is None:
            fire = self._fire_times[key] = next_fire_at(local_time, Weekdays(days), zone, after)
        return fire

    def _next_stretch(self, state: RotationState) -> Stretch | None:
        if state not in self._stretches:
            self._stretches[state] = next_stretch(self.catalog, state)
        return self._stretches[state]

    def of_slot(
        self,
        slot_id: int,
        user_id: int,
        local_time: time,
        days: int,
        fire: datetime | None,
        zone: str,
        state: RotationState,
    ) -> tuple[list[dict[str, Any]], datetime | None, RotationState, str | None]:
        """One delivery row per time the slot fired up to `now`; the slot's next fire time past
        `now`; the rotation state after them; the family of the last stretch chosen, if any."""
        now, policy = self.now, self.policy
        deliveries: list[dict[str, Any]] = []
        family: str | None = None
        try:
            while fire is not None and fire <= now:
                if len(deliveries) >= MAX_FIRINGS_PER_CLAIM:
                    # Skip the rest of an outage.
                    fire = self._next_fire_at(local_time, days, zone, now)
                    break
                # Every row has every key: one executemany compiles the statement once.
                delivery: dict[str, Any] = {
                    "user_id": user_id,
                    "slot_id": slot_id,
                    "kind": DeliveryKind.SCHEDULED,
                    "scheduled_for": fire,
                    "attempts": 0,
                    "stretch_id": None,
                    "lease_until": None,
                    "error": None,
                }
                if now - fire > policy.grace:
                    delivery["status"] = DeliveryStatus.MISSED
                else:
                    stretch = self._next_stretch(state)
                    if stretch is None:
                        delivery["status"] = DeliveryStatus.FAILED
                        delivery["error"] = "no stretch suits this user (all blocked or excluded)"
                    else:
                        delivery["stretch_id"] = stretch.id
                        delivery["status"] = DeliveryStatus.PENDING
                        delivery["lease_until"] = now + policy.lease
                        state = state.after_sending(stretch)
                        family = stretch.family
                deliveries.append(delivery)
                fire = self._next_fire_at(local_time, days, zone, fire)
        except ValueError as error:
            # A corrupt row (unknown zone name, no days): this firing is kept (sent or
            # recorded), the slot is silenced until the user's settings change, and the rest go
            # on.
            reason = "unknown zone" if isinstance(error, UnknownZoneError) else str(error)
            log.error(
                "slot cannot fire again; silenced",
                extra={"user_id": user_id, "slot_id": slot_id, "zone": zone, "error": reason},
            )
            fire = None
        return deliveries, fire, state, family


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
