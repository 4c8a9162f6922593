"""`stretchbot run | migrate | console | content check | content list` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import Settings, SettingsError, load_settings
from bot.logging_setup import configure_logging
from bot.ops.ports import check_listeners, listeners
from bot.startup import StartupError, load_content, migrate

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_SETTINGS = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stretchbot", description="A Telegram bot that sends a daily lower-back stretch."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run_command = commands.add_parser(
        "run", help="apply migrations, then run the bot (long polling, or --webhook)"
    )
    run_command.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates at this public https URL (e.g. https://host/path) instead of "
        "long polling; listens on WEBHOOK_LISTEN:WEBHOOK_PORT",
    )
    console = commands.add_parser(
        "console", help="chat with the bot in this terminal: no token, no network"
    )
    console.add_argument("--content", type=Path, help="content pack to preview")
    console.add_argument(
        "--database-url", help="database to use (default: SQLite in a temporary folder)"
    )
    commands.add_parser("migrate", help="upgrade the database schema to the latest version")
    content = commands.add_parser("content", help="check or list a stretch content pack")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="report every problem of a pack")
    check.add_argument("dir", nargs="?", type=Path, help="pack folder (default: CONTENT_DIR)")
    listing = content_commands.add_parser("list", help="print the catalogue")
    listing.add_argument("dir", nargs="?", type=Path, help="pack folder (default: CONTENT_DIR)")
    listing.add_argument("--json", action="store_true", help="as JSON")
    practitioner = commands.add_parser(
        "practitioner", help="add, list or remove the clinic's practitioners"
    )
    practitioner_commands = practitioner.add_subparsers(dest="practitioner_command", required=True)
    add = practitioner_commands.add_parser("add", help="add one; prints their one-time claim link")
    add.add_argument("--name", required=True, help='e.g. "Dr Ana Smith"')
    add.add_argument("--clinic", required=True, help='e.g. "Osteoworks"')
    add.add_argument("--zone", default="UTC", help="IANA time zone for alerts (default: UTC)")
    practitioner_commands.add_parser("list", help="every practitioner, claimed or not")
    remove = practitioner_commands.add_parser("remove", help="remove one: sharing with them ends")
    remove.add_argument("id", type=int)
    link = practitioner_commands.add_parser("link", help="a fresh one-time claim link")
    link.add_argument("id", type=int)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # python-telegram-bot 22's opt-in to durations as timedelta (its next major version's only
    # behaviour; the engine reads either); without it every 429 logs a deprecation warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            return run(settings, webhook_url=args.webhook)
        if args.command == "console":
            from bot.console import run_console

            return run_console(settings, args.content, args.database_url, sys.stdin, sys.stdout)
        if args.command == "content":
            from bot.content_commands import content_check, content_list

            pack = args.dir or settings.content_dir
            if args.content_command == "check":
                return content_check(pack, sys.stdout)
            return content_list(pack, sys.stdout, args.json)
        if args.command == "practitioner":
            from bot.practitioner_commands import practitioner_command

            _setup_logging(settings)
            return practitioner_command(settings, args.practitioner_command, vars(args), sys.stdout)
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


def _setup_logging(settings: Settings, *extra_secrets: str) -> None:
    secrets = [
        secret.get_secret_value()
        for secret in (settings.telegram_bot_token, settings.webhook_secret)
        if secret is not None
    ]
    configure_logging(settings.log_level, settings.log_format, [*secrets, *extra_secrets])


def run(settings: Settings, webhook_url: str | None = None) -> int:
    from bot.app import build_application
    from bot.context import AppServices
    from bot.db.engine import create_engine, create_session_factory
    from bot.ops.lifecycle import Lifecycle

    settings.require_token()
    webhook = webhook_target(webhook_url) if webhook_url else None
    check_listeners(listeners(settings, webhook=webhook is not None))
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    _setup_logging(settings, secret)
    catalog = load_content(settings)
    asyncio.run(check_bot_api(settings))
    asyncio.run(migrate(settings))
    engine = create_engine(settings.database_url)
    services = AppServices(
        settings=settings, catalog=catalog, session_factory=create_session_factory(engine)
    )
    application = build_application(services, Lifecycle(services, process=True, engine=engine))
    mode = "webhook" if webhook else "polling"
    log.info("starting", extra={"api": settings.telegram_api_url, "mode": mode})
    with _bot_api_errors_as_startup_errors(settings):
        if webhook is None:
            # stop_signals=None: bot.ops.lifecycle installs its own (stop with a drain).
            application.run_polling(
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False, stop_signals=None
            )
        else:
            url, path = webhook
            log.info(
                "webhook server",
                extra={
                    "url": url,
                    "listen": settings.webhook_listen,
                    "port": settings.webhook_port,
                },
            )
            # setWebhook with secret_token; python-telegram-bot refuses (403) any request
            # without the X-Telegram-Bot-Api-Secret-Token header or with a wrong one.
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=path,
                webhook_url=url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                stop_signals=None,
            )
    log.info("stopped")
    return EXIT_OK


def webhook_target(url: str) -> tuple[str, str]:
    """(URL, path) of a webhook URL given on the command line; a bad one is a StartupError."""
    parsed = urlsplit(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.query:
        raise StartupError(f"--webhook must be an https URL like https://host/path, not {url!r}")
    return url.strip(), parsed.path.strip("/")


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
