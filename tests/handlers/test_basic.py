"""First contact: /help, unknown commands and plain text get helpful replies."""

from __future__ import annotations

from tests.bot_harness import Harness


async def test_help_lists_every_command_registered_with_telegram(bot: Harness) -> None:
    alice = bot.tg.user(1001, "Alice")
    await alice.send("/help")
    reply = await alice.next_message()
    assert reply.text is not None
    registered = {c["command"] for c in bot.tg.commands()}
    assert {"start", "help", "settings", "pause", "delete"} <= registered
    for command in registered:
        assert f"/{command}" in reply.text


async def test_an_unknown_command_is_named_and_help_is_offered(bot: Harness) -> None:
    alice = bot.tg.user(1001, "Alice")
    await alice.send("/dance")
    reply = await alice.next_message()
    assert reply.text is not None
    assert "/dance" in reply.text
    assert "/help" in reply.text


async def test_plain_text_from_a_stranger_points_to_start(bot: Harness) -> None:
    alice = bot.tg.user(1001, "Alice")
    await alice.send("hello?")
    reply = await alice.next_message()
    assert reply.text is not None
    assert "/start" in reply.text
    assert "When a stretch arrives" not in reply.text


async def test_help_shows_the_safety_advice_marked_as_ours(bot: Harness) -> None:
    """texts.yaml says the safety advice is shown at onboarding, in /help and after it hurts."""
    alice = bot.tg.user(1001, "Alice")
    await alice.send("/help")
    reply = await alice.next_message()
    assert reply.text is not None
    for advice in bot.services.catalog.texts.safety:
        assert advice.text in reply.text
    assert "(stretchbot's advice, not the clinic's)" in reply.text


async def test_about_marks_our_words_without_calling_a_fact_advice(bot: Harness) -> None:
    alice = bot.tg.user(1001, "Alice")
    await alice.send("/about")
    reply = await alice.next_message()
    assert reply.text is not None
    assert "advice" not in reply.text.replace("ask a practitioner", "")
    assert "(stretchbot's words, not the clinic's)" in reply.text
    assert "Jill and Chris" in reply.text
