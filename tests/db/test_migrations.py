"""The schema only changes through Alembic, and the migrations match the models."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db.base import Base
from bot.db.engine import create_engine
from bot.db.migrations import (
    MIGRATIONS_DIR,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = MIGRATIONS_DIR / "versions"


async def test_upgrade_to_head_then_downgrade_to_base_leaves_an_empty_database(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert "users" in tables

        await downgrade(engine)
        assert await current_revision(engine) is None
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert set(tables) <= {"alembic_version"}

        # And back up again: downgrades leave nothing behind that would block a re-run.
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(database_url)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
        assert diff == [], f"models differ from migrations; write a migration: {diff}"
    finally:
        await engine.dispose()


def test_migration_files_have_dated_names() -> None:
    files = sorted(p.name for p in VERSIONS.glob("*.py"))
    assert files, "no migrations found"
    for name in files:
        assert re.fullmatch(r"20\d{6}_\d{4}_[0-9a-f]+_[a-z0-9_]+\.py", name), name


def test_developers_alembic_ini_points_at_the_packaged_migrations() -> None:
    """`alembic revision` from the repository root writes where `stretchbot migrate` reads."""
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    assert Path(script.dir).resolve() == MIGRATIONS_DIR.resolve()
    assert script.get_current_head() == head_revision()


async def test_replicas_starting_together_migrate_once_and_both_start(database_url: str) -> None:
    """Two processes started at once (a deployment of two replicas) both run `migrate` on an
    empty database: one builds the schema, the other waits for it and finds nothing to do."""
    import asyncio

    engines = [create_engine(database_url) for _ in range(2)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        for engine in engines:
            assert await current_revision(engine) == head_revision()
    finally:
        for engine in engines:
            await engine.dispose()
