"""What the caller observes when Crypto Pay cannot be reached, is down, is slow, or
answers something unreadable: each failure in its group, definite or ambiguous."""

from __future__ import annotations

import socket
from decimal import Decimal

import aiohttp
import pytest

from api.cryptopay import (
    CryptoPayBadResponse,
    CryptoPayClient,
    CryptoPayConnectionError,
    CryptoPayError,
    CryptoPayRefusal,
    CryptoPayServerError,
    CryptoPayTimeout,
    CryptoPayUnavailable,
    CryptoPayUnreachable,
    InvoiceStatus,
)
from api.cryptopay.sandbox import CryptoPaySandbox, Outage
from tests.cryptopay.conftest import TIMEOUTS, TOKEN, CannedServer


async def _create(client: CryptoPayClient) -> int:
    invoice = await client.create_invoice(Decimal(5), "USD", ["USDT"], "p", "d", 600)
    return invoice.invoice_id


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_nothing_listening_is_unreachable_and_definite() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/api"
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayUnreachable) as caught:
            await crypto_pay.get_me()
    assert not caught.value.ambiguous
    assert caught.value.method == "getMe"


@pytest.mark.parametrize(
    ("outage", "error"),
    [
        (Outage.HTTP_502, CryptoPayServerError),
        (Outage.HTTP_500, CryptoPayServerError),
        (Outage.DISCONNECT, CryptoPayConnectionError),
        (Outage.GARBAGE, CryptoPayBadResponse),
    ],
)
async def test_an_api_that_is_down_gives_an_ambiguous_error(
    client: CryptoPayClient,
    sandbox: CryptoPaySandbox,
    outage: Outage,
    error: type[CryptoPayError],
) -> None:
    sandbox.fail_next(outage=outage)
    with pytest.raises(error) as caught:
        await client.get_me()
    assert caught.value.ambiguous
    assert isinstance(caught.value, CryptoPayUnavailable)


async def test_the_api_comes_back_after_the_calls_it_was_down_for(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    sandbox.fail_next(2, Outage.HTTP_502)
    for _ in range(2):
        with pytest.raises(CryptoPayServerError):
            await client.get_me()
    assert (await client.get_me()).app_id == 1


async def test_an_outage_of_one_method_leaves_the_others_working(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    sandbox.fail_next(outage=Outage.HTTP_500, method="createInvoice")
    await client.get_me()
    with pytest.raises(CryptoPayServerError) as caught:
        await _create(client)
    assert caught.value.http_status == 500
    assert sandbox.invoices == {}


async def test_an_invoice_created_whose_answer_was_lost_can_be_read_back(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    sandbox.fail_next(outage=Outage.DISCONNECT, method="createInvoice", applied=True)
    with pytest.raises(CryptoPayConnectionError):
        await _create(client)
    [lost] = await client.list_invoices(InvoiceStatus.ACTIVE)
    assert lost.payload == "p"


async def test_a_slow_answer_times_out_ambiguously(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    sandbox.slow_next(2.0)
    with pytest.raises(CryptoPayTimeout) as caught:
        await client.get_me()
    assert caught.value.ambiguous


async def test_a_slow_answer_within_the_timeout_is_read(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    sandbox.slow_next(0.05)
    assert (await client.get_me()).app_id == 1


async def test_a_failed_chunk_fails_the_whole_read(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    ids = [await _create(client) for _ in range(150)]
    sandbox.fail_next(outage=Outage.HTTP_502, method="getInvoices")
    with pytest.raises(CryptoPayServerError):
        await client.get_invoices(ids)


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, "", "application/json"),
        (200, "<html><body>Just a moment...</body></html>", "text/html"),
        (200, '{"ok": tru', "application/json"),
        (200, "[1, 2, 3]", "application/json"),
        (200, '{"ok": true}', "application/json"),
        (200, '{"result": {"app_id": 1}}', "application/json"),
        (200, '{"ok": true, "result": {"name": "no id"}}', "application/json"),
        (200, '{"ok": true, "result": {"app_id": "seven", "name": "x"}}', "application/json"),
        (200, "[" * 100_000 + "]" * 100_000, "application/json"),
    ],
)
async def test_a_garbage_answer_is_a_bad_response(
    canned: CannedServer, status: int, body: str, content_type: str
) -> None:
    url = await canned(status, body, content_type)
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayBadResponse) as caught:
            await crypto_pay.get_me()
    assert caught.value.ambiguous


@pytest.mark.parametrize(
    "body",
    [
        '{"ok": true, "result": {"items": "none"}}',
        '{"ok": true, "result": {"items": [{"invoice_id": 1}]}}',
        '{"ok": true, "result": {"items": [{"invoice_id": 1, "hash": "h", "status": "refunded",'
        ' "currency_type": "fiat", "amount": "1.5", "bot_invoice_url": "u",'
        ' "created_at": "2027-01-01T00:00:00Z"}]}}',
        '{"ok": true, "result": {"items": [{"invoice_id": 1, "hash": "h", "status": "active",'
        ' "currency_type": "fiat", "amount": "NaN", "bot_invoice_url": "u",'
        ' "created_at": "2027-01-01T00:00:00Z"}]}}',
    ],
)
async def test_an_unreadable_invoice_list_is_a_bad_response(
    canned: CannedServer, body: str
) -> None:
    url = await canned(200, body, "application/json")
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayBadResponse):
            await crypto_pay.get_invoices([1])


async def test_an_amount_sent_as_a_json_number_is_read_exactly(canned: CannedServer) -> None:
    body = (
        '{"ok": true, "result": {"items": [{"invoice_id": 1, "hash": "h", "status": "active",'
        ' "currency_type": "fiat", "fiat": "USD", "amount": 0.10, "bot_invoice_url": "u",'
        ' "created_at": "2027-01-01T00:00:00Z"}]}}'
    )
    url = await canned(200, body, "application/json")
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        invoice = (await crypto_pay.get_invoices([1]))[1]
    assert str(invoice.amount) == "0.10"


@pytest.mark.parametrize("status", [404, 429, 503])
async def test_an_http_error_without_an_api_answer_is_ambiguous(
    canned: CannedServer, status: int
) -> None:
    url = await canned(status, "<html>error</html>", "text/html")
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayServerError) as caught:
            await crypto_pay.get_me()
    assert caught.value.http_status == status
    assert "HTML" in str(caught.value)


async def test_an_api_refusal_at_any_4xx_is_definite(canned: CannedServer) -> None:
    url = await canned(403, '{"ok": false, "error": {"code": 403, "name": "METHOD_DISABLED"}}')
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayRefusal) as caught:
            await crypto_pay.get_me()
    assert (caught.value.name, caught.value.code) == ("METHOD_DISABLED", 403)
    assert not caught.value.ambiguous


async def test_a_refusal_without_its_details_is_still_a_refusal(canned: CannedServer) -> None:
    url = await canned(400, '{"ok": false}')
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayRefusal) as caught:
            await crypto_pay.get_me()
    assert (caught.value.name, caught.value.code) == ("UNKNOWN_ERROR", 400)


async def test_a_redirect_is_not_followed_and_is_definite(canned: CannedServer) -> None:
    url = await canned(307, "")
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayRefusal) as caught:
            await crypto_pay.get_me()
    assert caught.value.name == "REDIRECTED"
    assert "base URL" in str(caught.value)


async def test_a_token_echoed_by_the_server_is_scrubbed_from_the_error(
    canned: CannedServer,
) -> None:
    url = await canned(502, f"bad token {TOKEN}", "text/plain")
    async with CryptoPayClient(TOKEN, url, timeouts=TIMEOUTS) as crypto_pay:
        with pytest.raises(CryptoPayServerError) as caught:
            await crypto_pay.get_me()
    assert TOKEN not in str(caught.value)
    assert "***" in str(caught.value)


async def test_an_unknown_method_is_refused_by_the_sandbox(api_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"{api_url}/transferAll", headers={"Crypto-Pay-API-Token": TOKEN}
        )
        assert response.status == 405
        assert await response.json() == {
            "ok": False,
            "error": {"code": 405, "name": "METHOD_NOT_FOUND"},
        }
