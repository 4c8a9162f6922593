"""A practitioner's invite link as a printable QR code (segno, imported only when drawn)."""

from __future__ import annotations

import io


def invite_qr_png(link: str) -> bytes:
    """A QR code PNG of `link`: error correction M (survives a smudged print), 10 px modules
    with the standard 4-module quiet zone, ~450 px square: sharp on paper and on a phone."""
    import segno

    code = segno.make(link, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=10, border=4, dark="#1b4f4c", light="#ffffff")
    return buffer.getvalue()
