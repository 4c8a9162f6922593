"""Telegram's ``parse_mode=HTML``: markup -> plain text + MessageEntity list, and back; and how
long a text is *as Telegram counts it*. One implementation for the bot (its views measure
captions and messages against Telegram's limits) and the Bot API emulator (bot.telegram_fake,
which refuses what Telegram refuses). Pure: it imports nothing of ours.

Modelled on tdlib's ``parse_html`` (what the real Bot API runs), including its error texts,
because markup Telegram rejects must be rejected here too. Offsets and lengths are in UTF-16
code units, as in the Bot API: tags don't count, ``&amp;`` counts as one character, and an emoji
outside the Basic Multilingual Plane (💡) counts as two, so ``len(html)`` would both over-count
(markup) and under-count (emoji).

One deliberate difference, switchable: tdlib lets a bare ``&`` through as text, but a bare
``&`` in our output almost always means a value was not escaped; ``strict_ampersand=True``
(the default, which the emulator uses) rejects it so the bug surfaces in tests rather than on
the next ``<``. `visible_text` measures as Telegram does, a bare ``&`` being text.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "ParsedText",
    "parse_html",
    "render_html",
    "utf16_length",
    "visible_length",
    "visible_text",
]

Entity = dict[str, Any]

_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]*")
_UNQUOTED_VALUE_RE = re.compile(r"[^\s>]*")
_TEXT_RUN_RE = re.compile(r"[^<&]+")


class EntityParseError(ValueError):
    """Markup Telegram would refuse; ``str(err)`` is the part after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output text
    byte_offset: int
    attrs: dict[str, str]
    order: int  # opening order: outer before inner when two entities cover the same span
    language: str | None = None  # set on a <pre> by its inner <code class="language-…">


class _Parser:
    def __init__(self, source: str, strict_ampersand: bool) -> None:
        self.src = source
        self.strict_ampersand = strict_ampersand
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0  # UTF-16 length of everything emitted so far
        self.stack: list[_OpenTag] = []
        self.entities: list[tuple[int, Entity]] = []  # (opening order, entity)
        self.opened = 0

    def byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode("utf-8"))

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_length(text)

    def run(self) -> ParsedText:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "<":
                self.tag()
            elif ch == "&":
                self.char_reference()
            else:
                run = _TEXT_RUN_RE.match(src, self.pos)
                assert run is not None  # ch is neither '<' nor '&', so the run is non-empty
                self.emit(run.group())
                self.pos = run.end()
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        ordered = sorted(self.entities, key=lambda e: (e[1]["offset"], -e[1]["length"], e[0]))
        return ParsedText("".join(self.out), [entity for _, entity in ordered])

    def char_reference(self) -> None:
        match = _ENTITY_RE.match(self.src, self.pos)
        decoded: str | None = None
        if match:
            named, dec, hexa = match.groups()
            if named:
                decoded = _NAMED_ENTITIES[named]
            else:
                code = int(dec) if dec else int(hexa, 16)
                if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    decoded = chr(code)
        if decoded is not None and match is not None:
            self.emit(decoded)
            self.pos = match.end()
            return
        if self.strict_ampersand:
            raise self.fail(
                "Character '&' is reserved and must be escaped as &amp; "
                f"at byte offset {self.byte_offset(self.pos)}"
            )
        self.emit("&")
        self.pos += 1

    def tag(self) -> None:
        begin = self.pos
        if self.src.startswith("</", begin):
            self.end_tag(begin)
        else:
            self.start_tag(begin)

    def end_tag(self, begin: int) -> None:
        close = self.src.find(">", begin)
        if close == -1:
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 2 : close].strip().lower()
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        top = self.stack[-1]
        if name != top.name:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.pos = close + 1
        self.close_entity(top)

    def start_tag(self, begin: int) -> None:
        src = self.src
        name_match = _TAG_NAME_RE.match(src, begin + 1)
        assert name_match is not None  # the pattern accepts the empty string
        name = name_match.group().lower()
        if name not in _SUPPORTED_TAGS:
            raise self.fail(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        pos = name_match.end()
        attrs: dict[str, str] = {}
        while True:
            while pos < len(src) and src[pos].isspace():
                pos += 1
            if pos >= len(src):
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if src[pos] == ">":
                pos += 1
                break
            attr_match = _ATTR_NAME_RE.match(src, pos)
            assert attr_match is not None
            attr_name = attr_match.group().lower()
            if not attr_name:
                raise self.fail(
                    f'Empty attribute name in the tag "{name}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            pos = attr_match.end()
            while pos < len(src) and src[pos].isspace():
                pos += 1
            if pos < len(src) and src[pos] == "=":
                pos += 1
                while pos < len(src) and src[pos].isspace():
                    pos += 1
                if pos >= len(src):
                    raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
                if src[pos] in "\"'":
                    end = src.find(src[pos], pos + 1)
                    if end == -1:
                        raise self.fail(
                            f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                        )
                    raw_value = src[pos + 1 : end]
                    pos = end + 1
                else:
                    value_match = _UNQUOTED_VALUE_RE.match(src, pos)
                    assert value_match is not None
                    raw_value = value_match.group()
                    pos = value_match.end()
                attrs[attr_name] = html.unescape(raw_value)
            else:
                attrs[attr_name] = ""
        self.pos = pos
        self.open_entity(name, attrs, begin)

    def open_entity(self, name: str, attrs: dict[str, str], begin: int) -> None:
        where = f"at byte offset {self.byte_offset(begin)}"
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self.fail(f'Tag "tg-emoji" must have a numeric "emoji-id" attribute {where}')
        if name == "code" and self.stack and self.stack[-1].name == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-") and len(language) > len("language-"):
                self.stack[-1].language = language[len("language-") :]
        self.stack.append(
            _OpenTag(name, self.offset, self.byte_offset(begin), attrs, order=self.opened)
        )
        self.opened += 1

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.offset - tag.start
        if length == 0:
            return  # Telegram silently drops empty entities
        entity: Entity = {"offset": tag.start, "length": length}
        if tag.name in _SIMPLE_TYPES:
            if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
                return  # <pre><code> is one pre entity; its language was taken on open
            entity["type"] = _SIMPLE_TYPES[tag.name]
        elif tag.name == "a":
            url = tag.attrs.get("href", "")
            if not url:
                return  # tdlib would guess a URL from the text; nothing in our bot relies on it
            entity["type"] = "text_link"
            entity["url"] = url
        elif tag.name == "pre":
            entity["type"] = "pre"
            if tag.language:
                entity["language"] = tag.language
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        elif tag.name == "tg-emoji":
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        self.entities.append((tag.order, entity))


def parse_html(source: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram HTML into visible text and entities, or raise :class:`EntityParseError`."""
    return _Parser(source, strict_ampersand).run()


def visible_text(html: str) -> str:
    """The text a user sees once Telegram has parsed `html`: tags dropped, entities decoded.

    Raises EntityParseError (a ValueError) for markup Telegram would refuse ("can't parse
    entities"). A lone ``&`` that starts no entity is kept as it is, as Telegram does. Leading
    and trailing whitespace is kept: Telegram trims it, so this can only over-count, which is
    the safe side for a limit.
    """
    return parse_html(html, strict_ampersand=False).text


def visible_length(html: str) -> int:
    """How long `html` is against Telegram's caption and message limits."""
    return utf16_length(visible_text(html))


_OPEN_TAGS = {
    "bold": "<b>",
    "italic": "<i>",
    "underline": "<u>",
    "strikethrough": "<s>",
    "spoiler": "<tg-spoiler>",
    "code": "<code>",
    "blockquote": "<blockquote>",
    "expandable_blockquote": "<blockquote expandable>",
}
_CLOSE_TAGS = {
    "bold": "</b>",
    "italic": "</i>",
    "underline": "</u>",
    "strikethrough": "</s>",
    "spoiler": "</tg-spoiler>",
    "code": "</code>",
    "blockquote": "</blockquote>",
    "expandable_blockquote": "</blockquote>",
    "text_link": "</a>",
    "custom_emoji": "</tg-emoji>",
    "pre": "</pre>",
}


def _open_tag(entity: Entity) -> str:
    kind = entity["type"]
    if kind == "text_link":
        return f'<a href="{html.escape(str(entity.get("url", "")), quote=True)}">'
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity.get("custom_emoji_id", "")}">'
    if kind == "pre":
        language = entity.get("language")
        return f'<pre><code class="language-{language}">' if language else "<pre>"
    return _OPEN_TAGS.get(kind, "")


def _close_tag(entity: Entity) -> str:
    if entity["type"] == "pre" and entity.get("language"):
        return "</code></pre>"
    return _CLOSE_TAGS.get(entity["type"], "")


def render_html(text: str, entities: list[Entity] | None) -> str:
    """The canonical HTML for text + entities (what a test compares bot output against).

    Entity types without an HTML form (url, bot_command, ...) are rendered as plain text.
    Crossing entities are closed and reopened so the output always nests properly.
    """
    units = text.encode("utf-16-le")
    spans = [e for e in entities or () if _open_tag(e) or e["type"] == "text_link"]
    spans.sort(key=lambda e: (e["offset"], -e["length"]))
    boundaries = sorted(
        {0, len(units) // 2}
        | {e["offset"] for e in spans}
        | {e["offset"] + e["length"] for e in spans}
    )
    out: list[str] = []
    stack: list[Entity] = []
    pending = list(reversed(spans))  # pop() yields the next entity to open
    for here, nxt in itertools.pairwise(boundaries):
        # Close everything that ends here; reopen anything that was merely in the way.
        ending = [e for e in stack if e["offset"] + e["length"] <= here]
        if ending:
            first = min(stack.index(e) for e in ending)
            for entity in reversed(stack[first:]):
                out.append(_close_tag(entity))
            ended = {id(e) for e in ending}
            stack = stack[:first] + [e for e in stack[first:] if id(e) not in ended]
            for entity in stack[first:]:
                out.append(_open_tag(entity))
        while pending and pending[-1]["offset"] <= here:
            entity = pending.pop()
            if entity["offset"] + entity["length"] > here:
                out.append(_open_tag(entity))
                stack.append(entity)
        chunk = units[here * 2 : nxt * 2].decode("utf-16-le", errors="surrogatepass")
        out.append(html.escape(chunk, quote=False))
    for entity in reversed(stack):
        out.append(_close_tag(entity))
    return "".join(out)
