"""Whatever the users, their conditions, preferences, "It hurts" blocks and histories (stale ids
from an older pack included), a claim never picks a contraindicated or a blocked stretch.

Property-based (hypothesis) against a real database: `claim_due` day after day, as the engine
runs it, with the outcomes recorded between days so the rotation builds its own history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from bot.db.engine import SessionFactory
from bot.db.models import (
    BlockedStretch,
    Delivery,
    DeliveryStatus,
    ScheduleSlot,
    StretchPreference,
    User,
    UserCondition,
    UserStatus,
)
from bot.services.dispatch.claim import claim_due
from bot.services.dispatch.outcomes import Outcome, record_outcomes
from bot.services.dispatch.policy import DispatchPolicy
from tests.bot_harness import START, real_catalog

CATALOG = real_catalog()
GONE = "retired-from-the-pack"  # what an older pack had and this one does not
CONDITIONS = [c.id for c in CATALOG.conditions] + [GONE]
STRETCHES = [s.id for s in CATALOG.stretches] + [GONE]
FAMILIES = [f.id for f in CATALOG.families] + [GONE]
# A day's grace: each daily round (at 23:59) claims all of that day's firings.
POLICY = DispatchPolicy(grace=timedelta(hours=23), lease=timedelta(minutes=1))


@dataclass(frozen=True)
class Person:
    conditions: frozenset[str]
    preferred: dict[str, str]
    blocked: frozenset[str]
    last_family: str | None
    slots: tuple[time, ...]
    status: UserStatus


people = st.builds(
    Person,
    conditions=st.frozensets(st.sampled_from(CONDITIONS)),
    preferred=st.dictionaries(st.sampled_from(FAMILIES), st.sampled_from(STRETCHES), max_size=4),
    blocked=st.frozensets(st.sampled_from(STRETCHES), max_size=8),
    last_family=st.none() | st.sampled_from(FAMILIES + STRETCHES),
    slots=st.lists(
        st.sampled_from([time(7, 0), time(12, 30), time(21, 45)]), min_size=1, unique=True
    ).map(tuple),
    status=st.sampled_from([UserStatus.ACTIVE] * 4 + [UserStatus.PAUSED, UserStatus.BLOCKED]),
)


async def _load(session_factory: SessionFactory, crowd: list[Person], day: datetime) -> None:
    async with session_factory() as session:
        for table in (Delivery, StretchPreference, BlockedStretch, UserCondition, ScheduleSlot):
            await session.execute(delete(table))
        await session.execute(delete(User))
        for number, person in enumerate(crowd, 1):
            user = User(
                telegram_id=number,
                chat_id=number,
                time_zone="UTC",
                status=person.status,
                last_family_id=person.last_family,
            )
            session.add(user)
            await session.flush()
            session.add_all(
                UserCondition(user_id=user.id, condition_id=c) for c in person.conditions
            )
            session.add_all(
                StretchPreference(user_id=user.id, family_id=family, stretch_id=stretch)
                for family, stretch in person.preferred.items()
            )
            session.add_all(BlockedStretch(user_id=user.id, stretch_id=s) for s in person.blocked)
            session.add_all(
                ScheduleSlot(
                    user_id=user.id,
                    local_time=at,
                    days=0b1111111,
                    next_fire_at=datetime.combine(day.date(), at, tzinfo=UTC),
                )
                for at in person.slots
            )
        await session.commit()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(crowd=st.lists(people, min_size=1, max_size=6), days=st.integers(1, 4))
async def test_no_claim_ever_picks_a_contraindicated_or_blocked_stretch(
    session_factory: SessionFactory, crowd: list[Person], days: int
) -> None:
    await _load(session_factory, crowd, START)
    claimed_any = 0
    for day in range(days):
        now = START.replace(hour=23, minute=59) + timedelta(days=day)
        async with session_factory() as session:
            claimed = await claim_due(session, CATALOG, now, POLICY)
        for claim in claimed:
            person = crowd[claim.chat_id - 1]
            assert person.status is UserStatus.ACTIVE, "only active users are prompted"
            assert claim.stretch_id not in CATALOG.excluded_by(person.conditions), (
                f"{claim.stretch_id} is contraindicated for {sorted(person.conditions)}"
            )
            assert claim.stretch_id not in person.blocked, f"{claim.stretch_id} was blocked"
            assert claim.stretch_id in CATALOG
        claimed_any += len(claimed)
        async with session_factory() as session:  # they were sent: tomorrow rotates on
            await record_outcomes(
                session,
                [Outcome(c.delivery_id, DeliveryStatus.SENT, attempts=1) for c in claimed],
            )
    event("some claimed" if claimed_any else "none claimed")
    assert claimed_any <= days * sum(len(p.slots) for p in crowd)
