"""What the Crypto Pay sandbox remembers: its invoices and the requests it received.

Plain records open to inspection by tests; the rules that change them live in
:mod:`api.cryptopay.sandbox.cryptopay`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from api.cryptopay.models import CurrencyType, Invoice, InvoiceStatus


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One API request as the sandbox received it.

    ``fields`` holds the request's fields exactly as they arrived: strings from a query
    string or a form, JSON values from a JSON body. ``token`` is the
    ``Crypto-Pay-API-Token`` header (None when absent).
    """

    method: str
    fields: dict[str, Any]
    token: str | None
    http_method: str = "POST"
    #: Sandbox clock time of arrival.
    at: float = 0.0


@dataclass(slots=True, kw_only=True)
class SandboxInvoice:
    """An invoice made by ``createInvoice``; ``expires_at`` is on the sandbox's clock."""

    invoice_id: int
    hash: str
    currency_type: CurrencyType
    amount: Decimal
    fiat: str | None
    asset: str | None
    accepted_assets: list[str]
    payload: str | None
    description: str | None
    created_at: float
    expires_at: float | None
    #: Where the sandbox serves this invoice's pay page.
    pay_url: str
    status: InvoiceStatus = InvoiceStatus.ACTIVE
    paid_asset: str | None = None
    paid_amount: Decimal | None = None
    paid_fiat_rate: Decimal | None = None
    paid_usd_rate: Decimal | None = None
    paid_at: float | None = None
    #: True once its pay page asked for it to be paid by itself.
    auto_pay_started: bool = False

    def to_api(self) -> dict[str, Any]:
        """The invoice as the API shows it: amounts as strings, times as ISO 8601."""
        shown: dict[str, Any] = {
            "invoice_id": self.invoice_id,
            "hash": self.hash,
            "currency_type": self.currency_type.value,
            "amount": _money(self.amount),
            "bot_invoice_url": self.pay_url,
            "mini_app_invoice_url": f"{self.pay_url}?mode=mini_app",
            "web_app_invoice_url": f"{self.pay_url}?mode=web_app",
            "status": self.status.value,
            "created_at": iso_time(self.created_at),
            "allow_comments": True,
            "allow_anonymous": True,
        }
        if self.currency_type is CurrencyType.FIAT:
            shown["fiat"] = self.fiat
            shown["accepted_assets"] = list(self.accepted_assets)
        else:
            shown["asset"] = self.asset
        optional = {
            "description": self.description,
            "payload": self.payload,
            "expiration_date": _maybe_time(self.expires_at),
            "paid_asset": self.paid_asset,
            "paid_amount": _maybe_money(self.paid_amount),
            "paid_fiat_rate": _maybe_money(self.paid_fiat_rate),
            "paid_usd_rate": _maybe_money(self.paid_usd_rate),
            "paid_at": _maybe_time(self.paid_at),
        }
        shown.update({name: value for name, value in optional.items() if value is not None})
        return shown

    def to_model(self) -> Invoice:
        """The invoice as the client would read it."""
        return Invoice.model_validate(self.to_api())


def iso_time(seconds: float) -> str:
    """Unix ``seconds`` written as the API writes times: ``2027-01-15T08:00:00.000Z``."""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _money(amount: Decimal) -> str:
    return format(amount, "f")


def _maybe_money(amount: Decimal | None) -> str | None:
    return None if amount is None else _money(amount)


def _maybe_time(seconds: float | None) -> str | None:
    return None if seconds is None else iso_time(seconds)
