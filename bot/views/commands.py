"""The bot's commands: one list feeds /help and Telegram's command menu (setMyCommands)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # one line, shown in Telegram's menu and in /help


COMMANDS: tuple[Command, ...] = (
    Command("start", "Set up, or see your settings"),
    Command("next", "Send me the next stretch now"),
    Command("progress", "Your streak, your counts and the last 8 weeks"),
    Command("settings", "Everything in one place, with a button for each part"),
    Command("times", "Add or remove reminder times"),
    Command("conditions", "The conditions I keep stretches away from"),
    Command("timezone", "Change your time zone"),
    Command("pause", "Pause reminders, e.g. /pause 3 days or /pause until Monday"),
    Command("resume", "Turn reminders back on"),
    Command("stop", "No more reminders (your data is kept)"),
    Command("report", "A one-page PDF of my record, for my next visit"),
    Command("patients", "Practitioners: the patients who share with you"),
    Command("export", "Send me everything you keep about me"),
    Command("delete", "Erase all my data"),
    Command("about", "Where the stretches come from"),
    Command("help", "What each command does"),
)
