"""The Crypto Pay sandbox as the shop's sandbox mode and the tests use it: pay pages,
paying by itself, the ways requests may arrive, and what it records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api.cryptopay import CryptoPayClient, InvoiceStatus, read_update
from api.cryptopay.sandbox import ASSETS, CryptoPaySandbox, create_app
from api.sandbox import ManualClock
from tests.cryptopay.conftest import TOKEN, Received


async def _invoice(client: CryptoPayClient, expires_in: int = 3600) -> tuple[int, str]:
    invoice = await client.create_invoice(
        Decimal("9.00"), "EUR", ["TON", "USDT"], "topup:9", "Top-up <9 EUR>", expires_in
    )
    return invoice.invoice_id, invoice.bot_invoice_url


async def _wait_until(condition: Callable[[], object], seconds: float = 2.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), seconds)


async def test_the_pay_page_shows_the_invoice_escaped(client: CryptoPayClient) -> None:
    _, url = await _invoice(client)
    async with aiohttp.ClientSession() as session, session.get(url) as page:
        assert page.status == 200
        html = await page.text()
    assert "9.00 EUR" in html
    assert "Top-up &lt;9 EUR&gt;" in html
    assert "Pay in TON" in html
    assert "Pay in USDT" in html


async def test_an_unknown_pay_page_is_not_found(api_url: str) -> None:
    url = api_url.removesuffix("/api") + "/pay/IVnothing"
    async with aiohttp.ClientSession() as session, session.get(url) as page:
        assert page.status == 404


async def test_paying_from_the_page_pays_and_sends_the_webhook(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, receiver: tuple[str, Received]
) -> None:
    sandbox.webhook_url, received = receiver
    invoice_id, url = await _invoice(client)
    pay = {"asset": "USDT"}
    async with aiohttp.ClientSession() as session, session.post(url, data=pay) as page:
        assert page.status == 200
        assert "Paid 10.00000000 USDT" in await page.text()
    await _wait_until(lambda: received.requests)
    body, headers = received.requests[0]
    update = read_update(TOKEN, body, headers.get("crypto-pay-api-signature"))
    assert update.payload.invoice_id == invoice_id
    invoice = (await client.get_invoices([invoice_id]))[invoice_id]
    assert (invoice.status, invoice.paid_asset) == (InvoiceStatus.PAID, "USDT")


async def test_paying_twice_from_the_page_is_refused(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    invoice_id, url = await _invoice(client)
    sandbox.pay(invoice_id)
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data={"asset": "TON"}) as page,
    ):
        assert page.status == 409


async def test_auto_pay_pays_a_while_after_the_page_is_opened(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, receiver: tuple[str, Received]
) -> None:
    sandbox.auto_pay_after = 0.05
    sandbox.auto_pay_asset = "USDT"
    sandbox.webhook_url, received = receiver
    invoice_id, url = await _invoice(client)
    assert sandbox.invoice(invoice_id).status is InvoiceStatus.ACTIVE
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(url) as page:
                assert "pays it by itself" in await page.text()
    await _wait_until(lambda: received.requests)
    assert sandbox.invoice(invoice_id).paid_asset == "USDT"
    await asyncio.sleep(0.1)
    assert len(received.requests) == 1


async def test_auto_pay_on_create_pays_a_while_after_the_invoice_is_made_once(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, receiver: tuple[str, Received]
) -> None:
    sandbox.auto_pay_after = 0.05
    sandbox.auto_pay_on_create = True
    sandbox.webhook_url, received = receiver
    invoice_id, url = await _invoice(client)
    assert sandbox.invoice(invoice_id).status is InvoiceStatus.ACTIVE
    async with aiohttp.ClientSession() as session, session.get(url) as page:
        assert page.status == 200  # opening it as well starts nothing more

    await _wait_until(lambda: received.requests)
    assert sandbox.invoice(invoice_id).status is InvoiceStatus.PAID
    await asyncio.sleep(0.1)
    assert len(received.requests) == 1


async def test_auto_pay_leaves_an_invoice_that_expired_meanwhile(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, clock: ManualClock
) -> None:
    sandbox.auto_pay_after = 0.05
    invoice_id, url = await _invoice(client, expires_in=60)
    async with aiohttp.ClientSession() as session, session.get(url):
        pass
    clock.advance(60)
    await asyncio.sleep(0.15)
    assert sandbox.invoice(invoice_id).status is InvoiceStatus.EXPIRED


async def test_a_pending_auto_pay_ends_with_the_server(clock: ManualClock) -> None:
    sandbox = CryptoPaySandbox(TOKEN, clock=clock)
    sandbox.auto_pay_after = 60
    server = TestServer(create_app(sandbox), host="127.0.0.1")
    await server.start_server()
    async with CryptoPayClient(TOKEN, str(server.make_url("/api"))) as crypto_pay:
        invoice_id, url = await _invoice(crypto_pay)
    async with aiohttp.ClientSession() as session, session.get(url):
        pass
    await asyncio.wait_for(server.close(), 2)
    assert sandbox.invoice(invoice_id).status is InvoiceStatus.ACTIVE


def test_paying_checks_the_asset_and_the_status(sandbox: CryptoPaySandbox) -> None:
    answer = sandbox.handle(
        "createInvoice",
        TOKEN,
        {"currency_type": "fiat", "fiat": "USD", "amount": "3", "accepted_assets": "BTC"},
        origin="http://sandbox",
    )
    assert answer.status == 200
    with pytest.raises(ValueError, match="does not accept TON"):
        sandbox.pay(1, asset="TON")
    paid = sandbox.pay(1)
    assert (paid.paid_asset, paid.paid_amount) == ("BTC", Decimal("0.00004688"))
    assert paid.paid_fiat_rate == Decimal(64000)
    with pytest.raises(ValueError, match="paid, not active"):
        sandbox.pay(1)
    with pytest.raises(ValueError, match="paid, not active"):
        sandbox.expire(1)


async def test_an_invoice_can_be_made_to_expire_at_once(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    invoice_id, _ = await _invoice(client)
    sandbox.expire(invoice_id)
    assert (await client.get_invoices([invoice_id]))[invoice_id].status is InvoiceStatus.EXPIRED
    with pytest.raises(ValueError, match="expired, not active"):
        sandbox.pay(invoice_id)


async def test_requests_are_read_from_a_query_string_and_a_form(
    api_url: str, sandbox: CryptoPaySandbox
) -> None:
    headers = {"Crypto-Pay-API-Token": TOKEN}
    fields = {"currency_type": "fiat", "fiat": "RUB", "amount": "150", "expires_in": "60"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{api_url}/createInvoice", params=fields) as by_get:
            assert (await by_get.json())["result"]["amount"] == "150"
        async with session.post(f"{api_url}/createInvoice", data=fields) as by_form:
            assert (await by_form.json())["result"]["accepted_assets"] == list(ASSETS)
    assert [call.http_method for call in sandbox.requests] == ["GET", "POST"]
    assert sandbox.requests[1].fields == fields


async def test_a_crypto_invoice_is_priced_in_its_asset(api_url: str) -> None:
    headers = {"Crypto-Pay-API-Token": TOKEN}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.post(f"{api_url}/createInvoice", json={"asset": "TON", "amount": 2}) as reply,
    ):
        result = (await reply.json())["result"]
    assert (result["currency_type"], result["asset"], result["amount"]) == ("crypto", "TON", "2")


async def test_a_request_without_a_token_is_unauthorized(
    api_url: str, sandbox: CryptoPaySandbox
) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{api_url}/getMe") as reply:
        assert reply.status == 401
        assert (await reply.json())["error"]["name"] == "UNAUTHORIZED"
    assert sandbox.requests[0].token is None


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"status": "lost"}, "STATUS_INVALID"),
        ({"count": "0"}, "COUNT_INVALID"),
        ({"count": "1001"}, "COUNT_INVALID"),
        ({"offset": "-1"}, "OFFSET_INVALID"),
        ({"invoice_ids": "1,two"}, "INVOICE_IDS_INVALID"),
    ],
)
def test_get_invoices_checks_its_fields(
    sandbox: CryptoPaySandbox, fields: dict[str, str], error: str
) -> None:
    answer = sandbox.handle("getInvoices", TOKEN, fields, origin="http://sandbox")
    assert answer.status == 400
    assert error in answer.body


def test_pay_pages_may_be_announced_at_a_public_address(sandbox: CryptoPaySandbox) -> None:
    sandbox.public_url = "https://sandbox.example/"
    sandbox.handle(
        "createInvoice", TOKEN, {"asset": "USDT", "amount": "1"}, origin="http://127.0.0.1:1"
    )
    assert sandbox.invoice(1).bot_invoice_url.startswith("https://sandbox.example/pay/IV")
