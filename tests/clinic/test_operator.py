"""The operator's side: `stretchbot practitioner …` from a shell, and an admin's /invite."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.config import Settings
from bot.db.engine import SessionFactory
from bot.practitioner_commands import run_command
from tests.bot_harness import running_bot, text_of
from tests.clinic.people import LINK
from tests.test_cli import stretchbot


def test_practitioner_add_from_a_shell(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    added = stretchbot(
        "practitioner", "add", "--name", "Dr Ana Smith", "--clinic", "Osteoworks",
        "--zone", "Pacific/Auckland", cwd=tmp_path, DATABASE_URL=database,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    # No token here: the claim link's /start payload, within Telegram's 64 characters.
    claim = re.search(r"/start (c_[A-Za-z0-9_-]+)", added.stdout)
    assert claim is not None, added.stdout
    assert len(claim.group(1)) <= 64


async def test_list_remove_and_mistakes(database_url: str) -> None:
    settings = Settings(database_url=database_url)

    async def run(command: str, **args: object) -> tuple[int, str]:
        out = io.StringIO()
        return await run_command(settings, command, args, out), out.getvalue()

    code, _ = await run("add", name="Dr Ana Smith", clinic="Osteoworks", zone="Pacific/Auckland")
    assert code == 0
    code, listed = await run("list")
    assert "Dr Ana Smith\tOsteoworks\tPacific/Auckland\tnot claimed yet" in listed
    assert (await run("add", name="X", clinic="Y", zone="Mars/Base"))[0] == 1
    assert (await run("add", name="  ", clinic="Y", zone="UTC"))[0] == 1
    assert (await run("remove", id=1))[0] == 0
    assert (await run("remove", id=1))[0] == 1
    assert (await run("list"))[1] == "no practitioners\n"


async def test_an_admin_adds_a_practitioner_in_the_chat(
    session_factory: SessionFactory, database_url: str
) -> None:
    async with running_bot(session_factory, database_url, settings={"admin_ids": {8701}}) as bot:
        admin = bot.tg.user(8701, "Admin")
        await admin.send("/invite Dr Ana Smith; Osteoworks; Europe/London")
        answer = text_of(await admin.next_message())
        claim = LINK.search(answer)
        assert claim is not None, answer
        await admin.send("/invite just a name")
        assert "To add a practitioner" in text_of(await admin.next_message())
        # Anyone else's /invite adds nobody.
        mallory = bot.tg.user(8702, "Mallory")
        await mallory.send("/invite Dr Evil; Lair")
        assert "for practitioners" in text_of(await mallory.next_message())
        ana = bot.tg.user(8703, "Ana")
        await ana.send(f"/start {claim.group(1)}")
        assert "Welcome, Dr Ana Smith" in text_of(await ana.next_message())
