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


async def test_plain_text_from_a_stranger_gets_a_helpful_reply(bot: Harness) -> None:
    alice = bot.tg.user(1001, "Alice")
    await alice.send("hello?")
    reply = await alice.next_message()
    assert reply.text is not None
    assert "/help" in reply.text
