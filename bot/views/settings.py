"""The settings screen (/settings) and the short confirmations after a change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalog import Catalog
from bot.db.models import ScheduleSlot, User, UserStatus
from bot.domain.clock_times import Weekdays
from bot.domain.zones import UnknownZoneError, get_zone
from bot.views import callback_data as cb
from bot.views.clinic import SharingSettings, settings_buttons, settings_lines
from bot.views.html import esc
from bot.views.onboarding import condition_labels, goal_days, times_summary, zone_label

SECTIONS = (
    ("conditions", "🩺 Conditions"),
    ("timezone", "🌏 Time zone"),
    ("times", "⏰ Times"),
    ("days", "📅 Days"),
    ("goal", "🎯 Weekly goal"),
)


def _local(moment: datetime, zone: str | None) -> str:
    if zone is None:
        return f"{moment:%a %d %b %H:%M} UTC"
    try:
        return f"{moment.astimezone(get_zone(zone)):%a %d %b at %H:%M}"
    except UnknownZoneError:
        return f"{moment:%a %d %b %H:%M} UTC"


def status_line(user: User, upcoming: datetime | None) -> str:
    """Whether prompts are on, and when the next one comes (`upcoming`: earliest slot time)."""
    if user.status is UserStatus.STOPPED:
        return "Stopped: no reminders (/start turns them back on)"
    if user.status is UserStatus.PAUSED and upcoming is None:
        return "Paused until you /resume"
    if user.status is UserStatus.PAUSED and upcoming is not None:
        return f"Paused; next stretch {_local(upcoming, user.time_zone)}"
    if upcoming is None:
        return "No reminder scheduled: add a time with /times"
    return f"Next stretch {_local(upcoming, user.time_zone)}"


def saved(user: User, upcoming: datetime | None) -> str:
    return f"Saved ✓ {esc(status_line(user, upcoming))}."


def overview(
    user: User,
    conditions: frozenset[str],
    slots: Sequence[ScheduleSlot],
    upcoming: datetime | None,
    catalog: Catalog,
    now: datetime,
    blocked: frozenset[str] = frozenset(),
    clinic: SharingSettings | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    days = Weekdays.of_slots(slot.days for slot in slots)
    zone = zone_label(user.time_zone, now) if user.time_zone else "not set"
    text = (
        "<b>Your settings</b>\n"
        f"🩺 Conditions: {esc(condition_labels(catalog, conditions))}\n"
        f"🌏 Time zone: {esc(zone)}\n"
        f"⏰ Times: {esc(times_summary([slot.local_time for slot in slots]))}\n"
        f"📅 Days: {esc(days.label)}\n"
        f"🎯 Weekly goal: {goal_days(user.weekly_goal)}\n"
        f"🔔 {esc(status_line(user, upcoming))}\n"
        f"💬 Follow-up if a stretch goes unanswered: {'on' if user.nudges else 'off'}"
    )
    titles = [catalog.get(i).title for i in sorted(blocked) if i in catalog]
    if titles:
        text += "\n🤕 Switched off after “It hurts”: " + esc(", ".join(titles))
    if clinic is not None:
        text += "\n" + settings_lines(clinic)
    buttons = [
        InlineKeyboardButton(label, callback_data=cb.build(cb.SETTINGS_OPEN, section))
        for section, label in SECTIONS
    ]
    pause_label = "▶️ Resume" if user.status is UserStatus.PAUSED else "⏸ Pause"
    rows = [
        buttons[:3],
        buttons[3:],
        [
            InlineKeyboardButton(
                "💬 Follow-ups: turn " + ("off" if user.nudges else "on"),
                callback_data=cb.build(cb.NUDGES_TOGGLE),
            )
        ],
        *(
            [
                InlineKeyboardButton(
                    f"↩️ Turn back on: {catalog.get(stretch_id).title}"[:60],
                    callback_data=cb.build(cb.UNBLOCK, stretch_id),
                )
            ]
            for stretch_id in sorted(blocked)
            if stretch_id in catalog
        ),
        *(settings_buttons(clinic) if clinic is not None else []),
        [
            InlineKeyboardButton(pause_label, callback_data=cb.build(cb.PAUSE_TOGGLE)),
            InlineKeyboardButton(
                "🗑 Delete my data", callback_data=cb.build(cb.SETTINGS_OPEN, "delete")
            ),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)
