"""The hold timer counts what the sheet says, and never edits faster than Telegram allows."""

from __future__ import annotations

import pytest

from bot.domain.hold import DEFAULT_SECONDS, STEP_SECONDS, HoldPlan, hold_plan
from tests.bot_harness import real_catalog


@pytest.mark.parametrize(
    ("hold", "expected"),
    [
        ("Hold for a count of 5-10 seconds.", HoldPlan(10, from_sheet=True)),
        ("Hold for 20 seconds.", HoldPlan(20, from_sheet=True)),
        ("Hold 5 to 8 seconds", HoldPlan(8, from_sheet=True)),
        ("Hold for a few seconds.", HoldPlan(5, from_sheet=True)),
        ("Hold it there!", HoldPlan(DEFAULT_SECONDS, from_sheet=False)),
        ("Hold at the point of stretch.", HoldPlan(DEFAULT_SECONDS, from_sheet=False)),
        (None, None),
        ("  ", None),
    ],
)
def test_the_timer_counts_the_longest_time_the_sheet_names(
    hold: str | None, expected: HoldPlan | None
) -> None:
    assert hold_plan(hold) == expected


def test_the_countdown_shows_a_number_every_two_seconds() -> None:
    assert HoldPlan(10, from_sheet=True).shown == (10, 8, 6, 4, 2)
    assert HoldPlan(5, from_sheet=True).shown == (5, 3, 1)
    assert STEP_SECONDS >= 1  # Telegram: about one message (or edit) a second per chat


def test_every_stretch_with_a_hold_in_the_pack_gets_a_timer() -> None:
    catalog = real_catalog()
    planned = {s.id: hold_plan(s.hold_to_do) for s in catalog.stretches}
    assert all(plan is not None for sid, plan in planned.items() if catalog.get(sid).hold_to_do)
    assert {plan.seconds for plan in planned.values() if plan} <= {5, 10}
