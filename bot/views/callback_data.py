"""Inline-button data: built by views, parsed by handlers. Always ≤ 64 bytes (Telegram's limit).

The format is `<action>` or `<action>:<argument>`. Nothing in it is trusted: handlers parse it
with `parse`, check the argument against the catalogue or the database, and answer politely when
it is stale or forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_SHAPE = re.compile(r"([a-z_]{1,16})(?::([A-Za-z0-9_+\-/:.]{1,46}))?")

CONSENT = "consent"
CONDITION_TOGGLE = "cond"
CONDITIONS_DONE = "cond_done"
ZONE_PICK = "tz"
TIME_TOGGLE = "time"
TIMES_DONE = "time_done"
DAYS_PRESET = "days"
DAY_TOGGLE = "day"
DAYS_DONE = "days_done"
SETTINGS_OPEN = "set"
PAUSE_TOGGLE = "pause"
DELETE_CONFIRM = "del_yes"
DELETE_CANCEL = "del_no"
ANSWER = "answer"
STRONGER = "stronger"
TRY_EASIER = "try_easier"
UNBLOCK = "unblock"
NUDGES_TOGGLE = "nudges"
NOOP = "noop"
HOLD = "hold"
UNDO = "undo"
HOLD_STOP = "hold_stop"


@dataclass(frozen=True)
class Button:
    action: str
    argument: str | None = None


def build(action: str, argument: str | None = None) -> str:
    data = action if argument is None else f"{action}:{argument}"
    if len(data.encode()) > MAX_BYTES or not _SHAPE.fullmatch(data):
        raise ValueError(f"callback data not buildable: {data!r}")
    return data


def route(action: str) -> re.Pattern[str]:
    """The pattern a `CallbackQueryHandler` routes `action`'s buttons by: the data's action
    part is exactly `action` (so "cond" doesn't take "cond_done"). The route still parses the
    whole data with `parse`: matching the prefix proves nothing about the argument."""
    return re.compile(rf"{re.escape(action)}(?::|$)")


def parse(data: str | None) -> Button | None:
    """The button, or None for anything malformed (forged, oversized, from an old version)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    match = _SHAPE.fullmatch(data)
    if match is None:
        return None
    return Button(match.group(1), match.group(2))
