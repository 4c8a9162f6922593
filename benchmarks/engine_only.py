"""The engine's own CPU, without HTTP: the real dispatcher, claim, rate limiter and recording in
this process, with each Bot API call answered by a canned sendPhoto answer after `--latency`.

Separates what the engine costs from what aiohttp and the kernel cost (burst.py measures both),
and paced (Telegram's 30/s) from back to back (`--no-limit`). Prints CPU per reminder (this
process, the database driver's thread included) and how many recordings the burst took.

    .venv/bin/python benchmarks/engine_only.py
    .venv/bin/python benchmarks/engine_only.py --no-limit
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import (
    ROOT,
    TOKEN,
    add_database_argument,
    fresh_database,
    insert_users,
    settings_for,
    table,
)
from telegram.ext import ExtBot

from bot.content_commands import load_checked
from bot.context import AppServices
from bot.db.engine import create_engine, create_session_factory
from bot.delivery.aiohttp_request import AiohttpRequest
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.rate_limit import SlidingWindowRateLimiter
from bot.services.dispatch.outcomes import Outcome

# What Telegram answers to a sendPhoto, in the parts the engine reads, at its usual size.
_ANSWER = json.dumps(
    {
        "ok": True,
        "result": {
            "message_id": 5,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "photo": [
                {
                    "file_id": "AgAC" + "x" * 60,
                    "file_unique_id": "AQAD" + "x" * 12,
                    "width": 800,
                    "height": 600,
                    "file_size": 52_000,
                }
            ],
            "caption": "x" * 900,
        },
    }
).encode()


class CannedAnswers(AiohttpRequest):
    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await asyncio.sleep(self.latency)
        return 200, _ANSWER


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=900, help="slots due at once (900)")
    parser.add_argument("--no-limit", action="store_true", help="no pacing: back to back")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer (0.1)")
    add_database_argument(parser)
    return parser.parse_args()


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="stretchbot-engine-") as tmp:
        async with fresh_database(args.database_url, Path(tmp)) as url:
            due = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
            await insert_users(url, args.users, lambda _: due)
            engine = create_engine(url)
            services = AppServices(
                settings=settings_for(url),
                catalog=load_checked(ROOT / "content"),
                session_factory=create_session_factory(engine),
            )
            # A window of ~0 lets every request through at once: the limiter's path, no pacing.
            limiter = SlidingWindowRateLimiter(window=1e-6 if args.no_limit else 1.03)
            request = CannedAnswers(args.latency)
            bot: ExtBot[int] = ExtBot(TOKEN, request=request, rate_limiter=limiter)
            recordings: list[int] = []
            states: Counter[str] = Counter()
            try:
                await request.initialize()
                dispatcher = Dispatcher(services, bot)
                record = dispatcher._record

                async def counted(outcomes: list[Outcome]) -> None:
                    recordings.append(len(outcomes))
                    states.update(outcome.status.value for outcome in outcomes)
                    await record(outcomes)

                dispatcher._record = counted  # type: ignore[method-assign,unused-ignore]
                cpu, wall = time.process_time(), time.perf_counter()
                sent = await dispatcher.run_round()
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            finally:
                await request.shutdown()
                await engine.dispose()
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    pace = "back to back" if args.no_limit else "paced at 30/s"
    print(f"engine only: {args.users} due at one instant, {database}, {pace}, no HTTP")
    print(
        table(
            [
                ("reminders", f"{sent} in {wall:.1f} s"),
                ("CPU", f"{cpu:.2f} s = {1000 * cpu / max(1, sent):.3f} ms per reminder"),
                ("recordings", f"{len(recordings)} ({sum(recordings)} outcomes)"),
                ("final states", ", ".join(f"{k} {v}" for k, v in sorted(states.items()))),
            ]
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run(_arguments())))
