"""Hold timers: a countdown in the chat, edited in place, for the stretch a user is doing.

One timer per chat at a time. It is a courtesy, not a record: it lives in this process only
(a restart ends it quietly), and a new prompt, an answer or ⏹ Stop ends it at once. Each
timer sends one message and edits it every `STEP_SECONDS` (domain.hold), so it never asks a
chat for more than Telegram's ~1 message a second, whatever else the chat receives; the final
"Release ✓" offers ⏱ Again for the next repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.domain.hold import STEP_SECONDS, HoldPlan
from bot.views import hold as views

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HoldRequest:
    chat_id: int
    delivery_id: int
    title: str
    plan: HoldPlan
    round_number: int = 1
    reply_to_message_id: int | None = None


class HoldTimers:
    def __init__(self, bot: Bot, sleep: Sleep = asyncio.sleep) -> None:
        self._bot = bot
        self._sleep = sleep
        self._running: dict[int, asyncio.Task[None]] = {}
        self._closing = False

    def running(self, chat_id: int) -> bool:
        task = self._running.get(chat_id)
        return task is not None and not task.done()

    def start(self, request: HoldRequest) -> None:
        """Start a countdown in the chat (ending any other one there first)."""
        self.cancel(request.chat_id)
        task = asyncio.create_task(self._run(request), name=f"hold-timer-{request.chat_id}")
        self._running[request.chat_id] = task
        task.add_done_callback(lambda done: self._forget(request.chat_id, done))

    def cancel(self, chat_id: int) -> bool:
        """End the chat's countdown (a new prompt, an answer, ⏹ Stop); False if none ran."""
        task = self._running.get(chat_id)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    async def close(self) -> None:
        """At shutdown: end every countdown at once, without a last edit."""
        self._closing = True
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _forget(self, chat_id: int, task: asyncio.Task[None]) -> None:
        if self._running.get(chat_id) is task:
            del self._running[chat_id]

    async def _run(self, request: HoldRequest) -> None:
        plan, title, number = request.plan, request.title, request.round_number
        shown = plan.shown
        try:
            message = await self._bot.send_message(
                request.chat_id,
                views.counting(title, plan, shown[0], number),
                parse_mode=ParseMode.HTML,
                reply_markup=views.stop_keyboard(request.delivery_id),
                reply_parameters=(
                    ReplyParameters(request.reply_to_message_id, allow_sending_without_reply=True)
                    if request.reply_to_message_id is not None
                    else None
                ),
            )
        except TelegramError as error:
            log.warning("hold timer not started", extra={"why": str(error)})
            return
        edit = message.edit_text
        try:
            for left in shown[1:]:
                await self._sleep(STEP_SECONDS)
                await edit(
                    views.counting(title, plan, left, number),
                    parse_mode=ParseMode.HTML,
                    reply_markup=views.stop_keyboard(request.delivery_id),
                )
            await self._sleep(plan.seconds - STEP_SECONDS * (len(shown) - 1))
            await edit(
                views.released(title, plan, number),
                parse_mode=ParseMode.HTML,
                reply_markup=views.again_keyboard(request.delivery_id, number + 1),
            )
        except asyncio.CancelledError:
            if not self._closing:
                # Say so instead of leaving a frozen number; paced like any other edit.
                await asyncio.shield(self._stopped(edit, title, number))
            raise
        except BadRequest as error:  # the user deleted the message, or similar
            log.info("hold timer ended early", extra={"why": str(error)})
        except TelegramError as error:
            log.warning("hold timer ended early", extra={"why": str(error)})

    async def _stopped(self, edit: Callable[..., Awaitable[object]], title: str, n: int) -> None:
        try:
            await asyncio.sleep(1.0)
            await edit(views.stopped(title, n), parse_mode=ParseMode.HTML, reply_markup=None)
        except TelegramError as error:
            log.info("hold timer stop not shown", extra={"why": str(error)})
