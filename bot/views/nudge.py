"""The gentle follow-up's words."""

from __future__ import annotations

from bot.catalog import Catalog
from bot.views.html import bold


def nudge(catalog: Catalog, stretch_id: str) -> str:
    title = catalog.get(stretch_id).title if stretch_id in catalog else "today's stretch"
    return (
        f"Still time for {bold(title)} today? 🙂 The buttons are on the message above — "
        "or Skip if today isn't the day."
    )
