"""When a schedule slot fires next: a local wall-clock time on chosen days, in an IANA zone.

The computation is APScheduler's ``CronTrigger`` in the user's zone (it knows the zone's daylight
saving rules through ``zoneinfo``); there is no offset arithmetic here. What it does around a
change of clocks, measured on APScheduler 3.11.3 and pinned by tests:

* **Spring forward** (the slot's wall time does not exist that day, e.g. 02:30 in New York on the
  second Sunday of March): the trigger fires **once**, at the instant that wall time would have
  had with the old offset, i.e. one hour later by the new clock (03:30 EDT).
* **Fall back** (the wall time happens twice): the bare trigger fires **twice**, once at each
  occurrence. We keep the first occurrence only and skip the repeat, so the slot fires once.
* **Around a change** the bare trigger can also skip a whole day: a 00:30 slot in New York fires
  on 8 March 2026 and then on the 10th; Havana's 00:00 on its change day (clocks jump from
  midnight) and a search that starts inside the skipped hour are dropped too. Whenever a search
  crosses a change of offset, each chosen day before APScheduler's answer is checked with
  zoneinfo, and the slot fires that day (a missing wall time read with the old offset, as above).

So: a slot fires exactly once on each chosen local day, at ``datetime.combine(day, slot,
tzinfo=zone)`` (``fold=0``): the first occurrence of a repeated time, the old-offset reading of a
missing one. The tests check this for every quarter hour around every 2026 change in awkward zones.

Everything takes and returns aware datetimes; results are in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from apscheduler.triggers.cron import CronTrigger

from bot.domain.clock_times import Weekdays
from bot.domain.zones import UnknownZoneError, get_zone

__all__ = [
    "UnknownZoneError",
    "local_date",
    "next_fire_at",
    "resume_instant",
]

_ONE_MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=4096)
def _trigger(hour: int, minute: int, days: int, zone: str) -> CronTrigger:
    return CronTrigger(
        hour=hour,
        minute=minute,
        second=0,
        day_of_week=Weekdays(days).cron,
        timezone=get_zone(zone),
    )


def next_fire_at(
    local_time: time,
    days: Weekdays,
    zone: str,
    after: datetime,
    *,
    paused_until: date | None = None,
) -> datetime:
    """The first instant strictly after ``after`` when ``local_time`` on ``days`` is in ``zone``.

    Returned as an aware UTC datetime. ``local_time`` is taken to the minute. With
    ``paused_until`` (the first local date on which prompts resume, as from
    :func:`bot.domain.pause.parse_pause`), nothing fires before that date starts in ``zone``.

    Raises :class:`UnknownZoneError` for a zone name the tz database doesn't know and
    ``ValueError`` for no days or a naive ``after``.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be an aware datetime")
    days = Weekdays(days)  # also accepts the stored int
    if not days:
        raise ValueError("no days chosen: a slot needs at least one day")
    slot = time(local_time.hour, local_time.minute)
    trigger = _trigger(slot.hour, slot.minute, int(days), zone)
    start = after.astimezone(UTC)
    if paused_until is not None:
        start = max(start, resume_instant(paused_until, zone) - _ONE_MICROSECOND)
    tz = get_zone(zone)
    while True:
        candidate = _first_fire_after(trigger, tz, slot, days, start)
        if not _is_repeated_wall_time(candidate):
            return candidate.astimezone(UTC)
        start = candidate.astimezone(UTC)


def _first_fire_after(
    trigger: CronTrigger, tz: tzinfo, slot: time, days: Weekdays, start: datetime
) -> datetime:
    # get_next_fire_time(None, now) returns the first fire time >= now (rounded up to the
    # second); one microsecond later makes it strictly after.
    candidate = _ask(trigger, start + _ONE_MICROSECOND)
    offsets = {candidate.utcoffset(), start.astimezone(tz).utcoffset()}
    offsets.add((start - timedelta(days=1)).astimezone(tz).utcoffset())
    if len(offsets) == 1:
        return candidate
    # The search is near a change of clocks, where APScheduler 3.11.3 can skip a day: carrying
    # into the next day it adds wall-clock time as elapsed time, so after a 23-hour day it lands
    # an hour late (a 00:30 slot in New York skips 9 March 2026; agronholm/apscheduler#529, #606);
    # a slot whose wall time is missing at the start or end of a day (Havana's 00:00 on 8 March,
    # Nuuk's Saturday 23:00), or a search starting inside the missing hour, drops that day.
    # So check each chosen local day before the candidate: the slot's wall time that day, read
    # by zoneinfo (a missing wall time is read with the offset before the change, as APScheduler
    # itself does for 02:30 in New York).
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= candidate.astimezone(tz).date():
        if days.includes(day.weekday()):
            moment = datetime.combine(day, slot, tzinfo=tz)
            if start < moment.astimezone(UTC) < candidate.astimezone(UTC):
                return moment
        day += timedelta(days=1)
    return candidate


def _ask(trigger: CronTrigger, now: datetime) -> datetime:
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    if fire is None:  # pragma: no cover - a cron with days and no end date always fires
        raise ValueError("the schedule never fires")
    return fire


def _is_repeated_wall_time(moment: datetime) -> bool:
    """Whether ``moment`` is the second occurrence of a wall time repeated when clocks go back."""
    first = moment.replace(fold=0)
    if first.astimezone(UTC) >= moment.astimezone(UTC):
        return False
    # An earlier instant with the same wall clock: a fold (in a gap the fold=0 reading is later).
    tz = moment.tzinfo
    return first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == moment.replace(
        tzinfo=None, fold=0
    )


def local_date(now: datetime, zone: str) -> date:
    """Today's date in ``zone`` at the instant ``now`` (aware)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(get_zone(zone)).date()


def resume_instant(day: date, zone: str) -> datetime:
    """The UTC instant at which local ``day`` begins in ``zone`` (when a pause ends)."""
    tz = get_zone(zone)
    midnight = datetime.combine(day, time(0, 0), tzinfo=tz)
    # Where clocks skip midnight (DST starting at 00:00, e.g. America/Havana) zoneinfo reads the
    # missing 00:00 with the old offset: the instant the day really begins (01:00 new time).
    return midnight.astimezone(UTC)
