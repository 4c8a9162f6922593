"""Telegram HTML: what is accepted, what it becomes, and what Telegram refuses."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.telegram_html import EntityParseError, parse_html, render_html, utf16_length


def test_plain_text_passes_through_without_entities() -> None:
    parsed = parse_html("Lie on your back > and breathe")
    assert parsed.text == "Lie on your back > and breathe"
    assert parsed.entities == []


def test_simple_tags_become_entities_with_their_aliases() -> None:
    parsed = parse_html("<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins>")
    assert parsed.text == "abcdef"
    assert [e["type"] for e in parsed.entities] == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
    ]
    assert [e["offset"] for e in parsed.entities] == [0, 1, 2, 3, 4, 5]


def test_strike_spoiler_and_code() -> None:
    parsed = parse_html(
        '<s>1</s><strike>2</strike><del>3</del><span class="tg-spoiler">4</span>'
        "<tg-spoiler>5</tg-spoiler><code>6</code>"
    )
    assert [e["type"] for e in parsed.entities] == [
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
    ]


def test_link_pre_with_language_blockquotes_and_custom_emoji() -> None:
    parsed = parse_html(
        '<a href="https://osteoworks.example/?a=1&amp;b=2">sheet</a> '
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>quote</blockquote><blockquote expandable>more</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert parsed.text == "sheet x = 1quotemore👍"
    link, pre, quote, expandable, emoji = parsed.entities
    assert link == {
        "type": "text_link",
        "offset": 0,
        "length": 5,
        "url": "https://osteoworks.example/?a=1&b=2",
    }
    assert pre == {"type": "pre", "offset": 6, "length": 5, "language": "python"}
    assert quote["type"] == "blockquote"
    assert expandable["type"] == "expandable_blockquote"
    assert emoji == {
        "type": "custom_emoji",
        "offset": 20,
        "length": 2,
        "custom_emoji_id": "5368324170671202286",
    }


def test_nested_entities_are_sorted_outer_first() -> None:
    parsed = parse_html("<b>bold <i>both</i></b>")
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
    ]


def test_tags_are_case_insensitive_and_attributes_may_be_unquoted() -> None:
    parsed = parse_html("<B>x</B><a href=https://e.example>y</a>")
    assert parsed.entities[0]["type"] == "bold"
    assert parsed.entities[1]["url"] == "https://e.example"


def test_character_references_are_decoded() -> None:
    parsed = parse_html("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42; &#128512;")
    assert parsed.text == '<tag> & "q" AB 😀'


def test_offsets_count_utf16_code_units() -> None:
    # An emoji outside the BMP is two UTF-16 units: the bold word starts at 3, not 2.
    parsed = parse_html("😀 <b>go</b>")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 2}]
    assert utf16_length("😀 go") == 5


def test_empty_entities_are_dropped() -> None:
    assert parse_html("<b></b>x").entities == []


@pytest.mark.parametrize(
    ("markup", "complaint"),
    [
        ("1 < 2", 'Unsupported start tag ""'),
        ("<br>", 'Unsupported start tag "br"'),
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ("<b x", "Unclosed start tag"),
        ('<a href="x>y</a>', "Unclosed start tag"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<tg-emoji>x</tg-emoji>", '"emoji-id"'),
        ("Tom & Jerry", "Character '&' is reserved"),
        ("&nbsp;", "Character '&' is reserved"),
        ("&#0;", "Character '&' is reserved"),
        ("<b =x>y</b>", "Empty attribute name"),
        ("</b", "Unclosed end tag"),
    ],
)
def test_markup_telegram_refuses(markup: str, complaint: str) -> None:
    with pytest.raises(EntityParseError, match=re.escape(complaint)):
        parse_html(markup)


def test_errors_report_utf8_byte_offsets_like_tdlib() -> None:
    # é is 2 bytes, the space 1, 😀 4: the bad tag starts at byte 7.
    with pytest.raises(EntityParseError, match="at byte offset 7"):
        parse_html("é 😀<x>")


def test_bare_ampersand_is_text_when_not_strict() -> None:
    assert parse_html("Tom & Jerry", strict_ampersand=False).text == "Tom & Jerry"


def test_render_html_is_canonical_and_escapes_text() -> None:
    parsed = parse_html('<strong>a &amp; b</strong> <a href="https://x.example/?q=&quot;">l</a>')
    assert render_html(parsed.text, parsed.entities) == (
        '<b>a &amp; b</b> <a href="https://x.example/?q=&quot;">l</a>'
    )


def test_render_html_repairs_crossing_entities() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    ]
    html = render_html("abcdef", entities)
    assert html == "<b>ab<i>cd</i></b><i>ef</i>"
    reparsed = parse_html(html)
    assert reparsed.text == "abcdef"


_TAGS = ["b", "i", "u", "s", "tg-spoiler", "code", "blockquote"]


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = draw(st.lists(st.one_of(st.text(max_size=6), st.just("😀")), max_size=3))
    pieces = [p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for p in parts]
    if depth < 3 and draw(st.booleans()):
        tag = draw(st.sampled_from(_TAGS))
        pieces.insert(
            draw(st.integers(0, len(pieces))), f"<{tag}>{draw(markup(depth + 1))}</{tag}>"
        )
    return "".join(pieces)


@given(markup())
def test_parse_render_round_trip(source: str) -> None:
    first = parse_html(source)
    again = parse_html(render_html(first.text, first.entities))
    assert again.text == first.text
    assert again.entities == first.entities
    for entity in first.entities:
        assert (
            0 <= entity["offset"] < entity["offset"] + entity["length"] <= utf16_length(first.text)
        )
