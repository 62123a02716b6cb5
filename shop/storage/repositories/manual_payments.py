"""Requests of top-ups by transfer: the receipt a customer sent, and an admin's decision."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shop.money import from_micros, to_micros
from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


class ManualPaymentStatus(enum.StrEnum):
    """Where a request stands: waiting for an admin, or decided once for good."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReceiptKind(enum.StrEnum):
    """What the customer sent as the receipt of their transfer."""

    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class NewManualPayment:
    """A request as the customer makes it: the amount and the receipt's message."""

    user_id: int
    amount: Decimal
    currency: str
    receipt_chat_id: int
    receipt_message_id: int
    receipt_kind: ReceiptKind
    comment: str | None = None
    #: The form the receipt answered: one request per form.
    form_key: str | None = None


@dataclass(frozen=True, slots=True)
class ManualPaymentRow:
    """A request of a top-up by transfer."""

    id: int
    user_id: int
    amount: Decimal
    currency: str
    status: ManualPaymentStatus
    receipt_chat_id: int
    receipt_message_id: int
    receipt_kind: ReceiptKind
    comment: str | None
    created_at: datetime
    decided_at: datetime | None
    decided_by: int | None
    #: What an approval credited (the amount asked, or the one the admin gave).
    approved_amount: Decimal | None
    reject_reason: str | None
    #: The summary posted to the admin group; None while no post made it there.
    post_message_id: int | None

    @classmethod
    def from_row(cls, row: Row) -> ManualPaymentRow:
        """The request stored in ``row``."""
        approved = row["approved_amount"]
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            amount=from_micros(row["amount"]),
            currency=row["currency"],
            status=ManualPaymentStatus(row["status"]),
            receipt_chat_id=row["receipt_chat_id"],
            receipt_message_id=row["receipt_message_id"],
            receipt_kind=ReceiptKind(row["receipt_kind"]),
            comment=row["comment"],
            created_at=from_db_time(row["created_at"]),
            decided_at=optional_from_db_time(row["decided_at"]),
            decided_by=row["decided_by"],
            approved_amount=None if approved is None else from_micros(approved),
            reject_reason=row["reject_reason"],
            post_message_id=row["post_message_id"],
        )


class ManualPaymentRepository:
    """SQL for the ``manual_payments`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def create(self, new: NewManualPayment) -> tuple[ManualPaymentRow, bool]:
        """Store a pending request; ``(request, created)``. A receipt already stored (its
        update came again), or another receipt of the same form, gives the request stored
        first, and ``created`` False."""
        rows = await self._session.execute_returning(
            "INSERT INTO manual_payments (user_id, amount, currency, receipt_chat_id,"
            " receipt_message_id, receipt_kind, comment, created_at, form_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING *",
            (
                new.user_id,
                to_micros(new.amount),
                new.currency,
                new.receipt_chat_id,
                new.receipt_message_id,
                new.receipt_kind.value,
                new.comment,
                to_db_time(utc_now()),
                new.form_key,
            ),
        )
        if rows:
            return ManualPaymentRow.from_row(rows[0]), True
        existing = await self.get_by_receipt(new.receipt_chat_id, new.receipt_message_id)
        if existing is None and new.form_key is not None:
            existing = await self.get_by_form(new.user_id, new.form_key)
        assert existing is not None
        return existing, False

    async def get_by_form(self, user_id: int, form_key: str) -> ManualPaymentRow | None:
        """The request the customer's form ``form_key`` made, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM manual_payments WHERE user_id = ? AND form_key = ?",
            (user_id, form_key),
        )
        return None if row is None else ManualPaymentRow.from_row(row)

    async def get(self, request_id: int) -> ManualPaymentRow | None:
        """The request with this id, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM manual_payments WHERE id = ?", (request_id,)
        )
        return None if row is None else ManualPaymentRow.from_row(row)

    async def get_by_receipt(self, chat_id: int, message_id: int) -> ManualPaymentRow | None:
        """The request the receipt ``message_id`` of ``chat_id`` made, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM manual_payments WHERE receipt_chat_id = ? AND receipt_message_id = ?",
            (chat_id, message_id),
        )
        return None if row is None else ManualPaymentRow.from_row(row)

    async def count_pending(self, user_id: int | None = None) -> int:
        """Requests waiting for a decision: the customer's, or everyone's (None)."""
        if user_id is None:
            found = await self._session.fetch_value(
                "SELECT COUNT(*) FROM manual_payments WHERE status = ?",
                (ManualPaymentStatus.PENDING.value,),
            )
        else:
            found = await self._session.fetch_value(
                "SELECT COUNT(*) FROM manual_payments WHERE status = ? AND user_id = ?",
                (ManualPaymentStatus.PENDING.value, user_id),
            )
        return int(found)

    async def pending(self, limit: int = 50) -> list[ManualPaymentRow]:
        """Requests waiting for a decision, oldest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM manual_payments WHERE status = ? ORDER BY id LIMIT ?",
            (ManualPaymentStatus.PENDING.value, limit),
        )
        return [ManualPaymentRow.from_row(row) for row in rows]

    async def set_post(self, request_id: int, message_id: int) -> None:
        """Remember the summary posted to the admin group, so a decision can edit it."""
        await self._session.execute(
            "UPDATE manual_payments SET post_message_id = ? WHERE id = ?",
            (message_id, request_id),
        )

    async def approve(self, request_id: int, admin_id: int, amount: Decimal) -> bool:
        """Mark a pending request approved for ``amount``; False when it is not pending
        (decided before, or unknown): only one caller can win."""
        changed = await self._session.execute(
            "UPDATE manual_payments SET status = ?, approved_amount = ?, decided_by = ?,"
            " decided_at = ? WHERE id = ? AND status = ?",
            (
                ManualPaymentStatus.APPROVED.value,
                to_micros(amount),
                admin_id,
                to_db_time(utc_now()),
                request_id,
                ManualPaymentStatus.PENDING.value,
            ),
        )
        return changed == 1

    async def reject(self, request_id: int, admin_id: int, reason: str | None) -> bool:
        """Mark a pending request rejected; False when it is not pending."""
        changed = await self._session.execute(
            "UPDATE manual_payments SET status = ?, reject_reason = ?, decided_by = ?,"
            " decided_at = ? WHERE id = ? AND status = ?",
            (
                ManualPaymentStatus.REJECTED.value,
                reason,
                admin_id,
                to_db_time(utc_now()),
                request_id,
                ManualPaymentStatus.PENDING.value,
            ),
        )
        return changed == 1
