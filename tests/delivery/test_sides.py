"""The Table card carries the sheet's side paragraph, and "Left side more / Right side more"
bring the one-side variation, with its own picture, at once; checked against the prompt."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Delivery
from tests.bot_harness import Harness, caption_of
from tests.delivery.test_answers import first_prompt, stored
from tests.handlers.test_settings import onboard


async def test_the_table_card_offers_each_side_with_its_own_picture(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7401)
    assert "To stretch the right side more" in caption_of(prompt)
    assert prompt.button_labels[-1] == ["⬅️ Left side more", "Right side more ➡️"]
    answer = await aroha.press("Right side more ➡️", prompt)
    assert answer.text is not None
    assert answer.text.startswith("Sending")
    right = await aroha.next_message()
    assert right.photo is not None
    assert caption_of(right).startswith("‘Table’ stretch – to stretch the right side more")
    assert right.photo_file_id != prompt.photo_file_id  # its own picture
    # That card offers the other side; the first prompt is still open.
    assert right.button_labels[-1] == ["⬅️ Left side more"]
    await aroha.press("✅ Done", prompt)
    await aroha.wait_for_edit(prompt)


async def test_a_side_is_sent_once_and_only_for_the_users_own_prompt(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7402)
    mallory = await onboard(bot, 7403)
    await mallory.send("/next")
    mallorys = await mallory.next_message()
    arohas = (await stored(bot))[0].id
    stale = "This button doesn't work any more."
    for data in (f"side:{arohas}:left", "side:0:left", "side:x:left", "side"):
        assert (await mallory.press_data(mallorys, data)).text == stale, data
    # Hers, but from a message that isn't that prompt, or a side the stretch doesn't have.
    assert (await aroha.press_data(prompt, f"side:{arohas}:up")).text == stale
    async with bot.services.session_factory() as session:
        count = len(list(await session.scalars(select(Delivery.id))))
    assert count == 2
    await aroha.press("⬅️ Left side more", prompt)
    again = await aroha.press("⬅️ Left side more", prompt)  # a double tap: one card
    await aroha.next_message()
    async with bot.services.session_factory() as session:
        kinds = [d.stretch_id for d in await session.scalars(select(Delivery))]
    assert kinds.count("table-stretch-left-bias") == 1, again
