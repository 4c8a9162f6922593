"""Practitioner links at /start: a claim works once, for one person; an unknown, expired,
malformed or withdrawn code gets the usual set-up with a short note; a patient already
subscribed can open a new practitioner's link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.telegram_fake import ChatMessage, FakeUser
from tests.bot_harness import Harness, text_of
from tests.clinic.people import LINK, cli, practitioner, practitioner_row, sharing_patient

NOTE = "That link isn't valid"


async def first_two(person: FakeUser, text: str) -> tuple[ChatMessage, ChatMessage]:
    await person.send(text)
    return await person.next_message(), await person.next_message()


async def test_bad_codes_get_the_usual_set_up_with_a_short_note(bot: Harness) -> None:
    removed, code = await practitioner(bot, 8501, "Dr Gone Away")
    assert removed
    held = await practitioner_row(bot, "Dr Gone Away")
    await cli(bot, "remove", id=held.id)
    for telegram_id, payload in [
        (8511, "p_" + "x" * 22),  # unknown invite code
        (8512, code),  # the removed practitioner's code
        (8513, "p_%%%<script>"),  # malformed
        (8514, "clinic_42"),  # not ours at all
    ]:
        person = bot.tg.user(telegram_id, "New")
        note, consent = await first_two(person, f"/start {payload}")
        assert NOTE in text_of(note), payload
        assert "I understand" in str(consent.button_labels), payload


async def test_a_claim_link_works_once_and_expires(bot: Harness) -> None:
    printed = await cli(bot, "add", name="Dr Ana Smith", clinic="Osteoworks", zone="UTC")
    found = LINK.search(printed)
    assert found is not None
    claim = found.group(1)
    assert len(claim) <= 64
    ana = bot.tg.user(8521, "Ana")
    await ana.send(f"/start {claim}")
    assert "Welcome, Dr Ana Smith" in text_of(await ana.next_message())
    assert (await ana.next_message()).photo is not None  # the QR code
    # Someone who saw the link later gets nothing from it.
    eve = bot.tg.user(8522, "Eve")
    note, consent = await first_two(eve, f"/start {claim}")
    assert "doesn't work" in text_of(note)
    assert "I understand" in str(consent.button_labels)
    await eve.send("/patients")
    assert "for practitioners" in text_of(await eve.next_message())
    # A link not opened within 7 days has expired.
    printed = await cli(bot, "add", name="Dr Late", clinic="Osteoworks", zone="UTC")
    late = LINK.search(printed)
    assert late is not None
    # (The CLI dates the link by the wall clock, as an operator's shell would.)
    bot.advance_to(datetime.now(UTC) + timedelta(days=7, seconds=1))
    slow = bot.tg.user(8523, "Slow")
    note, _ = await first_two(slow, f"/start {late.group(1)}")
    assert "doesn't work" in text_of(note)
    # The operator issues a fresh one, which works within its 7 days.
    held = await practitioner_row(bot, "Dr Late")
    fresh = LINK.search(await cli(bot, "link", id=held.id))
    bot.advance_to(datetime.now(UTC) + timedelta(days=6))
    assert fresh is not None
    await slow.send(f"/start {fresh.group(1)}")
    assert "Welcome, Dr Late" in text_of(await slow.next_message())


async def test_a_subscriber_opens_a_second_practitioners_link(bot: Harness) -> None:
    await practitioner(bot, 8531, "Dr Ana Smith")
    _, ben_code = await practitioner(bot, 8532, "Dr Ben Jones")
    mere = await sharing_patient(bot, 8541, "Dr Ana Smith")
    await mere.send(f"/start {ben_code}")
    question = await mere.next_message()
    assert "Dr Ben Jones" in question.html
    await mere.press("✅ Yes, share", question)
    await mere.wait_for_edit(question)
    # Opening it again says so, rather than asking twice.
    await mere.send(f"/start {ben_code}")
    assert "already share" in text_of(await mere.next_message())
    # Not now: nothing shared, and a press on the old question does nothing.
    _, cat_code = await practitioner(bot, 8533, "Dr Cat Ngata")
    await mere.send(f"/start {cat_code}")
    asked = await mere.next_message()
    await mere.press("Not now", asked)
    assert "Nothing is shared" in text_of(await mere.wait_for_edit(asked))
    stale = await mere.press_data(asked, asked.html and "share:999:yes")
    assert stale.text == "This button doesn't work any more."
    await mere.send("/settings")
    settings = text_of(await mere.next_message())
    assert "Dr Ana Smith" in settings
    assert "Dr Ben Jones" in settings
    assert "Dr Cat Ngata" not in settings
