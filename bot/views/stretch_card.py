"""A stretch as the user sees it: its picture, with the clinic's instructions as the caption.

Telegram allows 1,024 characters in a photo caption (counted as Telegram does, see
`bot.telegram_html.visible_length`). A card that fits is sent whole as the caption. One that
doesn't is never truncated: the photo goes with a short caption (the title and a pointer) and
the full card follows as a text message (up to 4,096). The renderer decides; `card_problems`
lets `content check` refuse a pack whose card cannot fit even that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.catalog import Catalog, Problem, Stretch, TextBlock
from bot.telegram_html import visible_length
from bot.views.html import bold, esc, italic
from bot.views.prompt import EVERY_ANSWER, PromptButtons, prompt_buttons

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096

# Marks the project's own words wherever they sit next to the clinic's.
OURS_MARKER = "(stretchbot's advice, not the clinic's)"

HOLD = "⏱"
REPEAT = "🔁"
CAUTION = "⚠️"
TIP = "💡"
SIDES = "↔️"
POINTER = "The instructions follow in the next message. ⬇️"


@dataclass(frozen=True, slots=True)
class StretchCard:
    picture: Path
    caption_html: str
    follow_up_html: str | None  # None when the whole card fits the caption
    buttons: PromptButtons = EVERY_ANSWER  # the optional buttons under it


class CardTooLong(ValueError):
    """Even split into photo + message the card can't fit; `content check` reports it first."""


def render_card(catalog: Catalog, stretch_id: str) -> StretchCard:
    stretch = catalog.get(stretch_id)
    full = card_html(catalog, stretch)
    buttons = prompt_buttons(catalog, stretch)
    if visible_length(full) <= CAPTION_LIMIT:
        return StretchCard(stretch.picture, full, follow_up_html=None, buttons=buttons)
    short = short_caption_html(catalog, stretch)
    if visible_length(short) > CAPTION_LIMIT or visible_length(full) > MESSAGE_LIMIT:
        raise CardTooLong(stretch.id)
    return StretchCard(stretch.picture, short, follow_up_html=full, buttons=buttons)


def card_html(catalog: Catalog, stretch: Stretch) -> str:
    """The whole card: title, steps, hold/repeat, cautions, the side paragraph, tips, and the
    project's note. A variation's words borrowed from its base are marked as the base's."""
    sections = [_heading(catalog, stretch)]
    borrowed = stretch.from_base
    base_title = catalog.family_of(stretch.id).base.title
    as_in_base = italic(f"(as in {base_title})")
    if borrowed is not None and borrowed.start:
        start = " ".join(esc(_as_sentence(text)) for text in borrowed.start)
        sections.append(f"{italic(f'Start as in {base_title}:')} {start}")
    if len(stretch.steps) == 1:
        sections.append(esc(stretch.steps[0]))
    else:
        sections.append(
            "\n".join(f"{number}. {esc(step)}" for number, step in enumerate(stretch.steps, 1))
        )
    hold, repeat = stretch.hold_to_do, stretch.repeat_to_do
    timing = []
    if hold:
        timing.append(f"{HOLD} {esc(hold)}" + ("" if stretch.hold else f" {as_in_base}"))
    if repeat:
        timing.append(f"{REPEAT} {esc(repeat)}" + ("" if stretch.repeat else f" {as_in_base}"))
    if timing:
        sections.append("\n".join(timing))
    notes = [f"{CAUTION} {esc(caution)}" for caution in stretch.cautions]
    if stretch.side_paragraph:
        notes.append(f"{SIDES} {esc(stretch.side_paragraph)}")
    notes += [f"{TIP} {esc(tip)}" for tip in stretch.tips]
    if notes:
        sections.append("\n".join(notes))
    sections.append(italic(text_with_source(catalog.texts.card_note)))
    return "\n\n".join(sections)


def _as_sentence(text: str) -> str:
    """A borrowed fragment ("Lie on your back") ends like a sentence on the card."""
    return text if text.rstrip().endswith((".", "!", "?")) else f"{text.rstrip()}."


def short_caption_html(catalog: Catalog, stretch: Stretch) -> str:
    return f"{_heading(catalog, stretch)}\n\n{esc(POINTER)}"


def text_with_source(block: TextBlock) -> str:
    """Plain text of a block, marked when the words are the project's rather than the clinic's."""
    if block.source == "stretchbot":
        return f"{block.text} {OURS_MARKER}"
    return block.text


def _heading(catalog: Catalog, stretch: Stretch) -> str:
    if stretch.is_base:
        return bold(stretch.title)
    base = catalog.family_of(stretch.id).base
    return f"{bold(stretch.title)}\n{italic(f'A variation of {base.title}')}"


def card_problems(catalog: Catalog) -> list[Problem]:
    """For `content check`: cards that can't fit Telegram even split in two are errors; cards
    that need the split are worth a warning (the clinic may prefer to shorten them)."""
    problems: list[Problem] = []
    for stretch in catalog.stretches:
        full = visible_length(card_html(catalog, stretch))
        short = visible_length(short_caption_html(catalog, stretch))
        if short > CAPTION_LIMIT:
            problems.append(
                Problem(
                    stretch.source_file,
                    "title",
                    f"caption overflow: even the short caption is {short} characters "
                    f"(Telegram allows {CAPTION_LIMIT})",
                )
            )
        if full > MESSAGE_LIMIT:
            problems.append(
                Problem(
                    stretch.source_file,
                    "steps",
                    f"caption overflow: the card is {full} characters, more than a whole "
                    f"message can hold ({MESSAGE_LIMIT})",
                )
            )
        elif full > CAPTION_LIMIT:
            problems.append(
                Problem(
                    stretch.source_file,
                    "steps",
                    f"the card is {full} characters, over the {CAPTION_LIMIT} of a photo "
                    "caption: it is sent as the photo with a short caption, then the text",
                    severity="warning",
                )
            )
    return problems
