"""The practitioner's calendar: the weeks before a patient's first reminder are not shown as
days without stretches (they would read as weeks of missed days)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from bot.views import clinic_charts
from bot.views.chart_palette import EMPTY

TODAY = date(2026, 12, 2)  # a Wednesday
FIRST_MONDAY = TODAY - timedelta(days=TODAY.weekday(), weeks=7)
GRID = {FIRST_MONDAY + timedelta(days=n): 0 for n in range(56)}


def empty_day_pixels(png: bytes) -> int:
    """Pixels in the colour of a day without a Done."""
    rgb = tuple(int(EMPTY[i : i + 2], 16) for i in (1, 3, 5))
    with Image.open(io.BytesIO(png)) as image:
        counts = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return next((count for count, colour in counts if colour == rgb), 0)


def calendar(first_day: date | None) -> bytes:
    return clinic_charts.chart_png("calendar", GRID, TODAY, [], "UTC", (5.2, 2.6), first_day)


def test_days_before_the_first_reminder_are_blank_not_missed() -> None:
    whole = empty_day_pixels(calendar(None))  # 53 days up to today, all "no Done"
    joined_last_week = empty_day_pixels(calendar(TODAY - timedelta(days=9)))  # 10 days
    assert whole > 0
    assert 0 < joined_last_week < whole * 0.3
