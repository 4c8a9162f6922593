"""/export holds every row the bot keeps about the user — and nobody else's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db.base import Base
from bot.db.engine import SessionFactory
from bot.db.models import (
    AnswerUndo,
    BlockedStretch,
    ClinicMessage,
    ClinicMessageKind,
    ClinicMessageStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Offer,
    OfferKind,
    PainScore,
    Practitioner,
    Share,
    StretchPreference,
    User,
)
from bot.services import personal_data
from tests.services.test_accounts import NOW, onboarded_user

# Tables that hold nothing about any one person, with the reason.
NOT_PERSONAL = {
    "telegram_files": "the clinic's pictures Telegram already has, shared by everyone",
    "rate_shares": "each bot process's share of Telegram's rate, for replicas",
    "inbox_updates": "updates in transit: what someone sent is kept only until it is handled "
    "(then only the update_id is left, pruned after a day); not tied to an account",
}


async def a_history(session_factory: SessionFactory, user_id: int) -> None:
    """A row in every user-owned table: prompts answered, a variation chosen, a stretch switched
    off, a stronger variation offered."""
    async with session_factory() as session:
        prompt = Delivery(
            user_id=user_id,
            kind=DeliveryKind.SCHEDULED,
            stretch_id="rotation-stretch",
            scheduled_for=NOW,
            status=DeliveryStatus.SENT,
            message_id=41,
            sent_at=NOW,
            answer="done",
            answered_at=NOW + timedelta(minutes=3),
            answered_zone="Pacific/Auckland",
        )
        session.add(prompt)
        await session.flush()
        session.add_all(
            [
                StretchPreference(
                    user_id=user_id,
                    family_id="knee-hugs",
                    stretch_id="knee-hug-one-knee",
                    run_started_at=NOW,
                ),
                BlockedStretch(user_id=user_id, stretch_id="table-stretch", created_at=NOW),
                Offer(
                    user_id=user_id,
                    delivery_id=prompt.id,
                    kind=OfferKind.STRONGER,
                    from_stretch_id="rotation-stretch",
                    stretch_id="rotation-stretch-stronger",
                    message_id=42,
                    created_at=NOW,
                ),
            ]
        )
        # The clinic loop: the user holds a practitioner's role, shares their record (here with
        # that same role: the schema allows it, and one user keeps the test simple), answered a
        # pain check-in, and a clinic message was queued.
        practitioner = Practitioner(
            name="Dr Ana Smith",
            clinic="Osteoworks",
            invite_code=f"p_code{user_id}",
            user_id=user_id,
            claimed_at=NOW,
            created_at=NOW,
        )
        score = PainScore(user_id=user_id, asked_for=NOW, message_id=43, score=4, answered_at=NOW)
        session.add(
            AnswerUndo(
                user_id=user_id,
                delivery_id=prompt.id,
                message_id=44,
                before="{}",
                after="{}",
                created="[]",
                created_at=NOW,
                expires_at=NOW + timedelta(minutes=10),
            )
        )
        session.add_all([practitioner, score])
        await session.flush()
        session.add_all(
            [
                Share(
                    patient_id=user_id,
                    practitioner_id=practitioner.id,
                    consented_at=NOW,
                    created_at=NOW,
                ),
                ClinicMessage(
                    key=f"checkin:{user_id}",
                    kind=ClinicMessageKind.PAIN_CHECKIN,
                    recipient_id=user_id,
                    patient_id=user_id,
                    pain_score_id=score.id,
                    event_at=NOW,
                    due_at=NOW,
                    status=ClinicMessageStatus.SENT,
                    created_at=NOW,
                ),
            ]
        )
        await session.commit()


async def test_the_export_holds_every_row_about_the_user_and_only_theirs(
    session_factory: SessionFactory,
) -> None:
    mere = await onboarded_user(session_factory, telegram_id=501)
    other = await onboarded_user(session_factory, telegram_id=502)
    for user_id in (mere, other):
        await a_history(session_factory, user_id)
    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    async with session_factory() as session:
        data = await personal_data.export(session, await session.get_one(User, mere), now)
    data = json.loads(json.dumps(data))  # it is plain JSON

    exported = data["tables"]
    user_tables = {table.name for table in personal_data.user_tables()}
    for table in Base.metadata.sorted_tables:
        assert (table.name in user_tables) != (table.name in NOT_PERSONAL), table.name
    assert set(exported) == user_tables
    async with session_factory() as session:
        for table in personal_data.user_tables():
            rows = (await session.execute(select(table))).mappings().all()
            ids = {row[c.name] for row in rows for c in personal_data.user_columns(table)}
            assert ids == {mere, other}, f"give {table.name} a row for both users in a_history"
            mine = [
                {key: _plain(value) for key, value in row.items()}
                for row in rows
                if mere in {row[c.name] for c in personal_data.user_columns(table)}
            ]
            assert sorted(exported[table.name], key=_canonical) == sorted(mine, key=_canonical), (
                table.name
            )


async def test_the_summary_reads_plainly(session_factory: SessionFactory) -> None:
    mere = await onboarded_user(session_factory)
    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    async with session_factory() as session:
        data = await personal_data.export(session, await session.get_one(User, mere), now)
    assert data["format"] == "stretchbot-export/2"
    assert data["profile"]["time_zone"] == "Pacific/Auckland"
    assert data["profile"]["status"] == "active"
    assert data["profile"]["follow_ups"] is True
    assert data["profile"]["consented_at"] == NOW.isoformat()
    assert data["conditions"] == ["disc-problems"]
    assert data["schedule"] == [
        {"time": "08:00", "days": "Every day", "next_prompt_at": "2026-11-25T19:00:00+00:00"}
    ]


def _plain(value: object) -> object:
    return json.loads(json.dumps(personal_data._plain(value)))


def _canonical(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True)
