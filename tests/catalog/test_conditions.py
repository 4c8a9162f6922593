"""Who may be sent what: the conditions asked at onboarding and what each rules out."""

from __future__ import annotations

from bot.catalog import Catalog

DISC = frozenset({"disc-problems"})
HIPS = frozenset({"restricted-hips"})


def allowed_ids(catalog: Catalog, conditions: frozenset[str]) -> set[str]:
    return {m.id for family in catalog.allowed_for(conditions) for m in family.members}


def test_given_a_user_with_disc_problems_knee_hugs_and_pelvic_tilt_are_never_allowed(
    real_catalog: Catalog,
) -> None:
    allowed = allowed_ids(real_catalog, DISC)

    assert not {"pelvic-tilt", "knee-hugs", "knee-hug-one-knee"} & allowed
    for stretch_id in ("pelvic-tilt", "knee-hugs", "knee-hug-one-knee"):
        assert not real_catalog.is_allowed(stretch_id, DISC)


def test_given_disc_problems_the_easier_knee_hug_is_not_offered_either(
    real_catalog: Catalog,
) -> None:
    # Asking for "easier" must never lead someone with disc problems to a knee hug.
    assert real_catalog.easier_of("knee-hugs", DISC) is None


def test_given_disc_problems_the_rotation_skips_those_families_and_keeps_the_rest(
    real_catalog: Catalog,
) -> None:
    assert [family.id for family in real_catalog.allowed_for(DISC)] == [
        "table-stretch",
        "gluteal-stretch",
        "gluteal-stretch-2",
        "rotation-stretch",
        "quadriceps-stretch",
        "psoas-stretch",
        "hamstring-stretch-floor",
    ]


def test_given_very_restricted_hips_the_second_gluteal_stretch_is_never_allowed(
    real_catalog: Catalog,
) -> None:
    families = [f.id for f in real_catalog.allowed_for(HIPS)]

    assert "gluteal-stretch-2" not in families
    assert not real_catalog.is_allowed("gluteal-stretch-2", HIPS)


def test_given_very_restricted_hips_the_first_gluteal_stretch_is_done_instead(
    real_catalog: Catalog,
) -> None:
    # The sheet: "...in which case they should do the one above."
    assert real_catalog.is_allowed("gluteal-stretch", HIPS)
    assert "gluteal-stretch" in [f.id for f in real_catalog.allowed_for(HIPS)]


def test_given_both_conditions_both_rules_apply(real_catalog: Catalog) -> None:
    allowed = allowed_ids(real_catalog, DISC | HIPS)

    assert not {"pelvic-tilt", "knee-hugs", "knee-hug-one-knee", "gluteal-stretch-2"} & allowed
    assert len(allowed) == 14 - 4


def test_given_no_conditions_every_stretch_is_allowed(real_catalog: Catalog) -> None:
    assert allowed_ids(real_catalog, frozenset()) == {s.id for s in real_catalog.stretches}


def test_a_condition_the_pack_no_longer_has_is_ignored_not_fatal(real_catalog: Catalog) -> None:
    # A user's stored condition may outlive a clinic's edit of conditions.yaml.
    assert allowed_ids(real_catalog, frozenset({"retired-condition"})) == {
        s.id for s in real_catalog.stretches
    }


def test_each_stretch_and_condition_agree_on_what_is_excluded(real_catalog: Catalog) -> None:
    for condition in real_catalog.conditions:
        listed_on_stretches = {
            s.id for s in real_catalog.stretches if condition.id in s.contraindications
        }
        assert condition.excludes == listed_on_stretches


def test_conditions_are_asked_in_plain_language_with_short_button_labels(
    real_catalog: Catalog,
) -> None:
    assert [c.id for c in real_catalog.conditions] == ["disc-problems", "restricted-hips"]
    for condition in real_catalog.conditions:
        assert len(condition.label) <= 30
        assert condition.question.endswith("?")
