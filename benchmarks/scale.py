"""Scale: does start-up time or memory grow with the number of users?

For each database (SQLite, and PostgreSQL with `--database-url`) and each size (1k and 100k by
default), loads that many ACTIVE users (zone + one daily slot due tomorrow, bulk executemany)
into a fresh database, starts the emulator and `python -m bot run`, and measures:

* start-up: from spawning the process to the 'starting' log line, and until the bot answers a
  /help a user sent at spawn (migrations, content, getMe, first getUpdates all included);
* peak RSS (VmHWM from /proc) after `--settle` seconds of running, so the first dispatch round
  (earliest due time over all slots, one indexed query) has happened.

Target (issue 5): 100k users within +1 s and +30 MB of 1k users: no per-user state in memory.

    .venv/bin/python benchmarks/scale.py
    .venv/bin/python benchmarks/scale.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import (
    TOKEN,
    bot_process,
    fresh_database,
    insert_users,
    table,
    wait_until_answering,
)

from bot.telegram_fake import TelegramFake


@dataclass(frozen=True)
class Run:
    database: str
    users: int
    load_seconds: float
    starting: float | None
    answering: float
    peak_rss: float
    rss: float


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="also run on a fresh database on this PostgreSQL server (SQLite always runs)",
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1_000, 100_000], help="users (1000 100000)"
    )
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before reading RSS")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    return parser.parse_args()


async def measure(database_url: str | None, users: int, settle: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="stretchbot-scale-") as tmp:
        workdir = Path(tmp)
        async with fresh_database(database_url, workdir) as url:
            tomorrow = datetime.now(UTC) + timedelta(days=1)
            load = await insert_users(url, users, lambda user_id: tomorrow)
            async with TelegramFake(token=TOKEN) as tg, bot_process(tg, url, workdir) as bot:
                answering = await wait_until_answering(tg, bot)
                await asyncio.sleep(settle)
                starting = bot.logged_at("starting")
                peak, rss = bot.peak_rss_mb(), bot.rss_mb()
    return Run(
        "PostgreSQL" if url.startswith("postgresql") else "SQLite",
        users,
        load.seconds,
        starting,
        answering,
        peak,
        rss,
    )


async def run(args: argparse.Namespace) -> int:
    databases: list[str | None] = [] if args.no_sqlite else [None]
    if args.database_url:
        databases.append(args.database_url)
    runs = [
        await measure(database, size, args.settle) for database in databases for size in args.sizes
    ]
    print("scale: start-up and memory of `python -m bot run` by users in the database")
    rows = [
        (
            f"{r.database:<10} {r.users:>7,} users",
            f"loaded in {r.load_seconds:5.1f} s | 'starting' logged at "
            + (f"{r.starting:4.2f} s" if r.starting is not None else "  ?   ")
            + f" | answering at {r.answering:4.2f} s | peak RSS {r.peak_rss:5.1f} MB"
            + f" | RSS {r.rss:5.1f} MB",
        )
        for r in runs
    ]
    print(table(rows))
    for database in dict.fromkeys(r.database for r in runs):
        mine = [r for r in runs if r.database == database]
        small, large = min(mine, key=lambda r: r.users), max(mine, key=lambda r: r.users)
        if small is not large:
            print(
                f"  {database}: {large.users:,} vs {small.users:,} users: start-up "
                f"{large.answering - small.answering:+.2f} s, "
                f"peak RSS {large.peak_rss - small.peak_rss:+.1f} MB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run(_arguments())))
