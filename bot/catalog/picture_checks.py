"""Picture and animation checks: what Telegram will take with sendPhoto and sendAnimation."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from bot.catalog.problems import Problem

# Telegram's sendPhoto limits: at most 10 MB, width + height at most 10000, ratio at most 20.
MAX_BYTES = 10 * 1024 * 1024
MAX_WIDTH_PLUS_HEIGHT = 10_000
MAX_ASPECT_RATIO = 20
# Narrower pictures are accepted but look poor in a chat: a warning, not an error.
MIN_WIDTH = 320
FORMATS = frozenset({"PNG", "JPEG"})


def resolve_picture(root: Path, declared: str) -> Path | None:
    """The picture's absolute path, or None if it would point outside the pack: a pack is a
    self-contained directory that a clinic can copy around."""
    candidate = Path(declared)
    if candidate.is_absolute():
        return None
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return None
    return resolved


def _media_file(
    root: Path, declared: str, relative: str, field: str, kind: str, max_bytes: int
) -> tuple[Path | None, list[Problem]]:
    """The file a stretch names, or the problem: outside the pack, missing, over Telegram's size."""
    path = resolve_picture(root, declared)
    if path is None:
        return None, [Problem(relative, field, f"{declared}: must be a path inside the pack")]
    if not path.is_file():
        return None, [Problem(relative, field, f"{declared}: missing {kind}")]
    size = path.stat().st_size
    if size > max_bytes:
        return None, [
            Problem(
                relative,
                field,
                f"{declared}: {kind} too large ({size / 1_048_576:.1f} MB); "
                f"Telegram takes at most {max_bytes // 1_048_576} MB",
            )
        ]
    return path, []


def check_picture(
    root: Path, declared: str, relative: str, field: str = "picture"
) -> list[Problem]:
    path, problems = _media_file(root, declared, relative, field, "picture", MAX_BYTES)
    if path is None:
        return problems
    try:
        with Image.open(path) as image:
            image_format = image.format
            width, height = image.size
            # Decode every pixel: a truncated file opens fine and fails only when sent.
            image.load()
    except Exception as error:  # Pillow raises many types (OSError, SyntaxError, bombs...)
        return [Problem(relative, field, f"{declared}: unreadable picture ({error})")]
    if image_format not in FORMATS:
        problems.append(
            Problem(relative, field, f"{declared}: a {image_format} picture; use PNG or JPEG")
        )
    if width + height > MAX_WIDTH_PLUS_HEIGHT:
        problems.append(
            Problem(
                relative,
                field,
                f"{declared}: {width}x{height} px; Telegram takes width + height <= 10000",
            )
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        problems.append(
            Problem(relative, field, f"{declared}: {width}x{height} px is too long and thin")
        )
    if width < MIN_WIDTH:
        problems.append(
            Problem(
                relative,
                field,
                f"{declared}: only {width} px wide; use at least {MIN_WIDTH} px",
                severity="warning",
            )
        )
    return problems


# Telegram's sendAnimation: a GIF or an H.264/MPEG-4 video without sound, at most 50 MB.
MAX_ANIMATION_BYTES = 50 * 1024 * 1024
# A card's animation is fetched on a phone, often on mobile data: past this, warn.
LIGHT_ANIMATION_BYTES = 1024 * 1024
_MP4_SOUND_TRACK = re.compile(rb"hdlr.{8}soun", re.DOTALL)


def check_animation(
    root: Path, declared: str, relative: str, field: str = "animation"
) -> list[Problem]:
    """A stretch's optional animation: inside the pack, a GIF or a silent MP4 Telegram takes."""
    path, problems = _media_file(root, declared, relative, field, "animation", MAX_ANIMATION_BYTES)
    if path is None:
        return problems
    size = path.stat().st_size
    head = path.read_bytes()
    if head[4:8] == b"ftyp":
        if _MP4_SOUND_TRACK.search(head):
            problems.append(
                Problem(relative, field, f"{declared}: the video has a sound track; remove it")
            )
    else:
        try:
            with Image.open(path) as image:
                image_format = image.format
                # Counting frames walks every frame's header without decoding it: cheap at
                # start-up, and a GIF cut short in a frame's header fails here.
                frames = getattr(image, "n_frames", 1)
        except Exception as error:  # Pillow raises many types
            return [Problem(relative, field, f"{declared}: unreadable animation ({error})")]
        if image_format == "GIF" and not head.rstrip(b"\0").endswith(b";"):
            # Every GIF ends with its trailer byte: without it, the file was cut short.
            return [Problem(relative, field, f"{declared}: unreadable animation (cut short)")]
        if image_format != "GIF":
            return [
                Problem(relative, field, f"{declared}: a {image_format} file; use a GIF or an MP4")
            ]
        if frames < 2:
            problems.append(
                Problem(relative, field, f"{declared}: a GIF with one frame is not an animation")
            )
    if size > LIGHT_ANIMATION_BYTES:
        problems.append(
            Problem(
                relative,
                field,
                f"{declared}: {size / 1024:.0f} KB; keep an animation under "
                f"{LIGHT_ANIMATION_BYTES // 1024} KB for patients on mobile data",
                severity="warning",
            )
        )
    return problems
