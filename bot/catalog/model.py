"""The catalogue's types: immutable, so one loaded catalogue can be shared by every handler."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

Side = Literal["both", "left", "right", "n.a."]
OneSide = Literal["left", "right"]
Role = Literal["base", "variation"]
Source = Literal["clinic", "stretchbot"]

SIDES: tuple[Side, ...] = ("both", "left", "right", "n.a.")


@dataclass(frozen=True, slots=True)
class FromBase:
    """Words a variation borrows from its family's base, shown marked as the base's."""

    start: tuple[str, ...] = ()
    hold: str | None = None
    repeat: str | None = None


@dataclass(frozen=True, slots=True)
class Stretch:
    id: str
    title: str
    order: int  # position on the clinic's sheet
    role: Role
    family: str  # id of the family's base stretch (its own id for a base)
    body_area: str
    sides: Side
    steps: tuple[str, ...]
    hold: str | None
    repeat: str | None
    cautions: tuple[str, ...]
    tips: tuple[str, ...]
    contraindications: frozenset[str]
    easier: str | None
    stronger: str | None
    # Read-only; on a base: side stretched more -> id. Left out of the hash (a mapping has
    # none) so stretches can go in sets and dict keys; equality still compares it.
    side_variants: Mapping[OneSide, str] = field(hash=False)
    side_variant_of: str | None
    picture: Path  # absolute
    source_file: str  # relative to the pack root, for reports
    # Optional parts of a pack (a pack without them works as before).
    side_paragraph: str | None = None  # the sheet's "to stretch one side more" paragraph
    from_base: FromBase | None = None  # a variation's start / hold / repeat, from its base
    animation: Path | None = None  # absolute; a short looping GIF or silent MP4

    @property
    def is_base(self) -> bool:
        return self.role == "base"

    @property
    def hold_to_do(self) -> str | None:
        """The hold the patient does: its own, else the one borrowed from its base (e.g. for
        a hold timer)."""
        return self.hold or (self.from_base.hold if self.from_base else None)

    @property
    def repeat_to_do(self) -> str | None:
        return self.repeat or (self.from_base.repeat if self.from_base else None)


@dataclass(frozen=True, slots=True)
class Family:
    """A base stretch and its variations (easier, stronger, one-side), members in sheet order."""

    base: Stretch
    members: tuple[Stretch, ...]

    @property
    def id(self) -> str:
        return self.base.id

    @property
    def default(self) -> Stretch:
        """The stretch the rotation sends unless the user's state says otherwise: the base."""
        return self.base

    @property
    def variations(self) -> tuple[Stretch, ...]:
        return tuple(member for member in self.members if member.id != self.base.id)


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    label: str  # <= 30 characters: a toggle button's text
    question: str  # asked at onboarding, in plain language
    excludes: frozenset[str]  # stretch ids


@dataclass(frozen=True, slots=True)
class TextBlock:
    source: Source  # whose words: the clinic's sheet, or the project's own
    text: str


@dataclass(frozen=True, slots=True)
class Texts:
    clinic: str
    sheet_title: str | None
    about: tuple[TextBlock, ...]
    safety: tuple[TextBlock, ...]
    card_note: TextBlock  # the one line under every stretch card


class UnknownStretch(KeyError):
    """Asked for a stretch id the pack doesn't have (e.g. a stored id a new pack dropped)."""


class UnknownCondition(KeyError):
    pass


@dataclass(frozen=True)
class Catalog:
    """The whole pack, validated. Build it with `load_catalog`; never mutated afterwards."""

    root: Path
    stretches: tuple[Stretch, ...]  # sheet order
    families: tuple[Family, ...]  # rotation order (by each base's sheet order)
    conditions: tuple[Condition, ...]  # the order they are asked in
    texts: Texts
    _stretch_index: Mapping[str, Stretch] = field(init=False, repr=False, compare=False)
    _family_index: Mapping[str, Family] = field(init=False, repr=False, compare=False)
    _condition_index: Mapping[str, Condition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Indexes are derived, so they are built here rather than passed in (frozen: setattr).
        object.__setattr__(
            self, "_stretch_index", MappingProxyType({s.id: s for s in self.stretches})
        )
        object.__setattr__(
            self,
            "_family_index",
            MappingProxyType({m.id: fam for fam in self.families for m in fam.members}),
        )
        object.__setattr__(
            self, "_condition_index", MappingProxyType({c.id: c for c in self.conditions})
        )

    # -- lookups -------------------------------------------------------------------------------

    def __contains__(self, stretch_id: object) -> bool:
        return stretch_id in self._stretch_index

    def get(self, stretch_id: str) -> Stretch:
        try:
            return self._stretch_index[stretch_id]
        except KeyError:
            raise UnknownStretch(stretch_id) from None

    def family_of(self, stretch_id: str) -> Family:
        try:
            return self._family_index[stretch_id]
        except KeyError:
            raise UnknownStretch(stretch_id) from None

    def condition(self, condition_id: str) -> Condition:
        try:
            return self._condition_index[condition_id]
        except KeyError:
            raise UnknownCondition(condition_id) from None

    # -- variations ----------------------------------------------------------------------------

    def easier_of(
        self, stretch_id: str, conditions: frozenset[str] = frozenset()
    ) -> Stretch | None:
        """The nearest easier variation allowed for `conditions`, or None."""
        return self._walk(stretch_id, "easier", conditions)

    def stronger_of(
        self, stretch_id: str, conditions: frozenset[str] = frozenset()
    ) -> Stretch | None:
        """The nearest stronger variation allowed for `conditions`, or None."""
        return self._walk(stretch_id, "stronger", conditions)

    def _walk(
        self, stretch_id: str, direction: Literal["easier", "stronger"], conditions: frozenset[str]
    ) -> Stretch | None:
        # Skip over excluded links: a user who can't do the next step may still do the one
        # after. Chains are acyclic (checked at load), so this ends.
        current = self.get(stretch_id)
        while (next_id := getattr(current, direction)) is not None:
            current = self.get(next_id)
            if self.is_allowed(current.id, conditions):
                return current
        return None

    # -- conditions ----------------------------------------------------------------------------

    def excluded_by(self, conditions: Iterable[str]) -> frozenset[str]:
        """Stretch ids never to be sent to someone with `conditions`.

        Unknown condition ids are ignored: a user's stored condition that a newer pack dropped
        must not crash the bot. Both sides of the rule (a stretch's contraindications and a
        condition's excludes) are consulted; the loader checks they agree, so this is only
        belt and braces for a safety rule.
        """
        wanted = frozenset(conditions)
        excluded: set[str] = set()
        for condition_id in wanted:
            known = self._condition_index.get(condition_id)
            if known is not None:
                excluded |= known.excludes
        excluded.update(s.id for s in self.stretches if s.contraindications & wanted)
        return frozenset(excluded)

    def is_allowed(self, stretch_id: str, conditions: Iterable[str]) -> bool:
        self.get(stretch_id)  # unknown ids are an error, not "allowed"
        return stretch_id not in self.excluded_by(conditions)

    def allowed_for(self, conditions: Iterable[str]) -> tuple[Family, ...]:
        """The rotation for someone with `conditions`: families in rotation order, each keeping
        only its allowed members.

        A family whose base is excluded is dropped whole. The loader enforces that variations
        carry their base's contraindications, so in a valid pack an excluded base means every
        member is excluded anyway.
        """
        excluded = self.excluded_by(conditions)
        allowed: list[Family] = []
        for family in self.families:
            if family.base.id in excluded:
                continue
            members = tuple(m for m in family.members if m.id not in excluded)
            allowed.append(Family(base=family.base, members=members))
        return tuple(allowed)
