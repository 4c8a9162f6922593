"""Settings that are always reachable: /settings, /conditions, /timezone, /times, /pause,
/resume, /stop, /export, /delete, /about."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update

from bot.context import BotContext
from bot.db.models import User, UserStatus
from bot.domain.fire_times import local_date
from bot.domain.pause import PauseParseError, parse_pause
from bot.handlers import setup
from bot.handlers.common import edit, send, unit_of_work
from bot.services import accounts, dispatch, personal_data, schedule
from bot.services import progress as progress_service
from bot.services.changes import mark_schedule_changed
from bot.views import about as about_views
from bot.views import callback_data as cb
from bot.views import onboarding as views
from bot.views import progress as progress_views
from bot.views import settings as settings_views


async def _ready_user(update: Update, context: BotContext, session: AsyncSession) -> User | None:
    """The user if set up; otherwise says what to do first and returns None."""
    tg_user = update.effective_user
    assert tg_user is not None
    user = await accounts.find_user(session, tg_user.id)
    if user is None or user.consented_at is None:
        await send(update, context, "We haven't met yet 🙂 Send /start to set up your stretches.")
        return None
    if user.status is UserStatus.ONBOARDING:
        await send(update, context, "Let's finish setting up first:")
        await setup.send_step(update, context, session, user)
        return None
    return user


async def settings_command(update: Update, context: BotContext) -> None:
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is not None:
            await setup.send_settings(update, context, session, user)


async def open_section(
    update: Update, context: BotContext, session: AsyncSession, user: User, section: str
) -> None:
    """Open one part of the settings (from a /settings button or its own command)."""
    catalog = context.services.catalog
    if section == "conditions":
        user.dialog_step = setup.CONDITIONS
        chosen = await accounts.condition_ids(session, user)
        await send(update, context, *views.conditions(catalog, chosen))
    elif section == "timezone":
        user.dialog_step = setup.TIMEZONE
        await send(update, context, *views.ask_zone())
    elif section == "times":
        user.dialog_step = setup.TIMES
        slots = await schedule.slots_of(session, user)
        await send(update, context, *views.times([slot.local_time for slot in slots]))
    elif section == "days":
        user.dialog_step = setup.DAYS
        await send(update, context, *views.days_presets())
    elif section == "delete":
        await send(update, context, *about_views.confirm_delete())


def section_command(section: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """/conditions, /timezone, /times: open that part of the settings directly."""

    async def command(update: Update, context: BotContext) -> None:
        async with unit_of_work(context) as session:
            user = await _ready_user(update, context, session)
            if user is not None:
                await open_section(update, context, session, user, section)

    command.__name__ = f"{section}_command"
    return command


async def next_command(update: Update, context: BotContext) -> None:
    """/next: the next stretch now, through the reminder engine like any prompt."""
    services = context.services
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is None:
            return
        queued = await dispatch.queue_now(session, services.catalog, user, services.clock())
        if queued is None:
            await send(update, context, about_views.nothing_to_send())
            return
        mark_schedule_changed(session)


async def pause_command(update: Update, context: BotContext) -> None:
    now = context.services.clock()
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is None:
            return
        await _pause(update, context, session, user, " ".join(context.args or ()), now)


async def _pause(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    user: User,
    argument: str,
    now: datetime,
) -> None:
    zone = user.time_zone or "UTC"
    try:
        until = parse_pause(argument, local_date(now, zone))
    except PauseParseError as error:
        await send(update, context, f"{error.message}\nNothing changed.")
        return
    await accounts.pause(session, user, until, now)
    slots = await schedule.slots_of(session, user)
    await send(update, context, about_views.paused(until, schedule.next_prompt_at(slots), zone))


async def resume_command(update: Update, context: BotContext) -> None:
    now = context.services.clock()
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is None:
            return
        await accounts.resume(session, user, now)
        slots = await schedule.slots_of(session, user)
        await send(
            update, context, "▶️ " + settings_views.saved(user, schedule.next_prompt_at(slots))
        )


async def stop_command(update: Update, context: BotContext) -> None:
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is None:
            return
        await accounts.stop(session, user, context.services.clock())
        await send(update, context, about_views.stopped())


async def delete_command(update: Update, context: BotContext) -> None:
    async with unit_of_work(context) as session:
        tg_user = update.effective_user
        assert tg_user is not None
        if await accounts.find_user(session, tg_user.id) is None:
            await send(update, context, "I have no data about you. Nothing to delete.")
            return
    await send(update, context, *about_views.confirm_delete())


async def export_command(update: Update, context: BotContext) -> None:
    async with unit_of_work(context) as session:
        tg_user = update.effective_user
        assert tg_user is not None
        user = await accounts.find_user(session, tg_user.id)
        if user is None:
            await send(update, context, "I have no data about you yet.")
            return
        data = await personal_data.export(session, user, context.services.clock())
    chat = update.effective_chat
    assert chat is not None
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await context.bot.send_document(
        chat.id,
        InputFile(payload, filename="stretchbot-my-data.json"),
        caption="Everything I keep about you.",
    )


async def about_command(update: Update, context: BotContext) -> None:
    await send(update, context, about_views.about(context.services.catalog))


# -- buttons ---------------------------------------------------------------------------------


async def on_button(press: setup.Press, action: str) -> bool:
    update, context, session, user = press.update, press.context, press.session, press.user
    if action == cb.SETTINGS_OPEN:
        if press.argument not in {"conditions", "timezone", "times", "days", "delete"}:
            await press.query.answer("That button is out of date. Send /settings.")
            return True
        await press.query.answer()
        await open_section(update, context, session, user, press.argument)
        return True
    if action == cb.PAUSE_TOGGLE:
        await press.query.answer()
        if user.status is UserStatus.PAUSED:
            await accounts.resume(session, user, press.now)
            slots = await schedule.slots_of(session, user)
            await press.send("▶️ " + settings_views.saved(user, schedule.next_prompt_at(slots)))
        else:
            await _pause(update, context, session, user, "", press.now)
        return True
    if action == cb.NUDGES_TOGGLE:
        user.nudges = not user.nudges
        await press.query.answer("Follow-ups " + ("on" if user.nudges else "off"))
        await setup.send_settings(update, context, session, user)
        return True
    if action == cb.DELETE_CANCEL:
        await press.query.answer("Nothing deleted.")
        await edit(press.query, "Nothing was deleted. 🙂")
        return True
    if action == cb.DELETE_CONFIRM:
        await accounts.delete_everything(session, user)
        await press.query.answer("Deleted.")
        await edit(press.query, about_views.deleted())
        return True
    return False


async def progress_command(update: Update, context: BotContext) -> None:
    services = context.services
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is None:
            return
        progress = await progress_service.user_progress(session, user, services.clock())
    await send(update, context, progress_views.summary(progress, services.catalog))
    if progress.is_empty or progress.grid_is_empty:
        return
    chat = update.effective_chat
    assert chat is not None
    png = await asyncio.to_thread(progress_views.heatmap_png, progress)
    await context.bot.send_photo(chat.id, png, filename="progress.png")
