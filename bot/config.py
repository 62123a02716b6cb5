"""The shop's settings, read from the environment and ``.env``.

Every setting is documented in ``.env.example``. :func:`load_settings` turns any missing or
malformed value into one :class:`ConfigError` line naming the setting, so start-up never
ends in a traceback.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.panel_settings import PanelSettingError, PanelSettings, read_extra_panels
from shop.panels import MAIN_PANEL

DEFAULT_PANEL_API_URL: Final = "https://smmai.net/api/v2"
DEFAULT_CRYPTO_PAY_API_URL: Final = "https://pay.crypt.bot/api"
#: The PANEL_API_URL that runs an embedded sandbox panel instead of a real one.
SANDBOX: Final = "sandbox"
_TOKEN_PATTERN: Final = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_SECRET_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
_URL_PATTERN: Final = re.compile(r"^https?://[^\s/?#]+(/\S*)?$", re.IGNORECASE)

#: What a malformed value should look like, by setting, for the error line.
_EXPECTED: Final = {
    "BOT_TOKEN": "the token from @BotFather, like 123456789:AAE...",
    "PANEL_API_URL": "an http(s) URL such as https://smmai.net/api/v2, or sandbox",
    "PANEL_API_KEY": "the API key from your panel account page",
    "PANEL_TIMEOUT_SECONDS": "a number of seconds from 1 to 300",
    "TELEGRAM_API_URL": "an http(s) URL of a Bot API server, or nothing",
    "ADMIN_CHAT_ID": "the numeric id of the admin group, like -1001234567890",
    "ADMIN_IDS": "comma-separated numeric Telegram user ids, like 11111,22222",
    "DATABASE_PATH": "a file path such as data/bot.sqlite3",
    "MARKUP_PERCENT": "a number of percent from 0 to 10000, like 30",
    "CURRENCY": "a three-letter currency code such as USD",
    "CURRENCY_DECIMALS": "a whole number of decimals from 0 to 4",
    "POLL_INTERVAL_SECONDS": "a number of seconds from 5 to 86400",
    "CATALOGUE_SYNC_MINUTES": "a number of minutes from 1 to 10080",
    "NOTIFY_PER_SECOND": "messages per second in all, more than 0 (Telegram allows about 30)",
    "NOTIFY_CHAT_INTERVAL_SECONDS": "seconds between two messages to one chat, 0 to 60",
    "NOTIFY_GROUP_PER_MINUTE": "messages per minute to one group, 1 to 1000",
    "DEFAULT_LOCALE": "en or ru",
    "STARS_RATE": "the shop money one Telegram Star buys, more than 0, like 0.013",
    "STARS_INVOICE_MINUTES": "a number of minutes from 1 to 10080",
    "TOPUP_MIN": "the smallest top-up in the shop's currency, more than 0",
    "TOPUP_MAX": "the largest top-up in the shop's currency, not below TOPUP_MIN",
    "TOPUP_PRESETS": "comma-separated amounts between TOPUP_MIN and TOPUP_MAX, like 5,10,25",
    "MANUAL_PAYMENT_DETAILS": "the card or bank details customers pay to, up to 1000 characters",
    "MANUAL_PAYMENT_MAX_PENDING": "a whole number of requests from 1 to 100",
    "MANUAL_PAYMENT_MIN": "the smallest transfer, from TOPUP_MIN to TOPUP_MAX, or nothing",
    "REFERRAL_PERCENT": "a percent from 0 to 100 (0 turns referral bonuses off)",
    "SUPPORT_CONTACT": "how customers reach the shop, like @shop_support",
    "LARGE_ORDER_ALERT": "an amount in the shop's currency, or 0 for no alert",
    "PANEL_BALANCE_ALERT": "an amount in the panel's currency, or 0 for no alert",
    "LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR",
    "SANDBOX_SPEED": "how many times faster than real time the sandbox runs, more than 0",
    "WEBHOOK_URL": "the public https URL Telegram sends updates to, or nothing for polling",
    "WEBHOOK_PATH": "a URL path such as /telegram/webhook",
    "WEBHOOK_SECRET": "1 to 256 letters, digits, _ or -",
    "WEBHOOK_HOST": "the address the webhook server listens on, like 127.0.0.1",
    "WEBHOOK_PORT": "a port number from 1 to 65535",
    "CRYPTO_PAY_TOKEN": "the token of your Crypto Pay app (@CryptoBot, Crypto Pay, Create App)",
    "CRYPTO_PAY_API_URL": "an http(s) URL such as https://pay.crypt.bot/api",
    "CRYPTO_PAY_ASSETS": "comma-separated asset codes such as USDT,TON,BTC",
    "CRYPTO_PAY_INVOICE_MINUTES": "a number of minutes from 1 to 44640",
    "CRYPTO_PAY_WEBHOOK_PATH": "a URL path such as /cryptopay/webhook, not WEBHOOK_PATH",
    "CRYPTO_PAY_POLL_SECONDS": "a number of seconds from 1 to 3600",
    "CRYPTO_PAY_MIN": "the smallest crypto top-up, from TOPUP_MIN to TOPUP_MAX, or nothing",
}


#: Characters of MANUAL_PAYMENT_DETAILS: they are shown inside a message with the amount.
MAX_PAYMENT_DETAILS: Final = 1000
#: MANUAL_PAYMENT_DETAILS in sandbox mode when the owner set none: transfers with play money.
SANDBOX_PAYMENT_DETAILS: Final = (
    "Sandbox: no real transfer. Send any photo or file as the receipt, "
    "then approve or reject it in the admin group."
)


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the owner."""


class Settings(BaseSettings):
    """All settings of the bot. Environment variable names are the field names, upper-case."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        # ``.env.example`` leaves optional settings empty (``ADMIN_CHAT_ID=``): empty means
        # not set, in .env and in the environment alike.
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    bot_token: SecretStr
    panel_api_key: SecretStr | None = None
    panel_api_url: str = DEFAULT_PANEL_API_URL
    panel_timeout_seconds: float = Field(default=30, ge=1, le=300)
    telegram_api_url: str | None = None
    admin_chat_id: int | None = None
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    database_path: Path = Path("data/bot.sqlite3")
    markup_percent: Decimal = Field(default=Decimal(30), ge=0, le=10000, allow_inf_nan=False)
    currency: str = "USD"
    currency_decimals: int = Field(default=2, ge=0, le=4)
    poll_interval_seconds: float = Field(default=60, ge=5, le=86400)
    catalogue_sync_minutes: float = Field(default=60, ge=1, le=10080)
    notify_per_second: float = Field(default=30, gt=0, le=1000)
    notify_chat_interval_seconds: float = Field(default=1, ge=0, le=60)
    notify_group_per_minute: int = Field(default=20, ge=1, le=1000)
    stars_rate: Decimal = Field(default=Decimal("0.013"), gt=0, le=1000, allow_inf_nan=False)
    stars_invoice_minutes: int = Field(default=60, ge=1, le=10080)
    topup_min: Decimal = Field(default=Decimal(1), gt=0, allow_inf_nan=False)
    topup_max: Decimal = Field(default=Decimal(500), gt=0, allow_inf_nan=False)
    topup_presets: Annotated[tuple[Decimal, ...], NoDecode] = (
        Decimal(5),
        Decimal(10),
        Decimal(25),
        Decimal(50),
    )
    referral_percent: Decimal = Field(default=Decimal(5), ge=0, le=100, allow_inf_nan=False)
    manual_payment_details: str = Field(default="", max_length=MAX_PAYMENT_DETAILS)
    manual_payment_max_pending: int = Field(default=3, ge=1, le=100)
    #: A transfer's own smallest amount, above TOPUP_MIN (None: TOPUP_MIN).
    manual_payment_min: Decimal | None = Field(default=None, gt=0, allow_inf_nan=False)
    support_contact: str = ""
    #: The channel customers must be in to order: ``@name`` or its numeric id (None: none).
    required_channel: str | int | None = None
    support_per_minute: int = Field(default=10, ge=1, le=1000)
    large_order_alert: Decimal = Field(default=Decimal(0), ge=0, allow_inf_nan=False)
    panel_balance_alert: Decimal = Field(default=Decimal(0), ge=0, allow_inf_nan=False)
    default_locale: Literal["en", "ru"] = "en"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    sandbox_speed: float = Field(default=10, gt=0, le=10000)
    webhook_url: str | None = None
    webhook_path: str = "/telegram/webhook"
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    crypto_pay_token: SecretStr | None = None
    crypto_pay_api_url: str = DEFAULT_CRYPTO_PAY_API_URL
    crypto_pay_assets: Annotated[tuple[str, ...], NoDecode] = ("USDT", "TON", "BTC")
    # Crypto Pay takes expires_in up to 2,678,400 seconds: 31 days.
    crypto_pay_invoice_minutes: int = Field(default=60, ge=1, le=44640)
    crypto_pay_webhook_path: str = "/cryptopay/webhook"
    crypto_pay_poll_seconds: float = Field(default=15, ge=1, le=3600)
    #: A crypto top-up's own smallest amount, above TOPUP_MIN (None: TOPUP_MIN).
    crypto_pay_min: Decimal | None = Field(default=None, gt=0, allow_inf_nan=False)
    #: The panels of PANELS, beyond ``main``: filled by :func:`load_settings`, which reads
    #: their settings (their names depend on PANELS, so they cannot be fields).
    extra_panels: tuple[PanelSettings, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _blank_is_not_set(cls, data: Any) -> Any:
        # Whitespace only (``ADMIN_CHAT_ID= `` in a Docker env file) is empty as well, for
        # every setting whatever its type; a required one left so is then reported missing.
        if not isinstance(data, dict):
            return data
        return {
            name: value
            for name, value in data.items()
            if not (isinstance(value, str) and not value.strip())
        }

    @field_validator("webhook_path", "crypto_pay_webhook_path")
    @classmethod
    def _path_shape(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9/_.-]*", value):
            raise ValueError("not a URL path")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token: 1-256 of A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("not a webhook secret")
        return value

    @field_validator("required_channel", mode="before")
    @classmethod
    def _channel_shape(cls, value: Any) -> Any:
        # A public channel by its @name (a t.me link to it is taken too), or any channel by
        # its id, as Telegram's getChatMember takes them.
        if value is None or isinstance(value, int):
            return value
        text = str(value).strip()
        if re.fullmatch(r"-?\d{1,20}", text):
            return int(text)
        name = re.sub(r"^(?:https?://)?(?:t\.me|telegram\.me)/", "", text).lstrip("@")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name):
            raise ValueError("not a channel's @name or numeric id")
        return f"@{name}"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("not a bot token")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("panel_api_key")
    @classmethod
    def _key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value().strip()
        if not key or any(ch.isspace() for ch in key):
            raise ValueError("empty or contains spaces")
        return SecretStr(key)

    @field_validator("crypto_pay_token")
    @classmethod
    def _crypto_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token or any(ch.isspace() for ch in token):
            raise ValueError("empty or contains spaces")
        return SecretStr(token)

    @field_validator("crypto_pay_assets", mode="before")
    @classmethod
    def _split_assets(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(part.strip().upper() for part in value.split(",") if part.strip())
        if not value or any(not re.fullmatch(r"[A-Z0-9]{2,10}", str(part)) for part in value):
            raise ValueError("not a list of asset codes")
        return tuple(dict.fromkeys(value))

    @field_validator(
        "panel_api_url", "telegram_api_url", "webhook_url", "crypto_pay_api_url", mode="before"
    )
    @classmethod
    def _url_shape(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            defaults = {
                "panel_api_url": DEFAULT_PANEL_API_URL,
                "crypto_pay_api_url": DEFAULT_CRYPTO_PAY_API_URL,
            }
            return defaults.get(str(info.field_name))
        if info.field_name == "panel_api_url" and str(value).strip().lower() == SANDBOX:
            return SANDBOX
        if not isinstance(value, str) or not _URL_PATTERN.match(value.strip()):
            raise ValueError("not an http(s) URL")
        return value.strip().rstrip("/")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @field_validator("topup_presets", mode="before")
    @classmethod
    def _split_amounts(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return tuple(Decimal(part.strip()) for part in value.split(",") if part.strip())
            except InvalidOperation:
                raise ValueError("not a list of amounts") from None
        return value

    @model_validator(mode="after")
    def _key_unless_sandbox(self) -> Settings:
        if self.panel_api_key is None and not self.uses_sandbox:
            raise ValueError(
                "PANEL_API_KEY is not set: add PANEL_API_KEY=... to the environment or to .env"
                " (see .env.example), or run with --sandbox to try the shop without a panel"
            )
        return self

    @model_validator(mode="after")
    def _topup_bounds(self) -> Settings:
        if self.topup_min > self.topup_max:
            raise ValueError("TOPUP_MIN is above TOPUP_MAX")
        if any(not self.topup_min <= preset <= self.topup_max for preset in self.topup_presets):
            raise ValueError("a TOPUP_PRESETS amount is outside TOPUP_MIN..TOPUP_MAX")
        for name, minimum in (
            ("CRYPTO_PAY_MIN", self.crypto_pay_min),
            ("MANUAL_PAYMENT_MIN", self.manual_payment_min),
        ):
            if minimum is not None and not self.topup_min <= minimum <= self.topup_max:
                raise ValueError(f"{name} is outside TOPUP_MIN..TOPUP_MAX")
        return self

    @field_validator("manual_payment_details")
    @classmethod
    def _details_text(cls, value: str) -> str:
        # Blank lines around the text would show as gaps in the customer's message.
        return value.strip()

    @model_validator(mode="after")
    def _manual_payments_need_admins(self) -> Settings:
        if self.manual_payment_details and (self.admin_chat_id is None or not self.admin_ids):
            raise ValueError(
                "MANUAL_PAYMENT_DETAILS needs ADMIN_CHAT_ID and ADMIN_IDS: transfers are"
                " approved by the admins in the admin group"
            )
        return self

    @model_validator(mode="after")
    def _two_webhook_paths(self) -> Settings:
        if self.crypto_pay_webhook_path == self.webhook_path:
            raise ValueError("CRYPTO_PAY_WEBHOOK_PATH is the same as WEBHOOK_PATH")
        return self

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
    def uses_sandbox(self) -> bool:
        """True when the shop runs on its own embedded sandbox panel (no real money)."""
        return self.panel_api_url == SANDBOX

    @property
    def with_sandbox_payments(self) -> Settings:
        """These settings, with play transfer details in sandbox mode when the owner set
        none and there is an admin group to approve them in; else as they are."""
        if (
            not self.uses_sandbox
            or self.manual_payment_details
            or self.admin_chat_id is None
            or not self.admin_ids
        ):
            return self
        return self.model_copy(update={"manual_payment_details": SANDBOX_PAYMENT_DETAILS})

    @property
    def crypto_pay_enabled(self) -> bool:
        """True when customers may top up through Crypto Pay (a token is set)."""
        return self.crypto_pay_token is not None

    @property
    def panels(self) -> tuple[PanelSettings, ...]:
        """Every panel the shop sells from, ``main`` (PANEL_API_URL) first."""
        main = PanelSettings(
            MAIN_PANEL, self.panel_api_url, self.panel_api_key, self.panel_timeout_seconds
        )
        return (main, *self.extra_panels)

    @property
    def panel_key(self) -> SecretStr:
        """The panel's API key (set for every panel but the embedded sandbox's own)."""
        if self.panel_api_key is None:
            raise ConfigError("PANEL_API_KEY is not set")
        return self.panel_api_key


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read the settings; raise :class:`ConfigError` with one line per the first problem."""
    try:
        extra_panels = read_extra_panels(env_file, overrides)
        return Settings(_env_file=env_file, **{**overrides, "extra_panels": extra_panels})
    except PanelSettingError as exc:
        raise ConfigError(str(exc)) from None
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except ValueError as exc:
        # pydantic-settings raises a plain ValueError (SettingsError) for a .env it cannot
        # decode; say so in one line as well.
        raise ConfigError(f"cannot read the settings: {exc}") from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    if not error["loc"]:
        # A rule across settings: its own words name them.
        reason = str(error["msg"]).removeprefix("Value error, ")
        return f"{reason}; fix it in the environment or in .env"
    name = str(error["loc"][0]).upper()
    if error["type"] == "missing":
        return (
            f"{name} is not set: add {name}=... to the environment or to .env "
            f"(see .env.example); expected {_EXPECTED.get(name, 'a value')}"
        )
    return (
        f"{name} is malformed: expected {_EXPECTED.get(name, 'another value')}; "
        f"fix it in the environment or in .env"
    )
