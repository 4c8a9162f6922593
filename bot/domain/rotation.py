"""Which stretch a prompt sends: the daily rotation over the catalogue's families.

The rules, in order of precedence:

1. **Never a contraindicated stretch** (a hard safety rule: the catalogue's ``excluded_by`` for
   the user's conditions) and **never a blocked one** (the user answered "It hurts" and has not
   re-enabled it).
2. The rotation walks the families in the catalogue's rotation order (the clinic's sheet order),
   starting with the family after the last one sent and wrapping round. A family with nothing
   sendable (every member excluded or blocked) is skipped.
3. Within a family: the user's preferred variation (set by Easier / Stronger answers), else
   the family default (its base); if that one can't be sent, the nearest sendable variation
   down its easier chain. Never a stronger one or a side variant of the same movement: what
   hurt is no reason to send something harder, so with no easier option the family is skipped.

State read from the database may be stale after a content change: a last family, preferred
variation, blocked stretch or condition the pack no longer has is ignored, never a crash.

"Later" re-sends the same stretch (no rule needed here) and "Skip" needs no rule either: the
skipped family was sent, so the rotation moves past it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from bot.catalog.model import Catalog, Family, Stretch

__all__ = [
    "RotationState",
    "choose_in_family",
    "last_known_family",
    "next_stretch",
    "rotation_from",
    "sendable_ids",
]


def _empty_mapping() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RotationState:
    """What the rotation needs to know about one user.

    ``history``: ids of what was sent, oldest first. Family ids are expected, but any member's
    stretch id works too (it stands for its family). Only the last one the catalogue still knows
    matters; passing just ``(last_family_id,)`` is enough.

    ``preferred``: family id -> the stretch id of the variation to send for that family.
    ``blocked``: stretch ids answered "It hurts", not to be sent until re-enabled.
    """

    conditions: frozenset[str] = frozenset()
    history: tuple[str, ...] = ()
    preferred: Mapping[str, str] = field(default_factory=_empty_mapping, hash=False)
    blocked: frozenset[str] = frozenset()

    def preferring(self, stretch: Stretch) -> RotationState:
        """This state with ``stretch`` as its family's preferred variation (after Easier, or Yes
        to a stronger offer)."""
        preferred = dict(self.preferred)
        preferred[stretch.family] = stretch.id
        return replace(self, preferred=MappingProxyType(preferred))

    def after_sending(self, stretch: Stretch) -> RotationState:
        """This state once ``stretch`` has been sent (or skipped): its family is the last one."""
        return replace(self, history=(*self.history, stretch.family))


def sendable_ids(catalog: Catalog, state: RotationState) -> frozenset[str]:
    """Every stretch id that may be sent to this user: not excluded, not blocked."""
    excluded = catalog.excluded_by(state.conditions)
    return frozenset(
        s.id for s in catalog.stretches if s.id not in excluded and s.id not in state.blocked
    )


def last_known_family(catalog: Catalog, history: Sequence[str]) -> Family | None:
    """The family of the most recent id in ``history`` that the catalogue still has."""
    for sent_id in reversed(history):
        if sent_id in catalog:
            return catalog.family_of(sent_id)
    return None


def rotation_from(catalog: Catalog, last: Family | None) -> Iterator[Family]:
    """Every family once, in rotation order, starting after ``last`` (from the top if None)."""
    families = catalog.families
    start = 0
    if last is not None:
        ids = [f.id for f in families]
        start = ids.index(last.id) + 1 if last.id in ids else 0
    for offset in range(len(families)):
        yield families[(start + offset) % len(families)]


def next_stretch(catalog: Catalog, state: RotationState) -> Stretch | None:
    """The stretch for the next prompt, or None when nothing at all may be sent to this user
    (e.g. everything suitable is blocked): the caller tells them kindly."""
    sendable = sendable_ids(catalog, state)
    for family in rotation_from(catalog, last_known_family(catalog, state.history)):
        chosen = _choose(catalog, family, state.preferred, sendable)
        if chosen is not None:
            return chosen
    return None


def choose_in_family(catalog: Catalog, family_id: str, state: RotationState) -> Stretch | None:
    """The member of one family to send (e.g. for the family of an answered prompt), or None if
    none is sendable or ``family_id`` is unknown. Any member's id names its family."""
    if family_id not in catalog:
        return None
    family = catalog.family_of(family_id)
    return _choose(catalog, family, state.preferred, sendable_ids(catalog, state))


def _choose(
    catalog: Catalog, family: Family, preferred: Mapping[str, str], sendable: frozenset[str]
) -> Stretch | None:
    """The preferred variation, else the family's default; if that can't be sent, the nearest
    easier variation that can. Never a stronger one: a stretch that hurt (or is ruled out) is no
    reason to send something harder, so with no easier option the family is skipped."""
    member_ids = {m.id for m in family.members}
    wanted = preferred.get(family.id)
    anchor = catalog.get(wanted) if wanted in member_ids else family.default
    if anchor.id in sendable:
        return anchor
    for candidate in _chain(catalog, anchor, "easier"):
        if candidate.id in member_ids and candidate.id in sendable:
            return candidate
    return None


def _chain(catalog: Catalog, start: Stretch, direction: str) -> Iterable[Stretch]:
    """Follow ``easier`` or ``stronger`` links from ``start`` (exclusive). Stops at a dangling
    link or a loop rather than trusting the pack blindly."""
    seen = {start.id}
    current = start
    while True:
        next_id: str | None = current.easier if direction == "easier" else current.stronger
        if next_id is None or next_id in seen or next_id not in catalog:
            return
        seen.add(next_id)
        current = catalog.get(next_id)
        yield current
