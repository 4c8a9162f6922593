"""Telegram HTML: escaping helpers and how long a message is *as Telegram counts it*.

Telegram's limits (caption 1,024, text 4,096) apply to the visible text after it has parsed the
entities: tags don't count, ``&amp;`` counts as one character, and characters are counted in
UTF-16 code units, so an emoji outside the Basic Multilingual Plane (💡) counts as two. Measuring
``len(html)`` instead would both over-count (markup) and under-count (emoji).
"""

from __future__ import annotations

import re
from html import escape

# The entities Telegram's HTML mode understands: every numeric one, and only these four names.
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT = 0x10FFFF


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


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def visible_text(html: str) -> str:
    """The text a user sees once Telegram has parsed `html`: tags dropped, entities decoded.

    Raises ValueError for markup Telegram would refuse ("can't parse entities"): a ``<`` that
    doesn't open a tag, or tags that aren't closed in order. A lone ``&`` that starts no entity
    is kept as it is, as Telegram does.
    Leading and trailing whitespace is kept: Telegram trims it, so this can only over-count,
    which is the safe side for a limit.
    """
    out: list[str] = []
    open_tags: list[str] = []
    position = 0
    length = len(html)
    while position < length:
        char = html[position]
        if char == "<":
            position = _tag(html, position, open_tags)
        elif char == "&" and (match := _ENTITY.match(html, position)):
            out.append(_decode(match))
            position = match.end()
        else:
            out.append(char)
            position += 1
    if open_tags:
        raise ValueError(f"unclosed tag <{open_tags[-1]}>")
    return "".join(out)


def visible_length(html: str) -> int:
    """How long `html` is against Telegram's caption and message limits."""
    return utf16_length(visible_text(html))


def _decode(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        return _NAMED[name]
    code_point = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code_point > _MAX_CODE_POINT or 0xD800 <= code_point <= 0xDFFF or code_point == 0:
        raise ValueError(f"invalid character reference {match.group(0)!r}")
    return chr(code_point)


def _tag(html: str, start: int, open_tags: list[str]) -> int:
    """Index just past the tag at `start`, keeping `open_tags` balanced as Telegram requires.

    Quoted attribute values may contain '>'.
    """
    position = start + 1
    closing = position < len(html) and html[position] == "/"
    if closing:
        position += 1
    name_start = position
    while position < len(html) and (html[position].isalnum() or html[position] in "-_"):
        position += 1
    name = html[name_start:position].lower()
    if not name or not name[0].isalpha():
        raise ValueError(f"'<' at {start} doesn't start a tag: escape it as &lt;")
    quote: str | None = None
    while position < len(html):
        char = html[position]
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ">":
            if not closing:
                open_tags.append(name)
            elif not open_tags or open_tags.pop() != name:
                raise ValueError(f"end tag </{name}> at {start} doesn't close the open tag")
            return position + 1
        position += 1
    raise ValueError(f"unterminated tag at {start}")
