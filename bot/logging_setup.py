"""One line per event (key=value or JSON), with secrets redacted from every line.

httpx logs each request URL at INFO, and Bot API URLs contain the token; we lower httpx to
WARNING *and* redact at the formatter, so a token can't leak through any other logger either
(tracebacks included).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

REDACTED = "<redacted>"

# Attributes every LogRecord has; anything else was passed with `extra=` and is printed.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)

# python-telegram-bot logs (at DEBUG) the secret token each refused webhook request carried: an
# attacker's guess, or the old secret after a change; neither belongs in a log.
_REFUSED_SECRET = "Request had the wrong secret token: %s"

NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "alembic")


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


def _kv_value(value: object) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' ="\n'):
        return json.dumps(text, ensure_ascii=False)
    return text


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)
        self._json = fmt == "json"

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": _REFUSED_SECRET % REDACTED
            if record.msg == _REFUSED_SECRET
            else record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        if self._json:
            line = json.dumps(fields, ensure_ascii=False, default=str)
        else:
            line = " ".join(f"{key}={_kv_value(value)}" for key, value in fields.items())
        return self.redact(line)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(
    level: str, fmt: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets, fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
