"""What the user sees while setting up and changing settings: texts and inline keyboards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.catalog import Catalog, TextBlock
from bot.domain.clock_times import Weekdays, format_time
from bot.domain.dialogue import Question, Step
from bot.domain.zones import ZoneChoice, get_zone
from bot.views import callback_data as cb
from bot.views.html import esc
from bot.views.stretch_card import OURS_MARKER

QUICK_TIMES = (time(7, 30), time(12, 30), time(18, 0))
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHARE_LOCATION = "📍 Share my location"


def _button(label: str, action: str, argument: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=cb.build(action, argument))


def _ours(blocks: Iterable[TextBlock]) -> str:
    lines = [f"• {esc(block.text)}" for block in blocks]
    return "\n".join(lines)


def ask(
    question: Question, catalog: Catalog
) -> tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup]:
    """The question of a set-up step, showing what the user has chosen so far."""
    if question.step is Step.CONSENT:
        return consent(question.first_name, catalog)
    if question.step is Step.CONDITIONS:
        return conditions(catalog, question.conditions)
    if question.step is Step.TIMEZONE:
        return ask_zone()
    if question.step is Step.TIMES:
        return times(question.times)
    return days_presets()


# -- consent ---------------------------------------------------------------------------------


def consent(first_name: str, catalog: Catalog) -> tuple[str, InlineKeyboardMarkup]:
    name = esc(first_name) if first_name else "there"
    text = (
        f"Hi {name}! 👋 I'm <b>stretchbot</b>. At the times you choose I send one lower-back "
        f"stretch from the {esc(catalog.texts.clinic)} clinic's sheet: a picture and the "
        "clinic's own instructions.\n\n"
        f"<b>Before we start</b> <i>{esc(OURS_MARKER)}</i>\n"
        f"{_ours(catalog.texts.safety)}\n\n"
        "To remind you I keep your answers, the conditions you tell me, your time zone and "
        "your times. /export shows them and /delete erases them, any time."
    )
    return text, InlineKeyboardMarkup([[_button("✅ I understand", cb.CONSENT)]])


# -- conditions ------------------------------------------------------------------------------


def conditions(catalog: Catalog, chosen: frozenset[str]) -> tuple[str, InlineKeyboardMarkup]:
    questions = "\n".join(
        f"• <b>{esc(condition.label)}</b>: {esc(condition.question)}"
        for condition in catalog.conditions
    )
    text = (
        "Does any of this apply to you? Tap each one that does, then <b>Done</b>. "
        "I will never send you a stretch the clinic says is not for you.\n\n" + questions
    )
    rows = [
        [
            _button(
                f"{'☑️' if condition.id in chosen else '⬜'} {condition.label}",
                cb.CONDITION_TOGGLE,
                condition.id,
            )
        ]
        for condition in catalog.conditions
    ]
    rows.append([_button("Done ✓" if chosen else "None of these ✓", cb.CONDITIONS_DONE)])
    return text, InlineKeyboardMarkup(rows)


def conditions_saved() -> str:
    return "Saved ✓ Your next stretch takes this into account."


def condition_labels(catalog: Catalog, chosen: frozenset[str]) -> str:
    labels = [c.label for c in catalog.conditions if c.id in chosen]
    return ", ".join(labels) if labels else "none"


# -- time zone -------------------------------------------------------------------------------


def ask_zone() -> tuple[str, ReplyKeyboardMarkup]:
    text = (
        "Which time zone are you in? Any of these works:\n"
        "• type your city, e.g. <i>Auckland</i> or <i>New York</i>\n"
        f"• tap <b>{esc(SHARE_LOCATION)}</b> below\n"
        "• or type the time it is for you right now, e.g. <i>14:05</i>"
    )
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(SHARE_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="Your city, or the time now",
    )
    return text, keyboard


def zone_choices(choices: Sequence[ZoneChoice], asked: str) -> tuple[str, InlineKeyboardMarkup]:
    text = f"I found a few places for “{esc(asked)}”. Which one is yours?"
    rows = [[_button(choice.label[:60], cb.ZONE_PICK, choice.zone)] for choice in choices]
    return text, InlineKeyboardMarkup(rows)


def zones_for_clock(zones: Sequence[str], now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    text = "Which of these is your time zone?"
    rows = [[_button(zone_label(zone, now), cb.ZONE_PICK, zone)] for zone in zones]
    return text, InlineKeyboardMarkup(rows)


def zone_label(zone: str, now: datetime) -> str:
    local = now.astimezone(get_zone(zone))
    return f"{zone.replace('_', ' ')} (now {local:%H:%M})"


def zone_not_found(asked: str) -> str:
    return (
        f"I couldn't find a place called “{esc(asked[:60])}”. Try a bigger city nearby, a zone "
        "name like <i>Europe/London</i>, share your location, or type the time it is for you "
        "now (e.g. <i>14:05</i>)."
    )


def zone_set(zone: str, now: datetime) -> str:
    return f"Time zone: <b>{esc(zone_label(zone, now))}</b> ✓"


def no_zone_for_location() -> str:
    return (
        "I couldn't tell the time zone from that location. Please type your city instead "
        "(e.g. <i>Auckland</i>)."
    )


# -- times -----------------------------------------------------------------------------------


def times(chosen: Sequence[time]) -> tuple[str, InlineKeyboardMarkup]:
    text = (
        "When would you like your stretch? Tap one or more times, or type your own "
        "(e.g. <i>7:30</i>, <i>6pm</i>, <i>19:00</i>), then <b>Done</b>. Up to 6 a day."
    )
    shown = sorted(set(QUICK_TIMES) | set(chosen))
    buttons = [
        _button(
            f"{'✅ ' if value in chosen else ''}{format_time(value)}",
            cb.TIME_TOGGLE,
            value.strftime("%H%M"),
        )
        for value in shown
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    if chosen:
        rows.append([_button("Done ✓", cb.TIMES_DONE)])
    return text, InlineKeyboardMarkup(rows)


def times_summary(chosen: Sequence[time]) -> str:
    return ", ".join(format_time(value) for value in chosen) if chosen else "none yet"


# -- days ------------------------------------------------------------------------------------


def days_presets() -> tuple[str, InlineKeyboardMarkup]:
    text = "Which days?"
    rows = [
        [
            _button("Every day", cb.DAYS_PRESET, str(int(Weekdays.EVERY_DAY))),
            _button("Weekdays", cb.DAYS_PRESET, str(int(Weekdays.WEEKDAYS))),
        ],
        [_button("Choose days…", cb.DAY_TOGGLE, "pick")],
    ]
    return text, InlineKeyboardMarkup(rows)


def days_picker(days: Weekdays) -> tuple[str, InlineKeyboardMarkup]:
    text = "Tap the days you want, then <b>Done</b>."
    buttons = [
        _button(f"{'✅' if days.includes(i) else '⬜'} {name}", cb.DAY_TOGGLE, str(i))
        for i, name in enumerate(DAY_NAMES)
    ]
    rows = [buttons[:4], buttons[4:]]
    if days:
        rows.append([_button("Done ✓", cb.DAYS_DONE)])
    return text, InlineKeyboardMarkup(rows)


# -- finished --------------------------------------------------------------------------------


def all_set(times_text: str, days: Weekdays, zone: str, first: datetime | None) -> str:
    first_text = (
        f"\nYour first stretch: <b>{first.astimezone(get_zone(zone)):%a %d %b at %H:%M}</b>."
        if first
        else ""
    )
    return (
        "<b>All set</b> ✅\n"
        f"A stretch at {esc(times_text)}, {esc(days.label.lower())} ({esc(zone)}).{first_text}\n\n"
        "Answer each one with the buttons under it. /settings changes anything; "
        "/help lists everything I understand."
    )


def bad_time(reason: str) -> str:
    return f"{esc(reason)}\nNothing changed; tap a time above or type one like <i>7:30</i>."


def tap_a_button() -> str:
    return "Please tap one of the buttons above 👆 (/start shows this step again)."


# -- refusals (answers to a set-up press that changed nothing) -------------------------------

OUT_OF_DATE = "That button is out of date."
TIME_OUT_OF_DATE = "That button is out of date. Send /times to see your times."
REFUSALS = {
    "out_of_date": OUT_OF_DATE,
    "unknown_condition": "That option no longer exists. Send /conditions for the list.",
    "unknown_zone": "I don't know that time zone. Please type your city again.",
    "too_many_times": "That's the most: 6 times a day.",
    "no_times": "Pick at least one time first.",
    "last_day": "Keep at least one day.",
    "already_consented": "You're already past this step 🙂",
}
