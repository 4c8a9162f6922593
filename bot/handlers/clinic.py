"""The clinic loop in the chat: practitioner links at /start, the sharing question, the weekly
pain check-in's buttons, /patients with its cards and reports, /invite and /report.

Every practitioner-facing route goes through `_practitioner` (the presser holds the role) and
`sharing.shared_patient` (the patient shares with them right now): an id in button data is never
trusted alone, so forged, stale or revoked patient ids get a polite refusal and show nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers import setup, sharing_question
from bot.handlers.common import edit, send, send_file, unit_of_work
from bot.handlers.press import Press, button
from bot.services import (
    accounts,
    clinic_outbox,
    dialogue,
    pain,
    patient_summary,
    practitioners,
    sharing,
)
from bot.services.practitioners import Practitioner
from bot.views import clinic as views
from bot.views import clinic_charts
from bot.views.html import esc
from bot.views.invite_qr import invite_qr_png
from bot.views.visit_report import visit_report_pdf

log = logging.getLogger(__name__)

GONE = "This patient no longer shares their record with you."
NOT_PRACTITIONER = "This is for practitioners. Ask your clinic's operator for a link."


# -- /start with a code -------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> None:
    """/start, with a practitioner's claim or invite code or none: the code's part first
    (its own unit of work), then, unless that was all, the usual /start."""
    async with unit_of_work(context) as session:
        handled = await on_start(
            update, context, session, context.args[0] if context.args else None
        )
    if not handled:
        await setup.start(update, context)


async def on_start(
    update: Update, context: BotContext, session: AsyncSession, payload: str | None
) -> bool:
    """A /start that carries a code. True when this handled the /start completely; False
    when the usual /start should follow (after a short note, for a code that doesn't work)."""
    if payload is None:
        return False
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None
    assert chat is not None
    now = context.services.clock()
    code = accounts.valid_start_code(payload)
    if code is not None and code.startswith(practitioners.CLAIM_PREFIX):
        user = await accounts.find_user(session, tg_user.id) or await accounts.register(
            session, tg_user.id, chat.id, None
        )
        claimed = await practitioners.claim(session, code, user, now)
        if isinstance(claimed, Practitioner):
            log.info("practitioner role claimed", extra={"practitioner_id": claimed.id})
            await _send_invite(update, context, claimed, welcome=True)
            return True
        log.info("claim link refused", extra={"why": claimed.value})
        await send(update, context, views.CLAIM_REFUSED)
        return False
    practitioner = await practitioners.by_invite_code(session, code) if code else None
    if practitioner is None:
        if await accounts.find_user(session, tg_user.id) is None:
            # As the usual /start would: the row (and a well-formed code) is there by the time
            # the note arrives.
            await accounts.register(session, tg_user.id, chat.id, code)
        await send(update, context, views.INVALID_CODE_NOTE)
        return False
    known = await accounts.find_user(session, tg_user.id)
    user = (
        known
        if known is not None and known.consented_at is not None
        else await accounts.register(session, tg_user.id, chat.id, code)
    )
    share = await sharing.ask(session, user, practitioner)
    if dialogue.is_onboarding(user):
        return False  # asked once set-up is done (ask_pending)
    if share is None:
        await send(update, context, views.already_sharing(practitioner))
    else:
        await sharing_question.ask(update, context, share.id, practitioner)
    return True


async def _send_invite(
    update: Update, context: BotContext, practitioner: Practitioner, *, welcome: bool
) -> None:
    link = practitioners.invite_link(context.bot.username, practitioner.invite_code)
    text = (
        views.practitioner_welcome(practitioner, link)
        if welcome
        else views.invite_text(practitioner, link)
    )
    await send(update, context, text)
    png = await asyncio.to_thread(invite_qr_png, link)
    caption = f"{esc(practitioner.name)} · {esc(practitioner.clinic)}: scan to join"
    await send_file(update, context, png, "invite-qr.png", caption, as_photo=True)


# -- commands ------------------------------------------------------------------------------


async def _practitioner_of(
    update: Update, context: BotContext, session: AsyncSession
) -> Practitioner | None:
    tg_user = update.effective_user
    assert tg_user is not None
    user = await accounts.find_user(session, tg_user.id)
    practitioner = await practitioners.of_user(session, user) if user is not None else None
    if practitioner is None:
        await send(update, context, NOT_PRACTITIONER)
    return practitioner


async def patients_command(update: Update, context: BotContext) -> None:
    """/patients: the practitioner's sharing patients, who needs attention first."""
    async with unit_of_work(context) as session:
        practitioner = await _practitioner_of(update, context, session)
        if practitioner is None:
            return
        text, markup = await _patients_page(context, session, practitioner, 0)
        await send(update, context, text, markup)


async def _patients_page(
    context: BotContext, session: AsyncSession, practitioner: Practitioner, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    ordered = await patient_summary.by_attention_of(session, practitioner, context.services.clock())
    return views.patients_page(practitioner, ordered, page)


async def invite_command(update: Update, context: BotContext) -> None:
    """/invite: a practitioner's own link and QR code again; for an admin, `/invite Name;
    Clinic[; Zone]` adds a practitioner and answers with their one-time claim link."""
    tg_user = update.effective_user
    assert tg_user is not None
    argument = " ".join(context.args or ())
    services = context.services
    if tg_user.id in services.settings.admin_ids and argument:
        parts = [part.strip() for part in argument.split(";")]
        if len(parts) not in (2, 3) or not all(parts):
            await send(update, context, views.INVITE_USAGE)
            return
        async with unit_of_work(context) as session:
            try:
                added = await practitioners.add(
                    session, parts[0], parts[1], parts[2] if len(parts) == 3 else "UTC",
                    services.clock(),
                )  # fmt: skip
            except ValueError as error:
                await send(update, context, f"Not added: {esc(str(error))}\n\n{views.INVITE_USAGE}")
                return
            link = practitioners.invite_link(context.bot.username, added.claim_payload)
            await send(update, context, views.claim_link_for_admin(added.practitioner, link))
        return
    async with unit_of_work(context) as session:
        practitioner = await _practitioner_of(update, context, session)
        if practitioner is not None:
            await _send_invite(update, context, practitioner, welcome=False)


async def report_command(update: Update, context: BotContext) -> None:
    """/report: the patient's own one-page visit report."""
    services = context.services
    tg_user = update.effective_user
    assert tg_user is not None
    async with unit_of_work(context) as session:
        user = await accounts.find_user(session, tg_user.id)
        if user is None or user.consented_at is None:
            await send(update, context, "We haven't met yet 🙂 Send /start to set up first.")
            return
        now = services.clock()
        record = await patient_summary.record_of(session, user, None, now)
    pdf = await asyncio.to_thread(visit_report_pdf, record, services.catalog, now, shared_with=None)
    await send_file(
        update, context, pdf, "stretch-report.pdf", "Your stretch report, for your next visit.",
        as_photo=False,
    )  # fmt: skip


# -- buttons -------------------------------------------------------------------------------


MAX_ID = 2**31 - 1  # the ids' INTEGER columns: PostgreSQL refuses a larger value outright


def _int(text: str | None) -> int | None:
    """A row id or number from button data; None for anything else, or out of range."""
    if text is None or not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)


def _message_id(press: Press) -> int | None:
    """The message the pressed button sits on (a question must be answered from it)."""
    message = press.query.message
    return message.message_id if message is not None else None


@button
async def share_button(press: Press) -> None:
    head, _, word = (press.argument or "").partition(":")
    share_id, yes = _int(head), {"yes": True, "no": False}.get(word)
    if share_id is None or yes is None:
        await press.query.answer("This button doesn't work any more.")
        return
    outcome = await sharing.answer(
        press.session,
        press.user,
        share_id,
        _message_id(press),
        yes=yes,
        now=press.now,
    )
    if isinstance(outcome, sharing.ShareRefusal):
        already = outcome is sharing.ShareRefusal.ALREADY
        await press.query.answer(
            "Already answered." if already else "This button doesn't work any more."
        )
        return
    _, practitioner = outcome
    await press.query.answer()
    await edit(
        press.query,
        views.sharing_started(practitioner) if yes else views.sharing_declined(practitioner),
    )


@button
async def unshare_button(press: Press) -> None:
    share_id = _int(press.argument)
    practitioner = (
        await sharing.stop(press.session, press.user, share_id, press.now)
        if share_id is not None
        else None
    )
    if practitioner is None:
        await press.query.answer("You don't share with them any more.")
        return
    await press.query.answer("Stopped")
    await press.send(views.sharing_stopped(practitioner))


@button
async def pain_toggle_button(press: Press) -> None:
    user = press.user
    if press.argument is not None:
        await press.query.answer("This button doesn't work any more.")
        return
    if not dialogue.is_consented(user) or dialogue.is_onboarding(user):
        await press.query.answer("Please finish setting up first: send /start.")
        return
    if user.pain_checkin_day is None:
        await pain.switch_on(press.session, user, press.now)
        await press.query.answer("Weekly pain check-in on")
    else:
        await pain.switch_off(user)
        await press.query.answer("Weekly pain check-in off")
    await setup.send_settings(press.update, press.context, press.session, user)


@button
async def pain_day_button(press: Press) -> None:
    """The weekly check-in's day, from /settings (on only: off stays off)."""
    user = press.user
    day = _int(press.argument)
    if day is None or day > 6 or not dialogue.is_consented(user) or dialogue.is_onboarding(user):
        await press.query.answer("This button doesn't work any more.")
        return
    if user.pain_checkin_day is None:
        await press.query.answer("The weekly pain check-in is off.")
        return
    await pain.switch_on(press.session, user, press.now, weekday=day)
    await press.query.answer(f"Pain check-in: {views.WEEKDAY_NAMES[day]}")
    await setup.send_settings(press.update, press.context, press.session, user)


@button
async def pain_button(press: Press) -> None:
    head, _, value = (press.argument or "").partition(":")
    score_id, score = _int(head), _int(value)
    if score_id is None or score is None:
        await press.query.answer("This button doesn't work any more.")
        return
    outcome = await pain.answer(
        press.session,
        press.user,
        score_id,
        _message_id(press),
        score,
        press.now,
    )
    if isinstance(outcome, pain.PainRefusal):
        already = outcome is pain.PainRefusal.ALREADY
        await press.query.answer(
            "Already noted. 🙂" if already else "This button doesn't work any more."
        )
        return
    await clinic_outbox.patient_scored_pain(press.session, press.user, outcome, press.now)
    await press.query.answer(f"{score}/10 noted")
    await edit(press.query, views.pain_recorded(score))


async def _checked_practitioner(press: Press) -> Practitioner | None:
    practitioner = await practitioners.of_user(press.session, press.user)
    if practitioner is None:
        await press.query.answer(NOT_PRACTITIONER)
    return practitioner


@button
async def patients_page_button(press: Press) -> None:
    page = _int(press.argument)
    practitioner = await _checked_practitioner(press)
    if practitioner is None:
        return
    if page is None:
        await press.query.answer("This button doesn't work any more.")
        return
    text, markup = await _patients_page(press.context, press.session, practitioner, page)
    await press.query.answer()
    await edit(press.query, text, markup)


async def _shared(press: Press) -> tuple[Practitioner, accounts.User] | None:
    """The practitioner pressing, and the patient the button names, only if that patient
    shares with them now: anything else (forged, stale, stopped sharing) shows nothing."""
    practitioner = await _checked_practitioner(press)
    if practitioner is None:
        return None
    patient_id = _int(press.argument)
    patient = (
        await sharing.shared_patient(press.session, practitioner, patient_id)
        if patient_id is not None
        else None
    )
    if patient is None:
        log.info("patient button refused", extra={"practitioner_id": practitioner.id})
        await press.query.answer(GONE, show_alert=True)
        return None
    return practitioner, patient


async def _sharing_since(
    press: Press, practitioner: Practitioner, patient: accounts.User
) -> datetime | None:
    for share, holder in await sharing.active_of_patient(press.session, patient):
        if holder.id == practitioner.id:
            return share.consented_at
    return None


@button
async def card_button(press: Press) -> None:
    found = await _shared(press)
    if found is None:
        return
    practitioner, patient = found
    since = await _sharing_since(press, practitioner, patient)
    record = await patient_summary.record_of(press.session, patient, since, press.now)
    await press.query.answer()
    text, markup = views.patient_card(record, press.catalog)
    png = await asyncio.to_thread(
        clinic_charts.record_png,
        record.progress.grid,
        record.progress.today,
        record.pain.points,
        record.zone,
        f"{record.stats.first_name} · last 8 weeks",
        first_day=clinic_charts.first_day_of(record.first_prompt_at, record.zone),
    )
    await send_file(press.update, press.context, png, "patient.png", as_photo=True)
    await press.send(text, markup)


@button
async def report_button(press: Press) -> None:
    found = await _shared(press)
    if found is None:
        return
    practitioner, patient = found
    since = await _sharing_since(press, practitioner, patient)
    record = await patient_summary.record_of(press.session, patient, since, press.now)
    await press.query.answer("Making the report…")
    pdf = await asyncio.to_thread(
        visit_report_pdf,
        record,
        press.catalog,
        press.now,
        shared_with=f"{practitioner.name} · {practitioner.clinic}",
    )
    name = "".join(ch for ch in record.stats.first_name if ch.isalnum())[:20] or "patient"
    await send_file(
        press.update, press.context, pdf, f"report-{name}.pdf",
        f"Visit report: {esc(record.stats.first_name)}", as_photo=False,
    )  # fmt: skip
