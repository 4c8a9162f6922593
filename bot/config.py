"""Settings from the environment (and `.env`), validated once at start.

Every setting is listed in README.md and `.env.example`; a test keeps the three in step.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A BotFather token is "<bot id>:<35 url-safe characters>"; accept any plausible length so
# emulator tokens and future formats pass, but catch pasted quotes, spaces and half tokens.
_TOKEN_PATTERN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{20,80}$")

PACKAGE_ROOT = Path(__file__).resolve().parent
# The clinic's pack: installed from a wheel it is package data (setup.py maps the repository's
# content/ to bot/content); in a source checkout (or an editable install) it is content/ itself.
_PACKAGED_CONTENT_DIR = PACKAGE_ROOT / "content"
DEFAULT_CONTENT_DIR = (
    _PACKAGED_CONTENT_DIR if _PACKAGED_CONTENT_DIR.is_dir() else PACKAGE_ROOT.parent / "content"
)
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/stretchbot.sqlite3"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the setting in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Token from @BotFather (secret). Required by `run`."
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: SQLite (default, a file under ./data) or PostgreSQL.",
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Bot API server root; methods are called at {root}/bot{token}/{method}.",
    )
    content_dir: Path = Field(
        default=DEFAULT_CONTENT_DIR, description="The stretch content pack to serve."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log verbosity."
    )
    log_format: Literal["keyvalue", "json"] = Field(
        default="keyvalue", description="One line per event: key=value or JSON."
    )
    missed_grace_minutes: int = Field(
        default=120,
        ge=1,
        le=24 * 60,
        description="After downtime, reminders later than this are recorded missed, not sent.",
    )
    dispatch_safety_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="The dispatcher also looks for due reminders at least this often.",
    )
    send_concurrency: int = Field(
        default=64, ge=1, le=1000, description="Reminders in flight to Telegram at once."
    )
    delivery_lease_seconds: int = Field(
        default=10,
        ge=5,
        le=3600,
        description="A claimed reminder is claimed again this long after the process that "
        "claimed it stopped renewing its lease (a crash): a crash costs this much lateness.",
    )
    shared_rate_budget: bool = Field(
        default=True,
        description="On PostgreSQL, every process on the database shares one Telegram rate "
        "budget (replicas); off: each process paces alone as if it were the only one.",
    )
    paid_broadcast: bool = Field(
        default=False,
        description="Send reminders with allow_paid_broadcast: up to PAID_BROADCAST_RATE a "
        "second instead of 30, paid in Telegram Stars (0.1 Star per message).",
    )
    paid_broadcast_rate: int = Field(
        default=1000,
        ge=1,
        le=1000,
        description="With PAID_BROADCAST: messages a second over all chats (Telegram: up to 1000).",
    )
    update_lease_seconds: int = Field(
        default=30,
        ge=2,
        le=3600,
        description="An update being handled by a process that died is handled again after "
        "this (its lease is renewed while it is being handled).",
    )
    stronger_after_dones: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Dones of a variation (no Easier or It hurts between) before the stronger "
        "one is offered.",
    )
    card_animations: bool = Field(
        default=True,
        description="Send a reminder's stretch card as its animation (sendAnimation) where the "
        "content pack has one; the still picture is the fallback.",
    )
    nudge_after_minutes: int = Field(
        default=180,
        ge=10,
        le=24 * 60,
        description="One gentle follow-up when a prompt is still unanswered after this long.",
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), description="Comma-separated Telegram user ids allowed to use /stats."
    )
    webhook_listen: str = Field(
        default="0.0.0.0",
        description="`run --webhook`: the address the webhook server listens on.",
    )
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, description="`run --webhook`: the port it listens on."
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="`run --webhook`: the secret Telegram sends with each update (1-256 of "
        "A-Z a-z 0-9 _ -); generated at each start when unset.",
    )
    shutdown_drain_seconds: float = Field(
        default=6.0,
        ge=0,
        le=8,
        description="On SIGTERM, how long updates and reminders in flight may take to finish "
        "before the rest are handed back (the process exits within 10 s).",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve /healthz and Prometheus /metrics on this port (off when unset).",
    )
    metrics_listen: str = Field(
        default="0.0.0.0",
        description="The address the /healthz and /metrics endpoint listens on.",
    )

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        if not _TOKEN_PATTERN.fullmatch(value.get_secret_value()):
            # Never echo the value: it may be a real token with a typo.
            raise ValueError("is malformed: expected <digits>:<letters> as @BotFather gives it")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip() == "" else value

    @field_validator("content_dir", mode="before")
    @classmethod
    def _empty_is_the_shipped_pack(cls, value: object) -> object:
        # `CONTENT_DIR=` (as in .env.example) would otherwise be Path(""), the working folder.
        return DEFAULT_CONTENT_DIR if isinstance(value, str) and value.strip() == "" else value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/:]+(:[0-9]{1,5})?(/[^\s]*)?", value):
            raise ValueError(f"is not an http(s) URL: {value!r}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_driver(cls, value: str) -> str:
        value = value.strip()
        # Accept the URLs people paste (postgres://, postgresql://, sqlite:///) and pick the
        # async drivers this project ships with.
        for prefix, async_prefix in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if value.startswith(prefix):
                return async_prefix + value[len(prefix) :]
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(re.fullmatch(r"[0-9]{1,20}", part) for part in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return frozenset(int(part) for part in parts)
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        if self.telegram_bot_token is None:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the "
                "environment or .env"
            )
        return self.telegram_bot_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings, turning pydantic's report into one line per setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} {message}") from None
