"""Prometheus metrics, counted where things happen (loosely coupled hooks, no telegram logic).

Hooks: `observe_outcomes` is a Dispatcher `on_outcomes` listener; `count_update` runs as a
`TypeHandler` in group -1 (before every other handler); `count_telegram_error` is the Bot API
transport's `on_error`, so every Telegram error is counted by its HTTP code whoever made the call.
Database-wide figures (active users, missed reminders) are read when `/metrics` is scraped.

The metrics live in their own registry (`REGISTRY`), served by `bot.ops.monitor`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from sqlalchemy import func, select
from telegram import Update

from bot.db.engine import SessionFactory
from bot.db.models import Delivery, DeliveryStatus, User, UserStatus
from bot.services.dispatch.claim import Claimed
from bot.services.dispatch.outcomes import Outcome

# No `*_created` series: they double the output and Prometheus doesn't need them.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)

REMINDERS = Counter(
    "stretchbot_reminders",
    "Reminders this process tried to send, by outcome (sent, failed, blocked).",
    ["outcome"],
    registry=REGISTRY,
)
MISSED_LAST_DAY = Gauge(
    "stretchbot_reminders_missed_last_24h",
    "Reminders recorded missed (too late after downtime) in the last 24 hours, all replicas.",
    registry=REGISTRY,
)
LATENESS = Histogram(
    "stretchbot_send_lateness_seconds",
    "How long after its scheduled time a reminder reached Telegram.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600),
    registry=REGISTRY,
)
UPDATES = Counter(
    "stretchbot_updates",
    "Telegram updates handled, by type (message, callback_query, ...).",
    ["type"],
    registry=REGISTRY,
)
ACTIVE_USERS = Gauge(
    "stretchbot_active_users",
    "Users who receive reminders (set up, not paused, stopped or blocked).",
    registry=REGISTRY,
)
TELEGRAM_ERRORS = Counter(
    "stretchbot_telegram_errors",
    "Bot API calls that failed, by HTTP status code ('timeout' or 'network' without one).",
    ["code"],
    registry=REGISTRY,
)

for _outcome in ("sent", "failed", "blocked"):
    REMINDERS.labels(_outcome)  # present (at 0) from the start, so rates work at once


def observe_outcomes(claimed: list[Claimed], outcomes: list[Outcome]) -> None:
    """Dispatcher listener: count outcomes and how late each sent reminder was."""
    scheduled = {claim.delivery_id: claim.scheduled_for for claim in claimed}
    for outcome in outcomes:
        if outcome.status is DeliveryStatus.PENDING:
            continue
        REMINDERS.labels(outcome.status.value).inc()
        due = scheduled.get(outcome.delivery_id)
        if outcome.status is DeliveryStatus.SENT and outcome.sent_at and due:
            LATENESS.observe(max(0.0, (outcome.sent_at - due).total_seconds()))


def update_type(update: Update) -> str:
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


async def count_update(update: object, _context: Any) -> None:
    """TypeHandler callback (group -1): count, never stop the update."""
    UPDATES.labels(update_type(update) if isinstance(update, Update) else "other").inc()


def count_telegram_error(code: str) -> None:
    """The Bot API transport's `on_error` (bot.delivery.aiohttp_request): a failed call."""
    TELEGRAM_ERRORS.labels(code).inc()


async def refresh_database_gauges(session_factory: SessionFactory, now: datetime) -> None:
    """Read the database-wide figures (called on each scrape)."""
    async with session_factory() as session:
        active = await session.scalar(
            select(func.count()).select_from(User).where(User.status == UserStatus.ACTIVE)
        )
        missed = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.status == DeliveryStatus.MISSED,
                Delivery.scheduled_for >= now - timedelta(days=1),
            )
        )
    ACTIVE_USERS.set(active or 0)
    MISSED_LAST_DAY.set(missed or 0)
