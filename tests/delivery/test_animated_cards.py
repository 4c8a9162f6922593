"""With CARD_ANIMATIONS on (the default), a reminder's card moves: the stretch's animation with
the same caption and answer buttons, uploaded once and then sent by file_id; the still picture
is the fallback when Telegram refuses the animation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.db.engine import SessionFactory
from tests.bot_harness import Harness, running_bot
from tests.catalog.conftest import CONTENT
from tests.delivery.test_prompts import FIRST_PROMPT, TABLE_ANSWERS, deliveries
from tests.handlers.test_settings import onboard


@pytest.fixture
async def animated(session_factory: SessionFactory, database_url: str) -> AsyncIterator[Harness]:
    async with running_bot(
        session_factory, database_url, settings={"card_animations": True}
    ) as harness:
        yield harness


async def test_the_card_arrives_as_its_animation_with_the_caption_and_answers(
    animated: Harness,
) -> None:
    aroha = await onboard(animated, 6201)
    animated.advance_to(FIRST_PROMPT)

    card = await aroha.next_message()

    assert card.kind == "animation"
    assert card.file_bytes == (CONTENT / "images" / "table-stretch.gif").read_bytes()
    assert card.caption is not None
    assert card.caption.startswith("‘Table’ stretch")
    assert "To stretch the right side more" in card.caption
    assert card.button_labels == TABLE_ANSWERS
    [delivery] = await deliveries(animated)
    assert delivery.message_id == card.message_id


async def test_each_animation_is_uploaded_once_then_sent_by_file_id(animated: Harness) -> None:
    users = [await onboard(animated, 6210 + i) for i in range(3)]
    animated.advance_to(FIRST_PROMPT)
    cards = [await user.next_message() for user in users]

    assert {card.kind for card in cards} == {"animation"}
    assert len({card.animation["file_id"] for card in cards if card.animation}) == 1
    assert animated.tg.uploads == 1
    assert len(animated.tg.calls("sendAnimation", ok=True)) == 3
    assert animated.tg.calls("sendPhoto") == []


async def test_a_refused_animation_falls_back_to_the_still_picture(animated: Harness) -> None:
    animated.tg.faults.add(
        "error", method="sendAnimation", status=400, description="Bad Request: ANIMATION_INVALID"
    )
    aroha = await onboard(animated, 6220)
    animated.advance_to(FIRST_PROMPT)

    card = await aroha.next_message()

    assert card.kind == "photo"
    assert card.photo_bytes == (CONTENT / "images" / "table-stretch.png").read_bytes()
    assert card.button_labels == TABLE_ANSWERS
    [delivery] = await deliveries(animated)
    assert delivery.message_id == card.message_id


async def test_an_answer_and_undo_edit_the_animated_card_by_its_caption(animated: Harness) -> None:
    aroha = await onboard(animated, 6230)
    animated.advance_to(FIRST_PROMPT)
    card = await aroha.next_message()
    await aroha.press("✅ Done", card)
    done = await aroha.wait_for(lambda m: m == card and "✅ Done ·" in m.content)
    await aroha.press("↩️ Undo", done)
    again = await aroha.wait_for(lambda m: m == card and "✅ Done" in str(m.button_labels))
    assert again.kind == "animation"
    assert again.button_labels == TABLE_ANSWERS
