"""Settings from the environment and `.env`, checked once at start-up."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
# setWebhook's secret_token: "1-256 characters. Only characters A-Z, a-z, 0-9, _ and - are allowed."
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram sends webhooks to
HEALTH_PATH = "/healthz"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# How to fix each variable, for the one-line message an operator sees.
HINTS = {
    "TELEGRAM_BOT_TOKEN": (
        "set it to the token @BotFather gave you, e.g. TELEGRAM_BOT_TOKEN=123456:ABC... in .env "
        "(no token yet? try the bot in your browser with `python -m bot sandbox`)"
    ),
    "TELEGRAM_API_BASE_URL": "leave it unset for Telegram, or give a URL like http://127.0.0.1:8081/bot",
    "DATABASE_PATH": "give a file path such as data/bot.sqlite3",
    "DATABASE_URL": (
        "leave it empty for SQLite at DATABASE_PATH, or give a PostgreSQL URL such as "
        "postgresql://bot:PASSWORD@db.example.com:5432/bot"
    ),
    "LOG_LEVEL": "use one of " + ", ".join(LOG_LEVELS),
    "ADMIN_IDS": "give Telegram user ids separated by commas, e.g. ADMIN_IDS=12345,67890",
    "CONTENT_DIR": "leave it unset for the content that ships with the bot, or name a folder like content/",
    "TELEGRAM_RATE_LIMIT": (
        "give messages per second: 30 is what Telegram allows a bot, up to 1000 with paid broadcasts, "
        "0 switches the limiter off"
    ),
    "BOT_MODE": "use polling (the default) or webhook",
    "WEBHOOK_URL": (
        "give the https URL Telegram should post updates to, e.g. WEBHOOK_URL=https://bot.example.com/telegram "
        "(a reverse proxy forwards it to WEBHOOK_LISTEN:WEBHOOK_PORT)"
    ),
    "WEBHOOK_SECRET": (
        "give 1-256 characters of A-Z a-z 0-9 _ - (e.g. from `python -c \"import secrets; "
        "print(secrets.token_urlsafe(32))\"`)"
    ),
    "WEBHOOK_LISTEN": "give the address to serve the webhook on, e.g. 127.0.0.1 behind a reverse proxy",
    "WEBHOOK_PORT": "give a port from 1 to 65535",
    "WEBHOOK_MAX_PENDING": "give a whole number of updates, at least 1",
}
MAX_RATE_LIMIT = 1000


class ContentSettings(BaseSettings):
    """The one setting the offline commands (check-content, ask, sandbox) read: no token needed."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    content_dir: Path | None = None  # None: the content shipped with the bot

    @field_validator("content_dir", mode="before")
    @classmethod
    def _content_dir_empty(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # CONTENT_DIR= in .env

    @field_validator("content_dir")
    @classmethod
    def _content_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"'{value}' is not a folder")
        return value


def _database_url(value: object) -> object:
    """DATABASE_URL: empty means SQLite; else a postgresql:// or postgres:// URL. The message
    never repeats the value: it may hold a password."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not value.strip().startswith(("postgresql://", "postgres://")):
        raise ValueError("must start with postgresql:// or postgres://")
    return value.strip()


class DatabaseSettings(BaseSettings):
    """DATABASE_PATH and DATABASE_URL alone, for `python -m bot backup`: no token needed."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_path: Path = Path("data/bot.sqlite3")
    database_url: SecretStr | None = None

    @field_validator("database_url", mode="before")
    @classmethod
    def _db_url(cls, value: object) -> object:
        return _database_url(value)


class Settings(ContentSettings):
    telegram_bot_token: SecretStr
    telegram_api_base_url: str | None = None
    database_path: Path = Path("data/bot.sqlite3")
    # The answer engine, saved once built (bot.engine_cache): a restart loads it in a fifth of the
    # time. Empty: build it at every start.
    engine_cache_dir: Path | None = Path("data/cache")
    # PostgreSQL instead of SQLite (several processes share it); secret: it may hold a password.
    database_url: SecretStr | None = None
    log_level: str = "INFO"
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    telegram_rate_limit: int = 30  # messages per second overall; 0: no limiter
    # Webhook mode (bot.telegram.webhook); the URL and secret are checked only when it is chosen.
    bot_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = Field(default=None, validate_default=True)
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_max_pending: int = Field(default=1000, ge=1)  # updates taken but not yet handled; then 429

    @field_validator("engine_cache_dir", mode="before")
    @classmethod
    def _cache_dir_empty(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # ENGINE_CACHE_DIR= in .env

    @field_validator("bot_mode", mode="before")
    @classmethod
    def _mode(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower() or "polling"
            if value not in ("polling", "webhook"):
                raise ValueError(f"'{value}' is not a mode")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = value.strip() if value else None
        if info.data.get("bot_mode") != "webhook":
            return value
        if not value:
            raise ValueError("is required when BOT_MODE=webhook")
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be an https:// URL (Telegram only posts to https)")
        try:
            port = parts.port or 443
        except ValueError:
            raise ValueError("has a bad port") from None
        if port not in WEBHOOK_PORTS:
            raise ValueError(f"uses port {port}, but Telegram only posts to ports 443, 80, 88 and 8443")
        if (parts.path or "/") == HEALTH_PATH:
            raise ValueError(f"must not end in {HEALTH_PATH}, which answers health checks")
        token = info.data.get("telegram_bot_token")
        if token is not None and token.get_secret_value() in value:
            raise ValueError("must not contain the bot token (the secret header is what proves a request)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("bot_mode") != "webhook":
            return value
        secret = value.get_secret_value().strip() if value is not None else ""
        if not secret:
            raise ValueError("is required when BOT_MODE=webhook")
        if not WEBHOOK_SECRET_PATTERN.match(secret):
            raise ValueError("must be 1-256 characters of A-Z a-z 0-9 _ - (what Telegram allows)")
        return SecretStr(secret)

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("is empty")
        return value

    @field_validator("telegram_rate_limit", mode="before")
    @classmethod
    def _rate_limit(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or "30"
            if not re.fullmatch(r"\d+", value):
                raise ValueError(f"must be a whole number from 0 to {MAX_RATE_LIMIT} (got '{value}')")
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_RATE_LIMIT:
            raise ValueError(f"must be a whole number from 0 to {MAX_RATE_LIMIT} (got {value})")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("is empty")
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token (digits, a colon, then letters)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in LOG_LEVELS:
            raise ValueError(f"'{value}' is not a log level")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> frozenset[int]:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("must be numbers separated by commas")
            return frozenset(int(p) for p in parts)
        return value  # type: ignore[return-value]

    @field_validator("database_url", mode="before")
    @classmethod
    def _db_url(cls, value: object) -> object:
        return _database_url(value)

    @field_validator("database_path")
    @classmethod
    def _db_path(cls, value: Path) -> Path:
        if str(value).strip() in ("", "."):
            raise ValueError("is empty")
        if value.exists() and value.is_dir():
            raise ValueError(f"'{value}' is a folder, not a file")
        return value

    @property
    def token(self) -> str:
        return self.telegram_bot_token.get_secret_value()

    @property
    def database_url_value(self) -> str | None:
        """DATABASE_URL in clear, for the driver only: log bot.storage.pg.describe_url(...) instead."""
        return self.database_url.get_secret_value() if self.database_url else None

    @property
    def database_name(self) -> str:
        """What the logs and messages call the database: never the URL itself."""
        if self.database_url is not None:
            from bot.storage.pg import describe_url

            return describe_url(self.database_url.get_secret_value())
        return str(self.database_path)

    @property
    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)


class SettingsError(Exception):
    """A one-line, operator-facing description of the first bad setting."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_first_problem(exc)) from None


def load_database_path() -> Path:
    """DATABASE_PATH from the environment or .env (default data/bot.sqlite3)."""
    try:
        return DatabaseSettings().database_path
    except ValidationError as exc:
        raise SettingsError(_first_problem(exc)) from None


def load_database_url() -> str | None:
    """DATABASE_URL from the environment or .env (None: SQLite at DATABASE_PATH)."""
    try:
        url = DatabaseSettings().database_url
    except ValidationError as exc:
        raise SettingsError(_first_problem(exc)) from None
    return url.get_secret_value() if url else None


def load_content_dir() -> Path | None:
    """CONTENT_DIR from the environment or .env (None: the shipped content)."""
    try:
        return ContentSettings().content_dir
    except ValidationError as exc:
        raise SettingsError(_first_problem(exc)) from None


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    name = str(err["loc"][0]).upper() if err["loc"] else "SETTINGS"
    problem = "is missing" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
    hint = HINTS.get(name, "check its value")
    return f"{name} {problem}: {hint}."
