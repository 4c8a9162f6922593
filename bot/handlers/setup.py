"""/start and the set-up steps: consent, conditions, time zone, times, days.

The same steps serve onboarding and later changes (/conditions, /timezone, /times): while the
user is onboarding, finishing a step moves on to the next one; afterwards it saves and says so.
Where the conversation stands is `User.dialog_step`, in the database, so a restart mid-way
resumes at the same step and old buttons keep working.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, ReplyKeyboardRemove, Update

from bot.catalog import Catalog
from bot.context import BotContext
from bot.db.models import User, UserStatus
from bot.domain.clock_times import TimeParseError, Weekdays, parse_time, parse_times
from bot.domain.zones import UnknownZoneError
from bot.handlers import sharing_question
from bot.handlers.common import Markup, edit, edit_markup, send, unit_of_work
from bot.services import accounts, answers, schedule, sharing
from bot.services.zone_lookup import (
    zone_choices_for_name,
    zone_for_location,
    zones_for_local_time,
)
from bot.views import callback_data as cb
from bot.views import clinic as views_clinic
from bot.views import onboarding as views
from bot.views import settings as settings_views

log = logging.getLogger(__name__)

# dialog_step values
CONSENT = "consent"
CONDITIONS = "conditions"
TIMEZONE = "timezone"
TIMES = "times"
DAYS = "days"
STEPS_AWAITING_TEXT = (TIMEZONE, TIMES)


# -- /start ----------------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> None:
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None
    assert chat is not None
    code = accounts.valid_start_code(context.args[0] if context.args else None)
    services = context.services
    async with unit_of_work(context) as session:
        user = await accounts.find_user(session, tg_user.id)
        if user is None or user.consented_at is None:
            user = await accounts.register(session, tg_user.id, chat.id, code)
            user.dialog_step = CONSENT
            text, markup = views.consent(tg_user.first_name, services.catalog)
            await send(update, context, text, markup)
            return
        if user.status is UserStatus.ONBOARDING:
            await send_step(update, context, session, user)
            return
        if user.status in (UserStatus.STOPPED, UserStatus.BLOCKED):
            await accounts.activate(session, user, services.clock())
            await send(update, context, "Welcome back! 👋 Your reminders are on again.")
        await send_settings(update, context, session, user)


async def send_settings(
    update: Update, context: BotContext, session: AsyncSession, user: User
) -> None:
    services = context.services
    slots = await schedule.slots_of(session, user)
    text, markup = settings_views.overview(
        user,
        await accounts.condition_ids(session, user),
        slots,
        schedule.next_prompt_at(slots),
        services.catalog,
        services.clock(),
        await answers.blocked_ids(session, user),
        views_clinic.SharingSettings(
            [(share.id, p) for share, p in await sharing.active_of_patient(session, user)],
            user.pain_checkin_day,
        ),
    )
    await send(update, context, text, markup)


async def send_step(update: Update, context: BotContext, session: AsyncSession, user: User) -> None:
    """Show the step the user is at (after /start mid-way, or a restart)."""
    services = context.services
    step = user.dialog_step or CONDITIONS
    if step == CONSENT:
        text, markup = views.consent(user.first_name, services.catalog)
        await send(update, context, text, markup)
    elif step == CONDITIONS:
        chosen = await accounts.condition_ids(session, user)
        text, markup = views.conditions(services.catalog, chosen)
        await send(update, context, text, markup)
    elif step == TIMEZONE:
        text, reply_markup = views.ask_zone()
        await send(update, context, text, reply_markup)
    elif step == TIMES:
        await _send_times(update, context, session, user)
    elif step == DAYS:
        text, markup = views.days_presets()
        await send(update, context, text, markup)


async def _send_times(
    update: Update, context: BotContext, session: AsyncSession, user: User
) -> None:
    chosen = [slot.local_time for slot in await schedule.slots_of(session, user)]
    text, markup = views.times(chosen)
    await send(update, context, text, markup)


# -- buttons ---------------------------------------------------------------------------------


@dataclass
class Press:
    """One button press, with everything a step needs to act on it."""

    update: Update
    context: BotContext
    query: CallbackQuery
    argument: str | None
    user: User
    session: AsyncSession
    now: datetime

    @property
    def catalog(self) -> Catalog:
        return self.context.services.catalog

    async def send(self, html: str, markup: Markup = None) -> None:
        await send(self.update, self.context, html, markup)


async def _consent(press: Press) -> None:
    user, query = press.user, press.query
    if user.consented_at is not None and user.dialog_step != CONSENT:
        await query.answer("You're already past this step 🙂")
        return
    tg_user = press.update.effective_user
    assert tg_user is not None
    await accounts.record_consent(
        press.session, user, tg_user.first_name, tg_user.language_code, press.now
    )
    user.dialog_step = CONDITIONS
    await query.answer()
    await edit_markup(query, None)
    await press.send(*views.conditions(press.catalog, frozenset()))


async def _toggle_condition(press: Press) -> None:
    known = {condition.id for condition in press.catalog.conditions}
    if press.argument not in known:
        await press.query.answer("That option no longer exists. Send /conditions for the list.")
        return
    chosen = await accounts.condition_ids(press.session, press.user) ^ {press.argument}
    await accounts.set_conditions(press.session, press.user, chosen)
    await press.query.answer()
    await edit_markup(press.query, views.conditions(press.catalog, chosen)[1])


async def _conditions_done(press: Press) -> None:
    user = press.user
    chosen = await accounts.condition_ids(press.session, user)
    await press.query.answer()
    await edit(press.query, f"Conditions: <b>{views.condition_labels(press.catalog, chosen)}</b> ✓")
    if user.status is UserStatus.ONBOARDING:
        user.dialog_step = TIMEZONE
        await press.send(*views.ask_zone())
    else:
        user.dialog_step = None
        await press.send("Saved ✓ Your next stretch takes this into account.")


async def _pick_zone(press: Press) -> None:
    try:
        await _choose_zone(
            press.update, press.context, press.session, press.user, press.argument or "", press.now
        )
    except UnknownZoneError:
        await press.query.answer("I don't know that time zone. Please type your city again.")
        return
    await press.query.answer()
    await edit_markup(press.query, None)


async def _toggle_time(press: Press) -> None:
    value = _time_argument(press.argument)
    if value is None:
        await press.query.answer("That button is out of date. Send /times to see your times.")
        return
    session, user = press.session, press.user
    current = [slot.local_time for slot in await schedule.slots_of(session, user)]
    try:
        if value in current:
            await schedule.remove_time(session, user, value, press.now)
        else:
            await schedule.add_times(session, user, (value,), press.now)
    except schedule.TooManyTimes:
        await press.query.answer("That's the most: 6 times a day.", show_alert=True)
        return
    await press.query.answer()
    chosen = [slot.local_time for slot in await schedule.slots_of(session, user)]
    await edit_markup(press.query, views.times(chosen)[1])


async def _times_done(press: Press) -> None:
    user = press.user
    slots = await schedule.slots_of(press.session, user)
    if not slots:
        await press.query.answer("Pick at least one time first.", show_alert=True)
        return
    await press.query.answer()
    summary = views.times_summary([slot.local_time for slot in slots])
    await edit(press.query, f"Times: <b>{summary}</b> ✓")
    if user.status is UserStatus.ONBOARDING:
        user.dialog_step = DAYS
        await press.send(*views.days_presets())
    else:
        user.dialog_step = None
        await press.send(settings_views.saved(user, schedule.next_prompt_at(slots)))


async def _days_preset(press: Press) -> None:
    days = _days_argument(press.argument)
    if days is None:
        await press.query.answer("That button is out of date.")
        return
    await press.query.answer()
    await edit(press.query, f"Days: <b>{days.label}</b> ✓")
    await _finish_days(press, days)


async def _current_days(press: Press) -> Weekdays:
    slots = await schedule.slots_of(press.session, press.user)
    return Weekdays.of_slots(slot.days for slot in slots)


async def _toggle_day(press: Press) -> None:
    current = await _current_days(press)
    if press.argument == "pick":
        await press.query.answer()
        await edit(press.query, *views.days_picker(current))
        return
    index = int(press.argument) if press.argument and press.argument.isdigit() else -1
    if not 0 <= index <= 6:
        await press.query.answer("That button is out of date.")
        return
    toggled = current ^ Weekdays.from_indices([index])
    if not toggled:
        await press.query.answer("Keep at least one day.")
        return
    await schedule.set_days(press.session, press.user, toggled, press.now)
    await press.query.answer()
    await edit_markup(press.query, views.days_picker(toggled)[1])


async def _days_done(press: Press) -> None:
    days = await _current_days(press)
    await press.query.answer()
    await edit(press.query, f"Days: <b>{days.label}</b> ✓")
    await _finish_days(press, days)


async def _finish_days(press: Press, days: Weekdays) -> None:
    session, user, now = press.session, press.user, press.now
    slots = await schedule.set_days(session, user, days, now)
    if user.status is not UserStatus.ONBOARDING:
        user.dialog_step = None
        await press.send(settings_views.saved(user, schedule.next_prompt_at(slots)))
        return
    await accounts.activate(session, user, now)
    slots = await schedule.slots_of(session, user)
    assert user.time_zone is not None
    await press.send(
        views.all_set(
            views.times_summary([slot.local_time for slot in slots]),
            days,
            user.time_zone,
            schedule.next_prompt_at(slots),
        )
    )
    await sharing_question.ask_pending(press.update, press.context, session, user)


BUTTONS: dict[str, Callable[[Press], Awaitable[None]]] = {
    cb.CONSENT: _consent,
    cb.CONDITION_TOGGLE: _toggle_condition,
    cb.CONDITIONS_DONE: _conditions_done,
    cb.ZONE_PICK: _pick_zone,
    cb.TIME_TOGGLE: _toggle_time,
    cb.TIMES_DONE: _times_done,
    cb.DAYS_PRESET: _days_preset,
    cb.DAY_TOGGLE: _toggle_day,
    cb.DAYS_DONE: _days_done,
}


async def on_button(press: Press, action: str) -> bool:
    """Handle a set-up button; False if the action is not a set-up step's."""
    step = BUTTONS.get(action)
    if step is None:
        return False
    if action != cb.CONSENT and press.user.consented_at is None:
        await press.query.answer("Please tap “I understand” first.", show_alert=True)
        return True
    await step(press)
    return True


def _time_argument(argument: str | None) -> time | None:
    if argument is None or len(argument) != 4 or not argument.isdigit():
        return None
    hour, minute = int(argument[:2]), int(argument[2:])
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _days_argument(argument: str | None) -> Weekdays | None:
    if argument is None or not argument.isdigit() or not 1 <= int(argument) <= 127:
        return None
    return Weekdays(int(argument))


async def _choose_zone(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    user: User,
    zone: str,
    now: datetime,
) -> None:
    await accounts.set_time_zone(session, user, zone, now)
    await send(update, context, views.zone_set(zone, now), ReplyKeyboardRemove())
    if user.status is UserStatus.ONBOARDING:
        user.dialog_step = TIMES
        await _send_times(update, context, session, user)
    else:
        user.dialog_step = None
        slots = await schedule.slots_of(session, user)
        await send(update, context, settings_views.saved(user, schedule.next_prompt_at(slots)))


# -- typed answers ---------------------------------------------------------------------------


async def on_text(
    update: Update, context: BotContext, session: AsyncSession, user: User, text: str
) -> bool:
    """A typed answer to the step the user is at; False if no step is waiting for text."""
    if user.dialog_step == TIMEZONE:
        await _zone_from_text(update, context, session, user, text)
        return True
    if user.dialog_step == TIMES:
        await _times_from_text(update, context, session, user, text)
        return True
    if user.dialog_step in (CONSENT, CONDITIONS, DAYS):
        # This step is answered with its buttons; say so rather than "I didn't catch that".
        await send(update, context, views.tap_a_button())
        return True
    return False


async def _zone_from_text(
    update: Update, context: BotContext, session: AsyncSession, user: User, text: str
) -> None:
    now = context.services.clock()
    try:
        local = parse_time(text)
    except TimeParseError:
        local = None
    if local is not None:
        zones = zones_for_local_time(now, local, user.language_code)
        if not zones:
            await send(update, context, views.zone_not_found(text))
            return
        text_out, markup = views.zones_for_clock(zones, now)
        await send(update, context, text_out, markup)
        return
    choices = zone_choices_for_name(text)
    if not choices:
        await send(update, context, views.zone_not_found(text))
    elif len(choices) == 1:
        await _choose_zone(update, context, session, user, choices[0].zone, now)
    else:
        text_out, markup = views.zone_choices(choices, text)
        await send(update, context, text_out, markup)


async def _times_from_text(
    update: Update, context: BotContext, session: AsyncSession, user: User, text: str
) -> None:
    now = context.services.clock()
    try:
        times = parse_times(text)
        await schedule.add_times(session, user, times, now)
    except TimeParseError as error:
        await send(update, context, views.bad_time(error.message))
        return
    except schedule.TooManyTimes:
        await send(update, context, views.bad_time("That would be more than 6 times a day."))
        return
    await _send_times(update, context, session, user)


async def on_location(
    update: Update, context: BotContext, session: AsyncSession, user: User
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    if user.dialog_step != TIMEZONE:
        await send(update, context, "Thanks! To change your time zone, send /timezone first.")
        return
    zone = zone_for_location(message.location.latitude, message.location.longitude)
    if zone is None:
        await send(update, context, views.no_zone_for_location())
        return
    await _choose_zone(update, context, session, user, zone, context.services.clock())
