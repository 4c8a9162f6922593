"""`stretchbot content check | list`, as an operator sees them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.catalog import ContentError, Problem, format_problems
from bot.content_commands import content_check, content_list, load_checked
from tests.catalog.conftest import CONTENT
from tests.catalog.fixture_pack import edit, stretch_file


def run_check(pack: Path) -> tuple[int, str]:
    out = io.StringIO()
    return content_check(pack, out), out.getvalue()


def test_check_says_ok_with_the_counts_for_a_valid_pack(pack: Path) -> None:
    assert run_check(pack) == (0, "OK: 5 stretches, 1 condition\n")


def test_check_prints_every_problem_as_file_field_message_and_fails(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(easier="nowhere", steps=[]))
    (pack / "images" / "twist.png").unlink()

    code, output = run_check(pack)

    assert code == 1
    assert output.splitlines() == [
        "stretches/lie.yaml: steps: empty instructions: at least one step is needed",
        "stretches/twist.yaml: picture: images/twist.png: missing picture",
        "FAILED: 2 problems in " + str(pack),
    ]


def test_check_passes_with_warnings_and_shows_them(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(steps=["Lie on your back. " * 70]))

    code, output = run_check(pack)

    assert code == 0
    assert "stretches/lie.yaml: steps: the card is" in output
    assert "(warning)" in output
    assert output.endswith("OK: 5 stretches, 1 condition, 1 warning\n")


def test_a_card_too_long_even_for_a_message_of_its_own_is_a_caption_overflow(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(steps=["Lie on your back. " * 250]))

    code, output = run_check(pack)

    assert code == 1
    assert "stretches/lie.yaml: steps: caption overflow" in output


def test_a_card_that_only_needs_splitting_is_not_an_error(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(steps=["Lie on your back. " * 70]))

    catalog = load_checked(pack)  # what `stretchbot run` does

    assert catalog.get("lie").steps[0].startswith("Lie on your back.")


def test_run_refuses_an_invalid_pack_with_the_same_report(pack: Path) -> None:
    (pack / "images" / "lie.png").unlink()

    with pytest.raises(ContentError) as raised:
        load_checked(pack)

    assert format_problems(raised.value.problems) == (
        "stretches/lie.yaml: picture: images/lie.png: missing picture"
    )


def test_format_problems_lists_errors_first_then_warnings() -> None:
    problems = [
        Problem("b.yaml", "picture", "narrow", severity="warning"),
        Problem("z.yaml", "title", "missing"),
        Problem("a.yaml", "steps", "empty"),
    ]

    assert format_problems(problems).splitlines() == [
        "a.yaml: steps: empty",
        "z.yaml: title: missing",
        "b.yaml: picture: narrow (warning)",
    ]


def test_list_shows_each_family_with_its_variations_indented(pack: Path) -> None:
    out = io.StringIO()

    assert content_list(pack, out, as_json=False) == 0

    lines = out.getvalue().splitlines()
    assert [line.split("  |  ")[0] for line in lines[:5]] == [
        "reach",
        "  reach-gentle",
        "twist",
        "  twist-left",
        "lie",
    ]
    assert lines[0] == (
        "reach  |  Reach  |  easier: reach-gentle  |  not for: sore-knees  |  images/reach.png"
    )
    assert lines[5] == "condition sore-knees: Sore knees (excludes reach, reach-gentle)"


def test_list_as_json_has_ids_titles_variations_contraindications_and_pictures(
    pack: Path,
) -> None:
    out = io.StringIO()

    assert content_list(pack, out, as_json=True) == 0

    listing = json.loads(out.getvalue())
    reach = listing["stretches"][0]
    assert reach == {
        "id": "reach",
        "title": "Reach",
        "order": 10,
        "role": "base",
        "family": "reach",
        "easier": "reach-gentle",
        "stronger": None,
        "side_variants": {},
        "side_variant_of": None,
        "contraindications": ["sore-knees"],
        "picture": "images/reach.png",
        "animation": None,
    }
    assert listing["rotation"] == ["reach", "twist", "lie"]
    assert listing["problems"] == []


def test_list_names_a_stretchs_animation_when_it_has_one() -> None:
    out = io.StringIO()

    assert content_list(CONTENT, out, as_json=False) == 0

    first = out.getvalue().splitlines()[0]
    assert first.endswith("images/table-stretch.png  |  images/table-stretch.gif")


def test_list_still_works_while_pictures_are_missing(pack: Path) -> None:
    (pack / "images" / "lie.png").unlink()
    out = io.StringIO()

    assert content_list(pack, out, as_json=False) == 0
    assert out.getvalue().splitlines()[-1] == "(1 problem: run `stretchbot content check`)"


def test_list_fails_when_the_pack_cannot_be_read(pack: Path) -> None:
    stretch_file(pack, "lie").write_text("id: [", encoding="utf-8")
    out = io.StringIO()

    assert content_list(pack, out, as_json=True) == 1
    assert out.getvalue().startswith("stretches/lie.yaml: (file): YAML syntax error")


def test_list_of_the_real_pack_names_all_fourteen_stretches() -> None:
    out = io.StringIO()

    content_list(CONTENT, out, as_json=True)

    assert len(json.loads(out.getvalue())["stretches"]) == 14
