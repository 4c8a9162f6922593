"""Sending the clinic loop's messages (services.clinic_outbox): pain check-ins, alerts and
Monday digests, as part of each reminder-engine round.

Each message is claimed with a lease, sent, and its outcome recorded at once, like a prompt:
at most one copy per cause, and a restart resends only what was in flight. What Telegram
refuses is recorded (blocked, failed), never retried forever; network trouble is retried a few
times with backoff.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.catalog import Catalog
from bot.context import AppServices
from bot.db.models import ClinicMessageKind, ClinicMessageStatus, Practitioner
from bot.delivery.engine_api import EngineApi
from bot.services import clinic_outbox, patient_summary
from bot.services.clinic_outbox import ClaimedMessage
from bot.views import clinic as views

log = logging.getLogger(__name__)

# The gone-quiet scan reads every share's last answer: every few minutes is plenty.
QUIET_SCAN_EVERY = timedelta(minutes=10)
BACKOFF = (0.5, 1.0, 2.0)
_UNREACHABLE = ("chat not found", "user not found", "peer_id_invalid")


def _json(markup: InlineKeyboardMarkup) -> bytes:
    return json.dumps(markup.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


class ClinicMessages:
    def __init__(self, services: AppServices, api: EngineApi, lease: timedelta) -> None:
        self.services = services
        # The engine's one send path (bot.delivery.engine_api), as prompts and follow-ups take.
        self.api = api
        self.lease = lease
        self.backoff = BACKOFF
        self._last_quiet_scan: datetime | None = None

    async def run(self) -> int:
        """Plan what the clock made due, then claim, send and record; returns how many went."""
        now = self.services.clock()
        scan = self._last_quiet_scan is None or now - self._last_quiet_scan >= QUIET_SCAN_EVERY
        async with self.services.session_factory() as session:
            await clinic_outbox.plan(session, now, look_for_quiet=scan)
            await session.commit()
        if scan:
            self._last_quiet_scan = now
        async with self.services.session_factory() as session:
            claimed = await clinic_outbox.claim_due(session, now, self.lease)
        await asyncio.gather(*(self._send(message) for message in claimed))
        return len(claimed)

    async def _content(self, message: ClaimedMessage) -> tuple[str, InlineKeyboardMarkup | None]:
        now = self.services.clock()
        catalog: Catalog = self.services.catalog
        async with self.services.session_factory() as session:
            if message.kind is ClinicMessageKind.PAIN_CHECKIN:
                assert message.pain_score_id is not None
                return views.pain_question(message.pain_score_id)
            if message.kind is ClinicMessageKind.DIGEST:
                assert message.practitioner_id is not None
                practitioner = await session.get_one(Practitioner, message.practitioner_id)
                ordered = await patient_summary.by_attention_of(session, practitioner, now)
                return views.digest(practitioner, ordered, message.event_at)
            facts = await clinic_outbox.alert_facts(session, message, now)
        assert message.patient_id is not None
        button = views.open_card_button(message.patient_id)
        if message.kind is ClinicMessageKind.ALERT_HURTS:
            stretch = facts.stretch_id or ""
            title = catalog.get(stretch).title if stretch in catalog else "a stretch"
            return views.alert_hurts(facts.first_name, title, message.event_at, facts.zone), button
        if message.kind is ClinicMessageKind.ALERT_PAIN:
            score = facts.score if facts.score is not None else 0
            return views.alert_pain(
                facts.first_name, score, facts.first_score, message.event_at, facts.zone
            ), button
        return views.alert_quiet(facts.first_name, facts.quiet_days or 7), button

    async def _send(self, message: ClaimedMessage) -> None:
        status, message_id, error, attempts = ClinicMessageStatus.FAILED, None, None, 0
        try:
            text, markup = await self._content(message)
        except Exception as exc:
            log.exception("clinic message not rendered", extra={"clinic_message_id": message.id})
            error = f"{type(exc).__name__}: {exc}"
        else:
            while True:
                attempts += 1
                try:
                    message_id = await self.api.send_message(
                        message.chat_id,
                        text,
                        reply_markup=None if markup is None else _json(markup),
                    )
                except Forbidden as exc:
                    status, error = ClinicMessageStatus.BLOCKED, str(exc)
                except BadRequest as exc:
                    unreachable = any(t in str(exc).lower() for t in _UNREACHABLE)
                    status = (
                        ClinicMessageStatus.BLOCKED if unreachable else ClinicMessageStatus.FAILED
                    )
                    error = str(exc)
                    if not unreachable:
                        log.error(
                            "telegram refused a clinic message",
                            extra={"clinic_message_id": message.id, "error": error},
                        )
                except (NetworkError, RetryAfter) as exc:
                    if attempts <= len(self.backoff):
                        await asyncio.sleep(self.backoff[attempts - 1])
                        continue
                    error = str(exc)
                except Exception as exc:
                    log.exception("clinic message failed", extra={"clinic_message_id": message.id})
                    error = f"{type(exc).__name__}: {exc}"
                else:
                    status = ClinicMessageStatus.SENT
                break
        async with self.services.session_factory() as session:
            await clinic_outbox.record(
                session,
                message,
                status,
                self.services.clock(),
                attempts=max(attempts, 1),
                message_id=message_id,
                error=error,
            )
        log.info(
            "clinic message",
            extra={
                "clinic_message_id": message.id,
                "kind": message.kind.value,
                "status": status.value,
            },
        )
