"""`stretchbot run | migrate | content check | content list` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import Settings, SettingsError, load_settings
from bot.logging_setup import configure_logging

if TYPE_CHECKING:
    from bot.catalog import Catalog

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_SETTINGS = 2


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the operator sees."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stretchbot", description="A Telegram bot that sends a daily lower-back stretch."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="apply migrations, then run the bot (long polling)")
    commands.add_parser("migrate", help="upgrade the database schema to the latest version")
    content = commands.add_parser("content", help="check or list a stretch content pack")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="report every problem of a pack")
    check.add_argument("dir", nargs="?", type=Path, help="pack folder (default: CONTENT_DIR)")
    listing = content_commands.add_parser("list", help="print the catalogue")
    listing.add_argument("dir", nargs="?", type=Path, help="pack folder (default: CONTENT_DIR)")
    listing.add_argument("--json", action="store_true", help="as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            return run(settings)
        if args.command == "content":
            from bot.content_commands import content_check, content_list

            pack = args.dir or settings.content_dir
            if args.content_command == "check":
                return content_check(pack, sys.stdout)
            return content_list(pack, sys.stdout, args.json)
        if args.command == "migrate":
            _setup_logging(settings)
            asyncio.run(migrate(settings))
            print("database is up to date", file=sys.stderr)
            return EXIT_OK
    except SettingsError as error:
        print(f"stretchbot: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except StartupError as error:
        print(f"stretchbot: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        # `stretchbot content list | head`: the reader left; that is not an error.
        sys.stderr.close()
        return EXIT_OK
    raise AssertionError(f"unhandled command {args.command}")


def _setup_logging(settings: Settings) -> None:
    secrets = (
        [settings.telegram_bot_token.get_secret_value()] if settings.telegram_bot_token else []
    )
    configure_logging(settings.log_level, settings.log_format, secrets)


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


def run(settings: Settings) -> int:
    from bot.app import build_application
    from bot.context import AppServices
    from bot.db.engine import create_engine, create_session_factory

    settings.require_token()
    _setup_logging(settings)
    catalog = load_content(settings)
    asyncio.run(check_bot_api(settings))
    asyncio.run(migrate(settings))
    engine = create_engine(settings.database_url)
    services = AppServices(
        settings=settings, catalog=catalog, session_factory=create_session_factory(engine)
    )
    application = build_application(services)

    async def dispose_engine(_: object) -> None:
        await engine.dispose()

    application.post_shutdown = dispose_engine
    log.info("starting", extra={"api": settings.telegram_api_url, "mode": "polling"})
    with _bot_api_errors_as_startup_errors(settings):
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    log.info("stopped")
    return EXIT_OK


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


@contextmanager
def _bot_api_errors_as_startup_errors(settings: Settings) -> Iterator[None]:
    api = settings.telegram_api_url
    try:
        yield
    except InvalidToken:
        raise SettingsError(f"TELEGRAM_BOT_TOKEN was refused by the Bot API at {api}") from None
    except NetworkError as error:
        raise StartupError(f"cannot reach the Bot API at {api}: {error}") from None
    except TelegramError as error:
        raise StartupError(f"the Bot API at {api} answered an error at start-up: {error}") from None


async def check_bot_api(settings: Settings) -> None:
    """Ask the Bot API who we are before anything else, so a wrong token or an unreachable
    server is one clear line rather than python-telegram-bot's retry-loop traceback."""
    root = settings.telegram_api_url
    bot = Bot(settings.require_token(), base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    with _bot_api_errors_as_startup_errors(settings):
        async with bot:
            me = await bot.get_me()
    log.info("bot api reachable", extra={"bot_username": me.username, "api": root})
