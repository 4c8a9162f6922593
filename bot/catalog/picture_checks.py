"""Picture checks: every stretch's picture must be a photo Telegram will take (sendPhoto)."""

from __future__ import annotations

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


def check_picture(
    root: Path, declared: str, relative: str, field: str = "picture"
) -> list[Problem]:
    path = resolve_picture(root, declared)
    if path is None:
        return [Problem(relative, field, f"{declared}: must be a path inside the pack")]
    if not path.is_file():
        return [Problem(relative, field, f"{declared}: missing picture")]
    size = path.stat().st_size
    if size > MAX_BYTES:
        return [
            Problem(
                relative,
                field,
                f"{declared}: picture too large ({size / 1_048_576:.1f} MB); "
                "Telegram takes at most 10 MB",
            )
        ]
    try:
        with Image.open(path) as image:
            image_format = image.format
            width, height = image.size
            # Decode every pixel: a truncated file opens fine and fails only when sent.
            image.load()
    except Exception as error:  # Pillow raises many types (OSError, SyntaxError, bombs...)
        return [Problem(relative, field, f"{declared}: unreadable picture ({error})")]
    problems: list[Problem] = []
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
