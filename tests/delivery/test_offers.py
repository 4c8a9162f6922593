"""The follow-up questions ("Ready for the stronger variation?", "Try the easier one?") can only
be answered from the message that asked them, once, and only if the bot really asked: forged
button data on a user's own prompt changes nothing and always gets an answer."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.db.models import Delivery, Offer, StretchPreference
from bot.services import accounts
from tests.bot_harness import Harness, caption_of, text_of
from tests.delivery.test_answers import first_prompt, five_dones_of_rotation, stored
from tests.handlers.test_settings import onboard


async def preferences(bot: Harness) -> list[tuple[str, str]]:
    async with bot.services.session_factory() as session:
        rows = await session.execute(
            select(StretchPreference.family_id, StretchPreference.stretch_id)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def test_a_forged_stronger_yes_on_the_users_own_prompt_is_refused(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    aroha, prompt = await first_prompt(bot, 7101)
    await aroha.press("✅ Done", prompt)
    assert "Well done" in text_of(await aroha.next_message())  # no offer: one Done only
    delivery_id = (await stored(bot))[0].id
    with caplog.at_level(logging.WARNING):
        for word in ("yes", "no"):
            answer = await aroha.press_data(prompt, f"stronger:{delivery_id}:{word}")
            assert answer.text == "This button doesn't work any more."
    assert await preferences(bot) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_forged_not_yet_leaves_an_open_prompt_answerable(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7102)
    delivery_id = (await stored(bot))[0].id
    answer = await aroha.press_data(prompt, f"stronger:{delivery_id}:no")
    assert answer.text == "This button doesn't work any more."
    assert aroha.last_bot_message == prompt  # nothing was edited or sent
    await aroha.press("✅ Done", prompt)
    edited = await aroha.wait_for_edit(prompt)
    assert caption_of(edited).endswith("✅ Done · 07:30")


async def test_a_forged_try_easier_without_it_hurts_is_refused(bot: Harness) -> None:
    aroha = await onboard(bot, 7103)
    for _ in range(3):  # table stretch, pelvic tilt, knee hugs (whose easier one is one knee)
        await aroha.send("/next")
        prompt = await aroha.next_message()
    assert caption_of(prompt).startswith("Knee hugs")
    await aroha.press("✅ Done", prompt)
    await aroha.next_message()
    knee_hugs = (await stored(bot))[-1].id
    for data in (f"try_easier:{knee_hugs}", "try_easier:1", "try_easier:999999"):
        answer = await aroha.press_data(prompt, data)
        assert answer.text == "This button doesn't work any more."
    assert await preferences(bot) == []
    assert len(await stored(bot)) == 3  # nothing queued


async def test_the_real_offer_works_from_its_own_message_once(bot: Harness) -> None:
    aroha, offer_message = await five_dones_of_rotation(bot, 7104)
    yes_data = offer_message.buttons[0][0].data
    assert yes_data is not None
    # The offer's own data, pressed from the last prompt instead of the question: refused.
    await bot.settled()  # the prompt's message id is recorded
    async with bot.services.session_factory() as session:
        last_prompt_id = (
            await session.scalars(select(Delivery.message_id).order_by(Delivery.id.desc()))
        ).first()
    assert last_prompt_id is not None
    (last_prompt,) = [m for m in aroha.bot_messages if m.message_id == last_prompt_id]
    answer = await aroha.press_data(last_prompt, yes_data)
    assert answer.text == "This button doesn't work any more."
    assert await preferences(bot) == []

    await aroha.press("💪 Yes", offer_message)
    edited = await aroha.wait_for_edit(offer_message)
    assert "From now on you'll get" in text_of(edited)
    assert await preferences(bot) == [("rotation-stretch", "rotation-stretch-stronger")]
    again = await aroha.press_data(offer_message, yes_data.replace(":yes", ":no"))
    assert again.text == "Already noted. 🙂"
    assert await preferences(bot) == [("rotation-stretch", "rotation-stretch-stronger")]


async def test_an_offer_overtaken_by_the_programme_changes_nothing(bot: Harness) -> None:
    aroha, offer_message = await five_dones_of_rotation(bot, 7105)
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, 7105)
        assert user is not None
        session.add(  # e.g. chosen in the meantime
            StretchPreference(
                user_id=user.id,
                family_id="rotation-stretch",
                stretch_id="rotation-stretch-stronger",
                run_started_at=bot.clock.now,
            )
        )
        await session.commit()
    answer = await aroha.press("Not yet", offer_message)
    assert answer.text == "Your programme has changed since: nothing to do here."
    assert await preferences(bot) == [("rotation-stretch", "rotation-stretch-stronger")]
    async with bot.services.session_factory() as session:
        assert await session.scalar(select(Offer.answer)) is None


async def test_try_the_easier_one_after_it_hurts_works_once(bot: Harness) -> None:
    aroha = await onboard(bot, 7106)
    for _ in range(3):
        await aroha.send("/next")
        prompt = await aroha.next_message()
    await aroha.press("🤕 It hurts", prompt)
    await aroha.wait_for_edit(prompt)
    reply = await aroha.next_message()
    data = reply.button("🪶 Try the easier one").data
    assert data is not None
    await aroha.press("🪶 Try the easier one", reply)
    easier = await aroha.next_message()
    assert "one knee" in caption_of(easier).lower()
    assert await preferences(bot) == [("knee-hugs", "knee-hug-one-knee")]
    edited = await aroha.wait_for(
        lambda m: m.message_id == reply.message_id and m.button_labels == [["↩️ Undo"]]
    )
    again = await aroha.press_data(edited, data)
    assert again.text == "Already noted. 🙂"
    assert len(await stored(bot)) == 4  # the three prompts and the one easier variation
