"""The hold timer's plan: how long a stretch's hold lasts and when the countdown shows a number.

The sheet gives holds in words ("Hold for a count of 5-10 seconds", "Hold for a few seconds",
"Hold it there!"). The timer counts the longest time the clinic names; where it names none,
our own default, which the timer says is ours. The countdown message is edited in place, and
Telegram allows a chat about one message (edits included) a second, so the numbers are shown
every `STEP_SECONDS`, never faster: the user's other answers always have room.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFAULT_SECONDS", "STEP_SECONDS", "HoldPlan", "hold_plan"]

#: Our count when the sheet says "hold" but not for how long.
DEFAULT_SECONDS = 10
#: "A few seconds", as the timer counts it.
FEW_SECONDS = 5
#: Seconds between two edits of the countdown (Telegram: ~1 message a second per chat).
STEP_SECONDS = 2

_RANGE = re.compile(r"(\d+)\s*(?:-|–|to)\s*(\d+)\s*sec", re.IGNORECASE)
_SINGLE = re.compile(r"(\d+)\s*sec", re.IGNORECASE)
_FEW = re.compile(r"\bfew seconds\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HoldPlan:
    seconds: int
    from_sheet: bool  # False: the sheet names no time, the count is ours

    @property
    def shown(self) -> tuple[int, ...]:
        """The numbers the countdown shows, one edit each: 10, 8, 6, 4, 2 for ten seconds."""
        return tuple(range(self.seconds, 0, -STEP_SECONDS))


def hold_plan(hold: str | None) -> HoldPlan | None:
    """The timer for a stretch's hold text, or None when the stretch has no hold."""
    if not hold or not hold.strip():
        return None
    if match := _RANGE.search(hold):
        return HoldPlan(max(int(match.group(1)), int(match.group(2))), from_sheet=True)
    if match := _SINGLE.search(hold):
        return HoldPlan(int(match.group(1)), from_sheet=True)
    if _FEW.search(hold):
        return HoldPlan(FEW_SECONDS, from_sheet=True)
    return HoldPlan(DEFAULT_SECONDS, from_sheet=False)
