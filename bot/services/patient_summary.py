"""What a practitioner sees of a sharing patient, computed only from what sharing covers:
answers to prompts (Done, Easier, Skip, Later, It hurts), the stretches' state those answers
led to, and weekly pain scores. Never anything the patient typed.

Callers pass patients that `sharing.shared_patient` / `sharing.patients_of` let through.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    BlockedStretch,
    Delivery,
    DeliveryStatus,
    PainScore,
    Practitioner,
    StretchPreference,
    User,
)
from bot.db.types import as_utc
from bot.domain.attention import PatientRecord, PatientStats, by_attention
from bot.domain.fire_times import local_date
from bot.domain.progression import Answer
from bot.services import pain, sharing
from bot.services.progress import user_progress


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def stats_of(
    session: AsyncSession, patients: Sequence[User], now: datetime
) -> list[PatientStats]:
    """The attention figures of many patients, in two queries whatever their number."""
    ids = [patient.id for patient in patients]
    if not ids:
        return []
    done = Delivery.answer == Answer.DONE.value
    sent = Delivery.status == DeliveryStatus.SENT
    rows = await session.execute(
        select(
            Delivery.user_id,
            func.max(case((done, Delivery.answered_at))),
            _count(and_(done, Delivery.answered_at >= now - timedelta(days=7))),
            _count(and_(sent, Delivery.sent_at >= now - timedelta(days=7))),
            _count(and_(done, Delivery.answered_at >= now - timedelta(days=28))),
            _count(and_(sent, Delivery.sent_at >= now - timedelta(days=28))),
            _count(
                and_(
                    Delivery.answer == Answer.HURTS.value,
                    Delivery.answered_at >= now - timedelta(days=14),
                )
            ),
        )
        .where(Delivery.user_id.in_(ids))
        .group_by(Delivery.user_id)
    )
    figures = {row[0]: row[1:] for row in rows}
    scores: dict[int, list[int]] = defaultdict(list)
    for user_id, score in await session.execute(
        select(PainScore.user_id, PainScore.score)
        .where(PainScore.user_id.in_(ids), PainScore.score.is_not(None))
        .order_by(PainScore.user_id, PainScore.asked_for)
    ):
        if score is not None:
            scores[user_id].append(score)
    stats: list[PatientStats] = []
    for patient in patients:
        last_done, done_7, prompts_7, done_28, prompts_28, hurts_14 = figures.get(
            patient.id, (None, 0, 0, 0, 0, 0)
        )
        zone = patient.time_zone or "UTC"
        own = scores.get(patient.id, [])
        stats.append(
            PatientStats(
                patient_id=patient.id,
                first_name=patient.first_name or "Patient",
                days_since_done=(
                    (local_date(now, zone) - local_date(as_utc(last_done), zone)).days
                    if last_done is not None
                    else None
                ),
                done_7=int(done_7),
                prompts_7=int(prompts_7),
                done_28=int(done_28),
                prompts_28=int(prompts_28),
                hurts_14=int(hurts_14),
                latest_pain=own[-1] if own else None,
                pain_change=own[-1] - own[0] if len(own) >= 2 else None,
            )
        )
    return stats


async def record_of(
    session: AsyncSession, patient: User, since: datetime | None, now: datetime
) -> PatientRecord:
    (stats,) = await stats_of(session, [patient], now)
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    hurts: list[tuple[datetime, str]] = []
    first_prompt: datetime | None = None
    for stretch_id, given, answered_at, sent_at in await session.execute(
        select(Delivery.stretch_id, Delivery.answer, Delivery.answered_at, Delivery.sent_at)
        .where(Delivery.user_id == patient.id, Delivery.status == DeliveryStatus.SENT)
        .order_by(Delivery.sent_at)
    ):
        if sent_at is not None and first_prompt is None:
            first_prompt = sent_at
        if stretch_id is None or given is None:
            continue
        answers[stretch_id][given] += 1
        if given == Answer.HURTS.value and answered_at is not None:
            hurts.append((answered_at, stretch_id))
    preferences = await session.execute(
        select(StretchPreference.family_id, StretchPreference.stretch_id).where(
            StretchPreference.user_id == patient.id
        )
    )
    variations = dict(preferences.all())
    switched_off = list(
        await session.scalars(
            select(BlockedStretch.stretch_id)
            .where(BlockedStretch.user_id == patient.id)
            .order_by(BlockedStretch.created_at)
        )
    )
    return PatientRecord(
        stats=stats,
        since=since,
        zone=patient.time_zone or "UTC",
        progress=await user_progress(session, patient, now),
        answers=dict(answers),
        variations=variations,
        switched_off=switched_off,
        hurts=hurts,
        pain=await pain.pain_trend(session, patient.id),
        first_prompt_at=first_prompt,
    )


async def by_attention_of(
    session: AsyncSession, practitioner: Practitioner, now: datetime
) -> list[PatientStats]:
    """The practitioner's sharing patients' figures, most in need of attention first."""
    patients = await sharing.patients_of(session, practitioner)
    return by_attention(await stats_of(session, patients, now))
