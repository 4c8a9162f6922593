"""The claim alone: CPU of `claim_due` for N due slots (no Telegram, no bot process).

Loads N users due at one instant into a fresh database (as burst.py does), then claims them with
`bot.services.dispatch.claim.claim_due` in batches of 500, as the dispatcher does, and prints the
CPU of this process (the database driver's thread included) per claimed reminder.

    .venv/bin/python benchmarks/claim.py --users 900
    .venv/bin/python benchmarks/claim.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import ROOT, add_database_argument, fresh_database, insert_users, table
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.content_commands import load_checked
from bot.db.engine import create_engine
from bot.services.dispatch.claim import claim_due
from bot.services.dispatch.policy import DispatchPolicy


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=900, help="slots due at once (900)")
    add_database_argument(parser)
    return parser.parse_args()


async def run(args: argparse.Namespace) -> int:
    catalog = load_checked(ROOT / "content")
    policy = DispatchPolicy(grace=timedelta(hours=2), lease=timedelta(minutes=1))
    with tempfile.TemporaryDirectory(prefix="stretchbot-claim-") as tmp:
        async with fresh_database(args.database_url, Path(tmp)) as url:
            due = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
            await insert_users(url, args.users, lambda _: due)
            engine = create_engine(url)
            sessions = async_sessionmaker(engine, expire_on_commit=False)
            try:
                async with sessions() as session:  # a connection in the pool, warm
                    await session.connection()
                now = datetime.now(UTC)
                cpu, wall, claimed, claims = time.process_time(), time.perf_counter(), 0, 0
                while True:
                    async with sessions() as session:
                        batch = len(await claim_due(session, catalog, now, policy))
                    claims += 1
                    claimed += batch
                    if not batch:
                        break
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            finally:
                await engine.dispose()
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"claim: {args.users} slots due at one instant, {database}")
    print(
        table(
            [
                ("claimed", f"{claimed} in {claims} claims (the last one empty)"),
                ("CPU", f"{1000 * cpu:.0f} ms = {1000 * cpu / max(1, claimed):.3f} ms each"),
                ("wall", f"{1000 * wall:.0f} ms"),
            ]
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run(_arguments())))
