"""Alerts go through the reminder engine: recorded, sent once, held overnight, and still
sent once when the bot restarts in between; pain rising 3 points and a quiet week alert too."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update

from bot.db.engine import SessionFactory
from bot.db.models import ClinicMessageKind, ClinicMessageStatus, User
from tests.bot_harness import Harness, running_bot
from tests.clinic.people import clinic_messages, clinic_settled, practitioner, sharing_patient

MORNING = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # Thu 08:00 in Auckland


async def test_an_overnight_alert_survives_a_restart_and_goes_once(
    session_factory: SessionFactory, database_url: str
) -> None:
    async with running_bot(session_factory, database_url) as first:
        await practitioner(first, 8601)  # Auckland: 23:00 there now
        mere = await sharing_patient(first, 8611, "Dr Ana Smith")
        await mere.send("/next")
        prompt = await mere.wait_for(lambda m: m.photo is not None)
        await mere.press("🤕 It hurts", prompt)
        await mere.wait_for_edit(prompt)
        (held,) = await clinic_messages(first)
        assert held.status is ClinicMessageStatus.PENDING
        assert held.due_at == MORNING
    # A new process on the same database; the practitioner's chat in a fresh emulator.
    async with running_bot(session_factory, database_url) as second:
        ana = second.tg.user(8601, "Smith")
        second.advance_to(MORNING - timedelta(minutes=1))
        await second.settled()
        assert ana.bot_messages == []
        second.advance_to(MORNING)
        alert = await ana.next_message()
        assert "pressed “It hurts”" in alert.content
        second.advance(timedelta(hours=1))
        await clinic_settled(second)
        (sent,) = await clinic_messages(second)
        assert sent.status is ClinicMessageStatus.SENT
        assert len(ana.bot_messages) == 1


async def ask_pain_now(bot: Harness, telegram_id: int) -> None:
    """Bring the patient's weekly check-in forward to now (its day and time aside)."""
    async with bot.services.session_factory() as session:
        await session.execute(
            update(User).where(User.telegram_id == telegram_id).values(pain_next_at=bot.clock.now)
        )
        await session.commit()
    bot.advance(timedelta(seconds=1))


async def test_pain_three_points_above_the_first_score_alerts_once(bot: Harness) -> None:
    ana, _ = await practitioner(bot, 8621, zone="Europe/London")  # 10:00 there: daytime
    mere = await sharing_patient(bot, 8631, "Dr Ana Smith")
    for score, alerted in (("2", False), ("4", False), ("5", True)):
        bot.advance(timedelta(days=1))  # each answered at 10:00 in London
        await ask_pain_now(bot, 8631)
        checkin = await mere.wait_for(lambda m: "Weekly check-in" in m.content and m.buttons)
        await mere.press(score, checkin)
        await mere.wait_for_edit(checkin)
        await clinic_settled(bot)
        alerts = [m for m in ana.bot_messages if "reported pain" in m.content]
        assert len(alerts) == (1 if alerted else 0), score
    assert "5/10" in alerts[0].content
    assert "first score: 2" in alerts[0].content


async def test_a_quiet_week_alerts_once(bot: Harness) -> None:
    ana, _ = await practitioner(bot, 8641, zone="Europe/London")
    # Prompted daily at 23:30 in Auckland, 10:30 UTC: each advance below is half an hour
    # after a prompt went out.
    await sharing_patient(bot, 8651, "Dr Ana Smith", at=time(23, 30))
    bot.advance(timedelta(hours=1))
    for _ in range(10):  # ten days of prompts, none answered
        bot.advance(timedelta(days=1))
        await bot.settled()
    quiet = await ana.wait_for(lambda m: "hasn't answered" in m.content)
    assert "User8651" in quiet.content
    bot.advance(timedelta(days=1))
    await clinic_settled(bot)
    kinds = [m.kind for m in await clinic_messages(bot)]
    assert kinds.count(ClinicMessageKind.ALERT_QUIET) == 1
