"""/progress figures: streaks in the user's local days, week, month, per stretch, the grid
(issue 6 item 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.streaks import GRID_WEEKS, Done, progress

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
AUCKLAND = "Pacific/Auckland"

WEDNESDAY = date(2026, 11, 25)


def local(zone: str, *when: int, fold: int = 0) -> datetime:
    """An instant given as local wall-clock time in `zone` (returned in UTC, as the DB has it)."""
    year, month, day, hour, minute = when
    wall = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)
    return wall.astimezone(UTC)


def done(zone: str, *when: int, stretch_id: str = "table-stretch", fold: int = 0) -> Done:
    return Done(at=local(zone, *when, fold=fold), zone=zone, stretch_id=stretch_id)


def daily(zone: str, first: date, days: int, hour: int = 8) -> list[Done]:
    return [
        done(zone, d.year, d.month, d.day, hour, 0)
        for d in (first + timedelta(days=i) for i in range(days))
    ]


# -- a brand-new user ----------------------------------------------------------------------------


def test_a_brand_new_user_gets_zeros_and_the_friendly_empty_state() -> None:
    figures = progress([], now=local(LONDON, 2026, 11, 25, 9, 0), zone=LONDON)
    assert figures.is_empty
    assert figures.grid_is_empty
    assert (figures.current_streak, figures.best_streak) == (0, 0)
    assert (figures.done_this_week, figures.done_this_month, figures.total) == (0, 0, 0)
    assert dict(figures.per_stretch) == {}
    assert len(figures.grid) == GRID_WEEKS * 7
    assert set(figures.grid.values()) == {0}
    assert figures.today == WEDNESDAY


# -- streaks -------------------------------------------------------------------------------------


def test_a_done_at_23_50_and_one_at_00_10_are_two_days() -> None:
    history = [done(LONDON, 2026, 11, 23, 23, 50), done(LONDON, 2026, 11, 24, 0, 10)]
    figures = progress(history, now=local(LONDON, 2026, 11, 24, 12, 0), zone=LONDON)
    assert figures.current_streak == 2
    assert figures.best_streak == 2


def test_several_dones_in_one_day_are_one_streak_day_but_all_count_this_week() -> None:
    history = [done(LONDON, 2026, 11, 24, h, 0) for h in (8, 12, 18)]
    figures = progress(history, now=local(LONDON, 2026, 11, 24, 20, 0), zone=LONDON)
    assert figures.current_streak == 1
    assert figures.done_this_week == 3


def test_the_streak_survives_until_today_s_prompt_but_not_a_missed_day() -> None:
    history = daily(LONDON, date(2026, 11, 20), 4)  # Fri 20 .. Mon 23
    assert (
        progress(history, now=local(LONDON, 2026, 11, 23, 20, 0), zone=LONDON).current_streak == 4
    )
    # Tuesday morning, before today's Done: yesterday keeps it alive.
    assert progress(history, now=local(LONDON, 2026, 11, 24, 7, 0), zone=LONDON).current_streak == 4
    # Wednesday: Tuesday was missed.
    figures = progress(history, now=local(LONDON, 2026, 11, 25, 7, 0), zone=LONDON)
    assert figures.current_streak == 0
    assert figures.best_streak == 4


def test_best_streak_is_the_longest_run_and_current_the_latest() -> None:
    history = daily(LONDON, date(2026, 11, 1), 6) + daily(LONDON, date(2026, 11, 20), 3)
    figures = progress(history, now=local(LONDON, 2026, 11, 22, 21, 0), zone=LONDON)
    assert (figures.current_streak, figures.best_streak) == (3, 6)


def test_input_order_does_not_matter() -> None:
    history = daily(LONDON, date(2026, 11, 18), 5)
    now = local(LONDON, 2026, 11, 22, 21, 0)
    assert progress(history, now=now, zone=LONDON) == progress(history[::-1], now=now, zone=LONDON)


def test_days_are_local_days_not_utc_days() -> None:
    # 20:30 and 21:30 in New York on two evenings: in UTC, 01:30 and 02:30 the next mornings.
    history = [done(NEW_YORK, 2026, 11, 23, 20, 30), done(NEW_YORK, 2026, 11, 24, 21, 30)]
    figures = progress(history, now=local(NEW_YORK, 2026, 11, 24, 22, 0), zone=NEW_YORK)
    assert figures.current_streak == 2
    assert figures.grid[date(2026, 11, 23)] == 1
    assert figures.grid[date(2026, 11, 24)] == 1
    assert figures.grid[date(2026, 11, 25)] == 0


# -- across a time-zone change -------------------------------------------------------------------


def test_moving_from_london_to_new_york_keeps_the_streak_and_past_days() -> None:
    history = daily(LONDON, date(2026, 11, 16), 5) + daily(NEW_YORK, date(2026, 11, 21), 4, 23)
    figures = progress(history, now=local(NEW_YORK, 2026, 11, 24, 23, 30), zone=NEW_YORK)
    assert figures.current_streak == 9
    # 23:00 in New York is 04:00 the next day in London: still counted on the New York date.
    assert figures.grid[date(2026, 11, 24)] == 1
    assert figures.grid[date(2026, 11, 16)] == 1


def test_flying_east_over_the_date_line_does_not_break_the_streak() -> None:
    # Late on the 1st in London; 20 hours later it is already the 3rd in Auckland.
    history = [done(LONDON, 2026, 12, 1, 23, 0), done(AUCKLAND, 2026, 12, 3, 8, 0)]
    figures = progress(history, now=local(AUCKLAND, 2026, 12, 3, 9, 0), zone=AUCKLAND)
    assert figures.current_streak == 2


def test_a_real_gap_with_a_zone_change_still_breaks_the_streak() -> None:
    history = [done(LONDON, 2026, 12, 1, 0, 10), done(AUCKLAND, 2026, 12, 3, 23, 0)]
    figures = progress(history, now=local(AUCKLAND, 2026, 12, 3, 23, 30), zone=AUCKLAND)
    assert figures.current_streak == 1
    assert figures.best_streak == 1


def test_flying_west_the_same_date_twice_is_one_day() -> None:
    history = [
        done(AUCKLAND, 2026, 12, 2, 8, 0),  # 1 Dec 14:00 in New York
        done(NEW_YORK, 2026, 12, 2, 9, 0),
        done(NEW_YORK, 2026, 12, 3, 9, 0),
    ]
    figures = progress(history, now=local(NEW_YORK, 2026, 12, 3, 10, 0), zone=NEW_YORK)
    assert figures.current_streak == 2
    assert figures.grid[date(2026, 12, 2)] == 2


def test_the_current_streak_counts_in_the_new_zone_after_flying_east() -> None:
    # Done in London on the 1st at 23:00; "now" is the 3rd in Auckland, ~21 hours later.
    history = [done(LONDON, 2026, 12, 1, 23, 0)]
    figures = progress(history, now=local(AUCKLAND, 2026, 12, 3, 7, 0), zone=AUCKLAND)
    assert figures.current_streak == 1


def test_a_done_dated_after_today_after_flying_west_is_still_current() -> None:
    history = [done(AUCKLAND, 2026, 12, 3, 8, 0)]  # 2 Dec 14:00 in New York
    figures = progress(history, now=local(NEW_YORK, 2026, 12, 2, 15, 0), zone=NEW_YORK)
    assert figures.current_streak == 1


# -- across DST ----------------------------------------------------------------------------------


def test_a_streak_runs_through_the_spring_forward_night() -> None:
    # Europe/London springs forward at 01:00 on 29 March 2026.
    history = [
        done(LONDON, 2026, 3, 28, 23, 30),  # GMT
        done(LONDON, 2026, 3, 29, 0, 30),  # still GMT: the next day
        done(LONDON, 2026, 3, 29, 23, 30),  # BST, 22:30 UTC: still the 29th
        done(LONDON, 2026, 3, 30, 0, 30),  # BST, 23:30 UTC on the 29th: the 30th locally
    ]
    figures = progress(history, now=local(LONDON, 2026, 3, 30, 8, 0), zone=LONDON)
    assert figures.current_streak == 3
    assert [figures.grid[date(2026, 3, d)] for d in (28, 29, 30)] == [1, 2, 1]


def test_the_repeated_hour_of_fall_back_is_one_day() -> None:
    # New York falls back at 02:00 on 1 November 2026: 01:30 happens twice.
    history = [
        done(NEW_YORK, 2026, 11, 1, 1, 30, fold=0),
        done(NEW_YORK, 2026, 11, 1, 1, 30, fold=1),
        done(NEW_YORK, 2026, 11, 2, 8, 0),
    ]
    figures = progress(history, now=local(NEW_YORK, 2026, 11, 2, 9, 0), zone=NEW_YORK)
    assert figures.current_streak == 2
    assert figures.grid[date(2026, 11, 1)] == 2


# -- week, month, per stretch, grid --------------------------------------------------------------


def test_this_week_is_monday_to_sunday_and_this_month_the_calendar_month() -> None:
    history = [
        done(LONDON, 2026, 10, 31, 12, 0),  # October
        done(LONDON, 2026, 11, 1, 12, 0),  # Sunday, the week before
        done(LONDON, 2026, 11, 2, 0, 5),  # Monday just after midnight
        done(LONDON, 2026, 11, 4, 12, 0),
        done(LONDON, 2026, 11, 8, 23, 55),  # Sunday night
    ]
    figures = progress(history, now=local(LONDON, 2026, 11, 8, 23, 59), zone=LONDON)
    assert figures.done_this_week == 3
    assert figures.done_this_month == 4
    assert figures.total == 5


def test_per_stretch_counts_most_done_first() -> None:
    history = [
        done(LONDON, 2026, 11, 20, 8, 0, stretch_id="psoas-stretch"),
        done(LONDON, 2026, 11, 21, 8, 0, stretch_id="knee-hugs"),
        done(LONDON, 2026, 11, 22, 8, 0, stretch_id="psoas-stretch"),
        done(LONDON, 2026, 11, 23, 8, 0, stretch_id="gluteal-stretch"),
    ]
    figures = progress(history, now=local(LONDON, 2026, 11, 23, 9, 0), zone=LONDON)
    assert list(figures.per_stretch.items()) == [
        ("psoas-stretch", 2),
        ("gluteal-stretch", 1),
        ("knee-hugs", 1),
    ]


def test_the_grid_is_eight_whole_weeks_monday_first_ending_with_this_week() -> None:
    history = [
        done(LONDON, 2026, 9, 1, 8, 0),  # before the grid
        done(LONDON, 2026, 10, 5, 8, 0),  # the grid's first Monday
        done(LONDON, 2026, 11, 25, 8, 0),
        done(LONDON, 2026, 11, 25, 18, 0),
    ]
    figures = progress(history, now=local(LONDON, 2026, 11, 25, 19, 0), zone=LONDON)
    days = list(figures.grid)
    assert len(days) == 56
    assert days[0] == date(2026, 10, 5)
    assert days[0].weekday() == 0
    assert days[-1] == date(2026, 11, 29)  # this Sunday: days after today stay 0
    assert days == sorted(days)
    assert figures.grid[date(2026, 10, 5)] == 1
    assert figures.grid[WEDNESDAY] == 2
    assert sum(figures.grid.values()) == 3
    assert not figures.grid_is_empty


def test_old_history_only_is_not_empty_but_the_grid_is() -> None:
    figures = progress(
        [done(LONDON, 2025, 1, 1, 8, 0)], now=local(LONDON, 2026, 11, 25, 9, 0), zone=LONDON
    )
    assert not figures.is_empty
    assert figures.grid_is_empty
    assert figures.best_streak == 1
    assert figures.current_streak == 0


# -- bad input -----------------------------------------------------------------------------------


def test_an_invalid_stored_zone_counts_in_utc_rather_than_failing() -> None:
    history = [
        Done(at=datetime(2026, 11, 25, 8, 0, tzinfo=UTC), zone="Mars/Olympus", stretch_id="x")
    ]
    figures = progress(history, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), zone="Not/AZone")
    assert figures.current_streak == 1
    assert figures.grid[WEDNESDAY] == 1


def test_zones_may_be_given_as_tzinfo_objects() -> None:
    history = [Done(at=local(LONDON, 2026, 11, 25, 8, 0), zone=ZoneInfo(LONDON))]
    figures = progress(history, now=local(LONDON, 2026, 11, 25, 9, 0), zone=ZoneInfo(LONDON))
    assert figures.current_streak == 1


@pytest.mark.parametrize("where", ["now", "done"])
def test_naive_datetimes_are_refused(where: str) -> None:
    naive = datetime(2026, 11, 25, 8, 0)
    aware = naive.replace(tzinfo=UTC)
    history = [Done(at=naive if where == "done" else aware, zone=LONDON)]
    with pytest.raises(ValueError, match="aware"):
        progress(history, now=naive if where == "now" else aware, zone=LONDON)


# -- properties ----------------------------------------------------------------------------------

ZONES = [LONDON, NEW_YORK, AUCKLAND, "Asia/Kolkata", "UTC"]
START = datetime(2026, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=120 * 24 * 60).map(
    lambda m: START + timedelta(minutes=m)
)
dones = st.lists(st.builds(Done, at=instants, zone=st.sampled_from(ZONES)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(dones, instants, st.sampled_from(ZONES))
def test_figures_are_consistent(history: list[Done], now: datetime, zone: str) -> None:
    now = max([now, *(d.at for d in history)])
    figures = progress(history, now=now, zone=zone)
    assert 0 <= figures.current_streak <= figures.best_streak <= figures.total
    assert figures.done_this_week <= figures.total
    assert figures.done_this_month <= figures.total
    assert sum(figures.per_stretch.values()) == figures.total
    assert sum(figures.grid.values()) <= figures.total
    assert figures.is_empty is (figures.total == 0)
    assert len(figures.grid) == GRID_WEEKS * 7
    if history:
        assert figures.best_streak >= 1


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.sampled_from(ZONES), st.integers(0, 23))
def test_one_done_a_day_makes_a_streak_of_that_many_days(days: int, zone: str, hour: int) -> None:
    history = daily(zone, date(2026, 2, 1), days, hour)
    last = history[-1].at
    figures = progress(history, now=last + timedelta(minutes=1), zone=zone)
    assert figures.current_streak == days
    assert figures.best_streak == days


# -- forgiving streaks: a weekly goal, and one freeze a month ---------------------------------


def active_on(zone: str, *days: date, hour: int = 8) -> list[Done]:
    return [done(zone, d.year, d.month, d.day, hour, 0) for d in days]


NOV = [date(2026, 11, d) for d in range(1, 31)]  # NOV[0] is Sunday 1 November


@pytest.mark.parametrize(
    ("active", "today", "goal", "expected"),
    [
        # (active days in November, today, goal) -> (days this week, week streak, best)
        pytest.param([], NOV[24], 5, (0, 0, 0), id="nothing yet"),
        # Mon 16 - Fri 20 (5 days) and Mon 23 - Wed 25: last week counts, this one isn't over.
        pytest.param(NOV[15:20] + NOV[22:25], NOV[24], 5, (3, 1, 1), id="this week still open"),
        # Three full weeks at 5 days with the weekends off: rest days never break it.
        pytest.param(NOV[1:6] + NOV[8:13] + NOV[15:20], NOV[20], 5, (5, 3, 3), id="weekends off"),
        # This week already meets the goal: it counts now.
        pytest.param(NOV[8:13] + NOV[15:20], NOV[19], 5, (5, 2, 2), id="goal met midweek"),
        # A week at 4 of 5 ends the run; with a goal of 4 it doesn't.
        pytest.param(NOV[1:6] + NOV[8:12] + NOV[15:20], NOV[21], 5, (5, 1, 1), id="short week"),
        pytest.param(NOV[1:6] + NOV[8:12] + NOV[15:20], NOV[21], 4, (5, 3, 3), id="goal of 4"),
        # Two weeks ago was the last good week: last week missed, so the streak is 0.
        pytest.param(NOV[1:6], NOV[16], 5, (0, 0, 1), id="a missed week breaks it"),
        pytest.param([NOV[2]], NOV[4], 1, (1, 1, 1), id="goal of 1"),
        pytest.param(NOV[1:8], NOV[8], 7, (0, 1, 1), id="goal of 7"),
    ],
)
def test_the_week_streak_counts_weeks_meeting_the_goal(
    active: list[date], today: date, goal: int, expected: tuple[int, int, int]
) -> None:
    figures = progress(
        active_on(LONDON, *active),
        now=local(LONDON, today.year, today.month, today.day, 20, 0),
        zone=LONDON,
        weekly_goal=goal,
    )
    assert (
        figures.active_days_this_week,
        figures.week_streak,
        figures.best_week_streak,
    ) == expected
    assert figures.week_goal_met is (expected[0] >= goal)


@pytest.mark.parametrize(
    ("active", "today", "expected"),
    [
        # (active days, today) -> (current day streak, best, frozen days, freezes left)
        pytest.param(NOV[1:5] + NOV[6:9], NOV[8], (7, 7, {NOV[5]}, 0), id="one gap bridged"),
        pytest.param(
            NOV[1:5] + NOV[6:9] + NOV[10:12],
            NOV[11],
            (2, 7, {NOV[5]}, 0),
            id="a second gap in the month breaks it",
        ),
        pytest.param(NOV[1:5] + NOV[7:9], NOV[8], (2, 4, set(), 1), id="two missed days"),
        # Yesterday missed, today still open: the freeze keeps it alive for now.
        pytest.param(NOV[1:5], NOV[6], (4, 4, {NOV[5]}, 0), id="yesterday frozen"),
        pytest.param(NOV[1:5], NOV[7], (0, 4, set(), 1), id="two days ago is too long"),
    ],
)
def test_one_freeze_a_month_keeps_a_day_streak_alive(
    active: list[date], today: date, expected: tuple[int, int, set[date], int]
) -> None:
    figures = progress(
        active_on(LONDON, *active),
        now=local(LONDON, today.year, today.month, today.day, 7, 0),
        zone=LONDON,
        freezes_per_month=1,
    )
    assert (
        figures.current_streak,
        figures.best_streak,
        set(figures.frozen_days),
        figures.freezes_left_this_month,
    ) == expected


def test_each_month_has_its_own_freeze() -> None:
    days = [date(2026, 10, 27), date(2026, 10, 28), date(2026, 10, 30), date(2026, 10, 31)]
    days += [date(2026, 11, 1), date(2026, 11, 3)]  # 29 Oct and 2 Nov missed
    figures = progress(
        active_on(LONDON, *days),
        now=local(LONDON, 2026, 11, 3, 20, 0),
        zone=LONDON,
        freezes_per_month=1,
    )
    assert figures.current_streak == 6
    assert set(figures.frozen_days) == {date(2026, 10, 29), date(2026, 11, 2)}


def test_freezes_and_weeks_use_local_days_across_dst_and_a_move() -> None:
    # London's clocks go back on Sunday 25 Oct 2026; Dones at 00:30 local stay on their day.
    before = [done(LONDON, 2026, 10, d, 0, 30) for d in (19, 20, 21, 22, 23)]
    dst_week = [done(LONDON, 2026, 10, d, 0, 30) for d in (25, 26, 27, 29)]  # 28th missed
    # Then a move to Auckland: Mon 2 Nov to Fri 6 Nov, early mornings there.
    moved = [done(AUCKLAND, 2026, 11, d, 6, 0) for d in (2, 3, 4, 5, 6)]
    figures = progress(
        before + dst_week + moved,
        now=local(AUCKLAND, 2026, 11, 6, 21, 0),
        zone=AUCKLAND,
        weekly_goal=4,
        freezes_per_month=1,
    )
    # Weeks of 19 Oct (5 days), 26 Oct (26, 27, 29 + Sun 25 belongs to the week of 19 Oct: 3
    # days, short of 4) and 2 Nov (5 days): the streak restarts with this week.
    assert (figures.week_streak, figures.best_week_streak) == (1, 1)
    assert figures.active_days_this_week == 5
    # Day streak: 19-23 Oct, 24 Oct missed (frozen), 25-27, 28 missed (October's freeze is
    # gone): a new run 29 Oct, then 30 Oct - 1 Nov missed.
    assert date(2026, 10, 24) in figures.frozen_days
    assert figures.current_streak == 5
    assert figures.best_streak == 8
