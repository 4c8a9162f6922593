"""`stretchbot content check | list`, and the check `stretchbot run` does before starting.

It lives at the application's edge, beside the CLI, rather than in `bot.catalog`: the "does
every card fit Telegram" rule needs the card renderer (`bot.views`), and the catalogue must not
import the views.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from bot.catalog.loader import CatalogCheck, read_pack
from bot.catalog.model import Catalog
from bot.catalog.problems import ContentError, Problem, errors_in, format_problems
from bot.views.stretch_card import card_problems

__all__ = ["content_check", "content_list", "format_problems", "load_checked", "pack_checks"]


def pack_checks() -> tuple[CatalogCheck, ...]:
    return (card_problems,)


def load_checked(path: Path) -> Catalog:
    """The catalogue for `stretchbot run`: every rule, card fit included, or `ContentError`."""
    catalog, problems = read_pack(path, extra_checks=pack_checks())
    if catalog is None or errors_in(problems):
        raise ContentError(problems)
    return catalog


def content_check(path: Path, out: TextIO) -> int:
    """Print every problem as `file: field: message`; 0 if the pack can be served, else 1."""
    catalog, problems = read_pack(path, extra_checks=pack_checks())
    if problems:
        print(format_problems(problems), file=out)
    errors = errors_in(problems)
    if catalog is None or errors:
        count = len(errors)
        print(f"FAILED: {count} problem{'s' if count != 1 else ''} in {path}", file=out)
        return 1
    warnings = len(problems)
    suffix = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    print(
        f"OK: {_count(len(catalog.stretches), 'stretch', 'stretches')}, "
        f"{_count(len(catalog.conditions), 'condition', 'conditions')}{suffix}",
        file=out,
    )
    return 0


def content_list(path: Path, out: TextIO, as_json: bool) -> int:
    """The catalogue (id, title, variations, contraindications, picture).

    Lists the pack whenever its structure is sound, even with pictures still missing, and says
    how many problems `content check` would report. 1 only if the pack can't be read at all.
    """
    catalog, problems = read_pack(path)
    if catalog is None:
        print(format_problems(problems), file=out)
        return 1
    if as_json:
        json.dump(_as_json(catalog, problems), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for family in catalog.families:
        for stretch in family.members:
            print(_line(catalog, stretch.id), file=out)
    for condition in catalog.conditions:
        excluded = ", ".join(sorted(condition.excludes)) or "-"
        print(f"condition {condition.id}: {condition.label} (excludes {excluded})", file=out)
    errors = errors_in(problems)
    if errors:
        count = _count(len(errors), "problem", "problems")
        print(f"({count}: run `stretchbot content check`)", file=out)
    return 0


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _line(catalog: Catalog, stretch_id: str) -> str:
    stretch = catalog.get(stretch_id)
    indent = "" if stretch.is_base else "  "
    links = [f"easier: {stretch.easier}"] if stretch.easier else []
    links += [f"stronger: {stretch.stronger}"] if stretch.stronger else []
    links += [f"{side} side: {target}" for side, target in stretch.side_variants.items()]
    not_for = ", ".join(sorted(stretch.contraindications))
    parts = [
        f"{indent}{stretch.id}",
        stretch.title,
        "; ".join(links) or "-",
        f"not for: {not_for}" if not_for else "-",
        _relative(catalog, stretch.picture),
    ]
    if stretch.animation is not None:
        parts.append(_relative(catalog, stretch.animation))
    return "  |  ".join(parts)


def _relative(catalog: Catalog, picture: Path) -> str:
    return (
        str(picture.relative_to(catalog.root))
        if picture.is_relative_to(catalog.root)
        else str(picture)
    )


def _as_json(catalog: Catalog, problems: list[Problem]) -> dict[str, object]:
    return {
        "stretches": [
            {
                "id": s.id,
                "title": s.title,
                "order": s.order,
                "role": s.role,
                "family": s.family,
                "easier": s.easier,
                "stronger": s.stronger,
                "side_variants": dict(s.side_variants),
                "side_variant_of": s.side_variant_of,
                "contraindications": sorted(s.contraindications),
                "picture": _relative(catalog, s.picture),
                "animation": None if s.animation is None else _relative(catalog, s.animation),
            }
            for s in catalog.stretches
        ],
        "rotation": [family.id for family in catalog.families],
        "conditions": [
            {"id": c.id, "label": c.label, "question": c.question, "excludes": sorted(c.excludes)}
            for c in catalog.conditions
        ],
        "problems": [
            {"file": p.file, "field": p.field, "message": p.message, "severity": p.severity}
            for p in problems
        ],
    }
