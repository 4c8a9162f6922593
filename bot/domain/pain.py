"""The weekly pain check-in (NRS: 0 = no pain, 10 = worst imaginable) and its trend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from bot.domain.clock_times import Weekdays
from bot.domain.fire_times import next_fire_at

SCALE = range(11)


def valid_score(value: int) -> bool:
    return value in SCALE


@dataclass(frozen=True, slots=True)
class PainPoint:
    at: datetime
    score: int


@dataclass(frozen=True, slots=True)
class PainTrend:
    points: tuple[PainPoint, ...]

    @property
    def first(self) -> int | None:
        return self.points[0].score if self.points else None

    @property
    def latest(self) -> int | None:
        return self.points[-1].score if self.points else None

    @property
    def change(self) -> int | None:
        """Latest minus first; None with fewer than two scores."""
        if len(self.points) < 2:
            return None
        return self.points[-1].score - self.points[0].score

    @property
    def slope_per_week(self) -> float | None:
        """Least-squares slope in points per week; None with fewer than two distinct times."""
        if len(self.points) < 2:
            return None
        origin = self.points[0].at
        xs = [(p.at - origin).total_seconds() / (7 * 86400) for p in self.points]
        ys = [float(p.score) for p in self.points]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        spread = sum((x - mean_x) ** 2 for x in xs)
        if spread == 0:
            return None
        return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def trend(points: Sequence[PainPoint]) -> PainTrend:
    return PainTrend(tuple(sorted(points, key=lambda p: p.at)))


def change_label(change: int | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return "±0"
    return f"{change:+d}"


def next_checkin(weekday: int, at: time, zone: str, after: datetime) -> datetime:
    """The next check-in after `after`: local time `at` on `weekday` (0 = Monday) in `zone`."""
    return next_fire_at(at, Weekdays.from_indices([weekday]), zone, after)
