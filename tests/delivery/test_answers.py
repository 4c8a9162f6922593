"""Every prompt can be answered, by button or by word, and the answers change what comes next."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import SessionFactory
from bot.db.models import BlockedStretch, Delivery, DeliveryKind, StretchPreference
from bot.services import accounts
from bot.telegram_fake import ChatMessage, FakeUser
from tests.bot_harness import Harness, caption_of, running_bot, text_of
from tests.handlers.test_settings import onboard

FIRST_PROMPT = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 07:30 Thursday in Auckland


async def first_prompt(bot: Harness, user_id: int) -> tuple[FakeUser, ChatMessage]:
    """The user's first scheduled prompt, once the engine has recorded it as sent (the message
    arrives before its outcome is recorded: a snapshot of the rows taken in between, on a
    loaded machine, saw it still pending)."""
    user = await onboard(bot, user_id)
    bot.advance_to(FIRST_PROMPT)
    prompt = await user.next_message()
    assert prompt.photo is not None
    await bot.settled()
    return user, prompt


async def stored(bot: Harness) -> list[Delivery]:
    async with bot.services.session_factory() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def _knee_hugs_next(bot: Harness, telegram_id: int) -> None:
    """The rotation sends knee hugs next (it follows the pelvic tilt)."""
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, telegram_id)
        assert user is not None
        user.last_family_id = "pelvic-tilt"
        await session.commit()


@pytest.mark.parametrize(
    ("button", "word", "answer"),
    [
        ("✅ Done", "Done!", "done"),
        ("🪶 Easier", "too hard", "easier"),
        ("⏭ Skip", "SKIP", "skip"),
        ("⏰ Later", "later", "later"),
        ("🤕 It hurts", "it hurts", "hurts"),
    ],
)
async def test_each_answer_works_by_button_and_by_word(
    bot: Harness, button: str, word: str, answer: str
) -> None:
    by_button, prompt = await first_prompt(bot, 7001)
    if answer == "easier":
        # The Table stretch has nothing easier on the sheet, so no Easier: knee hugs have.
        await _knee_hugs_next(bot, 7001)
        bot.advance(timedelta(days=1))
        prompt = await by_button.next_message()
        assert caption_of(prompt).startswith("Knee hugs")
    await by_button.press(button, prompt)
    edited = await by_button.wait_for_edit(prompt)
    assert edited.button_labels == [["↩️ Undo"]]
    assert edited.caption is not None
    assert edited.caption.endswith("· 07:30") or "again at 08:00" in edited.caption

    by_word = await onboard(bot, 7002)
    if answer == "easier":
        await _knee_hugs_next(bot, 7002)
    bot.advance(timedelta(days=1))
    prompt2 = await by_word.next_message()
    await bot.settled()  # a typed answer applies to a prompt known to have arrived
    await by_word.send(word)
    await by_word.wait_for_edit(prompt2)
    rows = [d for d in await stored(bot) if d.answer is not None]
    assert {d.answer for d in rows} == {answer}


async def test_a_done_edits_the_prompt_and_says_well_done(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7003)
    answer = await aroha.press("✅ Done", prompt)
    assert answer.text == "✅ Done"
    edited = await aroha.wait_for_edit(prompt)
    assert edited.caption is not None
    assert edited.caption.endswith("✅ Done · 07:30")
    assert "Well done" in text_of(await aroha.next_message())


async def test_a_second_press_or_an_old_message_is_harmless(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7004)
    await aroha.press("✅ Done", prompt)
    await aroha.wait_for_edit(prompt)
    again = await aroha.press_data(prompt, f"answer:{(await stored(bot))[0].id}:skip")
    assert again.text == "Already noted. 🙂"
    assert [d.answer for d in await stored(bot)] == ["done"]


async def test_another_users_button_changes_nothing(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7005)
    mallory = await onboard(bot, 7006)
    delivery_id = (await stored(bot))[0].id
    await mallory.send("/next")
    mallory_prompt = await mallory.next_message()
    answer = await mallory.press_data(mallory_prompt, f"answer:{delivery_id}:done")
    assert answer.text == "This button isn't yours."
    assert all(d.answer is None for d in await stored(bot) if d.id == delivery_id)
    assert aroha.last_bot_message == prompt


async def test_a_reply_to_an_older_prompt_answers_that_one(bot: Harness) -> None:
    aroha, first = await first_prompt(bot, 7007)
    bot.advance(timedelta(days=1))
    second = await aroha.next_message()
    await bot.settled()
    await aroha.reply_to(first, "did it")
    await aroha.wait_for_edit(first)
    rows = await stored(bot)
    assert [d.answer for d in rows] == ["done", None]
    assert second.buttons  # the newer prompt is still open


async def test_text_when_nothing_is_pending_gets_a_helpful_answer(bot: Harness) -> None:
    aroha = await onboard(bot, 7008)
    await aroha.send("done")
    assert "/next" in text_of(await aroha.next_message())


async def test_easier_sends_the_easier_variation_now_and_remembers_it(bot: Harness) -> None:
    aroha = await onboard(bot, 7009)
    for _ in range(3):  # table, pelvic tilt, knee hugs
        bot.advance_to(bot.clock.now + timedelta(days=1) if _ else FIRST_PROMPT)
        prompt = await aroha.next_message()
    assert caption_of(prompt).startswith("Knee hugs")
    await aroha.press("🪶 Easier", prompt)
    await aroha.wait_for_edit(prompt)
    assert "easier variation" in text_of(await aroha.next_message())
    easier = await aroha.next_message()
    assert easier.photo is not None
    assert "one knee" in caption_of(easier).lower()
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 7009)
        assert user is not None
        preference = await session.get(StretchPreference, (user.id, "knee-hugs"))
        assert preference is not None
        assert preference.stretch_id == "knee-hug-one-knee"


async def test_easier_without_an_easier_variation_offers_the_sheets_own_tips(bot: Harness) -> None:
    aroha = await onboard(bot, 7010)
    for _ in range(9):  # the hamstring stretch is the sheet's ninth
        await aroha.send("/next")
        hamstring = await aroha.next_message()
    assert caption_of(hamstring).startswith("Hamstring")
    await aroha.press("🪶 Easier", hamstring)
    reply = await aroha.wait_for(lambda m: "no easier variation" in m.content)
    assert "cushion" in text_of(reply)  # "If needed, sit on a cushion."


async def test_it_hurts_blocks_the_stretch_until_turned_back_on(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7011)
    await aroha.press("🤕 It hurts", prompt)
    reply = await aroha.wait_for(lambda m: "Sorry it hurts" in m.content)
    assert "stretchbot's advice, not the clinic's" in text_of(reply)
    async with bot.services.session_factory() as session:
        assert await session.scalar(select(BlockedStretch.stretch_id)) == "table-stretch"
    # A whole cycle of prompts never brings the table stretch back.
    for _ in range(9):
        await aroha.send("/next")
        card = await aroha.wait_for(lambda m: m.photo is not None and not m.edited)
        assert not caption_of(card).startswith("‘Table’")


async def test_later_resends_the_same_stretch_30_minutes_on_even_after_a_restart(
    session_factory: SessionFactory, database_url: str
) -> None:
    async with running_bot(session_factory, database_url) as bot:
        aroha, prompt = await first_prompt(bot, 7012)
        await aroha.press("⏰ Later", prompt)
        assert "08:00" in text_of(await aroha.wait_for(lambda m: "send it again" in m.content))
        now = bot.clock.now
    async with running_bot(session_factory, database_url) as bot:
        bot.clock.now = now
        aroha = bot.tg.user(7012, "User7012")
        bot.advance(timedelta(minutes=30))
        again = await aroha.next_message()
        assert caption_of(again).startswith("‘Table’ stretch")
        kinds = [d.kind for d in await stored(bot)]
        assert kinds == [DeliveryKind.SCHEDULED, DeliveryKind.LATER]
        await aroha.press("⏰ Later", again)
        assert "already a reminder" in text_of(
            await aroha.wait_for(lambda m: "reminder" in m.content)
        )


async def five_dones_of_rotation(bot: Harness, user_id: int) -> tuple[FakeUser, ChatMessage]:
    """Five Dones of the rotation stretch in a row: the stronger variation is offered."""
    aroha = await onboard(bot, user_id)
    offer = None
    for day in range(5):
        async with bot.services.session_factory() as session:
            user = await accounts.find_user(session, user_id)
            assert user is not None
            user.last_family_id = "gluteal-stretch-2"  # so the rotation comes to Rotation next
            await session.commit()
        bot.advance_to(FIRST_PROMPT + timedelta(days=day))
        prompt = await aroha.next_message()
        assert caption_of(prompt).startswith("Rotation stretch for back")
        await aroha.press("✅ Done", prompt)
        offer = await aroha.next_message()
        assert "Well done" in text_of(offer)
        if day < 4:
            assert offer.buttons == []
    assert offer is not None
    assert "stronger variation" in text_of(offer)
    return aroha, offer


async def test_the_stronger_variation_is_offered_after_five_dones(bot: Harness) -> None:
    aroha, offer = await five_dones_of_rotation(bot, 7013)
    await aroha.press("💪 Yes", offer)
    await aroha.wait_for_edit(offer)
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 7013)
        assert user is not None
        preference = await session.get(StretchPreference, (user.id, "rotation-stretch"))
        assert preference is not None
        assert preference.stretch_id == "rotation-stretch-stronger"


async def test_a_stretch_that_hurt_can_be_turned_back_on_in_settings(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7014)
    await aroha.press("🤕 It hurts", prompt)
    await aroha.wait_for(lambda m: "Sorry it hurts" in m.content)
    await aroha.send("/settings")
    screen = await aroha.wait_for(lambda m: "Your settings" in m.content)
    assert "Switched off after “It hurts”: ‘Table’ stretch" in text_of(screen)
    await aroha.press("↩️ Turn back on: ‘Table’ stretch", screen)
    await aroha.wait_for_edit(screen)
    async with bot.services.session_factory() as session:
        assert await session.scalar(select(BlockedStretch.stretch_id)) is None


async def test_follow_ups_can_be_switched_off_in_settings(bot: Harness) -> None:
    aroha = await onboard(bot, 7015)
    await aroha.send("/settings")
    screen = await aroha.next_message()
    assert "Follow-up if a stretch goes unanswered: on" in text_of(screen)
    await aroha.press("💬 Follow-ups: turn off", screen)
    again = await aroha.next_message()
    assert "Follow-up if a stretch goes unanswered: off" in text_of(again)


async def test_an_unanswered_prompt_gets_one_gentle_follow_up_three_hours_later(
    bot: Harness,
) -> None:
    aroha, prompt = await first_prompt(bot, 7016)  # 07:30 in Auckland
    await bot.settled()
    bot.advance(timedelta(hours=2, minutes=59))
    await asyncio.sleep(0.3)
    assert aroha.last_bot_message == prompt  # not yet
    bot.advance(timedelta(minutes=2))  # 10:31
    nudge = await aroha.next_message()
    assert "Still time for" in text_of(nudge)
    assert nudge.reply_to is not None
    assert nudge.reply_to.message_id == prompt.message_id
    bot.advance(timedelta(hours=3))
    await asyncio.sleep(0.3)
    assert aroha.last_bot_message == nudge  # once only


async def test_it_hurts_suggests_the_easier_variation_which_comes_at_once_when_chosen(
    bot: Harness,
) -> None:
    aroha = await onboard(bot, 7017)
    for _ in range(3):  # table stretch, pelvic tilt, knee hugs
        await aroha.send("/next")
        prompt = await aroha.next_message()
    assert caption_of(prompt).startswith("Knee hugs")
    await aroha.press("🤕 It hurts", prompt)
    await aroha.wait_for_edit(prompt)
    reply = await aroha.next_message()
    assert reply.text is not None
    assert "Knee hugs – one knee" in reply.text or "one knee" in reply.text.lower()
    await aroha.press("🪶 Try the easier one", reply)
    easier = await aroha.next_message()
    assert easier.photo is not None
    assert "one knee" in caption_of(easier).lower()
