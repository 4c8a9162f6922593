"""A practitioner sees only the patients who share with them, now: two practitioners with
overlapping patients, forged and stale patient ids, and a patient who stops sharing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from bot.db.models import Share, User
from bot.telegram_fake import ChatMessage, FakeUser
from bot.views import callback_data as cb
from tests.bot_harness import Harness, text_of
from tests.clinic.people import practitioner, practitioner_row, sharing_patient, user_id_of
from tests.delivery.people import insert_due_users

GONE = "This patient no longer shares their record with you."


async def patients(person: FakeUser) -> ChatMessage:
    sent = await person.send("/patients")
    return await person.wait_for(
        lambda m: m.message_id > sent.message_id and "Your patients" in m.content
    )


async def test_two_practitioners_with_overlapping_patients_see_only_their_own(
    bot: Harness,
) -> None:
    ana, _ = await practitioner(bot, 8201, "Dr Ana Smith")
    ben, _ = await practitioner(bot, 8202, "Dr Ben Jones")
    await sharing_patient(bot, 8211, "Dr Ana Smith", "Dr Ben Jones")  # Both
    await sharing_patient(bot, 8212, "Dr Ben Jones")  # Only Ben's
    await sharing_patient(bot, 8213)  # shares with nobody
    both, bens, nobodys = [await user_id_of(bot, t) for t in (8211, 8212, 8213)]

    ana_list = await patients(ana)
    assert "User8211" in ana_list.content
    assert "User8212" not in ana_list.content
    assert "User8213" not in ana_list.content
    assert "1 sharing" in ana_list.content
    ben_list = await patients(ben)
    assert "2 sharing" in ben_list.content
    assert "User8213" not in ben_list.content

    # Ana forges buttons naming Ben's patient, a patient of nobody's, and no one: refused.
    for forged in (bens, nobodys, 0, 10**11):
        for action in (cb.PATIENT_CARD, cb.PATIENT_REPORT):
            answer = await ana.press_data(ana_list, cb.build(action, str(forged)))
            assert answer.text == GONE
    # A patient (not a practitioner) pressing a practitioner's button sees nothing either.
    patient = bot.tg.user(8212, "User8212")
    answer = await patient.press_data(ana_list, cb.build(cb.PATIENT_CARD, str(both)))
    assert answer.text in ("This button isn't yours.", "This is for practitioners. Ask your "
                           "clinic's operator for a link.")  # fmt: skip
    answer = await ben.press_data(ben_list, cb.build(cb.PATIENT_CARD, str(bens)))
    assert answer.text != GONE
    card = await ben.wait_for(lambda m: "Current variations" in m.content)
    assert "User8212" in text_of(card)
    assert not [m for m in ana.bot_messages if "Current variations" in m.content]
    assert not [m for m in ana.bot_messages if m.document is not None]


async def test_two_hundred_patients_page_by_page(bot: Harness) -> None:
    ana, _ = await practitioner(bot, 8301)
    held = await practitioner_row(bot, "Dr Ana Smith")
    # 200 subscribers in bulk (first prompt days away), each sharing with Ana.
    later = bot.clock.now + timedelta(days=10)
    await insert_due_users(bot.services.session_factory, 200, later, first_chat=9300)
    async with bot.services.session_factory() as session:
        ids = await session.scalars(select(User.id).where(User.telegram_id >= 9300))
        await session.execute(
            insert(Share),
            [
                {"patient_id": i, "practitioner_id": held.id, "consented_at": bot.clock.now}
                for i in ids
            ],
        )
        await session.commit()
    first = await patients(ana)
    assert "200 sharing · page 1/20" in first.content
    seen: set[str] = set()
    page = first
    for number in range(1, 21):
        assert f"page {number}/20" in page.content
        assert len(page.html) < 4096
        names = [b for row in page.button_labels for b in row if ". User" in b]
        assert len(names) == 10
        seen.update(name.split(". ")[1] for name in names)
        if number < 20:
            await ana.press("More ▶️", page)
            page = await ana.wait_for_edit(page)
    assert len(seen) == 200
    assert [b for row in page.button_labels for b in row if "More" in b] == []
