"""Which stretch each prompt sends (issue 5 item 4; issue 6 items 2, 4 and 6)."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog.model import Catalog, Condition, Stretch
from bot.domain.progression import easier_choice
from bot.domain.rotation import (
    RotationState,
    choose_in_family,
    next_stretch,
    sendable_ids,
)
from tests.domain.catalogs import catalog_of, real_catalog, stretch

CATALOG = real_catalog()
FAMILY_IDS = [f.id for f in CATALOG.families]
STRETCH_IDS = [s.id for s in CATALOG.stretches]
CONDITION_IDS = [c.id for c in CATALOG.conditions]
DISC_EXCLUDED = {"pelvic-tilt", "knee-hugs", "knee-hug-one-knee"}


def state(
    *,
    conditions: set[str] | frozenset[str] = frozenset(),
    history: tuple[str, ...] = (),
    preferred: dict[str, str] | None = None,
    blocked: set[str] | frozenset[str] = frozenset(),
) -> RotationState:
    return RotationState(
        conditions=frozenset(conditions),
        history=history,
        preferred=MappingProxyType(dict(preferred or {})),
        blocked=frozenset(blocked),
    )


def prompts(catalog: Catalog, start: RotationState, count: int) -> list[Stretch]:
    """What `count` prompts in a row send (each one recorded as sent before the next)."""
    sent: list[Stretch] = []
    current = start
    for _ in range(count):
        chosen = next_stretch(catalog, current)
        assert chosen is not None
        sent.append(chosen)
        current = current.after_sending(chosen)
    return sent


# -- stories -------------------------------------------------------------------------------------


def test_a_new_user_starts_at_the_top_of_the_sheet_and_goes_down_it_in_order() -> None:
    sent = prompts(CATALOG, state(), len(FAMILY_IDS) + 2)
    assert [s.id for s in sent] == [
        "table-stretch",
        "pelvic-tilt",
        "knee-hugs",
        "gluteal-stretch",
        "gluteal-stretch-2",
        "rotation-stretch",
        "quadriceps-stretch",
        "psoas-stretch",
        "hamstring-stretch-floor",
        # ... and round again
        "table-stretch",
        "pelvic-tilt",
    ]


def test_given_a_user_with_disc_problems_the_8_00_prompt_is_never_knee_hugs() -> None:
    # Thirty mornings in a row, from every possible starting point.
    for last in (None, *FAMILY_IDS):
        start = state(conditions={"disc-problems"}, history=(last,) if last else ())
        for sent in prompts(CATALOG, start, 30):
            assert sent.id not in DISC_EXCLUDED
            assert sent.family not in {"knee-hugs", "pelvic-tilt"}


def test_with_disc_problems_the_rotation_goes_straight_from_table_stretch_to_gluteal() -> None:
    sent = prompts(CATALOG, state(conditions={"disc-problems"}), 3)
    assert [s.id for s in sent] == ["table-stretch", "gluteal-stretch", "gluteal-stretch-2"]


def test_after_easier_on_knee_hugs_knee_hugs_comes_as_one_knee_from_now_on() -> None:
    user = state(history=("pelvic-tilt",))
    prompt = next_stretch(CATALOG, user)
    assert prompt is not None
    assert prompt.id == "knee-hugs"

    choice = easier_choice(CATALOG, prompt.id, conditions=user.conditions)
    assert choice.easier is not None
    assert choice.easier.id == "knee-hug-one-knee"
    user = user.preferring(choice.easier).after_sending(prompt)

    knee_prompts = [
        s for s in prompts(CATALOG, user, 3 * len(FAMILY_IDS)) if s.family == "knee-hugs"
    ]
    assert [s.id for s in knee_prompts] == ["knee-hug-one-knee"] * 3


def test_a_preferred_stronger_variation_is_sent_for_its_family_only() -> None:
    user = state(preferred={"rotation-stretch": "rotation-stretch-stronger"})
    sent = [s.id for s in prompts(CATALOG, user, len(FAMILY_IDS))]
    assert "rotation-stretch-stronger" in sent
    assert "rotation-stretch" not in sent
    assert "psoas-stretch" in sent  # other families keep their default


def test_skip_moves_on_the_skipped_stretch_counts_as_sent() -> None:
    user = state(history=("table-stretch",))
    skipped = next_stretch(CATALOG, user)
    assert skipped is not None
    following = next_stretch(CATALOG, user.after_sending(skipped))
    assert following is not None
    assert (skipped.id, following.id) == ("pelvic-tilt", "knee-hugs")


def test_the_rotation_wraps_after_the_last_family_on_the_sheet() -> None:
    chosen = next_stretch(CATALOG, state(history=("hamstring-stretch-floor",)))
    assert chosen is not None
    assert chosen.id == "table-stretch"


def test_a_variation_in_the_history_stands_for_its_family() -> None:
    chosen = next_stretch(CATALOG, state(history=("knee-hug-one-knee",)))
    assert chosen is not None
    assert chosen.id == "gluteal-stretch"


# -- within a family -----------------------------------------------------------------------------

WITHIN_FAMILY = [
    # (conditions, preferred, blocked, family, expected, why)
    ((), {}, (), "knee-hugs", "knee-hugs", "the default is the base"),
    ((), {"knee-hugs": "knee-hug-one-knee"}, (), "knee-hugs", "knee-hug-one-knee", "preferred"),
    (
        (),
        {"knee-hugs": "knee-hug-one-knee"},
        ("knee-hug-one-knee",),
        "knee-hugs",
        None,
        "preferred blocked, no easier one: nothing, never the harder default",
    ),
    ((), {}, ("knee-hugs",), "knee-hugs", "knee-hug-one-knee", "base blocked: the easier one"),
    (
        (),
        {},
        ("knee-hugs", "knee-hug-one-knee"),
        "knee-hugs",
        None,
        "all blocked: nothing from this family",
    ),
    (
        ("restricted-hips",),
        {},
        (),
        "gluteal-stretch-2",
        None,
        "very restricted hips: never gluteal stretch #2",
    ),
    (("restricted-hips",), {}, (), "gluteal-stretch", "gluteal-stretch", "#1 is done instead"),
    (
        (),
        {},
        ("psoas-stretch",),
        "psoas-stretch",
        None,
        "base blocked, no easier one: nothing, never the stronger one",
    ),
    (
        (),
        {},
        ("table-stretch",),
        "table-stretch",
        None,
        "base blocked: not a side variant of the same movement either",
    ),
    (
        (),
        {"knee-hugs": "rotation-stretch"},
        (),
        "knee-hugs",
        "knee-hugs",
        "preferred from another family: ignored",
    ),
    ((), {"knee-hugs": "gone-from-pack"}, (), "knee-hugs", "knee-hugs", "unknown preferred"),
    (("disc-problems",), {}, (), "knee-hugs", None, "contraindicated family"),
    (
        ("disc-problems",),
        {"knee-hugs": "knee-hug-one-knee"},
        (),
        "knee-hugs",
        None,
        "a preference never overrides a contraindication",
    ),
    (("no-such-condition",), {}, (), "pelvic-tilt", "pelvic-tilt", "unknown condition ignored"),
    ((), {}, (), "gone-from-pack", None, "unknown family"),
    ((), {}, (), "knee-hug-one-knee", "knee-hugs", "a member's id names its family"),
]


@pytest.mark.parametrize(
    ("conditions", "preferred", "blocked", "family", "expected", "why"),
    WITHIN_FAMILY,
    ids=[row[-1] for row in WITHIN_FAMILY],
)
def test_choice_within_a_family(
    conditions: tuple[str, ...],
    preferred: dict[str, str],
    blocked: tuple[str, ...],
    family: str,
    expected: str | None,
    why: str,
) -> None:
    user = state(conditions=set(conditions), preferred=preferred, blocked=set(blocked))
    chosen = choose_in_family(CATALOG, family, user)
    assert (chosen.id if chosen else None) == expected, why


def test_nearest_member_prefers_the_easier_chain_step_by_step() -> None:
    catalog = catalog_of(
        stretch("base", 10, easier="gentle", stronger="strong"),
        stretch("gentle", 20, family="base", easier="gentlest", stronger="base"),
        stretch("gentlest", 30, family="base", stronger="gentle"),
        stretch("strong", 40, family="base", easier="base"),
    )
    expectations = [
        ({"base"}, "gentle"),
        ({"base", "gentle"}, "gentlest"),
        ({"base", "gentle", "gentlest"}, None),  # never the stronger one
        ({"base", "gentle", "gentlest", "strong"}, None),
    ]
    for blocked, expected in expectations:
        chosen = next_stretch(catalog, state(blocked=blocked))
        assert (chosen.id if chosen else None) == expected, blocked


def test_when_everything_is_blocked_nothing_is_sent() -> None:
    assert next_stretch(CATALOG, state(blocked=set(STRETCH_IDS))) is None


def test_when_conditions_rule_everything_out_nothing_is_sent() -> None:
    catalog = catalog_of(
        stretch("reach", 10, contraindications=frozenset({"sore-knees"})),
        conditions=(Condition("sore-knees", "Sore knees", "Sore knees?", frozenset({"reach"})),),
    )
    assert next_stretch(catalog, state(conditions={"sore-knees"})) is None
    assert next_stretch(catalog, state()) == catalog.get("reach")


def test_an_empty_catalogue_sends_nothing() -> None:
    assert next_stretch(catalog_of(), state(history=("anything",))) is None


def test_a_last_family_the_pack_dropped_is_ignored_for_the_one_before_it() -> None:
    chosen = next_stretch(CATALOG, state(history=("pelvic-tilt", "dropped-family")))
    assert chosen is not None
    assert chosen.id == "knee-hugs"
    chosen = next_stretch(CATALOG, state(history=("dropped-family",)))
    assert chosen is not None
    assert chosen.id == "table-stretch"


def test_preferring_and_sending_leave_the_original_state_alone() -> None:
    user = state()
    one_knee = CATALOG.get("knee-hug-one-knee")
    changed = user.preferring(one_knee).after_sending(one_knee)
    assert dict(changed.preferred) == {"knee-hugs": "knee-hug-one-knee"}
    assert changed.history == ("knee-hugs",)
    assert dict(user.preferred) == {}
    assert user.history == ()


# -- properties ----------------------------------------------------------------------------------

UNKNOWN = st.text(alphabet="abcxyz-", min_size=1, max_size=8).map(lambda s: f"zz-{s}")
conditions_st = st.frozensets(st.sampled_from(CONDITION_IDS) | UNKNOWN, max_size=4)
history_st = st.lists(st.sampled_from(FAMILY_IDS + STRETCH_IDS) | UNKNOWN, max_size=6).map(tuple)
preferred_st = st.dictionaries(
    st.sampled_from(FAMILY_IDS) | UNKNOWN, st.sampled_from(STRETCH_IDS) | UNKNOWN, max_size=6
).map(MappingProxyType)
blocked_st = st.frozensets(st.sampled_from(STRETCH_IDS) | UNKNOWN, max_size=len(STRETCH_IDS))


@st.composite
def users(
    draw: st.DrawFn, conditions: st.SearchStrategy[frozenset[str]] = conditions_st
) -> RotationState:
    return RotationState(
        conditions=draw(conditions),
        history=draw(history_st),
        preferred=draw(preferred_st),
        blocked=draw(blocked_st),
    )


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(users())
def test_the_chosen_stretch_is_never_contraindicated_nor_blocked(user: RotationState) -> None:
    chosen = next_stretch(CATALOG, user)
    sendable = sendable_ids(CATALOG, user)
    if chosen is None:
        # Nothing to send in any family. That is not "nothing sendable": a family whose
        # default (or preferred) stretch can't be sent falls back only to an easier variation,
        # never to a harder or a side one (see rotation._choose).
        assert all(choose_in_family(CATALOG, f.id, user) is None for f in CATALOG.families)
        return
    assert chosen.id not in CATALOG.excluded_by(user.conditions)
    assert not chosen.contraindications & user.conditions
    assert chosen.id not in user.blocked
    assert chosen.id in sendable


@PROPERTY
@given(users())
def test_over_a_full_cycle_every_sendable_family_comes_exactly_once(user: RotationState) -> None:
    expected = [f.id for f in CATALOG.families if choose_in_family(CATALOG, f.id, user)]
    current = user
    seen: list[str] = []
    for _ in expected:
        chosen = next_stretch(CATALOG, current)
        assert chosen is not None
        seen.append(chosen.family)
        current = current.after_sending(chosen)
    assert sorted(seen) == sorted(expected)
    if not expected:
        assert next_stretch(CATALOG, user) is None


@PROPERTY
@given(users(conditions=conditions_st.map(lambda c: c | {"disc-problems"})))
def test_a_user_with_disc_problems_never_gets_pelvic_tilt_or_knee_hugs(user: RotationState) -> None:
    current = user
    for _ in range(len(FAMILY_IDS) + 1):
        chosen = next_stretch(CATALOG, current)
        if chosen is None:
            return
        assert chosen.id not in DISC_EXCLUDED
        current = current.after_sending(chosen)


@PROPERTY
@given(users())
def test_a_sendable_preferred_variation_is_always_the_one_sent(user: RotationState) -> None:
    chosen = next_stretch(CATALOG, user)
    if chosen is None:
        return
    wanted = user.preferred.get(chosen.family)
    sendable = sendable_ids(CATALOG, user)
    if wanted in sendable and CATALOG.family_of(wanted).id == chosen.family:
        assert chosen.id == wanted
    elif CATALOG.family_of(chosen.id).default.id in sendable:
        assert chosen.is_base
