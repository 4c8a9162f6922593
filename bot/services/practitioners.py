"""Practitioners: added by an operator, claimed in Telegram by a one-time link, joined by
patients through their invite link.

Both links are Telegram deep links (`https://t.me/<bot>?start=<payload>`, payload at most 64
characters of A-Z a-z 0-9 _ -). Their secrets come from `secrets` (the claim link: 256 bits,
the invite code: 128 bits), so nobody reaches either by guessing. Only the SHA-256 of a claim
secret is stored: the link works once, and a copy of the database does not hand out the role.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Practitioner as Practitioner  # re-exported: handlers name the type
from bot.db.models import User
from bot.domain.zones import get_zone

CLAIM_PREFIX = "c_"
INVITE_PREFIX = "p_"
CLAIM_VALID_FOR = timedelta(days=7)
MAX_NAME = 128


class ClaimRefusal(enum.Enum):
    UNKNOWN = "unknown"  # never issued, already used, or the practitioner was removed
    EXPIRED = "expired"
    TAKEN = "taken"  # this Telegram user already holds another practitioner's role


@dataclass(frozen=True)
class NewPractitioner:
    practitioner: Practitioner
    claim_payload: str  # shown once to the operator; never stored


def invite_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _claim_payload() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)  # 43 characters
    return CLAIM_PREFIX + secret, _hash(secret)


def _clean(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValueError(f"{what} must not be empty")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"{what} is longer than {MAX_NAME} characters")
    return cleaned


async def add(
    session: AsyncSession, name: str, clinic: str, zone: str, now: datetime
) -> NewPractitioner:
    """A new practitioner with a fresh invite code and a one-time claim link."""
    get_zone(zone)  # UnknownZoneError: only IANA names are stored
    payload, token_hash = _claim_payload()
    practitioner = Practitioner(
        name=_clean(name, "name"),
        clinic=_clean(clinic, "clinic"),
        time_zone=zone,
        invite_code=INVITE_PREFIX + secrets.token_urlsafe(16),
        claim_token_hash=token_hash,
        claim_expires_at=now + CLAIM_VALID_FOR,
        created_at=now,
    )
    session.add(practitioner)
    await session.flush()
    return NewPractitioner(practitioner, payload)


async def new_claim_link(
    session: AsyncSession, practitioner: Practitioner, now: datetime
) -> NewPractitioner:
    """A fresh claim link (the old one stops working), e.g. after a lost message."""
    payload, token_hash = _claim_payload()
    practitioner.claim_token_hash = token_hash
    practitioner.claim_expires_at = now + CLAIM_VALID_FOR
    await session.flush()
    return NewPractitioner(practitioner, payload)


async def all_practitioners(session: AsyncSession) -> list[Practitioner]:
    return list(await session.scalars(select(Practitioner).order_by(Practitioner.id)))


async def remove(session: AsyncSession, practitioner_id: int) -> bool:
    """Remove a practitioner: their invite link stops working and every patient's share with
    them goes (cascade), so they see nothing from then on."""
    result = await session.execute(delete(Practitioner).where(Practitioner.id == practitioner_id))
    await session.flush()
    return bool(getattr(result, "rowcount", 0))


async def claim(
    session: AsyncSession, payload: str, user: User, now: datetime
) -> Practitioner | ClaimRefusal:
    """Give `user` the practitioner role a claim link names; the link is spent."""
    secret = payload.removeprefix(CLAIM_PREFIX)
    practitioner = await session.scalar(
        select(Practitioner).where(Practitioner.claim_token_hash == _hash(secret))
    )
    if practitioner is None:
        return ClaimRefusal.UNKNOWN
    if practitioner.claim_expires_at is None or practitioner.claim_expires_at <= now:
        return ClaimRefusal.EXPIRED
    held = await of_user(session, user)
    if held is not None and held.id != practitioner.id:
        return ClaimRefusal.TAKEN
    practitioner.user_id = user.id
    practitioner.claimed_at = now
    practitioner.claim_token_hash = None
    practitioner.claim_expires_at = None
    await session.flush()
    return practitioner


async def of_user(session: AsyncSession, user: User) -> Practitioner | None:
    """The practitioner role this user holds, if any."""
    return await session.scalar(select(Practitioner).where(Practitioner.user_id == user.id))


async def by_invite_code(session: AsyncSession, code: str) -> Practitioner | None:
    if not code.startswith(INVITE_PREFIX):
        return None
    return await session.scalar(select(Practitioner).where(Practitioner.invite_code == code))
