"""The set-up conversation's rules: which step comes next, what a step accepts, and what a
set-up button's argument means. Pure: no database, no Telegram.

The same steps serve onboarding and later changes (/conditions, /timezone, /times, /settings):
while the user is onboarding, finishing a step moves on to the next one and the last one turns
reminders on; afterwards finishing a step saves and ends the conversation. Where the
conversation stands is stored (`User.dialog_step`, as the `Step` value), so a restart mid-way
resumes at the same step and old buttons keep working.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import time
from typing import TypeGuard

from bot.domain.clock_times import Weekdays


class Step(enum.StrEnum):
    CONSENT = "consent"
    CONDITIONS = "conditions"
    TIMEZONE = "timezone"
    TIMES = "times"
    DAYS = "days"


# Onboarding asks every step, in this order.
ONBOARDING = (Step.CONSENT, Step.CONDITIONS, Step.TIMEZONE, Step.TIMES, Step.DAYS)


class Section(enum.StrEnum):
    """The parts of /settings a button or command opens."""

    CONDITIONS = "conditions"
    TIMEZONE = "timezone"
    TIMES = "times"
    DAYS = "days"
    DELETE = "delete"


class TextUse(enum.Enum):
    """What typed text means at a step."""

    ZONE = "zone"  # a city, a zone name, or the user's clock time
    TIMES = "times"  # reminder times to add
    BUTTONS = "buttons"  # this step is answered with its buttons: say so
    NONE = "none"  # no step is waiting: the text is not the conversation's


@dataclass(frozen=True)
class Question:
    """What the bot asks at a step, with what the user has chosen so far."""

    step: Step
    first_name: str = ""
    conditions: frozenset[str] = frozenset()
    times: tuple[time, ...] = ()


@dataclass(frozen=True)
class Transition:
    """Where finishing a step leads: the next step to ask (None: the conversation ends) and
    whether that also ends onboarding (reminders go on)."""

    next: Step | None
    finishes_onboarding: bool = False

    @property
    def saved(self) -> bool:
        """A change to settings, outside onboarding: say it was saved."""
        return self.next is None and not self.finishes_onboarding


def parse_step(stored: str | None) -> Step | None:
    """The step a stored `dialog_step` names; None for none (or a value no version wrote)."""
    try:
        return Step(stored) if stored else None
    except ValueError:
        return None


def after(done: Step, *, onboarding: bool) -> Transition:
    """Where the conversation goes once `done` is answered."""
    if done is Step.CONSENT:
        # Consent only ever happens while onboarding: conditions always follow.
        return Transition(Step.CONDITIONS)
    if not onboarding:
        return Transition(None)
    position = ONBOARDING.index(done)
    if position == len(ONBOARDING) - 1:
        return Transition(None, finishes_onboarding=True)
    return Transition(ONBOARDING[position + 1])


def resume_at(stored: str | None) -> Step:
    """The step to show again to a user who is still onboarding (after /start, a restart)."""
    return parse_step(stored) or Step.CONDITIONS


def press_counts(step: Step, *, stored: str | None, onboarding: bool) -> bool:
    """Whether a press on a `step` button counts. While onboarding, the current step's and
    earlier steps' buttons do (going back to change an answer); a later step's button can
    only be an old message's (e.g. from before /delete) and is out of date: "All set" must
    never come before the time zone is known. After onboarding every step is open."""
    if not onboarding:
        return True
    return ONBOARDING.index(step) <= ONBOARDING.index(resume_at(stored))


def text_use(stored: str | None) -> TextUse:
    step = parse_step(stored)
    if step is Step.TIMEZONE:
        return TextUse.ZONE
    if step is Step.TIMES:
        return TextUse.TIMES
    if step is None:
        return TextUse.NONE
    return TextUse.BUTTONS


def takes_location(stored: str | None) -> bool:
    """A shared location sets the zone only while the zone question is open."""
    return parse_step(stored) is Step.TIMEZONE


def consent_is_stale(*, consented: bool, stored: str | None) -> bool:
    """An "I understand" press from a user already past that step changes nothing."""
    return consented and parse_step(stored) is not Step.CONSENT


def parse_section(argument: str | None) -> Section | None:
    try:
        return Section(argument) if argument else None
    except ValueError:
        return None


def section_step(section: Section) -> Step | None:
    """The step a settings section asks; None for one that is not a step (delete)."""
    return None if section is Section.DELETE else Step(section.value)


# -- set-up button arguments (built by bot.views: never trusted) -----------------------------


def time_argument(argument: str | None) -> time | None:
    """`HHMM` -> that time, or None for anything else."""
    if not _digits(argument) or len(argument) != 4:
        return None
    hour, minute = int(argument[:2]), int(argument[2:])
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def days_argument(argument: str | None) -> Weekdays | None:
    """A preset's day mask (1..127), or None for anything else."""
    if not _digits(argument) or not 1 <= int(argument) <= 127:
        return None
    return Weekdays(int(argument))


def day_index_argument(argument: str | None) -> int | None:
    """A weekday number, 0 (Monday) .. 6 (Sunday), or None for anything else."""
    if not _digits(argument):
        return None
    index = int(argument)
    return index if index <= 6 else None


def _digits(argument: str | None) -> TypeGuard[str]:
    # ASCII only: "²".isdigit() is true, yet int("²") raises.
    return argument is not None and argument.isascii() and argument.isdigit()


def toggle_day(current: Weekdays, index: int) -> Weekdays | None:
    """`current` with day `index` flipped; None if that would leave no day at all."""
    toggled = current ^ Weekdays.from_indices([index])
    return toggled or None
