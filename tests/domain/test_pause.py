"""/pause arguments (issue 4, "Settings")."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.pause import MAX_PAUSE_DAYS, PauseParseError, parse_pause

WEDNESDAY = date(2026, 11, 25)

VALID = [
    ("", None),
    ("   ", None),
    ("indefinitely", None),
    ("3 days", date(2026, 11, 28)),
    ("3 DAYS", date(2026, 11, 28)),
    ("for 3 days", date(2026, 11, 28)),
    ("3d", date(2026, 11, 28)),
    ("3", date(2026, 11, 28)),
    ("1 day", date(2026, 11, 26)),
    ("a day", date(2026, 11, 26)),
    ("1 week", date(2026, 12, 2)),
    ("a week", date(2026, 12, 2)),
    ("one week", date(2026, 12, 2)),
    ("2 weeks", date(2026, 12, 9)),
    ("2w", date(2026, 12, 9)),
    ("tomorrow", date(2026, 11, 26)),
    ("until tomorrow", date(2026, 11, 26)),
    ("until Monday", date(2026, 11, 30)),
    ("until mon", date(2026, 11, 30)),
    ("till friday", date(2026, 11, 27)),
    ("until next monday", date(2026, 11, 30)),
    ("until Wednesday", date(2026, 12, 2)),  # today is Wednesday: next week's
    ("until 2026-12-01", date(2026, 12, 1)),
    ("until 2027-1-5", date(2027, 1, 5)),
    ("2026-12-01", date(2026, 12, 1)),
    ("until 1 December", date(2026, 12, 1)),
    ("until 1st of december", date(2026, 12, 1)),
    ("until Dec 1", date(2026, 12, 1)),
    ("until Dec. 1, 2026", date(2026, 12, 1)),
    ("until 3 jan", date(2027, 1, 3)),  # no year: the next one
    (f"{MAX_PAUSE_DAYS} days", date(2027, 11, 25)),
]


@pytest.mark.parametrize(("text", "until"), VALID, ids=[t or "empty" for t, _ in VALID])
def test_parse_pause(text: str, until: date | None) -> None:
    assert parse_pause(text, WEDNESDAY) == until


INVALID = [
    ("0 days", "at least one day"),
    ("400 days", "at most 365 days"),
    ("60 weeks", "at most 365 days"),
    ("until 2026-11-25", "already passed"),
    ("until 2020-01-01", "already passed"),
    ("until 2030-01-01", "at most 365 days"),
    ("until 2026-02-30", "isn't a real date"),
    ("until 31 june", "isn't a real date"),
    ("until blursday", "couldn't read"),
    ("soon", "couldn't read"),
    ("-3 days", "couldn't read"),
    ("3 fortnights", "couldn't read"),
    ("a", "A what?"),
    ("until", "couldn't read"),
    ("😀" * 500, "too long"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID, ids=[t[:16] for t, _ in INVALID])
def test_parse_pause_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(PauseParseError) as caught:
        parse_pause(text, WEDNESDAY)
    assert reason in caught.value.reason
    assert "/pause 3 days" in caught.value.message


@pytest.mark.parametrize(
    ("today", "until"),
    [
        (date(2026, 11, 23), date(2026, 11, 30)),  # Monday -> next Monday
        (date(2026, 11, 29), date(2026, 11, 30)),  # Sunday -> tomorrow
        (date(2026, 12, 31), date(2027, 1, 4)),  # across the year
    ],
    ids=["from monday", "from sunday", "new year"],
)
def test_until_weekday_is_the_next_one(today: date, until: date) -> None:
    assert parse_pause("until monday", today) == until
