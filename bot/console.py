"""`stretchbot console`: chat with the real bot in a terminal, with no token and no network.

The Bot API emulator (bot.telegram_fake) and the real Application run in this process, on
127.0.0.1, with a fixed fake token and a database in a temporary folder (or the one given).
You are one Telegram user: lines you type go to the bot as messages; the bot's messages are
printed as they arrive (edits too), inline buttons numbered so you can press them. The bot's
clock can be moved forward so a scheduled stretch arrives without waiting. A clinician points
`--content` at a pack to preview it exactly as a user would see it.

Lines are read from any text stream (stdin, or a script in tests); console commands:

    2 | /press 2 | /press Done   press a button of the latest message with buttons
    /location LAT LON             share a location
    /clock                        show the bot's time
    /clock +1h | +2d | +1h30m     move the bot's clock forward
    /clock 08:00                  to the next 08:00 in your zone (UTC before you chose one)
    /say TEXT                     send TEXT as it is (e.g. a number)
    /console                      this help
    /quit                         leave (end of input does too)

Anything else (text, /start, /help, ...) is sent to the bot as you typed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.catalog import Catalog
from bot.config import Settings, load_settings
from bot.context import AppServices
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.db.types import utc_now
from bot.domain.zones import get_zone
from bot.logging_setup import configure_logging
from bot.services.accounts import find_user
from bot.startup import load_content, migrate
from bot.telegram_fake import ChatMessage, FakeUser, TelegramFake

CONSOLE_TOKEN = "4242:console-token-not-a-secret-0123456789"
CONSOLE_USER_ID = 4242
# After an action: wait this long for the bot's first reaction, then until it is quiet.
FIRST_REACTION_SECONDS = 5.0
CLOCK_REACTION_SECONDS = 2.0
QUIET_SECONDS = 0.35
POLL_SECONDS = 0.05

HELP = __doc__.split("console commands:\n\n", 1)[1].rstrip() if __doc__ else ""

_CLOCK_DELTA = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_UNITS = ("d", "h", "m")


@dataclass
class OffsetClock:
    """Real time plus an offset the console moves forward (the bot's `AppServices.clock`)."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def parse_clock_delta(text: str) -> timedelta | None:
    """`+1h`, `+30m`, `+2d`, `+1d2h30m` -> timedelta; None if it isn't one."""
    match = _CLOCK_DELTA.fullmatch(text.strip())
    if match is None or not any(match.groups()):
        return None
    days, hours, minutes = (int(group or 0) for group in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def next_local_time(now: datetime, target: time, zone: ZoneInfo) -> datetime:
    """The next moment after `now` when the clock in `zone` shows `target` (aware UTC)."""
    local = now.astimezone(zone)
    for day in range(3):
        date = local.date() + timedelta(days=day)
        candidate = datetime.combine(date, target, tzinfo=zone)
        # A time skipped by a DST gap: take the first valid moment after it.
        candidate = candidate.astimezone(ZoneInfo("UTC")).astimezone(zone)
        if candidate > local:
            return candidate.astimezone(ZoneInfo("UTC"))
    raise AssertionError("unreachable: a local time occurs at least once in three days")


def picture_index(catalog: Catalog) -> dict[str, Path]:
    """sha256 of each picture in the pack -> its file, to name the photos the bot sends."""
    index: dict[str, Path] = {}
    for picture in {stretch.picture for stretch in catalog.stretches}:
        index[hashlib.sha256(picture.read_bytes()).hexdigest()] = picture
    return index


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class Transcript:
    """Prints the bot's messages once each (and again when edited), buttons numbered."""

    user: FakeUser
    out: TextIO
    pictures: dict[str, Path]
    # message id -> (edit count, text) last shown
    seen: dict[int, tuple[int, str]] = field(default_factory=dict)

    def signature(self) -> tuple[int, int]:
        messages = self.user.bot_messages
        return len(messages), sum(message.edit_count for message in messages)

    def flush(self) -> None:
        for message in self.user.bot_messages:
            shown = self.seen.get(message.message_id)
            if shown is not None and shown[0] == message.edit_count:
                continue
            self.seen[message.message_id] = (message.edit_count, message.content)
            if shown is None:
                self.print(self.render(message))
            elif shown[1] and message.content.startswith(shown[1]):
                added = message.content[len(shown[1]) :].strip()  # e.g. "✅ Done · 07:30"
                self.print(
                    f"bot ✎ … {added}"
                    if added
                    else self.render(message, marker="bot ✎", text=False)
                )
            elif shown[1] != message.content:
                self.print(self.render(message, marker="bot ✎"))
            else:  # only the buttons changed: don't repeat the text
                self.print(self.render(message, marker="bot ✎", text=False))

    def print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def picture_name(self, message: ChatMessage) -> str:
        data = message.photo_bytes
        if data is None:
            return "(unknown picture)"
        path = self.pictures.get(hashlib.sha256(data).hexdigest())
        return _display_path(path) if path else f"(not from the pack: {message.file_path})"

    def render(self, message: ChatMessage, *, marker: str = "bot ›", text: bool = True) -> str:
        lines: list[str] = []
        if not text:
            lines.append("(buttons changed)" if message.buttons else "(buttons removed)")
        else:
            if message.photo:
                lines.append(f"[photo {self.picture_name(message)}]")
            if message.location:
                lines.append(f"[location {message.location[0]} {message.location[1]}]")
            lines += message.content.splitlines() or ([] if lines else [f"[{message.kind}]"])
        number = 0
        for row in message.button_labels:
            cells = []
            for label in row:
                number += 1
                cells.append(f"[{number}] {label}")
            lines.append("  ".join(cells))
        head, *rest = lines or [""]
        return "\n".join([f"{marker} {head}", *(f"      {line}".rstrip() for line in rest)])


class Console:
    def __init__(
        self,
        tg: TelegramFake,
        user: FakeUser,
        clock: OffsetClock,
        zone_of_user: ZoneLookup,
        notify: Callable[[], None],
        pictures: dict[str, Path],
        out: TextIO,
        *,
        echo: bool,
    ) -> None:
        self.tg = tg
        self.user = user
        self.clock = clock
        self.zone_of_user = zone_of_user
        self.notify = notify
        self.out = out
        self.echo = echo
        self.transcript = Transcript(user, out, pictures)

    def say(self, text: str) -> None:
        self.transcript.print(text)

    async def settle(self, first_reaction: float) -> None:
        """Wait for the bot to react to what was just done (if it does), then to be quiet."""
        loop = asyncio.get_running_loop()
        start = self.transcript.signature()
        if first_reaction > 0:
            with contextlib.suppress(TimeoutError):
                await self.user.wait_for(
                    lambda _: self.transcript.signature() != start, timeout=first_reaction
                )
        last, quiet_since = self.transcript.signature(), loop.time()
        hard_stop = loop.time() + 10 * first_reaction
        while loop.time() - quiet_since < QUIET_SECONDS and loop.time() < hard_stop:
            await asyncio.sleep(POLL_SECONDS)
            now = self.transcript.signature()
            if now != last:
                last, quiet_since = now, loop.time()
        self.transcript.flush()

    async def watch(self) -> None:
        """Print what the bot sends while you are not typing (e.g. a scheduled stretch)."""
        while True:
            self.transcript.flush()
            await asyncio.sleep(0.2)

    # -- one line ------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the console should end."""
        text = line.strip()
        if not text:
            return True
        if self.echo:
            self.say(f"you › {text}")
        command, _, rest = text.partition(" ")
        rest = rest.strip()
        if command == "/quit":
            return False
        if command == "/console":
            self.say(HELP)
        elif command == "/press":
            await self.press(rest)
        elif text.isdigit() and self._latest_has_buttons():
            await self.press(text)
        elif command == "/location":
            await self.share_location(rest)
        elif command == "/clock":
            await self.move_clock(rest)
        elif command == "/say":
            await self.user.send(rest)
            await self.settle(FIRST_REACTION_SECONDS)
        else:
            await self.user.send(text)
            await self.settle(FIRST_REACTION_SECONDS)
        return True

    def _latest_has_buttons(self) -> bool:
        latest = self.user.last_bot_message
        return latest is not None and bool(latest.buttons)

    async def press(self, which: str) -> None:
        message = self.user.last_message_with_buttons
        if message is None:
            self.say("!! no message with buttons to press")
            return
        buttons = [button for row in message.buttons for button in row]
        chosen = None
        if which.isdigit() and 1 <= int(which) <= len(buttons):
            chosen = buttons[int(which) - 1]
        else:
            wanted = which.casefold()
            matches = [b for b in buttons if wanted and wanted in b.label.casefold()]
            chosen = matches[0] if len(matches) >= 1 else None
        if chosen is None or chosen.data is None:
            self.say(f"!! no button {which!r}; press 1-{len(buttons)} or a label")
            return
        try:
            answer = await self.user.press_data(message, chosen.data)
        except TimeoutError as error:
            self.say(f"!! {error}")
            return
        if answer.text:
            self.say(f"bot · {answer.text}")
        await self.settle(FIRST_REACTION_SECONDS)

    async def share_location(self, rest: str) -> None:
        try:
            latitude, longitude = (float(part) for part in rest.replace(",", " ").split())
        except ValueError:
            self.say("!! usage: /location LAT LON, e.g. /location -36.85 174.76")
            return
        await self.user.share_location(latitude, longitude)
        await self.settle(FIRST_REACTION_SECONDS)

    async def move_clock(self, rest: str) -> None:
        zone = await self.zone_of_user()
        if rest:
            now = self.clock()
            delta = parse_clock_delta(rest)
            target = _CLOCK_TIME.fullmatch(rest)
            if delta is None and target is not None:
                wanted = time(int(target.group(1)), int(target.group(2)))
                delta = next_local_time(now, wanted, zone) - now
            if delta is None:
                self.say("!! usage: /clock +1h | +30m | +2d | 08:00")
                return
            self.clock.advance(delta)
            self.notify()  # the reminder engine looks again at the new time
        self.say(f"🕒 bot clock: {self.clock().astimezone(zone):%a %d %b %Y %H:%M} ({zone.key})")
        if rest:
            await self.settle(CLOCK_REACTION_SECONDS)

    async def run(self, lines: asyncio.Queue[str | None]) -> None:
        watcher = asyncio.create_task(self.watch())
        try:
            while (line := await lines.get()) is not None:
                if not await self.handle(line):
                    break
            await self.settle(0.0)
        finally:
            watcher.cancel()


class ZoneLookup:
    """The console user's time zone from the database (UTC before one is chosen)."""

    def __init__(self, session_factory: SessionFactory, telegram_id: int) -> None:
        self._session_factory = session_factory
        self._telegram_id = telegram_id

    async def __call__(self) -> ZoneInfo:
        async with self._session_factory() as session:
            user = await find_user(session, self._telegram_id)
        if user is None or user.time_zone is None:
            return ZoneInfo("UTC")
        return get_zone(user.time_zone)


def _read_lines(
    stream: TextIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]
) -> None:
    """In a daemon thread, so a blocked read never holds up the exit."""
    for line in stream:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def console_session(
    settings: Settings,
    content: Path | None,
    database_url: str | None,
    stream_in: TextIO,
    out: TextIO,
) -> None:
    with tempfile.TemporaryDirectory(prefix="stretchbot-console-") as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'console.sqlite3'}"
        async with TelegramFake(token=CONSOLE_TOKEN) as tg:
            settings = load_settings(
                telegram_bot_token=CONSOLE_TOKEN,
                telegram_api_url=tg.api_root,
                database_url=url,
                content_dir=content or settings.content_dir,
                # You are the admin here: /stats works.
                admin_ids=settings.admin_ids | {CONSOLE_USER_ID},
            )
            catalog = load_content(settings)
            await migrate(settings)
            engine = create_engine(settings.database_url)
            clock = OffsetClock()
            services = AppServices(
                settings=settings,
                catalog=catalog,
                session_factory=create_session_factory(engine),
                clock=clock,
            )
            application = build_application(services)
            await application.initialize()
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            user = tg.user(CONSOLE_USER_ID, "Console")
            console = Console(
                tg,
                user,
                clock,
                ZoneLookup(services.session_factory, CONSOLE_USER_ID),
                services.schedule_changes.notify,
                picture_index(catalog),
                out,
                echo=not stream_in.isatty(),
            )
            console.say(
                f"stretchbot console — pack {_display_path(settings.content_dir)}, "
                f"{len(catalog.stretches)} stretches; you are user {CONSOLE_USER_ID}.\n"
                "Type /start to begin, /console for the console's own commands, /quit to leave."
            )
            queue: asyncio.Queue[str | None] = asyncio.Queue()
            reader = threading.Thread(
                target=_read_lines,
                args=(stream_in, asyncio.get_running_loop(), queue),
                name="console-input",
                daemon=True,
            )
            reader.start()
            try:
                await console.run(queue)
            finally:
                await application.updater.stop()
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
                await application.shutdown()
                await engine.dispose()


def run_console(
    settings: Settings,
    content: Path | None,
    database_url: str | None,
    stream_in: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    # Only problems reach the terminal; the chat is the output.
    configure_logging("WARNING", settings.log_format, [CONSOLE_TOKEN])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(console_session(settings, content, database_url, stream_in, out))
    print("bye", file=out, flush=True)
    return 0
