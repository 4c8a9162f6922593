"""Plain texts the bot sends. HTML parse mode: anything user-supplied is escaped by callers."""

from __future__ import annotations

from html import escape

from bot.views.commands import COMMANDS


def help_text() -> str:
    lines = [f"/{command.name} — {escape(command.description)}" for command in COMMANDS]
    return "<b>What I understand</b>\n" + "\n".join(lines)


def unknown_command(command: str) -> str:
    return (
        f"I don't know the command {escape(command)}. Send /help to see the commands I understand."
    )


def plain_text_fallback() -> str:
    return (
        "I didn't catch that. When a stretch arrives you can answer with the buttons under it "
        "(or type done, easier, skip, later or hurts). Send /help for the commands."
    )
