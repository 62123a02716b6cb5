"""Crediting a top-up, whichever way it was paid (Telegram Stars, Crypto Pay, a transfer an
admin approved): once per payment, under the ledger key its payment id makes, with the
customer's waiting promo code bonus and the referral bonus it earns the customer who
brought the payer.

Every way to pay ends here, so what a top-up earns is the same for each of them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from shop.ledger import credit
from shop.promos import apply_pending_bonus
from shop.storage import LedgerReason, Repositories

if TYPE_CHECKING:  # shop.payments credits its top-ups here
    from shop.payments import TopUpTerms


class TopUpMethod(enum.StrEnum):
    """A way to pay for a top-up."""

    STARS = "stars"
    CRYPTO = "crypto"
    MANUAL = "manual"


#: The ledger reason of each method's top-ups, so the owner's figures tell them apart.
REASONS: dict[TopUpMethod, LedgerReason] = {
    TopUpMethod.STARS: LedgerReason.TOPUP,
    TopUpMethod.CRYPTO: LedgerReason.CRYPTO_TOPUP,
    TopUpMethod.MANUAL: LedgerReason.MANUAL_TOPUP,
}


def top_up_key(method: TopUpMethod, payment_id: str) -> str:
    """Ledger key of a top-up: the method and the payment's own id, so it counts once."""
    return f"topup:{method.value}:{payment_id}"


def referral_key(method: TopUpMethod, payment_id: str) -> str:
    """Ledger key of the referral bonus a top-up earned: one per payment. (A Stars payment's
    is its charge id alone, as it was before there were other methods.)"""
    if method is TopUpMethod.STARS:
        return f"referral:{payment_id}"
    return f"referral:{method.value}:{payment_id}"


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment for a top-up: how it was paid and its id there (a Telegram charge id, a
    Crypto Pay invoice id, the shop's number of a transfer request)."""

    method: TopUpMethod
    id: str


@dataclass(frozen=True, slots=True)
class Credited:
    """What a top-up credited: nothing when its payment was credited before. ``bonus`` is
    the referrer's; ``promo_bonus`` the payer's own, from a promo code."""

    credited: Decimal
    balance: Decimal
    referrer_id: int | None = None
    bonus: Decimal = Decimal(0)
    promo_bonus: Decimal = Decimal(0)


async def credit_top_up(
    tx: Repositories,
    terms: TopUpTerms,
    user_id: int,
    amount: Decimal,
    payment: Payment,
    *,
    note: str | None = None,
) -> Credited:
    """Credit ``amount`` once per ``payment``; the first time, the customer's waiting promo
    code bonus is credited with it, and their referrer earns the shop's referral percent of
    the amount (both rounded down), each once as well."""
    reason, key = REASONS[payment.method], top_up_key(payment.method, payment.id)
    movement = await credit(tx, user_id, amount, reason, key, note=note)
    if not movement.written:
        return Credited(Decimal(0), movement.balance)
    promo_bonus = await apply_pending_bonus(tx, terms.currency, user_id, amount, key)
    balance = movement.balance + promo_bonus
    user = await tx.users.get(user_id)
    referrer = user.referrer_id if user is not None else None
    bonus = terms.currency.round_down(amount * terms.referral_percent / 100)
    if referrer is None or bonus <= 0:
        return Credited(amount, balance, promo_bonus=promo_bonus)
    await credit(
        tx,
        referrer,
        bonus,
        LedgerReason.REFERRAL_BONUS,
        referral_key(payment.method, payment.id),
        note=f"top-up of {user_id}",
    )
    return Credited(amount, balance, referrer, bonus, promo_bonus)
