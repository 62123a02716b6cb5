"""Customers' money: every change is a ledger row with a reason and a unique key.

A balance is the sum of the customer's ledger rows, always. Writing the same key twice
writes nothing the second time, so replaying an event (a repeated poll, a restart, a
duplicated update) can never move money twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict, Unpack

from shop.storage import Database, LedgerReason, Repositories


class InsufficientFunds(Exception):
    """A debit larger than the balance; nothing was written."""

    def __init__(self, balance: Decimal, needed: Decimal) -> None:
        super().__init__(f"balance {balance} is short of {needed}")
        self.balance = balance
        self.needed = needed

    @property
    def missing(self) -> Decimal:
        return self.needed - self.balance


class EntryDetails(TypedDict, total=False):
    """What a ledger row may record beside the money and its key: the order it concerns,
    and a note for whoever reads the books."""

    order_id: int | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Movement:
    """The result of a credit or debit: whether it was written now, and the new balance."""

    written: bool
    balance: Decimal


def _check_amount(amount: Decimal) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValueError(f"an amount must be a positive Decimal, not {amount!r}")


async def credit(
    tx: Repositories,
    user_id: int,
    amount: Decimal,
    reason: LedgerReason,
    key: str,
    **details: Unpack[EntryDetails],
) -> Movement:
    """Add ``amount`` to the balance once per ``key``."""
    _check_amount(amount)
    row = await tx.ledger.append(user_id, amount, reason, key, **details)
    return Movement(written=row is not None, balance=await tx.ledger.balance(user_id))


async def debit(
    tx: Repositories,
    user_id: int,
    amount: Decimal,
    reason: LedgerReason,
    key: str,
    **details: Unpack[EntryDetails],
) -> Movement:
    """Take ``amount`` from the balance once per ``key``; :class:`InsufficientFunds` if the
    balance would go negative (transactions run one at a time, so the check holds)."""
    _check_amount(amount)
    balance = await tx.ledger.balance(user_id)
    if await tx.ledger.has_key(key):
        return Movement(written=False, balance=balance)
    if balance < amount:
        raise InsufficientFunds(balance, amount)
    await tx.ledger.append(user_id, -amount, reason, key, **details)
    return Movement(written=True, balance=balance - amount)


async def adjust(db: Database, user_id: int, amount: Decimal, note: str, key: str) -> Movement:
    """An admin's correction: credit a positive ``amount``, debit a negative one."""
    async with db.transaction() as tx:
        if amount >= 0:
            return await credit(tx, user_id, amount, LedgerReason.ADMIN_ADJUSTMENT, key, note=note)
        return await debit(tx, user_id, -amount, LedgerReason.ADMIN_ADJUSTMENT, key, note=note)
