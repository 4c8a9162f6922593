"""/about, and the texts around pausing, stopping and deleting."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalog import Catalog
from bot.domain.zones import get_zone
from bot.views import callback_data as cb
from bot.views.html import esc
from bot.views.stretch_card import OUR_WORDS_MARKER, text_with_source


def about(catalog: Catalog) -> str:
    # Facts about the sheet and the bot, not advice: marked as our words.
    blocks = "\n\n".join(
        esc(text_with_source(block, OUR_WORDS_MARKER)) for block in catalog.texts.about
    )
    return (
        f"<b>About stretchbot</b>\n\n{blocks}\n\n"
        "<i>Place names for time zones: GeoNames (geonames.org), CC BY 4.0.</i>"
    )


def paused(until: date | None, upcoming: datetime | None, zone: str) -> str:
    if until is None:
        return "⏸ Paused. No reminders until you send /resume."
    when = (
        f" Next stretch: {upcoming.astimezone(get_zone(zone)):%a %d %b at %H:%M}."
        if upcoming
        else ""
    )
    return f"⏸ Paused until {until:%a %d %b}.{when} /resume turns reminders back on sooner."


def resumed(was_on: bool, status: str) -> str:
    """/resume (or ▶️ Resume): reminders back on, or already on; with when the next comes."""
    said = "Your reminders are already on." if was_on else "Reminders are on again."
    return f"▶️ {said} {esc(status)}."


def stopped() -> str:
    return (
        "Stopped. I won't send reminders any more; your settings are kept. "
        "Send /start whenever you want them back, or /delete to erase your data."
    )


def confirm_delete() -> tuple[str, InlineKeyboardMarkup]:
    text = (
        "Delete everything I keep about you — settings, conditions, times and history? "
        "This can't be undone."
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "🗑 Yes, delete everything", callback_data=cb.build(cb.DELETE_CONFIRM)
                ),
                InlineKeyboardButton("Keep my data", callback_data=cb.build(cb.DELETE_CANCEL)),
            ]
        ]
    )
    return text, markup


def deleted() -> str:
    return "🗑 Done: everything about you is deleted. Send /start if you ever want to begin again."


def nothing_to_send() -> str:
    return (
        "There's no stretch I can send you right now: every one that suits your conditions is "
        "switched off after “It hurts”. /settings lets you turn them back on."
    )
