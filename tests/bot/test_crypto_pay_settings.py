"""Crypto Pay's settings, and the play-money Crypto Pay of ``--sandbox``."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp
import pytest

from api.cryptopay import CryptoPayClient, InvoiceStatus
from bot import embedded_sandbox as embedded
from bot.config import ConfigError, load_settings

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"


def _settings(**values: object) -> object:
    return load_settings(env_file=None, bot_token=TOKEN, panel_api_url="sandbox", **values)


def test_crypto_pay_is_off_without_a_token_and_has_its_defaults() -> None:
    settings = load_settings(env_file=None, bot_token=TOKEN, panel_api_url="sandbox")
    assert not settings.crypto_pay_enabled
    assert settings.crypto_pay_api_url == "https://pay.crypt.bot/api"
    assert settings.crypto_pay_assets == ("USDT", "TON", "BTC")
    assert settings.crypto_pay_invoice_minutes == 60
    assert settings.crypto_pay_webhook_path == "/cryptopay/webhook"
    on = load_settings(
        env_file=None,
        bot_token=TOKEN,
        panel_api_url="sandbox",
        crypto_pay_token=" 1234:AAtoken ",
        crypto_pay_api_url="https://testnet-pay.crypt.bot/api/",
        crypto_pay_assets="usdt, ton,USDT",
    )
    assert on.crypto_pay_enabled
    assert on.crypto_pay_token is not None
    assert on.crypto_pay_token.get_secret_value() == "1234:AAtoken"
    assert on.crypto_pay_api_url == "https://testnet-pay.crypt.bot/api"
    assert on.crypto_pay_assets == ("USDT", "TON")


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("crypto_pay_token", "two words", "CRYPTO_PAY_TOKEN is malformed: expected the token"),
        ("crypto_pay_api_url", "pay.crypt.bot", "CRYPTO_PAY_API_URL is malformed"),
        ("crypto_pay_assets", "USDT;;TON", "CRYPTO_PAY_ASSETS is malformed"),
        ("crypto_pay_invoice_minutes", "0", "CRYPTO_PAY_INVOICE_MINUTES is malformed"),
        ("crypto_pay_invoice_minutes", "50000", "CRYPTO_PAY_INVOICE_MINUTES is malformed"),
        ("crypto_pay_webhook_path", "cryptopay", "CRYPTO_PAY_WEBHOOK_PATH is malformed"),
        (
            "crypto_pay_webhook_path",
            "/telegram/webhook",
            "CRYPTO_PAY_WEBHOOK_PATH is the same as WEBHOOK_PATH",
        ),
        ("crypto_pay_poll_seconds", "0", "CRYPTO_PAY_POLL_SECONDS is malformed"),
    ],
)
def test_a_bad_crypto_pay_setting_stops_the_start_with_one_line_naming_it(
    name: str, value: str, line: str
) -> None:
    with pytest.raises(ConfigError) as error:
        _settings(**{name: value})
    assert str(error.value).startswith(line)
    assert "\n" not in str(error.value)


async def test_the_sandbox_offers_play_money_invoices_that_pay_themselves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embedded, "CRYPTO_AUTO_PAY_SECONDS", 0.05)
    async with embedded.embedded_sandbox(speed=10) as sandbox:
        async with CryptoPayClient(sandbox.crypto_pay_token, sandbox.crypto_pay_url) as client:
            assert (await client.get_me()).name == "Sandbox shop"
            invoice = await client.create_invoice(
                Decimal(10), "USD", ["USDT", "TON"], "key", "Top-up", 3600
            )
            # The owner opens the pay page, as a customer would.
            async with aiohttp.ClientSession() as http, http.get(invoice.bot_invoice_url) as page:
                assert "pays it by itself" in await page.text()

            async def paid() -> None:
                while not (await client.get_invoices([invoice.invoice_id]))[
                    invoice.invoice_id
                ].is_paid:
                    await asyncio.sleep(0.02)

            await asyncio.wait_for(paid(), 5)
            shown = (await client.get_invoices([invoice.invoice_id]))[invoice.invoice_id]
        assert shown.status is InvoiceStatus.PAID
        assert shown.paid_asset == "USDT"
