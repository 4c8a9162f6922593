"""Replicas: N users due at one instant, sent by K bot processes sharing one database and token.

Loads N ACTIVE users due at one instant into a fresh database (PostgreSQL by default), starts
the Bot API emulator with Telegram's flood control as strict as Telegram's (30 msg/s in any
1-second window, 1000/s with allow_paid_broadcast, and the penalty: after a 429 that scope
refuses everything until retry_after has passed) and 100 ms latency, starts K processes of
`python -m bot run --webhook` (webhook mode: only one process may long-poll a token), and once
every delivery has a final state prints: reminders, seconds (due instant to the last sent_at),
the achieved rate as % of the limit, 429s, the most the emulator accepted in any 1-second
window, lateness p50/p99, CPU per reminder of all bot processes together (from /proc, counted
from just before the due instant) and of the emulator, RSS of each process when idle (before
the burst) and at its peak.

    .venv/bin/python benchmarks/replicas.py --replicas 2 --users 900
    .venv/bin/python benchmarks/replicas.py --replicas 3 --users 2700
    .venv/bin/python benchmarks/replicas.py --replicas 1 --users 900 --burn   # a loaded host
    .venv/bin/python benchmarks/replicas.py --replicas 2 --users 20000 --paid  # paid broadcast

`--burn`: a CPU burner per core beside the bots for the whole run (each a process spinning
until the run ends, at most --burn-seconds). `--paid`: PAID_BROADCAST=true (PAID_BROADCAST_RATE
--paid-rate): the limit is then the paid rate, and the figure is the engine's own ceiling as
long as it stays below it. `--at 08:00` names the due instant in the printout, for the
"everyone due at 08:00, all sent by" line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import (
    CARD_METHODS,
    CHAT_BASE,
    TELEGRAM_LIMIT,
    TOKEN,
    BotProcess,
    bot_process,
    count_unfinished,
    deliveries,
    fresh_database,
    insert_users,
    percentile,
    table,
)

from bot.db.engine import create_engine
from bot.telegram_fake import TelegramFake

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
_BURNER = (
    "import sys, time\nend = time.monotonic() + float(sys.argv[1])\n"
    "while time.monotonic() < end: pass\n"
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="bot processes (2)")
    parser.add_argument("--users", type=int, default=900, help="reminders due at once (900)")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_POSTGRES,
        help=f"server to create a fresh database on ({DEFAULT_POSTGRES}); sqlite:// for one "
        "process on SQLite",
    )
    parser.add_argument("--paid", action="store_true", help="PAID_BROADCAST=true")
    parser.add_argument("--paid-rate", type=int, default=1000, help="PAID_BROADCAST_RATE (1000)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="SEND_CONCURRENCY (64; 256 with --paid: at 1000/s and 100 ms latency, 64 in "
        "flight allow ~600/s)",
    )
    parser.add_argument("--burn", action="store_true", help="a CPU burner per core beside it")
    parser.add_argument("--burn-seconds", type=float, default=300.0, help="burners' bound (300)")
    parser.add_argument("--latency", type=float, default=0.1, help="Bot API latency, s (0.1)")
    parser.add_argument("--lead", type=float, default=20.0, help="seconds to the due instant")
    parser.add_argument("--at", default=None, help="name the due instant, e.g. 08:00")
    parser.add_argument("--keep-logs", type=Path, help="copy the bots' logs into this folder")
    parser.add_argument("--log-level", default="INFO", help="the bots' LOG_LEVEL (INFO)")
    parser.add_argument(
        "--timeline", action="store_true", help="print the sends the emulator accepted per second"
    )
    return parser.parse_args()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def most_in_any_second(moments: list[float]) -> int:
    ordered, most, start = sorted(moments), 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


@asynccontextmanager
async def burners(on: bool, seconds: float) -> AsyncIterator[None]:
    """A bounded CPU burner per core (processes spinning until killed or `seconds`)."""
    spinning = (
        [
            await asyncio.create_subprocess_exec(sys.executable, "-c", _BURNER, str(seconds))
            for _ in range(os.cpu_count() or 1)
        ]
        if on
        else []
    )
    try:
        yield
    finally:
        for process in spinning:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def _wait_started(bots: list[BotProcess], within: float = 60) -> None:
    deadline = time.monotonic() + within
    for running in bots:
        while running.logged_at("starting") is None:
            if running.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"a bot did not start:\n{running.log.read_text()[-3000:]}")
            await asyncio.sleep(0.1)


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
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


async def run(args: argparse.Namespace) -> int:
    limit = args.paid_rate if args.paid else TELEGRAM_LIMIT
    env = {"LOG_LEVEL": args.log_level}
    concurrency = args.concurrency or (256 if args.paid else None)
    if concurrency:
        env["SEND_CONCURRENCY"] = str(concurrency)
    if args.paid:
        env |= {"PAID_BROADCAST": "true", "PAID_BROADCAST_RATE": str(args.paid_rate)}
    with tempfile.TemporaryDirectory(prefix="stretchbot-replicas-") as tmp:
        workdir = Path(tmp)
        url_arg = None if args.database_url.startswith("sqlite") else args.database_url
        async with fresh_database(url_arg, workdir) as url, burners(args.burn, args.burn_seconds):
            due = (datetime.now(UTC) + timedelta(seconds=args.lead)).replace(microsecond=0)
            load = await insert_users(url, args.users, lambda _: due)
            async with TelegramFake(token=TOKEN, rate_limit=TELEGRAM_LIMIT) as tg:
                tg.faults.add("latency", seconds=args.latency, times=None)
                for user_id in range(1, args.users + 1):
                    tg.user(CHAT_BASE + user_id, f"User {user_id}")
                async with AsyncExitStack() as stack:
                    bots = []
                    for index in range(args.replicas):
                        port = _free_port()
                        bots.append(
                            await stack.enter_async_context(
                                bot_process(
                                    tg,
                                    url,
                                    workdir,
                                    env=env | {"WEBHOOK_PORT": str(port)},
                                    args=("--webhook", f"http://127.0.0.1:{port}/hook"),
                                    name=f"bot{index}",
                                )
                            )
                        )
                    await _wait_started(bots)
                    to_due = (due - datetime.now(UTC)).total_seconds()
                    if to_due < 1:
                        print(f"warning: started {-to_due:.1f} s after due; raise --lead")
                    await asyncio.sleep(max(0.0, to_due - 1.0))
                    idle_rss = [bot.rss_mb() for bot in bots]
                    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds() - 0.3))
                    cpu_before = [bot.cpu_seconds() for bot in bots]
                    own_before = _own_cpu()
                    await _finished(url, args.users, within=120 + args.users / 10)
                    cpu = sum(
                        bot.cpu_seconds() - b for bot, b in zip(bots, cpu_before, strict=True)
                    )
                    emulator_cpu = _own_cpu() - own_before
                    peak_rss = [bot.peak_rss_mb() for bot in bots]
                    errors = [line for bot in bots for line in bot.errors()]
                    if args.keep_logs:
                        args.keep_logs.mkdir(parents=True, exist_ok=True)
                        for bot in bots:
                            (args.keep_logs / bot.log.name).write_bytes(bot.log.read_bytes())
                engine = create_engine(url)
                try:
                    rows = await deliveries(engine)
                finally:
                    await engine.dispose()
                sends = [r for r in tg.requests if r.method in CARD_METHODS]
                too_many = sum(1 for r in sends if r.status == 429)
                accepted = [r.at for r in sends if r.ok]
                refused = [r.at for r in sends if r.status == 429]
    sent = [r for r in rows if r.status == "sent" and r.sent_at is not None]
    lateness = sorted((r.sent_at - r.scheduled_for).total_seconds() for r in sent if r.sent_at)
    seconds = lateness[-1] if lateness else float("nan")
    rate = len(sent) / seconds if seconds else float("nan")
    span = lateness[-1] - lateness[0] if lateness else float("nan")
    spanned = (len(sent) - 1) / span if span else float("nan")
    states = Counter(r.status for r in rows)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    mode = f"paid broadcast at {args.paid_rate}/s" if args.paid else f"{TELEGRAM_LIMIT}/s"
    print(
        f"replicas: {args.users} due at one instant, {args.replicas} process(es) on {database}, "
        f"limit {mode}, strict 1-s window + penalty, {args.latency * 1000:.0f} ms latency"
        + (", CPU burner per core" if args.burn else "")
    )
    rows_out = [
        ("loaded", f"{load.users} users in {load.seconds:.2f} s"),
        ("reminders sent", f"{len(sent)}"),
        ("seconds", f"{seconds:.2f} (due instant to last sent_at)"),
        ("achieved rate", f"{rate:.1f} msg/s = {100 * rate / limit:.1f} % of {limit}/s"),
        ("send span", f"{span:.2f} s first to last sent_at: {100 * spanned / limit:.1f} %"),
        ("429s", f"{too_many} ({100 * too_many / max(1, len(sends)):.2f} % of sends)"),
        ("most in any 1 s", f"{most_in_any_second(accepted)} (emulator's clock)"),
        (
            "lateness p50 / p99",
            f"{percentile(lateness, 50):.2f} / {percentile(lateness, 99):.2f} s",
        ),
        ("bot CPU", f"{cpu:.2f} s = {1000 * cpu / max(1, len(rows)):.2f} ms per reminder"),
        ("emulator CPU", f"{emulator_cpu:.2f} s (this process: emulator, loading, polling)"),
        ("RSS idle", ", ".join(f"{mb:.0f}" for mb in idle_rss) + " MB"),
        ("RSS peak", ", ".join(f"{mb:.0f}" for mb in peak_rss) + " MB"),
        ("final states", ", ".join(f"{k} {v}" for k, v in sorted(states.items()))),
        ("errors logged", f"{len(errors)}"),
    ]
    if args.at:
        hours, minutes = (int(part) for part in args.at.split(":"))
        start = datetime(2026, 1, 1, hours, minutes)
        rows_out.append(
            (
                f"due at {args.at}",
                f"all sent by {(start + timedelta(seconds=seconds)).strftime('%H:%M:%S')}",
            )
        )
    print(table(rows_out))
    for line in errors[:5]:
        print(f"    {line[:300]}")
    if args.timeline and accepted:
        first = min(accepted)
        per_second = Counter(int(at - first) for at in accepted)
        print(
            "  accepted per second: "
            + " ".join(str(per_second[s]) for s in range(max(per_second) + 1))
        )
        if refused:
            print(
                "  429s at (s after the first accepted): "
                + " ".join(f"{at - first:.2f}" for at in sorted(refused)[:40])
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run(_arguments())))
