"""/progress: streaks and counts as text, and the last 8 weeks as a calendar heatmap (with the
weekly pain scores beside it, once there are any)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.catalog import Catalog
from bot.domain.pain import PainTrend
from bot.domain.streaks import Progress
from bot.views.chart_palette import BACKGROUND, FROZEN, INK, SHADES, TODAY_EDGE
from bot.views.clinic_charts import calendar_values, draw_pain, png_of, pyplot
from bot.views.html import bold, esc

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _weeks(n: int) -> str:
    return f"{n} week{'s' if n != 1 else ''}"


def summary(progress: Progress, catalog: Catalog) -> str:
    if progress.is_empty:
        return (
            "<b>Your progress</b>\n"
            "Nothing here yet — and that's fine. Answer ✅ Done after your first stretch and "
            "your streak starts. /next sends one now."
        )
    freezes = (
        f"❄️ {progress.freezes_left_this_month} freeze left this month"
        if progress.freezes_left_this_month
        else "❄️ this month's freeze is used"
    )
    lines = [
        "<b>Your progress</b>",
        f"🗓 Weekly goal {progress.weekly_goal} of 7 days: this week "
        f"{progress.active_days_this_week} of {progress.weekly_goal}"
        f"{' ✓' if progress.week_goal_met else ''} · "
        f"{bold(_weeks(progress.week_streak))} in a row"
        f" (best: {_weeks(progress.best_week_streak)})",
        f"🔥 Day streak: {bold(_days(progress.current_streak))}"
        f" (best: {_days(progress.best_streak)}) · {freezes}",
        f"📅 Done this week: {progress.done_this_week} · this month: {progress.done_this_month}"
        f" · in all: {progress.total}",
    ]
    lines.append(
        "<i>A rest day never breaks the weekly streak, and one freeze a month keeps the day "
        "streak going over a single missed day.</i>"
    )
    counts = [
        f"• {esc(catalog.get(i).title if i in catalog else i)}: {n}"
        for i, n in list(progress.per_stretch.items())[:8]
        if i
    ]
    if counts:
        lines += ["", "<b>By stretch</b>", *counts]
    return "\n".join(lines)


def heatmap_png(progress: Progress, pain: PainTrend | None = None, zone: str = "UTC") -> bytes:
    """The grid's weeks as columns, Monday to Sunday as rows: readable on a phone. With pain
    scores (the weekly check-in), their trend line beside it, dates in the user's `zone`."""
    plt = pyplot()
    weeks = len(progress.grid) // 7
    title = (
        f"Your last {weeks} weeks  ·  week streak {progress.week_streak}"
        f"  ·  day streak {progress.current_streak}"
    )
    footnote = "Stretches done per day, week by week · today is outlined · ❄ a freeze"
    if pain is None or not pain.points:
        figure, calendar = plt.subplots(figsize=(6.4, 6.4), dpi=150, facecolor=BACKGROUND)
        _draw_heatmap(calendar, progress)
        calendar.set_title(title, color=INK, fontsize=14, pad=12, loc="left")
    else:
        figure, (calendar, trend) = plt.subplots(
            1, 2, figsize=(10.4, 6.4), dpi=150, facecolor=BACKGROUND,
            gridspec_kw={"width_ratios": [3, 2]},
        )  # fmt: skip
        _draw_heatmap(calendar, progress)
        calendar.set_title("Stretches done", color=INK, fontsize=12, pad=10, loc="left")
        draw_pain(trend, pain.points, zone)
        trend.tick_params(labelsize=10)
        trend.set_title("Pain, 0 (none) to 10 (worst)", color=INK, fontsize=12, pad=10, loc="left")
        trend.set_box_aspect(1.0)  # as tall as the calendar beside it
        figure.suptitle(title, color=INK, fontsize=14, x=0.02, ha="left")
        footnote += " · pain: your weekly check-in"
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    figure.text(0.5, 0.02, footnote, ha="center", color=INK, fontsize=10)
    return png_of(figure)


def _draw_heatmap(axes: Axes, progress: Progress) -> None:
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Rectangle

    first, values = calendar_values(progress.grid, progress.today)
    weeks = len(values[0])

    axes.set_facecolor(BACKGROUND)
    colours = ListedColormap(SHADES).with_extremes(bad=BACKGROUND)
    norm = BoundaryNorm([0, 1, 2, 3, 4, 100], colours.N)
    axes.imshow(values, cmap=colours, norm=norm, aspect="equal")
    # Gaps between the squares, like a calendar.
    axes.set_xticks([x - 0.5 for x in range(1, weeks)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, 7)], minor=True)
    axes.grid(which="minor", color=BACKGROUND, linewidth=4)
    axes.tick_params(which="both", length=0, labelsize=11, colors=INK)
    axes.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    # Week starts as "5\nOct": two short lines never run into each other on a narrow chart.
    axes.set_xticks(
        range(weeks),
        [
            f"{(first + timedelta(weeks=w)).day}\n{(first + timedelta(weeks=w)):%b}"
            for w in range(weeks)
        ],
    )
    for spine in axes.spines.values():
        spine.set_visible(False)
    today_column = (progress.today - first).days // 7
    axes.add_patch(
        Rectangle(
            (today_column - 0.45, progress.today.weekday() - 0.45),
            0.9,
            0.9,
            fill=False,
            edgecolor=TODAY_EDGE,
            linewidth=2.5,
        )
    )
    for row in range(7):
        for column in range(weeks):
            shown = values[row][column]
            day = first + timedelta(weeks=column, days=row)
            if day in progress.frozen_days:
                axes.text(column, row, "❄", ha="center", va="center", color=FROZEN, fontsize=13)
            if shown == shown and shown > 0:  # skip NaN (future days) and zeros
                axes.text(
                    column,
                    row,
                    str(int(shown)),
                    ha="center",
                    va="center",
                    color="white" if shown >= 2 else INK,
                    fontsize=10,
                    fontweight="bold",
                )
