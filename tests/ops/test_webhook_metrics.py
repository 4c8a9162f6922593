"""`stretchbot run --webhook` as a real process: the emulator posts updates to it, forged posts
are refused; its /healthz and /metrics are scraped meanwhile; its whole log is checked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN
from tests.ops.procs import bot_process, free_port, get, metric, onboard, wait_http

pytestmark = pytest.mark.e2e

SECRET = "webhook-Secret_0123456789abcdef"


async def test_webhook_with_secret_metrics_health_and_clean_logs(
    database_url: str, tmp_path: Path
) -> None:
    hook_port, metrics_port = free_port(), free_port()
    hook_url = f"http://127.0.0.1:{hook_port}/telegram/hook"
    env = {
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(hook_port),
        "WEBHOOK_SECRET": SECRET,
        "METRICS_PORT": str(metrics_port),
        "METRICS_LISTEN": "127.0.0.1",
    }
    monitor = f"http://127.0.0.1:{metrics_port}"
    async with (
        TelegramFake(token=TOKEN) as tg,
        bot_process(tg, database_url, tmp_path, "--webhook", hook_url, env=env) as bot,
    ):
        status, body = await wait_http(f"{monitor}/healthz")
        for _ in range(50):  # the first dispatcher round runs right after start-up
            if status == 200:
                break
            await asyncio.sleep(0.1)
            status, body = await get(f"{monitor}/healthz")
        assert status == 200, body
        assert "database answers" in body

        # Telegram's side: the webhook is set, with the secret.
        info = tg.webhook_info
        assert info["url"] == hook_url
        assert tg.state.webhook.secret_token == SECRET
        assert not tg.calls("getUpdates"), "webhook mode never long-polls"

        # A user talks to the bot; updates arrive by webhook POST.
        alice = tg.user(7001, "Alice")
        await onboard(alice)
        # One Telegram error, then retried (the card goes as its animation).
        tg.faults.add("5xx", method="sendAnimation", times=1)
        await alice.send("/next")
        prompt = await alice.wait_for(lambda m: m.kind in ("photo", "animation"), timeout=10)
        assert prompt.button_labels[0] == ["⏱ Hold", "✅ Done"]  # the Table stretch

        # Forged requests: no secret, or a wrong one -> 403 and nothing happens.
        sends_before = len(tg.requests)
        forged = {
            "update_id": 999_001,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 7002, "type": "private", "first_name": "Mallory"},
                "from": {"id": 7002, "is_bot": False, "first_name": "Mallory"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret"}):
                async with session.post(hook_url, json=forged, headers=headers) as response:
                    assert response.status == 403
        await asyncio.sleep(0.5)
        assert len(tg.requests) == sends_before, "a forged update made the bot do something"
        assert not tg.user(7002, "Mallory").bot_messages

        # Metrics, scraped while running.
        status, text = await get(f"{monitor}/metrics")
        assert status == 200
        assert metric(text, 'stretchbot_reminders_total{outcome="sent"}') == 1
        assert metric(text, 'stretchbot_reminders_total{outcome="failed"}') == 0
        assert metric(text, "stretchbot_send_lateness_seconds_count") == 1
        assert metric(text, 'stretchbot_updates_total{type="message"}') == 3
        assert metric(text, 'stretchbot_updates_total{type="callback_query"}') >= 4
        assert metric(text, "stretchbot_active_users") == 1
        assert metric(text, "stretchbot_reminders_missed_last_24h") == 0
        assert metric(text, 'stretchbot_telegram_errors_total{code="502"}') == 1

        code, seconds = await bot.stop()
        output = bot.output()
    assert code == 0, output
    assert seconds < 10
    # Every line of a DEBUG run: no token (nor its secret half), no webhook secret.
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert SECRET not in output
    assert "wrong-secret" not in output  # what a refused request carried, neither
    # (python-telegram-bot logs each refused request with its traceback, at DEBUG only.)
    assert not [line for line in output.splitlines() if "level=ERROR" in line]
    assert "mode=webhook" in output
    # The city data was not loaded at start-up (an idle replica stays small) but when Alice
    # sent /start, in a thread: her "Auckland" was answered without holding anyone else up.
    assert output.index("event=starting") < output.index('event="place data loaded"')


async def test_json_logs_one_object_per_line(tmp_path: Path) -> None:
    """LOG_FORMAT=json: every line the process writes is one JSON object (start to stop)."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    async with (
        TelegramFake(token=TOKEN) as tg,
        bot_process(tg, database_url, tmp_path, env={"LOG_FORMAT": "json"}) as bot,
    ):
        alice = tg.user(7101, "Alice")
        await alice.send("/start")
        await alice.next_message(timeout=30)
        code, _ = await bot.stop()
    lines = bot.output().splitlines()
    assert code == 0
    assert len(lines) > 10
    events = [json.loads(line) for line in lines]  # each line parses on its own
    assert {"ts", "level", "logger", "event"} <= set(events[0])
    assert any(e["event"] == "starting" and e["mode"] == "polling" for e in events)
    assert not any(TOKEN.split(":")[1] in line for line in lines)
