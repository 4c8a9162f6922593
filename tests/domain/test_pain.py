"""The weekly pain check-in's schedule and the trend of its scores."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.domain.pain import PainPoint, change_label, next_checkin, trend, valid_score

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def weekly(*scores: int) -> list[PainPoint]:
    return [PainPoint(START + timedelta(weeks=i), s) for i, s in enumerate(scores)]


def test_trend_of_weekly_scores() -> None:
    falling = trend(weekly(7, 6, 4, 3))
    assert (falling.first, falling.latest, falling.change) == (7, 3, -4)
    assert falling.slope_per_week is not None
    assert -1.5 < falling.slope_per_week < -1.2
    assert change_label(falling.change) == "-4"


def test_trend_is_ordered_by_time_and_needs_two_scores_for_a_change() -> None:
    shuffled = trend(list(reversed(weekly(2, 5))))
    assert shuffled.change == 3
    one = trend(weekly(4))
    assert one.change is None
    assert one.slope_per_week is None
    assert change_label(None) == ""
    assert change_label(0) == "±0"


def test_scale_is_zero_to_ten() -> None:
    assert valid_score(0)
    assert valid_score(10)
    assert not valid_score(11)
    assert not valid_score(-1)


def test_next_checkin_is_the_chosen_weekday_at_the_first_reminder_time() -> None:
    # Wednesday 25 Nov 2026, 10:00 UTC -> next Friday 07:30 in Auckland (Thu 18:30 UTC).
    moment = next_checkin(
        4, time(7, 30), "Pacific/Auckland", datetime(2026, 11, 25, 10, tzinfo=UTC)
    )
    assert moment == datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
