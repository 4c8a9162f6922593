"""⏱ Hold under a prompt, ⏱ Again and ⏹ Stop under a countdown: the in-chat hold timer
(bot.delivery.hold_timers runs it; bot.services.holds checks what it counts for)."""

from __future__ import annotations

from bot.context import HOLD_TIMERS_KEY, BotContext
from bot.delivery.hold_timers import HoldRequest, HoldTimers
from bot.handlers.press import Press, button
from bot.services import holds


def timers(context: BotContext) -> HoldTimers | None:
    found = context.bot_data.get(HOLD_TIMERS_KEY)
    return found if isinstance(found, HoldTimers) else None


@button
async def hold_button(press: Press) -> None:
    """Start the countdown for the prompt's hold (data `<delivery id>:<round>`)."""
    target = await holds.hold_target(
        press.session, press.catalog, press.user, press.argument, press.now
    )
    running = timers(press.context)
    if target is None or running is None:
        await press.query.answer("This button doesn't work any more.")
        return
    await press.query.answer(f"Hold for {target.plan.seconds} seconds")
    running.start(
        HoldRequest(
            chat_id=press.user.chat_id,
            delivery_id=target.delivery_id,
            title=target.title,
            plan=target.plan,
            round_number=target.round_number,
            reply_to_message_id=target.prompt_message_id,
        )
    )


@button
async def stop_button(press: Press) -> None:
    running = timers(press.context)
    if running is not None and running.cancel(press.user.chat_id):
        await press.query.answer("Stopped")
    else:
        await press.query.answer("Nothing is counting now.")
