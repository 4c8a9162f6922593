"""↩️ Undo: every answer can be taken back for 10 minutes, with everything it changed, also
after a restart; never when the programme changed since, never after 10 minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.db.engine import SessionFactory
from bot.db.models import User
from bot.services import accounts, personal_data
from bot.telegram_fake import ChatMessage, FakeUser
from tests.bot_harness import Harness, caption_of, running_bot, text_of
from tests.delivery.test_answers import first_prompt, five_dones_of_rotation
from tests.handlers.test_settings import onboard

UNDO = "↩️ Undo"


async def rows_about(bot: Harness, telegram_id: int) -> dict[str, Any]:
    """Every row the bot keeps about the user (the /export tables), bar the undo records."""
    async with bot.services.session_factory() as session:
        user = await accounts.find_user(session, telegram_id)
        assert user is not None
        tables: dict[str, Any] = (await personal_data.export(session, user, bot.clock.now))[
            "tables"
        ]
    tables.pop("answer_undos")
    tables["users"] = [
        {k: v for k, v in row.items() if k != "updated_at"} for row in tables["users"]
    ]
    return tables


async def knee_hugs_prompt(bot: Harness, telegram_id: int) -> tuple[FakeUser, ChatMessage]:
    aroha = await onboard(bot, telegram_id)
    for _ in range(3):  # table stretch, pelvic tilt, knee hugs: the one with an easier variation
        await aroha.send("/next")
        prompt = await aroha.next_message()
    assert caption_of(prompt).startswith("Knee hugs")
    await bot.settled()
    return aroha, prompt


@pytest.mark.parametrize("button", ["✅ Done", "⏭ Skip", "⏰ Later", "🤕 It hurts", "🪶 Easier"])
async def test_undo_takes_an_answer_back_with_everything_it_changed(
    bot: Harness, button: str
) -> None:
    aroha, prompt = await knee_hugs_prompt(bot, 7301)
    before = await rows_about(bot, 7301)
    await aroha.press(button, prompt)
    answered = await aroha.wait_for(lambda m: m == prompt and UNDO in m.content + str(m.buttons))
    assert answered.button_labels == [[UNDO]]
    if button == "🪶 Easier":
        await aroha.wait_for(lambda m: m.photo is not None and "one knee" in m.content.lower())
        await bot.settled()
    assert await rows_about(bot, 7301) != before

    answer = await aroha.press(UNDO, answered)
    assert answer.text == "Undone ↩️"
    reopened = await aroha.wait_for(lambda m: m == prompt and "✅ Done" in str(m.button_labels))
    assert caption_of(reopened) == caption_of(prompt)
    assert reopened.button_labels == prompt.button_labels
    after = await rows_about(bot, 7301)
    if button == "🪶 Easier":  # the easier variation was already sent: it stays, as sent
        sent_now = [d for d in after["deliveries"] if d not in before["deliveries"]]
        assert [d["stretch_id"] for d in sent_now] == ["knee-hug-one-knee"]
        after["deliveries"] = [d for d in after["deliveries"] if d not in sent_now]
    assert after == before
    # The prompt is answerable again, and the old Undo does nothing more.
    await aroha.press("✅ Done", reopened)
    await aroha.wait_for(lambda m: m == prompt and "✅ Done ·" in m.content)


async def test_undo_of_yes_to_the_stronger_variation_asks_again(bot: Harness) -> None:
    aroha, question = await five_dones_of_rotation(bot, 7302)
    before = await rows_about(bot, 7302)
    await aroha.press("💪 Yes", question)
    chosen = await aroha.wait_for(lambda m: m == question and "From now on" in m.content)
    await aroha.press(UNDO, chosen)
    asked = await aroha.wait_for(lambda m: m == question and "💪 Yes" in str(m.button_labels))
    assert "stronger variation" in text_of(asked)
    assert await rows_about(bot, 7302) == before
    await aroha.press("Not yet", asked)
    await aroha.wait_for(lambda m: m == question and "stay with this one" in m.content)


async def test_undo_after_a_restart(session_factory: SessionFactory, database_url: str) -> None:
    async with running_bot(session_factory, database_url) as bot:
        aroha, prompt = await first_prompt(bot, 7303)
        before = await rows_about(bot, 7303)
        await aroha.press("⏰ Later", prompt)
        answered = await aroha.wait_for(lambda m: m == prompt and UNDO in str(m.button_labels))
        now = bot.clock.now
    async with running_bot(session_factory, database_url) as bot:
        bot.clock.now = now + timedelta(minutes=9)
        aroha = bot.tg.user(7303, "User7303")
        answer = await aroha.press_data(answered, answered.button(UNDO).data or "")
        assert answer.text == "Undone ↩️"
        assert await rows_about(bot, 7303) == before  # the Later re-send is gone too


async def test_undo_is_refused_after_ten_minutes_or_once_the_programme_changed(
    bot: Harness,
) -> None:
    aroha, prompt = await knee_hugs_prompt(bot, 7304)
    await aroha.press("✅ Done", prompt)
    answered = await aroha.wait_for(lambda m: m == prompt and UNDO in str(m.button_labels))
    bot.advance(timedelta(minutes=10))
    answer = await aroha.press(UNDO, answered)
    assert answer.text == "More than 10 minutes have passed, so this answer stays."
    await aroha.wait_for(lambda m: m == prompt and m.buttons == [])

    await aroha.send("/next")
    second = await aroha.wait_for(lambda m: m.photo is not None and m != prompt)
    await aroha.press("🤕 It hurts", second)
    hurt = await aroha.wait_for(lambda m: m == second and UNDO in str(m.button_labels))
    async with bot.services.session_factory() as session:  # turned back on in /settings
        user = await accounts.find_user(session, 7304)
        assert user is not None
        assert await _unblock_all(session, user)
        await session.commit()
    answer = await aroha.press(UNDO, hurt)
    assert answer.text == "Your programme has changed since, so this answer stays."


async def test_someone_elses_or_a_forged_undo_changes_nothing(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7305)
    await aroha.press("✅ Done", prompt)
    answered = await aroha.wait_for(lambda m: m == prompt and UNDO in str(m.button_labels))
    data = answered.button(UNDO).data or ""
    mallory = await onboard(bot, 7306)
    await mallory.send("/next")
    mallorys = await mallory.next_message()
    before = await rows_about(bot, 7305)
    assert (await mallory.press_data(mallorys, data)).text == "This button isn't yours."
    stale = "This button doesn't work any more."
    for forged in ("undo:0", "undo:x", "undo", "undo:99999"):
        assert (await aroha.press_data(answered, forged)).text == stale
    # Hers, but pressed from another of her messages ("Well done!").
    well_done = await aroha.wait_for(lambda m: "Well done" in m.content)
    assert (await aroha.press_data(well_done, data)).text == stale
    assert await rows_about(bot, 7305) == before


async def _unblock_all(session: Any, user: User) -> bool:
    from sqlalchemy import delete

    from bot.db.models import BlockedStretch

    result = await session.execute(delete(BlockedStretch).where(BlockedStretch.user_id == user.id))
    return bool(result.rowcount)
