"""The bot's Telegram Stars account, as both doubles keep it: a successful payment is an
incoming star transaction whose id is the charge id, ``refundStarPayment`` returns it once,
and ``getStarTransactions`` lists both, oldest first (a refund carries its payment's id)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import StarTransaction, StarTransactions, TransactionPartnerUser, User

from .failures import CHARGE_ALREADY_REFUNDED, CHARGE_NOT_FOUND, Rejected, bad_request


class StarAccount:
    """Payments in, refunds out."""

    def __init__(self) -> None:
        self.transactions: list[StarTransaction] = []

    def record_payment(
        self,
        user: User,
        payload: str,
        stars: int,
        charge_id: str,
        *,
        date: datetime | None = None,
    ) -> StarTransaction:
        """The user paid an invoice of the bot (once per charge id, however often the
        payment's update is delivered)."""
        for known in self.transactions:
            if known.id == charge_id and known.source is not None:
                return known
        transaction = StarTransaction(
            id=charge_id,
            amount=stars,
            date=date or datetime.now(UTC),
            source=TransactionPartnerUser(
                transaction_type="invoice_payment", user=user, invoice_payload=payload
            ),
        )
        self.transactions.append(transaction)
        return transaction

    def refunds(self) -> list[StarTransaction]:
        """The outgoing refunds made, oldest first."""
        return [t for t in self.transactions if t.receiver is not None]

    def refund(self, user_id: int, charge_id: str) -> StarTransaction:
        """Refund the payment ``charge_id`` of ``user_id``, as ``refundStarPayment`` does;
        :class:`Rejected` for a charge unknown (or not theirs) or refunded already."""
        payment = next(
            (
                t
                for t in self.transactions
                if t.id == charge_id
                and isinstance(t.source, TransactionPartnerUser)
                and t.source.user.id == user_id
            ),
            None,
        )
        if payment is None or not isinstance(payment.source, TransactionPartnerUser):
            raise Rejected(CHARGE_NOT_FOUND)
        if any(t.id == charge_id for t in self.refunds()):
            raise Rejected(CHARGE_ALREADY_REFUNDED)
        refund = StarTransaction(
            id=charge_id,
            amount=payment.amount,
            date=datetime.now(UTC),
            receiver=TransactionPartnerUser(
                transaction_type="invoice_payment", user=payment.source.user
            ),
        )
        self.transactions.append(refund)
        return refund

    def page(self, offset: int | None, limit: int | None) -> StarTransactions:
        """``getStarTransactions``: ``limit`` (1 to 100, default 100) from ``offset``."""
        offset = offset or 0
        limit = limit or 100
        if not 1 <= limit <= 100:
            raise Rejected(bad_request("invalid limit"))
        return StarTransactions(transactions=self.transactions[offset : offset + limit])
