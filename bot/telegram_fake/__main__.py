"""Run the emulator on its own: ``python -m bot.telegram_fake --port 8081 --token 123:ABC``.

Point the bot at it with TELEGRAM_API_URL=http://127.0.0.1:8081. With ``--chat ID`` the
terminal becomes that user's chat: lines typed are sent to the bot, its replies are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from bot.telegram_fake.fake import TelegramFake
from bot.telegram_fake.users import ChatMessage, FakeUser


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.telegram_fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--chat", type=int, help="act as this user id on stdin/stdout")
    parser.add_argument("--name", default="Console", help="first name of the --chat user")
    parser.add_argument("--rate-limit", type=int, default=None, help="messages/s, e.g. 30")
    parser.add_argument("--quiet", action="store_true", help="don't log every request")
    return parser.parse_args(argv)


def _show(message: ChatMessage) -> str:
    lines = [f"bot> {message.content or '[' + message.kind + ']'}"]
    if message.photo:
        lines.append(f"     [photo {message.file_path}]")
    for row in message.button_labels:
        lines.append("     " + "  ".join(f"[{label}]" for label in row))
    return "\n".join(lines)


async def _chat(user: FakeUser) -> None:
    """Relay stdin lines to the bot and print its messages; ``!Label`` presses a button."""

    async def printer() -> None:
        while True:
            try:
                print(_show(await user.next_message(timeout=3600)), flush=True)
            except TimeoutError:
                continue

    task = asyncio.create_task(printer())
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            text = line.rstrip("\n")
            if text.startswith("!"):
                try:
                    answer = await user.press(text[1:])
                    if answer.text:
                        print(f"bot (toast)> {answer.text}", flush=True)
                except (LookupError, TimeoutError, ValueError) as err:
                    print(f"!! {err}", flush=True)
            elif text:
                await user.send(text)
    finally:
        task.cancel()


async def _serve(args: argparse.Namespace) -> None:
    fake = TelegramFake(args.token, host=args.host, port=args.port, rate_limit=args.rate_limit)
    async with fake:
        print(f"Bot API emulator on {fake.api_root} (token {args.token})", flush=True)
        if args.chat is not None:
            await _chat(fake.user(args.chat, args.name))
        else:
            await asyncio.Event().wait()  # until Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.quiet else logging.DEBUG,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    logging.getLogger("aiohttp").setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
