"""The stretch pictures in content/images/ must match the code that draws them.

``content/images/draw.py`` is the source of every picture.  If someone edits a pose (or the
style) without regenerating, or edits a PNG by hand, these tests fail and say how to fix it:
``python content/images/draw.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.catalog.test_real_pack import SHEET_ORDER

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "content" / "images"
DRAW = IMAGES / "draw.py"

# One picture per stretch and variation on the clinic's sheet.
EXPECTED_IDS = SHEET_ORDER
MIN_WIDTH = 800
MAX_BYTES = 1_000_000
# Mean absolute difference per channel (0-255).  Rendering is deterministic, but another
# Pillow or FreeType version may resample or rasterise text a hair differently; a real change
# to a pose moves whole limbs and lands far above this.
TOLERANCE = 1.0


def _load_draw() -> ModuleType:
    # content/ is a data directory, not a package: load the module from its path.
    spec = importlib.util.spec_from_file_location("stretchbot_content_draw", DRAW)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building classes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def draw() -> ModuleType:
    return _load_draw()


def test_every_stretch_has_a_scene(draw: ModuleType) -> None:
    assert sorted(draw.SCENES) == sorted(EXPECTED_IDS)


@pytest.mark.parametrize("image_id", EXPECTED_IDS)
def test_png_exists_and_fits_telegram(image_id: str) -> None:
    path = IMAGES / f"{image_id}.png"
    assert path.is_file(), f"missing {path}; run: python content/images/draw.py"
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.width >= MIN_WIDTH, f"{path.name} is only {im.width} px wide"


@pytest.mark.parametrize("image_id", EXPECTED_IDS)
def test_png_matches_its_source(draw: ModuleType, image_id: str) -> None:
    path = IMAGES / f"{image_id}.png"
    expected = draw.render(draw.SCENES[image_id]()).convert("RGB")
    with Image.open(path) as im:
        committed = im.convert("RGB")
    assert committed.size == expected.size, (
        f"{path.name} is {committed.size}, the source draws {expected.size}; "
        "run: python content/images/draw.py"
    )
    diff = ImageStat.Stat(ImageChops.difference(committed, expected)).mean
    assert max(diff) < TOLERANCE, (
        f"{path.name} is out of date with content/images/draw.py "
        f"(mean difference per channel {[round(d, 2) for d in diff]}); "
        "run: python content/images/draw.py"
    )
