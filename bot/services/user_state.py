"""What the rotation needs to know about users, loaded for many users in a few queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BlockedStretch, StretchPreference, User, UserCondition
from bot.domain.rotation import RotationState


async def rotation_states(
    session: AsyncSession, users: Collection[User]
) -> dict[int, RotationState]:
    """user id -> RotationState, with three queries whatever the number of users."""
    ids = [user.id for user in users]
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
        user.id: RotationState(
            conditions=frozenset(conditions[user.id]),
            history=(user.last_family_id,) if user.last_family_id else (),
            preferred=preferred[user.id],
            blocked=frozenset(blocked[user.id]),
        )
        for user in users
    }
