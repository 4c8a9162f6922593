"""How late is too late, and how long a claim holds: the engine's settings as its rules use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    grace: timedelta  # later than this after its time: recorded missed, not sent
    lease: timedelta  # a claim not finished within this is claimed again
    batch: int = 500  # at most this many deliveries per claim
