"""Measuring a message as Telegram does: the visible text after entity parsing, in UTF-16."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.telegram_html import utf16_length, visible_length, visible_text
from bot.views.html import bold, esc, italic


class _TextOnly(HTMLParser):
    """An independent oracle: the standard library's HTML parser, keeping only text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def parsed_by_the_standard_library(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def test_tags_are_not_counted() -> None:
    assert visible_length("<b>Knee hugs</b>") == len("Knee hugs")
    assert visible_length('<a href="https://example.org/?a=1&amp;b=2">link</a>') == 4


def test_an_entity_counts_as_the_one_character_it_stands_for() -> None:
    assert visible_text("tail bone down &amp; hands still") == "tail bone down & hands still"
    assert visible_length("&lt;&gt;&amp;&quot;") == 4
    assert visible_text("&#39;&#x27;&#X1F4A1;") == "''💡"


def test_characters_outside_the_basic_plane_count_twice_as_telegram_counts_utf16() -> None:
    assert utf16_length("💡") == 2
    assert visible_length("💡 If needed, sit on a cushion.") == 2 + 1 + 28
    assert visible_length("⚠️") == 2  # U+26A0 and the emoji variation selector U+FE0F
    assert visible_length("‘Table’ – é") == 11  # these are all one unit each


def test_a_lone_ampersand_is_text_as_it_is_for_telegram() -> None:
    assert visible_text("5 & 10 &nbsp;") == "5 & 10 &nbsp;"


def test_a_quoted_attribute_may_contain_a_closing_bracket() -> None:
    assert visible_text('<a href="x>y">z</a>') == "z"


@pytest.mark.parametrize("html", ["a < b", "<b>bold", "<", "x <1>", "<b><i>x</b></i>", "x</b>"])
def test_markup_telegram_would_refuse_is_an_error_not_a_guess(html: str) -> None:
    with pytest.raises(ValueError, match="tag"):
        visible_text(html)


def test_escaping_keeps_apostrophes_readable() -> None:
    assert esc("It's <deep> & slow") == "It's &lt;deep&gt; &amp; slow"
    assert bold("a&b") == "<b>a&amp;b</b>"
    assert italic("<i>") == "<i>&lt;i&gt;</i>"


@given(st.text())
def test_any_escaped_text_is_seen_exactly_as_written(text: str) -> None:
    html = f"<b>{esc(text)}</b>\n<i>{esc(text)}</i>"

    assert visible_text(html) == f"{text}\n{text}"
    assert visible_length(html) == 2 * utf16_length(text) + 1


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
def test_visible_text_agrees_with_the_standard_librarys_html_parser(text: str) -> None:
    html = f"<b>{esc(text)}</b> {esc(text)}"

    assert visible_text(html) == parsed_by_the_standard_library(html)


def test_visible_length_agrees_with_the_bot_api_emulators_entity_parser() -> None:
    # The emulator (bot.telegram_fake) models tdlib's parse_html and enforces the 1,024 limit
    # on what it parses; the renderer must measure exactly what the emulator will count.
    emulator = pytest.importorskip("bot.telegram_html")
    samples = [
        "<b>‘Table’ stretch</b>\n\n1. Whilst keeping the tail bone down &amp; hands still",
        "<i>It&#x27;s like a deep lunge</i> 💡 ⚠️ &lt;3 &quot;x&quot;",
        "<b>a</b><i>b</i>\n\n<b><i>nested</i></b>",
    ]
    for html in samples:
        parsed = emulator.parse_html(html)
        assert visible_text(html) == parsed.text
        assert visible_length(html) == emulator.utf16_length(parsed.text)
