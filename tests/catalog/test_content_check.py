"""Each rule of `content check`, shown on the small valid pack broken in exactly one way.

Every test reads: take the valid pack, break one thing, and the report names the file and the
field to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.catalog import ContentError, Problem, check_pack, load_catalog
from tests.catalog.fixture_pack import edit, make_picture, stretch_file, write_yaml


def errors(pack: Path) -> list[Problem]:
    return [problem for problem in check_pack(pack) if problem.is_error]


def reported(pack: Path, file: str, field: str) -> Problem:
    """The one error reported for `file` / `field`; fails showing the whole report otherwise."""
    found = [p for p in errors(pack) if p.file == file and p.field == field]
    report = "\n".join(map(str, check_pack(pack)))
    assert len(found) == 1, f"expected one error at {file}: {field}, got:\n{report}"
    return found[0]


def test_the_valid_fixture_pack_has_no_problems(pack: Path) -> None:
    assert check_pack(pack) == []
    assert len(load_catalog(pack).stretches) == 5


# -- one file at a time ----------------------------------------------------------------------------


def test_a_yaml_syntax_error_names_the_file_and_line(pack: Path) -> None:
    stretch_file(pack, "lie").write_text("id: lie\ntitle: [unclosed\n", encoding="utf-8")

    problem = reported(pack, "stretches/lie.yaml", "(file)")

    assert "YAML syntax error at line" in problem.message


def test_a_duplicate_key_in_yaml_is_reported_not_silently_overwritten(pack: Path) -> None:
    path = stretch_file(pack, "lie")
    path.write_text(path.read_text(encoding="utf-8") + "title: Again\n", encoding="utf-8")

    assert "duplicate key 'title'" in reported(pack, "stretches/lie.yaml", "(file)").message


def test_an_empty_file_is_reported(pack: Path) -> None:
    stretch_file(pack, "lie").write_text("", encoding="utf-8")

    assert "empty" in reported(pack, "stretches/lie.yaml", "(file)").message


def test_a_missing_field_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.pop("title"))

    assert "required" in reported(pack, "stretches/lie.yaml", "title").message


def test_an_empty_field_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(body_area="   "))

    assert "empty" in reported(pack, "stretches/lie.yaml", "body_area").message


def test_empty_instructions_are_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(steps=[]))

    assert "empty instructions" in reported(pack, "stretches/lie.yaml", "steps").message


def test_a_blank_step_is_reported_with_its_position(pack: Path) -> None:
    edit(stretch_file(pack, "twist"), lambda d: d["steps"].append(""))

    reported(pack, "stretches/twist.yaml", "steps[2]")


def test_an_unknown_key_is_reported_as_a_likely_typo(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(contraindication=["sore-knees"]))

    problem = reported(pack, "stretches/lie.yaml", "contraindication")

    assert "did you mean 'contraindications'" in problem.message


def test_an_unknown_key_in_a_condition_suggests_the_condition_keys(pack: Path) -> None:
    edit(pack / "conditions.yaml", lambda d: d["conditions"][0].update(lable="Knees"))

    problem = reported(pack, "conditions.yaml", "conditions[0].lable")

    assert "did you mean 'label'" in problem.message


def test_an_invalid_sides_value_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(sides="middle"))

    reported(pack, "stretches/lie.yaml", "sides")


def test_an_order_that_is_not_a_whole_number_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(order="50"))

    reported(pack, "stretches/lie.yaml", "order")


def test_an_id_that_is_not_a_slug_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(id="Lie Still"))

    problems = [p for p in errors(pack) if p.file == "stretches/lie.yaml" and p.field == "id"]

    assert any("lowercase" in p.message for p in problems)


def test_a_missing_conditions_file_is_reported(pack: Path) -> None:
    (pack / "conditions.yaml").unlink()

    assert reported(pack, "conditions.yaml", "(file)").message == "missing file"


def test_a_missing_texts_file_is_reported(pack: Path) -> None:
    (pack / "texts.yaml").unlink()

    assert reported(pack, "texts.yaml", "(file)").message == "missing file"


def test_a_condition_label_too_long_for_a_button_is_reported(pack: Path) -> None:
    edit(pack / "conditions.yaml", lambda d: d["conditions"][0].update(label="K" * 31))

    assert "at most 30" in reported(pack, "conditions.yaml", "conditions[0].label").message


# -- ids and order -------------------------------------------------------------------------------


def test_a_duplicate_stretch_id_is_reported(pack: Path) -> None:
    twin = stretch_file(pack, "lie-again")
    twin.write_text(stretch_file(pack, "lie").read_text(encoding="utf-8"), encoding="utf-8")
    edit(twin, lambda d: d.update(order=60))

    problems = [p for p in errors(pack) if p.field == "id" and "duplicate id" in p.message]

    # The later one (in sheet order) is the duplicate; the report points at the first.
    assert [p.file for p in problems] == ["stretches/lie-again.yaml"]
    assert "stretches/lie.yaml" in problems[0].message


def test_an_id_must_match_its_file_name(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(id="lie-down"))

    assert "file name" in reported(pack, "stretches/lie.yaml", "id").message


def test_a_duplicate_condition_id_is_reported(pack: Path) -> None:
    def duplicate(data: dict[str, Any]) -> None:
        data["conditions"].append(dict(data["conditions"][0]))

    edit(pack / "conditions.yaml", duplicate)

    assert "duplicate id" in reported(pack, "conditions.yaml", "conditions[1].id").message


def test_two_stretches_in_the_same_place_of_the_sheet_are_reported(pack: Path) -> None:
    edit(stretch_file(pack, "twist"), lambda d: d.update(order=50))

    problem = reported(pack, "stretches/twist.yaml", "order")

    assert "stretches/lie.yaml" in problem.message


# -- conditions ----------------------------------------------------------------------------------


def test_an_unknown_condition_in_contraindications_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(contraindications=["bad-knees"]))

    problem = reported(pack, "stretches/lie.yaml", "contraindications[0]")

    assert "unknown condition 'bad-knees'" in problem.message


def test_a_condition_excluding_an_unknown_stretch_is_reported(pack: Path) -> None:
    edit(pack / "conditions.yaml", lambda d: d["conditions"][0]["excludes"].append("jump"))

    problem = reported(pack, "conditions.yaml", "conditions[0].excludes[2]")

    assert "unknown stretch 'jump'" in problem.message


def test_a_contraindication_the_condition_does_not_exclude_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(contraindications=["sore-knees"]))

    problem = reported(pack, "stretches/lie.yaml", "contraindications[0]")

    assert "must agree" in problem.message


def test_an_exclusion_the_stretch_does_not_list_is_reported(pack: Path) -> None:
    edit(pack / "conditions.yaml", lambda d: d["conditions"][0]["excludes"].append("lie"))

    problem = reported(pack, "conditions.yaml", "conditions[0].excludes[2]")

    assert "must agree" in problem.message


def test_a_variation_must_keep_its_base_contraindications(pack: Path) -> None:
    # The hard safety rule: dropping "sore-knees" from the gentle reach (on both sides, so the
    # two files agree) would still offer it to someone the base is not safe for.
    edit(stretch_file(pack, "reach-gentle"), lambda d: d.update(contraindications=[]))
    edit(pack / "conditions.yaml", lambda d: d["conditions"][0].update(excludes=["reach"]))

    problem = reported(pack, "stretches/reach-gentle.yaml", "contraindications")

    assert "sore-knees" in problem.message


# -- variation links -----------------------------------------------------------------------------


def test_a_broken_variation_link_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(easier="lie-flatter"))

    assert "unknown stretch" in reported(pack, "stretches/lie.yaml", "easier").message


def test_a_one_way_variation_link_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "reach-gentle"), lambda d: d.pop("stronger"))

    problem = reported(pack, "stretches/reach.yaml", "easier")

    assert "one-way link" in problem.message
    assert "stronger: reach" in problem.message


def test_a_link_to_itself_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(stronger="lie"))

    assert "itself" in reported(pack, "stretches/lie.yaml", "stronger").message


def test_a_cycle_of_easier_links_is_reported(pack: Path) -> None:
    # reach -> reach-gentle -> lie -> reach, each linked both ways: every link is two-way, but
    # "easier" would go round for ever.
    edit(stretch_file(pack, "reach-gentle"), lambda d: d.update(easier="lie"))
    edit(
        stretch_file(pack, "lie"),
        lambda d: d.update(
            stronger="reach-gentle",
            easier="reach",
            role="variation",
            contraindications=["sore-knees"],
        ),
    )
    edit(stretch_file(pack, "reach"), lambda d: d.update(stronger="lie"))
    edit(pack / "conditions.yaml", lambda d: d["conditions"][0]["excludes"].append("lie"))

    problem = reported(pack, "stretches/lie.yaml", "easier")

    assert problem.message == "cycle: lie -> reach -> reach-gentle -> lie"
    assert "cycle" in reported(pack, "stretches/lie.yaml", "stronger").message


def test_a_side_variant_must_point_back_to_its_base(pack: Path) -> None:
    edit(stretch_file(pack, "twist-left"), lambda d: d.pop("side_variant_of"))

    problem = reported(pack, "stretches/twist.yaml", "side_variants.left")

    assert "side_variant_of: twist" in problem.message


def test_a_side_variant_must_stretch_the_side_it_is_filed_under(pack: Path) -> None:
    edit(stretch_file(pack, "twist-left"), lambda d: d.update(sides="right"))

    assert "expected 'left'" in reported(pack, "stretches/twist.yaml", "side_variants.left").message


def test_a_family_without_a_base_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "twist"), lambda d: d.update(role="variation"))

    assert "no base stretch" in reported(pack, "stretches/twist.yaml", "role").message


def test_a_family_with_two_bases_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "reach-gentle"), lambda d: d.update(role="base"))

    assert "more than one base" in reported(pack, "stretches/reach-gentle.yaml", "role").message


def test_a_variation_linked_to_nothing_is_a_family_without_a_base(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(role="variation"))

    reported(pack, "stretches/lie.yaml", "role")


# -- pictures ------------------------------------------------------------------------------------


def test_a_missing_picture_is_reported(pack: Path) -> None:
    (pack / "images" / "lie.png").unlink()

    problem = reported(pack, "stretches/lie.yaml", "picture")

    assert problem.message == "images/lie.png: missing picture"


def test_an_unreadable_picture_is_reported(pack: Path) -> None:
    (pack / "images" / "lie.png").write_bytes(b"not a picture at all")

    assert "unreadable" in reported(pack, "stretches/lie.yaml", "picture").message


def test_a_truncated_picture_is_reported(pack: Path) -> None:
    picture = pack / "images" / "lie.png"
    make_picture(picture, size=(800, 600))
    picture.write_bytes(picture.read_bytes()[:-200])

    assert "unreadable" in reported(pack, "stretches/lie.yaml", "picture").message


def test_a_picture_in_another_format_is_reported(pack: Path) -> None:
    make_picture(pack / "images" / "lie.gif", kind="GIF")
    edit(stretch_file(pack, "lie"), lambda d: d.update(picture="images/lie.gif"))

    assert "use PNG or JPEG" in reported(pack, "stretches/lie.yaml", "picture").message


def test_a_clinic_can_swap_in_its_own_jpeg_photo(pack: Path) -> None:
    make_picture(pack / "photos" / "lie.jpg", size=(1280, 960), kind="JPEG")
    edit(stretch_file(pack, "lie"), lambda d: d.update(picture="photos/lie.jpg"))

    catalog = load_catalog(pack)

    assert catalog.get("lie").picture == (pack / "photos" / "lie.jpg").resolve()


def test_a_picture_over_telegrams_10_mb_is_reported(pack: Path) -> None:
    picture = pack / "images" / "lie.png"
    with picture.open("r+b") as file:  # a sparse file: large, yet instant to make
        file.truncate(10 * 1024 * 1024 + 1)

    assert "too large" in reported(pack, "stretches/lie.yaml", "picture").message


def test_a_narrow_picture_is_only_a_warning(pack: Path) -> None:
    make_picture(pack / "images" / "lie.png", size=(200, 150))

    problems = check_pack(pack)

    assert [(p.file, p.field, p.severity) for p in problems] == [
        ("stretches/lie.yaml", "picture", "warning")
    ]
    assert "at least 320 px" in problems[0].message
    load_catalog(pack)  # a warning doesn't stop the bot


def test_a_picture_outside_the_pack_is_reported(pack: Path) -> None:
    make_picture(pack.parent / "elsewhere.png")
    edit(stretch_file(pack, "lie"), lambda d: d.update(picture="../elsewhere.png"))

    assert "inside the pack" in reported(pack, "stretches/lie.yaml", "picture").message


# -- the whole report ----------------------------------------------------------------------------


def test_every_problem_is_reported_not_just_the_first(pack: Path) -> None:
    stretch_file(pack, "lie").write_text("id: [", encoding="utf-8")
    edit(stretch_file(pack, "reach"), lambda d: d.update(easier="nowhere"))
    (pack / "images" / "twist.png").unlink()
    edit(pack / "conditions.yaml", lambda d: d["conditions"][0].update(question=""))

    found = {(p.file, p.field) for p in errors(pack)}

    assert {
        ("stretches/lie.yaml", "(file)"),
        ("stretches/reach.yaml", "easier"),
        ("stretches/twist.yaml", "picture"),
        ("conditions.yaml", "conditions[0].question"),
    } <= found


def test_loading_an_invalid_pack_raises_with_every_problem(pack: Path) -> None:
    (pack / "images" / "twist.png").unlink()
    edit(stretch_file(pack, "lie"), lambda d: d.update(easier="nowhere"))

    with pytest.raises(ContentError) as raised:
        load_catalog(pack)

    assert {(p.file, p.field) for p in raised.value.problems} == {
        ("stretches/lie.yaml", "easier"),
        ("stretches/twist.yaml", "picture"),
    }
    assert "stretches/lie.yaml: easier: unknown stretch 'nowhere'" in str(raised.value)


def test_a_directory_that_is_not_a_pack_is_reported(tmp_path: Path) -> None:
    problems = check_pack(tmp_path / "nowhere")

    assert len(problems) == 1
    assert "not a directory" in problems[0].message


def test_an_empty_directory_reports_each_missing_part(tmp_path: Path) -> None:
    found = {(p.file, p.field) for p in check_pack(tmp_path)}

    assert found == {
        ("stretches", "(file)"),
        ("conditions.yaml", "(file)"),
        ("texts.yaml", "(file)"),
    }


def test_texts_must_say_whose_words_they_are(pack: Path) -> None:
    def unmarked(data: dict[str, Any]) -> None:
        data["safety"][0].pop("source")

    edit(pack / "texts.yaml", unmarked)

    reported(pack, "texts.yaml", "safety[0].source")


def test_a_file_that_is_not_a_mapping_is_reported(pack: Path) -> None:
    write_yaml(stretch_file(pack, "lie"), ["a", "list"])

    assert "expected a mapping" in reported(pack, "stretches/lie.yaml", "(file)").message


def test_a_file_that_does_not_parse_is_reported_once_not_again_by_every_link_to_it(
    pack: Path,
) -> None:
    # reach-gentle links to reach and sore-knees excludes it; neither should read "unknown".
    edit(stretch_file(pack, "reach"), lambda d: d.update(sides="middle"))

    assert [(p.file, p.field) for p in errors(pack)] == [("stretches/reach.yaml", "sides")]


# -- optional fields: side paragraph, borrowed words, animation -----------------------------------


def test_a_pack_without_the_optional_fields_loads_as_before(pack: Path) -> None:
    catalog = load_catalog(pack)

    for stretch in catalog.stretches:
        assert stretch.side_paragraph is None
        assert stretch.from_base is None
        assert stretch.animation is None


def test_a_variation_borrows_its_bases_start_hold_and_repeat_word_for_word(pack: Path) -> None:
    borrowed = {"start": ["Kneel on the floor"], "hold": "Hold for a count of 5."}
    edit(stretch_file(pack, "reach-gentle"), lambda d: d.update(from_base=borrowed))

    stretch = load_catalog(pack).get("reach-gentle")

    assert stretch.from_base is not None
    assert stretch.from_base.start == ("Kneel on the floor",)
    assert stretch.from_base.hold == "Hold for a count of 5."


def test_borrowed_words_that_are_not_the_bases_are_reported(pack: Path) -> None:
    borrowed = {"start": ["Kneel on a chair"], "repeat": "Repeat ten times."}
    edit(stretch_file(pack, "reach-gentle"), lambda d: d.update(from_base=borrowed))

    start = reported(pack, "stretches/reach-gentle.yaml", "from_base.start[0]")
    repeat = reported(pack, "stretches/reach-gentle.yaml", "from_base.repeat")

    assert "is not in reach's steps" in start.message
    assert "is not reach's repeat" in repeat.message


def test_a_base_cannot_borrow_words(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(from_base={"hold": "Hold."}))

    assert "only a variation" in reported(pack, "stretches/lie.yaml", "from_base").message


def test_an_unknown_key_under_from_base_is_reported(pack: Path) -> None:
    edit(stretch_file(pack, "reach-gentle"), lambda d: d.update(from_base={"finish": ["x"]}))

    problem = reported(pack, "stretches/reach-gentle.yaml", "from_base.finish")

    assert "unknown key" in problem.message


def test_a_side_paragraph_shows_on_the_card_and_without_side_variants_is_a_warning(
    pack: Path,
) -> None:
    text = "To stretch the left side more, let the knees fall to the right."
    edit(stretch_file(pack, "twist"), lambda d: d.update(side_paragraph=text))
    edit(stretch_file(pack, "lie"), lambda d: d.update(side_paragraph=text))

    assert load_catalog(pack).get("twist").side_paragraph == text
    [warning] = [p for p in check_pack(pack) if not p.is_error]
    assert (warning.file, warning.field) == ("stretches/lie.yaml", "side_paragraph")


# The start of an MP4 file, and where a handler box names a track's kind ("soun": audio).
MP4_HEAD = b"\0\0\0\x18ftypisom" + b"\0" * 40


def make_gif(path: Path, frames: int = 3) -> Path:
    images = [Image.new("RGB", (320, 200), (40 * i, 120, 200)) for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=200, loop=0)
    return path


def test_an_animation_is_checked_like_a_picture(pack: Path) -> None:
    make_gif(pack / "images" / "lie.gif")
    edit(stretch_file(pack, "lie"), lambda d: d.update(animation="images/lie.gif"))

    assert check_pack(pack) == []
    assert load_catalog(pack).get("lie").animation == (pack / "images" / "lie.gif").resolve()


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (None, "missing animation"),
        (lambda p: p.write_bytes(b"GIF89a broken"), "unreadable animation"),
        (lambda p: p.write_bytes(make_gif(p).read_bytes()[:-40]), "unreadable animation"),
        (lambda p: make_picture(p, kind="PNG"), "use a GIF or an MP4"),
        (lambda p: make_gif(p, frames=1), "one frame is not an animation"),
        (
            lambda p: p.write_bytes(
                b"\0\0\0\x18ftypisom" + b"\0" * 40 + b"hdlr\0\0\0\0\0\0\0\0soun"
            ),
            "has a sound track",
        ),
    ],
    ids=["missing", "junk", "cut-short", "png", "one-frame", "mp4-with-sound"],
)
def test_a_bad_animation_is_reported(pack: Path, write: Any, message: str) -> None:
    path = pack / "images" / "lie.gif"
    if write is not None:
        write(path)
    edit(stretch_file(pack, "lie"), lambda d: d.update(animation="images/lie.gif"))

    assert message in reported(pack, "stretches/lie.yaml", "animation").message


def test_an_animation_outside_the_pack_is_refused(pack: Path) -> None:
    edit(stretch_file(pack, "lie"), lambda d: d.update(animation="../elsewhere.gif"))

    assert "inside the pack" in reported(pack, "stretches/lie.yaml", "animation").message
