"""Idle lateness: how late does one reminder go out when the bot has nothing else to do?

Loads `--prompts` users into a fresh database, each with one slot due a few seconds after the
previous one (so the bot idles between them), starts the emulator (100 ms latency, 30 msg/s)
and `python -m bot run`, and once all are sent prints lateness p50/p99/max: sent_at minus
scheduled_for, from the database, both on the bot's real clock (`utc_now`). sent_at is taken
when Telegram's answer arrives, so it includes the emulator's latency.

What it checks: the dispatcher wakes at the earliest next_fire_at (a one-shot JobQueue job,
replaced after every round), not on its 30 s safety interval: a wake-up that did not work would
show as seconds of lateness.

    .venv/bin/python benchmarks/idle_lateness.py
    .venv/bin/python benchmarks/idle_lateness.py --prompts 40 --gap 2 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import (
    CHAT_BASE,
    TELEGRAM_LIMIT,
    TOKEN,
    add_database_argument,
    bot_process,
    count_unfinished,
    deliveries,
    fresh_database,
    insert_users,
    percentile,
    table,
    wait_until_answering,
)

from bot.db.engine import create_engine
from bot.telegram_fake import TelegramFake


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=30, help="reminders, one at a time (30)")
    parser.add_argument("--gap", type=float, default=3.0, help="seconds between them (3)")
    add_database_argument(parser)
    parser.add_argument("--latency", type=float, default=0.1, help="Bot API latency, s (0.1)")
    parser.add_argument("--lead", type=float, default=8.0, help="seconds until the first (8)")
    return parser.parse_args()


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="stretchbot-idle-") as tmp:
        workdir = Path(tmp)
        async with fresh_database(args.database_url, workdir) as url:
            start = datetime.now(UTC) + timedelta(seconds=args.lead)
            # Odd offsets (not whole seconds) so nothing lines up with a timer by luck.
            due = {
                user_id: start + timedelta(seconds=(user_id - 1) * args.gap + 0.137 * user_id)
                for user_id in range(1, args.prompts + 1)
            }
            await insert_users(url, args.prompts, lambda user_id: due[user_id])
            async with TelegramFake(token=TOKEN, rate_limit=TELEGRAM_LIMIT) as tg:
                tg.faults.add("latency", seconds=args.latency, times=None)
                for user_id in due:
                    tg.user(CHAT_BASE + user_id, f"User {user_id}")
                async with bot_process(tg, url, workdir) as bot:
                    ready = await wait_until_answering(tg, bot)
                    engine = create_engine(url)
                    try:
                        last = max(due.values())
                        await asyncio.sleep(max(0.0, (last - datetime.now(UTC)).total_seconds()))
                        deadline = time.monotonic() + 60
                        while time.monotonic() < deadline:
                            total, pending = await count_unfinished(engine)
                            if total >= args.prompts and pending == 0:
                                break
                            await asyncio.sleep(0.2)
                        rows = await deliveries(engine)
                    finally:
                        await engine.dispose()
                    errors = bot.errors()
    late = [(r.sent_at - r.scheduled_for).total_seconds() for r in rows if r.sent_at is not None]
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"idle lateness: {args.prompts} reminders {args.gap:g} s apart, {database}, "
        f"Bot API latency {args.latency * 1000:.0f} ms"
    )
    print(
        table(
            [
                ("bot answering after", f"{ready:.2f} s"),
                ("reminders sent", f"{len(late)} of {args.prompts}"),
                ("lateness p50", f"{percentile(late, 50):.3f} s"),
                ("lateness p99", f"{percentile(late, 99):.3f} s"),
                ("lateness max", f"{max(late) if late else float('nan'):.3f} s"),
                ("lateness min", f"{min(late) if late else float('nan'):.3f} s"),
                ("errors logged", f"{len(errors)}"),
            ]
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run(_arguments())))
