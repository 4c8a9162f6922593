"""Real (tiny) images: the emulator refuses photo uploads that are not images, like Telegram."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(width: int = 400, height: int = 300, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, fmt)
    return buffer.getvalue()
