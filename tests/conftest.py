"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from STRETCHBOT_TEST_POSTGRES_URL (CI sets it). Unset, the PostgreSQL half of
each test is skipped with a reason; set but unreachable, the tests fail: CI must never go green
by silently skipping half the suite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.db.migrations import upgrade

POSTGRES_URL_ENV = "STRETCHBOT_TEST_POSTGRES_URL"
# As `stretchbot` sets it (bot.cli.main): durations from python-telegram-bot as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")
DATABASES = ("sqlite", "postgresql")


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


async def _admin_connect(admin_url: str) -> asyncpg.Connection:
    url = make_url(admin_url)
    return await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=10,
    )


async def create_postgres_database(admin_url: str) -> tuple[str, str]:
    """A fresh, empty database per test: (async URL, name). Fast enough (~70 ms) and no test
    can see another's rows."""
    name = f"stretchbot_test_{uuid.uuid4().hex[:12]}"
    connection = await _admin_connect(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = make_url(admin_url).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False), name


async def drop_postgres_database(admin_url: str, name: str) -> None:
    connection = await _admin_connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database, once SQLite (a file) and once PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'stretchbot.sqlite3'}"
        return
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_ENV} (CI sets it)")
    url, name = await create_postgres_database(admin_url)
    try:
        yield url
    finally:
        await drop_postgres_database(admin_url, name)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database: tests see the schema Alembic builds, not `create_all`'s."""
    engine = create_engine(database_url)
    await upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return create_session_factory(engine)
