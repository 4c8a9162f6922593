"""Charts of a patient's record for the practitioner's card and the visit report (matplotlib,
imported only when a chart is drawn, never at start-up)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING

from bot.domain.pain import PainPoint
from bot.domain.zones import get_zone
from bot.views.chart_palette import BACKGROUND, INK, PAIN_LINE, SHADES

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def pyplot() -> ModuleType:
    """matplotlib's pyplot, headless (Agg). Imported on the first chart, never at start-up:
    ~0.6 s of CPU and ~40 MB, and most processes never draw one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def calendar_values(
    grid: Mapping[date, int], today: date, first_day: date | None = None
) -> tuple[date, list[list[float]]]:
    """The grid's first day, and its counts as rows Monday..Sunday by week columns; NaN (drawn
    blank) for days to come and days before `first_day`."""
    first = min(grid)
    values = [[0.0] * (len(grid) // 7) for _ in range(7)]
    for day, count in grid.items():
        in_programme = day <= today and (first_day is None or day >= first_day)
        values[day.weekday()][(day - first).days // 7] = (
            float(count) if in_programme else float("nan")
        )
    return first, values


def draw_calendar(
    axes: Axes, grid: Mapping[date, int], today: date, first_day: date | None = None
) -> None:
    """Weeks as columns, Monday..Sunday as rows; the number of Dones in each day. Days before
    `first_day` (the patient's first reminder) are left blank like days to come: not a day
    without stretches, a day before the programme."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    first, values = calendar_values(grid, today, first_day)
    weeks = len(values[0])
    colours = ListedColormap(SHADES).with_extremes(bad=BACKGROUND)
    axes.imshow(values, cmap=colours, norm=BoundaryNorm([0, 1, 2, 3, 4, 100], colours.N))
    axes.set_xticks([x - 0.5 for x in range(1, weeks)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, 7)], minor=True)
    axes.grid(which="minor", color=BACKGROUND, linewidth=3)
    axes.tick_params(which="both", length=0, labelsize=8, colors=INK)
    axes.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    # Week starts as "5\nOct": two short lines never run into each other.
    starts = [first + timedelta(weeks=w) for w in range(weeks)]
    axes.set_xticks(range(weeks), [f"{start.day}\n{start:%b}" for start in starts])
    for spine in axes.spines.values():
        spine.set_visible(False)
    for row in range(7):
        for column in range(weeks):
            shown = values[row][column]
            if shown == shown and shown > 0:
                axes.text(column, row, str(int(shown)), ha="center", va="center", fontsize=7,
                          color="white" if shown >= 2 else INK)  # fmt: skip


def draw_pain(axes: Axes, points: Sequence[PainPoint], zone: str) -> None:
    """Weekly pain scores (0-10) as a line over time; a note when there are none."""
    axes.set_facecolor(BACKGROUND)
    axes.set_ylim(-0.5, 10.5)
    axes.set_yticks([0, 2, 4, 6, 8, 10])
    axes.tick_params(labelsize=8, colors=INK)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if not points:
        axes.set_xticks([])
        axes.text(0.5, 0.5, "No pain check-in answered yet", transform=axes.transAxes,
                  ha="center", va="center", color=INK, fontsize=9)  # fmt: skip
        return
    from matplotlib.dates import date2num

    local = get_zone(zone)
    days = [p.at.astimezone(local).date() for p in points]
    xs = [float(date2num(day)) for day in days]  # type: ignore[no-untyped-call]
    ys = [p.score for p in points]
    axes.plot(xs, ys, color=PAIN_LINE, marker="o", linewidth=2, markersize=5)
    for x, y in zip(xs, ys, strict=True):
        axes.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 6), ha="center",
                      fontsize=7, color=INK)  # fmt: skip
    # At most 8 labelled weeks (the latest), as "5\nOct" like the calendar.
    step = max(1, (len(xs) + 7) // 8)
    labelled = list(range(len(xs) - 1, -1, -step))
    axes.set_xticks([xs[i] for i in labelled], [f"{days[i].day}\n{days[i]:%b}" for i in labelled])
    if len(xs) == 1:
        axes.set_xlim(xs[0] - 7, xs[0] + 7)
    axes.grid(axis="y", color="#d8d0c2", linewidth=0.6)


def record_png(
    grid: Mapping[date, int],
    today: date,
    points: Sequence[PainPoint],
    zone: str,
    title: str,
    *,
    width: float = 6.4,
    first_day: date | None = None,
) -> bytes:
    """The card's picture: the 8-week calendar and the pain trend side by side."""
    plt = pyplot()
    figure, (calendar, pain) = plt.subplots(
        1, 2, figsize=(width, width * 0.5), dpi=150, facecolor=BACKGROUND,
        gridspec_kw={"width_ratios": [3, 2]},
    )  # fmt: skip
    calendar.set_facecolor(BACKGROUND)
    draw_calendar(calendar, grid, today, first_day)
    calendar.set_title("Stretches done per day", fontsize=9, color=INK, loc="left")
    draw_pain(pain, points, zone)
    pain.set_title("Pain (0–10), weekly", fontsize=9, color=INK, loc="left")
    figure.suptitle(title, color=INK, fontsize=11, x=0.02, ha="left")
    figure.tight_layout()
    return png_of(figure)


def chart_png(draw: str, grid: Mapping[date, int], today: date, points: Sequence[PainPoint],
              zone: str, size: tuple[float, float],
              first_day: date | None = None) -> bytes:  # fmt: skip
    """One chart alone (`draw`: "calendar" or "pain"), e.g. for the visit report."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=size, dpi=150, facecolor=BACKGROUND)
    axes.set_facecolor(BACKGROUND)
    if draw == "calendar":
        draw_calendar(axes, grid, today, first_day)
        axes.set_aspect("auto")  # fill the report's box rather than leave a margin round it
    else:
        draw_pain(axes, points, zone)
    figure.tight_layout()
    return png_of(figure)


def png_of(figure: object) -> bytes:
    plt = pyplot()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=BACKGROUND)  # type: ignore[attr-defined]
    plt.close(figure)
    return buffer.getvalue()


def first_day_of(first_prompt_at: datetime | None, zone: str) -> date | None:
    """The patient's day of their first reminder, in their zone (None: none sent yet)."""
    return None if first_prompt_at is None else first_prompt_at.astimezone(get_zone(zone)).date()


def today_in(zone: str, now: datetime) -> date:
    return now.astimezone(get_zone(zone)).date()
