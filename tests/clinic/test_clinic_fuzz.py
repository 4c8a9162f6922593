"""Forged clinic buttons (patient ids, pages, sharing and pain answers): always a polite
answer, never a card or report of a patient who doesn't share with the presser, no row
changes, no error logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrations import upgrade
from bot.telegram_fake import ChatMessage, FakeUser
from tests.bot_harness import Harness, running_bot
from tests.clinic.people import practitioner, sharing_patient, user_id_of
from tests.handlers.test_fuzz import snapshot

pytestmark = pytest.mark.asyncio(loop_scope="module")

ACTIONS = ["pt", "pt_report", "pts", "share", "unshare", "pain", "pain_toggle"]
BASELINE: dict[str, list[tuple[object, ...]]] = {}
IDS: dict[str, int] = {}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Harness, FakeUser, ChatMessage]]:
    """Ana has one sharing patient (Own); Ben has another (Bens); Ana has her list open."""
    path = tmp_path_factory.mktemp("clinic-fuzz") / "db.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    async with running_bot(create_session_factory(engine), f"sqlite+aiosqlite:///{path}") as bot:
        ana, _ = await practitioner(bot, 8401, "Dr Ana Smith")
        await practitioner(bot, 8402, "Dr Ben Jones")
        await sharing_patient(bot, 8411, "Dr Ana Smith")
        await sharing_patient(bot, 8412, "Dr Ben Jones")
        IDS["bens"] = await user_id_of(bot, 8412)
        sent = await ana.send("/patients")
        listing = await ana.wait_for(lambda m: m.message_id > sent.message_id)
        BASELINE.update(await snapshot(bot.services.session_factory))
        yield bot, ana, listing
    await engine.dispose()


def forged() -> st.SearchStrategy[str]:
    argument = st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
    )
    return st.one_of(
        # Malformed arguments (a number alone may name a real page or Ana's own patient).
        st.builds(
            lambda a, arg: f"{a}:{arg}",
            st.sampled_from(ACTIONS),
            argument.filter(lambda arg: not arg.isdigit()),
        ),
        # Well formed, naming Ben's patient or nobody.
        st.builds(
            lambda a, i: f"{a}:{i}",
            st.sampled_from(["pt", "pt_report"]),
            st.sampled_from([IDS.get("bens", 2), 0, 999_999, 10**11]),
        ),
        # Sharing and pain answers that no question of Ana's asked.
        st.builds(
            lambda a, i, w: f"{a}:{i}:{w}",
            st.sampled_from(["share", "pain"]),
            st.integers(min_value=0, max_value=10**6),
            st.sampled_from(["yes", "no", "3", "11", "-1"]),
        ),
        st.builds(lambda i: f"unshare:{i}", st.integers(min_value=0, max_value=10**6)),
    )


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_forged_clinic_buttons_show_nothing_and_change_nothing(
    world: tuple[Harness, FakeUser, ChatMessage],
    data: st.DataObject,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot, ana, listing = world
    payload = data.draw(forged())
    before = len(ana.bot_messages)
    with caplog.at_level(logging.ERROR):
        answer = await ana.press_data(listing, payload)
    assert answer.text, payload
    assert await snapshot(bot.services.session_factory) == BASELINE, payload
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], payload
    shown = ana.bot_messages[before:]
    assert not [m for m in shown if "User8412" in m.content or m.document is not None], payload
