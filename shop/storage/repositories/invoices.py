"""Top-up invoices paid in Telegram Stars."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from shop.money import from_micros, to_micros
from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    """An invoice: ``stars`` asked, ``amount`` of shop money it credits once paid, if it is
    paid before ``expires_at``."""

    id: str
    user_id: int
    stars: int
    amount: Decimal
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    charge_id: str | None
    refunded_at: datetime | None
    #: The refund attempt whose ledger rows stand, and how Telegram answered it (None
    #: while the answer is awaited).
    refund_attempt: str | None = None
    refund_outcome: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> InvoiceRow:
        """The invoice stored in ``row``."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            stars=row["stars"],
            amount=from_micros(row["amount"]),
            created_at=from_db_time(row["created_at"]),
            expires_at=from_db_time(row["expires_at"]),
            paid_at=optional_from_db_time(row["paid_at"]),
            charge_id=row["charge_id"],
            refunded_at=optional_from_db_time(row["refunded_at"]),
            refund_attempt=row["refund_attempt"],
            refund_outcome=row["refund_outcome"],
        )


class InvoiceRepository:
    """SQL for the ``star_invoices`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def create(
        self,
        user_id: int,
        stars: int,
        amount: Decimal,
        lifetime: timedelta,
        *,
        now: datetime | None = None,
    ) -> InvoiceRow:
        """A new unpaid invoice with a random id (it travels as the invoice payload), payable
        for ``lifetime`` from ``now``."""
        created = now or utc_now()
        rows = await self._session.execute_returning(
            "INSERT INTO star_invoices (id, user_id, stars, amount, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (
                secrets.token_urlsafe(12),
                user_id,
                stars,
                to_micros(amount),
                to_db_time(created),
                to_db_time(created + lifetime),
            ),
        )
        return InvoiceRow.from_row(rows[0])

    async def get(self, invoice_id: str) -> InvoiceRow | None:
        """The invoice with this id, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM star_invoices WHERE id = ?", (invoice_id,)
        )
        return None if row is None else InvoiceRow.from_row(row)

    async def get_by_charge(self, charge_id: str) -> InvoiceRow | None:
        """The invoice settled by this Telegram payment, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM star_invoices WHERE charge_id = ?", (charge_id,)
        )
        return None if row is None else InvoiceRow.from_row(row)

    async def mark_paid(self, invoice_id: str, charge_id: str) -> bool:
        """Record the payment of an unpaid invoice; False if it was paid already."""
        changed = await self._session.execute(
            "UPDATE star_invoices SET paid_at = ?, charge_id = ? WHERE id = ? AND paid_at IS NULL",
            (to_db_time(utc_now()), charge_id, invoice_id),
        )
        return changed == 1

    async def mark_refunded(
        self, invoice_id: str, attempt: str, now: datetime | None = None
    ) -> bool:
        """Record that a paid invoice's stars are being returned by ``attempt``; False if a
        refund was recorded already."""
        changed = await self._session.execute(
            "UPDATE star_invoices SET refunded_at = ?, refund_attempt = ?, refund_outcome = NULL"
            " WHERE id = ? AND paid_at IS NOT NULL AND refunded_at IS NULL",
            (to_db_time(now or utc_now()), attempt, invoice_id),
        )
        return changed == 1

    async def set_refund_outcome(self, invoice_id: str, outcome: str) -> None:
        """Record how Telegram answered the refund of the invoice's stars."""
        await self._session.execute(
            "UPDATE star_invoices SET refund_outcome = ? WHERE id = ? AND refunded_at IS NOT NULL",
            (outcome, invoice_id),
        )

    async def unmark_refunded(self, invoice_id: str) -> None:
        """Undo :meth:`mark_refunded` when Telegram would not return the stars after all."""
        await self._session.execute(
            "UPDATE star_invoices SET refunded_at = NULL, refund_attempt = NULL,"
            " refund_outcome = NULL WHERE id = ?",
            (invoice_id,),
        )

    async def refunds_unanswered(self, before: datetime) -> list[InvoiceRow]:
        """Refunds started before ``before`` whose answer from Telegram was never recorded:
        the bot stopped while it waited."""
        rows = await self._session.fetch_all(
            "SELECT * FROM star_invoices WHERE refunded_at IS NOT NULL"
            " AND refund_outcome IS NULL AND refunded_at < ? ORDER BY refunded_at",
            (to_db_time(before),),
        )
        return [InvoiceRow.from_row(row) for row in rows]

    async def purge_unpaid(self, before: datetime, limit: int = 500) -> int:
        """Delete up to ``limit`` invoices created before ``before`` and never paid; how
        many. Paid ones stay: a refund of the stars needs them."""
        return await self._session.execute(
            "DELETE FROM star_invoices WHERE id IN (SELECT id FROM star_invoices"
            " WHERE paid_at IS NULL AND created_at < ? LIMIT ?)",
            (to_db_time(before), limit),
        )
