"""The Crypto Pay client against the sandbox over real loopback HTTP: what it sends, and
what the caller reads back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import aiohttp
import pytest

from api.cryptopay import (
    MAINNET_URL,
    TESTNET_URL,
    CryptoPayClient,
    CryptoPayRefusal,
    CurrencyType,
    InvoiceStatus,
)
from api.cryptopay.sandbox import CryptoPaySandbox
from api.sandbox import ManualClock
from tests.cryptopay.conftest import TIMEOUTS, TOKEN

ASSETS = ["USDT", "TON", "BTC"]


async def _invoice(
    client: CryptoPayClient, amount: str = "12.50", expires_in: int = 3600, payload: str = "t-1"
) -> int:
    invoice = await client.create_invoice(
        Decimal(amount), "USD", ASSETS, payload, "Top-up of 12.50 USD", expires_in
    )
    return invoice.invoice_id


def test_the_default_base_url_is_mainnet_and_testnet_is_at_hand() -> None:
    assert CryptoPayClient(TOKEN).base_url == MAINNET_URL == "https://pay.crypt.bot/api"
    assert TESTNET_URL == "https://testnet-pay.crypt.bot/api"


def test_the_token_never_shows_in_the_clients_repr() -> None:
    assert TOKEN not in repr(CryptoPayClient(TOKEN))


async def test_get_me_names_the_app(client: CryptoPayClient, sandbox: CryptoPaySandbox) -> None:
    app = await client.get_me()
    assert app.app_id == sandbox.app_id
    assert app.name == "Sandbox shop"


async def test_every_request_carries_the_token_header(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    await client.get_me()
    assert sandbox.requests[-1].token == TOKEN
    assert sandbox.requests[-1].http_method == "POST"


async def test_an_invoice_is_created_in_fiat_with_the_fields_given(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    await client.create_invoice(
        Decimal("12.50"), "EUR", ["USDT", "TON"], "topup:42", "Top-up <b>&</b>", 900
    )
    [call] = sandbox.calls_of("createInvoice")
    assert call.fields == {
        "currency_type": "fiat",
        "fiat": "EUR",
        "amount": "12.50",
        "accepted_assets": "USDT,TON",
        "payload": "topup:42",
        "description": "Top-up <b>&</b>",
        "expires_in": 900,
    }


async def test_the_created_invoice_reads_back_as_sent(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, clock: ManualClock, api_url: str
) -> None:
    invoice = await client.create_invoice(
        Decimal("12.50"), "EUR", ["USDT", "TON"], "topup:42", "Top-up", 900
    )
    assert invoice.status is InvoiceStatus.ACTIVE
    assert invoice.currency_type is CurrencyType.FIAT
    assert (invoice.fiat, invoice.amount) == ("EUR", Decimal("12.50"))
    assert invoice.accepted_assets == ["USDT", "TON"]
    assert (invoice.payload, invoice.description) == ("topup:42", "Top-up")
    assert invoice.created_at == dt.datetime.fromtimestamp(clock.now(), dt.UTC)
    assert invoice.expiration_date == invoice.created_at + dt.timedelta(seconds=900)
    assert invoice.paid_at is None
    origin = api_url.removesuffix("/api")
    assert invoice.bot_invoice_url == f"{origin}/pay/{invoice.hash}"
    assert invoice.mini_app_invoice_url is not None
    assert invoice.web_app_invoice_url is not None


async def test_an_amount_is_sent_in_plain_digits_whatever_its_exponent(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    invoice = await client.create_invoice(Decimal("1E+2"), "USD", ["USDT"], "p", "d", 60)
    assert sandbox.calls_of("createInvoice")[0].fields["amount"] == "100"
    assert invoice.amount == 100


async def test_a_paid_invoice_reads_back_paid_with_what_came_in(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    invoice_id = await _invoice(client, amount="10")
    sandbox.pay(invoice_id, asset="TON")
    invoice = (await client.get_invoices([invoice_id]))[invoice_id]
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.is_paid
    assert (invoice.paid_asset, invoice.paid_amount) == ("TON", Decimal("2.5"))
    assert invoice.paid_at is not None


async def test_an_invoice_left_unpaid_reads_back_expired_once_its_time_is_up(
    client: CryptoPayClient, clock: ManualClock
) -> None:
    invoice_id = await _invoice(client, expires_in=600)
    clock.advance(599)
    assert (await client.get_invoices([invoice_id]))[invoice_id].status is InvoiceStatus.ACTIVE
    clock.advance(1)
    assert (await client.get_invoices([invoice_id]))[invoice_id].status is InvoiceStatus.EXPIRED


async def test_get_invoices_asks_100_ids_a_call(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    ids = [await _invoice(client, payload=f"p{n}") for n in range(250)]
    found = await client.get_invoices(ids)
    assert sorted(found) == ids
    calls = sandbox.calls_of("getInvoices")
    assert [len(call.fields["invoice_ids"].split(",")) for call in calls] == [100, 100, 50]
    assert [call.fields["count"] for call in calls] == [100, 100, 50]


async def test_get_invoices_asks_each_id_once(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    invoice_id = await _invoice(client)
    found = await client.get_invoices([invoice_id, invoice_id, invoice_id])
    assert list(found) == [invoice_id]
    assert sandbox.calls_of("getInvoices")[0].fields["invoice_ids"] == str(invoice_id)


async def test_get_invoices_of_no_ids_makes_no_call(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    assert await client.get_invoices([]) == {}
    assert sandbox.requests == []


async def test_an_unknown_id_is_absent_from_get_invoices(client: CryptoPayClient) -> None:
    invoice_id = await _invoice(client)
    assert list(await client.get_invoices([invoice_id, 999_999])) == [invoice_id]


async def test_a_deleted_invoice_is_gone(client: CryptoPayClient) -> None:
    invoice_id = await _invoice(client)
    await client.delete_invoice(invoice_id)
    assert await client.get_invoices([invoice_id]) == {}


async def test_deleting_an_unknown_invoice_is_refused(client: CryptoPayClient) -> None:
    with pytest.raises(CryptoPayRefusal) as caught:
        await client.delete_invoice(424242)
    assert caught.value.name == "INVOICE_NOT_FOUND"


async def test_list_invoices_pages_one_status(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    ids = [await _invoice(client, payload=f"p{n}") for n in range(5)]
    for invoice_id in ids[:3]:
        sandbox.pay(invoice_id)
    paid = await client.list_invoices(InvoiceStatus.PAID, offset=1, count=10)
    assert [invoice.invoice_id for invoice in paid] == [ids[1], ids[0]]
    assert sandbox.calls_of("getInvoices")[0].fields == {
        "offset": 1,
        "count": 10,
        "status": "paid",
    }


async def test_a_wrong_token_is_refused_as_unauthorized(api_url: str) -> None:
    async with CryptoPayClient("not-the-token", api_url, timeouts=TIMEOUTS) as stranger:
        with pytest.raises(CryptoPayRefusal) as caught:
            await stranger.get_me()
    refusal = caught.value
    assert (refusal.name, refusal.code, refusal.http_status) == ("UNAUTHORIZED", 401, 401)
    assert refusal.unauthorized
    assert not refusal.ambiguous


async def test_a_base_url_with_a_trailing_slash_works(api_url: str) -> None:
    async with CryptoPayClient(TOKEN, api_url + "/", timeouts=TIMEOUTS) as crypto_pay:
        assert (await crypto_pay.get_me()).app_id == 1


async def test_a_shared_session_is_left_open(api_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with CryptoPayClient(TOKEN, api_url, session=session) as crypto_pay:
            await crypto_pay.get_me()
        assert not session.closed


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount": Decimal(0)}, "AMOUNT_INVALID"),
        ({"amount": Decimal("-5")}, "AMOUNT_INVALID"),
        ({"amount": Decimal("0.001")}, "AMOUNT_TOO_SMALL"),
        ({"amount": Decimal("5000000")}, "AMOUNT_TOO_BIG"),
        ({"fiat": "XYZ"}, "FIAT_INVALID"),
        ({"accepted_assets": ["USDT", "DOGE"]}, "ACCEPTED_ASSETS_INVALID"),
        ({"expires_in": 0}, "EXPIRES_IN_INVALID"),
        ({"expires_in": 2_678_401}, "EXPIRES_IN_INVALID"),
        ({"payload": "x" * 4097}, "PAYLOAD_TOO_LONG"),
        ({"description": "x" * 1025}, "DESCRIPTION_TOO_LONG"),
    ],
)
async def test_a_bad_invoice_is_refused_by_name_and_not_created(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, change: dict[str, object], error: str
) -> None:
    request: dict[str, object] = {
        "amount": Decimal(10),
        "fiat": "USD",
        "accepted_assets": ["USDT"],
        "payload": "p",
        "description": "d",
        "expires_in": 60,
    }
    request.update(change)
    with pytest.raises(CryptoPayRefusal) as caught:
        await client.create_invoice(**request)  # type: ignore[arg-type]
    assert (caught.value.name, caught.value.http_status) == (error, 400)
    assert not caught.value.ambiguous
    assert sandbox.invoices == {}


async def test_the_limits_themselves_are_accepted(client: CryptoPayClient) -> None:
    invoice = await client.create_invoice(
        Decimal("0.01"), "USD", ["USDT"], "x" * 4096, "y" * 1024, 2_678_400
    )
    assert invoice.status is InvoiceStatus.ACTIVE
