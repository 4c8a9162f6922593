"""The bot's commands: one list feeds /help and Telegram's command menu (setMyCommands)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # one line, shown in Telegram's menu and in /help


COMMANDS: tuple[Command, ...] = (
    Command("start", "Start or restart: welcome and set-up"),
    Command("help", "What each command does"),
)
