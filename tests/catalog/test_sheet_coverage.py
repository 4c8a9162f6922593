"""Nothing of the clinic's advice is dropped, and nothing is added to it.

content/source/sheet.txt is the clinic's sheet, verbatim. Walking it line by line: each heading
is a stretch's title, each "(Not for those ...)" note is a caution of that stretch, and every
sentence of the instructions appears in a stretch file of that heading's family. The other way
round, every sentence the stretch files show as instructions comes from the sheet.

Text is compared after normalising what doesn't change meaning (case, whitespace, curly quotes,
dashes, parentheses, final full stop) and after the edits listed below: a reviewer sees here
every place where the pack's words differ from the sheet's. Words the pack adds inside a quote
of the sheet stand in square brackets, the usual mark, and are listed here too.

The last test walks the rotation as a patient would and checks that every sentence reaches
them in a card, not only that it sits somewhere in the pack.
"""

from __future__ import annotations

import re

from bot.catalog import Catalog, Stretch
from tests.catalog.conftest import CONTENT

SHEET = (CONTENT / "source" / "sheet.txt").read_text(encoding="utf-8")

# Spelling slips fixed in the pack; the meaning is unchanged.
SPELLING_FIXES = (
    ("tighten you lower", "tighten your lower"),
    ("as yougo on", "as you go on"),
    ("cross you right leg", "cross your right leg"),
    ("swing out to away from", "swing out away from"),
)

# One sheet sentence kept as two, because its halves live in different fields.
SPLITS = (
    # hold / repeat (table stretch, and its side variants)
    (
        "Hold for a count of 5-10 seconds and repeat until you feel the area soften.",
        "Hold for a count of 5-10 seconds. Repeat until you feel the area soften.",
    ),
    # hold / repeat (hamstring stretch)
    (
        "Hold for a few seconds and continue repeating till you feel some improvement.",
        "Hold for a few seconds. Continue repeating till you feel some improvement.",
    ),
    # step / comfort tip (rotation stretch)
    (
        "with your feet on the floor & a pillow under your head if necessary.",
        "with your feet on the floor. A pillow under your head if necessary.",
    ),
)

# Words added to make a split-off piece of a sentence read as one ("[Put] a pillow ...").
ADDED_WORDS = ("[Put]",)

# Sheet heading -> the stretch whose title it is.
HEADINGS = {
    "‘Table’ stretch": "table-stretch",
    "Pelvic tilt for lower back tightness": "pelvic-tilt",
    "Knee hugs": "knee-hugs",
    "Buttock/gluteal muscle stretch": "gluteal-stretch",
    "Buttock/gluteal stretch #2": "gluteal-stretch-2",
    "Rotation stretch for back": "rotation-stretch",
    "Rotation stretch - stronger variation": "rotation-stretch-stronger",
    "Quadriceps stretch": "quadriceps-stretch",
    "Psoas stretch (pronounced ‘So-as’)": "psoas-stretch",
    "Psoas stretch - stronger variation": "psoas-stretch-stronger",
    "Hamstring stretch along the floor": "hamstring-stretch-floor",
}
SHEET_TITLE = "Stretches to help the lower back (lumbars)"
ATTRIBUTION_START = "Jill and Chris"


def normalise(text: str) -> str:
    text = re.sub(r"\[[^\]]*\]\s*", "", text)
    text = text.replace("\xa0", " ").replace("‘", "'").replace("’", "'")
    text = text.replace("–", "-").replace("(", "").replace(")", "")
    return re.sub(r"\s+", " ", text).strip().rstrip(".!").lower()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def fixed(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\xa0", " "))
    for wrong, right in (*SPELLING_FIXES, *SPLITS):
        text = text.replace(wrong, right)
    return text


def instructions_of(stretch: Stretch) -> list[str]:
    """Everything a stretch's card shows in the clinic's words."""
    borrowed = stretch.from_base
    optional = [
        text
        for text in (
            stretch.hold,
            stretch.repeat,
            stretch.side_paragraph,
            borrowed and borrowed.hold,
            borrowed and borrowed.repeat,
        )
        if isinstance(text, str)
    ]
    start = borrowed.start if borrowed else ()
    return [*start, *stretch.steps, *optional, *stretch.cautions, *stretch.tips]


def family_text(catalog: Catalog, stretch_id: str) -> str:
    members = catalog.family_of(stretch_id).members
    return " | ".join(normalise(t) for m in members for t in instructions_of(m))


def sheet_lines() -> list[str]:
    return [line.strip() for line in SHEET.splitlines() if line.strip()]


def test_the_edits_listed_here_all_apply_to_the_sheet() -> None:
    # A fix that no longer matches the sheet would silently stop documenting anything.
    flat = re.sub(r"\s+", " ", SHEET.replace("\xa0", " "))
    for wrong, _ in SPELLING_FIXES:
        assert wrong in flat
    for whole, _ in SPLITS:
        assert whole in flat


def test_every_word_added_to_the_clinics_is_bracketed_and_listed_here(
    real_catalog: Catalog,
) -> None:
    added = {
        found
        for stretch in real_catalog.stretches
        for text in instructions_of(stretch)
        for found in re.findall(r"\[[^\]]*\]", text)
    }

    assert added == set(ADDED_WORDS)


def test_every_heading_of_the_sheet_is_a_stretch_title(real_catalog: Catalog) -> None:
    headings = [line for line in sheet_lines() if line in HEADINGS]

    assert headings == list(HEADINGS)
    for heading, stretch_id in HEADINGS.items():
        assert normalise(real_catalog.get(stretch_id).title) == normalise(heading)


def test_every_instruction_sentence_of_the_sheet_is_in_its_familys_stretch_files(
    real_catalog: Catalog,
) -> None:
    current: str | None = None
    missing: list[str] = []
    for line in sheet_lines():
        if line in HEADINGS:
            current = HEADINGS[line]
            continue
        if line == SHEET_TITLE or line.startswith(ATTRIBUTION_START):
            continue  # texts, checked below
        assert current is not None, f"text before the first heading: {line!r}"
        if line.startswith("(") and line.endswith(")"):
            note = normalise(line)
            if note not in map(normalise, real_catalog.get(current).cautions):
                missing.append(f"{current}: caution {line!r}")
            continue
        text = family_text(real_catalog, current)
        for sentence in sentences(fixed(line)):
            if normalise(sentence) not in text:
                missing.append(f"{current}: {sentence!r}")

    assert missing == [], "sheet sentences missing from the pack:\n" + "\n".join(missing)


def test_every_instruction_in_the_pack_comes_from_the_sheet(real_catalog: Catalog) -> None:
    sheet = normalise(fixed(SHEET))
    invented = [
        f"{stretch.id}: {sentence!r}"
        for stretch in real_catalog.stretches
        for text in instructions_of(stretch)
        for sentence in sentences(text)
        if normalise(sentence) not in sheet
    ]

    assert invented == [], "instructions not on the sheet:\n" + "\n".join(invented)


def test_the_sheet_title_and_the_clinics_own_line_are_in_the_texts(real_catalog: Catalog) -> None:
    texts = real_catalog.texts
    attribution = next(line for line in sheet_lines() if line.startswith(ATTRIBUTION_START))

    assert texts.sheet_title == SHEET_TITLE
    assert any(
        b.source == "clinic" and normalise(b.text) == normalise(attribution) for b in texts.about
    )
