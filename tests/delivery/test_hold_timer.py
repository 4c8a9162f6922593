"""⏱ Hold: a countdown for the stretch's hold, edited in place within Telegram's per-chat limit,
ended by an answer, a new prompt or ⏹ Stop; only for the user's own prompt of a stretch with a
hold; and 🪶 Easier only where the sheet has something easier to give."""

from __future__ import annotations

import asyncio
import itertools

from bot.telegram_fake import ChatMessage
from tests.bot_harness import Harness, caption_of, text_of
from tests.delivery.test_answers import first_prompt, stored
from tests.handlers.test_settings import onboard


def countdown_edits(bot: Harness, message: ChatMessage) -> list[float]:
    return [
        call.at
        for call in bot.tg.calls("editMessageText")
        if call.params.get("message_id") in (message.message_id, str(message.message_id))
    ]


async def test_hold_counts_down_in_place_and_says_release(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7201)  # the Table stretch: "a count of 5-10 s"
    assert prompt.button_labels[0] == ["⏱ Hold", "✅ Done"]  # nothing easier on the sheet
    bot.tg.limit_each_chat(1)  # Telegram's ~1 message a second per chat, edits included
    await aroha.press("⏱ Hold", prompt)
    timer = await aroha.next_message()
    assert "Hold… 10" in text_of(timer)
    assert timer.reply_to is not None
    assert timer.reply_to.message_id == prompt.message_id
    done = await aroha.wait_for(
        lambda m: m.message_id == timer.message_id and "Release ✓" in m.content, timeout=15
    )
    assert done.button_labels == [["⏱ Again"]]
    edits = countdown_edits(bot, timer)
    assert len(edits) == 5  # 8, 6, 4, 2, Release
    assert all(later - earlier >= 1.9 for earlier, later in itertools.pairwise(edits))
    assert not [call for call in bot.tg.requests if call.status == 429]
    # The prompt is still open: Done after the hold.
    await aroha.press("✅ Done", prompt)
    await aroha.wait_for_edit(prompt)


async def test_an_answer_or_stop_ends_the_countdown(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7202)
    await aroha.press("⏱ Hold", prompt)
    timer = await aroha.next_message()
    stop = timer.button("⏹ Stop").data
    assert stop is not None
    answer = await aroha.press_data(timer, stop)
    assert answer.text == "Stopped"
    stopped = await aroha.wait_for(
        lambda m: m.message_id == timer.message_id and "Stopped." in m.content
    )
    assert stopped.buttons == []
    assert (await aroha.press_data(timer, stop)).text == "Nothing is counting now."

    await aroha.press("⏱ Hold", prompt)
    second = await aroha.next_message()
    assert second.message_id != timer.message_id
    await aroha.press("✅ Done", prompt)
    await aroha.wait_for(lambda m: m.message_id == second.message_id and "Stopped." in m.content)


async def test_a_new_prompt_ends_the_countdown(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7203)
    await aroha.press("⏱ Hold", prompt)
    timer = await aroha.next_message()
    await aroha.send("/next")
    await aroha.wait_for(lambda m: m.message_id == timer.message_id and "Stopped." in m.content)


async def test_forged_hold_buttons_start_nothing(bot: Harness) -> None:
    aroha, prompt = await first_prompt(bot, 7204)
    mallory = await onboard(bot, 7205)
    await mallory.send("/next")
    mallory_prompt = await mallory.next_message()
    arohas, mallorys = (delivery.id for delivery in await stored(bot))
    for data in (
        f"hold:{arohas}:1",  # not hers
        f"hold:{mallorys + 1}:1",  # no such prompt
        f"hold:{mallorys}:0",
        f"hold:{mallorys}:99",
        "hold:x:1",
        "hold",
    ):
        answer = await mallory.press_data(mallory_prompt, data)
        assert answer.text == "This button doesn't work any more.", data
    await asyncio.sleep(0.3)
    assert mallory.last_bot_message == mallory_prompt
    assert aroha.last_bot_message == prompt


async def test_easier_is_offered_only_where_the_sheet_has_something_easier(bot: Harness) -> None:
    aroha = await onboard(bot, 7206)
    for _ in range(3):  # table stretch, pelvic tilt, knee hugs
        await aroha.send("/next")
        prompt = await aroha.next_message()
        labels = [label for row in prompt.button_labels for label in row]
        has_easier = caption_of(prompt).startswith("Knee hugs")  # -> one knee
        assert ("🪶 Easier" in labels) is has_easier, caption_of(prompt)[:30]


async def test_asking_for_easier_where_there_is_nothing_easier_keeps_the_prompt_open(
    bot: Harness,
) -> None:
    aroha, prompt = await first_prompt(bot, 7207)  # the Table stretch
    await bot.settled()
    await aroha.send("too hard")
    reply = await aroha.next_message()
    assert "nothing easier for this stretch" in text_of(reply)
    delivery_id = (await stored(bot))[0].id
    forged = await aroha.press_data(prompt, f"answer:{delivery_id}:easier")
    assert "nothing easier" in (forged.text or "")
    assert [d.answer for d in await stored(bot)] == [None]
    await aroha.press("✅ Done", prompt)
    edited = await aroha.wait_for_edit(prompt)
    assert caption_of(edited).endswith("✅ Done · 07:30")
