"""Small helpers every handler uses: the unit of work and replies that wait for its commit.

Every text is HTML: the Application's Defaults set parse_mode for all of them (bot.app).

Replies claim that something happened ("All set ✅", "Saved ✓"), so they are held in an outbox
while the handler's transaction is open and sent only after it commits: the user is never told
something was saved that a failed commit then lost. Callback answers (the small toast) are not
claims and go at once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest

from bot.context import BotContext
from bot.services.changes import schedule_changed

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
Outgoing = Callable[[], Awaitable[object]]
# Called with the message Telegram accepted, after the handler's commit (e.g. to record its id).
OnSent = Callable[[Message], Awaitable[None]]

_outbox: ContextVar[list[Outgoing] | None] = ContextVar("outbox", default=None)


@asynccontextmanager
async def unit_of_work(context: BotContext) -> AsyncIterator[AsyncSession]:
    """One session per update; replies queued inside go out after the commit succeeds."""
    outbox: list[Outgoing] = []
    token = _outbox.set(outbox)
    try:
        async with context.services.session_factory() as session:
            yield session
            await session.commit()
            if schedule_changed(session):
                context.services.schedule_changes.notify()
    finally:
        _outbox.reset(token)
    for outgoing in outbox:
        await outgoing()


async def _deliver(outgoing: Outgoing) -> None:
    outbox = _outbox.get()
    if outbox is None:
        await outgoing()
    else:
        outbox.append(outgoing)


async def send(
    update: Update,
    context: BotContext,
    html: str,
    markup: Markup = None,
    *,
    on_sent: OnSent | None = None,
) -> None:
    chat = update.effective_chat
    assert chat is not None
    chat_id = chat.id

    async def outgoing() -> None:
        message = await context.bot.send_message(chat_id, html, reply_markup=markup)
        if on_sent is not None:
            await on_sent(message)

    await _deliver(outgoing)


async def edit(query: CallbackQuery, html: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message a button sits on; an identical edit (double tap) is not an error."""

    async def outgoing() -> None:
        try:
            if _has_caption(query.message):
                # Telegram refuses editMessageText on a photo ("there is no text in the
                # message to edit"): a media message's words are its caption.
                await query.edit_message_caption(caption=html, reply_markup=markup)
            else:
                await query.edit_message_text(html, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    await _deliver(outgoing)


def _has_caption(message: MaybeInaccessibleMessage | None) -> bool:
    return isinstance(message, Message) and bool(
        message.photo or message.animation or message.video or message.document
    )


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    async def outgoing() -> None:
        try:
            await query.edit_message_reply_markup(markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    await _deliver(outgoing)


async def edit_message(
    context: BotContext,
    chat_id: int,
    message_id: int,
    html: str | None,
    *,
    is_caption: bool,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit any of the bot's messages (e.g. the prompt a typed "done" answers). Without
    `markup` the inline keyboard goes, as Telegram does; with `html` None only the keyboard
    changes. A message the user deleted is not an error."""

    async def outgoing() -> None:
        try:
            if html is None:
                await context.bot.edit_message_reply_markup(
                    chat_id, message_id, reply_markup=markup
                )
            elif is_caption:
                await context.bot.edit_message_caption(
                    chat_id, message_id, caption=html, reply_markup=markup
                )
            else:
                await context.bot.edit_message_text(html, chat_id, message_id, reply_markup=markup)
        except BadRequest as error:
            text = str(error).lower()
            if "not modified" in text or "not found" in text:
                log.info("prompt edit skipped", extra={"message_id": message_id, "why": str(error)})
                return
            raise

    await _deliver(outgoing)
