"""The argument of /pause: how long to hold the prompts.

The answer is ``until``: the first local date on which prompts start again (the pause covers
every day before it), or ``None`` for "until /resume". Relative to ``today``, the user's local
date (see :func:`bot.domain.fire_times.local_date`).

Accepted: "" (until /resume), "3 days", "3d", "3", "a week", "1 week", "2 weeks", "for 3 days",
"tomorrow" / "until tomorrow", "until Monday" / "till mon" / "until next monday" (the next
Monday after today; on a Monday that is a week away), "until 2026-12-01", "until 1 December",
"until Dec 1 2026". A pause lasts at most :data:`MAX_PAUSE_DAYS` days.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["MAX_PAUSE_DAYS", "PauseParseError", "parse_pause"]

MAX_PAUSE_DAYS = 365

_EXAMPLE = 'Try "/pause 3 days", "/pause 1 week", "/pause until Monday" or just /pause.'

_WEEKDAYS = {
    name: index
    for index, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    for name in (full, full[:3], full[:4], full[:2])
} | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_MONTHS = {
    name: index + 1
    for index, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
    for name in (full, full[:3])
} | {"sept": 9}

_DURATION = re.compile(r"^(?:for\s+)?(?P<n>\d{1,4}|an?|one)?\s*(?P<unit>d|days?|w|wks?|weeks?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)(?:,?\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")


class PauseParseError(ValueError):
    """A /pause argument that can't be used; ``reason`` is a friendly sentence."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.example = _EXAMPLE
        super().__init__(f"{reason} {_EXAMPLE}")

    @property
    def message(self) -> str:
        return f"{self.reason} {self.example}"


def parse_pause(text: str, today: date) -> date | None:
    """``until`` (first local date prompts resume) or ``None`` (until /resume)."""
    if len(text) > 60:
        raise PauseParseError("That's too long for a pause.")
    cleaned = " ".join(text.casefold().replace(".", " ").split())
    if not cleaned or cleaned in {"indefinitely", "forever", "until resume", "until /resume"}:
        return None

    if cleaned in {"tomorrow", "until tomorrow", "till tomorrow"}:
        return _checked(today + timedelta(days=1), today)

    duration = _DURATION.match(cleaned)
    if duration is not None and (duration["n"] or duration["unit"]):
        count_text = duration["n"] or "1"
        count = 1 if count_text in {"a", "an", "one"} else int(count_text)
        unit = duration["unit"] or "days"
        if count_text in {"a", "an", "one"} and duration["unit"] is None:
            raise PauseParseError(f"A what? I couldn't read {text.strip()!r}.")
        if count == 0:
            raise PauseParseError("A pause needs at least one day.")
        days = count * 7 if unit.startswith("w") else count
        if days > MAX_PAUSE_DAYS:
            raise PauseParseError(f"A pause can last at most {MAX_PAUSE_DAYS} days; try /stop.")
        return today + timedelta(days=days)

    for prefix in ("until ", "till ", "til ", "'til ", "to "):
        if cleaned.startswith(prefix):
            return _until(cleaned.removeprefix(prefix).strip(), today, text.strip())
    return _until(cleaned, today, text.strip())


def _until(target: str, today: date, original: str) -> date:
    target = target.removeprefix("next ").removeprefix("the ").strip()
    if target in _WEEKDAYS:
        ahead = (_WEEKDAYS[target] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)

    iso = _ISO_DATE.match(target)
    if iso is not None:
        return _checked(_make_date(int(iso[1]), int(iso[2]), int(iso[3]), original), today)

    day_month = _DAY_MONTH.match(target)
    month_day = _MONTH_DAY.match(target)
    if day_month is not None and day_month[2] in _MONTHS:
        day, month, year = int(day_month[1]), _MONTHS[day_month[2]], day_month[3]
    elif month_day is not None and month_day[1] in _MONTHS:
        day, month, year = int(month_day[2]), _MONTHS[month_day[1]], month_day[3]
    else:
        raise PauseParseError(f"I couldn't read {original!r} as a length of time or a date.")

    if year is not None:
        return _checked(_make_date(int(year), month, day, original), today)
    # No year: the next such date after today.
    candidate = _make_date(today.year, month, day, original, leap_ok=True)
    if candidate <= today:
        candidate = _make_date(today.year + 1, month, day, original, leap_ok=True)
    return _checked(candidate, today)


def _make_date(year: int, month: int, day: int, original: str, *, leap_ok: bool = False) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and (month, day) == (2, 29):
            return date(year, 3, 1)
        raise PauseParseError(f"{original!r} isn't a real date.") from None


def _checked(until: date, today: date) -> date:
    if until <= today:
        raise PauseParseError("That date has already passed.")
    if (until - today).days > MAX_PAUSE_DAYS:
        raise PauseParseError(f"A pause can last at most {MAX_PAUSE_DAYS} days; try /stop.")
    return until
