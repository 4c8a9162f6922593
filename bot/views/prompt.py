"""A prompt as sent: the stretch card plus the answer buttons, which name their delivery."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views import callback_data as cb

# (answer code, label); the codes travel in callback data and are stored, so never rename one.
ANSWER_BUTTONS = (
    ("done", "✅ Done"),
    ("easier", "🪶 Easier"),
    ("skip", "⏭ Skip"),
    ("later", "⏰ Later"),
    ("hurts", "🤕 It hurts"),
)


def answer_keyboard(delivery_id: int) -> InlineKeyboardMarkup:
    """Done · Easier · Skip · Later · It hurts, each carrying `answer:<delivery id>:<code>`."""

    def button(code: str, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=cb.build(cb.ANSWER, f"{delivery_id}:{code}")
        )

    first, rest = ANSWER_BUTTONS[:2], ANSWER_BUTTONS[2:]
    return InlineKeyboardMarkup(
        [[button(*pair) for pair in first], [button(*pair) for pair in rest]]
    )
