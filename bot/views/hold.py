"""What the hold timer shows: a countdown edited in place, then "Release ✓"."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.hold import HoldPlan
from bot.views import callback_data as cb
from bot.views.html import bold, esc

HOLD_BUTTON = "⏱ Hold"
AGAIN_BUTTON = "⏱ Again"
STOP_BUTTON = "⏹ Stop"


def _round(number: int) -> str:
    return f" · round {number}" if number > 1 else ""


def _whose(plan: HoldPlan) -> str:
    return (
        "" if plan.from_sheet else "\n<i>The sheet gives no time: this count is stretchbot's.</i>"
    )


def counting(title: str, plan: HoldPlan, left: int, round_number: int) -> str:
    return f"⏱ {esc(title)}{_round(round_number)}\nHold… {bold(str(left))}{_whose(plan)}"


def released(title: str, plan: HoldPlan, round_number: int) -> str:
    return (
        f"⏱ {esc(title)}{_round(round_number)}\n{bold('Release ✓')} "
        f"({plan.seconds} seconds){_whose(plan)}"
    )


def stopped(title: str, round_number: int) -> str:
    return f"⏱ {esc(title)}{_round(round_number)}\nStopped."


def stop_keyboard(delivery_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    STOP_BUTTON, callback_data=cb.build(cb.HOLD_STOP, str(delivery_id))
                )
            ]
        ]
    )


def again_keyboard(delivery_id: int, next_round: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    AGAIN_BUTTON,
                    callback_data=cb.build(cb.HOLD, f"{delivery_id}:{next_round}"),
                )
            ]
        ]
    )
