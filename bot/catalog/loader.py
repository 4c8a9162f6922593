"""Reads a content pack, checks every rule, and builds the immutable `Catalog`.

Checking is in stages so one report holds every problem: each file is parsed on its own (a
broken file doesn't hide the others), then the cross-file rules run on whatever parsed, then
the pictures are opened. The catalogue is built only when the structure is sound; missing
pictures alone still let `read_pack` return it (so `content list` and the card checks work while
pictures are being drawn), but `load_catalog` refuses any error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from bot.catalog.model import (
    Catalog,
    Condition,
    Family,
    FromBase,
    OneSide,
    Stretch,
    TextBlock,
    Texts,
)
from bot.catalog.picture_checks import check_animation, check_picture, resolve_picture
from bot.catalog.problems import WHOLE_FILE, ContentError, Problem, errors_in, sort_problems
from bot.catalog.schema import (
    RawConditions,
    RawStretch,
    RawTextBlock,
    RawTexts,
    parse,
    read_yaml,
)

STRETCHES_DIR = "stretches"
CONDITIONS_FILE = "conditions.yaml"
TEXTS_FILE = "texts.yaml"
YAML_SUFFIXES = (".yaml", ".yml")

# A check that needs the built catalogue, e.g. "does every card fit Telegram" (in bot.views:
# the catalogue must not import the views, so the caller passes it in).
CatalogCheck = Callable[[Catalog], Iterable[Problem]]

_FileModel = TypeVar("_FileModel", RawConditions, RawTexts)


@dataclass(frozen=True, slots=True)
class _Parsed:
    stretches: tuple[tuple[str, RawStretch], ...]  # (relative file, model), sheet order
    # Ids (file names) of stretch files that didn't parse: their problems are already reported,
    # so links to them aren't reported again as "unknown stretch".
    broken: frozenset[str]
    conditions: RawConditions | None
    texts: RawTexts | None


def read_pack(
    root: Path, *, extra_checks: Sequence[CatalogCheck] = ()
) -> tuple[Catalog | None, list[Problem]]:
    """Every problem in the pack at `root`, and the catalogue if its structure is sound."""
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(str(root), WHOLE_FILE, "no content pack here (not a directory)")]
    parsed = _parse_files(root, problems)
    problems += _cross_check(parsed)
    structural_errors = bool(errors_in(problems))
    problems += _check_pictures(root, parsed)
    catalog = None
    if not structural_errors and parsed.conditions is not None and parsed.texts is not None:
        catalog = _build(root, parsed)
        for check in extra_checks:
            problems += check(catalog)
    return catalog, sort_problems(problems)


def check_pack(root: Path, *, extra_checks: Sequence[CatalogCheck] = ()) -> list[Problem]:
    """Every problem in the pack (errors and warnings), each with its file and field."""
    return read_pack(root, extra_checks=extra_checks)[1]


def load_catalog(root: Path, *, extra_checks: Sequence[CatalogCheck] = ()) -> Catalog:
    """The catalogue, or `ContentError` listing every problem. Warnings don't stop it."""
    catalog, problems = read_pack(root, extra_checks=extra_checks)
    if catalog is None or errors_in(problems):
        raise ContentError(problems)
    return catalog


# -- stage 1: each file on its own ---------------------------------------------------------------


def _parse_files(root: Path, problems: list[Problem]) -> _Parsed:
    stretches: list[tuple[str, RawStretch]] = []
    broken: set[str] = set()
    directory = root / STRETCHES_DIR
    files = (
        sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())
        if directory.is_dir()
        else []
    )
    if not files:
        problems.append(Problem(STRETCHES_DIR, WHOLE_FILE, "no stretch files (*.yaml) found"))
    for path in files:
        relative = f"{STRETCHES_DIR}/{path.name}"
        document, found = read_yaml(path, relative)
        problems += found
        if document is None:
            broken.add(path.stem)
            continue
        stretch, found = parse(RawStretch, document, relative)
        problems += found
        if stretch is None:
            broken.add(path.stem)
            continue
        if stretch.id != path.stem:
            problems.append(
                Problem(relative, "id", f"{stretch.id!r} differs from the file name {path.stem!r}")
            )
        stretches.append((relative, stretch))
    stretches.sort(key=lambda item: (item[1].order, item[1].id))

    conditions = _parse_one(root, CONDITIONS_FILE, RawConditions, problems)
    texts = _parse_one(root, TEXTS_FILE, RawTexts, problems)
    return _Parsed(tuple(stretches), frozenset(broken), conditions, texts)


def _parse_one(
    root: Path, name: str, model: type[_FileModel], problems: list[Problem]
) -> _FileModel | None:
    path = root / name
    if not path.is_file():
        problems.append(Problem(name, WHOLE_FILE, "missing file"))
        return None
    document, found = read_yaml(path, name)
    problems += found
    if document is None:
        return None
    result, found = parse(model, document, name)
    problems += found
    return result


# -- stage 2: rules across files -----------------------------------------------------------------


def _cross_check(parsed: _Parsed) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, tuple[str, RawStretch]] = {}
    for relative, stretch in parsed.stretches:
        if stretch.id in by_id:
            problems.append(
                Problem(
                    relative, "id", f"duplicate id {stretch.id!r} (also {by_id[stretch.id][0]})"
                )
            )
        else:
            by_id[stretch.id] = (relative, stretch)

    orders: dict[int, str] = {}
    for relative, stretch in parsed.stretches:
        if stretch.order in orders and orders[stretch.order] != relative:
            problems.append(
                Problem(
                    relative, "order", f"{stretch.order} is also used by {orders[stretch.order]}"
                )
            )
        orders.setdefault(stretch.order, relative)

    broken = parsed.broken - by_id.keys()
    problems += _check_links(by_id, broken)
    problems += _check_cycles(by_id)
    problems += _check_families(by_id, broken)
    problems += _check_borrowed_words(by_id, broken)
    if parsed.conditions is not None:
        problems += _check_conditions(parsed.conditions, by_id, broken)
    return problems


def _check_links(by_id: dict[str, tuple[str, RawStretch]], broken: Set[str]) -> list[Problem]:
    problems: list[Problem] = []
    reverse = {"easier": "stronger", "stronger": "easier"}
    for relative, stretch in by_id.values():
        for field_name, back in reverse.items():
            target_id: str | None = getattr(stretch, field_name)
            if target_id is None:
                continue
            if target_id == stretch.id:
                problems.append(Problem(relative, field_name, "a stretch can't link to itself"))
                continue
            if target_id in broken:
                continue
            if target_id not in by_id:
                problems.append(Problem(relative, field_name, f"unknown stretch {target_id!r}"))
                continue
            target_file, target = by_id[target_id]
            if getattr(target, back) != stretch.id:
                problems.append(
                    Problem(
                        relative,
                        field_name,
                        f"one-way link: {target_id} ({target_file}) must say "
                        f"'{back}: {stretch.id}'",
                    )
                )
        for side, target_id in stretch.side_variants.items():
            field_name = f"side_variants.{side}"
            if target_id in broken:
                continue
            if target_id not in by_id:
                problems.append(Problem(relative, field_name, f"unknown stretch {target_id!r}"))
                continue
            target_file, target = by_id[target_id]
            if target.side_variant_of != stretch.id:
                problems.append(
                    Problem(
                        relative,
                        field_name,
                        f"one-way link: {target_id} ({target_file}) must say "
                        f"'side_variant_of: {stretch.id}'",
                    )
                )
            if target.sides != side:
                problems.append(
                    Problem(
                        relative,
                        field_name,
                        f"{target_id} has 'sides: {target.sides}', expected '{side}'",
                    )
                )
        if stretch.side_variant_of is not None:
            owner_id = stretch.side_variant_of
            if owner_id in broken:
                pass
            elif owner_id not in by_id:
                problems.append(
                    Problem(relative, "side_variant_of", f"unknown stretch {owner_id!r}")
                )
            elif stretch.id not in by_id[owner_id][1].side_variants.values():
                problems.append(
                    Problem(
                        relative,
                        "side_variant_of",
                        f"one-way link: {owner_id} ({by_id[owner_id][0]}) must list "
                        f"{stretch.id} under side_variants",
                    )
                )
    return problems


def _check_cycles(by_id: dict[str, tuple[str, RawStretch]]) -> list[Problem]:
    """An easier/stronger chain must end: a cycle would make "easier" go round for ever."""
    problems: list[Problem] = []
    for field_name in ("easier", "stronger"):
        reported: set[frozenset[str]] = set()
        for start in sorted(by_id):
            path: list[str] = []
            current: str | None = start
            while current is not None and current in by_id and current not in path:
                path.append(current)
                current = getattr(by_id[current][1], field_name)
            if current is None or current not in path or current == path[-1]:
                continue  # chain ended, left the pack, or a self-link (reported in links)
            cycle = path[path.index(current) :]
            if frozenset(cycle) in reported:
                continue
            reported.add(frozenset(cycle))
            first = min(cycle)
            loop = " -> ".join([*cycle[cycle.index(first) :], *cycle[: cycle.index(first)], first])
            problems.append(Problem(by_id[first][0], field_name, f"cycle: {loop}"))
    return problems


def _components(by_id: dict[str, tuple[str, RawStretch]]) -> list[list[str]]:
    """Stretches joined by any variation link, in sheet order: the families to be."""
    parent = {stretch_id: stretch_id for stretch_id in by_id}

    def find(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for _, stretch in by_id.values():
        for other in _links(stretch):
            if other in by_id:
                parent[find(other)] = find(stretch.id)
    groups: dict[str, list[str]] = {}
    ordered = sorted(by_id, key=lambda i: (by_id[i][1].order, i))
    for stretch_id in ordered:
        groups.setdefault(find(stretch_id), []).append(stretch_id)
    return list(groups.values())


def _links(stretch: RawStretch) -> list[str]:
    linked = [stretch.easier, stretch.stronger, stretch.side_variant_of]
    return [other for other in linked if other is not None] + list(stretch.side_variants.values())


def _check_families(by_id: dict[str, tuple[str, RawStretch]], broken: Set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for members in _components(by_id):
        if any(set(_links(by_id[m][1])) & broken for m in members):
            continue  # part of this family didn't parse: its shape can't be judged yet
        bases = [m for m in members if by_id[m][1].role == "base"]
        names = ", ".join(members)
        if not bases:
            first = members[0]
            problems.append(
                Problem(
                    by_id[first][0],
                    "role",
                    f"no base stretch in the family {names}: exactly one member must be "
                    "'role: base' (the one the daily rotation sends)",
                )
            )
            continue
        for extra in bases[1:]:
            problems.append(
                Problem(
                    by_id[extra][0],
                    "role",
                    f"the family {names} has more than one base ({', '.join(bases)}); "
                    "variations must be 'role: variation'",
                )
            )
        base = by_id[bases[0]][1]
        for member in members:
            relative, stretch = by_id[member]
            # Hard safety rule: a warning on the sheet is about the movement, which the
            # variations share, so a variation may add contraindications but never drop one.
            missing = set(base.contraindications) - set(stretch.contraindications)
            if stretch.role == "variation" and missing:
                problems.append(
                    Problem(
                        relative,
                        "contraindications",
                        f"missing {', '.join(sorted(missing))}: a variation keeps every "
                        f"contraindication of its base {base.id}",
                    )
                )
    return problems


def _words(text: str) -> str:
    """Text compared for "is this the base's own wording": case, spacing, final stop ignored."""
    return " ".join(text.split()).rstrip(".!").casefold()


def _check_borrowed_words(
    by_id: dict[str, tuple[str, RawStretch]], broken: Set[str]
) -> list[Problem]:
    """`from_base` quotes the family's base, word for word; `side_paragraph` needs side variants.

    A variation's card borrows its base's start, hold and repeat so it stands alone; the card
    marks them as the base's, so they must really be the base's words."""
    problems: list[Problem] = []
    family_base: dict[str, str] = {}
    for members in _components(by_id):
        bases = [m for m in members if by_id[m][1].role == "base"]
        for member in members:
            if len(bases) == 1:
                family_base[member] = bases[0]
    for relative, stretch in by_id.values():
        if stretch.side_paragraph is not None and not stretch.side_variants:
            problems.append(
                Problem(
                    relative,
                    "side_paragraph",
                    "a side paragraph, but no side_variants: the card would describe versions "
                    "the bot can't send",
                    severity="warning",
                )
            )
        borrowed = stretch.from_base
        if borrowed is None:
            continue
        if stretch.role != "variation":
            problems.append(
                Problem(relative, "from_base", "only a variation borrows words from its base")
            )
            continue
        base_id = family_base.get(stretch.id)
        if base_id is None or base_id == stretch.id or base_id in broken:
            continue  # no single base: reported by the family check
        base = by_id[base_id][1]
        base_text = " | ".join(_words(t) for t in base.steps)
        quoted: list[tuple[str, str]] = [
            (f"from_base.start[{i}]", text) for i, text in enumerate(borrowed.start)
        ]
        for field_name in ("hold", "repeat"):
            text = getattr(borrowed, field_name)
            if text is None:
                continue
            if getattr(stretch, field_name) is not None:
                problems.append(
                    Problem(
                        relative,
                        f"from_base.{field_name}",
                        f"the stretch has its own {field_name}: borrow one or the other",
                    )
                )
            own = getattr(base, field_name)
            if own is None or _words(text) != _words(own):
                problems.append(
                    Problem(
                        relative,
                        f"from_base.{field_name}",
                        f"{text!r} is not {base_id}'s {field_name} ({own!r})",
                    )
                )
        for field_name, text in quoted:
            if _words(text) not in base_text:
                problems.append(
                    Problem(
                        relative,
                        field_name,
                        f"{text!r} is not in {base_id}'s steps: borrowed words must be the "
                        "base's own",
                    )
                )
    return problems


def _check_conditions(
    conditions: RawConditions, by_id: dict[str, tuple[str, RawStretch]], broken: Set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    known: dict[str, int] = {}
    for index, condition in enumerate(conditions.conditions):
        field_prefix = f"conditions[{index}]"
        if condition.id in known:
            problems.append(
                Problem(
                    CONDITIONS_FILE,
                    f"{field_prefix}.id",
                    f"duplicate id {condition.id!r} (also conditions[{known[condition.id]}])",
                )
            )
        known.setdefault(condition.id, index)
        for position, stretch_id in enumerate(condition.excludes):
            if stretch_id not in by_id and stretch_id not in broken:
                problems.append(
                    Problem(
                        CONDITIONS_FILE,
                        f"{field_prefix}.excludes[{position}]",
                        f"unknown stretch {stretch_id!r}",
                    )
                )
    excludes = {c.id: set(c.excludes) for c in conditions.conditions}

    # The rule is written on both sides (see content/README.md); they must say the same thing.
    for relative, stretch in by_id.values():
        for position, condition_id in enumerate(stretch.contraindications):
            if condition_id not in excludes:
                problems.append(
                    Problem(
                        relative,
                        f"contraindications[{position}]",
                        f"unknown condition {condition_id!r} (not in {CONDITIONS_FILE})",
                    )
                )
            elif stretch.id not in excludes[condition_id]:
                problems.append(
                    Problem(
                        relative,
                        f"contraindications[{position}]",
                        f"{condition_id} in {CONDITIONS_FILE} doesn't list {stretch.id} under "
                        "excludes; the two must agree",
                    )
                )
    for index, condition in enumerate(conditions.conditions):
        for position, stretch_id in enumerate(condition.excludes):
            if stretch_id in by_id and condition.id not in by_id[stretch_id][1].contraindications:
                problems.append(
                    Problem(
                        CONDITIONS_FILE,
                        f"conditions[{index}].excludes[{position}]",
                        f"{stretch_id} ({by_id[stretch_id][0]}) doesn't list {condition.id} "
                        "under contraindications; the two must agree",
                    )
                )
    return problems


# -- stage 3: pictures ---------------------------------------------------------------------------


def _check_pictures(root: Path, parsed: _Parsed) -> list[Problem]:
    problems: list[Problem] = []
    for relative, stretch in parsed.stretches:
        problems += check_picture(root, stretch.picture, relative)
        if stretch.animation is not None:
            problems += check_animation(root, stretch.animation, relative)
    return problems


# -- building ------------------------------------------------------------------------------------


def _build(root: Path, parsed: _Parsed) -> Catalog:
    assert parsed.conditions is not None
    assert parsed.texts is not None
    by_id = {stretch.id: (relative, stretch) for relative, stretch in parsed.stretches}
    family_of: dict[str, str] = {}
    for members in _components(by_id):
        base_id = next(m for m in members if by_id[m][1].role == "base")
        for member in members:
            family_of[member] = base_id

    stretches = tuple(
        _stretch(root, relative, raw, family_of[raw.id]) for relative, raw in parsed.stretches
    )
    index = {stretch.id: stretch for stretch in stretches}
    families = tuple(
        Family(base=stretch, members=tuple(s for s in stretches if s.family == stretch.id))
        for stretch in stretches
        if stretch.is_base
    )
    conditions = tuple(
        Condition(
            id=raw.id,
            label=raw.label,
            question=raw.question,
            excludes=frozenset(raw.excludes),
        )
        for raw in parsed.conditions.conditions
    )
    texts = parsed.texts
    assert set(index) == set(family_of)
    return Catalog(
        root=root.resolve(),
        stretches=stretches,
        families=families,
        conditions=conditions,
        texts=Texts(
            clinic=texts.clinic,
            sheet_title=texts.sheet_title,
            about=tuple(_block(b) for b in texts.about),
            safety=tuple(_block(b) for b in texts.safety),
            card_note=_block(texts.card_note),
        ),
    )


def _stretch(root: Path, relative: str, raw: RawStretch, family: str) -> Stretch:
    # A picture outside the pack is reported in stage 3; keep a path so `content list` works.
    picture = resolve_picture(root, raw.picture) or root / raw.picture
    animation = None
    if raw.animation is not None:
        animation = resolve_picture(root, raw.animation) or root / raw.animation
    borrowed = raw.from_base
    side_variants: dict[OneSide, str] = dict(raw.side_variants)
    return Stretch(
        id=raw.id,
        title=raw.title,
        order=raw.order,
        role=raw.role,
        family=family,
        body_area=raw.body_area,
        sides=raw.sides,
        steps=tuple(raw.steps),
        hold=raw.hold,
        repeat=raw.repeat,
        cautions=tuple(raw.cautions),
        tips=tuple(raw.tips),
        contraindications=frozenset(raw.contraindications),
        easier=raw.easier,
        stronger=raw.stronger,
        side_variants=MappingProxyType(side_variants),
        side_variant_of=raw.side_variant_of,
        picture=picture,
        source_file=relative,
        side_paragraph=raw.side_paragraph,
        from_base=(
            None
            if borrowed is None
            else FromBase(start=tuple(borrowed.start), hold=borrowed.hold, repeat=borrowed.repeat)
        ),
        animation=animation,
    )


def _block(raw: RawTextBlock) -> TextBlock:
    return TextBlock(source=raw.source, text=raw.text)
