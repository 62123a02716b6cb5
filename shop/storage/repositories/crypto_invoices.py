"""Top-up invoices of Crypto Pay: what the shop asked, and how each ended."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from shop.money import from_micros, to_micros
from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


class CryptoInvoiceStatus(enum.StrEnum):
    """Where a Crypto Pay invoice of the shop stands."""

    #: Stored, Crypto Pay asked; its answer (and so its id) not come yet, or lost.
    CREATING = "creating"
    #: Crypto Pay made it; it can be paid until it expires.
    ACTIVE = "active"
    #: Paid and credited.
    PAID = "paid"
    #: Not paid in time: it can no longer be.
    EXPIRED = "expired"
    #: Crypto Pay refused to make it: there is nothing to pay.
    FAILED = "failed"


#: The invoices that may still be paid, or whose fate is not known yet.
OPEN_STATUSES = (CryptoInvoiceStatus.CREATING, CryptoInvoiceStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class CryptoInvoiceRow:
    """An invoice: ``amount`` of ``currency`` it credits once paid. ``key`` is the shop's
    own id of it (Crypto Pay carries it as the payload), ``invoice_id`` Crypto Pay's."""

    id: int
    key: str
    invoice_id: int | None
    user_id: int
    amount: Decimal
    currency: str
    status: CryptoInvoiceStatus
    pay_url: str | None
    paid_asset: str | None
    paid_amount: str | None
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    credited_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> CryptoInvoiceRow:
        """The invoice stored in ``row``."""
        return cls(
            id=row["id"],
            key=row["key"],
            invoice_id=row["invoice_id"],
            user_id=row["user_id"],
            amount=from_micros(row["amount"]),
            currency=row["currency"],
            status=CryptoInvoiceStatus(row["status"]),
            pay_url=row["pay_url"],
            paid_asset=row["paid_asset"],
            paid_amount=row["paid_amount"],
            created_at=from_db_time(row["created_at"]),
            expires_at=from_db_time(row["expires_at"]),
            paid_at=optional_from_db_time(row["paid_at"]),
            credited_at=optional_from_db_time(row["credited_at"]),
        )


class CryptoInvoiceRepository:
    """SQL for the ``crypto_invoices`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def create(
        self,
        user_id: int,
        amount: Decimal,
        currency: str,
        lifetime: timedelta,
        *,
        now: datetime | None = None,
    ) -> CryptoInvoiceRow:
        """A new invoice being created, with a random key, payable for ``lifetime``."""
        created = now or utc_now()
        rows = await self._session.execute_returning(
            "INSERT INTO crypto_invoices (key, user_id, amount, currency, status, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (
                secrets.token_urlsafe(16),
                user_id,
                to_micros(amount),
                currency,
                CryptoInvoiceStatus.CREATING.value,
                to_db_time(created),
                to_db_time(created + lifetime),
            ),
        )
        return CryptoInvoiceRow.from_row(rows[0])

    async def get(self, row_id: int) -> CryptoInvoiceRow | None:
        """The invoice with the shop's row id ``row_id``, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM crypto_invoices WHERE id = ?", (row_id,)
        )
        return None if row is None else CryptoInvoiceRow.from_row(row)

    async def get_by_key(self, key: str) -> CryptoInvoiceRow | None:
        """The invoice whose payload is ``key``, or None."""
        row = await self._session.fetch_one("SELECT * FROM crypto_invoices WHERE key = ?", (key,))
        return None if row is None else CryptoInvoiceRow.from_row(row)

    async def get_by_invoice_id(self, invoice_id: int) -> CryptoInvoiceRow | None:
        """The invoice Crypto Pay knows as ``invoice_id``, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM crypto_invoices WHERE invoice_id = ?", (invoice_id,)
        )
        return None if row is None else CryptoInvoiceRow.from_row(row)

    async def attach(self, row_id: int, invoice_id: int, pay_url: str) -> bool:
        """Record Crypto Pay's id and pay link of an invoice being created; False when it
        has another id already, or was settled meanwhile."""
        changed = await self._session.execute(
            "UPDATE crypto_invoices SET invoice_id = ?, pay_url = ?,"
            " status = CASE WHEN status = 'creating' THEN 'active' ELSE status END"
            " WHERE id = ? AND (invoice_id IS NULL OR invoice_id = ?)",
            (invoice_id, pay_url, row_id, invoice_id),
        )
        return changed == 1

    async def mark_paid(
        self,
        row_id: int,
        invoice_id: int,
        paid: tuple[str | None, str | None, datetime | None],
        now: datetime | None = None,
    ) -> bool:
        """Record that an open invoice was paid (``paid``: the asset, its amount, when) and
        credited now; False if it was settled before."""
        asset, amount, paid_at = paid
        credited = to_db_time(now or utc_now())
        changed = await self._session.execute(
            "UPDATE crypto_invoices SET status = 'paid', invoice_id = ?, paid_asset = ?,"
            " paid_amount = ?, paid_at = ?, credited_at = ?"
            " WHERE id = ? AND status <> 'paid'",
            (
                invoice_id,
                asset,
                amount,
                credited if paid_at is None else to_db_time(paid_at),
                credited,
                row_id,
            ),
        )
        return changed == 1

    async def mark(self, row_id: int, status: CryptoInvoiceStatus) -> bool:
        """Close an open invoice as expired or failed; False if it was not open."""
        changed = await self._session.execute(
            "UPDATE crypto_invoices SET status = ?"
            " WHERE id = ? AND status IN ('creating', 'active')",
            (status.value, row_id),
        )
        return changed == 1

    async def active(self) -> list[CryptoInvoiceRow]:
        """Every invoice Crypto Pay made that may still be paid, oldest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM crypto_invoices WHERE status = 'active' ORDER BY created_at"
        )
        return [CryptoInvoiceRow.from_row(row) for row in rows]

    async def count_open(self, user_id: int, now: datetime) -> int:
        """The customer's invoices that may still be paid (or are being created)."""
        found = await self._session.fetch_value(
            "SELECT COUNT(*) FROM crypto_invoices WHERE user_id = ?"
            " AND status IN ('creating', 'active') AND expires_at > ?",
            (user_id, to_db_time(now)),
        )
        return int(found or 0)

    async def creating(self, before: datetime, limit: int = 1000) -> list[CryptoInvoiceRow]:
        """Invoices whose creation started before ``before`` and never got Crypto Pay's
        answer, oldest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM crypto_invoices WHERE status = 'creating' AND created_at < ?"
            " ORDER BY created_at LIMIT ?",
            (to_db_time(before), limit),
        )
        return [CryptoInvoiceRow.from_row(row) for row in rows]

    async def any_open(self) -> bool:
        """True while some invoice may still be paid or is being created."""
        found = await self._session.fetch_value(
            "SELECT 1 FROM crypto_invoices WHERE status IN ('creating', 'active') LIMIT 1"
        )
        return found is not None
