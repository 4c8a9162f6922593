"""One gentle follow-up for an unanswered prompt, and only when it is welcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, User, UserStatus
from bot.services.nudges import claim_nudges, quiet_hours

AFTER = timedelta(hours=3)
# 10:00 in London on Wednesday 25 November 2026.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def user_with_prompt(
    session_factory: SessionFactory,
    *,
    sent_ago: timedelta = timedelta(hours=3, minutes=5),
    zone: str = "Europe/London",
    answer: str | None = None,
    nudges: bool = True,
    status: UserStatus = UserStatus.ACTIVE,
    newer_ago: timedelta | None = None,
) -> int:
    async with session_factory() as session:
        user = User(telegram_id=1, chat_id=1, time_zone=zone, status=status, nudges=nudges)
        session.add(user)
        await session.flush()
        for ago in (sent_ago, newer_ago):
            if ago is None:
                continue
            session.add(
                Delivery(
                    user_id=user.id,
                    kind=DeliveryKind.SCHEDULED,
                    stretch_id="knee-hugs",
                    scheduled_for=NOW - ago,
                    status=DeliveryStatus.SENT,
                    sent_at=NOW - ago,
                    message_id=10 if ago == sent_ago else 11,
                    answer=answer if ago == sent_ago else None,
                )
            )
        await session.commit()
        return user.id


@pytest.mark.parametrize(
    ("moment", "zone", "quiet"),
    [
        (datetime(2026, 11, 25, 20, 59, tzinfo=UTC), "Europe/London", False),
        (datetime(2026, 11, 25, 21, 0, tzinfo=UTC), "Europe/London", True),
        (datetime(2026, 11, 25, 7, 59, tzinfo=UTC), "Europe/London", True),
        (datetime(2026, 11, 25, 8, 0, tzinfo=UTC), "Europe/London", False),
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "Pacific/Auckland", True),  # 23:00 NZDT
    ],
)
def test_quiet_hours_are_21_to_08_on_the_users_clock(
    moment: datetime, zone: str, quiet: bool
) -> None:
    assert quiet_hours(moment, zone) is quiet


async def test_an_unanswered_prompt_gets_one_nudge_after_three_hours(
    session_factory: SessionFactory,
) -> None:
    await user_with_prompt(session_factory)
    async with session_factory() as session:
        [nudge] = await claim_nudges(session, NOW, AFTER)
    assert nudge.message_id == 10
    async with session_factory() as session:
        assert await claim_nudges(session, NOW + timedelta(hours=1), AFTER) == []


@pytest.mark.parametrize(
    ("why", "kwargs"),
    [
        ("too early", {"sent_ago": timedelta(hours=2)}),
        ("answered", {"answer": "done"}),
        ("switched off", {"nudges": False}),
        ("paused", {"status": UserStatus.PAUSED}),
        ("a newer prompt came", {"newer_ago": timedelta(minutes=30)}),
        ("night in Auckland", {"zone": "Pacific/Auckland"}),
        ("yesterday's", {"sent_ago": timedelta(hours=30)}),
    ],
)
async def test_no_nudge_when_it_would_not_be_welcome(
    session_factory: SessionFactory, why: str, kwargs: dict[str, object]
) -> None:
    await user_with_prompt(session_factory, **kwargs)  # type: ignore[arg-type]
    async with session_factory() as session:
        assert await claim_nudges(session, NOW, AFTER) == [], why
