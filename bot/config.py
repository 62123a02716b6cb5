"""The shop's settings, read from the environment and ``.env``.

Every setting is documented in ``.env.example``. :func:`load_settings` turns any missing or
malformed value into one :class:`ConfigError` line naming the setting, so start-up never
ends in a traceback.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_PANEL_API_URL: Final = "https://smmai.net/api/v2"
_TOKEN_PATTERN: Final = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_URL_PATTERN: Final = re.compile(r"^https?://[^\s/?#]+(/\S*)?$", re.IGNORECASE)

#: What a malformed value should look like, by setting, for the error line.
_EXPECTED: Final = {
    "BOT_TOKEN": "the token from @BotFather, like 123456789:AAE...",
    "PANEL_API_URL": "an http(s) URL such as https://smmai.net/api/v2",
    "PANEL_API_KEY": "the API key from your panel account page",
    "TELEGRAM_API_URL": "an http(s) URL of a Bot API server, or nothing",
    "ADMIN_CHAT_ID": "the numeric id of the admin group, like -1001234567890",
    "ADMIN_IDS": "comma-separated numeric Telegram user ids, like 11111,22222",
    "DATABASE_PATH": "a file path such as data/bot.sqlite3",
    "MARKUP_PERCENT": "a number of percent from 0 to 10000, like 30",
    "CURRENCY": "a three-letter currency code such as USD",
    "CURRENCY_DECIMALS": "a whole number of decimals from 0 to 4",
    "POLL_INTERVAL_SECONDS": "a number of seconds from 5 to 86400",
    "CATALOGUE_SYNC_MINUTES": "a number of minutes from 1 to 10080",
    "DEFAULT_LOCALE": "en or ru",
    "LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR",
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the owner."""


class Settings(BaseSettings):
    """All settings of the bot. Environment variable names are the field names, upper-case."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        frozen=True,
    )

    bot_token: SecretStr
    panel_api_key: SecretStr
    panel_api_url: str = DEFAULT_PANEL_API_URL
    telegram_api_url: str | None = None
    admin_chat_id: int | None = None
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    database_path: Path = Path("data/bot.sqlite3")
    markup_percent: Decimal = Field(default=Decimal(30), ge=0, le=10000, allow_inf_nan=False)
    currency: str = "USD"
    currency_decimals: int = Field(default=2, ge=0, le=4)
    poll_interval_seconds: float = Field(default=60, ge=5, le=86400)
    catalogue_sync_minutes: float = Field(default=60, ge=1, le=10080)
    default_locale: Literal["en", "ru"] = "en"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("not a bot token")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("panel_api_key")
    @classmethod
    def _key_present(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value().strip()
        if not key or any(ch.isspace() for ch in key):
            raise ValueError("empty or contains spaces")
        return SecretStr(key)

    @field_validator("panel_api_url", "telegram_api_url", mode="before")
    @classmethod
    def _url_shape(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not _URL_PATTERN.match(value.strip()):
            raise ValueError("not an http(s) URL")
        return value.strip().rstrip("/")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        code = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError("not a currency code")
        return code

    @field_validator("default_locale", "log_level", mode="before")
    @classmethod
    def _normalise_word(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @property
    def admin_id_set(self) -> frozenset[int]:
        return frozenset(self.admin_ids)


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read the settings; raise :class:`ConfigError` with one line per the first problem."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except ValueError as exc:
        # pydantic-settings raises a plain ValueError (SettingsError) for a .env it cannot
        # decode; say so in one line as well.
        raise ConfigError(f"cannot read the settings: {exc}") from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]).upper() if error["loc"] else "a setting"
    if error["type"] == "missing":
        return (
            f"{name} is not set: add {name}=... to the environment or to .env "
            f"(see .env.example); expected {_EXPECTED.get(name, 'a value')}"
        )
    return (
        f"{name} is malformed: expected {_EXPECTED.get(name, 'another value')}; "
        f"fix it in the environment or in .env"
    )
