"""A stretch card: the picture with the clinic's instructions, fitted to Telegram's limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog, load_catalog, read_pack
from bot.telegram_html import visible_length, visible_text
from bot.views.stretch_card import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    OURS_MARKER,
    CardTooLong,
    card_html,
    render_card,
)
from tests.catalog.conftest import CONTENT
from tests.catalog.fixture_pack import edit, stretch_file


def test_a_card_that_fits_is_the_whole_caption(pack: Path) -> None:
    catalog = load_catalog(pack)

    card = render_card(catalog, "reach")

    assert card.follow_up_html is None
    assert card.picture == (pack / "images" / "reach.png").resolve()
    assert visible_text(card.caption_html) == (
        "Reach\n"
        "\n"
        "1. Kneel on the floor.\n"
        "2. Reach forward & breathe out.\n"
        "\n"
        "⏱ Hold for a count of 5.\n"
        "🔁 Repeat twice.\n"
        "\n"
        "⚠️ Don't arch your back.\n"
        "\n"
        f"Stop if it hurts. {OURS_MARKER}"
    )


def test_the_title_is_bold_and_every_piece_of_text_is_escaped(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(title="Lie <b>flat</b> & still"))
    catalog = load_catalog(pack)

    caption = render_card(catalog, "lie").caption_html

    assert caption.startswith("<b>Lie &lt;b&gt;flat&lt;/b&gt; &amp; still</b>\n")
    assert visible_text(caption).startswith("Lie <b>flat</b> & still\n")


def test_a_single_step_is_not_numbered(pack: Path) -> None:
    caption = render_card(load_catalog(pack), "lie").caption_html

    assert "\n\nLie on your back.\n\n" in caption


def test_a_variation_names_its_base_stretch(pack: Path) -> None:
    caption = render_card(load_catalog(pack), "reach-gentle").caption_html

    assert caption.startswith("<b>Reach – gentle</b>\n<i>A variation of Reach</i>\n")


def test_comfort_tips_are_on_the_card(pack: Path) -> None:
    caption = render_card(load_catalog(pack), "twist").caption_html

    assert "💡 A pillow under your head if necessary." in caption


def test_the_projects_own_advice_is_marked_as_not_the_clinics(pack: Path) -> None:
    caption = render_card(load_catalog(pack), "lie").caption_html

    assert caption.endswith(f"<i>Stop if it hurts. {OURS_MARKER}</i>")


def test_a_card_too_long_for_a_caption_is_split_never_truncated(pack: Path) -> None:
    long_step = "Slowly lie down on your back, one part of the spine at a time. " * 20
    edit(stretch_file(pack, "lie"), lambda d: d.update(steps=[long_step.strip()]))
    catalog = load_catalog(pack)

    card = render_card(catalog, "lie")

    assert card.follow_up_html is not None
    assert visible_length(card_html(catalog, catalog.get("lie"))) > CAPTION_LIMIT
    assert visible_text(card.caption_html) == (
        "Lie still\n\nThe instructions follow in the next message. ⬇️"
    )
    assert long_step.strip() in visible_text(card.follow_up_html)
    assert visible_length(card.follow_up_html) <= MESSAGE_LIMIT


def test_the_caption_limit_is_counted_in_utf16_units_right_up_to_the_last_one(
    pack: Path,
) -> None:
    catalog = load_catalog(pack)
    room = CAPTION_LIMIT - visible_length(card_html(catalog, catalog.get("lie"))) - 1

    def padded_to(extra: int) -> Catalog:
        # 💡 counts two units: a code-point count would think this card is far shorter.
        step = "Lie on your back. " + "💡" * (extra // 2) + "." * (extra % 2)
        edit(stretch_file(pack, "lie"), lambda d: d.update(steps=[step]))
        return load_catalog(pack)

    exactly = padded_to(room)
    assert visible_length(card_html(exactly, exactly.get("lie"))) == CAPTION_LIMIT
    assert render_card(exactly, "lie").follow_up_html is None

    one_over = padded_to(room + 1)
    assert visible_length(card_html(one_over, one_over.get("lie"))) == CAPTION_LIMIT + 1
    assert render_card(one_over, "lie").follow_up_html is not None


def test_rendering_refuses_a_card_that_cannot_fit_at_all(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(steps=["Lie on your back. " * 250]))
    catalog, _ = read_pack(pack)  # content check reports it; loading with checks would refuse
    assert catalog is not None

    with pytest.raises(CardTooLong):
        render_card(catalog, "lie")


# -- the real pack -------------------------------------------------------------------------------


def test_every_real_stretch_card_fits_one_photo_caption(real_catalog: Catalog) -> None:
    too_long = {
        stretch.id: visible_length(card_html(real_catalog, stretch))
        for stretch in real_catalog.stretches
        if visible_length(card_html(real_catalog, stretch)) > CAPTION_LIMIT
    }

    assert too_long == {}


def test_every_real_card_shows_all_of_the_clinics_words_for_its_stretch(
    real_catalog: Catalog,
) -> None:
    for stretch in real_catalog.stretches:
        card = render_card(real_catalog, stretch.id)
        seen = visible_text(card.caption_html + (card.follow_up_html or ""))
        words = [*stretch.steps, stretch.hold, stretch.repeat, *stretch.cautions, *stretch.tips]
        for text in filter(None, words):
            assert text in seen, f"{stretch.id}: {text!r} is not on the card"
        assert seen.startswith(stretch.title)


def test_every_real_card_agrees_with_an_independent_html_parser(real_catalog: Catalog) -> None:
    from tests.views.test_html import parsed_by_the_standard_library

    for stretch in real_catalog.stretches:
        html = card_html(real_catalog, stretch)
        assert visible_text(html) == parsed_by_the_standard_library(html)


def test_every_real_card_points_at_its_own_picture(real_catalog: Catalog) -> None:
    for stretch in real_catalog.stretches:
        card = render_card(real_catalog, stretch.id)
        assert card.picture == (CONTENT / "images" / f"{stretch.id}.png").resolve()


def test_every_real_card_parses_in_the_bot_api_emulator_to_the_same_text(
    real_catalog: Catalog,
) -> None:
    emulator = pytest.importorskip("bot.telegram_html")
    for stretch in real_catalog.stretches:
        card = render_card(real_catalog, stretch.id)
        for html in filter(None, (card.caption_html, card.follow_up_html)):
            assert emulator.parse_html(html).text == visible_text(html)
