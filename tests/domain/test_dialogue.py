"""The set-up conversation's rules, without Telegram or a database: the order onboarding asks
in, what a settings change does instead, what typed text and a shared location mean at each
step, and which button arguments are accepted."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.clock_times import Weekdays
from bot.domain.dialogue import (
    ONBOARDING,
    Section,
    Step,
    TextUse,
    Transition,
    after,
    consent_is_stale,
    day_index_argument,
    days_argument,
    parse_section,
    parse_step,
    press_counts,
    resume_at,
    section_step,
    takes_location,
    text_use,
    time_argument,
    toggle_day,
)


def test_onboarding_asks_every_step_once_in_order_then_turns_reminders_on() -> None:
    asked = [Step.CONSENT]
    while True:
        transition = after(asked[-1], onboarding=True)
        if transition.next is None:
            break
        asked.append(transition.next)
    assert asked == [Step.CONSENT, Step.CONDITIONS, Step.TIMEZONE, Step.TIMES, Step.DAYS]
    assert tuple(asked) == ONBOARDING
    assert after(Step.DAYS, onboarding=True) == Transition(None, finishes_onboarding=True)
    assert not after(Step.DAYS, onboarding=True).saved


@pytest.mark.parametrize("step", [Step.CONDITIONS, Step.TIMEZONE, Step.TIMES, Step.DAYS])
def test_a_settings_change_saves_and_ends_the_conversation(step: Step) -> None:
    transition = after(step, onboarding=False)
    assert transition == Transition(None)
    assert transition.saved


@pytest.mark.parametrize("step", [Step.CONDITIONS, Step.TIMEZONE, Step.TIMES])
def test_while_onboarding_no_step_but_the_last_finishes_it(step: Step) -> None:
    transition = after(step, onboarding=True)
    assert transition.next is not None
    assert not transition.finishes_onboarding
    assert not transition.saved


def test_consent_always_leads_to_the_conditions() -> None:
    assert after(Step.CONSENT, onboarding=True) == Transition(Step.CONDITIONS)
    assert after(Step.CONSENT, onboarding=False) == Transition(Step.CONDITIONS)


def test_the_stored_step_is_read_back_and_anything_else_is_no_step() -> None:
    for step in Step:
        assert parse_step(step.value) is step
    assert parse_step(None) is None
    assert parse_step("") is None
    assert parse_step("an-old-step") is None


def test_after_a_restart_onboarding_resumes_where_it_stood() -> None:
    assert resume_at("timezone") is Step.TIMEZONE
    assert resume_at("days") is Step.DAYS
    # No step stored (or one no version wrote): the conditions, the first after consent.
    assert resume_at(None) is Step.CONDITIONS
    assert resume_at("nonsense") is Step.CONDITIONS


def test_while_onboarding_only_reached_steps_buttons_count() -> None:
    # At the zone question: consent, conditions and zone buttons count; times and days don't.
    reached = [s for s in Step if press_counts(s, stored="timezone", onboarding=True)]
    assert reached == [Step.CONSENT, Step.CONDITIONS, Step.TIMEZONE]
    assert press_counts(Step.DAYS, stored="days", onboarding=True)
    # No step stored while onboarding: the conditions are where it stands.
    assert not press_counts(Step.TIMEZONE, stored=None, onboarding=True)
    # Set up: every step's buttons are open (the same steps serve /settings).
    assert all(press_counts(s, stored=None, onboarding=False) for s in Step)


def test_typed_text_is_a_zone_or_times_only_where_those_are_asked() -> None:
    assert text_use("timezone") is TextUse.ZONE
    assert text_use("times") is TextUse.TIMES
    # Steps answered with buttons: the user is told to tap one.
    assert text_use("consent") is TextUse.BUTTONS
    assert text_use("conditions") is TextUse.BUTTONS
    assert text_use("days") is TextUse.BUTTONS
    # Nothing asked: the text is not the conversation's.
    assert text_use(None) is TextUse.NONE
    assert text_use("nonsense") is TextUse.NONE


def test_a_shared_location_counts_only_while_the_zone_is_asked() -> None:
    assert takes_location("timezone")
    assert not any(takes_location(step.value) for step in Step if step is not Step.TIMEZONE)
    assert not takes_location(None)


def test_i_understand_is_stale_once_the_user_is_past_consent() -> None:
    assert not consent_is_stale(consented=False, stored="consent")
    assert not consent_is_stale(consented=False, stored=None)
    # Consented, but the consent screen is where they stand (a double tap): still fine.
    assert not consent_is_stale(consented=True, stored="consent")
    assert consent_is_stale(consented=True, stored="conditions")
    assert consent_is_stale(consented=True, stored=None)


def test_settings_sections_open_their_step_and_delete_opens_none() -> None:
    assert section_step(Section.CONDITIONS) is Step.CONDITIONS
    assert section_step(Section.TIMEZONE) is Step.TIMEZONE
    assert section_step(Section.TIMES) is Step.TIMES
    assert section_step(Section.DAYS) is Step.DAYS
    assert section_step(Section.DELETE) is None
    assert parse_section("times") is Section.TIMES
    for forged in (None, "", "../../etc", "consent", "TIMES"):
        assert parse_section(forged) is None


@given(st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_a_time_button_reads_back_the_time_it_was_built_with(value: time) -> None:
    assert time_argument(value.strftime("%H%M")) == value


@pytest.mark.parametrize(
    "argument", [None, "", "2561", "2400", "0760", "9999", "730", "07300", "07:3", "²³⁴⁵", "-730"]
)
def test_a_time_button_with_any_other_argument_is_out_of_date(argument: str | None) -> None:
    assert time_argument(argument) is None


def test_day_presets_are_masks_of_one_to_127() -> None:
    assert days_argument(str(int(Weekdays.WEEKDAYS))) == Weekdays.WEEKDAYS
    assert days_argument("127") == Weekdays.EVERY_DAY
    assert days_argument("1") == Weekdays.MON
    for forged in (None, "", "0", "128", "-1", "x", "²"):
        assert days_argument(forged) is None


def test_a_day_button_names_monday_to_sunday() -> None:
    assert [day_index_argument(str(i)) for i in range(7)] == list(range(7))
    assert day_index_argument("06") == 6
    for forged in (None, "", "7", "-1", "x", "pick", "³"):
        assert day_index_argument(forged) is None


@given(st.integers(1, 127), st.integers(0, 6))
def test_toggling_a_day_flips_only_that_day_and_never_leaves_none(mask: int, index: int) -> None:
    current = Weekdays(mask)
    toggled = toggle_day(current, index)
    if current == Weekdays.from_indices([index]):
        assert toggled is None  # the only day left stays
        return
    assert toggled is not None
    assert toggled.includes(index) != current.includes(index)
    others = [i for i in range(7) if i != index]
    assert [toggled.includes(i) for i in others] == [current.includes(i) for i in others]
