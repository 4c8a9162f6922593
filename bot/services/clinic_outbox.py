"""The clinic loop's messages as recorded deliveries: pain check-ins to patients, alerts and
Monday digests to practitioners (no Telegram here: see bot.delivery.clinic).

Each is a `clinic_messages` row with a unique key naming its cause (an It hurts answer, a pain
score, a quiet spell, a Monday), so one cause queues one message however often it is looked
at, by however many replicas. Rows are claimed with a lease (FOR UPDATE SKIP LOCKED on
PostgreSQL), sent, and their outcome recorded, like prompts: a restart resends at most what
was in flight. An alert whose patient stopped sharing before it went is recorded cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ClinicMessage,
    ClinicMessageKind,
    ClinicMessageStatus,
    Delivery,
    DeliveryStatus,
    PainScore,
    Practitioner,
    ScheduleSlot,
    Share,
    User,
    UserStatus,
)
from bot.db.types import as_utc
from bot.domain.clinic_alerts import alert_due, gone_quiet, latest_digest_moment, pain_rose
from bot.services import pain, sharing
from bot.services.changes import mark_schedule_changed

ALERTS = (
    ClinicMessageKind.ALERT_HURTS,
    ClinicMessageKind.ALERT_PAIN,
    ClinicMessageKind.ALERT_QUIET,
)
# A digest or a check-in this late (after downtime) is recorded missed: stale news.
TOO_LATE = timedelta(hours=12)
ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    kind: ClinicMessageKind
    chat_id: int
    practitioner_id: int | None
    patient_id: int | None
    delivery_id: int | None
    pain_score_id: int | None
    event_at: datetime


def _lock(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _exists(session: AsyncSession, key: str) -> bool:
    return (
        await session.scalar(select(ClinicMessage.id).where(ClinicMessage.key == key))
    ) is not None


async def _queue_alert(
    session: AsyncSession,
    kind: ClinicMessageKind,
    practitioner: Practitioner,
    patient: User,
    key: str,
    event_at: datetime,
    *,
    delivery_id: int | None = None,
    pain_score_id: int | None = None,
) -> ClinicMessage | None:
    """Queue an alert unless this cause already queued one, or the throttle drops it."""
    if practitioner.user_id is None or await _exists(session, key):
        return None
    earlier = await session.scalars(
        select(ClinicMessage.due_at).where(
            ClinicMessage.practitioner_id == practitioner.id,
            ClinicMessage.patient_id == patient.id,
            ClinicMessage.kind.in_(ALERTS),
            ClinicMessage.status.in_((ClinicMessageStatus.PENDING, ClinicMessageStatus.SENT)),
            ClinicMessage.due_at >= event_at - timedelta(days=2),
        )
    )
    due = alert_due(event_at, practitioner.time_zone, list(earlier))
    if due is None:
        return None
    message = ClinicMessage(
        key=key,
        kind=kind,
        recipient_id=practitioner.user_id,
        practitioner_id=practitioner.id,
        patient_id=patient.id,
        delivery_id=delivery_id,
        pain_score_id=pain_score_id,
        event_at=event_at,
        due_at=due,
    )
    session.add(message)
    await session.flush()
    # Wake the engine after the commit: an alert goes within the minute.
    mark_schedule_changed(session)
    return message


async def patient_said_it_hurts(
    session: AsyncSession, patient: User, delivery: Delivery, now: datetime
) -> None:
    for practitioner in await sharing.practitioners_of(session, patient.id):
        await _queue_alert(
            session,
            ClinicMessageKind.ALERT_HURTS,
            practitioner,
            patient,
            f"hurts:{delivery.id}:{practitioner.id}",
            now,
            delivery_id=delivery.id,
        )


async def patient_scored_pain(
    session: AsyncSession, patient: User, score: PainScore, now: datetime
) -> None:
    """An alert when the score is 3 or more above the patient's first one."""
    first = await session.scalar(
        select(PainScore.score)
        .where(PainScore.user_id == patient.id, PainScore.score.is_not(None))
        .order_by(PainScore.asked_for)
        .limit(1)
    )
    if score.score is None or not pain_rose(first, score.score):
        return
    for practitioner in await sharing.practitioners_of(session, patient.id):
        await _queue_alert(
            session,
            ClinicMessageKind.ALERT_PAIN,
            practitioner,
            patient,
            f"pain:{score.id}:{practitioner.id}",
            now,
            pain_score_id=score.id,
        )


# -- planning: what time alone makes due --------------------------------------------------


async def plan(session: AsyncSession, now: datetime, *, look_for_quiet: bool) -> None:
    """Queue what is due by the clock: pain check-ins, Monday digests and (when
    `look_for_quiet`: a heavier query, so not every round) gone-quiet alerts. Idempotent."""
    await _plan_checkins(session, now)
    await _plan_digests(session, now)
    if look_for_quiet:
        await _plan_quiet(session, now)


async def _plan_checkins(session: AsyncSession, now: datetime, batch: int = 500) -> None:
    query = select(User).where(User.pain_next_at <= now).order_by(User.pain_next_at).limit(batch)
    if _lock(session):
        query = query.with_for_update(skip_locked=True)
    for user in await session.scalars(query):
        asked_for = user.pain_next_at
        assert asked_for is not None
        slots = list(
            await session.scalars(select(ScheduleSlot).where(ScheduleSlot.user_id == user.id))
        )
        user.pain_next_at = pain.next_at(user, slots, now)
        if now - asked_for > TOO_LATE or user.status is not UserStatus.ACTIVE:
            continue
        key = f"checkin:{user.id}:{asked_for.isoformat()}"
        if await _exists(session, key):
            continue
        score = PainScore(user_id=user.id, asked_for=asked_for)
        session.add(score)
        await session.flush()
        session.add(
            ClinicMessage(
                key=key,
                kind=ClinicMessageKind.PAIN_CHECKIN,
                recipient_id=user.id,
                patient_id=user.id,
                pain_score_id=score.id,
                event_at=asked_for,
                due_at=asked_for,
            )
        )
    await session.flush()


async def _plan_digests(session: AsyncSession, now: datetime) -> None:
    practitioners = await session.scalars(
        select(Practitioner)
        .where(
            Practitioner.user_id.is_not(None),
            select(Share.id)
            .where(Share.practitioner_id == Practitioner.id, *sharing.ACTIVE)
            .exists(),
        )
        .order_by(Practitioner.id)
    )
    for practitioner in practitioners:
        moment = latest_digest_moment(now, practitioner.time_zone)
        claimed = practitioner.claimed_at
        if claimed is None or moment < claimed or now - moment > TOO_LATE:
            continue
        key = f"digest:{practitioner.id}:{moment.date().isoformat()}"
        if await _exists(session, key):
            continue
        assert practitioner.user_id is not None
        session.add(
            ClinicMessage(
                key=key,
                kind=ClinicMessageKind.DIGEST,
                recipient_id=practitioner.user_id,
                practitioner_id=practitioner.id,
                event_at=moment,
                due_at=moment,
            )
        )
    await session.flush()


async def _plan_quiet(session: AsyncSession, now: datetime) -> None:
    last_answer = (
        select(Delivery.user_id, func.max(Delivery.answered_at).label("at"))
        .where(Delivery.answered_at.is_not(None))
        .group_by(Delivery.user_id)
        .subquery()
    )
    rows = await session.execute(
        select(Share, Practitioner, User, last_answer.c.at)
        .join(Practitioner, Practitioner.id == Share.practitioner_id)
        .join(User, User.id == Share.patient_id)
        .outerjoin(last_answer, last_answer.c.user_id == Share.patient_id)
        .where(*sharing.ACTIVE, Practitioner.user_id.is_not(None))
    )
    for share, practitioner, patient, answered in rows:
        assert share.consented_at is not None
        since = share.consented_at
        if answered is not None:
            answered_at = as_utc(answered)
            since = max(since, answered_at)
        if now - since < timedelta(days=7):
            continue
        prompts = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.user_id == patient.id,
                Delivery.status == DeliveryStatus.SENT,
                Delivery.sent_at > since,
            )
        )
        if gone_quiet(since, int(prompts or 0), now):
            await _queue_alert(
                session,
                ClinicMessageKind.ALERT_QUIET,
                practitioner,
                patient,
                f"quiet:{share.id}:{since:%Y%m%dT%H%M%S}",
                now,
            )


# -- claiming and recording ----------------------------------------------------------------


async def claim_due(
    session: AsyncSession, now: datetime, lease: timedelta, batch: int = 200
) -> list[ClaimedMessage]:
    """Claim due messages (and those whose lease ran out). Commits."""
    query = (
        select(ClinicMessage, User.chat_id, User.status)
        .join(User, User.id == ClinicMessage.recipient_id)
        .where(
            ClinicMessage.status == ClinicMessageStatus.PENDING,
            ClinicMessage.due_at <= now,
            or_(ClinicMessage.lease_until.is_(None), ClinicMessage.lease_until <= now),
        )
        .order_by(ClinicMessage.due_at, ClinicMessage.id)
        .limit(batch)
    )
    if _lock(session):
        query = query.with_for_update(of=ClinicMessage, skip_locked=True)
    claimed: list[ClaimedMessage] = []
    for message, chat_id, recipient_status in await session.execute(query):
        if recipient_status is UserStatus.BLOCKED:
            message.status = ClinicMessageStatus.BLOCKED
            continue
        if message.kind in (ClinicMessageKind.DIGEST, ClinicMessageKind.PAIN_CHECKIN) and (
            now - message.due_at > TOO_LATE
        ):
            message.status, message.lease_until = ClinicMessageStatus.MISSED, None
            continue
        if message.kind in ALERTS and not await _still_shared(session, message):
            message.status, message.lease_until = ClinicMessageStatus.CANCELLED, None
            continue
        message.lease_until = now + lease
        claimed.append(
            ClaimedMessage(
                id=message.id,
                kind=message.kind,
                chat_id=chat_id,
                practitioner_id=message.practitioner_id,
                patient_id=message.patient_id,
                delivery_id=message.delivery_id,
                pain_score_id=message.pain_score_id,
                event_at=message.event_at,
            )
        )
    await session.commit()
    return claimed


async def _still_shared(session: AsyncSession, message: ClinicMessage) -> bool:
    if message.practitioner_id is None or message.patient_id is None:
        return False
    practitioner = await session.get(Practitioner, message.practitioner_id)
    if practitioner is None or practitioner.user_id != message.recipient_id:
        return False
    return await sharing.shared_patient(session, practitioner, message.patient_id) is not None


async def record(
    session: AsyncSession,
    claimed: ClaimedMessage,
    status: ClinicMessageStatus,
    now: datetime,
    *,
    attempts: int = 1,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    """How sending ended; a final state is never overwritten. Commits."""
    await session.execute(
        update(ClinicMessage)
        .where(ClinicMessage.id == claimed.id, ClinicMessage.status == ClinicMessageStatus.PENDING)
        .values(
            status=status,
            attempts=ClinicMessage.attempts + attempts,
            message_id=message_id,
            sent_at=now if status is ClinicMessageStatus.SENT else None,
            error=error[:ERROR_LENGTH] if error else None,
            lease_until=None,
        )
    )
    if claimed.kind is ClinicMessageKind.PAIN_CHECKIN and message_id is not None:
        # Only the message that asked may answer (its buttons name this row).
        await session.execute(
            update(PainScore)
            .where(PainScore.id == claimed.pain_score_id)
            .values(message_id=message_id)
        )
    if status is ClinicMessageStatus.BLOCKED:
        await session.execute(
            update(User).where(User.chat_id == claimed.chat_id).values(status=UserStatus.BLOCKED)
        )
    await session.commit()


# -- what a claimed message says -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What an alert tells (read when it goes: a deleted patient's alert is gone by then)."""

    first_name: str
    zone: str  # the practitioner's
    stretch_id: str | None = None  # It hurts: the stretch
    score: int | None = None  # pain: the new score and the first one
    first_score: int | None = None
    quiet_days: int | None = None


async def alert_facts(session: AsyncSession, claimed: ClaimedMessage, now: datetime) -> AlertFacts:
    patient = await session.get(User, claimed.patient_id) if claimed.patient_id else None
    practitioner = (
        await session.get(Practitioner, claimed.practitioner_id)
        if claimed.practitioner_id
        else None
    )
    name = patient.first_name if patient is not None and patient.first_name else "A patient"
    zone = practitioner.time_zone if practitioner is not None else "UTC"
    if claimed.kind is ClinicMessageKind.ALERT_HURTS and claimed.delivery_id is not None:
        delivery = await session.get(Delivery, claimed.delivery_id)
        return AlertFacts(name, zone, stretch_id=delivery.stretch_id if delivery else None)
    if claimed.kind is ClinicMessageKind.ALERT_PAIN and claimed.pain_score_id is not None:
        score = await session.get(PainScore, claimed.pain_score_id)
        first = await session.scalar(
            select(PainScore.score)
            .where(PainScore.user_id == claimed.patient_id, PainScore.score.is_not(None))
            .order_by(PainScore.asked_for)
            .limit(1)
        )
        return AlertFacts(name, zone, score=score.score if score else None, first_score=first)
    last = await session.scalar(
        select(func.max(Delivery.answered_at)).where(Delivery.user_id == claimed.patient_id)
    )
    since = claimed.event_at if last is None else as_utc(last)
    return AlertFacts(name, zone, quiet_days=max(7, (now - since).days))
