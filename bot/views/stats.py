"""The admin's /stats screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.catalog import Catalog
from bot.db.models import UserStatus
from bot.views.html import bold, esc


class Figures(Protocol):
    """The plain figures the screen shows (bot.services.stats gathers them)."""

    @property
    def users_total(self) -> int: ...
    @property
    def users_by_status(self) -> Mapping[UserStatus, int]: ...
    @property
    def sent_today(self) -> int: ...
    @property
    def sent_7_days(self) -> int: ...
    @property
    def done_rate_7_days(self) -> float | None: ...
    @property
    def most_eased(self) -> Sequence[tuple[str, int]]: ...


def stats_text(stats: Figures, catalog: Catalog) -> str:
    users = stats.users_by_status
    rate = (
        "n/a (nothing sent)" if stats.done_rate_7_days is None else f"{stats.done_rate_7_days:.0%}"
    )
    lines = [
        bold("stretchbot — statistics"),
        "",
        f"Users: {stats.users_total} total · {users[UserStatus.ACTIVE]} active · "
        f"{users[UserStatus.PAUSED]} paused · {users[UserStatus.BLOCKED]} blocked · "
        f"{users[UserStatus.STOPPED]} stopped · {users[UserStatus.ONBOARDING]} setting up",
        f"Prompts sent: {stats.sent_today} today (UTC) · {stats.sent_7_days} in 7 days",
        f"Done rate, 7 days: {rate}",
    ]
    if stats.most_eased:
        lines.append("Most eased, 7 days:")
        for stretch_id, count in stats.most_eased:
            title = catalog.get(stretch_id).title if stretch_id in catalog else stretch_id
            lines.append(f"• {esc(title)} — {count}×")
    else:
        lines.append("Most eased, 7 days: none")
    return "\n".join(lines)
