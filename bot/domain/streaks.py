"""Progress figures for /progress: streaks, Dones this week and month, per stretch, a day grid.

Every Done is counted on the local date it had *where the user was at the time*: each input
carries the IANA zone the user had then, so moving zones never shifts past days. "Today", the
week (Monday to Sunday) and the month are the user's current local ones.

A day streak is a run of consecutive local days with at least one Done. The current streak is
the run that ends today or yesterday (so it isn't lost before today's prompt), else 0. With
``freezes_per_month`` (the bot gives one), a single missed day between two active days, or
yesterday while today is still open, is bridged by a "freeze" if that calendar month's freezes
aren't used up: the run carries on (a frozen day adds nothing to its length). Freezes are
derived from the history, never stored: the earliest gaps of a month use them.

The main streak is weekly, so a rest day never breaks it: a week (Monday to Sunday, local)
meets the goal with at least ``weekly_goal`` active days. The week streak counts consecutive
weeks meeting it, up to the current week if it already does, else up to last week (this week
isn't over yet).

Travel: flying east across many zones can make a local date vanish (a Done late on the 1st in
London, the next one early on the 3rd in Auckland, twenty hours later). Two active days count
as consecutive when they are, or when the earlier day's last Done falls, in the later day's
zone, on the day before (or the same day as) the later one. The same rule decides whether the
last active day still keeps the current streak alive when the zone has changed since.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from types import MappingProxyType

from bot.domain.zones import UnknownZoneError, get_zone

__all__ = ["DEFAULT_WEEKLY_GOAL", "GRID_WEEKS", "Done", "Progress", "progress"]

#: Weeks (Monday to Sunday) in the calendar heatmap, the current one last.
GRID_WEEKS = 8
#: Active days a week that meet the goal unless the user sets another (1 to 7).
DEFAULT_WEEKLY_GOAL = 5

Zone = str | tzinfo


@dataclass(frozen=True, slots=True)
class Done:
    """One Done answer: when (aware; any offset, UTC from the database), the user's zone at
    that time (an IANA name or a tzinfo), and which stretch."""

    at: datetime
    zone: Zone
    stretch_id: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    today: date  # the user's current local date
    current_streak: int
    best_streak: int
    done_this_week: int  # Monday to Sunday, local
    done_this_month: int
    total: int
    per_stretch: Mapping[str, int]  # stretch id -> Dones, most first (then by id)
    # The last GRID_WEEKS weeks, Monday first, the current week last (days after today are 0):
    # date -> Dones, in date order.
    grid: Mapping[date, int]
    weekly_goal: int = DEFAULT_WEEKLY_GOAL
    active_days_this_week: int = 0
    week_streak: int = 0  # consecutive weeks meeting the goal (see the module docstring)
    best_week_streak: int = 0
    # Missed days a freeze bridged (any month), and whether this month's freezes are used up.
    frozen_days: frozenset[date] = frozenset()
    freezes_left_this_month: int = 0

    @property
    def week_goal_met(self) -> bool:
        return self.active_days_this_week >= self.weekly_goal

    @property
    def is_empty(self) -> bool:
        """No Done at all yet: show a friendly "your first stretch starts it" instead of
        figures and an empty chart."""
        return self.total == 0

    @property
    def grid_is_empty(self) -> bool:
        """Nothing in the grid's weeks (Dones only before them): no chart worth sending."""
        return not any(self.grid.values())


def _zone(value: Zone) -> tzinfo:
    """A tzinfo; an invalid stored zone name falls back to UTC rather than failing /progress."""
    if isinstance(value, tzinfo):
        return value
    try:
        return get_zone(value)
    except UnknownZoneError:
        return UTC


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {moment!r}")
    return moment


@dataclass(frozen=True, slots=True)
class _Local:
    at: datetime
    zone: tzinfo
    day: date
    stretch_id: str


def _day_in(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def _gap(earlier: _Local, later_day: date, later_zone: tzinfo) -> int:
    """Days from ``earlier``'s active day to ``later_day`` (in ``later_zone``): 1 means the
    next day. A zone change counts in the user's favour (see the module docstring)."""
    return min((later_day - earlier.day).days, (later_day - _day_in(earlier.at, later_zone)).days)


class _Freezes:
    """One calendar month's allowance of bridged missed days, used in date order."""

    def __init__(self, per_month: int) -> None:
        self.per_month = per_month
        self.used: Counter[tuple[int, int]] = Counter()
        self.days: set[date] = set()

    def bridge(self, missed: date) -> bool:
        month = (missed.year, missed.month)
        if self.used[month] >= self.per_month:
            return False
        self.used[month] += 1
        self.days.add(missed)
        return True

    def left(self, today: date) -> int:
        return max(self.per_month - self.used[(today.year, today.month)], 0)


def _week_streaks(active: Iterable[date], today: date, goal: int) -> tuple[int, int, int]:
    """(active days this week, current week streak, best week streak)."""
    per_week = Counter(day - timedelta(days=day.weekday()) for day in active)
    this_monday = today - timedelta(days=today.weekday())
    met = sorted(monday for monday, days in per_week.items() if days >= goal)
    best = run = 0
    previous: date | None = None
    for monday in met:
        run = run + 1 if previous == monday - timedelta(weeks=1) else 1
        best = max(best, run)
        previous = monday
    current = 0
    # This week counts once it meets the goal; until then the streak runs to last week.
    end = this_monday if per_week[this_monday] >= goal else this_monday - timedelta(weeks=1)
    while per_week[end] >= goal:
        current += 1
        end -= timedelta(weeks=1)
    return per_week[this_monday], current, best


def progress(
    dones: Iterable[Done],
    *,
    now: datetime,
    zone: Zone,
    weekly_goal: int = DEFAULT_WEEKLY_GOAL,
    freezes_per_month: int = 0,
) -> Progress:
    """The figures for a user whose current zone is ``zone``, at the instant ``now``."""
    if not 1 <= weekly_goal <= 7:
        raise ValueError(f"weekly_goal must be 1 to 7, not {weekly_goal}")
    current_zone = _zone(zone)
    today = _day_in(_aware(now, "now"), current_zone)
    events = sorted(
        (
            _Local(
                at=_aware(d.at, "Done.at"),
                zone=(z := _zone(d.zone)),
                day=_day_in(d.at, z),
                stretch_id=d.stretch_id,
            )
            for d in dones
        ),
        key=lambda e: e.at,
    )

    # Active days with the first and last Done of each (by instant).
    first_of: dict[date, _Local] = {}
    last_of: dict[date, _Local] = {}
    for event in events:
        first = first_of.get(event.day)
        if first is None or event.at < first.at:
            first_of[event.day] = event
        last = last_of.get(event.day)
        if last is None or event.at >= last.at:
            last_of[event.day] = event
    days = sorted(first_of)

    freezes = _Freezes(freezes_per_month)

    def carries_on(earlier: _Local, day: date, zone: tzinfo) -> bool:
        gap = _gap(earlier, day, zone)
        return gap <= 1 or (gap == 2 and freezes.bridge(day - timedelta(days=1)))

    best = run = 0
    previous: date | None = None
    for day in days:
        if previous is not None and carries_on(last_of[previous], day, first_of[day].zone):
            run += 1
        else:
            run = 1
        best = max(best, run)
        previous = day

    current = 0
    if days:
        last_day = days[-1]
        # A Done dated after today can only come from a zone change westward: still current.
        if last_day >= today or carries_on(last_of[last_day], today, current_zone):
            current = run

    active_this_week, week_streak, best_week_streak = _week_streaks(days, today, weekly_goal)
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    per_day = Counter(e.day for e in events)
    grid_start = monday - timedelta(weeks=GRID_WEEKS - 1)
    grid = {
        grid_start + timedelta(days=i): per_day.get(grid_start + timedelta(days=i), 0)
        for i in range(GRID_WEEKS * 7)
    }
    per_stretch = Counter(e.stretch_id for e in events)
    return Progress(
        today=today,
        current_streak=current,
        best_streak=best,
        done_this_week=sum(1 for e in events if monday <= e.day <= sunday),
        done_this_month=sum(
            1 for e in events if (e.day.year, e.day.month) == (today.year, today.month)
        ),
        total=len(events),
        per_stretch=MappingProxyType(
            dict(sorted(per_stretch.items(), key=lambda item: (-item[1], item[0])))
        ),
        grid=MappingProxyType(grid),
        weekly_goal=weekly_goal,
        active_days_this_week=active_this_week,
        week_streak=week_streak,
        best_week_streak=best_week_streak,
        frozen_days=frozenset(freezes.days),
        freezes_left_this_month=freezes.left(today),
    )
