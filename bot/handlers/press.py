"""A button press, and the checks every press passes before its route sees it.

Each inline button's route is an ordinary python-telegram-bot `CallbackQueryHandler`, listed in
bot.app by the action its data starts with. Every route is wrapped by `button`, which checks
the press once, for all of them: it comes from its owner's private chat (in a private chat
only the owner sees the buttons: anything else is forged), its data parses (bot.views.
callback_data), and the presser is a user the bot knows. Anything stale, forged or unknown gets
a polite answer, never an exception, and changes nothing. The route itself then checks its
argument against the database and the catalogue: data alone is never trusted.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Update

from bot.catalog import Catalog
from bot.context import BotContext
from bot.handlers.common import Markup, send, unit_of_work
from bot.services import accounts, dialogue
from bot.views import callback_data as cb

log = logging.getLogger(__name__)

STALE = "This button doesn't work any more. Send /settings or /help."
NOT_YOURS = "This button isn't yours."
UNKNOWN_USER = "Send /start to set up first."
CONSENT_FIRST = "Please tap “I understand” first."


@dataclass
class Press:
    """One checked button press, with everything a route needs to act on it."""

    update: Update
    context: BotContext
    query: CallbackQuery
    argument: str | None
    user: accounts.User
    session: AsyncSession
    now: datetime

    @property
    def catalog(self) -> Catalog:
        return self.context.services.catalog

    async def send(self, html: str, markup: Markup = None) -> None:
        await send(self.update, self.context, html, markup)


Route = Callable[[Press], Awaitable[None]]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


@overload
def button(route: Route) -> Callback: ...


@overload
def button(*, needs_consent: bool = ...) -> Callable[[Route], Callback]: ...


def button(
    route: Route | None = None, *, needs_consent: bool = False
) -> Callback | Callable[[Route], Callback]:
    """Turn `route` into a python-telegram-bot callback that runs it only for a checked press,
    inside one unit of work. `needs_consent`: the route is a set-up step past the consent
    screen. Use as `@button` or `@button(needs_consent=True)`."""

    def wrap(route: Route) -> Callback:
        async def callback(update: Update, context: BotContext) -> None:
            await _checked(route, update, context, needs_consent=needs_consent)

        callback.__name__ = callback.__qualname__ = route.__name__
        callback.__doc__ = route.__doc__
        return callback

    return wrap if route is None else wrap(route)


async def _checked(
    route: Route, update: Update, context: BotContext, *, needs_consent: bool
) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is not None and message.chat.id != query.from_user.id:
        log.warning("button pressed from another chat", extra={"user_id": query.from_user.id})
        await query.answer(NOT_YOURS)
        return
    parsed = cb.parse(query.data)
    if parsed is None:
        log.info("unknown button data", extra={"user_id": query.from_user.id})
        await query.answer(STALE)
        return
    async with unit_of_work(context) as session:
        user = await accounts.find_user(session, query.from_user.id)
        if user is None:
            await query.answer(UNKNOWN_USER)
            return
        if needs_consent and not dialogue.is_consented(user):
            await query.answer(CONSENT_FIRST, show_alert=True)
            return
        await route(
            Press(
                update=update,
                context=context,
                query=query,
                argument=parsed.argument,
                user=user,
                session=session,
                now=context.services.clock(),
            )
        )


@button
async def stale(press: Press) -> None:
    """Any well-formed data no route claims (an action from an older version, say)."""
    await press.query.answer(STALE)


@button
async def noop(press: Press) -> None:
    """An inert button (e.g. the status shown in place of a prompt's buttons)."""
    await press.query.answer()
