"""Settings: read from the environment and .env; a bad value stops start-up in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import DEFAULT_PANEL_API_URL, ConfigError, Settings, load_settings

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
SETTING_NAMES = [
    "BOT_TOKEN", "PANEL_API_URL", "PANEL_API_KEY", "TELEGRAM_API_URL", "ADMIN_CHAT_ID",
    "ADMIN_IDS", "DATABASE_PATH", "MARKUP_PERCENT", "CURRENCY", "CURRENCY_DECIMALS",
    "POLL_INTERVAL_SECONDS", "CATALOGUE_SYNC_MINUTES", "NOTIFY_PER_SECOND",
    "NOTIFY_CHAT_INTERVAL_SECONDS", "NOTIFY_GROUP_PER_MINUTE", "STARS_RATE", "TOPUP_MIN",
    "TOPUP_MAX", "TOPUP_PRESETS", "REFERRAL_PERCENT", "SUPPORT_CONTACT", "LARGE_ORDER_ALERT",
    "PANEL_BALANCE_ALERT", "DEFAULT_LOCALE", "LOG_LEVEL", "PANEL_TIMEOUT_SECONDS",
    "STARS_INVOICE_MINUTES",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in {*SETTING_NAMES, *(field.upper() for field in Settings.model_fields)}:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_with_only_the_required_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "k" * 32)
    settings = load_settings()
    assert settings.panel_api_url == DEFAULT_PANEL_API_URL
    assert settings.database_path == Path("data/bot.sqlite3")
    assert settings.markup_percent == Decimal(30)
    assert settings.currency == "USD"
    assert settings.default_locale == "en"
    assert settings.admin_ids == ()
    assert settings.telegram_api_url is None
    assert settings.stars_invoice_minutes == 60


def test_every_setting_is_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "\n".join(
            [
                f"BOT_TOKEN={TOKEN}",
                "PANEL_API_KEY=secret-key",
                "PANEL_API_URL=http://127.0.0.1:8081/api/v2",
                "TELEGRAM_API_URL=http://127.0.0.1:8082/",
                "ADMIN_CHAT_ID=-1001234567890",
                "ADMIN_IDS=11111, 22222",
                "DATABASE_PATH=/tmp/shop.sqlite3",
                "MARKUP_PERCENT=12.5",
                "CURRENCY=eur",
                "CURRENCY_DECIMALS=2",
                "POLL_INTERVAL_SECONDS=30",
                "PANEL_TIMEOUT_SECONDS=12.5",
                "CATALOGUE_SYNC_MINUTES=15",
                "NOTIFY_PER_SECOND=25",
                "NOTIFY_CHAT_INTERVAL_SECONDS=1.5",
                "NOTIFY_GROUP_PER_MINUTE=19",
                "STARS_RATE=0.02",
                "STARS_INVOICE_MINUTES=15",
                "TOPUP_MIN=2",
                "TOPUP_MAX=100",
                "TOPUP_PRESETS=2, 20,100",
                "REFERRAL_PERCENT=7.5",
                "SUPPORT_CONTACT=@shop_help",
                "DEFAULT_LOCALE=ru",
                "LOG_LEVEL=DEBUG",
            ]
        )
    )
    settings = load_settings()
    assert settings.bot_token.get_secret_value() == TOKEN
    assert settings.panel_api_key.get_secret_value() == "secret-key"
    assert settings.panel_api_url == "http://127.0.0.1:8081/api/v2"
    assert settings.telegram_api_url == "http://127.0.0.1:8082"
    assert settings.admin_chat_id == -1001234567890
    assert settings.admin_ids == (11111, 22222)
    assert settings.database_path == Path("/tmp/shop.sqlite3")
    assert settings.markup_percent == Decimal("12.5")
    assert settings.currency == "EUR"
    assert settings.poll_interval_seconds == 30
    assert settings.panel_timeout_seconds == 12.5
    assert settings.catalogue_sync_minutes == 15
    assert (
        settings.notify_per_second,
        settings.notify_chat_interval_seconds,
        settings.notify_group_per_minute,
    ) == (25, 1.5, 19)
    assert settings.stars_rate == Decimal("0.02")
    assert settings.stars_invoice_minutes == 15
    assert (settings.topup_min, settings.topup_max) == (2, 100)
    assert settings.topup_presets == (Decimal(2), Decimal(20), Decimal(100))
    assert settings.referral_percent == Decimal("7.5")
    assert settings.support_contact == "@shop_help"
    assert settings.default_locale == "ru"
    assert settings.log_level == "DEBUG"


def test_secrets_do_not_show_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "very-secret-key")
    text = repr(load_settings())
    assert TOKEN not in text
    assert "very-secret-key" not in text


@pytest.mark.parametrize(
    ("env", "name", "word"),
    [
        ({"PANEL_API_KEY": "k"}, "BOT_TOKEN", "not set"),
        ({"BOT_TOKEN": TOKEN}, "PANEL_API_KEY", "not set"),
        ({"BOT_TOKEN": "12345", "PANEL_API_KEY": "k"}, "BOT_TOKEN", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "ADMIN_IDS": "1,x"}, "ADMIN_IDS", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "PANEL_API_URL": "ftp://x"},
         "PANEL_API_URL", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "MARKUP_PERCENT": "-5"},
         "MARKUP_PERCENT", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "DEFAULT_LOCALE": "de"},
         "DEFAULT_LOCALE", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "ADMIN_CHAT_ID": "group"},
         "ADMIN_CHAT_ID", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "POLL_INTERVAL_SECONDS": "1"},
         "POLL_INTERVAL_SECONDS", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "PANEL_TIMEOUT_SECONDS": "0"},
         "PANEL_TIMEOUT_SECONDS", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "TOPUP_PRESETS": "5,x"},
         "TOPUP_PRESETS", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "STARS_INVOICE_MINUTES": "0"},
         "STARS_INVOICE_MINUTES", "malformed"),
        ({"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "k", "STARS_INVOICE_MINUTES": "10081"},
         "STARS_INVOICE_MINUTES", "malformed"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], name: str, word: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} is {word}")
    assert "\n" not in message
    assert ".env" in message


def test_smm_bot_without_settings_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in SETTING_NAMES}
    env["BOT_TOKEN"] = "not-a-token"
    env["PANEL_API_KEY"] = "abc"
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [lines[0]]
    assert lines[0].startswith("smm-bot: BOT_TOKEN is malformed")
    assert "not-a-token" not in done.stderr


def test_settings_that_contradict_each_other_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "k")
    monkeypatch.setenv("TOPUP_MIN", "50")
    monkeypatch.setenv("TOPUP_MAX", "10")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == (
        "TOPUP_MIN is above TOPUP_MAX; fix it in the environment or in .env"
    )


#: Every setting with a default, but PANEL_API_KEY (required unless on the sandbox).
OPTIONAL_SETTINGS = [
    name
    for name, field in Settings.model_fields.items()
    if not field.is_required() and name != "panel_api_key"
]


@pytest.mark.parametrize("where", ["dotenv", "environment"])
def test_an_empty_value_means_the_setting_is_not_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    """``.env.example`` leaves optional settings empty (``ADMIN_CHAT_ID=``): each then takes
    its default, whatever its type or validator."""
    blanks = [f"{name.upper()}=" for name in OPTIONAL_SETTINGS]
    if where == "dotenv":
        (tmp_path / ".env").write_text(
            "\n".join([f"BOT_TOKEN={TOKEN}", "PANEL_API_KEY=key", *blanks]) + "\n"
        )
    else:
        monkeypatch.setenv("BOT_TOKEN", TOKEN)
        monkeypatch.setenv("PANEL_API_KEY", "key")
        for name in OPTIONAL_SETTINGS:
            monkeypatch.setenv(name.upper(), "")
    settings = load_settings()
    for name in OPTIONAL_SETTINGS:
        assert getattr(settings, name) == Settings.model_fields[name].default, name


def test_blank_values_mean_not_set_as_well(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "key")
    monkeypatch.setenv("ADMIN_CHAT_ID", "  ")
    monkeypatch.setenv("ADMIN_IDS", " ")
    monkeypatch.setenv("MARKUP_PERCENT", "\t")
    settings = load_settings()
    assert (settings.admin_chat_id, settings.admin_ids) == (None, ())
    assert settings.markup_percent == Decimal(30)


@pytest.mark.parametrize("where", ["dotenv", "environment"])
@pytest.mark.parametrize("name", ["BOT_TOKEN", "PANEL_API_KEY"])
def test_an_empty_required_setting_is_reported_as_not_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, where: str
) -> None:
    values = {"BOT_TOKEN": TOKEN, "PANEL_API_KEY": "key", name: ""}
    if where == "dotenv":
        (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    else:
        for key, value in values.items():
            monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{name} is not set: add {name}=...")


def test_the_environment_wins_over_an_empty_value_in_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=\nPANEL_API_KEY=key\nADMIN_CHAT_ID=\n")
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_CHAT_ID", "-1001234567890")
    settings = load_settings()
    assert settings.bot_token.get_secret_value() == TOKEN
    assert settings.admin_chat_id == -1001234567890


def test_transfers_are_off_unless_their_details_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "k")
    settings = load_settings()
    assert (settings.manual_payment_details, settings.manual_payment_max_pending) == ("", 3)


def test_transfer_details_are_read_with_their_new_lines(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={TOKEN}\nPANEL_API_KEY=k\nADMIN_CHAT_ID=-100200\nADMIN_IDS=7\n"
        'MANUAL_PAYMENT_DETAILS="  Card 4242 4242 4242 4242\\nJohn Doe  "\n'
        "MANUAL_PAYMENT_MAX_PENDING=5\n"
    )
    settings = load_settings()
    assert settings.manual_payment_details == "Card 4242 4242 4242 4242\nJohn Doe"
    assert settings.manual_payment_max_pending == 5


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MANUAL_PAYMENT_MAX_PENDING": "0"}, "MANUAL_PAYMENT_MAX_PENDING is malformed"),
        ({"MANUAL_PAYMENT_MAX_PENDING": "x"}, "MANUAL_PAYMENT_MAX_PENDING is malformed"),
        ({"MANUAL_PAYMENT_DETAILS": "x" * 1001}, "MANUAL_PAYMENT_DETAILS is malformed"),
        (
            {"MANUAL_PAYMENT_DETAILS": "Card 4242", "ADMIN_IDS": ""},
            "MANUAL_PAYMENT_DETAILS needs ADMIN_CHAT_ID and ADMIN_IDS",
        ),
    ],
)
def test_bad_transfer_settings_are_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for key, value in {
        "BOT_TOKEN": TOKEN,
        "PANEL_API_KEY": "k",
        "ADMIN_CHAT_ID": "-100200",
        "ADMIN_IDS": "7",
        **env,
    }.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_the_sandbox_offers_transfers_with_play_money_unless_the_owner_set_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_URL", "sandbox")
    assert load_settings().with_sandbox_payments.manual_payment_details == ""  # no admin group
    monkeypatch.setenv("ADMIN_CHAT_ID", "-100200")
    monkeypatch.setenv("ADMIN_IDS", "7")
    details = load_settings().with_sandbox_payments.manual_payment_details
    assert details.startswith("Sandbox: no real transfer.")
    monkeypatch.setenv("MANUAL_PAYMENT_DETAILS", "Card 4242")
    assert load_settings().with_sandbox_payments.manual_payment_details == "Card 4242"
    monkeypatch.setenv("PANEL_API_URL", "https://panel.example/api/v2")
    monkeypatch.setenv("PANEL_API_KEY", "k")
    monkeypatch.delenv("MANUAL_PAYMENT_DETAILS")
    assert load_settings().with_sandbox_payments.manual_payment_details == ""


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("@smm_news", "@smm_news"),
        ("smm_news", "@smm_news"),
        ("https://t.me/smm_news", "@smm_news"),
        ("t.me/SMM_News", "@SMM_News"),
        ("-1001234567890", -1001234567890),
    ],
)
def test_the_required_channel_is_read_by_name_link_or_id(
    monkeypatch: pytest.MonkeyPatch, value: str, read: str | int
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "k")
    monkeypatch.setenv("REQUIRED_CHANNEL", value)
    assert load_settings().required_channel == read


@pytest.mark.parametrize("value", ["@no", "@has space", "https://example.com/x", "@1digit"])
def test_a_channel_that_is_no_name_or_id_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "k")
    monkeypatch.setenv("REQUIRED_CHANNEL", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("REQUIRED_CHANNEL is malformed")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("value", ["0", "-3", "ten", "2.5"])
def test_a_bad_support_limit_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    for key, setting in {
        "BOT_TOKEN": TOKEN,
        "PANEL_API_KEY": "k",
        "SUPPORT_PER_MINUTE": value,
    }.items():
        monkeypatch.setenv(key, setting)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("SUPPORT_PER_MINUTE is malformed")
    assert "\n" not in str(caught.value)


def test_the_support_limit_defaults_to_ten_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PANEL_API_KEY", "k")
    assert load_settings().support_per_minute == 10
    monkeypatch.setenv("SUPPORT_PER_MINUTE", "3")
    assert load_settings().support_per_minute == 3
