"""The prompt's pre-encoded Bot API bodies say what the views say (bot.delivery.json_bodies)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from telegram import Bot, ReplyParameters
from telegram.request import HTTPXRequest

from bot.catalog import load_catalog
from bot.config import DEFAULT_CONTENT_DIR
from bot.delivery.aiohttp_request import AiohttpRequest
from bot.delivery.engine_api import EngineApi
from bot.delivery.json_bodies import AnswerKeyboardJson, json_body, reply_to_json
from bot.delivery.picture_uploads import PictureUploads
from bot.views.prompt import PromptButtons, answer_keyboard
from bot.views.stretch_card import render_card


@pytest.mark.parametrize(
    "buttons",
    [
        PromptButtons(),
        PromptButtons(easier=False),
        PromptButtons(hold=True),
        PromptButtons(False, True),
    ],
)
def test_the_templated_answer_keyboard_is_the_views_for_any_delivery_id(
    buttons: PromptButtons,
) -> None:
    keyboards = AnswerKeyboardJson()
    assert keyboards.templated(buttons)
    for delivery_id in (1, 7, 42_000, AnswerKeyboardJson._SAMPLE, 10**12):
        made = json.loads(keyboards(delivery_id, buttons))
        assert made == answer_keyboard(delivery_id, buttons).to_dict()


def test_a_prompt_body_is_the_json_of_its_parts_for_every_card_of_the_pack() -> None:
    catalog = load_catalog(DEFAULT_CONTENT_DIR)
    keyboards = AnswerKeyboardJson()
    for stretch in catalog.stretches:
        card = render_card(catalog, stretch.id)
        fields = (("photo", "AgAC-file"), ("caption", card.caption_html), ("parse_mode", "HTML"))
        body = json_body(987_654_321, fields, keyboards(55, card.buttons))
        assert json.loads(body) == {
            "chat_id": 987_654_321,
            "photo": "AgAC-file",
            "caption": card.caption_html,
            "parse_mode": "HTML",
            "reply_markup": answer_keyboard(55, card.buttons).to_dict(),
        }


def test_a_body_without_buttons_has_no_reply_markup_and_odd_text_stays_intact() -> None:
    text = 'Quotes " and \\ backslashes, <b>tags</b>, “curly”, emoji 🙂 and a\nnew line'
    body = json_body(-5, (("text", text), ("parse_mode", "HTML")))
    assert json.loads(body) == {"chat_id": -5, "text": text, "parse_mode": "HTML"}


def test_a_follow_up_body_answers_its_prompt_even_if_the_prompt_is_gone() -> None:
    body = json_body(
        42, (("text", "Still time?"), ("parse_mode", "HTML")), reply_parameters=reply_to_json(9)
    )
    assert json.loads(body) == {
        "chat_id": 42,
        "text": "Still time?",
        "parse_mode": "HTML",
        "reply_parameters": ReplyParameters(9, allow_sending_without_reply=True).to_dict(),
    }


def test_the_engine_refuses_a_transport_that_would_drop_its_prepared_bodies() -> None:
    # Another BaseRequest would send a JsonBody as a request without parameters.
    bot = Bot("123456:TEST-token-abcdefghijklmnopqrstuvwxyz", request=HTTPXRequest())
    pictures = PictureUploads(async_sessionmaker())
    with pytest.raises(TypeError, match="AiohttpRequest"):
        EngineApi(bot, pictures)
    assert EngineApi(Bot(bot.token, request=AiohttpRequest()), pictures) is not None
