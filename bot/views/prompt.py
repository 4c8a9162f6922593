"""A prompt as sent: the stretch card plus the answer buttons, which name their delivery.

Which buttons a card has depends on its stretch only: 🪶 Easier where the sheet has an easier
variation or a tip to offer (otherwise the button would close the card with nothing to give),
⏱ Hold where the stretch has a hold to count.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalog import Catalog, Stretch
from bot.domain.hold import hold_plan
from bot.views import callback_data as cb

# (answer code, label); the codes travel in callback data and are stored, so never rename one.
ANSWER_BUTTONS = (
    ("done", "✅ Done"),
    ("easier", "🪶 Easier"),
    ("skip", "⏭ Skip"),
    ("later", "⏰ Later"),
    ("hurts", "🤕 It hurts"),
)
HOLD_LABEL = "⏱ Hold"


@dataclass(frozen=True, slots=True)
class PromptButtons:
    """Which of the optional buttons a stretch's prompt carries."""

    easier: bool = True
    hold: bool = False


# Every answer button, no hold timer: the keyboard of a stretch that has no hold.
EVERY_ANSWER = PromptButtons()


def prompt_buttons(catalog: Catalog, stretch: Stretch) -> PromptButtons:
    return PromptButtons(
        easier=catalog.easier_of(stretch.id) is not None or bool(stretch.tips),
        hold=hold_plan(stretch.hold_to_do) is not None,
    )


def answer_keyboard(
    delivery_id: int, buttons: PromptButtons = EVERY_ANSWER
) -> InlineKeyboardMarkup:
    """[⏱ Hold] ✅ Done · [🪶 Easier] / ⏭ Skip · ⏰ Later · 🤕 It hurts: each answer carries
    `answer:<delivery id>:<code>`, the hold timer `hold:<delivery id>:1`."""

    def button(code: str, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=cb.build(cb.ANSWER, f"{delivery_id}:{code}")
        )

    first = [button(code, label) for code, label in ANSWER_BUTTONS[:2]]
    if not buttons.easier:
        first = first[:1]
    if buttons.hold:
        hold = cb.build(cb.HOLD, f"{delivery_id}:1")
        first.insert(0, InlineKeyboardButton(HOLD_LABEL, callback_data=hold))
    return InlineKeyboardMarkup([first, [button(*pair) for pair in ANSWER_BUTTONS[2:]]])
