"""A customer tops up by crypto through the bot process (``python -m bot``) over HTTP, against
the Crypto Pay double: by the poll in long-polling mode, by Crypto Pay's webhook in webhook
mode."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api.cryptopay.sandbox import CryptoPaySandbox, create_app

from ..support.ports import free_port
from ..support.process import Launcher
from ..support.telegram.bot_api import BotApiDouble
from ..support.telegram.chat import Customer
from .shop import Shop, running_shop

CRYPTO_TOKEN = "24680:AAe2eCryptoPayTokenOfTheShop"
WEBHOOK_SECRET = "e2e-webhook-secret"
CRYPTO_PATH = "/cryptopay/webhook"


@pytest.fixture
async def crypto_pay() -> AsyncIterator[tuple[CryptoPaySandbox, str]]:
    """The Crypto Pay double on loopback, and its API's URL."""
    sandbox = CryptoPaySandbox(CRYPTO_TOKEN)
    server = TestServer(create_app(sandbox), host="127.0.0.1")
    await server.start_server()
    yield sandbox, str(server.make_url("/api"))
    await server.close()


async def _ask_invoice(shop: Shop, ann: Customer, crypto_pay: CryptoPaySandbox) -> str:
    """Ann asks for a 10.00 USD crypto invoice; the link of its Pay button."""
    await ann.send("/start")
    await ann.click("Balance")
    await ann.click("Top up")
    assert "How would you like to pay?" in ann.last.text
    await ann.click("Crypto (CryptoBot)")
    await ann.click("10.00 USD")
    assert ann.last.text.startswith("💎 <b>Invoice for 10.00 USD</b>")
    [create] = crypto_pay.calls_of("createInvoice")
    assert create.token == CRYPTO_TOKEN
    fields = {name: str(value) for name, value in create.fields.items()}
    assert (fields["currency_type"], fields["fiat"], fields["amount"]) == ("fiat", "USD", "10")
    assert fields["accepted_assets"] == "USDT,TON,BTC"
    [(key,)] = shop.query("SELECT key FROM crypto_invoices")
    assert fields["payload"] == key
    [(pay_label, pay_url), (check_label, _)] = ann.last.buttons
    assert (pay_label, check_label) == ("💎 Pay 10.00 USD", "🔄 Check payment")
    return pay_url


async def _credited(shop: Shop, ann: Customer) -> None:
    notice = await ann.wait_for("Your crypto payment has arrived")
    assert "10.00 USD added to your balance" in notice.text
    assert shop.query("SELECT reason, amount FROM ledger WHERE user_id = ?", ann.user_id) == [
        ("crypto_topup", 10_000_000)
    ]
    await ann.send("/start")
    await ann.click("Balance")
    assert "10.00 USD" in ann.last.text


async def test_a_customer_tops_up_by_crypto_found_by_the_poll(
    tmp_path: Path, launcher: Launcher, crypto_pay: tuple[CryptoPaySandbox, str]
) -> None:
    sandbox, url = crypto_pay
    env = {
        "CRYPTO_PAY_TOKEN": CRYPTO_TOKEN,
        "CRYPTO_PAY_API_URL": url,
        "CRYPTO_PAY_POLL_SECONDS": "1",
    }
    async with running_shop(tmp_path, launcher, env) as shop:
        ann = Customer(shop.telegram, user_id=9301)
        pay_url = await _ask_invoice(shop, ann, sandbox)
        # Ann pays on the invoice's page, in TON.
        async with aiohttp.ClientSession() as http, http.post(pay_url, data={"asset": "TON"}):
            pass
        await _credited(shop, ann)
        log = await shop.stop()
    assert CRYPTO_TOKEN not in log
    assert any("invoice_ids" in call.fields for call in sandbox.calls_of("getInvoices"))


async def test_a_customer_tops_up_by_crypto_told_by_the_webhook(
    tmp_path: Path, launcher: Launcher, crypto_pay: tuple[CryptoPaySandbox, str]
) -> None:
    sandbox, url = crypto_pay
    port = free_port()
    env = {
        "CRYPTO_PAY_TOKEN": CRYPTO_TOKEN,
        "CRYPTO_PAY_API_URL": url,
        # Only the poll at start: the payment must come by the webhook.
        "CRYPTO_PAY_POLL_SECONDS": "3600",
        "WEBHOOK_URL": "https://shop.example.test",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    sandbox.webhook_url = f"http://127.0.0.1:{port}{CRYPTO_PATH}"
    sandbox.auto_pay_after = 0.1
    async with running_shop(tmp_path, launcher, env, start=False) as shop:
        await shop.start(ready="setWebhook")
        async with _updates_by_webhook(shop.telegram, f"http://127.0.0.1:{port}/telegram/webhook"):
            ann = Customer(shop.telegram, user_id=9302)
            pay_url = await _ask_invoice(shop, ann, sandbox)
            # Ann opens the invoice: the double pays it a moment later and tells the shop.
            async with aiohttp.ClientSession() as http, http.get(pay_url) as page:
                assert page.status == 200
            await _credited(shop, ann)
            log = await shop.stop()
    assert sandbox.deliveries == [(sandbox.webhook_url, 200)]
    assert not any("invoice_ids" in call.fields for call in sandbox.calls_of("getInvoices"))
    assert CRYPTO_TOKEN not in log
    assert "getUpdates" not in shop.telegram.methods()


@contextlib.asynccontextmanager
async def _updates_by_webhook(telegram: BotApiDouble, url: str) -> AsyncIterator[None]:
    """Deliver the updates the chats queue to the bot's webhook, as Telegram does in
    webhook mode, with the secret token."""

    async def forward() -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        async with aiohttp.ClientSession() as http:
            while True:
                update = await telegram.updates.get()
                telegram.handed_out.add(update["update_id"])
                async with http.post(url, json=update, headers=headers) as answer:
                    assert answer.status == 200

    task = asyncio.create_task(forward())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
