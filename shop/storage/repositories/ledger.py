"""The ledger: every change of a customer's balance, append-only, one row per unique key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shop.money import from_micros, to_micros
from shop.storage.enums import LedgerReason
from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, to_db_time, utc_now


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One balance change: positive credits the user, negative debits them."""

    id: int
    user_id: int
    amount: Decimal
    reason: LedgerReason
    key: str
    order_id: int | None
    note: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> LedgerRow:
        """The ledger entry stored in ``row``."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            amount=from_micros(row["amount"]),
            reason=LedgerReason(row["reason"]),
            key=row["key"],
            order_id=row["order_id"],
            note=row["note"],
            created_at=from_db_time(row["created_at"]),
        )


class LedgerRepository:
    """SQL for the ``ledger`` table. The schema itself refuses UPDATE and DELETE of a row."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def append(
        self,
        user_id: int,
        amount: Decimal,
        reason: LedgerReason,
        key: str,
        *,
        order_id: int | None = None,
        note: str | None = None,
    ) -> LedgerRow | None:
        """Add a balance change; None (and nothing written) when ``key`` is already used.

        The key makes a change happen once however often it is attempted, e.g.
        ``charge:order:17`` or ``refund:order:17``. ``amount`` is signed, non-zero and has
        at most 6 decimals.
        """
        micros = to_micros(amount)
        if micros == 0:
            raise ValueError("a ledger entry cannot be zero")
        rows = await self._session.execute_returning(
            "INSERT INTO ledger (user_id, amount, reason, key, order_id, note, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING *",
            (
                user_id,
                micros,
                LedgerReason(reason).value,
                key,
                order_id,
                note,
                to_db_time(utc_now()),
            ),
        )
        return LedgerRow.from_row(rows[0]) if rows else None

    async def balance(self, user_id: int) -> Decimal:
        """The user's balance: the exact sum of their ledger (0 for a user with none)."""
        micros = await self._session.fetch_value(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE user_id = ?", (user_id,)
        )
        return from_micros(int(micros))

    async def has_key(self, key: str) -> bool:
        """True when a change with this idempotency key exists."""
        found = await self._session.fetch_value("SELECT 1 FROM ledger WHERE key = ?", (key,))
        return found is not None

    async def get_by_key(self, key: str) -> LedgerRow | None:
        """The change recorded under this idempotency key, or None."""
        row = await self._session.fetch_one("SELECT * FROM ledger WHERE key = ?", (key,))
        return None if row is None else LedgerRow.from_row(row)

    async def history(self, user_id: int, limit: int = 20, offset: int = 0) -> list[LedgerRow]:
        """The user's balance changes, newest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM ledger WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [LedgerRow.from_row(row) for row in rows]

    async def count_for(self, user_id: int) -> int:
        """How many balance changes the user has."""
        found = await self._session.fetch_value(
            "SELECT COUNT(*) FROM ledger WHERE user_id = ?", (user_id,)
        )
        return int(found or 0)

    async def rows_for_order(self, order_id: int) -> list[LedgerRow]:
        """The balance changes tied to an order (its charge, its refunds), oldest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM ledger WHERE order_id = ? ORDER BY id", (order_id,)
        )
        return [LedgerRow.from_row(row) for row in rows]

    async def totals_by_user(self) -> dict[int, Decimal]:
        """Every user's ledger total, for audits and the shop's liability."""
        rows = await self._session.fetch_all(
            "SELECT user_id, SUM(amount) AS total FROM ledger GROUP BY user_id ORDER BY user_id"
        )
        return {int(row["user_id"]): from_micros(int(row["total"])) for row in rows}

    async def total(self, user_id: int, reason: LedgerReason) -> Decimal:
        """The sum of the user's changes of one kind (e.g. referral bonuses earned)."""
        micros = await self._session.fetch_value(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE user_id = ? AND reason = ?",
            (user_id, LedgerReason(reason).value),
        )
        return from_micros(int(micros))

    async def totals_by_reason(self, user_id: int) -> dict[LedgerReason, Decimal]:
        """The sum of the user's changes of each kind they have."""
        rows = await self._session.fetch_all(
            "SELECT reason, SUM(amount) AS total FROM ledger WHERE user_id = ? GROUP BY reason",
            (user_id,),
        )
        return {LedgerReason(row["reason"]): from_micros(int(row["total"])) for row in rows}
