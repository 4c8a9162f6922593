"""Two replicas behind a load balancer, webhook mode, sharing one inbox in PostgreSQL: 1,000
queued commands from 50 people reach either; one replica is stopped (SIGTERM) half-way and the
other answers the rest. Every command is answered once, each person's in order."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.db.engine import create_engine
from bot.db.migrations import upgrade
from bot.telegram_fake import TelegramFake
from tests.bot_harness import TOKEN
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_admin_url
from tests.ops.backlog import COMMANDS_EACH, LONG, TOTAL, answered, answers, queue_backlog, until
from tests.ops.procs import bot_process, free_port

# 1,000 answers take 35 s at Telegram's 30 messages/s; on a loaded machine much longer. The
# budgets are generous so that only a bot that stops answering fails.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

SECRET = "replica-Secret_0123456789abcdef"
FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """Replicas share the inbox on PostgreSQL (SQLite is one process's database)."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip("replicas share a PostgreSQL database; set STRETCHBOT_TEST_POSTGRES_URL")
    url, name = await create_postgres_database(admin_url)
    # Migrated first, as a deploy does (`stretchbot migrate`): two replicas upgrading an empty
    # database at the same moment race on CREATE TABLE.
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        await drop_postgres_database(admin_url, name)


class LoadBalancer:
    """Each POST goes to the next replica in turn; one that does not answer is skipped."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.turn = 0
        self.forwarded: Counter[str] = Counter()
        self._session: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        for step in range(len(self.targets)):
            target = self.targets[(self.turn + step) % len(self.targets)]
            try:
                async with self._session.post(target, data=body, headers=headers) as response:
                    answer = web.Response(status=response.status, body=await response.read())
            except aiohttp.ClientConnectionError:
                continue
            self.turn = (self.turn + step + 1) % len(self.targets)
            self.forwarded[target] += 1
            return answer
        return web.Response(status=502)

    @asynccontextmanager
    async def serving(self, port: int) -> AsyncIterator[None]:
        app = web.Application()
        app.router.add_post("/{path:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            self._session = session
            try:
                yield
            finally:
                await runner.cleanup()


def handled(log: str) -> int:
    match = re.search(r'event="inbox stopped" handled=(\d+)', log)
    assert match is not None, log[-3000:]
    return int(match.group(1))


async def test_two_webhook_replicas_share_the_inbox_and_one_stops_half_way(
    postgres_url: str, tmp_path: Path
) -> None:
    lb_port, port_a, port_b = free_port(), free_port(), free_port()
    balancer = LoadBalancer([f"http://127.0.0.1:{port}/telegram/hook" for port in (port_a, port_b)])
    public_url = f"http://127.0.0.1:{lb_port}/telegram/hook"

    def env(port: int) -> dict[str, str]:
        return {
            "LOG_LEVEL": "INFO",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
        }

    async with TelegramFake(token=TOKEN) as tg, balancer.serving(lb_port):
        people = await queue_backlog(tg)
        webhook = ("--webhook", public_url)
        async with (
            bot_process(
                tg, postgres_url, tmp_path, *webhook, env=env(port_a), log_name="a.log"
            ) as replica_a,
            bot_process(
                tg, postgres_url, tmp_path, *webhook, env=env(port_b), log_name="b.log"
            ) as replica_b,
        ):
            await until(lambda: answered(people) >= 300, 120, replica_a.output)
            code, seconds = await replica_a.stop()
            assert code == 0, replica_a.output()
            assert seconds < 10, replica_a.output()
            cut = answered(people)
            assert cut < TOTAL
            await until(lambda: answered(people) >= TOTAL, LONG, replica_b.output)
            code, _ = await replica_b.stop()
            assert code == 0, replica_b.output()
        log_a, log_b = replica_a.output(), replica_b.output()

    for person in people:
        assert answers(person) == list(range(COMMANDS_EACH)), person  # once each, in order
    assert handled(log_a) > 0
    assert handled(log_b) > 0
    assert handled(log_a) + handled(log_b) == TOTAL
    assert len(balancer.forwarded) == 2, "both replicas received updates"
    assert len(set(tg.confirmed_updates)) == TOTAL
    assert "level=ERROR" not in log_a + log_b
    print(
        f"\nreplicas: A received {balancer.forwarded[balancer.targets[0]]} and handled"
        f" {handled(log_a)}, stopped after {cut} answers in {seconds:.2f} s; B received"
        f" {balancer.forwarded[balancer.targets[1]]} and handled {handled(log_b)}"
    )
