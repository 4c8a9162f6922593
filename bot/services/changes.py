"""How a settings change reaches the reminder engine without the two knowing each other.

Services mark the session when a slot's next fire time changes; after the commit, the handler's
unit of work calls `ScheduleChanges.notify`, and the dispatcher (subscribed at start-up)
re-plans its wake-up. Marking the session, not notifying at once, means an uncommitted change
never wakes anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

_MARK = "schedule_changed"


def mark_schedule_changed(session: AsyncSession) -> None:
    session.info[_MARK] = True


def schedule_changed(session: AsyncSession) -> bool:
    return bool(session.info.pop(_MARK, False))


class ScheduleChanges:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def notify(self) -> None:
        for listener in self._listeners:
            try:
                listener()
            except Exception:  # a listener's failure must not fail the user's request
                log.exception("schedule change listener failed")
