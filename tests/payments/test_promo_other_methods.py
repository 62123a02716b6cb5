"""A percent promo code's bonus on a top-up by crypto or by transfer: credited with it once,
under its own reason, and named in the notice that tells the customer of the top-up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestServer

from api.cryptopay.sandbox import CryptoPaySandbox, create_app
from api.sandbox import ManualClock
from bot.runtime import Runtime
from shop.storage import LedgerReason

from ..conftest import ADMIN_CHAT
from ..support.telegram import BotClient, RecordingSession
from .manual import OWNER, group_post, manual_settings, notices, send_receipt
from .promo import new_code, redeem_in_chat, rows

CRYPTO_TOKEN = "31337:AAcryptoPayTokenOfTheShopApp"


@pytest.fixture
def crypto_pay(clock: ManualClock) -> CryptoPaySandbox:
    return CryptoPaySandbox(CRYPTO_TOKEN, clock=clock)


@pytest.fixture
async def crypto_pay_url(crypto_pay: CryptoPaySandbox) -> AsyncIterator[str]:
    server = TestServer(create_app(crypto_pay), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/api"))
    await server.close()


@pytest.fixture
def settings_overrides(crypto_pay_url: str) -> dict[str, object]:
    return manual_settings(crypto_pay_token=CRYPTO_TOKEN, crypto_pay_api_url=crypto_pay_url)


@pytest.fixture
def owner(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga", username="olga")


async def test_a_crypto_top_up_brings_the_waiting_bonus_once_and_says_so(
    alice: BotClient, services: Runtime, crypto_pay: CryptoPaySandbox
) -> None:
    await new_code(services, "CRYPTO20 20%")
    await redeem_in_chat(alice, "crypto20")
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Crypto (CryptoBot)")
    await alice.click("25.00 USD")
    desk = services.crypto
    assert desk is not None
    [invoice_id] = list(crypto_pay.invoices)
    crypto_pay.pay(invoice_id, "USDT")

    await desk.poll_once()
    await desk.poll_once()  # seen again: nothing more

    assert await rows(services, alice.user.id) == [
        (LedgerReason.CRYPTO_TOPUP, Decimal(25)),
        (LedgerReason.PROMO_BONUS, Decimal(5)),
    ]
    assert await notices(services, alice.user.id) == [
        "✅ <b>Your crypto payment has arrived: 25.00 USD added to your balance.</b>\n"
        "Your balance: 30.00 USD\n"
        "🎁 And 5.00 USD more from your promo code."
    ]


async def test_an_approved_transfer_brings_the_waiting_bonus_once_and_says_so(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await new_code(services, "BANK10 10%")
    await redeem_in_chat(alice, "BANK10")
    await send_receipt(alice, "10.00 USD")
    post = group_post(session)

    await owner.click("Approve", message=post)
    await owner.send("/approve 1")  # decided already: no second credit

    assert await rows(services, alice.user.id) == [
        (LedgerReason.MANUAL_TOPUP, Decimal(10)),
        (LedgerReason.PROMO_BONUS, Decimal(1)),
    ]
    assert await notices(services, alice.user.id) == [
        "✅ <b>Your transfer #1 is confirmed: 10.00 USD added to your balance.</b>\n"
        "Your balance: 11.00 USD\n"
        "🎁 And 1.00 USD more from your promo code."
    ]
