"""Typed objects of the Crypto Pay API.

Money is :class:`~decimal.Decimal`, parsed from the API's strings (the client decodes JSON
numbers as Decimal too), never from a float. Fields the API adds later are ignored, and
the optional ones may be missing.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field


class InvoiceStatus(enum.StrEnum):
    """Where an invoice stands."""

    ACTIVE = "active"
    PAID = "paid"
    EXPIRED = "expired"


class CurrencyType(enum.StrEnum):
    """What an invoice's amount is counted in: a crypto asset, or a fiat currency."""

    CRYPTO = "crypto"
    FIAT = "fiat"


def _exact_number(value: Any) -> Any:
    # A float has already lost digits; an amount must come from text or an integer.
    if isinstance(value, float | bool):
        raise ValueError(f"an amount must be a string or a Decimal, not {type(value).__name__}")
    return value


def _asset_list(value: Any) -> Any:
    # Older answers, and form requests, carry a list as "USDT,TON".
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


#: An exact amount of money.
Money = Annotated[Decimal, BeforeValidator(_exact_number), Field(allow_inf_nan=False)]


class _ApiObject(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class App(_ApiObject):
    """The app a token belongs to (``getMe``)."""

    app_id: int
    name: str
    payment_processing_bot_username: str | None = None


class Invoice(_ApiObject):
    """An invoice as Crypto Pay describes it.

    For a fiat invoice, ``fiat`` and ``amount`` are what was asked, ``accepted_assets`` what
    may pay it; once paid, ``paid_asset`` and ``paid_amount`` say what came in.
    """

    invoice_id: int
    hash: str
    status: InvoiceStatus
    currency_type: CurrencyType
    amount: Money
    fiat: str | None = None
    asset: str | None = None
    accepted_assets: Annotated[list[str], BeforeValidator(_asset_list)] = Field(
        default_factory=list
    )
    paid_asset: str | None = None
    paid_amount: Money | None = None
    paid_fiat_rate: Money | None = None
    paid_usd_rate: Money | None = None
    bot_invoice_url: str
    mini_app_invoice_url: str | None = None
    web_app_invoice_url: str | None = None
    payload: str | None = None
    description: str | None = None
    created_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    expiration_date: AwareDatetime | None = None

    @property
    def is_paid(self) -> bool:
        """True once the invoice has been paid."""
        return self.status is InvoiceStatus.PAID


class InvoicePaidUpdate(_ApiObject):
    """The body of an ``invoice_paid`` webhook request."""

    update_id: int
    update_type: Literal["invoice_paid"]
    request_date: AwareDatetime
    payload: Invoice
