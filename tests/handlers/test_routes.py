"""The button routes as bot.app lists them: every action the views build reaches exactly one
route, by its own name only ("cond" never takes "cond_done"), and anything else falls to the
polite catch-all; every refusal has its polite words."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import CallbackQuery, Update, User
from telegram.ext import CallbackQueryHandler

from bot.app import BotApplication, build_application
from bot.config import Settings
from bot.context import AppServices
from bot.db.engine import create_session_factory
from bot.handlers import press
from bot.services import dialogue
from bot.views import callback_data as cb
from bot.views import onboarding
from tests.bot_harness import TOKEN, real_catalog

# Built by a view but not offered on any card yet.
NOT_ROUTED_YET: set[str] = set()
ACTIONS = sorted(
    value
    for name, value in vars(cb).items()
    if name.isupper() and isinstance(value, str) and name != "MAX_BYTES"
)


@pytest.fixture(scope="module")
def application() -> BotApplication:
    settings = Settings(telegram_bot_token=TOKEN, database_url="sqlite+aiosqlite://")
    engine = create_async_engine("sqlite+aiosqlite://")
    services = AppServices(settings, real_catalog(), create_session_factory(engine))
    return build_application(services)


def routes_for(application: BotApplication, data: str) -> list[object]:
    update = Update(
        1,
        callback_query=CallbackQuery("1", User(1, "Mere", is_bot=False), "1", data=data),
    )
    return [
        handler.callback
        for handler in application.handlers[0]
        if isinstance(handler, CallbackQueryHandler) and handler.check_update(update)
    ]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_has_one_route_of_its_own(application: BotApplication, action: str) -> None:
    for data in (action, f"{action}:12", f"{action}:12:yes"):
        routes = routes_for(application, data)
        # The first match wins; the catch-all is always last.
        assert routes[-1] is press.stale, data
        if action in NOT_ROUTED_YET:
            assert routes == [press.stale], data
        else:
            assert len(routes) == 2, (data, routes)


def test_a_longer_action_is_not_taken_by_its_prefix(application: BotApplication) -> None:
    assert (
        routes_for(application, cb.CONDITIONS_DONE)[0]
        is not routes_for(application, cb.CONDITION_TOGGLE)[0]
    )
    assert routes_for(application, "condx")[0] is press.stale
    # (A query with no data at all is matched by every CallbackQueryHandler, so the first
    # route takes it; its checks answer it as stale, as test_fuzz shows.)


def test_every_refusal_of_the_dialogue_has_words() -> None:
    assert {refusal.value for refusal in dialogue.Refusal} == set(onboarding.REFUSALS)
