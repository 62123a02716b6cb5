"""Crypto Pay refusing the shop itself (a wrong token): the admins are told as the bot
starts and when a customer tries to pay, once a day, and the customer is told plainly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from api.cryptopay.sandbox import CryptoPaySandbox, create_app
from api.sandbox import ManualClock
from bot.runtime import Runtime
from shop.storage import utc_now

from ..conftest import ADMIN_CHAT
from ..support.telegram import BotClient

#: The app's real token, and the one the owner put in CRYPTO_PAY_TOKEN by mistake.
APP_TOKEN = "31337:AAcryptoPayTokenOfTheShopApp"
WRONG_TOKEN = "31337:AAaTokenOfAnotherAppEntirely"


@pytest.fixture
async def crypto_pay_url(clock: ManualClock) -> AsyncIterator[str]:
    server = TestServer(create_app(CryptoPaySandbox(APP_TOKEN, clock=clock)), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/api"))
    await server.close()


@pytest.fixture
def settings_overrides(crypto_pay_url: str) -> dict[str, object]:
    return {"crypto_pay_token": WRONG_TOKEN, "crypto_pay_api_url": crypto_pay_url}


async def group_texts(services: Runtime) -> list[str]:
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 10_000)
    return [row.text for row in rows if row.chat_id == ADMIN_CHAT]


async def test_a_wrong_token_is_told_to_the_admins_once_and_the_customer_plainly(
    alice: BotClient, services: Runtime
) -> None:
    desk = services.crypto
    assert desk is not None

    assert await desk.check_token() is False  # as the bot starts
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Crypto (CryptoBot)")
    await alice.click("10.00 USD")

    assert alice.screen.last.text == (
        "⚠️ Crypto Pay did not accept this invoice. Please try another amount or another way"
        " to pay."
    )
    [alert] = await group_texts(services)
    assert alert.startswith("⚠️ <b>Crypto Pay refuses the shop's requests</b>: UNAUTHORIZED.")
    assert WRONG_TOKEN not in alert
    assert await services.wallet.balance(alice.user.id) == 0
