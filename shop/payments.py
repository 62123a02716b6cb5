"""Top-ups paid in Telegram Stars, their refunds, and referral bonuses.

An invoice fixes the stars asked and the shop money they credit, for a limited time. A
payment is credited exactly once, keyed by Telegram's charge id, however often its update
arrives; the customer's referrer earns their percent of it once as well, and gives it back
when the top-up is refunded.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import TypedDict, Unpack

from shop.alerts import Alerts
from shop.ledger import InsufficientFunds, credit, debit
from shop.money import Currency
from shop.promos import bonus_given
from shop.storage import Database, InvoiceRow, LedgerReason, Repositories, utc_now
from shop.topups import Payment, TopUpMethod, credit_top_up, referral_key, top_up_key

#: Telegram's currency code for Stars.
STARS: str = "XTR"
#: Telegram accepts invoices of 1 to 10,000 stars (Stars payments limits).
MAX_STARS_PER_INVOICE = 10_000


@dataclass(frozen=True, slots=True)
class TopUpTerms:
    """How top-ups work in this shop."""

    currency: Currency
    #: Shop money one star buys.
    stars_rate: Decimal
    min_amount: Decimal
    max_amount: Decimal
    presets: tuple[Decimal, ...]
    #: Percent of each top-up credited to the customer's referrer; 0 turns it off.
    referral_percent: Decimal
    #: How long an invoice can be paid: later, its stars may no longer buy what it credits.
    invoice_lifetime: timedelta = timedelta(minutes=60)
    #: A way to pay's own smallest top-up, where the owner set one above ``min_amount``.
    method_minimums: Mapping[TopUpMethod, Decimal] = field(default_factory=dict)

    def for_method(self, method: TopUpMethod) -> TopUpTerms:
        """The terms of top-ups by ``method``: its own minimum, when higher, and only the
        presets from there."""
        low = max(self.min_amount, self.method_minimums.get(method, self.min_amount))
        if low == self.min_amount:
            return self
        return replace(
            self, min_amount=low, presets=tuple(preset for preset in self.presets if preset >= low)
        )

    def stars_for(self, amount: Decimal) -> int:
        """Stars asked for ``amount``: enough to cover it, whole stars."""
        return int((amount / self.stars_rate).to_integral_value(rounding=ROUND_CEILING))

    def credit_for(self, stars: int) -> Decimal:
        """Shop money ``stars`` buy, rounded down to the minor unit."""
        return self.currency.round_down(self.stars_rate * stars)


class AmountProblem(enum.StrEnum):
    """Why a typed top-up amount is refused."""

    NOT_A_NUMBER = "not_a_number"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"


class AmountRefused(Exception):
    """A top-up amount outside the shop's terms."""

    def __init__(self, problem: AmountProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def read_amount(text: str, terms: TopUpTerms, method: TopUpMethod = TopUpMethod.STARS) -> Decimal:
    """A top-up amount typed by a customer ("10", "12.5", "12,50") for ``method``: within
    the shop's bounds and the method's own minimum, and for Stars within what one invoice
    may ask."""
    terms = terms.for_method(method)
    cleaned = text.strip().replace(",", ".").replace(" ", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise AmountRefused(AmountProblem.NOT_A_NUMBER) from None
    if not amount.is_finite() or len(cleaned) > 12:
        raise AmountRefused(AmountProblem.NOT_A_NUMBER)
    # Bounded before is_exact(): quantize() cannot hold the digits of "1e99".
    if amount < terms.min_amount:
        raise AmountRefused(AmountProblem.TOO_SMALL)
    if amount > terms.max_amount:
        raise AmountRefused(AmountProblem.TOO_LARGE)
    if method is TopUpMethod.STARS and terms.stars_for(amount) > MAX_STARS_PER_INVOICE:
        raise AmountRefused(AmountProblem.TOO_LARGE)
    if not terms.currency.is_exact(amount):
        raise AmountRefused(AmountProblem.NOT_A_NUMBER)
    return amount


async def create_invoice(
    db: Database,
    terms: TopUpTerms,
    user_id: int,
    amount: Decimal,
    *,
    now: datetime | None = None,
) -> InvoiceRow:
    """An invoice for ``amount``: the stars that cover it, crediting what they buy, payable
    for the shop's invoice lifetime from ``now``."""
    stars = terms.stars_for(amount)
    async with db.transaction() as tx:
        return await tx.invoices.create(
            user_id, stars, terms.credit_for(stars), terms.invoice_lifetime, now=now
        )


class CheckoutProblem(enum.StrEnum):
    """Why a pre-checkout is refused."""

    UNKNOWN_INVOICE = "unknown_invoice"
    ALREADY_PAID = "already_paid"
    EXPIRED = "expired"
    MISMATCH = "mismatch"


async def check_checkout(
    db: Database,
    payload: str,
    user_id: int,
    currency: str,
    total: int,
    *,
    now: datetime | None = None,
) -> CheckoutProblem | None:
    """None when the payment about to be made is for a known, unpaid, unexpired invoice of
    this customer, in stars, for exactly the stars asked; else why not.

    Expiry is checked here only: once Telegram has been told yes it takes the stars, so a
    payment arriving after the invoice expired is still credited.
    """
    async with db.read() as r:
        invoice = await r.invoices.get(payload)
    if invoice is None or invoice.user_id != user_id:
        return CheckoutProblem.UNKNOWN_INVOICE
    if invoice.paid_at is not None:
        return CheckoutProblem.ALREADY_PAID
    if (now or utc_now()) >= invoice.expires_at:
        return CheckoutProblem.EXPIRED
    if currency != STARS or total != invoice.stars:
        return CheckoutProblem.MISMATCH
    return None


class StarPayment(TypedDict):
    """A successful payment as Telegram reports it: the invoice's payload, Telegram's
    charge id, and the stars paid."""

    payload: str
    charge_id: str
    stars: int


@dataclass(frozen=True, slots=True)
class TopUp:
    """A settled payment: what it credited (nothing if it was seen before, or if it matches
    no invoice of this customer: ``unmatched``, for the admins to decide). ``bonus`` is the
    referrer's; ``promo_bonus`` the payer's own, from a promo code."""

    invoice: InvoiceRow | None
    credited: Decimal
    balance: Decimal
    referrer_id: int | None = None
    bonus: Decimal = Decimal(0)
    unmatched: bool = False
    promo_bonus: Decimal = Decimal(0)


def _reversal_key(charge_id: str, attempt: str) -> str:
    # Per attempt: a refund Telegram refused gives the bonus back, and a later attempt
    # takes it again.
    return f"referral-reversal:{charge_id}:{attempt}"


async def settle_payment(
    db: Database,
    terms: TopUpTerms,
    user_id: int,
    *,
    alerts: Alerts | None = None,
    **payment: Unpack[StarPayment],
) -> TopUp:
    """Credit a successful payment once per charge id, with the referral bonus.

    The amount is the one the shop stored with the invoice. A payment matching no invoice
    of this customer (the pre-checkout refuses those, so it should not happen) is credited
    nothing: ``alerts`` tells the admins, who credit it or return the stars.
    """
    async with db.transaction() as tx:
        return await settle_in(tx, terms, user_id, alerts=alerts, **payment)


async def settle_in(
    tx: Repositories,
    terms: TopUpTerms,
    user_id: int,
    *,
    alerts: Alerts | None = None,
    **payment: Unpack[StarPayment],
) -> TopUp:
    """:func:`settle_payment` inside the caller's transaction, so what reports the credit
    is committed with it."""
    payload, charge_id, stars = payment["payload"], payment["charge_id"], payment["stars"]
    invoice = await tx.invoices.get(payload)
    if invoice is None or invoice.user_id != user_id:
        if alerts is not None:
            await alerts.star_payment_unmatched(tx, user_id, stars, charge_id, payload)
        return TopUp(None, Decimal(0), await tx.ledger.balance(user_id), unmatched=True)
    await tx.invoices.mark_paid(invoice.id, charge_id)
    credited = await credit_top_up(
        tx,
        terms,
        user_id,
        invoice.amount,
        Payment(TopUpMethod.STARS, charge_id),
        note=f"{stars} stars",
    )
    return TopUp(
        invoice,
        credited.credited,
        credited.balance,
        credited.referrer_id,
        credited.bonus,
        promo_bonus=credited.promo_bonus,
    )


class RefundProblem(enum.StrEnum):
    """Why a star refund was not made."""

    UNKNOWN_PAYMENT = "unknown_payment"
    ALREADY_REFUNDED = "already_refunded"
    BALANCE_TOO_LOW = "balance_too_low"
    TELEGRAM_REFUSED = "telegram_refused"


class RefundRefused(Exception):
    """The stars were not returned; ``problem`` says why."""

    def __init__(self, problem: RefundProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value} {detail}".strip())
        self.problem = problem
        self.detail = detail


class RefundOutcome(enum.StrEnum):
    """How a star refund that stands came about."""

    #: Telegram returned the stars now.
    RETURNED = "returned"
    #: Telegram had returned them already (``CHARGE_ALREADY_REFUNDED``), e.g. on an
    #: earlier attempt whose answer was lost.
    RETURNED_BEFORE = "returned_before"
    #: Telegram's answer was lost: the stars may or may not be back; the admins check.
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class BonusReversal:
    """The referral bonus a refunded top-up had earned: taken back, or left with the
    referrer because they spent it (the admins are told)."""

    referrer_id: int
    bonus: Decimal
    taken: bool
    #: The referrer's balance afterwards.
    balance: Decimal


@dataclass(frozen=True, slots=True)
class StarRefund:
    """A refund that stands: the payment's invoice, how it went, and its bonus; with the
    promo code bonus the top-up brought, taken back with it."""

    invoice: InvoiceRow
    outcome: RefundOutcome
    detail: str = ""
    bonus: BonusReversal | None = None
    promo_bonus: Decimal = Decimal(0)

    @property
    def taken(self) -> Decimal:
        """What the refund took off the customer's balance."""
        return self.invoice.amount + self.promo_bonus


class StarsRefused(Exception):
    """Telegram answered a refund of stars with a refusal: it did not return them."""


class StarsReturnedBefore(Exception):
    """Telegram answered that the stars of this payment went back already
    (``CHARGE_ALREADY_REFUNDED``)."""


async def refund_stars(
    db: Database,
    user_id: int,
    charge_id: str,
    return_stars: Callable[[int, str], Awaitable[object]],
    alerts: Alerts,
) -> StarRefund:
    """Give a customer their stars back and take the top-up off their balance, with the
    promo code bonus it brought them, and the referral bonus it earned off the referrer's.

    The balance is debited first (refused if it is too low: the shop never returns stars
    whose money was spent), in one transaction with the bonus and the invoice's refunded
    mark, which makes a second refund of the same payment impossible. Then Telegram is
    asked through ``return_stars``: only its :class:`StarsRefused` undoes the debit;
    :class:`StarsReturnedBefore` means the stars are back; any other error is a lost
    answer, which keeps the debit and alerts the admins, since the stars may well be back
    too. A refund whose answer was lost, or never came (the bot
    stopped meanwhile), is finished by asking again: Telegram returns stars once, and the
    debit made the first time stands for both.
    """
    async with db.transaction() as tx:
        invoice = await tx.invoices.get_by_charge(charge_id)
        if invoice is None or invoice.user_id != user_id:
            raise RefundRefused(RefundProblem.UNKNOWN_PAYMENT)
        promo_bonus = await bonus_given(tx, top_up_key(TopUpMethod.STARS, charge_id))
        if invoice.refunded_at is None:
            attempt = secrets.token_hex(4)
            await tx.invoices.mark_refunded(invoice.id, attempt)
            try:
                await debit(
                    tx,
                    user_id,
                    invoice.amount + promo_bonus,
                    LedgerReason.STARS_REFUND,
                    f"stars-refund:{charge_id}:{attempt}",
                    note=f"with the promo code bonus of {promo_bonus}" if promo_bonus else None,
                )
            except InsufficientFunds as short:
                raise RefundRefused(RefundProblem.BALANCE_TOO_LOW, str(short.balance)) from None
            bonus = await _take_back_bonus(tx, charge_id, attempt)
            asked_before = False
        elif invoice.refund_outcome in (RefundOutcome.RETURNED, RefundOutcome.RETURNED_BEFORE):
            raise RefundRefused(RefundProblem.ALREADY_REFUNDED)
        else:
            attempt = invoice.refund_attempt or ""
            bonus = await _bonus_taken_back(tx, charge_id, attempt)
            asked_before = True
    outcome = RefundOutcome.RETURNED
    detail = ""
    try:
        await return_stars(user_id, charge_id)
    except StarsReturnedBefore as exc:
        detail, outcome = str(exc), RefundOutcome.RETURNED_BEFORE
    except StarsRefused as exc:
        await _undo_refund(db, invoice, bonus, attempt, invoice.amount + promo_bonus)
        raise RefundRefused(RefundProblem.TELEGRAM_REFUSED, str(exc)) from exc
    except Exception as exc:
        # Anything else says nothing of whether Telegram returned the stars.
        detail, outcome = str(exc), RefundOutcome.UNCERTAIN
    async with db.transaction() as tx:
        await tx.invoices.set_refund_outcome(invoice.id, outcome.value)
        if outcome is RefundOutcome.UNCERTAIN:
            await alerts.stars_refund_uncertain(tx, invoice, detail)
        if bonus is not None and not bonus.taken and not asked_before:
            await alerts.referral_bonus_kept(
                tx, invoice, bonus.referrer_id, bonus.bonus, bonus.balance
            )
    return StarRefund(invoice, outcome, detail, bonus, promo_bonus)


async def flag_unanswered_refunds(
    db: Database, alerts: Alerts, before: datetime, error: str
) -> list[InvoiceRow]:
    """Refunds of stars started before ``before`` whose answer never came (the bot stopped
    while it waited) become uncertain, and the admins are alerted to finish each by asking
    again with /refundstars; the invoices flagged."""
    async with db.transaction() as tx:
        invoices = await tx.invoices.refunds_unanswered(before)
        for invoice in invoices:
            await tx.invoices.set_refund_outcome(invoice.id, RefundOutcome.UNCERTAIN.value)
            await alerts.stars_refund_uncertain(tx, invoice, error)
    return invoices


async def _bonus_taken_back(
    tx: Repositories, charge_id: str, attempt: str
) -> BonusReversal | None:
    """The referral bonus an earlier attempt at this refund took back, if it did."""
    reversal = await tx.ledger.get_by_key(_reversal_key(charge_id, attempt))
    if reversal is None:
        return None
    return BonusReversal(
        reversal.user_id,
        -reversal.amount,
        taken=True,
        balance=await tx.ledger.balance(reversal.user_id),
    )


async def _take_back_bonus(tx: Repositories, charge_id: str, attempt: str) -> BonusReversal | None:
    """Debit the referral bonus the payment earned, unless the referrer has spent it: a
    balance never goes below zero."""
    earned = await tx.ledger.get_by_key(referral_key(TopUpMethod.STARS, charge_id))
    if earned is None:
        return None
    try:
        movement = await debit(
            tx,
            earned.user_id,
            earned.amount,
            LedgerReason.REFERRAL_REVERSAL,
            _reversal_key(charge_id, attempt),
            note="the top-up was refunded",
        )
    except InsufficientFunds as short:
        return BonusReversal(earned.user_id, earned.amount, taken=False, balance=short.balance)
    return BonusReversal(earned.user_id, earned.amount, taken=True, balance=movement.balance)


async def _undo_refund(
    db: Database, invoice: InvoiceRow, bonus: BonusReversal | None, attempt: str, taken: Decimal
) -> None:
    """Telegram refused: the payment is as it was (``taken`` back on the customer's
    balance), and so is the referral bonus."""
    charge_id = invoice.charge_id
    async with db.transaction() as tx:
        await tx.invoices.unmark_refunded(invoice.id)
        await credit(
            tx,
            invoice.user_id,
            taken,
            LedgerReason.ADMIN_ADJUSTMENT,
            f"stars-refund-undone:{charge_id}:{attempt}",
            note="Telegram did not return the stars",
        )
        if bonus is not None and bonus.taken:
            await credit(
                tx,
                bonus.referrer_id,
                bonus.bonus,
                LedgerReason.REFERRAL_BONUS,
                f"referral-restored:{charge_id}:{attempt}",
                note="the refund of the top-up was not made",
            )


@dataclass(frozen=True, slots=True)
class ReferralStats:
    """What a customer's referral screen shows."""

    referrals: int
    earned: Decimal


async def referral_stats(db: Database, user_id: int) -> ReferralStats:
    """How many customers this one brought, and what they earned from them (less the
    bonuses of top-ups that were refunded)."""
    async with db.read() as r:
        return ReferralStats(
            referrals=await r.users.count_referrals(user_id),
            earned=await r.ledger.total(user_id, LedgerReason.REFERRAL_BONUS)
            + await r.ledger.total(user_id, LedgerReason.REFERRAL_REVERSAL),
        )
