"""Answers and adaptation: words and buttons, Easier, It hurts, the stronger offer (issue 6)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.progression import (
    DEFAULT_DONES_FOR_STRONGER,
    Answer,
    easier_choice,
    hurts_outcome,
    parse_answer,
    stronger_offer,
    stronger_progress,
)
from tests.domain.catalogs import SAFETY, catalog_of, real_catalog, stretch

CATALOG = real_catalog()
D, E, S, L, H = Answer.DONE, Answer.EASIER, Answer.SKIP, Answer.LATER, Answer.HURTS

# -- words ---------------------------------------------------------------------------------------

WORDS = [
    ("done", D),
    ("Done", D),
    ("DONE", D),
    ("Done!", D),
    ("done.", D),
    ("  done  ", D),
    ("did it", D),
    ("Did it!", D),
    ("did   it", D),
    ("✅", D),
    ("✅\ufe0f", D),
    (" ✅ ", D),
    ("easier", E),
    ("Easier?", E),
    ("too hard", E),
    ("Too hard!!", E),
    ("skip", S),
    ("Skip.", S),
    ("later", L),
    ("LATER", L),
    ("hurts", H),
    ("it hurts", H),
    ("It hurts!", H),
    ("it hurts...", H),
    ("“done”", D),
]

NOT_ANSWERS = [
    "",
    "   ",
    "hello",
    "done with this bot, thanks",
    "not done",
    "did",
    "hard",
    "?!",
    "✅✅",
    "🙂🔥💪✨",
    "d o n e",
    "done" * 125,  # 500 characters
    "x" * 500,
    "/start",
    "yes",
]


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_words_people_type_are_understood(text: str, expected: Answer) -> None:
    assert parse_answer(text) is expected


@pytest.mark.parametrize("text", NOT_ANSWERS, ids=lambda t: repr(t[:20]))
def test_other_texts_are_not_answers(text: str) -> None:
    assert parse_answer(text) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_any_text_parses_to_an_answer_or_none_without_raising(text: str) -> None:
    assert parse_answer(text) in {None, *Answer}


def test_answer_values_are_short_stable_words() -> None:
    assert [a.value for a in Answer] == ["done", "easier", "skip", "later", "hurts"]


# -- Easier --------------------------------------------------------------------------------------


def test_easier_on_knee_hugs_gives_one_knee() -> None:
    choice = easier_choice(CATALOG, "knee-hugs")
    assert choice.easier is not None
    assert choice.easier.id == "knee-hug-one-knee"
    assert choice.has_easier


def test_easier_on_a_stronger_variation_goes_back_to_the_base() -> None:
    choice = easier_choice(CATALOG, "psoas-stretch-stronger")
    assert choice.easier is not None
    assert choice.easier.id == "psoas-stretch"


def test_no_easier_variation_offers_the_sheets_own_tips_and_never_invents_one() -> None:
    choice = easier_choice(CATALOG, "hamstring-stretch-floor")
    assert choice.easier is None
    assert not choice.has_easier
    assert choice.tips == ("If needed, sit on a cushion.",)
    assert choice.tips == CATALOG.get("hamstring-stretch-floor").tips


def test_no_easier_variation_and_no_tips_gives_empty_tips() -> None:
    choice = easier_choice(CATALOG, "pelvic-tilt")
    assert choice.easier is None
    assert choice.tips == CATALOG.get("pelvic-tilt").tips


def test_easier_never_offers_a_contraindicated_variation() -> None:
    catalog = catalog_of(
        stretch("reach", 10, easier="reach-gentle", tips=("Go slowly.",)),
        stretch(
            "reach-gentle",
            20,
            family="reach",
            stronger="reach",
            contraindications=frozenset({"sore-knees"}),
        ),
    )
    choice = easier_choice(catalog, "reach", conditions={"sore-knees"})
    assert choice.easier is None
    assert choice.tips == ("Go slowly.",)


def test_easier_steps_over_a_blocked_variation_to_a_still_easier_one() -> None:
    catalog = catalog_of(
        stretch("base", 10, easier="gentle"),
        stretch("gentle", 20, family="base", easier="gentlest", stronger="base"),
        stretch("gentlest", 30, family="base", stronger="gentle"),
    )
    choice = easier_choice(catalog, "base", blocked={"gentle"})
    assert choice.easier is not None
    assert choice.easier.id == "gentlest"
    assert easier_choice(catalog, "base", blocked={"gentle", "gentlest"}).easier is None


def test_easier_on_a_stretch_the_pack_dropped_is_harmless() -> None:
    choice = easier_choice(CATALOG, "gone-from-pack")
    assert choice.easier is None
    assert choice.tips == ()


# -- It hurts ------------------------------------------------------------------------------------


def test_it_hurts_blocks_the_stretch_shows_safety_and_suggests_the_easier_one() -> None:
    outcome = hurts_outcome(CATALOG, "knee-hugs", blocked={"psoas-stretch"})
    assert outcome.blocked == {"knee-hugs", "psoas-stretch"}
    assert outcome.safety == CATALOG.texts.safety
    assert outcome.easier is not None
    assert outcome.easier.id == "knee-hug-one-knee"


def test_it_hurts_on_the_easiest_variation_suggests_nothing_stronger() -> None:
    outcome = hurts_outcome(CATALOG, "knee-hug-one-knee")
    assert outcome.blocked == {"knee-hug-one-knee"}
    assert outcome.easier is None


def test_it_hurts_with_a_synthetic_pack_uses_its_safety_note() -> None:
    catalog = catalog_of(stretch("lie", 10, tips=("Use a pillow.",)))
    outcome = hurts_outcome(catalog, "lie")
    assert outcome.safety == SAFETY
    assert outcome.tips == ("Use a pillow.",)


# -- the stronger offer --------------------------------------------------------------------------

RUNS = [
    # (run, offer now?, dones counted, why)
    ([D] * 4, False, 4, "four Dones are not enough"),
    ([D] * 5, True, 5, "the fifth Done earns the offer"),
    ([D] * 6, False, 6, "offered once per run, not again on the sixth"),
    ([D, D, S, D, L, D, D], True, 5, "skips and laters neither count nor reset"),
    ([D, D, D, D, E, D], False, 1, "Easier resets the count"),
    ([D, D, D, D, H, D, D, D, D, D], True, 5, "It hurts resets; five more earn it"),
    ([D, D, D, D, D, S], False, 5, "the offer belongs to the Done that earned it"),
    ([D, D, D, D, D, H, D, D, D, D, D], False, 5, "earned once in this run already"),
    ([], False, 0, "a new run"),
    ([S, L, S, L, S], False, 0, "only skips and laters"),
]


@pytest.mark.parametrize(("run", "offer_now", "dones", "why"), RUNS, ids=[r[-1] for r in RUNS])
def test_stronger_offer_after_five_dones(
    run: list[Answer], offer_now: bool, dones: int, why: str
) -> None:
    progress = stronger_progress(run)
    assert progress.offer_now is offer_now, why
    assert progress.dones == dones, why
    assert progress.needed == DEFAULT_DONES_FOR_STRONGER


def test_n_is_a_setting() -> None:
    assert stronger_progress([D] * 3, n=3).offer_now
    assert not stronger_progress([D] * 3, n=4).offer_now
    assert stronger_progress([D], n=1).offer_now
    assert stronger_progress([D] * 2, n=3).to_go == 1
    with pytest.raises(ValueError, match="at least 1"):
        stronger_progress([D], n=0)


def test_after_not_yet_the_count_restarts_with_a_new_run() -> None:
    first_run = [D] * 5
    assert stronger_progress(first_run).offer_now
    # "Not yet": the caller starts a new run for the same variation.
    new_run: list[Answer] = []
    for _ in range(4):
        new_run.append(D)
        assert not stronger_progress(new_run).offer_now
    new_run.append(D)
    assert stronger_progress(new_run).offer_now


def test_five_dones_of_the_rotation_stretch_offer_its_stronger_variation() -> None:
    offer = stronger_offer(CATALOG, "rotation-stretch", [D] * 5)
    assert offer is not None
    assert offer.id == "rotation-stretch-stronger"
    assert stronger_offer(CATALOG, "rotation-stretch", [D] * 4) is None


def test_one_knee_users_are_offered_both_knees_back() -> None:
    offer = stronger_offer(CATALOG, "knee-hug-one-knee", [D] * 5)
    assert offer is not None
    assert offer.id == "knee-hugs"


@pytest.mark.parametrize(
    ("stretch_id", "conditions", "blocked", "why"),
    [
        ("hamstring-stretch-floor", (), (), "no stronger variation on the sheet"),
        ("rotation-stretch-stronger", (), (), "already the strongest"),
        ("gluteal-stretch", (), (), "stretch #2 is a stretch of its own, not an offer"),
        ("psoas-stretch", (), ("psoas-stretch-stronger",), "the stronger one hurt before"),
        ("gone-from-pack", (), (), "a stretch the pack dropped"),
    ],
)
def test_no_stronger_offer(
    stretch_id: str, conditions: tuple[str, ...], blocked: tuple[str, ...], why: str
) -> None:
    offer = stronger_offer(CATALOG, stretch_id, [D] * 5, conditions=conditions, blocked=blocked)
    assert offer is None, why


answers_st = st.lists(st.sampled_from(list(Answer)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(answers_st, st.integers(min_value=1, max_value=8))
def test_the_offer_is_made_at_most_once_per_run(run: list[Answer], n: int) -> None:
    offers = [i for i in range(len(run)) if stronger_progress(run[: i + 1], n).offer_now]
    assert len(offers) <= 1
    if offers:
        earned_at = offers[0]
        assert run[earned_at] is D
        # n Dones just before it (skips and laters aside), with no Easier or It hurts among them
        since_reset: list[Answer] = []
        for answer in reversed(run[: earned_at + 1]):
            if answer in (E, H):
                break
            since_reset.append(answer)
        assert since_reset.count(D) >= n
    assert stronger_progress(run, n).offered is bool(offers)
