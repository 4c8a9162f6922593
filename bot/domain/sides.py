"""One-side variations: where the sheet says how to stretch one side more (the Table stretch's
"To stretch the right side more, move your hands to the left…"), the family has a variation
per side, which a patient can ask for from the base stretch's card."""

from __future__ import annotations

from bot.catalog.model import Catalog, Stretch

__all__ = ["SIDES", "side_variations"]

SIDES = ("left", "right")


def side_variations(catalog: Catalog, stretch: Stretch) -> dict[str, Stretch]:
    """The family's one-side variations by side, other than `stretch` itself."""
    return {
        member.sides: member
        for member in catalog.family_of(stretch.id).members
        if member.role == "variation" and member.sides in SIDES and member.id != stretch.id
    }
