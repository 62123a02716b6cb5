"""The customer's wallet: their balance and its history, the ways to top up it offers
(Telegram Stars, Crypto Pay, transfers), and what their referrals earned them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Unpack

from shop.alerts import Alerts
from shop.crypto_topups import Check, CheckOutcome, CryptoDesk
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
from shop.storage import CryptoInvoiceRow, Database, InvoiceRow, LedgerRow
from shop.topups import TopUpMethod

#: Ledger rows a statement shows.
STATEMENT_ROWS = 10


@dataclass(frozen=True, slots=True)
class Statement:
    """A customer's balance and one page of their ledger rows, newest first: ``page`` (from
    0) of ``pages`` (at least 1)."""

    balance: Decimal
    movements: list[LedgerRow]
    page: int = 0
    pages: int = 1


class Wallet:
    """What a customer does with their money in the shop."""

    def __init__(
        self,
        db: Database,
        terms: TopUpTerms,
        alerts: Alerts,
        crypto: CryptoDesk | None = None,
        *,
        manual: bool = False,
    ) -> None:
        """``crypto``: Crypto Pay top-ups, when the owner set a token; ``manual``: whether
        transfers are on. Stars is always on."""
        self._db = db
        self._terms = terms
        self._alerts = alerts
        self._crypto = crypto
        enabled = {TopUpMethod.STARS}
        if crypto is not None:
            enabled.add(TopUpMethod.CRYPTO)
        if manual:
            enabled.add(TopUpMethod.MANUAL)
        self._methods = tuple(method for method in TopUpMethod if method in enabled)

    def methods(self) -> tuple[TopUpMethod, ...]:
        """The ways to top up this shop offers, in the order STARS, CRYPTO, MANUAL."""
        return self._methods

    @property
    def terms(self) -> TopUpTerms:
        """How top-ups work in this shop: amounts, presets, the referral percent."""
        return self._terms

    def terms_for(self, method: TopUpMethod) -> TopUpTerms:
        """How top-ups by ``method`` work: the shop's terms with the method's own minimum."""
        return self._terms.for_method(method)

    @property
    def currency(self) -> Currency:
        """The shop's currency, in which balances are kept."""
        return self._terms.currency

    async def balance(self, user_id: int) -> Decimal:
        """The customer's balance: the sum of their ledger."""
        async with self._db.read() as r:
            return await r.ledger.balance(user_id)

    async def statement(self, user_id: int, page: int = 0) -> Statement:
        """The customer's balance with page ``page`` of their whole history (the last page
        when ``page`` is past it), STATEMENT_ROWS rows a page."""
        async with self._db.read() as r:
            pages = max(1, -(-await r.ledger.count_for(user_id) // STATEMENT_ROWS))
            page = min(max(page, 0), pages - 1)
            rows = await r.ledger.history(user_id, STATEMENT_ROWS, page * STATEMENT_ROWS)
            return Statement(await r.ledger.balance(user_id), rows, page, pages)

    def read_amount(self, text: str, method: TopUpMethod = TopUpMethod.STARS) -> Decimal:
        """A top-up amount by ``method`` as the customer typed or tapped it; raises
        :class:`~shop.payments.AmountRefused` when it is outside the shop's terms."""
        return read_amount(text, self._terms, method)

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

    async def crypto_invoice(
        self, user_id: int, amount: Decimal, description: str
    ) -> CryptoInvoiceRow:
        """A Crypto Pay invoice of ``amount`` (see :meth:`shop.crypto_topups.CryptoDesk.create`);
        raises :class:`~shop.crypto_topups.InvoiceNotCreated` when there is none to pay."""
        return await self._crypto_desk().create(user_id, amount, description)

    def crypto_assets(self) -> tuple[str, ...]:
        """The crypto assets a Crypto Pay invoice may be paid in (none when it is off)."""
        return () if self._crypto is None else self._crypto.terms.assets

    def crypto_lifetime(self) -> timedelta:
        """How long a Crypto Pay invoice may be paid."""
        return timedelta(0) if self._crypto is None else self._crypto.terms.invoice_lifetime

    async def check_crypto(self, user_id: int, invoice: int) -> Check:
        """The customer's "Check payment" of their Crypto Pay invoice (the shop's number);
        unknown once Crypto Pay is off."""
        if self._crypto is None:
            return Check(CheckOutcome.UNKNOWN)
        return await self._crypto.check(user_id, invoice)

    def _crypto_desk(self) -> CryptoDesk:
        if self._crypto is None:
            raise LookupError("Crypto Pay is not enabled (CRYPTO_PAY_TOKEN is not set)")
        return self._crypto

    async def referrals(self, user_id: int) -> ReferralStats:
        """How many customers this one brought, and what that earned them."""
        return await referral_stats(self._db, user_id)
