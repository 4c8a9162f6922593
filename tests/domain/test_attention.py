"""/patients lists who needs attention first."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.attention import PatientStats, by_attention, reasons

STEADY = PatientStats(
    patient_id=1,
    first_name="Steady",
    days_since_done=0,
    done_7=6,
    prompts_7=7,
    done_28=25,
    prompts_28=28,
    hurts_14=0,
    latest_pain=3,
    pain_change=-1,
)


def names(patients: list[PatientStats]) -> list[str]:
    return [p.first_name for p in by_attention(patients)]


def test_it_hurts_or_a_pain_rise_comes_before_a_long_silence() -> None:
    hurt = replace(STEADY, patient_id=2, first_name="Hurt", hurts_14=1)
    worse = replace(STEADY, patient_id=3, first_name="Worse", pain_change=4)
    silent = replace(STEADY, patient_id=4, first_name="Silent", days_since_done=20, done_7=0)
    # Both flagged, same gap and adherence: the larger pain rise first.
    assert names([STEADY, silent, worse, hurt]) == ["Worse", "Hurt", "Silent", "Steady"]


def test_longer_gaps_first_and_never_done_is_the_longest() -> None:
    a = replace(STEADY, patient_id=2, first_name="Three", days_since_done=3)
    b = replace(STEADY, patient_id=3, first_name="Never", days_since_done=None, done_28=0)
    c = replace(STEADY, patient_id=4, first_name="Ten", days_since_done=10)
    assert names([a, STEADY, c, b]) == ["Never", "Ten", "Three", "Steady"]


def test_same_gap_lower_adherence_first_then_by_name() -> None:
    low = replace(STEADY, patient_id=2, first_name="Low", done_28=5)
    also = replace(STEADY, patient_id=3, first_name="also steady")
    assert names([STEADY, also, low]) == ["Low", "also steady", "Steady"]


def test_reasons_say_why_a_call_may_help() -> None:
    assert reasons(STEADY) == []
    assert reasons(replace(STEADY, hurts_14=2)) == ["It hurts ×2 in 14 days"]
    assert reasons(replace(STEADY, days_since_done=8, done_7=0)) == ["no Done for a week"]
    assert reasons(replace(STEADY, done_7=2)) == ["2 of 7 done this week"]
    assert reasons(replace(STEADY, pain_change=3)) == ["pain up 3 since the first score"]
    # No prompts this week (paused): nothing to be behind on.
    assert reasons(replace(STEADY, days_since_done=None, done_7=0, prompts_7=0)) == []
