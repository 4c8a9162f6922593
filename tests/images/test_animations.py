"""Every stretch moves: a short looping GIF drawn by content/images/draw.py from the same
drawing as its still (start position -> stretch -> hold), light enough for mobile data."""

from __future__ import annotations

from types import ModuleType

import pytest
from PIL import Image, ImageChops, ImageSequence, ImageStat

from bot.catalog import Catalog
from tests.images.test_pictures_up_to_date import EXPECTED_IDS, IMAGES, draw

__all__ = ["draw"]

# "A few hundred KB at most": a card's media is fetched on a phone, often on mobile data.
MAX_BYTES = 400_000
MIN_SECONDS, MAX_SECONDS = 2.0, 4.5
# Mean difference per channel (0-255) between a frame and what draw.py draws now: the palette
# rounds colours a little; a pose or framing change lands far above.
TOLERANCE = 3.0
LABEL_BAND_SHARE = 92 / 800  # the strip with the stretch's name, at the bottom of the still


def frames_of(stretch_id: str) -> list[tuple[Image.Image, int]]:
    with Image.open(IMAGES / f"{stretch_id}.gif") as gif:
        assert gif.format == "GIF"
        return [
            (frame.convert("RGB"), int(frame.info.get("duration", 0)))
            for frame in ImageSequence.Iterator(gif)
        ]


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def test_every_stretch_of_the_pack_names_its_animation(real_catalog: Catalog) -> None:
    for stretch in real_catalog.stretches:
        assert stretch.animation == (IMAGES / f"{stretch.id}.gif").resolve()


@pytest.mark.parametrize("stretch_id", EXPECTED_IDS)
def test_the_animation_is_short_light_and_loops(stretch_id: str) -> None:
    path = IMAGES / f"{stretch_id}.gif"
    frames = frames_of(stretch_id)
    seconds = sum(ms for _, ms in frames) / 1000

    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    assert len(frames) > 10
    assert MIN_SECONDS <= seconds <= MAX_SECONDS
    with Image.open(path) as gif:
        assert gif.info.get("loop") == 0  # for ever


def arrow_pixels(image: Image.Image) -> set[tuple[int, int]]:
    """Where the movement arrows are: drawn in the same place in every frame and in the still,
    so they show whether the animation is framed like the still."""
    raw, width = image.tobytes(), image.width
    return {
        (index % width, index // width)
        for index in range(width * image.height)
        if abs(raw[3 * index] - 232) < 30
        and abs(raw[3 * index + 1] - 119) < 30
        and abs(raw[3 * index + 2] - 46) < 30
    }


@pytest.mark.parametrize("stretch_id", EXPECTED_IDS)
def test_the_first_frame_is_framed_like_the_still(stretch_id: str) -> None:
    first, _ = frames_of(stretch_id)[0]
    with Image.open(IMAGES / f"{stretch_id}.png") as png:
        still = png.convert("RGB").resize(first.size, Image.Resampling.LANCZOS)
    band_top = round(first.height * (1 - LABEL_BAND_SHARE))
    in_frame, in_still = arrow_pixels(first), arrow_pixels(still)

    # Same shape, arrows in the same place: only the pose moves.
    assert first.width * 2 == first.height * 3
    # The name band starts where the still's does (white, under the drawing's background).
    for image in (first, still):
        below, above = (
            image.crop((4, band_top + 6, 5, band_top + 7)).tobytes(),
            image.crop((4, band_top - 6, 5, band_top - 5)).tobytes(),
        )
        assert min(below) >= 248
        assert min(above) < 240
    assert in_still
    assert len(in_frame & in_still) / len(in_frame | in_still) > 0.7


@pytest.mark.parametrize("stretch_id", EXPECTED_IDS)
def test_the_start_and_the_hold_match_what_draw_py_draws(draw: ModuleType, stretch_id: str) -> None:
    frames = frames_of(stretch_id)
    hold = max(frames, key=lambda frame: frame[1])[0]

    assert mean_difference(frames[0][0], draw.animation_frame(stretch_id, 0.0)) < TOLERANCE, (
        "out of date: run python content/images/draw.py"
    )
    assert mean_difference(hold, draw.animation_frame(stretch_id, 1.0)) < TOLERANCE, (
        "out of date: run python content/images/draw.py"
    )
