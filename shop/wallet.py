"""The customer's wallet: their balance and its history, the ways to top up it offers,
top-ups paid in Telegram Stars, and what their referrals earned them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Unpack

from shop.alerts import Alerts
from shop.money import Currency
from shop.payments import (
    CheckoutProblem,
    ReferralStats,
    StarPayment,
    TopUp,
    TopUpTerms,
    check_checkout,
    create_invoice,
    read_amount,
    referral_stats,
    settle_payment,
)
from shop.storage import Database, InvoiceRow, LedgerRow
from shop.topups import TopUpMethod

#: Ledger rows a statement shows.
STATEMENT_ROWS = 5


@dataclass(frozen=True, slots=True)
class Statement:
    """A customer's balance and their latest ledger rows, newest first."""

    balance: Decimal
    movements: list[LedgerRow]


class Wallet:
    """What a customer does with their money in the shop."""

    def __init__(
        self,
        db: Database,
        terms: TopUpTerms,
        alerts: Alerts,
        *,
        methods: Collection[TopUpMethod] = (),
    ) -> None:
        """``methods``: the ways to top up the owner enabled besides Stars, always on."""
        self._db = db
        self._terms = terms
        self._alerts = alerts
        self._methods = tuple(
            method for method in TopUpMethod if method is TopUpMethod.STARS or method in methods
        )

    def methods(self) -> tuple[TopUpMethod, ...]:
        """The ways to top up this shop offers, in the order STARS, CRYPTO, MANUAL."""
        return self._methods

    @property
    def terms(self) -> TopUpTerms:
        """How top-ups work in this shop: amounts, presets, the referral percent."""
        return self._terms

    @property
    def currency(self) -> Currency:
        """The shop's currency, in which balances are kept."""
        return self._terms.currency

    async def balance(self, user_id: int) -> Decimal:
        """The customer's balance: the sum of their ledger."""
        async with self._db.read() as r:
            return await r.ledger.balance(user_id)

    async def statement(self, user_id: int) -> Statement:
        """The customer's balance with their latest ledger rows."""
        async with self._db.read() as r:
            return Statement(
                await r.ledger.balance(user_id), await r.ledger.history(user_id, STATEMENT_ROWS)
            )

    def read_amount(self, text: str) -> Decimal:
        """A top-up amount as the customer typed or tapped it; raises
        :class:`~shop.payments.AmountRefused` when it is outside the shop's terms."""
        return read_amount(text, self._terms)

    async def invoice(self, user_id: int, amount: Decimal) -> InvoiceRow:
        """A Stars invoice crediting ``amount`` (see :func:`shop.payments.create_invoice`)."""
        return await create_invoice(self._db, self._terms, user_id, amount)

    async def check_checkout(
        self, user_id: int, payload: str, currency: str, total: int
    ) -> CheckoutProblem | None:
        """None when the payment about to be made is for one of the customer's invoices,
        as it was issued and still payable; else why not."""
        return await check_checkout(self._db, payload, user_id, currency, total)

    async def settle(self, user_id: int, **payment: Unpack[StarPayment]) -> TopUp:
        """Credit a successful payment once, with its referral bonus; one that matches none
        of the customer's invoices is credited nothing and reported to the admins."""
        return await settle_payment(self._db, self._terms, user_id, alerts=self._alerts, **payment)

    async def referrals(self, user_id: int) -> ReferralStats:
        """How many customers this one brought, and what that earned them."""
        return await referral_stats(self._db, user_id)
