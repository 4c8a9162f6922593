"""The one-page visit report (PDF): what a patient shared, for their next appointment.

fpdf2 lays out the page; matplotlib draws the calendar and the pain chart. Both are imported
only when a report is made. DejaVu Sans (shipped with matplotlib) covers every name Telegram
may hand us, where the PDF core fonts know only Latin-1.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from bot.catalog import Catalog
from bot.domain.attention import PatientRecord, reasons
from bot.domain.progression import Answer
from bot.domain.zones import get_zone
from bot.views import clinic_charts

INK = (39, 64, 63)
MUTED = (110, 120, 118)
RULE = (214, 206, 192)
HEAD_FILL = (231, 240, 238)
MAX_STRETCH_ROWS = 14
MAX_HURTS = 8
COLUMNS = (("Done", Answer.DONE), ("Easier", Answer.EASIER), ("Skip", Answer.SKIP),
           ("Later", Answer.LATER), ("It hurts", Answer.HURTS))  # fmt: skip


def _fonts() -> tuple[Path, Path]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


def _title(catalog: Catalog, stretch_id: str) -> str:
    return catalog.get(stretch_id).title if stretch_id in catalog else stretch_id


def visit_report_pdf(
    record: PatientRecord,
    catalog: Catalog,
    now: datetime,
    *,
    shared_with: str | None,
) -> bytes:
    """The report as PDF bytes, always one A4 page (long lists are cut with a note)."""
    from fpdf import FPDF

    zone = get_zone(record.zone)
    today = now.astimezone(zone).date()
    start = (record.first_prompt_at or record.since or now).astimezone(zone).date()
    stats = record.stats

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(15, 14, 15)
    regular, bold = _fonts()
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_title(f"Stretch report: {stats.first_name}")
    pdf.set_creator("stretchbot")
    pdf.add_page()
    width = pdf.epw

    # Header
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "B", 17)
    pdf.cell(width, 9, f"Stretch report — {stats.first_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_text_color(*MUTED)
    period = f"Period: {start:%d %b %Y} – {today:%d %b %Y}"
    made = f"Made {now.astimezone(zone):%d %b %Y %H:%M} ({record.zone})"
    pdf.cell(width, 5, f"{period} · {made}", new_x="LMARGIN", new_y="NEXT")
    if shared_with:
        pdf.cell(width, 5, f"Shared with {shared_with}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    # Summary line
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 10)
    ratio7 = f"{stats.done_7}/{stats.prompts_7}" if stats.prompts_7 else "–"
    ratio28 = f"{stats.done_28}/{stats.prompts_28}" if stats.prompts_28 else "–"
    streak = record.progress
    flags = reasons(stats)
    pdf.multi_cell(
        width,
        5,
        f"Done vs prompts sent: last 7 days {ratio7}, last 28 days {ratio28}. "
        f"Current streak {streak.current_streak} days (best {streak.best_streak}). "
        + ("Needs attention: " + "; ".join(flags) + "." if flags else "On track."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)

    # Charts: the adherence calendar and the pain trend, side by side
    top = pdf.get_y()
    _heading(pdf, "Adherence calendar (stretches done per day)", width * 0.58)
    calendar = clinic_charts.chart_png(
        "calendar", record.progress.grid, record.progress.today, record.pain.points,
        record.zone, (5.2, 2.6),
        first_day=clinic_charts.first_day_of(record.first_prompt_at, record.zone),
    )  # fmt: skip
    pdf.image(io.BytesIO(calendar), x=pdf.l_margin, y=top + 6, w=width * 0.58)
    pdf.set_xy(pdf.l_margin + width * 0.6, top)
    _heading(pdf, "Pain (0–10), weekly check-in", width * 0.4)
    pain = clinic_charts.chart_png(
        "pain", record.progress.grid, record.progress.today, record.pain.points,
        record.zone, (3.6, 2.6),
    )  # fmt: skip
    pdf.image(io.BytesIO(pain), x=pdf.l_margin + width * 0.6, y=top + 6, w=width * 0.4)
    pdf.set_xy(pdf.l_margin, top + 6 + width * 0.58 * 2.6 / 5.2 + 3)

    # Per-stretch table
    _heading(pdf, "By stretch", width)
    name_width = width - 5 * 17
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_fill_color(*HEAD_FILL)
    pdf.cell(name_width, 6, "Stretch", border="B", fill=True)
    for label, _ in COLUMNS:
        pdf.cell(17, 6, label, border="B", fill=True, align="C")
    pdf.ln()
    pdf.set_font("DejaVu", "", 9)
    rows = sorted(record.answers.items(), key=lambda item: -sum(item[1].values()))
    if not rows:
        pdf.cell(width, 6, "No answers yet.", new_x="LMARGIN", new_y="NEXT")
    for stretch_id, counts in rows[:MAX_STRETCH_ROWS]:
        pdf.cell(name_width, 5.5, _title(catalog, stretch_id)[:60], border="B")
        for _, answer in COLUMNS:
            pdf.cell(17, 5.5, str(counts.get(answer.value, 0)), border="B", align="C")
        pdf.ln()
    if len(rows) > MAX_STRETCH_ROWS:
        pdf.cell(
            width, 5, f"…and {len(rows) - MAX_STRETCH_ROWS} more", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(3)

    # It hurts events, and the current programme
    column = (width - 6) / 2
    top = pdf.get_y()
    _heading(pdf, "“It hurts” events", column)
    pdf.set_font("DejaVu", "", 9)
    if not record.hurts:
        pdf.cell(column, 5, "None.", new_x="LMARGIN", new_y="NEXT")
    for at, stretch_id in list(record.hurts)[-MAX_HURTS:]:
        line = f"{at.astimezone(zone):%a %d %b %H:%M} · {_title(catalog, stretch_id)}"
        pdf.cell(column, 5, line[:70], new_x="LMARGIN", new_y="NEXT")
    if len(record.hurts) > MAX_HURTS:
        pdf.cell(column, 5, f"(the latest {MAX_HURTS} of {len(record.hurts)})",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + column + 6, top)
    right = pdf.l_margin + column + 6
    _heading(pdf, "Current variations", column)
    pdf.set_font("DejaVu", "", 9)
    shown: set[str] = set()
    for family in catalog.families:
        current = record.variations.get(family.base.id, family.base.id)
        shown.add(current)
        pdf.set_x(right)
        label = _title(catalog, current)
        if current != family.base.id:
            label += " (variation)"
        if current in record.switched_off:
            label += " — switched off"
        pdf.multi_cell(column, 4.6, label, align="L", new_x="LEFT", new_y="NEXT")
    others = [s for s in record.switched_off if s not in shown]
    if others:
        pdf.set_x(right)
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(column, 5, "Switched off after It hurts:", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for stretch_id in others[:8]:
            pdf.set_x(right)
            pdf.cell(column, 5, f"• {_title(catalog, stretch_id)}"[:75], new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 2)

    # Footer
    pdf.set_y(-18)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        width, 3.8,
        "Made by stretchbot from the patient's answers to stretch reminders (Done, Easier, Skip, "
        "Later, It hurts) and weekly pain scores, which the patient chose to share. It contains "
        "nothing the patient typed. It is not a diagnosis.",
    )  # fmt: skip
    return bytes(pdf.output())


def _heading(pdf: object, text: str, width: float) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.set_text_color(*INK)
    pdf.cell(width, 6, text, new_x="LEFT", new_y="NEXT")
