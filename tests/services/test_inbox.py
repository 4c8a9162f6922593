"""The inbox table's rules: an update is kept once, a chat's updates are handed out one at a
time in order, a dead process's claims come back after their lease, and handled rows go."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.engine import SessionFactory
from bot.db.models import InboxUpdate
from bot.services import inbox

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def stored(session_factory: SessionFactory, *updates: tuple[int, int | None]) -> None:
    for update_id, chat in updates:
        async with session_factory() as session:
            assert await inbox.store(session, update_id, chat, f'{{"n":{update_id}}}', NOW)


async def claim(
    session_factory: SessionFactory, done: tuple[int, ...] = (), at: datetime = NOW, limit: int = 10
) -> list[int]:
    async with session_factory() as session:
        items = await inbox.finish_and_claim(session, done, at, limit, at + LEASE)
    return [item.update_id for item in items]


async def test_an_update_delivered_twice_is_kept_once(session_factory: SessionFactory) -> None:
    await stored(session_factory, (1, 100))
    async with session_factory() as session:
        assert not await inbox.store(session, 1, 100, '{"n":1}', NOW)
    assert await claim(session_factory) == [1]
    async with session_factory() as session:  # and once handled, still recognised
        assert not await inbox.store(session, 1, 100, '{"n":1}', NOW)
    assert await claim(session_factory, done=(1,)) == []


async def test_each_chat_gets_one_update_at_a_time_in_order(
    session_factory: SessionFactory,
) -> None:
    await stored(session_factory, (1, 100), (2, 200), (3, 100), (4, None), (5, None), (6, 200))
    # Chat 100's 3 waits for 1, chat 200's 6 for 2; updates of nobody's chat go side by side.
    assert await claim(session_factory) == [1, 2, 4, 5]
    assert await claim(session_factory) == [], "in flight: their chats' next ones wait"
    assert await claim(session_factory, done=(1,)) == [3]
    assert await claim(session_factory, done=(2, 3, 4, 5)) == [6]
    assert await claim(session_factory, done=(6,)) == []
    async with session_factory() as session:
        rows = list(await session.scalars(select(InboxUpdate)))
        assert await inbox.backlog(session) == 0
    assert all(row.outcome == inbox.HANDLED and row.payload is None for row in rows)


async def test_a_dead_process_claims_come_back_after_the_lease_and_a_poison_update_gives_up(
    session_factory: SessionFactory,
) -> None:
    await stored(session_factory, (1, 100), (2, 100))
    at = NOW
    for attempt in range(1, inbox.MAX_ATTEMPTS + 1):
        assert await claim(session_factory, at=at) == [1], attempt
        assert await claim(session_factory, at=at + LEASE / 2) == []  # lease holds
        at += LEASE  # the process died: the lease runs out
    # Claimed MAX_ATTEMPTS times and never done: given up, so the chat's next one goes.
    assert await claim(session_factory, at=at) == []
    assert await claim(session_factory, at=at) == [2]
    async with session_factory() as session:
        first = await session.get(InboxUpdate, 1)
    assert first is not None
    assert first.outcome == inbox.GAVE_UP


async def test_handed_back_updates_are_claimed_at_once(session_factory: SessionFactory) -> None:
    await stored(session_factory, (1, 100), (2, 200))
    assert await claim(session_factory) == [1, 2]
    async with session_factory() as session:
        assert await inbox.release(session, [1, 2], NOW) == 2
    assert await claim(session_factory) == [1, 2]
    async with session_factory() as session:
        row = await session.get(InboxUpdate, 1)
    assert row is not None
    assert row.attempts == 1, "a clean stop is not an attempt"


async def test_only_rows_handled_long_ago_are_pruned(session_factory: SessionFactory) -> None:
    await stored(session_factory, (1, 100), (2, 200), (3, 300))
    assert await claim(session_factory, limit=2) == [1, 2]
    await claim(session_factory, done=(1,), limit=0)
    await claim(session_factory, done=(2,), at=NOW + timedelta(hours=2), limit=0)
    async with session_factory() as session:
        assert await inbox.prune(session, NOW + timedelta(hours=1)) == 1
        left = set(await session.scalars(select(InboxUpdate.update_id)))
    assert left == {2, 3}  # 2 handled too recently, 3 still pending


async def test_replicas_claiming_at_once_share_the_work_and_never_a_chat(
    database_url: str, session_factory: SessionFactory
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share the inbox on PostgreSQL; SQLite is one process's")
    await stored(session_factory, *[(n, n % 7) for n in range(1, 61)])
    claimed: list[int] = []
    done: list[int] = []
    while len(done) < 60:
        rounds = await asyncio.gather(*(claim(session_factory, limit=4) for _ in range(4)))
        batch = [update_id for ids in rounds for update_id in ids]
        assert len(batch) == len(set(batch)), "an update claimed twice"
        assert len({n % 7 for n in batch}) == len(batch), "two updates of one chat in flight"
        claimed += batch
        done += batch
        await claim(session_factory, done=tuple(batch), limit=0)
    assert sorted(claimed) == list(range(1, 61))
    for chat in range(7):  # each chat's in order
        mine = [n for n in claimed if n % 7 == chat]
        assert mine == sorted(mine)
    async with session_factory() as session:
        pending = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.done_at.is_(None))
        )
    assert pending == 0


async def test_a_poll_sees_work_only_where_a_claim_could_take_it(
    session_factory: SessionFactory,
) -> None:
    async def claimable(at: datetime = NOW) -> bool:
        async with session_factory() as session:
            return await inbox.claimable(session, at)

    assert not await claimable(), "an empty inbox"
    await stored(session_factory, (1, 100))
    assert await claimable(), "a stored update"
    assert await claim(session_factory) == [1]
    assert not await claimable(), "its lease is live: another process is handling it"
    assert await claimable(NOW + LEASE), "the lease ran out (that process died)"
    assert await claim(session_factory, done=(1,)) == []
    assert not await claimable(NOW + LEASE), "handled"
