"""A Telegram Bot API emulator for tests, benchmarks and ``stretchbot console``.

python-telegram-bot talks to it over HTTP exactly as to Telegram; tests play the users::

    async with TelegramFake(token="123:ABC") as tg:      # 127.0.0.1, random port
        app = (Application.builder().token(tg.token)
               .base_url(tg.base_url).base_file_url(tg.base_file_url).build())
        # or: telegram.Bot(**tg.bot_kwargs());  tg.api_root is TELEGRAM_API_URL
        alice = tg.user(1001, "Alice", language_code="en")   # private chat id == user id
        await alice.send("/start")            # bot_command entity added, like Telegram
        card = await alice.next_message()     # each bot message once, in order (waits)
        card.caption, card.html, card.photo_file_id, card.photo_bytes, card.button_labels
        answer = await alice.press("Done")    # latest message with buttons; -> CallbackAnswer
        await alice.press_data(card, "forged:data")
        await alice.wait_for(lambda m: "Great" in m.content)   # newest match, edits included
        await alice.wait_for_edit(card)
        await alice.reply_to(card, "done");  await alice.share_location(-36.85, 174.76)
        alice.messages, alice.bot_messages, alice.reply_keyboard, alice.chat_actions
        alice.block(); alice.unblock(); alice.deactivate()   # bot's sends -> 403

        tg.requests           # [RequestRecord(method, params, chat_id, status, fault, at)]
        tg.calls("sendPhoto", ok=True);  tg.uploads;  tg.pending_updates;  tg.commands()
        fault = tg.faults.add("5xx", method="sendPhoto", chat_id=1001, times=2)
        tg.faults.add("latency", seconds=0.2, times=None)     # None = until removed
        tg.faults.add("timeout", method="sendMessage", execute=True)  # sent, answer lost
        fault.remove(); tg.faults.clear()

Fault kinds: latency, 429 (retry_after), 5xx (status), drop, timeout (seconds), blocked,
deactivated, chat_not_found, error (status + description). ``TelegramFake(rate_limit=30,
per_chat_rate_limit=1)`` turns on Telegram's flood control (off by default): strict 1-second
windows, 1000/s for sends with ``allow_paid_broadcast``, and Telegram's penalty (after a 429,
that scope refuses every send until its retry_after has passed).

Standalone: ``python -m bot.telegram_fake --port 8081 --token 123:ABC [--chat 1001]``.
"""

from bot.telegram_fake.errors import ApiError
from bot.telegram_fake.fake import TelegramFake
from bot.telegram_fake.faults import Fault, FaultKind, FaultSet
from bot.telegram_fake.server import RequestRecord
from bot.telegram_fake.users import Button, CallbackAnswer, ChatMessage, FakeUser
from bot.telegram_html import EntityParseError, parse_html, render_html, utf16_length

__all__ = [
    "ApiError",
    "Button",
    "CallbackAnswer",
    "ChatMessage",
    "EntityParseError",
    "FakeUser",
    "Fault",
    "FaultKind",
    "FaultSet",
    "RequestRecord",
    "TelegramFake",
    "parse_html",
    "render_html",
    "utf16_length",
]
