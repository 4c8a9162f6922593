"""The content pack (`content/`, or CONTENT_DIR) loaded into an immutable catalogue.

Load it once at start-up with `load_catalog(path)`; it raises `ContentError` carrying every
`Problem(file, field, message)` found. `check_pack(path)` returns the same problems without
raising. No telegram imports here: the views render what the catalogue holds.

Families and the rotation
-------------------------
A *family* is a base stretch and its variations. Stretches joined by `easier` / `stronger` /
`side_variants` links belong to one family; exactly one member has `role: base`. The base is
the family's default: it is what the rotation sends until the user's answers move them to a
variation. The variations are alternatives to the base (easier, stronger, one side more), never
extra entries in the rotation.

The default daily rotation is over families, in the sheet's order (each base's `order`):

    table-stretch (+ right-bias, left-bias)   pelvic-tilt   knee-hugs (+ one knee)
    gluteal-stretch   gluteal-stretch-2   rotation-stretch (+ stronger)   quadriceps-stretch
    psoas-stretch (+ stronger)   hamstring-stretch-floor

Conditions exclude stretches (`allowed_for`, `is_allowed`). A variation always carries its
base's contraindications (checked at load), so an excluded base takes its whole family out.
"""

from bot.catalog.loader import CatalogCheck, check_pack, load_catalog, read_pack
from bot.catalog.model import (
    SIDES,
    Catalog,
    Condition,
    Family,
    OneSide,
    Role,
    Side,
    Source,
    Stretch,
    TextBlock,
    Texts,
    UnknownCondition,
    UnknownStretch,
)
from bot.catalog.problems import ContentError, Problem, format_problems

__all__ = [
    "SIDES",
    "Catalog",
    "CatalogCheck",
    "Condition",
    "ContentError",
    "Family",
    "OneSide",
    "Problem",
    "Role",
    "Side",
    "Source",
    "Stretch",
    "TextBlock",
    "Texts",
    "UnknownCondition",
    "UnknownStretch",
    "check_pack",
    "format_problems",
    "load_catalog",
    "read_pack",
]
