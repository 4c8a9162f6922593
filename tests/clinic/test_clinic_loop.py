"""The clinic loop from both sides, through the emulator: a practitioner added by the CLI
claims the role; a patient joins by their link and agrees to share; Done, It hurts and the
weekly pain score reach /patients, the card and the visit report; an It hurts alert arrives
once, held until morning; the Monday digest; stopping sharing and deleting end it all."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pypdfium2
from PIL import Image
from sqlalchemy import func, select

from bot.db.models import ClinicMessageKind, ClinicMessageStatus, PainScore, Share
from bot.telegram_fake import ChatMessage, FakeUser
from tests.bot_harness import Harness, text_of
from tests.clinic.people import clinic_messages, clinic_settled, join, practitioner

FIRST_PROMPT = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # Thu 07:30 in Auckland
MONDAY_8AM_AUCKLAND = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)
FIRST_CHECKIN = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # Wed 07:30: Aroha joined on a Wed


async def after(person: FakeUser, text: str, containing: str) -> ChatMessage:
    """Send `text`; the first message the bot sends after it that contains `containing`."""
    sent = await person.send(text)
    return await person.wait_for(
        lambda m: m.message_id > sent.message_id and containing in m.content
    )


async def document_after(person: FakeUser, text: str) -> ChatMessage:
    sent = await person.send(text)
    return await person.wait_for(
        lambda m: m.message_id > sent.message_id and m.document is not None
    )


async def count(bot: Harness, model: type) -> int:
    async with bot.services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_clinic_loop_from_link_to_report_and_back_out(bot: Harness) -> None:
    ana, code = await practitioner(bot, 8001)
    aroha, question = await join(bot, 8101, "Aroha", code)
    assert "never your messages" in question.html
    await aroha.press("✅ Yes, share", question)
    assert "You now share" in text_of(await aroha.wait_for_edit(question))

    await ana.send("/patients")
    listing = text_of(await ana.next_message())
    assert "Aroha" in listing
    assert "no Done yet" in listing

    # Thursday: a Done. Friday 07:30: It hurts, before 08:00 in Ana's zone: held.
    bot.advance_to(FIRST_PROMPT)
    first = await aroha.wait_for(lambda m: m.photo is not None)
    await aroha.press("✅ Done", first)
    await bot.settled()
    bot.advance(timedelta(days=1))
    prompt = await aroha.wait_for(
        lambda m: m.photo is not None and m.message_id != first.message_id
    )
    await aroha.press("🤕 It hurts", prompt)
    await aroha.wait_for_edit(prompt)  # edited after the answer's commit
    await bot.settled()
    (alert,) = await clinic_messages(bot)
    assert alert.kind is ClinicMessageKind.ALERT_HURTS
    assert alert.status is ClinicMessageStatus.PENDING
    assert f"{alert.due_at:%H:%M}" == "19:00"  # 08:00 in Auckland
    assert not [m for m in ana.bot_messages if "It hurts" in m.content]

    bot.advance(timedelta(minutes=30))
    got = await ana.wait_for(lambda m: "pressed “It hurts”" in m.content)
    assert "Aroha" in got.content
    assert got.button_labels == [["Open the card"]]
    bot.advance(timedelta(minutes=5))
    await clinic_settled(bot)
    assert len([m for m in ana.bot_messages if "pressed “It hurts”" in m.content]) == 1

    # Monday 08:00 in Ana's zone: the digest.
    bot.advance_to(MONDAY_8AM_AUCKLAND)
    digest = await ana.wait_for(lambda m: "Weekly digest" in m.content)
    assert "May need a call" in digest.content
    assert "Aroha: It hurts ×1 in 14 days" in digest.content

    # The weekly pain check-in, on the weekday Aroha joined, at her first reminder time.
    bot.advance_to(FIRST_CHECKIN)
    checkin = await aroha.wait_for(lambda m: "Weekly check-in" in m.content)
    assert [len(row) for row in checkin.button_labels] == [6, 5]
    await aroha.press("3", checkin)
    assert "3/10" in (await aroha.wait_for_edit(checkin)).content
    progress = await after(aroha, "/progress", "Your progress")
    assert "📈 Pain (0–10), weekly: ▃ 3" in progress.content
    chart = await aroha.wait_for(
        lambda m: m.message_id > progress.message_id and m.photo is not None
    )
    with Image.open(io.BytesIO(chart.file_bytes or b"")) as drawn:
        # The pain trend beside the calendar: a wide picture, not the calendar's square one.
        assert drawn.width > 1.4 * drawn.height
    settings = await after(aroha, "/settings", "Your settings")
    assert "Weekly pain check-in: on (Wednesdays)" in settings.content
    await aroha.press("Move to Thursdays", settings)
    await aroha.wait_for(lambda m: "Weekly pain check-in: on (Thursdays)" in m.content)

    # Something Aroha types never reaches Ana.
    await after(aroha, "my neighbour Bob says hi, call me on 021 555", "")

    listing_message = await after(ana, "/patients", "Your patients")
    listing = text_of(listing_message)
    assert "🤕 1" in listing
    assert "pain 3" in listing
    await ana.press("1. Aroha", listing_message)
    card = await ana.wait_for(lambda m: "Current variations" in m.content)
    picture = ana.bot_messages[-2]
    assert picture.photo is not None
    for part in ("Aroha", "It hurts", "By stretch", "Current variations", "Switched off"):
        assert part in text_of(card), part
    assert "latest 3" in text_of(card)

    await ana.press("📄 Report", card)
    report = await ana.wait_for(lambda m: m.document is not None)
    assert report.document is not None
    pdf_bytes = report.file_bytes
    assert pdf_bytes is not None
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    assert len(pdf) == 1
    page = pdf[0]
    text = page.get_textpage().get_text_range()
    for part in ("Stretch report — Aroha", "Shared with Dr Ana Smith", "By stretch", "It hurts"):
        assert part in text, part
    image = page.render(scale=1).to_pil().convert("L")
    assert image.size == (596, 842)  # A4 (595 x 842 pt) at 72 dpi, rounded up
    # Ink on the page: the charts and table, not a blank sheet.
    assert sum(image.histogram()[:128]) > 5_000
    assert all("Bob" not in m.content and "021" not in m.content for m in ana.bot_messages)

    # Aroha's own report, and her data export, which names whom she shares with.
    own_report = await document_after(aroha, "/report")
    assert (own_report.file_bytes or b"").startswith(b"%PDF")
    exported = json.loads((await document_after(aroha, "/export")).file_bytes or b"{}")
    assert [s["practitioner"] for s in exported["sharing_with"]] == ["Dr Ana Smith"]

    # Aroha stops sharing: the card's buttons stop working for Ana at once.
    settings = await after(aroha, "/settings", "Your settings")
    assert "Sharing your record with Dr Ana Smith" in text_of(settings)
    await aroha.press("🚫 Stop sharing with Dr Ana Smith", settings)
    await aroha.wait_for(lambda m: "no longer sees" in m.content)
    refused = await ana.press("📄 Report", card)
    assert refused.text == "This patient no longer shares their record with you."
    assert "Nobody shares" in text_of(await after(ana, "/patients", "Your patients"))

    # And /delete takes the rest.
    confirm = await after(aroha, "/delete", "")
    await aroha.press("🗑 Yes, delete everything", confirm)
    await aroha.wait_for_edit(confirm)
    assert await count(bot, Share) == 0
    assert await count(bot, PainScore) == 0
