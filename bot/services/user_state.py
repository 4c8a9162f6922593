"""What the rotation needs to know about users, loaded for many users in a few queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BlockedStretch, StretchPreference, User, UserCondition
from bot.domain.rotation import RotationState


async def rotation_states(
    session: AsyncSession, users: Collection[User]
) -> dict[int, RotationState]:
    """user id -> RotationState, with three queries whatever the number of users."""
    return await rotation_states_of(session, {user.id: user.last_family_id for user in users})


async def rotation_states_of(
    session: AsyncSession, last_families: Mapping[int, str | None]
) -> dict[int, RotationState]:
    """user id -> RotationState for users given as id -> last_family_id (no ORM objects
    needed: the dispatcher claims with plain rows), with three queries whatever their number."""
    ids = list(last_families)
    conditions: dict[int, set[str]] = defaultdict(set)
    preferred: dict[int, dict[str, str]] = defaultdict(dict)
    blocked: dict[int, set[str]] = defaultdict(set)
    if ids:
        for user_id, condition_id in await session.execute(
            select(UserCondition.user_id, UserCondition.condition_id).where(
                UserCondition.user_id.in_(ids)
            )
        ):
            conditions[user_id].add(condition_id)
        for user_id, family_id, stretch_id in await session.execute(
            select(
                StretchPreference.user_id, StretchPreference.family_id, StretchPreference.stretch_id
            ).where(StretchPreference.user_id.in_(ids))
        ):
            preferred[user_id][family_id] = stretch_id
        for user_id, stretch_id in await session.execute(
            select(BlockedStretch.user_id, BlockedStretch.stretch_id).where(
                BlockedStretch.user_id.in_(ids)
            )
        ):
            blocked[user_id].add(stretch_id)
    return {
        user_id: RotationState(
            conditions=frozenset(conditions[user_id]),
            history=(last_family,) if last_family else (),
            preferred=preferred[user_id],
            blocked=frozenset(blocked[user_id]),
        )
        for user_id, last_family in last_families.items()
    }
