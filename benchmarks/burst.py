"""A burst: N users due at the same instant, sent by the real bot at Telegram's rate.

Loads N ACTIVE users (each with a zone and one daily slot whose next_fire_at is the same instant,
a few seconds ahead) into a fresh database, starts the Bot API emulator with 100 ms latency and
Telegram's 30 messages/s flood control (it answers 429 beyond that), starts `python -m bot run`
as a child process, and once every delivery has a final state prints: reminders, seconds (due
instant to the last sent_at), achieved rate as % of 30/s, lateness p50/p99 (sent_at minus
scheduled_for, from the database), CPU of the bot process per reminder (from /proc, counted from
just before the due instant), the final states, and the 429s the emulator answered.

    .venv/bin/python benchmarks/burst.py --users 900
    .venv/bin/python benchmarks/burst.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/burst.py --no-limit   # emulator and bot limiter off: the ceiling
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import (
    CARD_METHODS,
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
    profiled,
    table,
    wait_until_answering,
)

from bot.db.engine import create_engine
from bot.telegram_fake import TelegramFake


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=900, help="reminders due at once (900)")
    add_database_argument(parser)
    parser.add_argument(
        "--no-limit",
        action="store_true",
        help="no flood control in the emulator and none in the bot: the engine's own ceiling",
    )
    parser.add_argument("--latency", type=float, default=0.1, help="Bot API latency, s (0.1)")
    parser.add_argument(
        "--lead", type=float, default=8.0, help="seconds from loading to the due instant (8)"
    )
    parser.add_argument("--keep-log", type=Path, help="copy the bot's log to this file")
    parser.add_argument(
        "--py-spy", type=Path, help="record the bot with py-spy during the burst (speedscope)"
    )
    parser.add_argument(
        "--timeline",
        type=Path,
        help="write each reminder's lateness (s), sorted, to this file (and the emulator's "
        "answer times and statuses to FILE.emulator)",
    )
    return parser.parse_args()


async def _finished(url: str, expected: int, within: float) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + within
    try:
        while True:
            total, pending = await count_unfinished(engine)
            if total >= expected and pending == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{total} deliveries, {pending} pending after {within} s")
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


def _write_timeline(path: Path, lateness: list[float], answered: list[tuple[float, int]]) -> None:
    """Each reminder's lateness (s), sorted; and next to it (`.emulator`) the emulator's
    monotonic time and HTTP status of each card's answer (429s show where waves collided)."""
    path.write_text("".join(f"{t:.4f}\n" for t in lateness))
    Path(f"{path}.emulator").write_text("".join(f"{at:.4f} {status}\n" for at, status in answered))


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(
        prefix="stretchbot-burst-",
    ) as tmp:
        workdir = Path(tmp)
        async with fresh_database(args.database_url, workdir) as url:
            due = (datetime.now(UTC) + timedelta(seconds=args.lead)).replace(microsecond=0)
            load = await insert_users(url, args.users, lambda _: due)
            rate_limit = None if args.no_limit else TELEGRAM_LIMIT
            async with TelegramFake(token=TOKEN, rate_limit=rate_limit) as tg:
                tg.faults.add("latency", seconds=args.latency, times=None)
                for user_id in range(1, args.users + 1):
                    tg.user(CHAT_BASE + user_id, f"User {user_id}")
                async with bot_process(tg, url, workdir, unlimited=args.no_limit) as bot:
                    ready = await wait_until_answering(tg, bot)
                    to_due = (due - datetime.now(UTC)).total_seconds()
                    if to_due < 0.5:
                        print(
                            f"warning: the bot answered only {-to_due:.1f} s after the due "
                            "instant; raise --lead",
                            file=sys.stderr,
                        )
                    idle_from, idle_cpu = time.monotonic(), bot.cpu_seconds()
                    await asyncio.sleep(max(0.0, to_due - 0.3))
                    cpu_before, split_before = bot.cpu_seconds(), bot.cpu_split()
                    idle = (cpu_before - idle_cpu) / max(1e-3, time.monotonic() - idle_from)
                    threads_before = bot.thread_cpu()
                    async with profiled(bot, args.py_spy):
                        await _finished(url, args.users, within=60 + args.users / 10)
                    cpu, split = bot.cpu_seconds() - cpu_before, bot.cpu_split()
                    user_cpu, system_cpu = (a - b for a, b in zip(split, split_before, strict=True))
                    busy_threads = sorted(
                        (
                            (seconds - threads_before.get(tid, 0.0))
                            for tid, seconds in bot.thread_cpu().items()
                        ),
                        reverse=True,
                    )
                    peak_rss = bot.peak_rss_mb()
                    errors = bot.errors()
                    if args.keep_log:
                        shutil.copyfile(bot.log, args.keep_log)
                engine = create_engine(url)
                try:
                    rows = await deliveries(engine)
                finally:
                    await engine.dispose()
                too_many = sum(1 for r in tg.requests if r.status == 429)
                # The emulator's side, for --timeline: when each card was answered, how.
                answered = [(r.at, r.status) for r in tg.requests if r.method in CARD_METHODS]
                cards = sum(1 for r in tg.requests if r.method in CARD_METHODS and r.ok)
                uploads = tg.uploads
    sent = [r for r in rows if r.status == "sent" and r.sent_at is not None]
    lateness = [(r.sent_at - r.scheduled_for).total_seconds() for r in sent if r.sent_at]
    seconds = max(lateness) if lateness else float("nan")
    span = (
        (max(r.sent_at for r in sent if r.sent_at) - min(r.sent_at for r in sent if r.sent_at))
        if sent
        else timedelta(0)
    ).total_seconds()
    rate = len(sent) / seconds if seconds else float("nan")
    times = sorted((r.sent_at - r.scheduled_for).total_seconds() for r in sent if r.sent_at)
    if args.timeline:
        _write_timeline(args.timeline, times, answered)
    gaps = sorted(((b - a, a) for a, b in zip([0.0, *times], times, strict=False)), reverse=True)[
        :3
    ]
    states = Counter(r.status for r in rows)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    limit = "off (emulator and bot)" if args.no_limit else f"{TELEGRAM_LIMIT} msg/s (emulator)"
    print(f"burst: {args.users} users due at one instant, {database}, limit {limit}")
    print(
        table(
            [
                ("loaded", f"{load.users} users in {load.seconds:.2f} s"),
                ("bot answering after", f"{ready:.2f} s (due {args.lead:.0f} s after loading)"),
                ("reminders sent", f"{len(sent)}"),
                ("seconds", f"{seconds:.2f} (due instant to last sent_at)"),
                ("send span", f"{span:.2f} s (first to last sent_at)"),
                (
                    "achieved rate",
                    f"{rate:.1f} msg/s = {100 * rate / TELEGRAM_LIMIT:.1f} % of {TELEGRAM_LIMIT}/s",
                ),
                ("first sent after", f"{times[0] if times else float('nan'):.2f} s"),
                (
                    "longest pauses",
                    ", ".join(f"{gap:.2f} s at {at:.1f} s" for gap, at in gaps),
                ),
                ("lateness p50", f"{percentile(lateness, 50):.2f} s"),
                ("lateness p99", f"{percentile(lateness, 99):.2f} s"),
                ("bot CPU", f"{cpu:.2f} s = {1000 * cpu / max(1, len(rows)):.2f} ms per reminder"),
                (
                    "  of which",
                    f"user {user_cpu:.2f} s, system {system_cpu:.2f} s; by thread "
                    + ", ".join(f"{t:.2f}" for t in busy_threads[:4])
                    + f"; idle before the burst {1000 * idle:.0f} ms/s",
                ),
                ("bot peak RSS", f"{peak_rss:.0f} MB"),
                ("final states", ", ".join(f"{k} {v}" for k, v in sorted(states.items()))),
                ("429s from the emulator", f"{too_many}"),
                ("cards sent ok / uploads", f"{cards} / {uploads}"),
                ("errors logged", f"{len(errors)}"),
            ]
        )
    )
    for line in errors[:5]:
        print(f"    {line[:300]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run(_arguments())))
