"""A practitioner's alerts: never at night in their zone, at most one per patient per 6 hours."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.clinic_alerts import (
    ALERT_GAP,
    alert_due,
    gone_quiet,
    latest_digest_moment,
    outside_quiet_hours,
    pain_rose,
)
from bot.domain.zones import get_zone

AUCKLAND = "Pacific/Auckland"
# Wednesday 25 November 2026: 10:00 UTC is 23:00 in Auckland (NZDT, UTC+13).
WED_10_UTC = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def local(moment: datetime, zone: str = AUCKLAND) -> str:
    return f"{moment.astimezone(get_zone(zone)):%a %H:%M}"


def test_an_alert_in_the_day_goes_at_once() -> None:
    afternoon = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 14:30 in Auckland
    assert alert_due(afternoon, AUCKLAND, []) == afternoon


def test_an_alert_at_night_is_held_until_eight_next_morning() -> None:
    due = alert_due(WED_10_UTC, AUCKLAND, [])
    assert due is not None
    assert local(due) == "Thu 08:00"


def test_an_alert_just_after_midnight_waits_for_eight_the_same_morning() -> None:
    due = outside_quiet_hours(datetime(2026, 11, 25, 12, 5, tzinfo=UTC), AUCKLAND)  # Thu 01:05
    assert local(due) == "Thu 08:00"


def test_quiet_hours_edges() -> None:
    zone = "Europe/London"
    eight = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert outside_quiet_hours(eight, zone) == eight
    before_nine_pm = datetime(2026, 11, 25, 20, 59, tzinfo=UTC)
    assert outside_quiet_hours(before_nine_pm, zone) == before_nine_pm
    nine_pm = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
    assert outside_quiet_hours(nine_pm, zone) == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_a_second_event_within_six_hours_of_an_alert_is_dropped() -> None:
    first = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 14:00 in Auckland
    assert alert_due(first + timedelta(hours=5, minutes=59), AUCKLAND, [first]) is None
    later = first + ALERT_GAP
    assert alert_due(later, AUCKLAND, [first]) == later


def test_two_night_events_share_one_morning_alert() -> None:
    held = alert_due(WED_10_UTC, AUCKLAND, [])
    assert held is not None
    assert alert_due(WED_10_UTC + timedelta(hours=3), AUCKLAND, [held]) is None


@given(
    events=st.lists(
        st.datetimes(
            min_value=datetime(2026, 1, 1),
            max_value=datetime(2026, 12, 31),
            timezones=st.just(UTC),
        ),
        max_size=30,
    ),
    zone=st.sampled_from([AUCKLAND, "Europe/London", "America/New_York", "Asia/Kolkata"]),
)
def test_alerts_never_at_night_and_never_closer_than_six_hours(
    events: list[datetime], zone: str
) -> None:
    sent: list[datetime] = []
    for event in sorted(events):
        due = alert_due(event, zone, sent)
        if due is None:
            continue
        assert due >= event
        hour = due.astimezone(get_zone(zone)).hour
        assert 8 <= hour < 21, (event, due)
        sent.append(due)
    sent.sort()
    assert all(b - a >= ALERT_GAP for a, b in itertools.pairwise(sent))


def test_pain_rise_counts_from_the_first_score() -> None:
    assert pain_rose(3, 6)
    assert not pain_rose(3, 5)
    assert not pain_rose(None, 9)
    assert not pain_rose(7, 2)


def test_gone_quiet_needs_a_week_of_unanswered_prompts() -> None:
    now = WED_10_UTC
    assert gone_quiet(now - timedelta(days=7), prompts_since=3, now=now)
    assert not gone_quiet(now - timedelta(days=6, hours=23), prompts_since=3, now=now)
    # Paused or stopped: no prompts, so not "quiet".
    assert not gone_quiet(now - timedelta(days=30), prompts_since=0, now=now)


def test_digest_moment_is_the_last_monday_eight_in_the_practitioners_zone() -> None:
    # Wednesday 23:00 in Auckland: Monday 23 Nov 08:00 NZDT = Sunday 22 Nov 19:00 UTC.
    assert latest_digest_moment(WED_10_UTC, AUCKLAND) == datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    monday_seven = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 07:00 in London: not yet
    assert latest_digest_moment(monday_seven, "Europe/London") == datetime(
        2026, 11, 23, 8, 0, tzinfo=UTC
    )
    monday_eight = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert latest_digest_moment(monday_eight, "Europe/London") == monday_eight
