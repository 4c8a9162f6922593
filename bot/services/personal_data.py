"""/export: every row the bot keeps about a user, as one JSON document.

The shape (version 2):

```
{
  "format": "stretchbot-export/2",
  "exported_at": "2026-11-30T10:00:00+00:00",
  "profile": {"first_name": ..., "time_zone": ..., "status": ..., "consented_at": ...,
              "follow_ups": true, ...},
  "conditions": ["disc-problems"],
  "schedule": [{"time": "07:30", "days": "every day", "next_prompt_at": ...}],
  "tables": {
    "users": [{...every column...}],
    "deliveries": [{...}, ...],            # every prompt: stretch, times, status, answer
    "stretch_preferences": [...],          # the variation chosen per stretch family
    "blocked_stretches": [...],            # switched off after "It hurts"
    ...                                    # every other table that refers to the user
  }
}
```

`profile`, `conditions` and `schedule` are the readable summary; `tables` is the complete
record: every table with a column referring to `users.id` is found from the schema itself, so a
new table can't be forgotten. Values: times and dates as ISO 8601 (UTC), enums as their
values, everything else as stored.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Column, Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.db.models import ScheduleSlot, User
from bot.domain.clock_times import Weekdays, format_time
from bot.services import accounts, schedule

FORMAT = "stretchbot-export/2"


def user_columns(table: Table) -> list[Column[Any]]:
    """The columns of `table` that name a user (a foreign key to users.id, or its own id)."""
    if table.name == User.__tablename__:
        return [table.c.id]
    return [
        column
        for column in table.columns
        if any(fk.column.table.name == User.__tablename__ for fk in column.foreign_keys)
    ]


def user_tables() -> list[Table]:
    """Every table that holds rows about a user."""
    return [table for table in Base.metadata.sorted_tables if user_columns(table)]


async def export(session: AsyncSession, user: User, now: datetime) -> dict[str, Any]:
    slots = await schedule.slots_of(session, user)
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in user_tables():
        query = select(table).where(or_(*(column == user.id for column in user_columns(table))))
        rows = (await session.execute(query.order_by(*table.primary_key.columns))).mappings()
        tables[table.name] = [{key: _plain(value) for key, value in row.items()} for row in rows]
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "profile": {
            "telegram_id": user.telegram_id,
            "first_name": user.first_name,
            "language_code": user.language_code,
            "time_zone": user.time_zone,
            "status": user.status.value,
            "consented_at": _plain(user.consented_at),
            "paused_until": _plain(user.paused_until),
            "follow_ups": user.nudges,
            "created_at": _plain(user.created_at),
        },
        "conditions": sorted(await accounts.condition_ids(session, user)),
        "schedule": [_slot(slot) for slot in slots],
        "tables": tables,
    }


def _slot(slot: ScheduleSlot) -> dict[str, Any]:
    return {
        "time": format_time(slot.local_time),
        "days": Weekdays(slot.days).label,
        "next_prompt_at": _plain(slot.next_fire_at),
    }


def _plain(value: object) -> object:
    """A stored value as JSON can hold it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
