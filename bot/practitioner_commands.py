"""`stretchbot practitioner add | list | remove | link`: the operator's side of the clinic loop.

`add` and `link` print a one-time claim link (shown once: only its hash is stored) for the
practitioner to open in Telegram. The bot's username for the link comes from the Bot API
(getMe) when a token is set; without one, the link's /start payload is printed instead.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from telegram import Bot
from telegram.error import TelegramError

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrations import upgrade
from bot.db.types import utc_now
from bot.domain.zones import UnknownZoneError
from bot.services import practitioners

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1


async def _bot_username(settings: Settings) -> str | None:
    if settings.telegram_bot_token is None:
        return None
    root = settings.telegram_api_url
    bot = Bot(settings.require_token(), base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    try:
        async with bot:
            return (await bot.get_me()).username
    except TelegramError as error:
        log.warning("no bot username from the Bot API", extra={"error": str(error)})
        return None


def _claim_text(username: str | None, payload: str) -> str:
    if username is None:
        return f"claim: /start {payload}  (set TELEGRAM_BOT_TOKEN to print the t.me link)"
    return f"claim link (one use, 7 days): {practitioners.invite_link(username, payload)}"


async def run_command(
    settings: Settings, command: str, args: dict[str, object], out: TextIO
) -> int:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        async with session_factory() as session:
            if command == "add":
                try:
                    added = await practitioners.add(
                        session, str(args["name"]), str(args["clinic"]), str(args["zone"]),
                        utc_now(),
                    )  # fmt: skip
                except UnknownZoneError:
                    print(f"stretchbot: unknown time zone {args['zone']!r}", file=sys.stderr)
                    return EXIT_FAILURE
                except ValueError as error:
                    print(f"stretchbot: {error}", file=sys.stderr)
                    return EXIT_FAILURE
                await session.commit()
                p = added.practitioner
                print(f"added practitioner {p.id}: {p.name} ({p.clinic}, {p.time_zone})", file=out)
                print(_claim_text(await _bot_username(settings), added.claim_payload), file=out)
                return EXIT_OK
            if command == "list":
                found = await practitioners.all_practitioners(session)
                if not found:
                    print("no practitioners", file=out)
                for p in found:
                    state = "claimed" if p.user_id is not None else "not claimed yet"
                    print(f"{p.id}\t{p.name}\t{p.clinic}\t{p.time_zone}\t{state}", file=out)
                return EXIT_OK
            practitioner_id = int(str(args["id"]))
            if command == "remove":
                if not await practitioners.remove(session, practitioner_id):
                    print(f"stretchbot: no practitioner {practitioner_id}", file=sys.stderr)
                    return EXIT_FAILURE
                await session.commit()
                print(f"removed practitioner {practitioner_id}: their link stops working "
                      "and their patients' sharing ends", file=out)  # fmt: skip
                return EXIT_OK
            # link: a fresh claim link (the previous one stops working)
            found_one = next(
                (
                    p
                    for p in await practitioners.all_practitioners(session)
                    if p.id == practitioner_id
                ),
                None,
            )
            if found_one is None:
                print(f"stretchbot: no practitioner {practitioner_id}", file=sys.stderr)
                return EXIT_FAILURE
            fresh = await practitioners.new_claim_link(session, found_one, utc_now())
            await session.commit()
            print(_claim_text(await _bot_username(settings), fresh.claim_payload), file=out)
            return EXIT_OK
    finally:
        await engine.dispose()


def practitioner_command(
    settings: Settings, command: str, args: dict[str, object], out: TextIO
) -> int:
    return asyncio.run(run_command(settings, command, args, out))
