"""Webhook requests: the signature check and the reading of an ``invoice_paid`` update,
on requests the sandbox really sent over loopback HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from api.cryptopay import (
    SIGNATURE_HEADER,
    CryptoPayClient,
    InvalidSignature,
    InvalidUpdate,
    InvoiceStatus,
    parse_update,
    read_update,
    sign,
    verify_signature,
)
from api.cryptopay.sandbox import CryptoPaySandbox, Forgery
from tests.cryptopay.conftest import TOKEN, Received

BODY = b'{"update_id":1,"update_type":"invoice_paid","request_date":"2027-01-15T08:00:00.000Z"}'


async def _paid_invoice(client: CryptoPayClient, sandbox: CryptoPaySandbox) -> int:
    invoice = await client.create_invoice(
        Decimal("7.30"), "USD", ["USDT", "TON"], "topup:7", "Top-up", 3600
    )
    sandbox.pay(invoice.invoice_id, asset="USDT")
    return invoice.invoice_id


async def _delivered(
    sandbox: CryptoPaySandbox,
    receiver: tuple[str, Received],
    invoice_id: int,
    forgery: Forgery | None = None,
) -> tuple[bytes, str | None]:
    url, received = receiver
    assert await sandbox.send_webhook(url, invoice_id, forgery=forgery) == 200
    body, headers = received.requests[-1]
    return body, headers.get(SIGNATURE_HEADER)


def test_the_signature_is_the_documented_hmac() -> None:
    # HMAC-SHA-256 of the body, keyed with the SHA-256 of the token, in hex.
    key = hashlib.sha256(b"12345:AAtestTokenOfTheSandboxApp").digest()
    expected = hmac.new(key, BODY, hashlib.sha256).hexdigest()
    assert sign(TOKEN, BODY) == expected
    assert verify_signature(TOKEN, BODY, expected)


def test_a_signature_in_capitals_or_with_spaces_around_is_accepted() -> None:
    assert verify_signature(TOKEN, BODY, f" {sign(TOKEN, BODY).upper()}\n")


@pytest.mark.parametrize(
    "header", [None, "", "not-hex", sign("another-token", BODY), "é" * 64, sign(TOKEN, BODY)[:-1]]
)
def test_a_missing_or_wrong_signature_is_refused(header: str | None) -> None:
    assert not verify_signature(TOKEN, BODY, header)


def test_no_token_verifies_nothing() -> None:
    assert not verify_signature("", BODY, sign("", BODY))


async def test_a_genuine_update_is_accepted_and_read(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, receiver: tuple[str, Received]
) -> None:
    invoice_id = await _paid_invoice(client, sandbox)
    body, signature = await _delivered(sandbox, receiver, invoice_id)
    assert verify_signature(TOKEN, body, signature)
    update = read_update(TOKEN, body, signature)
    assert update.update_type == "invoice_paid"
    invoice = update.payload
    assert (invoice.invoice_id, invoice.status) == (invoice_id, InvoiceStatus.PAID)
    assert (invoice.fiat, invoice.amount, invoice.payload) == ("USD", Decimal("7.30"), "topup:7")
    assert (invoice.paid_asset, invoice.paid_amount) == ("USDT", Decimal("7.3"))


async def test_each_delivery_has_its_own_update_id(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, receiver: tuple[str, Received]
) -> None:
    invoice_id = await _paid_invoice(client, sandbox)
    first, _ = await _delivered(sandbox, receiver, invoice_id)
    again, _ = await _delivered(sandbox, receiver, invoice_id)
    assert parse_update(first).update_id != parse_update(again).update_id
    assert parse_update(first).payload == parse_update(again).payload


@pytest.mark.parametrize("forgery", list(Forgery))
async def test_a_forged_update_is_refused(
    client: CryptoPayClient,
    sandbox: CryptoPaySandbox,
    receiver: tuple[str, Received],
    forgery: Forgery,
) -> None:
    invoice_id = await _paid_invoice(client, sandbox)
    body, signature = await _delivered(sandbox, receiver, invoice_id, forgery)
    assert not verify_signature(TOKEN, body, signature)
    with pytest.raises(InvalidSignature):
        read_update(TOKEN, body, signature)


async def test_a_genuine_body_altered_by_one_byte_is_refused(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, receiver: tuple[str, Received]
) -> None:
    invoice_id = await _paid_invoice(client, sandbox)
    body, signature = await _delivered(sandbox, receiver, invoice_id)
    altered = body.replace(b'"7.30"', b'"7.31"')
    assert altered != body
    assert not verify_signature(TOKEN, altered, signature)


async def test_an_update_for_an_unpaid_invoice_cannot_be_sent(
    client: CryptoPayClient, sandbox: CryptoPaySandbox, receiver: tuple[str, Received]
) -> None:
    invoice = await client.create_invoice(Decimal(1), "USD", ["USDT"], "p", "d", 60)
    with pytest.raises(ValueError, match="not paid"):
        await sandbox.send_webhook(receiver[0], invoice.invoice_id)


async def test_an_unreachable_receiver_is_recorded(
    client: CryptoPayClient, sandbox: CryptoPaySandbox
) -> None:
    invoice_id = await _paid_invoice(client, sandbox)
    assert await sandbox.send_webhook("http://127.0.0.1:9/nowhere", invoice_id) is None
    assert sandbox.deliveries == [("http://127.0.0.1:9/nowhere", None)]


def _update(**changes: object) -> bytes:
    update: dict[str, object] = {
        "update_id": 5,
        "update_type": "invoice_paid",
        "request_date": "2027-01-15T08:00:00.000Z",
        "payload": {
            "invoice_id": 9,
            "hash": "IVabc",
            "status": "paid",
            "currency_type": "fiat",
            "fiat": "RUB",
            "amount": "450.00",
            "accepted_assets": ["USDT"],
            "paid_asset": "USDT",
            "paid_amount": "5.00000000",
            "bot_invoice_url": "https://t.me/CryptoBot?start=IVabc",
            "created_at": "2027-01-15T07:55:00.000Z",
            "paid_at": "2027-01-15T07:59:59.000Z",
            "some_field_added_later": {"x": 1},
        },
    }
    update.update(changes)
    return json.dumps(update).encode()


def test_an_update_body_is_read_into_a_typed_invoice() -> None:
    update = parse_update(_update())
    assert update.update_id == 5
    invoice = update.payload
    assert (invoice.invoice_id, invoice.fiat, invoice.amount) == (9, "RUB", Decimal("450.00"))
    assert invoice.paid_amount == Decimal("5.00000000")
    assert invoice.expiration_date is None
    assert invoice.mini_app_invoice_url is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"invoice_paid"',
        _update(update_type="invoice_expired"),
        _update(update_type=None),
        _update(payload="IVabc"),
        _update(payload={"invoice_id": 9}),
        _update(update_id="five"),
        _update(request_date="yesterday"),
        b"{" * 50_000 + b"}" * 50_000,
        b" " * 70_000,
    ],
)
def test_a_body_that_is_no_invoice_paid_update_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidUpdate):
        parse_update(body)
