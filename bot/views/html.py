"""Writing Telegram HTML: escaping and the few tags the views use.

How long a text is as Telegram counts it (its limits apply to the visible text, in UTF-16) is
bot.telegram_html's `visible_length`, the parser the Bot API emulator uses too.
"""

from __future__ import annotations

from html import escape


def esc(text: str) -> str:
    """Escape text for Telegram HTML: ``&``, ``<`` and ``>``, all Telegram requires between tags.

    Quotes are left alone (this is for text, never attribute values), which keeps the clinic's
    apostrophes readable in logs and in the emulator's transcripts.
    """
    return escape(text, quote=False)


def bold(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def italic(text: str) -> str:
    return f"<i>{esc(text)}</i>"
