"""Top-ups paid through CryptoBot's Crypto Pay: invoices in the shop's currency, payable in
the crypto assets the owner accepts.

An invoice is stored before Crypto Pay is asked for it, under a random key of the shop's
that travels as the invoice's payload. Its payment is learnt three ways: the poll of the
open invoices, the customer's "Check payment" button and Crypto Pay's webhook. All three
end in :meth:`CryptoDesk.settle`, which credits the amount the shop stored, once per
invoice id, and only for an invoice this shop made for exactly that amount and currency.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from api.cryptopay import (
    CryptoPayBadResponse,
    CryptoPayClient,
    CryptoPayError,
    CryptoPayRefusal,
    CryptoPayUnavailable,
    CurrencyType,
    Invoice,
    InvoicePaidUpdate,
    InvoiceStatus,
)
from shop.alerts import Alerts
from shop.notices import Notices
from shop.payments import TopUpTerms
from shop.storage import (
    CryptoInvoiceRow,
    CryptoInvoiceStatus,
    Database,
    Repositories,
    utc_now,
)
from shop.supervisor import Backoff, keep_running
from shop.topups import Payment, TopUpMethod, credit_top_up

logger = logging.getLogger(__name__)

#: Seconds between two polls of the open invoices (the issue's figure).
POLL_EVERY: Final = 15.0
#: The longest wait between polls while Crypto Pay keeps failing.
MOST_BACKOFF: Final = 300.0
#: An invoice still "creating" this long after it was stored lost its answer: the call
#: itself gives up within the client's timeouts (20 s), so it is not racing a live call.
CREATE_GRACE: Final = timedelta(seconds=60)
#: Pages of the app's newest invoices read to find one whose creation lost its answer.
LOST_SEARCH_PAGES: Final = 5
#: Crypto Pay's description field holds at most 1024 characters.
MAX_DESCRIPTION: Final = 1024
#: Taps remembered for CHECK_EVERY before the old ones are dropped.
MAX_REMEMBERED_CHECKS: Final = 10_000
#: Invoices one customer may have open at once: more are refused until one is paid or
#: expires, so nobody can make the poll ask about thousands of invoices.
MAX_OPEN_INVOICES: Final = 3
#: A "Check payment" within this many seconds of the last one of the same invoice is
#: answered from what the shop knows, without asking Crypto Pay again.
CHECK_EVERY: Final = 5.0


@dataclass(frozen=True, slots=True)
class CryptoTerms:
    """How Crypto Pay top-ups work in this shop: the top-up amounts, the assets accepted,
    and how long an invoice may be paid."""

    topup: TopUpTerms
    assets: tuple[str, ...]
    invoice_lifetime: timedelta

    @property
    def currency(self) -> str:
        """The fiat currency invoices are priced in: the shop's own."""
        return self.topup.currency.code


class CreateProblem(enum.StrEnum):
    """Why no invoice can be shown to the customer."""

    #: Crypto Pay said no (an amount it does not take, a currency it does not know...).
    REFUSED = "refused"
    #: Crypto Pay could not be reached, or its answer was lost.
    UNAVAILABLE = "unavailable"
    #: The customer has MAX_OPEN_INVOICES open already.
    TOO_MANY = "too_many"


class InvoiceNotCreated(Exception):
    """No invoice to pay: ``problem`` says why."""

    def __init__(self, problem: CreateProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value} {detail}".strip())
        self.problem = problem


class Settled(enum.StrEnum):
    """What settling an invoice as Crypto Pay showed it did."""

    CREDITED = "credited"
    #: Paid and credited before: nothing more.
    SEEN_BEFORE = "seen_before"
    #: Not paid (yet).
    NOT_PAID = "not_paid"
    EXPIRED = "expired"
    #: Not an invoice of this shop: not credited, the admins were told.
    UNKNOWN = "unknown"
    #: The shop's invoice, but not as the shop made it: not credited, the admins were told.
    MISMATCH = "mismatch"


class CheckOutcome(enum.StrEnum):
    """What the customer's "Check payment" found."""

    CREDITED = "credited"
    PAID_BEFORE = "paid_before"
    WAITING = "waiting"
    EXPIRED = "expired"
    #: Not paid as it was issued: the staff look at it.
    HELD = "held"
    UNAVAILABLE = "unavailable"
    #: No such invoice of this customer (a stale or forged button).
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Check:
    """The answer to a "Check payment": how it stands, and the invoice when there is one."""

    outcome: CheckOutcome
    invoice: CryptoInvoiceRow | None = None


_CHECKS: Final = {
    Settled.CREDITED: CheckOutcome.CREDITED,
    Settled.SEEN_BEFORE: CheckOutcome.PAID_BEFORE,
    Settled.NOT_PAID: CheckOutcome.WAITING,
    Settled.EXPIRED: CheckOutcome.EXPIRED,
    Settled.UNKNOWN: CheckOutcome.HELD,
    Settled.MISMATCH: CheckOutcome.HELD,
}


class CryptoDesk:
    """Creates Crypto Pay invoices for top-ups and credits the paid ones, once each."""

    def __init__(
        self,
        db: Database,
        client: CryptoPayClient,
        terms: CryptoTerms,
        notices: Notices,
        alerts: Alerts,
    ) -> None:
        self._db = db
        self._client = client
        self._terms = terms
        self._notices = notices
        self._alerts = alerts
        #: Called after a credit is committed, so its notice goes out at once.
        self.on_credit: Callable[[], None] | None = None
        #: When each invoice was last checked at a customer's tap (monotonic seconds).
        self._checked: dict[int, float] = {}

    def _may_ask(self, row_id: int) -> bool:
        """Whether a tap on Check may ask Crypto Pay about invoice ``row_id`` now: not when
        Crypto Pay answered about it less than CHECK_EVERY seconds ago."""
        return time.monotonic() - self._checked.get(row_id, -CHECK_EVERY) >= CHECK_EVERY

    def _asked(self, row_id: int) -> None:
        now = time.monotonic()
        if len(self._checked) > MAX_REMEMBERED_CHECKS:
            self._checked = {
                key: at for key, at in self._checked.items() if now - at < CHECK_EVERY
            }
        self._checked[row_id] = now

    @property
    def terms(self) -> CryptoTerms:
        """The assets accepted, the invoices' lifetime, the top-up amounts."""
        return self._terms

    async def create(self, user_id: int, amount: Decimal, description: str) -> CryptoInvoiceRow:
        """An invoice of ``amount`` in the shop's currency for the customer.

        The row is stored first, with its key; then Crypto Pay is asked once. A refusal, or
        no connection at all, closes the row (nothing can be paid); a lost answer leaves it
        open for the poll to find among the app's invoices, or to expire. Raises
        :class:`InvoiceNotCreated` when there is no invoice to show.
        """
        terms = self._terms
        async with self._db.transaction() as tx:
            if await tx.crypto_invoices.count_open(user_id, utc_now()) >= MAX_OPEN_INVOICES:
                raise InvoiceNotCreated(CreateProblem.TOO_MANY, f"{MAX_OPEN_INVOICES} open")
            row = await tx.crypto_invoices.create(
                user_id, amount, terms.currency, terms.invoice_lifetime
            )
        try:
            invoice = await self._client.create_invoice(
                amount,
                terms.currency,
                terms.assets,
                row.key,
                description[:MAX_DESCRIPTION],
                int(terms.invoice_lifetime.total_seconds()),
            )
        except CryptoPayUnavailable as exc:
            logger.warning("crypto invoice %d: the answer was lost (%s)", row.id, exc)
            raise InvoiceNotCreated(CreateProblem.UNAVAILABLE, str(exc)) from None
        except CryptoPayError as exc:
            # A refusal, or no connection made: Crypto Pay made nothing.
            async with self._db.transaction() as tx:
                await tx.crypto_invoices.mark(row.id, CryptoInvoiceStatus.FAILED)
                if isinstance(exc, CryptoPayRefusal) and _shops_to_fix(exc):
                    await self._alerts.crypto_pay_refuses(tx, exc.name, _today())
            if isinstance(exc, CryptoPayRefusal):
                logger.error("crypto invoice %d refused by Crypto Pay: %s", row.id, exc)
                raise InvoiceNotCreated(CreateProblem.REFUSED, exc.name) from None
            logger.warning("crypto invoice %d: Crypto Pay out of reach (%s)", row.id, exc)
            raise InvoiceNotCreated(CreateProblem.UNAVAILABLE, str(exc)) from None
        async with self._db.transaction() as tx:
            await tx.crypto_invoices.attach(row.id, invoice.invoice_id, invoice.bot_invoice_url)
            stored = await tx.crypto_invoices.get(row.id)
        assert stored is not None
        return stored

    async def check(self, user_id: int, row_id: int) -> Check:
        """The customer's "Check payment" of their invoice ``row_id``: Crypto Pay is asked
        and a payment credited as the poll would."""
        async with self._db.read() as r:
            row = await r.crypto_invoices.get(row_id)
        if row is None or row.user_id != user_id:
            return Check(CheckOutcome.UNKNOWN)
        if row.status is CryptoInvoiceStatus.PAID:
            return Check(CheckOutcome.PAID_BEFORE, row)
        if row.status is CryptoInvoiceStatus.EXPIRED:
            return Check(CheckOutcome.EXPIRED, row)
        if row.status is CryptoInvoiceStatus.FAILED and row.invoice_id is not None:
            # Made by Crypto Pay, then closed unpaid by the shop: the staff look at it.
            return Check(CheckOutcome.HELD, row)
        if row.status is CryptoInvoiceStatus.FAILED or row.invoice_id is None:
            return Check(CheckOutcome.UNKNOWN, row)
        if not self._may_ask(row.id):
            return Check(CheckOutcome.WAITING, row)
        try:
            found = await self._client.get_invoices([row.invoice_id])
        except CryptoPayError:
            return Check(CheckOutcome.UNAVAILABLE, row)
        self._asked(row.id)
        invoice = found.get(row.invoice_id)
        if invoice is None:
            # Deleted at Crypto Pay: it can no longer be paid.
            await self._expire(row)
            return Check(CheckOutcome.EXPIRED, row)
        settled = await self.settle(invoice)
        async with self._db.read() as r:
            row = await r.crypto_invoices.get(row_id) or row
        return Check(_CHECKS[settled], row)

    async def receive(self, update: InvoicePaidUpdate) -> Settled:
        """An ``invoice_paid`` update from Crypto Pay's webhook (its signature checked)."""
        return await self.settle(update.payload)

    async def poll_once(self, now: datetime | None = None) -> dict[Settled, int]:
        """Ask Crypto Pay about every open invoice (100 ids a call) and settle what it
        shows; look for invoices whose creation lost its answer. How many ended how.

        A failed call raises its :class:`~api.cryptopay.CryptoPayError`: nothing is lost,
        the next poll asks again."""
        moment = now or utc_now()
        async with self._db.read() as r:
            active = await r.crypto_invoices.active()
            lost = await r.crypto_invoices.creating(moment - CREATE_GRACE)
        counts: dict[Settled, int] = {}
        if active:
            found, unreadable = await self._read_invoices(
                [row.invoice_id for row in active if row.invoice_id is not None]
            )
            for row in active:
                invoice = found.get(row.invoice_id or 0)
                if invoice is not None:
                    settled = await self.settle(invoice)
                elif moment >= row.expires_at and row.invoice_id not in unreadable:
                    await self._expire(row)
                    settled = Settled.EXPIRED
                else:
                    continue
                counts[settled] = counts.get(settled, 0) + 1
        if lost:
            for settled in await self._find_lost(lost, moment):
                counts[settled] = counts.get(settled, 0) + 1
        return counts

    async def _read_invoices(self, ids: list[int]) -> tuple[dict[int, Invoice], set[int]]:
        """Crypto Pay's invoices ``ids``, and the ids it answered about unreadably. An
        answer this shop cannot read (one invoice of a shape it does not know) is asked
        again an invoice at a time, so the others are read; the unreadable ones are left
        for later, never taken as gone."""
        try:
            return await self._client.get_invoices(ids), set()
        except CryptoPayBadResponse as exc:
            logger.warning("Crypto Pay's invoices unreadable together (%s): one by one", exc)
        found: dict[int, Invoice] = {}
        unreadable: set[int] = set()
        for invoice_id in ids:
            try:
                found.update(await self._client.get_invoices([invoice_id]))
            except CryptoPayBadResponse as exc:
                logger.error("Crypto Pay invoice %d unreadable: %s", invoice_id, exc)
                unreadable.add(invoice_id)
        return found, unreadable

    async def run(self, every: float = POLL_EVERY) -> None:
        """Poll at start and then every ``every`` seconds while an invoice is open (a
        database check only, otherwise), until cancelled. A failed poll is logged and
        tried again later; nothing it would have credited is lost."""

        await self.check_token()

        async def poll() -> float:
            async with self._db.read() as r:
                busy = await r.crypto_invoices.any_open()
            if busy:
                await self.poll_once()
            return every

        await keep_running(
            "Crypto Pay poll",
            poll,
            Backoff(every, max(every, MOST_BACKOFF)),
            expected=(CryptoPayError,),
            log=logger,
        )

    async def check_token(self) -> bool:
        """Ask Crypto Pay who the shop's app is, as the bot starts: a refusal (a wrong
        token) is told to the admins at once rather than when a customer tries to pay.
        False when Crypto Pay refused."""
        try:
            app = await self._client.get_me()
        except CryptoPayRefusal as exc:
            logger.error("Crypto Pay refuses the shop's token: %s", exc)
            async with self._db.transaction() as tx:
                await self._alerts.crypto_pay_refuses(tx, exc.name, _today())
            return False
        except CryptoPayError as exc:
            # Out of reach for now: the poll and the customers' taps will tell.
            logger.warning("Crypto Pay not reached at start: %s", exc)
            return True
        logger.info("Crypto Pay app: %s", app.name)
        return True

    async def settle(self, invoice: Invoice) -> Settled:
        """Settle ``invoice`` as Crypto Pay shows it: the one place a crypto top-up is
        credited, whoever learnt of the payment.

        In one transaction: the invoice is checked to be this shop's (its payload one of
        the shop's keys, its id the one stored) for the amount and currency stored; a paid
        one is marked paid, credited with the stored amount (never a crypto amount) under
        its invoice id, and its notice queued. One that fails the check is credited
        nothing, and the admins are told once.
        """
        async with self._db.transaction() as tx:
            settled = await self._settle_in(tx, invoice)
        if settled is Settled.CREDITED and self.on_credit is not None:
            self.on_credit()
        return settled

    async def _settle_in(self, tx: Repositories, invoice: Invoice) -> Settled:
        row = await tx.crypto_invoices.get_by_key(invoice.payload or "")
        if row is None:
            known = await tx.crypto_invoices.get_by_invoice_id(invoice.invoice_id)
            if known is None:
                await self._refuse(tx, invoice, "unknown", "")
                return Settled.UNKNOWN
            await self._refuse(tx, invoice, "mismatch", f"payload of invoice #{known.id}")
            return Settled.MISMATCH
        problem = _difference(row, invoice)
        if not problem and row.currency != self._terms.currency:
            # CURRENCY changed since the invoice was made: its amount is not the shop's money.
            problem = f"stored in {row.currency}, the shop now counts in {self._terms.currency}"
        if problem:
            if row.status is CryptoInvoiceStatus.FAILED:
                return Settled.MISMATCH  # closed and reported before
            await self._refuse(tx, invoice, "mismatch", f"invoice #{row.id}: {problem}")
            if invoice.status is not InvoiceStatus.ACTIVE:
                # Paid or expired at Crypto Pay: it will not change, so the poll stops
                # asking; the staff have the alert.
                await tx.crypto_invoices.mark(row.id, CryptoInvoiceStatus.FAILED)
            return Settled.MISMATCH
        if row.status is CryptoInvoiceStatus.PAID:
            return Settled.SEEN_BEFORE
        if invoice.status is InvoiceStatus.ACTIVE:
            if row.invoice_id is None:
                await tx.crypto_invoices.attach(
                    row.id, invoice.invoice_id, invoice.bot_invoice_url
                )
            return Settled.NOT_PAID
        if invoice.status is InvoiceStatus.EXPIRED:
            await tx.crypto_invoices.mark(row.id, CryptoInvoiceStatus.EXPIRED)
            return Settled.EXPIRED
        paid_amount = None if invoice.paid_amount is None else format(invoice.paid_amount, "f")
        await tx.crypto_invoices.mark_paid(
            row.id, invoice.invoice_id, (invoice.paid_asset, paid_amount, invoice.paid_at)
        )
        credited = await credit_top_up(
            tx,
            self._terms.topup,
            row.user_id,
            row.amount,
            Payment(TopUpMethod.CRYPTO, str(invoice.invoice_id)),
            note=f"Crypto Pay invoice {invoice.invoice_id}: {paid_amount} {invoice.paid_asset}",
        )
        if credited.credited <= 0:
            return Settled.SEEN_BEFORE
        logger.info("crypto invoice %d paid: %s credited", row.id, credited.credited)
        await self._notices.crypto_topup_credited(
            tx,
            row.user_id,
            invoice.invoice_id,
            amount=credited.credited,
            balance=credited.balance,
            promo_bonus=credited.promo_bonus,
        )
        return Settled.CREDITED

    async def _refuse(self, tx: Repositories, invoice: Invoice, problem: str, where: str) -> None:
        logger.warning(
            "Crypto Pay invoice %d not credited: %s %s", invoice.invoice_id, problem, where
        )
        if invoice.status is not InvoiceStatus.PAID:
            # Nothing was paid: nothing is owed, nothing to tell.
            return
        shown = invoice.fiat or invoice.asset or "?"
        details = f"{invoice.amount} {shown}, paid {invoice.paid_amount} {invoice.paid_asset}"
        await self._alerts.crypto_payment_refused(
            tx, invoice.invoice_id, problem, f"{where}; {details}" if where else details
        )

    async def _expire(self, row: CryptoInvoiceRow) -> None:
        async with self._db.transaction() as tx:
            await tx.crypto_invoices.mark(row.id, CryptoInvoiceStatus.EXPIRED)

    async def _find_lost(self, lost: Sequence[CryptoInvoiceRow], now: datetime) -> list[Settled]:
        """Look for invoices whose creation lost its answer among the app's newest; settle
        those found, expire those not found whose time is up."""
        wanted = {row.key: row for row in lost}
        oldest = min(row.created_at for row in lost)
        outcomes: list[Settled] = []
        for page in range(LOST_SEARCH_PAGES):
            invoices = await self._client.list_invoices(offset=page * 100, count=100)
            for invoice in invoices:
                if invoice.payload in wanted:
                    del wanted[invoice.payload]
                    outcomes.append(await self.settle(invoice))
            # Newest first: a page reaching before the oldest lost one is the last needed.
            if len(invoices) < 100 or not wanted or invoices[-1].created_at < oldest:
                break
        for row in wanted.values():
            if now >= row.expires_at:
                await self._expire(row)
                outcomes.append(Settled.EXPIRED)
        return outcomes


def _difference(row: CryptoInvoiceRow, invoice: Invoice) -> str:
    """How ``invoice`` differs from the shop's ``row`` (empty when it does not)."""
    if row.invoice_id is not None and row.invoice_id != invoice.invoice_id:
        return f"invoice id {invoice.invoice_id}, stored {row.invoice_id}"
    if invoice.currency_type is not CurrencyType.FIAT or invoice.fiat != row.currency:
        return f"currency {invoice.fiat or invoice.asset}, stored {row.currency}"
    if invoice.amount != row.amount:
        return f"amount {invoice.amount}, stored {row.amount}"
    return ""


def _shops_to_fix(refusal: CryptoPayRefusal) -> bool:
    """Whether a refusal of an invoice is the shop's to fix (its token, its currency...),
    not the amount one customer asked for."""
    return not refusal.name.startswith("AMOUNT")


def _today() -> str:
    return utc_now().date().isoformat()
