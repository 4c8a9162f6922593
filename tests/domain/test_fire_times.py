"""Fire times across DST changes (issue 5, "Fire times").

Clock changes in 2026 used below:

* Pacific/Auckland: forward Sun 27 Sep 02:00 NZST -> 03:00 NZDT; back Sun 5 Apr 03:00 -> 02:00.
* Europe/London: forward Sun 29 Mar 01:00 GMT -> 02:00 BST; back Sun 25 Oct 02:00 -> 01:00.
* America/New_York: forward Sun 8 Mar 02:00 EST -> 03:00 EDT; back Sun 1 Nov 02:00 -> 01:00.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from importlib.metadata import version

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.domain.clock_times import Weekdays
from bot.domain.fire_times import (
    MIN_APSCHEDULER_VERSION,
    check_apscheduler_version,
    local_date,
    next_fire_at,
    resume_instant,
)
from bot.domain.zones import UnknownZoneError, get_zone
from bot.services.zone_lookup import canonical_zones

EVERY_DAY = Weekdays.EVERY_DAY


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def fires(
    local_time: time, days: Weekdays, zone: str, start: datetime, end: datetime
) -> list[datetime]:
    """Iterate next_fire_at from each fire to the next, as the dispatcher does."""
    out: list[datetime] = []
    moment = next_fire_at(local_time, days, zone, start)
    while moment < end:
        out.append(moment)
        moment = next_fire_at(local_time, days, zone, moment)
    return out


def test_installed_apscheduler_has_the_dst_fold_fixes() -> None:
    installed = tuple(int(p) for p in version("APScheduler").split(".")[:3])
    assert installed >= (3, 11, 2)
    assert MIN_APSCHEDULER_VERSION == (3, 11, 2)
    assert check_apscheduler_version() == version("APScheduler")


# --------------------------------------------------------------------------------------------
# Spring forward: the slot's wall time does not exist that day.

SPRING_FORWARD = [
    # zone, slot, the day clocks go forward, expected fire on that day (UTC)
    ("Pacific/Auckland", time(2, 30), date(2026, 9, 27), utc(2026, 9, 26, 14, 30)),  # 03:30 NZDT
    ("Europe/London", time(1, 30), date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),  # 02:30 BST
    ("America/New_York", time(2, 30), date(2026, 3, 8), utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
]


@pytest.mark.parametrize(
    ("zone", "slot", "day", "expected"), SPRING_FORWARD, ids=[r[0] for r in SPRING_FORWARD]
)
def test_missing_wall_time_fires_exactly_once_an_hour_later(
    zone: str, slot: time, day: date, expected: datetime
) -> None:
    tz = get_zone(zone)
    start = datetime.combine(day - timedelta(days=3), time(12, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=3), time(12, 0), tzinfo=tz)
    moments = fires(slot, EVERY_DAY, zone, start, end)
    per_day = Counter(m.astimezone(tz).date() for m in moments)
    assert set(per_day.values()) == {1}, per_day
    assert len(moments) == 6
    on_the_day = [m for m in moments if m.astimezone(tz).date() == day]
    # APScheduler reads the missing wall time with the old offset: one hour later on the new clock.
    assert on_the_day == [expected]
    assert on_the_day[0].astimezone(tz).time() == time(slot.hour + 1, slot.minute)


def test_search_starting_inside_the_missing_hour_still_fires_that_day() -> None:
    # 03:10 NZDT on 27 Sep 2026, just after clocks jumped from 02:00 to 03:00. The bare trigger
    # would skip to the 28th; the day's 02:30 is read as 03:30 NZDT, as from before the change.
    after = utc(2026, 9, 26, 14, 10)
    assert next_fire_at(time(2, 30), EVERY_DAY, "Pacific/Auckland", after) == utc(
        2026, 9, 26, 14, 30
    )
    trigger = CronTrigger(hour=2, minute=30, timezone=get_zone("Pacific/Auckland"))
    bare = trigger.get_next_fire_time(None, after)
    assert bare.astimezone(UTC) == utc(2026, 9, 27, 13, 30)  # APScheduler alone: the 28th


def test_bare_crontrigger_skips_the_day_after_spring_forward() -> None:
    """Characterises APScheduler 3.11.3 (why next_fire_at checks the days it passes over)."""
    tz = get_zone("America/New_York")
    trigger = CronTrigger(hour=0, minute=30, timezone=tz)
    sunday = trigger.get_next_fire_time(None, utc(2026, 3, 8, 0, 0))
    after_sunday = trigger.get_next_fire_time(sunday, sunday)
    assert sunday.astimezone(tz).date() == date(2026, 3, 8)
    assert after_sunday.astimezone(tz).date() == date(2026, 3, 10)  # Monday the 9th skipped
    monday = next_fire_at(time(0, 30), EVERY_DAY, "America/New_York", sunday)
    assert monday.astimezone(tz) == datetime(2026, 3, 9, 0, 30, tzinfo=tz)


# --------------------------------------------------------------------------------------------
# Fall back: the slot's wall time happens twice.

FALL_BACK = [
    # zone, slot, the day clocks go back, first occurrence (UTC)
    ("Pacific/Auckland", time(2, 30), date(2026, 4, 5), utc(2026, 4, 4, 13, 30)),  # NZDT
    ("Europe/London", time(1, 30), date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # BST
    ("America/New_York", time(1, 30), date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),  # EDT
]


@pytest.mark.parametrize(
    ("zone", "slot", "day", "first_occurrence"), FALL_BACK, ids=[r[0] for r in FALL_BACK]
)
def test_repeated_wall_time_fires_once_not_twice(
    zone: str, slot: time, day: date, first_occurrence: datetime
) -> None:
    tz = get_zone(zone)
    start = datetime.combine(day - timedelta(days=3), time(12, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=3), time(12, 0), tzinfo=tz)
    moments = fires(slot, EVERY_DAY, zone, start, end)
    per_day = Counter(m.astimezone(tz).date() for m in moments)
    assert set(per_day.values()) == {1}, per_day
    assert len(moments) == 6
    assert [m for m in moments if m.astimezone(tz).date() == day] == [first_occurrence]
    assert all(m.astimezone(tz).time() == slot for m in moments)


@pytest.mark.parametrize(
    ("zone", "slot", "day", "first_occurrence"), FALL_BACK, ids=[r[0] for r in FALL_BACK]
)
def test_bare_crontrigger_fires_twice_in_a_fold(
    zone: str, slot: time, day: date, first_occurrence: datetime
) -> None:
    """Characterises APScheduler itself: why next_fire_at skips the repeat.

    If a future APScheduler stops repeating, this test fails and the skip can go.
    """
    trigger = CronTrigger(hour=slot.hour, minute=slot.minute, timezone=get_zone(zone))
    first = trigger.get_next_fire_time(None, first_occurrence - timedelta(hours=1))
    second = trigger.get_next_fire_time(first, first)
    # (compared in UTC: == between zones is always False for a time inside a fold, PEP 495)
    assert first.astimezone(UTC) == first_occurrence
    assert second.astimezone(UTC) - first_occurrence == timedelta(hours=1)
    assert second.replace(tzinfo=None) == first.replace(tzinfo=None)  # same wall time
    following = next_fire_at(slot, EVERY_DAY, zone, first).astimezone(get_zone(zone))
    assert (following.date(), following.time()) == (day + timedelta(days=1), slot)


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "Europe/London", "America/New_York"])
@pytest.mark.parametrize("slot", [time(0, 30), time(1, 30), time(2, 30), time(3, 0), time(8, 0)])
def test_a_whole_year_fires_exactly_once_every_local_day(zone: str, slot: time) -> None:
    tz = get_zone(zone)
    start = datetime(2026, 1, 1, tzinfo=tz)
    end = datetime(2027, 1, 1, tzinfo=tz)
    moments = fires(slot, EVERY_DAY, zone, start, end)
    per_day = Counter(m.astimezone(tz).date() for m in moments)
    assert len(per_day) == 365
    assert set(per_day.values()) == {1}
    assert moments == sorted(moments)
    assert all(m.tzinfo is UTC for m in moments)


# --------------------------------------------------------------------------------------------
# 08:00 stays 08:00


STAYS_AT_EIGHT = [
    # story, zone, a day before the change, UTC offsets before and after (hours)
    ("auckland: daylight saving starts", "Pacific/Auckland", date(2026, 9, 25), 12, 13),
    ("auckland: daylight saving ends", "Pacific/Auckland", date(2026, 4, 3), 13, 12),
    ("london: clocks go forward", "Europe/London", date(2026, 3, 27), 0, 1),
    ("london: clocks go back", "Europe/London", date(2026, 10, 23), 1, 0),
    ("new york: clocks go forward", "America/New_York", date(2026, 3, 6), -5, -4),
    ("new york: clocks go back", "America/New_York", date(2026, 10, 30), -4, -5),
]


@pytest.mark.parametrize(
    ("zone", "day", "before", "after"),
    [r[1:] for r in STAYS_AT_EIGHT],
    ids=[r[0] for r in STAYS_AT_EIGHT],
)
def test_a_user_at_0800_keeps_0800_across_the_change(
    zone: str, day: date, before: int, after: int
) -> None:
    tz = get_zone(zone)
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    moments = fires(time(8, 0), EVERY_DAY, zone, start, start + timedelta(days=5))
    assert len(moments) == 5
    assert all(m.astimezone(tz).time() == time(8, 0) for m in moments)
    offsets = [m.astimezone(tz).utcoffset() for m in moments]
    assert offsets[0] == timedelta(hours=before)
    assert offsets[-1] == timedelta(hours=after)
    assert moments[0].hour == (8 - before) % 24
    assert moments[-1].hour == (8 - after) % 24


def test_auckland_story_in_utc() -> None:
    # Sat 26 Sep 08:00 NZST = Fri 20:00 UTC; Sun 27 Sep 08:00 NZDT = Sat 19:00 UTC.
    saturday = next_fire_at(time(8, 0), EVERY_DAY, "Pacific/Auckland", utc(2026, 9, 25, 12, 0))
    sunday = next_fire_at(time(8, 0), EVERY_DAY, "Pacific/Auckland", saturday)
    assert saturday == utc(2026, 9, 25, 20, 0)
    assert sunday == utc(2026, 9, 26, 19, 0)
    assert sunday - saturday == timedelta(hours=23)


# --------------------------------------------------------------------------------------------
# Days of the week, strictness, zone changes, pauses

WEEKDAY_CASES = [
    # story, days, zone, after (UTC), expected (UTC)
    (
        "mon-wed-fri from a saturday waits for monday",
        Weekdays.MON | Weekdays.WED | Weekdays.FRI,
        "Europe/London",
        utc(2026, 1, 17, 9, 0),  # Sat
        utc(2026, 1, 19, 8, 0),  # Mon 08:00 GMT
    ),
    (
        "weekdays after friday's prompt: monday",
        Weekdays.WEEKDAYS,
        "America/New_York",
        utc(2026, 1, 16, 13, 0),  # Fri 08:00 EST, the fire itself
        utc(2026, 1, 19, 13, 0),  # Mon 08:00 EST
    ),
    (
        "weekends from a wednesday",
        Weekdays.WEEKENDS,
        "Europe/London",
        utc(2026, 1, 14, 12, 0),
        utc(2026, 1, 17, 8, 0),
    ),
    (
        "auckland monday is sunday in utc",
        Weekdays.MON,
        "Pacific/Auckland",
        utc(2026, 1, 14, 0, 0),  # Wed
        utc(2026, 1, 18, 19, 0),  # Sun 19:00 UTC = Mon 08:00 NZDT
    ),
    (
        "new york sunday evening is monday in utc",
        Weekdays.SUN,
        "America/New_York",
        utc(2026, 1, 14, 0, 0),
        utc(2026, 1, 18, 13, 0),
    ),
]


@pytest.mark.parametrize(
    ("days", "zone", "after", "expected"),
    [r[1:] for r in WEEKDAY_CASES],
    ids=[r[0] for r in WEEKDAY_CASES],
)
def test_days_are_local_days(
    days: Weekdays, zone: str, after: datetime, expected: datetime
) -> None:
    result = next_fire_at(time(8, 0), days, zone, after)
    assert result == expected
    assert days.includes(result.astimezone(get_zone(zone)).weekday())


def test_weekdays_fire_on_five_local_days_a_week() -> None:
    zone = "Pacific/Auckland"
    start = utc(2026, 3, 1)
    moments = fires(time(21, 30), Weekdays.WEEKDAYS, zone, start, start + timedelta(weeks=8))
    assert len(moments) == 40
    assert {m.astimezone(get_zone(zone)).weekday() for m in moments} == {0, 1, 2, 3, 4}


def test_strictly_after() -> None:
    fire = utc(2026, 1, 15, 8, 0)
    london = "Europe/London"
    assert next_fire_at(time(8, 0), EVERY_DAY, london, fire - timedelta(microseconds=1)) == fire
    assert next_fire_at(time(8, 0), EVERY_DAY, london, fire) == fire + timedelta(days=1)
    assert next_fire_at(time(8, 0), EVERY_DAY, london, fire + timedelta(seconds=1)) == (
        fire + timedelta(days=1)
    )


def test_after_in_any_offset_and_seconds_ignored() -> None:
    after = datetime(2026, 1, 15, 9, 0, tzinfo=get_zone("Asia/Tokyo"))  # 00:00 UTC
    assert next_fire_at(time(8, 0, 59), EVERY_DAY, "Europe/London", after) == utc(2026, 1, 15, 8)


CHANGE_ZONE = [
    ("Pacific/Auckland", utc(2026, 1, 15, 19, 0)),
    ("Europe/London", utc(2026, 1, 16, 8, 0)),
    ("America/New_York", utc(2026, 1, 15, 13, 0)),
    ("Asia/Kolkata", utc(2026, 1, 16, 2, 30)),
    ("Asia/Kathmandu", utc(2026, 1, 16, 2, 15)),
    ("UTC", utc(2026, 1, 16, 8, 0)),
]


@pytest.mark.parametrize(("zone", "expected"), CHANGE_ZONE, ids=[z for z, _ in CHANGE_ZONE])
def test_changing_zone_recomputes(zone: str, expected: datetime) -> None:
    after = utc(2026, 1, 15, 12, 0)
    result = next_fire_at(time(8, 0), EVERY_DAY, zone, after)
    assert result == expected
    assert result.astimezone(get_zone(zone)).time() == time(8, 0)


PAUSES = [
    # story, slot, paused_until, expected (London, after Wed 14 Jan 2026 12:00 UTC)
    ("no pause", time(8, 0), None, utc(2026, 1, 15, 8, 0)),
    ("pause until saturday", time(8, 0), date(2026, 1, 17), utc(2026, 1, 17, 8, 0)),
    ("midnight slot fires as the pause ends", time(0, 0), date(2026, 1, 17), utc(2026, 1, 17)),
    ("pause already over", time(8, 0), date(2026, 1, 10), utc(2026, 1, 15, 8, 0)),
]


@pytest.mark.parametrize(
    ("slot", "until", "expected"), [r[1:] for r in PAUSES], ids=[r[0] for r in PAUSES]
)
def test_paused_until(slot: time, until: date | None, expected: datetime) -> None:
    after = utc(2026, 1, 14, 12, 0)
    assert next_fire_at(slot, EVERY_DAY, "Europe/London", after, paused_until=until) == expected


def test_resume_instant_and_local_date() -> None:
    assert resume_instant(date(2026, 9, 27), "Pacific/Auckland") == utc(2026, 9, 26, 12, 0)
    # Havana's clocks skip from 00:00 to 01:00 on 8 Mar 2026: the day starts at 01:00 CDT.
    assert resume_instant(date(2026, 3, 8), "America/Havana") == utc(2026, 3, 8, 5, 0)
    assert local_date(utc(2026, 1, 15, 11, 0), "Pacific/Auckland") == date(2026, 1, 16)
    assert local_date(utc(2026, 1, 15, 11, 0), "America/New_York") == date(2026, 1, 15)


ERRORS = [
    ("unknown zone", "Mars/Olympus_Mons", Weekdays.EVERY_DAY, UnknownZoneError, "Mars"),
    ("empty zone", "", Weekdays.EVERY_DAY, UnknownZoneError, "Unknown time zone"),
    ("no days", "Europe/London", Weekdays(0), ValueError, "no days"),
]


@pytest.mark.parametrize(
    ("zone", "days", "error", "match"), [r[1:] for r in ERRORS], ids=[r[0] for r in ERRORS]
)
def test_errors(zone: str, days: Weekdays, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        next_fire_at(time(8, 0), days, zone, utc(2026, 1, 1))


def test_naive_after_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_fire_at(time(8, 0), EVERY_DAY, "Europe/London", datetime(2026, 1, 1))


# --------------------------------------------------------------------------------------------
# Every quarter-hour slot around every 2026 clock change, in zones with awkward rules

AWKWARD_ZONES = [
    "Pacific/Auckland",
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",  # clocks move by 30 minutes, at 02:00
    "Pacific/Chatham",  # +12:45/+13:45, changes at 02:45
    "America/Havana",  # changes at midnight: 00:xx is missing or repeated
    "America/Santiago",  # changes at 24:00
    "America/Nuuk",  # changes on Saturday evening local time
]
QUARTER_HOURS = [time(h, m) for h in range(24) for m in (0, 15, 30, 45)]


def _clock_changes(zone: str) -> list[date]:
    tz = get_zone(zone)
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(366)]
    noon = [datetime.combine(d, time(12), tzinfo=tz).utcoffset() for d in days]
    return [days[i] for i in range(1, len(days)) if noon[i] != noon[i - 1]]


@pytest.mark.parametrize("zone", AWKWARD_ZONES)
def test_every_slot_fires_once_a_day_around_each_clock_change(zone: str) -> None:
    tz = get_zone(zone)
    changes = _clock_changes(zone)
    assert len(changes) == 2, changes
    for change in changes:
        first_day, last_day = change - timedelta(days=2), change + timedelta(days=2)
        start = datetime.combine(first_day, time(0), tzinfo=tz) - timedelta(microseconds=1)
        end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)
        for slot in QUARTER_HOURS:
            moments = fires(slot, EVERY_DAY, zone, start, end)
            # Each day's fire is the slot's wall time read by zoneinfo with fold=0: the first
            # occurrence of a repeated time, the old-offset reading of a missing one.
            expected = [
                datetime.combine(first_day + timedelta(days=i), slot, tzinfo=tz).astimezone(UTC)
                for i in range(5)
            ]
            assert moments == expected, (slot, [m.astimezone(tz) for m in moments])


EDGE_SLOTS = [time(0, 0), time(0, 30), time(1, 30), time(2, 30), time(23, 0), time(23, 30)]


def test_every_zone_with_clock_changes_fires_once_a_day_around_them() -> None:
    checked = 0
    for zone in canonical_zones():
        tz = get_zone(zone)
        for change in _clock_changes(zone):
            first_day = change - timedelta(days=2)
            start = datetime.combine(first_day, time(0), tzinfo=tz) - timedelta(microseconds=1)
            for slot in EDGE_SLOTS:
                expected = [
                    datetime.combine(first_day + timedelta(days=i), slot, tzinfo=tz).astimezone(UTC)
                    for i in range(4)
                ]
                moments = fires(slot, EVERY_DAY, zone, start, expected[-1] + timedelta(seconds=1))
                assert moments == expected, (zone, slot, [m.astimezone(tz) for m in moments])
                checked += 1
    assert checked > 500  # ~70 zones change clocks twice in 2026


def test_days_may_be_the_stored_int() -> None:
    after = utc(2026, 1, 17, 9, 0)  # Saturday
    stored = int(Weekdays.MON | Weekdays.WED | Weekdays.FRI)
    assert next_fire_at(time(8, 0), Weekdays(stored), "Europe/London", after) == utc(2026, 1, 19, 8)
