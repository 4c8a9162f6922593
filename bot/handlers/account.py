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
from bot.handlers import setup
from bot.handlers.common import edit, send, unit_of_work
from bot.handlers.press import Press, button
from bot.services import accounts, dialogue, pain, personal_data, schedule
from bot.services import progress as progress_service
from bot.services.dispatch.queueing import queue_now
from bot.views import about as about_views
from bot.views import clinic as clinic_views
from bot.views import onboarding as views
from bot.views import progress as progress_views
from bot.views import settings as settings_views


async def _ready_user(
    update: Update, context: BotContext, session: AsyncSession
) -> accounts.User | None:
    """The user if set up; otherwise says what to do first and returns None."""
    tg_user = update.effective_user
    assert tg_user is not None
    user = await accounts.find_user(session, tg_user.id)
    if user is None or not dialogue.is_consented(user):
        await send(update, context, "We haven't met yet 🙂 Send /start to set up your stretches.")
        return None
    if dialogue.is_onboarding(user):
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
    update: Update,
    context: BotContext,
    session: AsyncSession,
    user: accounts.User,
    section: str | None,
) -> bool:
    """Open one part of the settings (from a /settings button or its own command); False if
    there is no such part."""
    opened = await dialogue.open_section(session, user, section)
    if opened is None:
        return False
    if opened is dialogue.Section.DELETE:
        await send(update, context, *about_views.confirm_delete())
    elif isinstance(opened, dialogue.Question):
        await send(update, context, *views.ask(opened, context.services.catalog))
    return True


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
        queued = await queue_now(session, services.catalog, user, services.clock())
        if queued is None:
            await send(update, context, about_views.nothing_to_send())


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
    user: accounts.User,
    argument: str,
    now: datetime,
) -> None:
    paused = await accounts.pause_from_text(session, user, argument, now)
    if isinstance(paused, str):
        await send(update, context, f"{paused}\nNothing changed.")
        return
    await send(update, context, about_views.paused(paused.until, paused.upcoming, paused.zone))


async def _resume(
    update: Update, context: BotContext, session: AsyncSession, user: accounts.User, now: datetime
) -> None:
    resumed = await accounts.resume(session, user, now)
    upcoming = await schedule.upcoming(session, user)
    status = settings_views.status_line(user, upcoming)
    await send(update, context, about_views.resumed(not resumed, status))


async def resume_command(update: Update, context: BotContext) -> None:
    now = context.services.clock()
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is None:
            return
        await _resume(update, context, session, user, now)


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


@button
async def open_settings_section(press: Press) -> None:
    # Replies wait for the commit (bot.handlers.common), so the toast still comes first.
    if await open_section(press.update, press.context, press.session, press.user, press.argument):
        await press.query.answer()
    else:
        await press.query.answer("That button is out of date. Send /settings.")


@button
async def toggle_pause(press: Press) -> None:
    await press.query.answer()
    if accounts.is_paused(press.user):
        await _resume(press.update, press.context, press.session, press.user, press.now)
    else:
        await _pause(press.update, press.context, press.session, press.user, "", press.now)


@button
async def toggle_nudges(press: Press) -> None:
    on = await accounts.toggle_nudges(press.session, press.user)
    await press.query.answer("Follow-ups " + ("on" if on else "off"))
    await setup.send_settings(press.update, press.context, press.session, press.user)


@button
async def cancel_delete(press: Press) -> None:
    await press.query.answer("Nothing deleted.")
    await edit(press.query, "Nothing was deleted. 🙂")


@button
async def confirm_delete(press: Press) -> None:
    await accounts.delete_everything(press.session, press.user)
    await press.query.answer("Deleted.")
    await edit(press.query, about_views.deleted())


async def progress_command(update: Update, context: BotContext) -> None:
    services = context.services
    async with unit_of_work(context) as session:
        user = await _ready_user(update, context, session)
        if user is None:
            return
        progress = await progress_service.user_progress(session, user, services.clock())
        pain_scores = await pain.pain_trend(session, user.id)
    summary = progress_views.summary(progress, services.catalog)
    if pain_scores.points:
        summary += "\n\n" + clinic_views.pain_trend_line(pain_scores)
    await send(update, context, summary)
    if progress.is_empty or progress.grid_is_empty:
        return
    chat = update.effective_chat
    assert chat is not None
    png = await asyncio.to_thread(
        progress_views.heatmap_png, progress, pain_scores, user.time_zone or "UTC"
    )
    await context.bot.send_photo(chat.id, png, filename="progress.png")
