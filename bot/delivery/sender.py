"""Send one claimed delivery and say how it ended; every failure becomes a recorded outcome.

Sent through the engine's one send path, bot.delivery.engine_api.

429s are waited out by python-telegram-bot's AIORateLimiter (it honours retry_after); what still
fails is sorted here: a blocked or deactivated user or an unknown chat is final (BLOCKED), a
request Telegram refuses (bad HTML, caption too long) is final (FAILED, logged with the stretch
id, never retried), and network trouble (timeouts, 5xx, dropped connections) is retried with
backoff, then FAILED with the error kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.catalog import Catalog
from bot.db.models import DeliveryStatus
from bot.delivery.engine_api import EngineApi
from bot.delivery.json_bodies import AnswerKeyboardJson
from bot.delivery.picture_uploads import PictureUploads
from bot.services.dispatch.claim import Claimed
from bot.services.dispatch.outcomes import Outcome
from bot.views.stretch_card import StretchCard, render_card

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
_BLOCKING_BAD_REQUESTS = ("chat not found", "user not found", "peer_id_invalid")


@dataclass
class Sender:
    bot: Bot
    catalog: Catalog
    pictures: PictureUploads
    clock: Callable[[], datetime]
    # Network trouble: tries in all, and the pause before each retry (the last one repeats).
    # Called with the chat id before each prompt goes out (ends that chat's hold timer).
    before_prompt: Callable[[int], object] | None = None
    # Send a card's animation (sendAnimation) where the pack has one; the still is the fallback.
    animations: bool = False
    max_attempts: int = MAX_ATTEMPTS
    backoff: tuple[float, ...] = BACKOFF_SECONDS
    # Seconds to wait for Telegram's answer to one request; None: python-telegram-bot's default.
    timeout: float | None = None
    # PAID_BROADCAST: every message is sent with allow_paid_broadcast (paced at the paid rate).
    paid_broadcast: bool = False

    def __post_init__(self) -> None:
        # Cards depend only on the stretch: render each once, not once per reminder.
        self.card = lru_cache(maxsize=None)(self._render)
        self._keyboard = AnswerKeyboardJson()
        self.api = EngineApi(self.bot, self.pictures, paid_broadcast=self.paid_broadcast)
        self._refused_animations: set[Path] = set()
        self._request_kwargs: dict[str, Any] = (
            {} if self.timeout is None else {"read_timeout": self.timeout}
        )

    def _render(self, stretch_id: str) -> StretchCard:
        return render_card(self.catalog, stretch_id)

    async def send(self, claim: Claimed) -> Outcome:
        try:
            self.card(claim.stretch_id)
        except Exception as error:
            # A stretch the content pack no longer has (or can't render): no retry can help.
            log.error(
                "cannot render the prompt",
                extra={
                    "delivery_id": claim.delivery_id,
                    "user_id": claim.user_id,
                    "stretch_id": claim.stretch_id,
                    "error": repr(error),
                },
            )
            return self._failed(claim, 0, error)
        attempts = 0
        while True:
            attempts += 1
            try:
                message_id = await self._send_once(claim)
            except Forbidden as error:
                return self._blocked(claim, attempts, error)
            except BadRequest as error:
                if any(text in str(error).lower() for text in _BLOCKING_BAD_REQUESTS):
                    return self._blocked(claim, attempts, error)
                log.error(
                    "telegram refused a prompt",
                    extra={
                        "delivery_id": claim.delivery_id,
                        "user_id": claim.user_id,
                        "stretch_id": claim.stretch_id,
                        "error": str(error),
                    },
                )
                return self._failed(claim, attempts, error)
            except (NetworkError, RetryAfter) as error:
                # NetworkError covers TimedOut and 5xx; RetryAfter is a 429 the rate limiter
                # already retried. Back off and try again, then give up with the error kept.
                if attempts >= self.max_attempts:
                    log.warning(
                        "prompt failed after retries",
                        extra={
                            "delivery_id": claim.delivery_id,
                            "stretch_id": claim.stretch_id,
                            "attempts": attempts,
                            "error": str(error),
                        },
                    )
                    return self._failed(claim, attempts, error)
                await asyncio.sleep(self._retry_delay(error, attempts))
            except Exception as error:
                # Anything else (TelegramError, OSError, a bug): recorded, never left pending.
                log.exception(
                    "prompt failed",
                    extra={"delivery_id": claim.delivery_id, "stretch_id": claim.stretch_id},
                )
                return self._failed(claim, attempts, error)
            else:
                return Outcome(
                    delivery_id=claim.delivery_id,
                    status=DeliveryStatus.SENT,
                    attempts=attempts,
                    message_id=message_id,
                    sent_at=self.clock(),
                )

    async def _send_once(self, claim: Claimed) -> int:
        card = self.card(claim.stretch_id)
        keyboard = self._keyboard(claim.delivery_id, card.buttons)
        if self.before_prompt is not None:
            self.before_prompt(claim.chat_id)
        follow_up_html = card.follow_up_html  # set for a card too long for a caption
        photo_id = await self._send_media(claim, card, keyboard if follow_up_html is None else None)
        if follow_up_html is None:
            return photo_id
        # A long card: the instructions follow the photo, and the buttons go under them.
        return await self.api.send_message(
            claim.chat_id, follow_up_html, reply_markup=keyboard, **self._request_kwargs
        )

    async def _send_media(self, claim: Claimed, card: StretchCard, markup: bytes | None) -> int:
        """The card's animation where the pack has one (and `animations` is on), else, or if
        Telegram refuses it, its still picture."""
        animation = card.animation if self.animations else None
        if animation is not None and animation not in self._refused_animations:
            try:
                return await self.api.send_animation(
                    claim.chat_id, animation, card.caption_html, markup, **self._request_kwargs
                )
            except BadRequest as error:
                if any(text in str(error).lower() for text in _BLOCKING_BAD_REQUESTS):
                    raise
                self._refuse(claim, animation, error)
            except OSError as error:  # the file went missing or can't be read
                self._refuse(claim, animation, error)
        return await self.api.send_photo(
            claim.chat_id, card.picture, card.caption_html, markup, **self._request_kwargs
        )

    def _refuse(self, claim: Claimed, animation: Path, error: Exception) -> None:
        """Its still goes instead, without asking again until the next start (a new pack comes
        with a restart anyway)."""
        self._refused_animations.add(animation)
        log.warning(
            "animation not sent; sending the still picture instead",
            extra={
                "stretch_id": claim.stretch_id,
                "animation": animation.name,
                "error": str(error),
            },
        )

    def _blocked(self, claim: Claimed, attempts: int, error: Exception) -> Outcome:
        log.info(
            "user unreachable; deactivating",
            extra={"delivery_id": claim.delivery_id, "user_id": claim.user_id, "error": str(error)},
        )
        return Outcome(
            delivery_id=claim.delivery_id,
            status=DeliveryStatus.BLOCKED,
            attempts=attempts,
            error=str(error),
            user_id=claim.user_id,
        )

    def _failed(self, claim: Claimed, attempts: int, error: Exception) -> Outcome:
        return Outcome(
            delivery_id=claim.delivery_id,
            status=DeliveryStatus.FAILED,
            attempts=attempts,
            error=f"{type(error).__name__}: {error}",
        )

    def _retry_delay(self, error: Exception, attempts: int) -> float:
        if isinstance(error, RetryAfter):
            wait = error.retry_after
            return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return self.backoff[min(attempts, len(self.backoff)) - 1] if self.backoff else 0.0
