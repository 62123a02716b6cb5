"""Amounts stay exact from the request to the answer read back, and invoices tolerate
fields added or left out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from api.cryptopay import Invoice
from api.cryptopay.answers import decode, parse_invoice
from api.cryptopay.sandbox import CryptoPaySandbox
from api.sandbox import ManualClock
from tests.cryptopay.conftest import TOKEN

MINIMAL = {
    "invoice_id": 1,
    "hash": "IVx",
    "status": "active",
    "currency_type": "fiat",
    "amount": "1",
    "bot_invoice_url": "https://t.me/CryptoBot?start=IVx",
    "created_at": "2027-01-15T08:00:00.000Z",
}


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(900_000), places=8, allow_nan=False)
)
def test_an_amount_round_trips_exactly_through_the_sandbox(amount: Decimal) -> None:
    sandbox = CryptoPaySandbox(TOKEN, clock=ManualClock())
    fields = {"currency_type": "fiat", "fiat": "USD", "amount": format(amount, "f")}
    answer = sandbox.handle("createInvoice", TOKEN, fields, origin="http://sandbox")
    invoice = parse_invoice("createInvoice", decode("createInvoice", 200, answer.body.encode()))
    assert invoice.amount == amount
    assert str(invoice.amount) == format(amount, "f")


def test_an_amount_given_as_a_float_is_refused() -> None:
    with pytest.raises(ValidationError):
        Invoice.model_validate({**MINIMAL, "amount": 0.1})


def test_an_invoice_with_only_the_required_fields_is_read() -> None:
    invoice = Invoice.model_validate(MINIMAL)
    assert invoice.accepted_assets == []
    assert invoice.paid_amount is None
    assert invoice.payload is None


def test_fields_added_to_the_api_later_are_ignored() -> None:
    invoice = Invoice.model_validate({**MINIMAL, "swap_to": "TON", "fee_amount": "0.01"})
    assert invoice.invoice_id == 1


def test_accepted_assets_written_as_text_are_split() -> None:
    invoice = Invoice.model_validate({**MINIMAL, "accepted_assets": "USDT, TON"})
    assert invoice.accepted_assets == ["USDT", "TON"]


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValidationError):
        Invoice.model_validate({**MINIMAL, "created_at": "2027-01-15T08:00:00"})
