"""Reminder times and days as people type them.

Times: "7:30", "07.30", "7h30", "7:30pm", "7.30 PM", "7:30 p.m.", "19:00", "7pm", "7 am", "19h",
"1930", "0730", "730", "noon", "midday", "midnight". A list is several of these separated by
commas, semicolons, "and", "&" or spaces: "7:30, 18:00", "7am and 6pm".

Decisions:

* "24:00" is refused (say 00:00 or "midnight"); "midnight" is 00:00, "noon"/"midday" 12:00.
* A bare hour up to 12 needs a marker: "7" alone could be 07:00 or 19:00, so it is refused with
  a hint, while "7pm", "7 am", "7h" and "19" are fine. "12am" is 00:00 and "12pm" is 12:00.
* Minutes always have two digits ("7:3" is refused); seconds are not accepted.
* am/pm hours go from 1 to 12 ("13pm", "0am" are refused).
* At most :data:`MAX_TIMES_PER_DAY` distinct times; duplicates are merged; the result is sorted.

Days are a :class:`Weekdays` flag (Monday = bit 0, as ``datetime.weekday()``), stored as an
int 1..127. "every day"/"daily", "weekdays", "weekends", "mon,wed,fri", "Mon-Fri", "tue to thu",
"monday wednesday".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import time
from enum import IntFlag

__all__ = [
    "MAX_TIMES_PER_DAY",
    "DaysParseError",
    "TimeParseError",
    "Weekdays",
    "format_time",
    "format_times",
    "looks_like_time",
    "parse_days",
    "parse_time",
    "parse_times",
]

MAX_TIMES_PER_DAY = 6

#: Longest text looked at; anything longer is refused before any parsing.
_MAX_INPUT_LENGTH = 100

_TIME_EXAMPLE = "Try 7:30, 19:00 or 7pm."
_DAYS_EXAMPLE = 'Try "every day", "weekdays", "weekends" or "Mon, Wed, Fri".'


class TimeParseError(ValueError):
    """A typed time that can't be used. ``reason`` is a friendly sentence for the user."""

    def __init__(self, reason: str, *, example: str = _TIME_EXAMPLE) -> None:
        self.reason = reason
        self.example = example
        super().__init__(f"{reason} {example}")

    @property
    def message(self) -> str:
        """Reason and example, ready to send."""
        return f"{self.reason} {self.example}"


class DaysParseError(ValueError):
    """Typed days that can't be used. ``reason`` is a friendly sentence for the user."""

    def __init__(self, reason: str, *, example: str = _DAYS_EXAMPLE) -> None:
        self.reason = reason
        self.example = example
        super().__init__(f"{reason} {example}")

    @property
    def message(self) -> str:
        return f"{self.reason} {self.example}"


# --------------------------------------------------------------------------------------------
# Times

_TIME_TOKEN = re.compile(
    r"""
    (?P<word>noon|midday|midnight)
    |
    (?:
        (?P<compact>\d{3,4})                          # 1930, 0730, 730
        |
        (?P<h>\d{1,2})(?:(?P<sep>[:.h])(?P<m>\d+)?)?  # 7, 7:30, 07.30, 7h30, 19h
    )
    \s*
    (?:(?P<ampm>[ap])\.?\s?m\.?|(?P<ap>[ap]))?        # am, pm, a.m., p, PM
    (?![a-z0-9])
    """,
    re.VERBOSE,
)
_LIST_SEPARATOR = re.compile(r"(?:\s*(?:,|;|/|&|\+|\band\b)\s*|\s+)")


def _clean(text: str) -> str:
    # NFKC: full-width "７：３０" (typed with a CJK keyboard) reads as "7:30".
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _check_length(text: str) -> None:
    if len(text) > _MAX_INPUT_LENGTH:
        raise TimeParseError("That's too long to be a time.")


# Digits with what a time is written with (":", ".", "h", am/pm), and nothing else: "9:99",
# "25.10", "9", "7:3 pm" look like times even when they are not valid ones.
_TIME_SHAPE = re.compile(r"\d[\d\s:.h]*(?:[ap]\.?\s?m?\.?)?")


def looks_like_time(text: str) -> bool:
    """Whether `text` is written like a time of day, valid or not ("9:99" is; "Oslo" isn't)."""
    if len(text) > _MAX_INPUT_LENGTH:
        return False
    cleaned = _clean(text)
    return cleaned in {"noon", "midday", "midnight"} or bool(_TIME_SHAPE.fullmatch(cleaned))


def parse_time(text: str) -> time:
    """One time of day, or :class:`TimeParseError` saying what is wrong."""
    _check_length(text)
    cleaned = _clean(text)
    if not cleaned:
        raise TimeParseError("Please type a time.")
    match = _TIME_TOKEN.fullmatch(cleaned)
    if match is None:
        raise TimeParseError(f"I couldn't read {text.strip()!r} as a time.")
    return _time_from_match(match, text.strip())


def _time_from_match(match: re.Match[str], original: str) -> time:
    word = match["word"]
    if word is not None:
        return time(12, 0) if word in {"noon", "midday"} else time(0, 0)

    ampm_letter = match["ampm"] or match["ap"]
    if match["compact"] is not None:
        digits = match["compact"]
        hour, minute = int(digits[:-2]), int(digits[-2:])
    else:
        hour = int(match["h"])
        minutes_text = match["m"]
        if match["sep"] in {":", "."} and minutes_text is None:
            raise TimeParseError(f"{original!r} is missing the minutes.")
        if minutes_text is not None and len(minutes_text) != 2:
            raise TimeParseError(f"Minutes need two digits in {original!r} (like 7:05).")
        if match["sep"] is None and ampm_letter is None and hour <= 12:
            raise TimeParseError(
                f"Is {original!r} in the morning or the evening?",
                example=f"Try {hour}:00, {hour}am or {hour}pm.",
            )
        minute = int(minutes_text) if minutes_text is not None else 0

    if ampm_letter is None and hour == 24:
        raise TimeParseError("For midnight, type 00:00 or midnight.")
    if ampm_letter is None and hour > 23:
        raise TimeParseError(f"Hours go from 0 to 23, so {original!r} doesn't work.")
    if minute > 59:
        raise TimeParseError(f"Minutes go from 00 to 59, so {original!r} doesn't work.")
    if ampm_letter is not None:
        if not 1 <= hour <= 12:
            raise TimeParseError(
                f"With am/pm the hour goes from 1 to 12, so {original!r} doesn't work."
            )
        hour = hour % 12 + (12 if ampm_letter == "p" else 0)
    return time(hour, minute)


def parse_times(text: str, *, max_times: int = MAX_TIMES_PER_DAY) -> tuple[time, ...]:
    """Several times ("7:30, 18:00"), distinct and sorted; :class:`TimeParseError` otherwise."""
    _check_length(text)
    cleaned = _clean(text)
    if not cleaned:
        raise TimeParseError("Please type a time.")
    found: list[time] = []
    position = 0
    while position < len(cleaned):
        separator = _LIST_SEPARATOR.match(cleaned, position)
        if separator is not None and separator.end() > position:
            position = separator.end()
            continue
        token = _TIME_TOKEN.match(cleaned, position)
        end = token.end() if token is not None else position
        # A time must end at a separator or the end of the text ("7:30x" is not a time).
        if token is None or (end < len(cleaned) and not _LIST_SEPARATOR.match(cleaned, end)):
            bad = re.split(r"[\s,;&+/]+", cleaned[position:], maxsplit=1)[0]
            raise TimeParseError(f"I couldn't read {bad!r} as a time.")
        found.append(_time_from_match(token, cleaned[position:end]))
        position = end
    times = tuple(sorted(set(found)))
    if not times:
        raise TimeParseError("Please type a time.")
    if len(times) > max_times:
        raise TimeParseError(
            f"That's {len(times)} times; at most {max_times} a day, please.",
            example="Try 7:30, 12:30, 18:00.",
        )
    return times


def format_time(value: time) -> str:
    """24-hour "07:30"."""
    return f"{value.hour:02d}:{value.minute:02d}"


def format_times(values: Iterable[time]) -> str:
    """ "07:30, 18:00" in order."""
    return ", ".join(format_time(v) for v in sorted(values))


# --------------------------------------------------------------------------------------------
# Days


class Weekdays(IntFlag):
    """A set of days of the week. Bit n is ``date.weekday() == n`` (Monday = 0).

    Store ``int(days)`` (1..127); read back with ``Weekdays(value)``.
    """

    MON = 1
    TUE = 2
    WED = 4
    THU = 8
    FRI = 16
    SAT = 32
    SUN = 64

    EVERY_DAY = 127
    WEEKDAYS = 31
    WEEKENDS = 96

    @classmethod
    def from_indices(cls, indices: Iterable[int]) -> Weekdays:
        """From ``date.weekday()`` numbers (0 = Monday .. 6 = Sunday)."""
        result = cls(0)
        for index in indices:
            if not 0 <= index <= 6:
                raise ValueError(f"weekday index out of range: {index}")
            result |= cls(1 << index)
        return result

    @classmethod
    def of_slots(cls, day_masks: Iterable[int]) -> Weekdays:
        """The days of a user's times, from each slot's stored mask. Days are chosen for all
        of a user's times at once, so every slot holds the same; no times yet: every day."""
        for mask in day_masks:
            return cls(mask)
        return cls.EVERY_DAY

    @classmethod
    def parse(cls, text: str) -> Weekdays:
        return parse_days(text)

    @property
    def indices(self) -> tuple[int, ...]:
        """``date.weekday()`` numbers, Monday = 0."""
        return tuple(i for i in range(7) if self & (1 << i))

    def includes(self, weekday: int) -> bool:
        """Whether ``date.weekday()`` ``weekday`` is one of these days."""
        return bool(self & (1 << weekday))

    @property
    def cron(self) -> str:
        """APScheduler ``day_of_week`` expression: "mon,wed,fri"."""
        if not self:
            raise ValueError("no days chosen")
        return ",".join(_DAY_NAMES[i][:3].lower() for i in self.indices)

    @property
    def label(self) -> str:
        """ "Every day", "Weekdays", "Weekends", "Mon, Wed, Fri" or "No days"."""
        if self == Weekdays.EVERY_DAY:
            return "Every day"
        if self == Weekdays.WEEKDAYS:
            return "Weekdays"
        if self == Weekdays.WEEKENDS:
            return "Weekends"
        if not self:
            return "No days"
        return ", ".join(_DAY_NAMES[i][:3] for i in self.indices)


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_ALIASES: dict[str, int] = {}
for _i, _name in enumerate(_DAY_NAMES):
    _low = _name.lower()
    for _alias in (_low, _low[:2], _low[:3], _low[:4], _low + "s"):
        _DAY_ALIASES[_alias] = _i
_DAY_ALIASES |= {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}

_PRESETS: dict[str, Weekdays] = {
    "every day": Weekdays.EVERY_DAY,
    "everyday": Weekdays.EVERY_DAY,
    "daily": Weekdays.EVERY_DAY,
    "all": Weekdays.EVERY_DAY,
    "all days": Weekdays.EVERY_DAY,
    "all week": Weekdays.EVERY_DAY,
    "weekdays": Weekdays.WEEKDAYS,
    "weekday": Weekdays.WEEKDAYS,
    "week days": Weekdays.WEEKDAYS,
    "workdays": Weekdays.WEEKDAYS,
    "working days": Weekdays.WEEKDAYS,
    "weekends": Weekdays.WEEKENDS,
    "weekend": Weekdays.WEEKENDS,
}
_DAY_RANGE = re.compile(r"^([a-z]+)\s*(?:-|–|—|\bto\b|\.\.)\s*([a-z]+)$")


def parse_days(text: str) -> Weekdays:
    """Days of the week from text; :class:`DaysParseError` if any part isn't a day."""
    if len(text) > _MAX_INPUT_LENGTH:
        raise DaysParseError("That's too long.")
    cleaned = " ".join(text.casefold().replace(".", " ").split())
    if not cleaned:
        raise DaysParseError("Please choose at least one day.")
    preset = _PRESETS.get(cleaned) or _PRESETS.get(cleaned.removeprefix("every ").strip())
    if preset is not None:
        return preset
    result = Weekdays(0)
    for part in re.split(r"\s*(?:,|;|/|&|\+|\band\b)\s*", cleaned):
        if not part:
            continue
        ranged = _DAY_RANGE.match(part)
        if ranged is not None and all(d in _DAY_ALIASES for d in ranged.groups()):
            start, stop = (_DAY_ALIASES[d] for d in ranged.groups())
            span = (stop - start) % 7
            result |= Weekdays.from_indices((start + k) % 7 for k in range(span + 1))
            continue
        for word in part.split():
            if word in _PRESETS:
                result |= _PRESETS[word]
            elif word in _DAY_ALIASES:
                result |= Weekdays.from_indices([_DAY_ALIASES[word]])
            elif word not in {"on", "every", "and"}:
                raise DaysParseError(f"I don't know the day {word!r}.")
    if not result:
        raise DaysParseError("Please choose at least one day.")
    return result
