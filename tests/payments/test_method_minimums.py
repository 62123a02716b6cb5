"""A way to pay with a smallest top-up of its own (CRYPTO_PAY_MIN, MANUAL_PAYMENT_MIN): its
amounts start there, a smaller one is refused in plain words, and Stars keeps TOPUP_MIN."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestServer

from api.cryptopay.sandbox import CryptoPaySandbox, create_app
from api.sandbox import ManualClock
from bot.config import ConfigError, load_settings
from bot.runtime import Runtime
from shop.payments import AmountProblem, AmountRefused, read_amount
from shop.topups import TopUpMethod

from ..conftest import PANEL_KEY, TOKEN
from ..support.telegram import BotClient
from .manual import choose_transfer, manual_settings

CRYPTO_TOKEN = "31337:AAcryptoPayTokenOfTheShopApp"


@pytest.fixture
async def crypto_pay_url(clock: ManualClock) -> AsyncIterator[str]:
    server = TestServer(create_app(CryptoPaySandbox(CRYPTO_TOKEN, clock=clock)), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/api"))
    await server.close()


@pytest.fixture
def settings_overrides(crypto_pay_url: str) -> dict[str, object]:
    # TOPUP_MIN 1, presets 5, 10, 25, 50 (the defaults).
    return manual_settings(
        crypto_pay_token=CRYPTO_TOKEN,
        crypto_pay_api_url=crypto_pay_url,
        crypto_pay_min=Decimal(20),
        manual_payment_min=Decimal(10),
    )


async def test_each_way_offers_and_takes_amounts_from_its_own_minimum(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Crypto (CryptoBot)")
    crypto = alice.screen.last
    assert "type another from 20.00 USD to 500.00 USD." in (crypto.text or "")
    assert crypto.buttons[0] == ["25.00 USD", "50.00 USD"]
    await alice.click("Another amount")
    await alice.send("15")
    assert alice.screen.last.text == "⚠️ That is below the smallest top-up of 20.00 USD."

    await alice.send("/start")
    await choose_transfer(alice)
    transfer = alice.screen.last
    assert "type another from 10.00 USD to 500.00 USD." in (transfer.text or "")
    assert transfer.buttons[:2] == [["10.00 USD", "25.00 USD"], ["50.00 USD"]]
    await alice.click("Another amount")
    await alice.send("9.99")
    assert alice.screen.last.text == "⚠️ That is below the smallest top-up of 10.00 USD."

    # Stars keeps the shop's own minimum and every preset.
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Telegram Stars")
    stars = alice.screen.last
    assert stars.buttons[:2] == [["5.00 USD", "10.00 USD"], ["25.00 USD", "50.00 USD"]]
    assert read_amount("1", services.wallet.terms) == Decimal(1)
    with pytest.raises(AmountRefused) as refused:
        read_amount("19.99", services.wallet.terms, TopUpMethod.CRYPTO)
    assert refused.value.problem is AmountProblem.TOO_SMALL
    # Nothing was asked of anyone, and nothing credited.
    assert await services.wallet.balance(alice.user.id) == 0


@pytest.mark.parametrize("name", ["crypto_pay_min", "manual_payment_min"])
@pytest.mark.parametrize("value", ["0.5", "600"])
def test_a_minimum_outside_the_shops_bounds_stops_the_start(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name.upper()} is outside TOPUP_MIN..TOPUP_MAX"):
        load_settings(env_file=None, bot_token=TOKEN, panel_api_key=PANEL_KEY, **{name: value})
