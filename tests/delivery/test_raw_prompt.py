"""The prompt's raw Bot API pieces match what the views build (see bot.delivery.sender)."""

from __future__ import annotations

from bot.delivery.sender import AnswerKeyboards
from bot.views.prompt import answer_keyboard


def test_the_cached_answer_keyboard_is_the_views_for_any_delivery_id() -> None:
    keyboards = AnswerKeyboards()
    for delivery_id in (1, 7, 42_000, AnswerKeyboards._SAMPLE, 10**12):
        assert keyboards(delivery_id) == answer_keyboard(delivery_id).to_dict()
