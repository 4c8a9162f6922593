"""What every way of starting the bot does first (`stretchbot run`, `stretchbot console`):
load the content pack, fully checked, and bring the database schema up to date. A problem is a
`StartupError`: the one line the operator sees."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings

if TYPE_CHECKING:
    from bot.catalog import Catalog

log = logging.getLogger("bot")


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the operator sees."""


def _safe_database_url(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


async def migrate(settings: Settings) -> None:
    from bot.db.engine import create_engine
    from bot.db.migrations import current_revision, upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        log.info("database migrated", extra={"revision": await current_revision(engine)})
    except (OSError, SQLAlchemyError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StartupError(
            f"cannot migrate the database at {_safe_database_url(settings)}: {reason}"
        ) from None
    finally:
        await engine.dispose()


def load_content(settings: Settings) -> Catalog:
    """The content pack, fully checked; an invalid pack stops start-up with the full report."""
    from bot.catalog import ContentError
    from bot.content_commands import format_problems, load_checked

    try:
        catalog = load_checked(settings.content_dir)
    except ContentError as error:
        raise StartupError(
            f"the content pack at {settings.content_dir} is invalid:\n"
            + format_problems(error.problems)
        ) from None
    log.info(
        "content loaded",
        extra={"pack": str(settings.content_dir), "stretches": len(catalog.stretches)},
    )
    return catalog
