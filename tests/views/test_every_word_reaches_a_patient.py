"""The whole sheet reaches every patient it suits, in cards that fit a caption (issue 12).

A patient is walked through the daily rotation with the real pack and the rules the bot uses
(`next_stretch`, `easier_choice`, `stronger_offer`), and every card they are sent is rendered
as Telegram shows it. The patient answers Done, takes every stronger offer and asks for
something easier once, on knee hugs: the path on which a patient meets every variation the
rotation can bring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.catalog import Catalog
from bot.domain.progression import Answer, easier_choice, stronger_offer
from bot.domain.rotation import RotationState, next_stretch
from bot.telegram_html import visible_length, visible_text
from bot.views.stretch_card import CAPTION_LIMIT, card_html, render_card
from tests.catalog.test_sheet_coverage import (
    ATTRIBUTION_START,
    SHEET_TITLE,
    fixed,
    normalise,
    sentences,
    sheet_lines,
)

NONE: frozenset[str] = frozenset()
DISC = frozenset({"disc-problems"})
HIPS = frozenset({"restricted-hips"})
BOTH = DISC | HIPS

# What the sheet allows, in its own order: the daily rotation for each set of conditions.
# "(Not for those with disc problems)": pelvic tilt, knee hugs. "Some people with really
# restricted hips ... should do the one above": never gluteal stretch #2.
ROTATIONS = {
    NONE: [
        "table-stretch",
        "pelvic-tilt",
        "knee-hugs",
        "gluteal-stretch",
        "gluteal-stretch-2",
        "rotation-stretch",
        "quadriceps-stretch",
        "psoas-stretch",
        "hamstring-stretch-floor",
    ],
    DISC: [
        "table-stretch",
        "gluteal-stretch",
        "gluteal-stretch-2",
        "rotation-stretch",
        "quadriceps-stretch",
        "psoas-stretch",
        "hamstring-stretch-floor",
    ],
    HIPS: [
        "table-stretch",
        "pelvic-tilt",
        "knee-hugs",
        "gluteal-stretch",
        "rotation-stretch",
        "quadriceps-stretch",
        "psoas-stretch",
        "hamstring-stretch-floor",
    ],
    BOTH: [
        "table-stretch",
        "gluteal-stretch",
        "rotation-stretch",
        "quadriceps-stretch",
        "psoas-stretch",
        "hamstring-stretch-floor",
    ],
}
# The variations the walk below meets, on top of the rotation (the table stretch's side
# versions are asked for from its card, not brought by the rotation).
VARIATIONS = {
    NONE: {"knee-hug-one-knee", "rotation-stretch-stronger", "psoas-stretch-stronger"},
    DISC: {"rotation-stretch-stronger", "psoas-stretch-stronger"},
    HIPS: {"knee-hug-one-knee", "rotation-stretch-stronger", "psoas-stretch-stronger"},
    BOTH: {"rotation-stretch-stronger", "psoas-stretch-stronger"},
}
CONDITION_SETS = pytest.mark.parametrize(
    "conditions", list(ROTATIONS), ids=["none", "disc", "hips", "both"]
)


@dataclass
class Patient:
    """Answers Done, says Yes to every stronger offer, asks Easier once on knee hugs."""

    catalog: Catalog
    conditions: frozenset[str]
    state: RotationState = field(init=False)
    runs: dict[str, list[Answer]] = field(default_factory=dict)  # stretch id -> answers
    asked_easier: bool = False
    cards: list[tuple[str, str]] = field(default_factory=list)  # (stretch id, card as seen)

    def __post_init__(self) -> None:
        self.state = RotationState(conditions=self.conditions)

    def receive(self, stretch_id: str) -> None:
        stretch = self.catalog.get(stretch_id)
        self.cards.append((stretch.id, visible_text(card_html(self.catalog, stretch))))

    def one_prompt(self) -> None:
        stretch = next_stretch(self.catalog, self.state)
        assert stretch is not None
        self.receive(stretch.id)
        self.state = self.state.after_sending(stretch)
        if stretch.id == "knee-hugs" and not self.asked_easier:
            self.asked_easier = True
            choice = easier_choice(self.catalog, stretch.id, conditions=self.conditions)
            assert choice.easier is not None
            self.receive(choice.easier.id)  # sent at once, and preferred from now on
            self.state = self.state.preferring(choice.easier)
            return
        run = self.runs.setdefault(stretch.id, [])
        run.append(Answer.DONE)
        offer = stronger_offer(self.catalog, stretch.id, run, conditions=self.conditions)
        if offer is not None:
            self.state = self.state.preferring(offer)
            self.runs[offer.id] = []

    def walk(self, rounds: int) -> None:
        for _ in range(rounds * len(self.catalog.families)):
            self.one_prompt()


def sheet_sentences() -> list[str]:
    """Every heading and sentence of the sheet, bar its title (a heading shown in /about) and
    the clinic's history line (in /about)."""
    found: list[str] = []
    for line in sheet_lines():
        if line == SHEET_TITLE or line.startswith(ATTRIBUTION_START):
            continue
        found += sentences(fixed(line))
    return found


def test_a_patient_with_no_conditions_receives_every_sentence_of_the_sheet(
    real_catalog: Catalog,
) -> None:
    patient = Patient(real_catalog, NONE)
    patient.walk(rounds=8)
    received = " | ".join(normalise(card) for _, card in patient.cards)

    missing = [s for s in sheet_sentences() if normalise(s) not in received]

    assert len(sheet_sentences()) > 60
    assert missing == [], "never reaches the patient:\n" + "\n".join(missing)


def test_the_side_paragraph_reaches_the_patient_on_the_table_card(real_catalog: Catalog) -> None:
    patient = Patient(real_catalog, NONE)
    patient.one_prompt()

    [(stretch_id, card)] = patient.cards
    assert stretch_id == "table-stretch"
    assert "To stretch the right side more, move your hands to the left" in card
    assert "Take your hands to the right to stretch the left side more." in card


@CONDITION_SETS
def test_the_rotation_lists_exactly_the_stretches_the_sheet_allows(
    real_catalog: Catalog, conditions: frozenset[str]
) -> None:
    expected = ROTATIONS[conditions]
    state = RotationState(conditions=conditions)
    sent: list[str] = []
    for _ in range(2 * len(expected)):
        stretch = next_stretch(real_catalog, state)
        assert stretch is not None
        sent.append(stretch.id)
        state = state.after_sending(stretch)

    assert sent == expected * 2


@CONDITION_SETS
def test_a_patient_meets_only_what_the_sheet_allows_them(
    real_catalog: Catalog, conditions: frozenset[str]
) -> None:
    patient = Patient(real_catalog, conditions)
    patient.walk(rounds=8)

    received = {stretch_id for stretch_id, _ in patient.cards}
    assert received == set(ROTATIONS[conditions]) | VARIATIONS[conditions]


def test_variation_cards_stand_alone_with_their_bases_start_and_hold(
    real_catalog: Catalog,
) -> None:
    one_knee = visible_text(card_html(real_catalog, real_catalog.get("knee-hug-one-knee")))
    rotation = visible_text(card_html(real_catalog, real_catalog.get("rotation-stretch-stronger")))
    psoas = visible_text(card_html(real_catalog, real_catalog.get("psoas-stretch-stronger")))

    assert "Start as in Knee hugs: Lie on your back." in one_knee
    assert "⏱ Hold it there! (as in Knee hugs)" in one_knee
    assert (
        "Start as in Rotation stretch for back: Lie on your back with your feet on the floor. "
        "Place arms out from your sides." in rotation
    )
    # "From the start position above" now has the start position above it.
    assert rotation.index("Start as in") < rotation.index("From the start position above")
    assert "⏱ Hold at the point of stretch. (as in Psoas stretch" in psoas
    assert "🔁 Repeat, then swap leg positions and repeat. (as in Psoas stretch" in psoas


def test_every_tip_reads_as_a_sentence(real_catalog: Catalog) -> None:
    for stretch in real_catalog.stretches:
        for tip in stretch.tips:
            words = tip.split()
            assert tip[0].isupper() or tip.startswith("["), tip
            assert tip.endswith("."), tip
            # A verb early on: the sheet's "A pillow under your head" alone was a fragment.
            assert words[0].lower() not in {"a", "an", "the"}, tip


def test_every_card_of_the_pack_fits_one_caption(real_catalog: Catalog) -> None:
    for stretch in real_catalog.stretches:
        card = render_card(real_catalog, stretch.id)

        assert card.follow_up_html is None, f"{stretch.id} needs a second message"
        assert visible_length(card.caption_html) <= CAPTION_LIMIT
