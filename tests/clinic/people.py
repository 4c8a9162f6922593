"""The clinic loop's people in the emulator: a practitioner added by the operator's CLI who
claims the role, and patients who join by the practitioner's link."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import time

from sqlalchemy import func, select

from bot.db.models import ClinicMessage, ClinicMessageStatus, Practitioner
from bot.practitioner_commands import run_command
from bot.services import accounts, sharing
from bot.telegram_fake import ChatMessage, FakeUser
from tests.bot_harness import Harness, text_of
from tests.delivery.people import subscribe

LINK = re.compile(r"https://t\.me/stretchbot_fake_bot\?start=([A-Za-z0-9_-]{1,64})")


async def cli(bot: Harness, *command: str, **args: object) -> str:
    """`stretchbot practitioner <command>` against the running bot's database and emulator."""
    out = io.StringIO()
    code = await run_command(bot.services.settings, command[0], args, out)
    assert code == 0, out.getvalue()
    return out.getvalue()


async def practitioner(
    bot: Harness, telegram_id: int, name: str = "Dr Ana Smith", zone: str = "Pacific/Auckland"
) -> tuple[FakeUser, str]:
    """Added by the CLI, claimed in the chat: the person and their invite code."""
    printed = await cli(bot, "add", name=name, clinic="Osteoworks", zone=zone)
    claim = LINK.search(printed)
    assert claim is not None, printed
    person = bot.tg.user(telegram_id, name.split()[-1])
    await person.send(f"/start {claim.group(1)}")
    welcome = text_of(await person.next_message())
    assert "practitioner at Osteoworks" in welcome
    invite = LINK.search(welcome)
    assert invite is not None
    qr = await person.next_message()
    assert qr.photo is not None
    return person, invite.group(1)


async def join(
    bot: Harness, telegram_id: int, name: str, code: str
) -> tuple[FakeUser, ChatMessage]:
    """A new patient opens the link, sets up (Auckland, 07:30 every day), and is asked."""
    user = bot.tg.user(telegram_id, name)
    await user.send(f"/start {code}")
    await user.next_message()
    await user.press("✅ I understand")
    await user.next_message()
    await user.press("None of these ✓")
    await user.next_message()
    await user.send("Pacific/Auckland")
    await user.next_message()
    times = await user.next_message()
    await user.press("07:30", times)
    await user.wait_for(lambda m: "✅ 07:30" in str(m.button_labels))
    await user.press("Done ✓", times)
    await user.press("Every day", await user.next_message())
    assert "All set" in text_of(await user.next_message())
    question = await user.next_message()
    assert "Share your stretch record with <b>" in question.html
    return user, question


async def practitioner_row(bot: Harness, name: str) -> Practitioner:
    async with bot.services.session_factory() as session:
        found = await session.scalar(select(Practitioner).where(Practitioner.name == name))
        assert found is not None
        return found


async def clinic_messages(bot: Harness) -> list[ClinicMessage]:
    async with bot.services.session_factory() as session:
        return list(await session.scalars(select(ClinicMessage).order_by(ClinicMessage.id)))


async def sharing_patient(
    bot: Harness, telegram_id: int, *practitioner_names: str, at: time = time(10, 30)
) -> FakeUser:
    """An active subscriber in Auckland prompted daily `at` (written straight into the
    database) who already said Yes to sharing with each named practitioner."""
    person = await subscribe(bot, telegram_id, at=at, zone="Pacific/Auckland")
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, telegram_id)
        assert user is not None
        for name in practitioner_names:
            held = await session.scalar(select(Practitioner).where(Practitioner.name == name))
            assert held is not None
            share = await sharing.ask(session, user, held)
            assert share is not None
            outcome = await sharing.answer(
                session, user, share.id, None, yes=True, now=bot.clock.now
            )
            assert not isinstance(outcome, sharing.ShareRefusal)
        await session.commit()
    return person


async def user_id_of(bot: Harness, telegram_id: int) -> int:
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, telegram_id)
        assert user is not None
        return user.id


async def clinic_settled(bot: Harness, within: float = 10.0) -> None:
    """Wait until every clinic message due by the bot's clock has a recorded outcome."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        await bot.settled(within)
        async with bot.services.session_factory() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(ClinicMessage)
                .where(
                    ClinicMessage.status == ClinicMessageStatus.PENDING,
                    ClinicMessage.due_at <= bot.clock.now,
                )
            )
        if not pending:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{pending} clinic messages still pending")
        await asyncio.sleep(0.02)
