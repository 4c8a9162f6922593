"""Progress figures for /progress: streaks, Dones this week and month, per stretch, a day grid.

Every Done is counted on the local date it had *where the user was at the time*: each input
carries the IANA zone the user had then, so moving zones never shifts past days. "Today", the
week (Monday to Sunday) and the month are the user's current local ones.

A streak is a run of consecutive local days with at least one Done. The current streak is the
run that ends today or yesterday (so it isn't lost before today's prompt), else 0.

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

__all__ = ["GRID_WEEKS", "Done", "Progress", "progress"]

#: Weeks (Monday to Sunday) in the calendar heatmap, the current one last.
GRID_WEEKS = 8

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


def _follows(earlier: _Local, later_day: date, later_zone: tzinfo) -> bool:
    """Is ``later_day`` (in ``later_zone``) the next active day after ``earlier``'s?"""
    if later_day - earlier.day <= timedelta(days=1):
        return True
    return later_day - _day_in(earlier.at, later_zone) <= timedelta(days=1)


def progress(
    dones: Iterable[Done],
    *,
    now: datetime,
    zone: Zone,
) -> Progress:
    """The figures for a user whose current zone is ``zone``, at the instant ``now``."""
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

    best = run = 0
    previous: date | None = None
    for day in days:
        if previous is not None and _follows(last_of[previous], day, first_of[day].zone):
            run += 1
        else:
            run = 1
        best = max(best, run)
        previous = day

    current = 0
    if days:
        last_day = days[-1]
        # A Done dated after today can only come from a zone change westward: still current.
        if last_day >= today or _follows(last_of[last_day], today, current_zone):
            current = run

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
    )
