"""Catalogues for the domain tests: the real pack, and small ones built in memory.

The real pack is read with `read_pack` (as tests/catalog does), so these rules can be tested
while pictures are still being drawn. In-memory catalogues cover shapes the real pack doesn't
have (a long easier chain, a base with several variations) without touching the disk.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import MappingProxyType

from bot.catalog import Catalog, read_pack
from bot.catalog.model import Condition, Family, Role, Stretch, TextBlock, Texts

CONTENT = Path(__file__).resolve().parents[2] / "content"

SAFETY = (TextBlock("stretchbot", "Stop if the pain is sharp."),)


@cache
def real_catalog() -> Catalog:
    catalog, problems = read_pack(CONTENT)
    assert catalog is not None, "\n".join(map(str, problems))
    return catalog


def stretch(
    stretch_id: str,
    order: int,
    *,
    family: str | None = None,
    easier: str | None = None,
    stronger: str | None = None,
    contraindications: frozenset[str] = frozenset(),
    tips: tuple[str, ...] = (),
) -> Stretch:
    role: Role = "base" if family is None else "variation"
    return Stretch(
        id=stretch_id,
        title=stretch_id.replace("-", " ").title(),
        order=order,
        role=role,
        family=family or stretch_id,
        body_area="lower back",
        sides="n.a.",
        steps=("Breathe out.",),
        hold=None,
        repeat=None,
        cautions=(),
        tips=tips,
        contraindications=contraindications,
        easier=easier,
        stronger=stronger,
        side_variants=MappingProxyType({}),
        side_variant_of=None,
        picture=Path("/nonexistent.png"),
        source_file=f"stretches/{stretch_id}.yaml",
    )


def catalog_of(*stretches: Stretch, conditions: tuple[Condition, ...] = ()) -> Catalog:
    """A catalogue of `stretches` (sheet order = order given); families from `Stretch.family`."""
    ordered = tuple(sorted(stretches, key=lambda s: s.order))
    families = tuple(
        Family(base=base, members=tuple(s for s in ordered if s.family == base.id))
        for base in ordered
        if base.is_base
    )
    return Catalog(
        root=Path("/nonexistent"),
        stretches=ordered,
        families=families,
        conditions=conditions,
        texts=Texts(
            clinic="Test Clinic",
            sheet_title=None,
            about=(),
            safety=SAFETY,
            card_note=TextBlock("stretchbot", "Stop if it hurts."),
        ),
    )
