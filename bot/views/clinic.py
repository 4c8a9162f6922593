"""What the clinic loop looks like in the chat: the sharing question, the practitioner's
/patients list and patient card, alerts, the Monday digest and the weekly pain check-in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalog import Catalog
from bot.db.models import Practitioner
from bot.domain.attention import PatientRecord, PatientStats, reasons
from bot.domain.pain import PainTrend, change_label
from bot.domain.progression import Answer
from bot.domain.zones import UnknownZoneError, get_zone
from bot.telegram_html import visible_length
from bot.views import callback_data as cb
from bot.views.html import bold, esc

PAGE_SIZE = 10
TEXT_LIMIT = 4096  # Telegram's limit for a message's text (after entity parsing)
ANSWER_LABELS = {
    Answer.DONE.value: "done",
    Answer.EASIER.value: "easier",
    Answer.SKIP.value: "skip",
    Answer.LATER.value: "later",
    Answer.HURTS.value: "it hurts",
}


def _local(moment: datetime, zone: str | None, fmt: str = "%a %d %b %H:%M") -> str:
    try:
        return f"{moment.astimezone(get_zone(zone or 'UTC')):{fmt}}"
    except UnknownZoneError:
        return f"{moment:{fmt}} UTC"


def _title(catalog: Catalog, stretch_id: str) -> str:
    return catalog.get(stretch_id).title if stretch_id in catalog else stretch_id


# -- patients: sharing and the weekly check-in ---------------------------------------------


def share_question(practitioner: Practitioner, share_id: int) -> tuple[str, InlineKeyboardMarkup]:
    text = (
        f"Share your stretch record with {bold(practitioner.name)} at "
        f"{bold(practitioner.clinic)}?\n\n"
        "They will see which stretches you did, eased, skipped or found painful, and your "
        "weekly pain score — never your messages.\n"
        "You can stop sharing at any time in /settings."
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "✅ Yes, share", callback_data=cb.build(cb.SHARE, f"{share_id}:yes")
                ),
                InlineKeyboardButton("Not now", callback_data=cb.build(cb.SHARE, f"{share_id}:no")),
            ]
        ]
    )
    return text, markup


def sharing_started(practitioner: Practitioner) -> str:
    return (
        f"✅ You now share your stretch record with {esc(practitioner.name)} "
        f"({esc(practitioner.clinic)}).\n"
        "Once a week I'll also ask how your back feels (0–10). Stop either in /settings."
    )


def sharing_declined(practitioner: Practitioner) -> str:
    return (
        f"Nothing is shared with {esc(practitioner.name)}. "
        "Open their link again any time if you change your mind."
    )


def already_sharing(practitioner: Practitioner) -> str:
    return f"You already share your stretch record with {esc(practitioner.name)} ✓"


def sharing_stopped(practitioner: Practitioner) -> str:
    return (
        f"Stopped ✓ {esc(practitioner.name)} no longer sees your stretch record "
        "(nothing new, nothing old)."
    )


INVALID_CODE_NOTE = (
    "ℹ️ That link isn't valid (it may be mistyped, expired or withdrawn), so nothing is "
    "shared with anyone."
)


@dataclass(frozen=True)
class SharingSettings:
    shares: Sequence[tuple[int, Practitioner]]  # (share id, practitioner)
    pain_checkin_day: int | None


WEEKDAY_NAMES = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)


def settings_lines(clinic: SharingSettings) -> str:
    day = clinic.pain_checkin_day
    lines = [
        "📈 Weekly pain check-in: "
        + (f"on ({WEEKDAY_NAMES[day]})" if day is not None and 0 <= day <= 6 else "off")
    ]
    for _, practitioner in clinic.shares:
        lines.append(
            f"🤝 Sharing your record with {esc(practitioner.name)} ({esc(practitioner.clinic)})"
        )
    return "\n".join(lines)


def settings_buttons(clinic: SharingSettings) -> list[list[InlineKeyboardButton]]:
    toggle = InlineKeyboardButton(
        "📈 Pain check-in: turn " + ("off" if clinic.pain_checkin_day is not None else "on"),
        callback_data=cb.build(cb.PAIN_TOGGLE),
    )
    day = clinic.pain_checkin_day
    rows = [[toggle]]
    if day is not None and 0 <= day <= 6:
        following = (day + 1) % 7
        # One tap moves the check-in a day on; the data names the day chosen, so a double
        # tap or an old settings screen sets that day rather than moving it twice.
        rows[0].append(
            InlineKeyboardButton(
                f"Move to {WEEKDAY_NAMES[following]}",
                callback_data=cb.build(cb.PAIN_DAY, str(following)),
            )
        )
    rows += [
        [
            InlineKeyboardButton(
                f"🚫 Stop sharing with {practitioner.name}"[:60],
                callback_data=cb.build(cb.UNSHARE, str(share_id)),
            )
        ]
        for share_id, practitioner in clinic.shares
    ]
    return rows


def pain_question(score_id: int) -> tuple[str, InlineKeyboardMarkup]:
    text = (
        "📈 <b>Weekly check-in</b>\n"
        "How much has your back hurt this week, on average?\n"
        "0 = no pain · 10 = worst pain imaginable. One tap; answer whenever suits."
    )
    row = [
        InlineKeyboardButton(str(n), callback_data=cb.build(cb.PAIN, f"{score_id}:{n}"))
        for n in range(11)
    ]
    return text, InlineKeyboardMarkup([row[:6], row[6:]])


def pain_recorded(score: int) -> str:
    return f"📈 <b>Weekly check-in</b>\nThis week: {bold(f'{score}/10')} ✓ Thank you."


# -- practitioners ---------------------------------------------------------------------------


def practitioner_welcome(practitioner: Practitioner, link: str) -> str:
    return (
        f"👋 Welcome, {esc(practitioner.name)}! You're set up as a practitioner at "
        f"{esc(practitioner.clinic)}.\n\n"
        f"Your patients join with this link (or the QR code below):\n{esc(link)}\n\n"
        "They choose whether to share their record with you. /patients shows who shares, "
        "most in need of attention first; alerts and a Monday digest come here."
    )


CLAIM_REFUSED = (
    "ℹ️ That practitioner link doesn't work (it was already used, has expired or was "
    "withdrawn). Ask the clinic's operator for a new one."
)


def _ratio(done: int, prompts: int) -> str:
    return f"{done}/{prompts}" if prompts else "–"


def _since(days: int | None) -> str:
    if days is None:
        return "no Done yet"
    if days == 0:
        return "Done today"
    return f"last Done {days} d ago"


def patient_line(index: int, stats: PatientStats) -> str:
    flags = reasons(stats)
    pain = (
        f" · pain {stats.latest_pain}"
        + (f" ({change_label(stats.pain_change)})" if stats.pain_change is not None else "")
        if stats.latest_pain is not None
        else ""
    )
    head = f"{index}. {'⚠️' if flags else '✅'} {bold(stats.first_name[:40])}"
    body = (
        f"{_since(stats.days_since_done)} · 7 d {_ratio(stats.done_7, stats.prompts_7)}"
        f" · 28 d {_ratio(stats.done_28, stats.prompts_28)}"
        + (f" · 🤕 {stats.hurts_14}" if stats.hurts_14 else "")
        + pain
    )
    return f"{head}\n    {esc(body)}"


def patients_page(
    practitioner: Practitioner, ordered: Sequence[PatientStats], page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of /patients (10 a page: 200 patients are 20 pages)."""
    if not ordered:
        return (
            f"<b>Your patients</b> · {esc(practitioner.clinic)}\n"
            "Nobody shares their record with you yet. Send them your link: /invite shows it.",
            None,
        )
    pages = (len(ordered) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = ordered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [
        f"<b>Your patients</b> · {esc(practitioner.clinic)} · {len(ordered)} sharing"
        + (f" · page {page + 1}/{pages}" if pages > 1 else ""),
        "<i>Most in need of attention first. 7 d / 28 d: Done vs prompts sent.</i>",
        "",
    ]
    lines += [patient_line(page * PAGE_SIZE + i + 1, s) for i, s in enumerate(shown)]
    rows: list[list[InlineKeyboardButton]] = []
    buttons = [
        InlineKeyboardButton(
            f"{page * PAGE_SIZE + i + 1}. {s.first_name}"[:30],
            callback_data=cb.build(cb.PATIENT_CARD, str(s.patient_id)),
        )
        for i, s in enumerate(shown)
    ]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton("◀️ Back", callback_data=cb.build(cb.PATIENTS_PAGE, str(page - 1)))
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton("More ▶️", callback_data=cb.build(cb.PATIENTS_PAGE, str(page + 1)))
        )
    if nav:
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _fit(lines: list[str], limit: int = TEXT_LIMIT) -> str:
    """Join lines, dropping lines from the end (with a note) until Telegram takes it."""
    text = "\n".join(lines)
    while visible_length(text) > limit and len(lines) > 1:
        lines = [*lines[:-2], "…"]
        text = "\n".join(lines)
    return text


def variation_lines(catalog: Catalog, variations: Mapping[str, str]) -> list[tuple[str, str]]:
    """(family's base title, the variation the patient gets now) for every family."""
    found = []
    for family in catalog.families:
        current = variations.get(family.base.id, family.base.id)
        found.append((family.base.title, _title(catalog, current)))
    return found


def answer_counts(counts: Mapping[str, int]) -> str:
    return (
        f"✅ {counts.get('done', 0)} · 🪶 {counts.get('easier', 0)} · "
        f"⏭ {counts.get('skip', 0)} · 🤕 {counts.get('hurts', 0)}"
    )


def patient_card(card: PatientRecord, catalog: Catalog) -> tuple[str, InlineKeyboardMarkup]:
    """The card (a text message, at most 4096 characters) under the patient's heatmap."""
    stats, zone = card.stats, card.zone
    scores = [point.score for point in card.pain.points]
    flags = reasons(stats)
    lines = [
        f"<b>{esc(stats.first_name)}</b>"
        + (f" · sharing since {_local(card.since, zone, '%d %b %Y')}" if card.since else ""),
        ("⚠️ " + esc("; ".join(flags))) if flags else "✅ On track",
        "",
        f"📅 {esc(_since(stats.days_since_done))}"
        f" · last 7 days {_ratio(stats.done_7, stats.prompts_7)}"
        f" · last 28 days {_ratio(stats.done_28, stats.prompts_28)} (Done / prompts)",
    ]
    if scores:
        series = " → ".join(str(s) for s in scores[-8:])
        lines.append(
            f"📈 Pain (0–10): latest {bold(str(scores[-1]))}"
            + (
                f", {change_label(stats.pain_change)} since the first"
                if stats.pain_change is not None
                else ""
            )
            + f" · {esc(series)}"
        )
    else:
        lines.append("📈 Pain (0–10): no check-in answered yet")
    if card.hurts:
        lines.append(
            "🤕 It hurts: "
            + esc(
                ", ".join(
                    f"{_title(catalog, s)} ({_local(at, zone, '%d %b')})"
                    for at, s in card.hurts[-5:]
                )
            )
        )
    lines += ["", "<b>By stretch</b> (done · easier · skip · it hurts)"]
    if card.answers:
        for stretch_id, counts in sorted(
            card.answers.items(), key=lambda item: -sum(item[1].values())
        ):
            lines.append(f"• {esc(_title(catalog, stretch_id))}: {answer_counts(counts)}")
    else:
        lines.append("No answers yet.")
    lines += ["", "<b>Current variations</b>"]
    lines += [
        f"• {esc(base)}: {esc(now)}" for base, now in variation_lines(catalog, card.variations)
    ]
    if card.switched_off:
        lines += [
            "",
            "<b>Switched off after It hurts</b>",
            *(f"• {esc(_title(catalog, s))}" for s in card.switched_off),
        ]
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "📄 Report", callback_data=cb.build(cb.PATIENT_REPORT, str(stats.patient_id))
                ),
                InlineKeyboardButton("« Patients", callback_data=cb.build(cb.PATIENTS_PAGE, "0")),
            ]
        ]
    )
    return _fit(lines), markup


def open_card_button(patient_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Open the card", callback_data=cb.build(cb.PATIENT_CARD, str(patient_id))
                )
            ]
        ]
    )


def alert_hurts(first_name: str, stretch_title: str, at: datetime, zone: str) -> str:
    return (
        f"🤕 <b>{esc(first_name)}</b> pressed “It hurts” on {esc(stretch_title)} "
        f"({_local(at, zone)}). That stretch is now switched off for them."
    )


def alert_pain(first_name: str, score: int, first: int | None, at: datetime, zone: str) -> str:
    base = f" (first score: {first})" if first is not None else ""
    return (
        f"📈 <b>{esc(first_name)}</b> reported pain {bold(f'{score}/10')}{base} "
        f"in the weekly check-in ({_local(at, zone)})."
    )


def alert_quiet(first_name: str, days: int) -> str:
    return (
        f"💤 <b>{esc(first_name)}</b> hasn't answered a stretch for {days} days. A call may help."
    )


def digest(
    practitioner: Practitioner, ordered: Sequence[PatientStats], moment: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    needing = [(s, reasons(s)) for s in ordered if reasons(s)]
    on_track = [s for s in ordered if not reasons(s)]
    lines = [
        f"🗓 <b>Weekly digest</b> · {esc(practitioner.clinic)} · "
        f"{_local(moment, practitioner.time_zone, '%a %d %b')}",
        f"{len(ordered)} patients share their record: {len(on_track)} on track, "
        f"{len(needing)} may need a call.",
    ]
    if needing:
        lines += ["", "<b>May need a call</b>"]
        lines += [f"• {bold(s.first_name[:40])}: {esc('; '.join(why))}" for s, why in needing[:30]]
        if len(needing) > 30:
            lines.append(f"…and {len(needing) - 30} more in /patients")
    if on_track:
        names = ", ".join(s.first_name[:40] for s in on_track[:40])
        more = f" and {len(on_track) - 40} more" if len(on_track) > 40 else ""
        lines += ["", f"<b>On track</b>: {esc(names)}{more}"]
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Open /patients", callback_data=cb.build(cb.PATIENTS_PAGE, "0"))]]
    )
    return _fit(lines), markup


INVITE_USAGE = (
    "To add a practitioner: <code>/invite Name; Clinic; Zone</code>\n"
    "e.g. <code>/invite Dr Ana Smith; Osteoworks; Pacific/Auckland</code> (zone optional: UTC)."
)


def claim_link_for_admin(practitioner: Practitioner, link: str) -> str:
    return (
        f"Added {bold(practitioner.name)} ({esc(practitioner.clinic)}).\n"
        f"Send them this one-time link to claim the role (valid 7 days):\n{esc(link)}"
    )


def invite_text(practitioner: Practitioner, link: str) -> str:
    return (
        f"Your patients join with this link (or the QR code below):\n{esc(link)}\n\n"
        f"{esc(practitioner.name)} · {esc(practitioner.clinic)}"
    )


SPARK = "▁▂▃▄▅▆▇█"


def pain_trend_line(trend: PainTrend) -> str:
    """/progress: the weekly pain scores as a small trend line (latest 12), e.g.
    "📈 Pain (0–10), weekly: ▅▄▄▃▂ 6 → 3 (-3)"."""
    scores = [point.score for point in trend.points][-12:]
    spark = "".join(SPARK[min(7, score * 8 // 11)] for score in scores)
    change = f" ({change_label(trend.change)})" if trend.change is not None else ""
    ends = f"{scores[0]} → {scores[-1]}" if len(scores) > 1 else f"{scores[0]}"
    return f"📈 Pain (0–10), weekly: {spark} {ends}{change}"
