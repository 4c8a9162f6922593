"""Typed reminder times and days (issue 4, "Reminder times")."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.clock_times import (
    MAX_TIMES_PER_DAY,
    DaysParseError,
    TimeParseError,
    Weekdays,
    format_time,
    format_times,
    looks_like_time,
    parse_days,
    parse_time,
    parse_times,
)

VALID_TIMES = [
    ("7:30", time(7, 30)),
    ("07.30", time(7, 30)),
    ("7:30pm", time(19, 30)),
    ("7.30 PM", time(19, 30)),
    ("7:30 p.m.", time(19, 30)),
    ("7:30 P.M.", time(19, 30)),
    ("7:30am", time(7, 30)),
    ("19:00", time(19, 0)),
    ("00:00", time(0, 0)),
    ("23:59", time(23, 59)),
    ("7pm", time(19, 0)),
    ("7 am", time(7, 0)),
    ("7p", time(19, 0)),
    ("12am", time(0, 0)),
    ("12pm", time(12, 0)),
    ("12:30am", time(0, 30)),
    ("1930", time(19, 30)),
    ("0730", time(7, 30)),
    ("730", time(7, 30)),
    ("730pm", time(19, 30)),
    ("0000", time(0, 0)),
    ("7h30", time(7, 30)),
    ("19h", time(19, 0)),
    ("19", time(19, 0)),
    ("noon", time(12, 0)),
    ("Midday", time(12, 0)),
    ("midnight", time(0, 0)),
    ("  18:05  ", time(18, 5)),
    ("７：３０", time(7, 30)),  # full-width, as typed with a CJK keyboard
]


@pytest.mark.parametrize(("text", "expected"), VALID_TIMES, ids=[t for t, _ in VALID_TIMES])
def test_parse_time_accepts(text: str, expected: time) -> None:
    assert parse_time(text) == expected


INVALID_TIMES = [
    ("25:99", "Hours go from 0 to 23"),
    ("24:00", "midnight"),
    ("2400", "midnight"),
    ("tomorrow", "couldn't read"),
    ("", "Please type a time"),
    ("   \t\n", "Please type a time"),
    ("😀" * 500, "too long"),
    ("😀", "couldn't read"),
    ("13pm", "1 to 12"),
    ("0am", "1 to 12"),
    ("19:00pm", "1 to 12"),
    ("7:3", "two digits"),
    ("7:300", "two digits"),
    ("7:60", "Minutes go from 00 to 59"),
    ("7.", "missing the minutes"),
    ("7", "morning or the evening"),
    ("12", "morning or the evening"),
    ("12345", "couldn't read"),
    ("7:30x", "couldn't read"),
    ("07:30:00", "couldn't read"),
    ("-7:30", "couldn't read"),
    ("7:30, 8:30", "couldn't read"),  # one time expected here; lists go to parse_times
]


@pytest.mark.parametrize(("text", "reason"), INVALID_TIMES, ids=[t[:12] for t, _ in INVALID_TIMES])
def test_parse_time_refuses_with_a_reason_and_an_example(text: str, reason: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_time(text)
    assert reason in caught.value.reason
    assert caught.value.example.startswith("Try ")
    assert caught.value.message == f"{caught.value.reason} {caught.value.example}"
    assert len(caught.value.message) < 200  # never echoes a huge input back


def test_bare_hour_hint_suggests_both_readings() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_time("7")
    assert caught.value.example == "Try 7:00, 7am or 7pm."


VALID_LISTS = [
    ("7:30, 18:00", (time(7, 30), time(18, 0))),
    ("18:00, 7:30", (time(7, 30), time(18, 0))),
    ("7am and 6pm", (time(7, 0), time(18, 0))),
    ("7:30 pm 8pm", (time(19, 30), time(20, 0))),
    ("7:30; 12:30; 18:00", (time(7, 30), time(12, 30), time(18, 0))),
    ("7:30 7:30 07.30", (time(7, 30),)),
    ("7:30,,  ,18:00", (time(7, 30), time(18, 0))),
    ("noon & midnight", (time(0, 0), time(12, 0))),
    ("7am,8am,9am,10am,11am,12pm", tuple(time(h, 0) for h in range(7, 13))),
    ("1930", (time(19, 30),)),
]


@pytest.mark.parametrize(("text", "expected"), VALID_LISTS, ids=[t for t, _ in VALID_LISTS])
def test_parse_times_distinct_and_sorted(text: str, expected: tuple[time, ...]) -> None:
    assert parse_times(text) == expected


INVALID_LISTS = [
    ("7am,8am,9am,10am,11am,12pm,1pm", "at most 6"),
    ("7:30, tomorrow", "'tomorrow'"),
    ("7:30, 25:00", "Hours go from 0 to 23"),
    ("", "Please type a time"),
    (" , ; ", "Please type a time"),
    ("😀" * 500, "too long"),
    ("7:30x, 8:00", "'7:30x'"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID_LISTS, ids=[t[:16] for t, _ in INVALID_LISTS])
def test_parse_times_refuses(text: str, reason: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_times(text)
    assert reason in caught.value.reason


def test_max_times_per_day_is_six() -> None:
    assert MAX_TIMES_PER_DAY == 6
    assert len(parse_times("1am 2am 3am", max_times=3)) == 3
    with pytest.raises(TimeParseError):
        parse_times("1am 2am 3am 4am", max_times=3)


def test_format() -> None:
    assert format_time(time(7, 5)) == "07:05"
    assert format_times([time(18, 0), time(7, 30)]) == "07:30, 18:00"


VALID_DAYS = [
    ("every day", Weekdays.EVERY_DAY, "Every day"),
    ("Every Day", Weekdays.EVERY_DAY, "Every day"),
    ("everyday", Weekdays.EVERY_DAY, "Every day"),
    ("daily", Weekdays.EVERY_DAY, "Every day"),
    ("weekdays", Weekdays.WEEKDAYS, "Weekdays"),
    ("weekends", Weekdays.WEEKENDS, "Weekends"),
    ("mon,wed,fri", Weekdays.MON | Weekdays.WED | Weekdays.FRI, "Mon, Wed, Fri"),
    ("Monday, Wednesday and Friday", Weekdays.MON | Weekdays.WED | Weekdays.FRI, "Mon, Wed, Fri"),
    ("fri wed mon", Weekdays.MON | Weekdays.WED | Weekdays.FRI, "Mon, Wed, Fri"),
    ("Mon-Fri", Weekdays.WEEKDAYS, "Weekdays"),
    ("mon–sun", Weekdays.EVERY_DAY, "Every day"),
    ("tue to thu", Weekdays.TUE | Weekdays.WED | Weekdays.THU, "Tue, Wed, Thu"),
    ("fri-mon", Weekdays.FRI | Weekdays.SAT | Weekdays.SUN | Weekdays.MON, "Mon, Fri, Sat, Sun"),
    ("sat, sun", Weekdays.WEEKENDS, "Weekends"),
    ("every monday", Weekdays.MON, "Mon"),
    ("mondays and thursdays", Weekdays.MON | Weekdays.THU, "Mon, Thu"),
    ("tues, thurs", Weekdays.TUE | Weekdays.THU, "Tue, Thu"),
    ("weekends, wed", Weekdays.WED | Weekdays.WEEKENDS, "Wed, Sat, Sun"),
]


@pytest.mark.parametrize(
    ("text", "expected", "label"), VALID_DAYS, ids=[t for t, _, _ in VALID_DAYS]
)
def test_parse_days(text: str, expected: Weekdays, label: str) -> None:
    days = parse_days(text)
    assert days == expected
    assert days.label == label
    assert Weekdays.parse(text) == expected


INVALID_DAYS = [
    ("", "at least one day"),
    ("   ", "at least one day"),
    ("blursday", "'blursday'"),
    ("mon, funday", "'funday'"),
    ("tomorrow", "'tomorrow'"),
    ("x" * 500, "too long"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID_DAYS, ids=[t[:12] for t, _ in INVALID_DAYS])
def test_parse_days_refuses(text: str, reason: str) -> None:
    with pytest.raises(DaysParseError) as caught:
        parse_days(text)
    assert reason in caught.value.reason
    assert "weekdays" in caught.value.message


def test_weekdays_values_are_stable_for_storage() -> None:
    # Stored in the DB as an int: these numbers must never change.
    assert int(Weekdays.MON) == 1
    assert int(Weekdays.SUN) == 64
    assert int(Weekdays.EVERY_DAY) == 127
    assert int(Weekdays.WEEKDAYS) == 31
    assert int(Weekdays.WEEKENDS) == 96
    assert Weekdays(21) == Weekdays.MON | Weekdays.WED | Weekdays.FRI


def test_weekdays_indices_follow_date_weekday() -> None:
    days = Weekdays.from_indices([0, 2, 4])
    assert days.indices == (0, 2, 4)
    assert days.includes(2)
    assert not days.includes(1)
    assert days.cron == "mon,wed,fri"
    assert Weekdays.EVERY_DAY.cron == "mon,tue,wed,thu,fri,sat,sun"
    assert Weekdays(0).label == "No days"
    with pytest.raises(ValueError, match="out of range"):
        Weekdays.from_indices([7])
    with pytest.raises(ValueError, match="no days"):
        _ = Weekdays(0).cron


def test_a_users_days_are_those_of_their_slots_and_every_day_before_any_time_is_set() -> None:
    weekends = int(Weekdays.WEEKENDS)
    assert Weekdays.of_slots([weekends, weekends]) is Weekdays.WEEKENDS
    assert (
        Weekdays.of_slots(iter([int(Weekdays.MON | Weekdays.FRI)])) == Weekdays.MON | Weekdays.FRI
    )
    assert Weekdays.of_slots([]) is Weekdays.EVERY_DAY


@pytest.mark.parametrize(
    "text",
    ["9:99", "25:10", "9", "7:3", "7:30pm", "19h", "0730", "7.30 p.m.", "noon", "１４：０５"],
)
def test_what_is_written_like_a_time_looks_like_one_even_when_invalid(text: str) -> None:
    assert looks_like_time(text)


@pytest.mark.parametrize("text", ["Oslo", "New York", "Europe/London", "9 Elms", "", "1" * 101])
def test_places_do_not_look_like_times(text: str) -> None:
    assert not looks_like_time(text)
