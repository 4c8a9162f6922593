"""/progress: streaks counted in the user's days, and a heatmap of the last 8 weeks."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from bot.db.models import Delivery, DeliveryKind, DeliveryStatus
from bot.services import accounts
from tests.bot_harness import Harness, text_of
from tests.handlers.test_settings import onboard

SHOT = "/tmp/stretchbot-progress.png"


def _done(user_id: int, stretch_id: str, at: datetime) -> Delivery:
    """A stretch sent at `at` and answered Done at once, in Auckland."""
    return Delivery(
        user_id=user_id,
        kind=DeliveryKind.NOW,
        stretch_id=stretch_id,
        scheduled_for=at,
        status=DeliveryStatus.SENT,
        sent_at=at,
        answer="done",
        answered_at=at,
        answered_zone="Pacific/Auckland",
    )


async def test_a_brand_new_user_gets_a_friendly_empty_state_not_an_empty_chart(
    bot: Harness,
) -> None:
    aroha = await onboard(bot, 8001)
    await aroha.send("/progress")
    reply = await aroha.next_message()
    assert "Nothing here yet" in text_of(reply)
    assert not any(m.photo for m in aroha.bot_messages)


async def test_a_user_with_history_sees_streaks_counts_and_a_heatmap(bot: Harness) -> None:
    aroha = await onboard(bot, 8002)  # Auckland
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 8002)
        assert user is not None
        # Done on the 12 local days up to today (25 Nov, 23:00 NZDT), and two on one day.
        session.add_all(
            _done(user.id, "knee-hugs", bot.clock.now - timedelta(days=days_ago))
            for days_ago in range(12)
        )
        session.add(_done(user.id, "pelvic-tilt", datetime(2026, 11, 20, 1, 0, tzinfo=UTC)))
        await session.commit()
    await aroha.send("/progress")
    text = await aroha.next_message()
    assert text.text is not None
    assert "Day streak: 12 days (best: 12 days)" in text.text
    # 16-22 Nov met the goal of 5 days; this week (Mon 23 - Wed 25) is still open.
    assert "Weekly goal 5 of 7 days: this week 3 of 5 · 1 week in a row" in text.text
    assert "one freeze a month" in text.text
    assert "Knee hugs: 12" in text.text
    assert "Pelvic tilt for lower back tightness: 1" in text.text
    chart = await aroha.next_message()
    assert chart.photo_bytes is not None
    image = Image.open(io.BytesIO(chart.photo_bytes))
    assert image.width >= 800
    image.save(SHOT)
    async with bot.services.session_factory() as session:
        assert len(list(await session.scalars(select(Delivery)))) == 13
