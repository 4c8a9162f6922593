"""How answers adapt what comes next: the answer kinds, Easier, It hurts and the stronger offer.

* :class:`Answer` and :func:`parse_answer`: the five answers, from a button or from plain text.
* :func:`easier_choice`: what Easier does. The nearest easier variation the catalogue has for
  this user (not contraindicated, not blocked); where there is none, the stretch's own tips from
  the pack, so the bot can offer them (or Skip). Never an invented exercise.
* :func:`hurts_outcome`: what It hurts does: the stretch is blocked, the pack's safety note is
  shown, and the easier variation (if any) is suggested.
* :func:`stronger_progress` / :func:`stronger_offer`: after ``n`` Dones of a variation with no
  Easier or It hurts in between, offer its stronger variation, once per *run*.

A *run* is the sequence of answers given to one stretch since it became the preferred variation
of its family (or since the user said "Not yet" to an offer: the caller then starts a new run).
Within a run Easier and It hurts reset the count; Skip and Later neither count nor reset.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.catalog.model import Catalog, Stretch, TextBlock

__all__ = [
    "DEFAULT_DONES_FOR_STRONGER",
    "MAX_ANSWER_LENGTH",
    "Answer",
    "EasierChoice",
    "HurtsOutcome",
    "StrongerProgress",
    "easier_choice",
    "hurts_outcome",
    "parse_answer",
    "stronger_offer",
    "stronger_progress",
]

#: Dones of one variation, with no Easier or It hurts in between, before the stronger offer.
DEFAULT_DONES_FOR_STRONGER = 5

#: Texts longer than this are never answers (checked before any other work).
MAX_ANSWER_LENGTH = 40


class Answer(enum.StrEnum):
    """An answer to a prompt. The values are stable: they are stored and put in callback data."""

    DONE = "done"
    EASIER = "easier"
    SKIP = "skip"
    LATER = "later"
    HURTS = "hurts"


_WORDS: dict[str, Answer] = {
    "done": Answer.DONE,
    "did it": Answer.DONE,
    "✅": Answer.DONE,
    "easier": Answer.EASIER,
    "too hard": Answer.EASIER,
    "skip": Answer.SKIP,
    "later": Answer.LATER,
    "hurts": Answer.HURTS,
    "it hurts": Answer.HURTS,
}

# Punctuation people add around a one-word answer ("Done!", "done.", "'skip'").
_TRIM = " \t\r\n.,!?;:…'\"“”‘’()"
_VARIATION_SELECTORS = str.maketrans({"\ufe0f": None, "\ufe0e": None})


def parse_answer(text: str) -> Answer | None:
    """The answer a text message gives, or None if it isn't one.

    Case, surrounding spaces and simple punctuation don't matter; the words must otherwise be
    the whole message ("done", "Did it!", "✅", "too hard", "It hurts."), so a sentence that
    merely contains "done" is not taken as an answer.
    """
    if len(text) > MAX_ANSWER_LENGTH:
        return None
    cleaned = text.translate(_VARIATION_SELECTORS).casefold().strip(_TRIM)
    cleaned = " ".join(cleaned.split())
    return _WORDS.get(cleaned)


# -- Easier and It hurts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EasierChoice:
    """What Easier on ``stretch_id`` leads to.

    ``easier``: the variation to send at once and prefer from now on, or None when the pack has
    no easier variation this user may do. ``tips``: the answered stretch's own tips from the pack
    (possibly empty), for the bot to offer, above all when ``easier`` is None.
    """

    easier: Stretch | None
    tips: tuple[str, ...]

    @property
    def has_easier(self) -> bool:
        return self.easier is not None


def easier_choice(
    catalog: Catalog,
    stretch_id: str,
    *,
    conditions: Iterable[str] = (),
    blocked: Iterable[str] = (),
) -> EasierChoice:
    """The nearest easier variation not contraindicated for ``conditions`` nor ``blocked``
    (a blocked or excluded link is stepped over to a still easier one).

    An unknown ``stretch_id`` (a stored id a newer pack dropped) gives no variation and no tips.
    """
    if stretch_id not in catalog:
        return EasierChoice(easier=None, tips=())
    stretch = catalog.get(stretch_id)
    unusable = catalog.excluded_by(conditions) | frozenset(blocked)
    seen = {stretch.id}
    current = stretch
    while (next_id := current.easier) is not None and next_id in catalog and next_id not in seen:
        seen.add(next_id)
        current = catalog.get(next_id)
        if current.id not in unusable:
            return EasierChoice(easier=current, tips=stretch.tips)
    return EasierChoice(easier=None, tips=stretch.tips)


@dataclass(frozen=True, slots=True)
class HurtsOutcome:
    """What It hurts on a stretch leads to.

    ``blocked``: the user's blocked stretch ids, now including this one (not sent again until
    re-enabled in /settings). ``safety``: the pack's safety note, to show. ``easier``: the easier
    variation to suggest, if the pack has one for this user. ``tips``: the stretch's own tips.
    """

    blocked: frozenset[str]
    safety: tuple[TextBlock, ...]
    easier: Stretch | None
    tips: tuple[str, ...]


def hurts_outcome(
    catalog: Catalog,
    stretch_id: str,
    *,
    conditions: Iterable[str] = (),
    blocked: Iterable[str] = (),
) -> HurtsOutcome:
    now_blocked = frozenset(blocked) | {stretch_id}
    choice = easier_choice(catalog, stretch_id, conditions=conditions, blocked=now_blocked)
    return HurtsOutcome(
        blocked=now_blocked,
        safety=catalog.texts.safety,
        easier=choice.easier,
        tips=choice.tips,
    )


# -- the stronger offer --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StrongerProgress:
    """Where a run stands on the way to the stronger offer.

    ``dones``: Dones since the run began or since the last Easier / It hurts. ``offer_now``: the
    last answer earned the offer (make it now). ``offered``: the offer has been earned in this
    run, now or earlier (it is made only once per run).
    """

    dones: int
    needed: int
    offer_now: bool
    offered: bool

    @property
    def to_go(self) -> int:
        return max(self.needed - self.dones, 0)


def stronger_progress(
    run: Sequence[Answer], n: int = DEFAULT_DONES_FOR_STRONGER
) -> StrongerProgress:
    """Count a run's answers toward the stronger offer (see the module docstring)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    dones = 0
    offered_at: int | None = None
    for index, answer in enumerate(run):
        if answer is Answer.DONE:
            dones += 1
            if dones >= n and offered_at is None:
                offered_at = index
        elif answer in (Answer.EASIER, Answer.HURTS):
            dones = 0
    return StrongerProgress(
        dones=dones,
        needed=n,
        offer_now=offered_at is not None and offered_at == len(run) - 1,
        offered=offered_at is not None,
    )


def stronger_offer(
    catalog: Catalog,
    stretch_id: str,
    run: Sequence[Answer],
    *,
    n: int = DEFAULT_DONES_FOR_STRONGER,
    conditions: Iterable[str] = (),
    blocked: Iterable[str] = (),
) -> Stretch | None:
    """The stronger variation to offer (Yes / Not yet) right after the last answer of ``run``
    on ``stretch_id``, or None: not earned now, already offered in this run, no stronger
    variation allowed for ``conditions``, or the nearest one is blocked (it hurt before: we
    don't push past it to an even stronger one). Unknown ``stretch_id``: None.
    """
    if not stronger_progress(run, n).offer_now or stretch_id not in catalog:
        return None
    stronger = catalog.stronger_of(stretch_id, frozenset(conditions))
    if stronger is None or stronger.id in frozenset(blocked):
        return None
    return stronger
