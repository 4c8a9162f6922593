"""Which sharing patients need their practitioner's attention first, and why.

Pure rules over numbers the services compute from what each patient agreed to share (answers to
prompts and weekly pain scores; never anything the patient typed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.clinic_alerts import PAIN_RISE
from bot.domain.pain import PainTrend
from bot.domain.streaks import Progress

# Below this share of prompts answered Done in the last 7 days, a patient is "behind".
ON_TRACK_RATIO = 0.5
QUIET_DAYS = 7


@dataclass(frozen=True, slots=True)
class PatientStats:
    patient_id: int
    first_name: str
    days_since_done: int | None  # None: never done one
    done_7: int
    prompts_7: int
    done_28: int
    prompts_28: int
    hurts_14: int
    latest_pain: int | None
    pain_change: int | None  # latest minus first score; None with fewer than two scores

    @property
    def ratio_7(self) -> float | None:
        return self.done_7 / self.prompts_7 if self.prompts_7 else None

    @property
    def ratio_28(self) -> float | None:
        return self.done_28 / self.prompts_28 if self.prompts_28 else None


def reasons(stats: PatientStats) -> list[str]:
    """Why this patient may need a call; empty when they are on track."""
    found: list[str] = []
    if stats.hurts_14:
        found.append(f"It hurts ×{stats.hurts_14} in 14 days")
    if stats.pain_change is not None and stats.pain_change >= PAIN_RISE:
        found.append(f"pain up {stats.pain_change} since the first score")
    if stats.prompts_7 and (stats.days_since_done is None or stats.days_since_done >= QUIET_DAYS):
        found.append("no Done for a week" if stats.days_since_done is not None else "no Done yet")
    elif stats.ratio_7 is not None and stats.ratio_7 < ON_TRACK_RATIO:
        found.append(f"{stats.done_7} of {stats.prompts_7} done this week")
    return found


def _sort_key(stats: PatientStats) -> tuple[int, int, float, int, str, int]:
    flagged = stats.hurts_14 > 0 or (stats.pain_change or 0) >= PAIN_RISE
    never = 10_000  # never done: the longest gap of all
    gap = stats.days_since_done if stats.days_since_done is not None else never
    ratio = stats.ratio_28 if stats.ratio_28 is not None else 1.0
    return (
        0 if flagged else 1,
        -gap,
        ratio,
        -(stats.pain_change or 0),
        stats.first_name.casefold(),
        stats.patient_id,
    )


def by_attention(patients: Iterable[PatientStats]) -> list[PatientStats]:
    """Who needs attention first: It hurts or a pain rise, then the longest time since a Done,
    then the lowest 28-day adherence; ties by name, then id (a stable order for pages)."""
    return sorted(patients, key=_sort_key)


@dataclass(frozen=True)
class PatientRecord:
    """Everything a practitioner's card and the visit report show of one sharing patient:
    answers to prompts and what they led to, and weekly pain scores (nothing typed)."""

    stats: PatientStats
    since: datetime | None  # sharing began
    zone: str  # the patient's zone: dates are the patient's days
    progress: Progress
    answers: Mapping[str, Mapping[str, int]]  # stretch id -> answer value -> count
    variations: Mapping[str, str]  # family id -> the stretch id the patient gets now
    switched_off: Sequence[str]  # stretch ids turned off after It hurts
    hurts: Sequence[tuple[datetime, str]]  # (when, stretch id), oldest first
    pain: PainTrend
    first_prompt_at: datetime | None
