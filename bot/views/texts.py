"""Plain texts the bot sends. HTML parse mode: anything user-supplied is escaped by callers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.catalog import TextBlock
from bot.views.commands import COMMANDS
from bot.views.stretch_card import OURS_MARKER, text_with_source


def safety_advice(heading: str, blocks: Sequence[TextBlock]) -> str:
    """The pack's safety advice under `heading`, each block marked as ours where it is ours
    (once, on the heading, when all of it is)."""
    all_ours = all(block.source == "stretchbot" for block in blocks)
    marker = f" <i>{escape(OURS_MARKER)}</i>" if all_ours else ""
    lines = [f"• {escape(block.text if all_ours else text_with_source(block))}" for block in blocks]
    return f"<b>{escape(heading)}</b>{marker}\n" + "\n".join(lines)


def help_text(safety: Sequence[TextBlock]) -> str:
    lines = [f"/{command.name} — {escape(command.description)}" for command in COMMANDS]
    return (
        "<b>What I understand</b>\n"
        + "\n".join(lines)
        + "\n\n"
        + safety_advice("Stretch safely", safety)
    )


def unknown_command(command: str) -> str:
    return (
        f"I don't know the command {escape(command)}. Send /help to see the commands I understand."
    )


def plain_text_fallback() -> str:
    return (
        "I didn't catch that. When a stretch arrives you can answer with the buttons under it "
        "(or type done, easier, skip, later or hurts). Send /help for the commands."
    )


def not_set_up() -> str:
    """Text from someone the bot has no settings for (new, or after /delete)."""
    return (
        "You're not set up with me 🙂 Send /start to choose your stretch times "
        "(/help lists what I understand)."
    )
