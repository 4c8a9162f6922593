"""When a practitioner hears about a patient: alerts' quiet hours and throttle, the Monday digest.

Pure rules (no I/O). An alert is never sent between 21:00 and 08:00 in the practitioner's zone
(it is held until 08:00), and at most one goes per patient per 6 hours: a second event within
6 hours of an alert already queued or sent is dropped (the practitioner's card shows it anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.zones import get_zone

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
ALERT_GAP = timedelta(hours=6)
# "Gone quiet": prompts went out, and nothing was answered for this long.
QUIET_AFTER = timedelta(days=7)
# A pain score this many points above the patient's first one is worth an alert.
PAIN_RISE = 3
DIGEST_WEEKDAY = 0  # Monday
DIGEST_AT = time(8, 0)


def _at_local(day: date, moment: time, zone: str) -> datetime:
    """`moment` on local `day` in `zone`, as UTC (the first occurrence of a repeated time)."""
    return datetime.combine(day, moment, tzinfo=get_zone(zone)).astimezone(UTC)


def outside_quiet_hours(moment: datetime, zone: str) -> datetime:
    """`moment` itself if it falls between 08:00 and 21:00 in `zone`, else the next 08:00."""
    local = moment.astimezone(get_zone(zone))
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return moment
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return _at_local(day, QUIET_UNTIL, zone)


def alert_due(event_at: datetime, zone: str, earlier_alerts: Iterable[datetime]) -> datetime | None:
    """When an alert for an event at `event_at` may go, or None if it must not go at all:
    `earlier_alerts` are the due times of this patient's alerts to this practitioner already
    queued or sent, and one of them is within 6 hours of this one."""
    due = outside_quiet_hours(event_at, zone)
    if any(abs(due - earlier) < ALERT_GAP for earlier in earlier_alerts):
        return None
    return due


def pain_rose(first: int | None, score: int) -> bool:
    """A score at least 3 points above the patient's first one (NRS 0-10)."""
    return first is not None and score - first >= PAIN_RISE


def gone_quiet(quiet_since: datetime, prompts_since: int, now: datetime) -> bool:
    """Prompts kept coming and nothing was answered for 7 days. `quiet_since`: the patient's
    last answer, or when they began sharing if later (a new patient is not "quiet" at once)."""
    return prompts_since > 0 and now - quiet_since >= QUIET_AFTER


def latest_digest_moment(now: datetime, zone: str) -> datetime:
    """The most recent Monday 08:00 in `zone` at or before `now` (UTC)."""
    local_day = now.astimezone(get_zone(zone)).date()
    monday = local_day - timedelta(days=(local_day.weekday() - DIGEST_WEEKDAY) % 7)
    moment = _at_local(monday, DIGEST_AT, zone)
    if moment > now:
        moment = _at_local(monday - timedelta(days=7), DIGEST_AT, zone)
    return moment
