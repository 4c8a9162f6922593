"""What a due schedule slot produces when it is claimed: one delivery row per time it fired.

Pure computation over a claim's rows (no database here: bot.services.dispatch.claim reads the
rows and writes what this returns). A firing within the grace period is sent (PENDING, with the
next stretch of the user's rotation); an older one is recorded MISSED; one for which no stretch
suits the user is recorded FAILED with the reason.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any, NamedTuple

from bot.catalog import Catalog
from bot.catalog.model import Stretch
from bot.db.models import DeliveryKind, DeliveryStatus
from bot.domain.clock_times import Weekdays
from bot.domain.fire_times import UnknownZoneError, next_fire_at
from bot.domain.rotation import RotationState, next_stretch
from bot.services.dispatch.policy import DispatchPolicy

log = logging.getLogger(__name__)

# After a long outage a slot may have fired many times; each firing is recorded (missed), but
# never more than this many per slot in one claim, so a claim stays short.
MAX_FIRINGS_PER_CLAIM = 40


class SlotFirings(NamedTuple):
    """What one due slot produced."""

    # One row per firing up to now, for the claim's executemany INSERT: every row has every
    # key of the deliveries table it sets, so the statement is compiled once.
    deliveries: list[dict[str, Any]]
    next_fire_at: datetime | None  # past now; None: the slot is silenced (a corrupt row)
    state: RotationState  # the user's rotation after the stretches chosen
    family: str | None  # the family of the last stretch chosen, if any


class Firings:
    """What due slots produce at `now`, for one claim. Fire times and stretch choices are pure
    functions of their inputs, and in a burst most slots share them (same local time and zone,
    same rotation state), so each is computed once per claim: APScheduler's CronTrigger search
    alone was ~7 % of the CPU per reminder."""

    def __init__(self, catalog: Catalog, now: datetime, policy: DispatchPolicy) -> None:
        self.catalog = catalog
        self.now = now
        self.policy = policy
        self._fire_times: dict[tuple[time, int, str, datetime], datetime] = {}
        self._stretches: dict[RotationState, Stretch | None] = {}

    def _next_fire_at(self, local_time: time, days: int, zone: str, after: datetime) -> datetime:
        key = (local_time, days, zone, after)
        fire = self._fire_times.get(key)
        if fire is None:
            fire = self._fire_times[key] = next_fire_at(local_time, Weekdays(days), zone, after)
        return fire

    def _next_stretch(self, state: RotationState) -> Stretch | None:
        if state not in self._stretches:
            self._stretches[state] = next_stretch(self.catalog, state)
        return self._stretches[state]

    def of_slot(
        self,
        slot_id: int,
        user_id: int,
        local_time: time,
        days: int,
        fire: datetime | None,
        zone: str,
        state: RotationState,
    ) -> SlotFirings:
        """One delivery row per time the slot fired up to `now`; the slot's next fire time past
        `now`; the rotation state after them; the family of the last stretch chosen, if any."""
        now, policy = self.now, self.policy
        deliveries: list[dict[str, Any]] = []
        family: str | None = None
        try:
            while fire is not None and fire <= now:
                if len(deliveries) >= MAX_FIRINGS_PER_CLAIM:
                    # Skip the rest of an outage.
                    fire = self._next_fire_at(local_time, days, zone, now)
                    break
                delivery: dict[str, Any] = {
                    "user_id": user_id,
                    "slot_id": slot_id,
                    "kind": DeliveryKind.SCHEDULED,
                    "scheduled_for": fire,
                    "attempts": 0,
                    "stretch_id": None,
                    "lease_until": None,
                    "error": None,
                }
                if now - fire > policy.grace:
                    delivery["status"] = DeliveryStatus.MISSED
                else:
                    stretch = self._next_stretch(state)
                    if stretch is None:
                        delivery["status"] = DeliveryStatus.FAILED
                        delivery["error"] = "no stretch suits this user (all blocked or excluded)"
                    else:
                        delivery["stretch_id"] = stretch.id
                        delivery["status"] = DeliveryStatus.PENDING
                        delivery["lease_until"] = now + policy.lease
                        state = state.after_sending(stretch)
                        family = stretch.family
                deliveries.append(delivery)
                fire = self._next_fire_at(local_time, days, zone, fire)
        except ValueError as error:
            # A corrupt row (unknown zone name, no days): this firing is kept (sent or
            # recorded), the slot is silenced until the user's settings change, and the rest go
            # on.
            reason = "unknown zone" if isinstance(error, UnknownZoneError) else str(error)
            log.error(
                "slot cannot fire again; silenced",
                extra={"user_id": user_id, "slot_id": slot_id, "zone": zone, "error": reason},
            )
            fire = None
        return SlotFirings(deliveries, fire, state, family)
