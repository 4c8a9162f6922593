"""A replica's rate share when its renewal fails: what it was giving up stays given up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.delivery.rate_budget import SharedRateBudget
from bot.delivery.send_window import SendWindow


def _budget_holding(share: int) -> tuple[SharedRateBudget, SendWindow]:
    budget = SharedRateBudget(create_async_engine("sqlite+aiosqlite://"))
    window = SendWindow(limit=share, window=1.03)
    budget._windows, budget._budgets = {"bot": window}, {"bot": 30}

    async def lost(*_: Any, **__: Any) -> Any:
        # Committed or not, the answer never came (a dropped connection).
        raise ConnectionResetError("connection lost")

    budget._agree = lost  # type: ignore[method-assign]
    return budget, window


async def test_a_failed_renewal_that_gave_part_of_the_share_up_stays_paused() -> None:
    budget, window = _budget_holding(30)
    with pytest.raises(ConnectionResetError):
        await budget._renew({"bot": 0})  # nothing more to send: giving it all up
    assert window.limit == 0  # the others may already be using it


async def test_a_failed_renewal_that_gave_nothing_up_keeps_the_share_until_its_lease() -> None:
    budget, window = _budget_holding(15)
    with pytest.raises(ConnectionResetError):
        await budget._renew({"bot": 30})
    assert window.limit == 15
