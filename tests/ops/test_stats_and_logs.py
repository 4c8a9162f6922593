"""/stats for admins only; what users type never reaches the logs at INFO; the health check."""

from __future__ import annotations

import ast
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.engine import SessionFactory, create_session_factory
from bot.ops.monitor import check_health
from tests.bot_harness import Harness, running_bot
from tests.handlers.test_settings import onboard

FIRST_PROMPT = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 07:30 in Auckland
ADMIN = 9101
HANDLERS = Path(__file__).resolve().parents[2] / "bot" / "handlers"


@pytest.fixture
async def bot(session_factory: SessionFactory, database_url: str) -> AsyncIterator[Harness]:
    async with running_bot(session_factory, database_url) as harness:
        harness.services.settings.admin_ids = frozenset({ADMIN})
        yield harness


async def test_stats_for_admins_and_an_unknown_command_for_everyone_else(bot: Harness) -> None:
    admin = await onboard(bot, ADMIN)
    other = await onboard(bot, 9102)
    bot.advance_to(FIRST_PROMPT)
    await admin.wait_for(lambda m: m.photo is not None)
    await other.wait_for(lambda m: m.photo is not None)
    await admin.press("✅ Done")
    await other.press("🪶 Easier")
    await bot.settled()

    await admin.send("/stats")
    stats = await admin.wait_for(lambda m: "statistics" in m.content)
    assert "Users: 2 total · 2 active · 0 paused · 0 blocked" in stats.content
    assert "Prompts sent: 2 today (UTC) · 2 in 7 days" in stats.content
    assert "Done rate, 7 days: 50%" in stats.content
    assert "‘Table’ stretch — 1×" in stats.content  # most eased

    await other.send("/stats")
    refused = await other.wait_for(lambda m: "/stats" in m.content)
    await other.send("/dance")
    unknown = await other.wait_for(lambda m: "/dance" in m.content)
    assert refused.content == unknown.content.replace("/dance", "/stats")
    assert "stats" not in {command["command"] for command in bot.tg.commands()}


async def test_what_users_type_is_not_logged_at_info(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = bot.tg.user(9201, "Zed")
    await user.send("/start")
    await user.next_message()
    await user.press("✅ I understand")
    await user.next_message()
    await user.press("None of these ✓")
    await user.next_message()
    for text in ("Xyzzyville", "my back xyzzy hurts a lot", "/xyzzy now"):
        await user.send(text)
        await user.next_message()
    await user.share_location(-36.85, 174.76)
    await user.next_message()
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert caplog.records, "the bot logs something at INFO"
    assert "xyzzy" not in logged.lower()
    assert "-36.85" not in logged  # nor where they are


def test_handlers_never_pass_message_text_to_a_log_call() -> None:
    """A static guard: no logging call in bot/handlers mentions `.text` or `.caption`."""
    offenders = []
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("debug", "info", "warning", "error", "exception"):
                continue
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "log"):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Attribute) and inner.attr in ("text", "caption"):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders


async def test_health_is_503_with_the_reason_until_the_dispatcher_has_run(
    bot: Harness,
) -> None:
    from bot.context import DISPATCHER_KEY

    dispatcher = bot.app.bot_data[DISPATCHER_KEY]
    await dispatcher.run_round()
    health = await check_health(bot.services, dispatcher)
    assert health.ok, health.reason
    assert not (await check_health(bot.services, None)).ok

    broken = create_async_engine("sqlite+aiosqlite:////nonexistent/dir/db.sqlite3")
    services = type(bot.services)(
        settings=bot.services.settings,
        catalog=bot.services.catalog,
        session_factory=create_session_factory(broken),
    )
    health = await check_health(services, dispatcher)
    await broken.dispose()
    assert not health.ok
    assert health.reason.startswith("database:")
