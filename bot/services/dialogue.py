"""The set-up conversation (onboarding and the settings steps) as use cases.

Each function takes the user's answer to a step (a press, typed text, a location), applies it,
moves `User.dialog_step` as bot.domain.dialogue says, and returns plain results the handlers
turn into views. Nothing here knows Telegram. Only this module moves `dialog_step` (besides
accounts.register and accounts.activate, where the conversation starts and ends).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import TypeGuard

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.db.models import ScheduleSlot, User, UserStatus
from bot.domain import dialogue as rules
from bot.domain.clock_times import (
    TimeParseError,
    Weekdays,
    looks_like_time,
    parse_time,
    parse_times,
)
from bot.domain.dialogue import Question, Section, Step, TextUse, Transition
from bot.domain.zones import UnknownZoneError, ZoneChoice
from bot.services import accounts, answers, progress, schedule
from bot.services.zone_lookup import (
    load_in_background,
    zone_choices_for_name,
    zone_for_location,
    zones_for_local_time,
)

__all__ = [
    "Question",
    "Section",
    "Step",
    "TextUse",
]


class Refusal(enum.Enum):
    """Why a set-up press changed nothing."""

    OUT_OF_DATE = "out_of_date"  # the button's value is not one the bot offers (stale, forged)
    UNKNOWN_CONDITION = "unknown_condition"  # not in the clinic's pack (any more)
    UNKNOWN_ZONE = "unknown_zone"
    TOO_MANY_TIMES = "too_many_times"
    NO_TIMES = "no_times"  # "Done" before any time is chosen
    NO_DAYS = "no_days"  # "Done" in the day picker before any day is ticked
    ALREADY_CONSENTED = "already_consented"


@dataclass(frozen=True)
class Finished:
    """A step is answered: where the conversation goes and what to say about it."""

    transition: Transition
    question: Question | None  # the next step's question, if there is one
    user: User
    times: tuple[time, ...]
    days: Weekdays
    upcoming: datetime | None  # the next prompt, once the answer is applied


@dataclass(frozen=True)
class Overview:
    """Everything the /settings screen shows."""

    user: User
    conditions: frozenset[str]
    slots: Sequence[ScheduleSlot]
    upcoming: datetime | None
    blocked: frozenset[str]


class StartKind(enum.Enum):
    NEW = "new"  # not consented yet: ask for consent
    RESUME = "resume"  # mid-way through onboarding: ask the current step again
    WELCOME_BACK = "welcome_back"  # was stopped (or had blocked the bot): reminders are on again
    SETTINGS = "settings"  # set up already: show the settings


@dataclass(frozen=True)
class Started:
    kind: StartKind
    user: User
    question: Question | None = None


@dataclass(frozen=True)
class ZoneNotFound:
    asked: str


@dataclass(frozen=True)
class UnreadableTime:
    """Typed at the zone step, written like a time but not one ("9:99"): why not."""

    reason: str


@dataclass(frozen=True)
class NoZoneAtTime:
    """A valid time that is nowhere's time right now."""

    typed: time


@dataclass(frozen=True)
class ZonesForClock:
    """The zones where it is now the time the user typed."""

    zones: Sequence[str]


@dataclass(frozen=True)
class ZoneChoices:
    """Several places match the name the user typed."""

    choices: Sequence[ZoneChoice]
    asked: str


ZoneReply = ZoneNotFound | UnreadableTime | NoZoneAtTime | ZonesForClock | ZoneChoices | Finished


class LocationRefusal(enum.Enum):
    NOT_ASKED = "not_asked"  # no zone question is open
    NO_ZONE = "no_zone"  # no time zone at that spot


# -- where the user is --------------------------------------------------------------------------


async def start(
    session: AsyncSession,
    telegram_id: int,
    chat_id: int,
    first_name: str,
    start_code: str | None,
    now: datetime,
) -> Started:
    """/start: begin (or begin again), resume, or welcome back."""
    # The steps ahead may ask for a city (onboarding, or settings): load the places meanwhile.
    load_in_background()
    user = await accounts.find_user(session, telegram_id)
    if user is None or user.consented_at is None:
        user = await accounts.register(session, telegram_id, chat_id, start_code)
        user.dialog_step = Step.CONSENT.value
        return Started(StartKind.NEW, user, Question(Step.CONSENT, first_name=first_name))
    if user.status is UserStatus.ONBOARDING:
        return Started(StartKind.RESUME, user, await current_question(session, user))
    if user.status in (UserStatus.STOPPED, UserStatus.BLOCKED):
        await accounts.activate(session, user, now)
        return Started(StartKind.WELCOME_BACK, user)
    return Started(StartKind.SETTINGS, user)


def is_consented(user: User | None) -> TypeGuard[User]:
    return user is not None and user.consented_at is not None


def is_onboarding(user: User) -> bool:
    return user.status is UserStatus.ONBOARDING


async def current_question(session: AsyncSession, user: User) -> Question:
    """The question of the step an onboarding user is at (after /start mid-way, a restart)."""
    return await _question(session, user, rules.resume_at(user.dialog_step))


async def _question(session: AsyncSession, user: User, step: Step) -> Question:
    if step is Step.CONSENT:
        return Question(step, first_name=user.first_name or "")
    if step is Step.CONDITIONS:
        return Question(step, conditions=await accounts.condition_ids(session, user))
    if step is Step.TIMES:
        return Question(step, times=await _times(session, user))
    if step is Step.GOAL:
        return Question(step, weekly_goal=user.weekly_goal)
    return Question(step)


async def overview(session: AsyncSession, user: User) -> Overview:
    slots = await schedule.slots_of(session, user)
    return Overview(
        user=user,
        conditions=await accounts.condition_ids(session, user),
        slots=slots,
        upcoming=schedule.next_prompt_at(slots),
        blocked=await answers.blocked_ids(session, user),
    )


async def open_section(
    session: AsyncSession, user: User, argument: str | None
) -> Question | Section | None:
    """Open a part of the settings: its step's question (the conversation now waits there),
    Section.DELETE (not a step), or None for a section that doesn't exist."""
    section = rules.parse_section(argument)
    if section is None:
        return None
    step = rules.section_step(section)
    if step is None:
        return section
    user.dialog_step = step.value
    return await _question(session, user, step)


def text_use(user: User) -> TextUse:
    return rules.text_use(user.dialog_step)


# -- answering the steps ------------------------------------------------------------------------


async def consent(
    session: AsyncSession,
    user: User,
    first_name: str,
    language_code: str | None,
    now: datetime,
) -> Question | Refusal:
    if rules.consent_is_stale(consented=user.consented_at is not None, stored=user.dialog_step):
        return Refusal.ALREADY_CONSENTED
    await accounts.record_consent(session, user, first_name, language_code, now)
    transition = rules.after(Step.CONSENT, onboarding=True)
    assert transition.next is not None
    user.dialog_step = transition.next.value
    return Question(transition.next)


async def toggle_condition(
    session: AsyncSession, catalog: Catalog, user: User, condition_id: str | None
) -> frozenset[str] | Refusal:
    """The user's conditions with `condition_id` switched on or off."""
    if _ahead(user, Step.CONDITIONS):
        return Refusal.OUT_OF_DATE
    if condition_id not in {condition.id for condition in catalog.conditions}:
        return Refusal.UNKNOWN_CONDITION
    chosen = await accounts.condition_ids(session, user) ^ {condition_id}
    await accounts.set_conditions(session, user, chosen)
    return chosen


async def finish_conditions(
    session: AsyncSession, user: User, now: datetime
) -> tuple[frozenset[str], Finished] | Refusal:
    if _ahead(user, Step.CONDITIONS):
        return Refusal.OUT_OF_DATE
    chosen = await accounts.condition_ids(session, user)
    return chosen, await _finish(session, user, Step.CONDITIONS, now)


async def choose_zone(
    session: AsyncSession, user: User, zone: str | None, now: datetime
) -> Finished | Refusal:
    if _ahead(user, Step.TIMEZONE):
        return Refusal.OUT_OF_DATE
    try:
        await accounts.set_time_zone(session, user, zone or "", now)
    except UnknownZoneError:
        return Refusal.UNKNOWN_ZONE
    return await _finish(session, user, Step.TIMEZONE, now)


async def zone_from_text(session: AsyncSession, user: User, text: str, now: datetime) -> ZoneReply:
    """A city, a zone name, or the time it is for the user now. Anything written like a time
    is answered as one, never looked up as a place ("9:99" is a time gone wrong)."""
    if looks_like_time(text):
        try:
            local = parse_time(text)
        except TimeParseError as error:
            return UnreadableTime(error.reason)
        zones = await asyncio.to_thread(zones_for_local_time, now, local, user.language_code)
        return ZonesForClock(zones) if zones else NoZoneAtTime(local)
    choices = await asyncio.to_thread(zone_choices_for_name, text)
    if not choices:
        return ZoneNotFound(text)
    if len(choices) > 1:
        return ZoneChoices(choices, text)
    chosen = await choose_zone(session, user, choices[0].zone, now)
    # The place list only holds zones the tz database knows.
    assert isinstance(chosen, Finished)
    return chosen


async def zone_from_location(
    session: AsyncSession, user: User, latitude: float, longitude: float, now: datetime
) -> Finished | LocationRefusal:
    if not rules.takes_location(user.dialog_step):
        return LocationRefusal.NOT_ASKED
    zone = await asyncio.to_thread(zone_for_location, latitude, longitude)
    if zone is None:
        return LocationRefusal.NO_ZONE
    chosen = await choose_zone(session, user, zone, now)
    assert isinstance(chosen, Finished)
    return chosen


async def toggle_time(
    session: AsyncSession, user: User, argument: str | None, now: datetime
) -> tuple[time, ...] | Refusal:
    """The user's times with the button's time added or removed."""
    value = rules.time_argument(argument)
    if value is None or _ahead(user, Step.TIMES):
        return Refusal.OUT_OF_DATE
    try:
        if value in await _times(session, user):
            await schedule.remove_time(session, user, value, now)
        else:
            await schedule.add_times(session, user, (value,), now)
    except schedule.TooManyTimes:
        return Refusal.TOO_MANY_TIMES
    return await _times(session, user)


async def times_from_text(
    session: AsyncSession, user: User, text: str, now: datetime
) -> tuple[time, ...] | str:
    """Typed times added to the user's; or why they can't be (nothing changes)."""
    try:
        await schedule.add_times(session, user, parse_times(text), now)
    except TimeParseError as error:
        return error.message
    except schedule.TooManyTimes:
        return "That would be more than 6 times a day."
    return await _times(session, user)


async def done_by_word(
    session: AsyncSession, user: User, text: str, now: datetime
) -> tuple[Step, Finished | Refusal] | None:
    """Typed "done" at a step whose question ends "…then Done": the same as tapping Done.
    None if the text isn't that, or if a stretch is waiting for an answer (its "done" comes
    first: a settings step left open must not swallow it)."""
    step = rules.done_by_word(user.dialog_step, text)
    if step is None or await answers.latest_open(session, user, now) is not None:
        return None
    if step is Step.CONDITIONS:
        finished = await finish_conditions(session, user, now)
        return step, finished if isinstance(finished, Refusal) else finished[1]
    if step is Step.TIMES:
        return step, await finish_times(session, user, now)
    return step, await finish_days(session, user, now)


async def finish_times(session: AsyncSession, user: User, now: datetime) -> Finished | Refusal:
    if _ahead(user, Step.TIMES):
        return Refusal.OUT_OF_DATE
    if not await _times(session, user):
        return Refusal.NO_TIMES
    return await _finish(session, user, Step.TIMES, now)


async def current_days(session: AsyncSession, user: User) -> Weekdays:
    return Weekdays.of_slots(slot.days for slot in await schedule.slots_of(session, user))


async def choose_days_preset(
    session: AsyncSession, user: User, argument: str | None, now: datetime
) -> Finished | Refusal:
    days = rules.days_argument(argument)
    if days is None or _ahead(user, Step.DAYS):
        return Refusal.OUT_OF_DATE
    return await _finish_days(session, user, days, now)


async def pick_days(session: AsyncSession, user: User) -> Weekdays | Refusal:
    """Open the day picker, with no day ticked: the days are saved only at Done."""
    if _ahead(user, Step.DAYS):
        return Refusal.OUT_OF_DATE
    user.dialog_step = rules.picking_days(Weekdays(0))
    return Weekdays(0)


async def toggle_day(
    session: AsyncSession, user: User, argument: str | None, now: datetime
) -> Weekdays | Refusal:
    """The days ticked so far in the picker, with the button's day flipped. A picker from
    before (none open now) starts again from no day."""
    index = rules.day_index_argument(argument)
    if index is None or _ahead(user, Step.DAYS):
        return Refusal.OUT_OF_DATE
    ticked = rules.picked_days(user.dialog_step) or Weekdays(0)
    toggled = rules.toggle_day(ticked, index)
    user.dialog_step = rules.picking_days(toggled)
    return toggled


async def finish_days(session: AsyncSession, user: User, now: datetime) -> Finished | Refusal:
    """Done in the day picker: the days ticked there, at least one."""
    ticked = rules.picked_days(user.dialog_step)
    if ticked is None or _ahead(user, Step.DAYS):
        return Refusal.OUT_OF_DATE
    if not ticked:
        return Refusal.NO_DAYS
    return await _finish_days(session, user, ticked, now)


async def choose_goal(
    session: AsyncSession, user: User, argument: str | None, now: datetime
) -> Finished | Refusal:
    """The weekly goal (from /settings): days a week, 1 to 7."""
    days = rules.goal_argument(argument)
    if days is None or _ahead(user, Step.GOAL):
        return Refusal.OUT_OF_DATE
    await progress.set_weekly_goal(session, user, days)
    return await _finish(session, user, Step.GOAL, now)


async def _finish_days(
    session: AsyncSession, user: User, days: Weekdays, now: datetime
) -> Finished:
    await schedule.set_days(session, user, days, now)
    return await _finish(session, user, Step.DAYS, now)


async def _finish(session: AsyncSession, user: User, done: Step, now: datetime) -> Finished:
    """Move past `done`: ask the next step, or end the conversation (turning reminders on if
    that was onboarding's last step)."""
    transition = rules.after(done, onboarding=user.status is UserStatus.ONBOARDING)
    if transition.finishes_onboarding:
        await accounts.activate(session, user, now)
    user.dialog_step = transition.next.value if transition.next is not None else None
    question = (
        await _question(session, user, transition.next) if transition.next is not None else None
    )
    slots = await schedule.slots_of(session, user)
    return Finished(
        transition=transition,
        question=question,
        user=user,
        times=tuple(slot.local_time for slot in slots),
        days=Weekdays.of_slots(slot.days for slot in slots),
        upcoming=schedule.next_prompt_at(slots),
    )


def _ahead(user: User, step: Step) -> bool:
    """A press for a step the onboarding user hasn't reached: an old message's button."""
    onboarding = user.status is UserStatus.ONBOARDING
    return not rules.press_counts(step, stored=user.dialog_step, onboarding=onboarding)


async def _times(session: AsyncSession, user: User) -> tuple[time, ...]:
    return tuple(slot.local_time for slot in await schedule.slots_of(session, user))
