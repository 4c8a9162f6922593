"""A patient's consent to share their stretch record with a practitioner, and its end.

A share is asked (row, no consent yet), then answered Yes from the message that asked; it
stays active until the patient stops it, deletes their data, or the practitioner is removed.
`shared_patient` is the one gate every practitioner-facing read goes through.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ClinicMessage,
    ClinicMessageStatus,
    Practitioner,
    Share,
    User,
    UserStatus,
)
from bot.services import pain

ACTIVE = (Share.consented_at.is_not(None), Share.revoked_at.is_(None))


class ShareRefusal(enum.Enum):
    UNKNOWN = "unknown"  # no such question, or not this user's
    WRONG_MESSAGE = "wrong_message"
    ALREADY = "already"  # answered before


async def ask(session: AsyncSession, patient: User, practitioner: Practitioner) -> Share | None:
    """The question to ask `patient` about sharing with `practitioner`; None if they already
    share with them. Opening the link again after stopping asks again."""
    share = await session.scalar(
        select(Share).where(
            Share.patient_id == patient.id, Share.practitioner_id == practitioner.id
        )
    )
    if share is None:
        share = Share(patient_id=patient.id, practitioner_id=practitioner.id)
        session.add(share)
    elif share.consented_at is not None and share.revoked_at is None:
        return None
    else:
        share.consented_at = share.revoked_at = share.message_id = None
    await session.flush()
    return share


async def unasked(session: AsyncSession, patient: User) -> list[tuple[Share, Practitioner]]:
    """Questions opened by a link during onboarding, to ask once set-up is done."""
    rows = await session.execute(
        select(Share, Practitioner)
        .join(Practitioner, Practitioner.id == Share.practitioner_id)
        .where(
            Share.patient_id == patient.id,
            Share.consented_at.is_(None),
            Share.message_id.is_(None),
        )
        .order_by(Share.id)
    )
    return [(share, practitioner) for share, practitioner in rows]


async def asked_in(session: AsyncSession, share_id: int, message_id: int) -> None:
    await session.execute(update(Share).where(Share.id == share_id).values(message_id=message_id))


async def answer(
    session: AsyncSession,
    user: User,
    share_id: int,
    message_id: int | None,
    *,
    yes: bool,
    now: datetime,
) -> tuple[Share, Practitioner] | ShareRefusal:
    """Yes (sharing starts, with the weekly pain check-in) or Not now (the question goes)."""
    found = (
        await session.execute(
            select(Share, Practitioner)
            .join(Practitioner, Practitioner.id == Share.practitioner_id)
            .where(Share.id == share_id)
        )
    ).first()
    if found is None or found[0].patient_id != user.id:
        return ShareRefusal.UNKNOWN
    share, practitioner = found
    if share.message_id is not None and share.message_id != message_id:
        return ShareRefusal.WRONG_MESSAGE
    if share.consented_at is not None or share.revoked_at is not None:
        return ShareRefusal.ALREADY
    if yes:
        share.consented_at = now
        if user.pain_checkin_day is None:
            await pain.switch_on(session, user, now)
    else:
        await session.delete(share)
    await session.flush()
    return share, practitioner


async def active_of_patient(
    session: AsyncSession, patient: User
) -> list[tuple[Share, Practitioner]]:
    rows = await session.execute(
        select(Share, Practitioner)
        .join(Practitioner, Practitioner.id == Share.practitioner_id)
        .where(Share.patient_id == patient.id, *ACTIVE)
        .order_by(Share.id)
    )
    return [(share, practitioner) for share, practitioner in rows]


async def stop(
    session: AsyncSession, patient: User, share_id: int, now: datetime
) -> Practitioner | None:
    """The patient stops sharing: the practitioner loses access at once, and alerts about
    them not yet sent are cancelled. None if there was no such active share of theirs."""
    found = (
        await session.execute(
            select(Share, Practitioner)
            .join(Practitioner, Practitioner.id == Share.practitioner_id)
            .where(Share.id == share_id, Share.patient_id == patient.id, *ACTIVE)
        )
    ).first()
    if found is None:
        return None
    share, practitioner = found
    share.revoked_at = now
    await session.execute(
        update(ClinicMessage)
        .where(
            ClinicMessage.patient_id == patient.id,
            ClinicMessage.practitioner_id == practitioner.id,
            ClinicMessage.status == ClinicMessageStatus.PENDING,
        )
        .values(status=ClinicMessageStatus.CANCELLED, lease_until=None)
    )
    await session.flush()
    return practitioner


async def shared_patient(
    session: AsyncSession, practitioner: Practitioner, patient_id: int
) -> User | None:
    """The patient, only if they share with this practitioner right now: the privacy gate
    for every card, report and button of the practitioner's."""
    return await session.scalar(
        select(User)
        .join(Share, Share.patient_id == User.id)
        .where(
            User.id == patient_id,
            Share.practitioner_id == practitioner.id,
            User.status != UserStatus.ONBOARDING,
            *ACTIVE,
        )
    )


async def patients_of(session: AsyncSession, practitioner: Practitioner) -> list[User]:
    return list(
        await session.scalars(
            select(User)
            .join(Share, Share.patient_id == User.id)
            .where(
                Share.practitioner_id == practitioner.id,
                User.status != UserStatus.ONBOARDING,
                *ACTIVE,
            )
            .order_by(User.id)
        )
    )


async def practitioners_of(session: AsyncSession, patient_id: int) -> list[Practitioner]:
    """Practitioners this patient shares with now (claimed: someone to tell)."""
    return list(
        await session.scalars(
            select(Practitioner)
            .join(Share, Share.practitioner_id == Practitioner.id)
            .where(Share.patient_id == patient_id, Practitioner.user_id.is_not(None), *ACTIVE)
        )
    )


async def export(session: AsyncSession, patient: User) -> list[dict[str, str | None]]:
    return [
        {
            "practitioner": practitioner.name,
            "clinic": practitioner.clinic,
            "sharing_since": share.consented_at.isoformat() if share.consented_at else None,
        }
        for share, practitioner in await active_of_patient(session, patient)
    ]
