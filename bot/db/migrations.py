"""Run Alembic migrations from code (`stretchbot migrate`, `stretchbot run`, tests).

The migrations ship inside the package (bot/migrations/), so an installed wheel finds them
wherever it runs; Alembic is configured here rather than through an ini file. The repository's
alembic.ini points at the same folder, for developers' `alembic revision` commands.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.config import PACKAGE_ROOT

MIGRATIONS_DIR = PACKAGE_ROOT / "migrations"
# PostgreSQL advisory lock key held while migrating (any fixed number no other code uses).
MIGRATION_LOCK_KEY = 7_031_126_001


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    # Options go through ConfigParser interpolation: a literal % in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        await _one_at_a_time(connection)
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as connection:
        await _one_at_a_time(connection)
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def _one_at_a_time(connection: AsyncConnection) -> None:
    """Replicas started together all migrate at start-up: the first takes a lock held until its
    migration commits, the others wait for it, then find the schema at head and do nothing.
    Without it both saw an empty database and the second failed ("alembic_version already
    exists"). PostgreSQL: an advisory lock of this transaction; SQLite: the database's write
    lock, taken up front (the second waits up to the engine's 30 s busy timeout)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
        )
    elif dialect == "sqlite":
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
