"""/start and the set-up steps (consent, conditions, time zone, times, days), by button, typed
text or shared location. The conversation itself is bot.services.dialogue; these handlers
translate an update into one of its calls and its result into a view.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ReplyKeyboardRemove, Update

from bot.context import BotContext
from bot.handlers.common import edit, edit_markup, send, unit_of_work
from bot.handlers.press import Press, button
from bot.services import accounts, dialogue
from bot.views import onboarding as views
from bot.views import settings as settings_views

# -- /start ----------------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> None:
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None
    assert chat is not None
    code = accounts.valid_start_code(context.args[0] if context.args else None)
    services = context.services
    async with unit_of_work(context) as session:
        started = await dialogue.start(
            session, tg_user.id, chat.id, tg_user.first_name, code, services.clock()
        )
        if started.question is not None:
            await send(update, context, *views.ask(started.question, services.catalog))
            return
        if started.kind is dialogue.StartKind.WELCOME_BACK:
            await send(update, context, "Welcome back! 👋 Your reminders are on again.")
        await send_settings(update, context, session, started.user)


async def send_settings(
    update: Update, context: BotContext, session: AsyncSession, user: accounts.User
) -> None:
    services = context.services
    shown = await dialogue.overview(session, user)
    text, markup = settings_views.overview(
        shown.user,
        shown.conditions,
        shown.slots,
        shown.upcoming,
        services.catalog,
        services.clock(),
        shown.blocked,
    )
    await send(update, context, text, markup)


async def send_step(
    update: Update, context: BotContext, session: AsyncSession, user: accounts.User
) -> None:
    """Ask again the step an onboarding user is at."""
    question = await dialogue.current_question(session, user)
    await send(update, context, *views.ask(question, context.services.catalog))


async def _send_finished(
    update: Update, context: BotContext, finished: dialogue.Finished, saved: str | None = None
) -> None:
    """What follows an answered step: the next question, "All set", or "Saved"."""
    if finished.question is not None:
        await send(update, context, *views.ask(finished.question, context.services.catalog))
    elif finished.transition.finishes_onboarding:
        zone = finished.user.time_zone
        assert zone is not None
        times = views.times_summary(finished.times)
        await send(update, context, views.all_set(times, finished.days, zone, finished.upcoming))
    else:
        await send(update, context, saved or settings_views.saved(finished.user, finished.upcoming))


# -- buttons ---------------------------------------------------------------------------------

# Refusals that need reading before the next tap: shown as an alert, not a passing toast.
_ALERTS = {dialogue.Refusal.TOO_MANY_TIMES, dialogue.Refusal.NO_TIMES}


async def _refuse(
    press: Press, refusal: dialogue.Refusal, *, out_of_date: str = views.OUT_OF_DATE
) -> None:
    """Answer a press the dialogue refused (nothing changed)."""
    text = out_of_date if refusal is dialogue.Refusal.OUT_OF_DATE else views.REFUSALS[refusal.value]
    await press.query.answer(text, show_alert=refusal in _ALERTS)


@button
async def consent(press: Press) -> None:
    tg_user = press.update.effective_user
    assert tg_user is not None
    asked = await dialogue.consent(
        press.session, press.user, tg_user.first_name, tg_user.language_code, press.now
    )
    if isinstance(asked, dialogue.Refusal):
        await _refuse(press, asked)
        return
    await press.query.answer()
    await edit_markup(press.query, None)
    await press.send(*views.ask(asked, press.catalog))


@button(needs_consent=True)
async def toggle_condition(press: Press) -> None:
    chosen = await dialogue.toggle_condition(
        press.session, press.catalog, press.user, press.argument
    )
    if isinstance(chosen, dialogue.Refusal):
        await _refuse(press, chosen)
        return
    await press.query.answer()
    await edit_markup(press.query, views.conditions(press.catalog, chosen)[1])


@button(needs_consent=True)
async def conditions_done(press: Press) -> None:
    done = await dialogue.finish_conditions(press.session, press.user, press.now)
    if isinstance(done, dialogue.Refusal):
        await _refuse(press, done)
        return
    chosen, finished = done
    await press.query.answer()
    await edit(press.query, f"Conditions: <b>{views.condition_labels(press.catalog, chosen)}</b> ✓")
    await _send_finished(press.update, press.context, finished, views.conditions_saved())


@button(needs_consent=True)
async def pick_zone(press: Press) -> None:
    finished = await dialogue.choose_zone(press.session, press.user, press.argument, press.now)
    if isinstance(finished, dialogue.Refusal):
        await _refuse(press, finished)
        return
    await _zone_chosen(press.update, press.context, finished)
    await press.query.answer()
    await edit_markup(press.query, None)


@button(needs_consent=True)
async def toggle_time(press: Press) -> None:
    chosen = await dialogue.toggle_time(press.session, press.user, press.argument, press.now)
    if isinstance(chosen, dialogue.Refusal):
        await _refuse(press, chosen, out_of_date=views.TIME_OUT_OF_DATE)
        return
    await press.query.answer()
    await edit_markup(press.query, views.times(chosen)[1])


@button(needs_consent=True)
async def times_done(press: Press) -> None:
    finished = await dialogue.finish_times(press.session, press.user, press.now)
    if isinstance(finished, dialogue.Refusal):
        await _refuse(press, finished)
        return
    await press.query.answer()
    await edit(press.query, f"Times: <b>{views.times_summary(finished.times)}</b> ✓")
    await _send_finished(press.update, press.context, finished)


@button(needs_consent=True)
async def days_preset(press: Press) -> None:
    finished = await dialogue.choose_days_preset(
        press.session, press.user, press.argument, press.now
    )
    if isinstance(finished, dialogue.Refusal):
        await _refuse(press, finished)
        return
    await _days_chosen(press, finished)


@button(needs_consent=True)
async def toggle_day(press: Press) -> None:
    if press.argument == "pick":
        await press.query.answer()
        current = await dialogue.current_days(press.session, press.user)
        await edit(press.query, *views.days_picker(current))
        return
    toggled = await dialogue.toggle_day(press.session, press.user, press.argument, press.now)
    if isinstance(toggled, dialogue.Refusal):
        await _refuse(press, toggled)
        return
    await press.query.answer()
    await edit_markup(press.query, views.days_picker(toggled)[1])


@button(needs_consent=True)
async def days_done(press: Press) -> None:
    finished = await dialogue.finish_days(press.session, press.user, press.now)
    if isinstance(finished, dialogue.Refusal):
        await _refuse(press, finished)
        return
    await _days_chosen(press, finished)


async def _days_chosen(press: Press, finished: dialogue.Finished) -> None:
    await press.query.answer()
    await edit(press.query, f"Days: <b>{finished.days.label}</b> ✓")
    await _send_finished(press.update, press.context, finished)


async def _zone_chosen(update: Update, context: BotContext, finished: dialogue.Finished) -> None:
    zone = finished.user.time_zone
    assert zone is not None
    await send(
        update, context, views.zone_set(zone, context.services.clock()), ReplyKeyboardRemove()
    )
    await _send_finished(update, context, finished)


# -- typed answers and shared locations ------------------------------------------------------


async def on_text(
    update: Update, context: BotContext, session: AsyncSession, user: accounts.User, text: str
) -> bool:
    """A typed answer to the step the user is at; False if no step is waiting for text."""
    use = dialogue.text_use(user)
    now = context.services.clock()
    if use is dialogue.TextUse.ZONE:
        reply = await dialogue.zone_from_text(session, user, text, now)
        if isinstance(reply, dialogue.Finished):
            await _zone_chosen(update, context, reply)
        elif isinstance(reply, dialogue.ZonesForClock):
            await send(update, context, *views.zones_for_clock(reply.zones, now))
        elif isinstance(reply, dialogue.ZoneChoices):
            await send(update, context, *views.zone_choices(reply.choices, reply.asked))
        else:
            await send(update, context, views.zone_not_found(reply.asked))
        return True
    if use is dialogue.TextUse.TIMES:
        chosen = await dialogue.times_from_text(session, user, text, now)
        if isinstance(chosen, str):
            await send(update, context, views.bad_time(chosen))
        else:
            await send(update, context, *views.times(chosen))
        return True
    if use is dialogue.TextUse.BUTTONS:
        # This step is answered with its buttons; say so rather than "I didn't catch that".
        await send(update, context, views.tap_a_button())
        return True
    return False


async def on_location(
    update: Update, context: BotContext, session: AsyncSession, user: accounts.User
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    location = message.location
    finished = await dialogue.zone_from_location(
        session, user, location.latitude, location.longitude, context.services.clock()
    )
    if finished is dialogue.LocationRefusal.NOT_ASKED:
        await send(update, context, "Thanks! To change your time zone, send /timezone first.")
    elif finished is dialogue.LocationRefusal.NO_ZONE:
        await send(update, context, views.no_zone_for_location())
    else:
        await _zone_chosen(update, context, finished)
