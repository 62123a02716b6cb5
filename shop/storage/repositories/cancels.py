"""Customers' requests to cancel an order, each with the panel's answer."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, to_db_time, utc_now


class CancelOutcome(enum.StrEnum):
    """What became of a cancel request."""

    REQUESTING = "requesting"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    #: The panel's answer was lost; the order's next status tells.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CancelRequestRow:
    """A cancel request; ``error`` is the panel's reason when it refused."""

    id: int
    order_id: int
    user_id: int
    outcome: CancelOutcome
    error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> CancelRequestRow:
        """The cancel request stored in ``row``."""
        return cls(
            id=row["id"],
            order_id=row["order_id"],
            user_id=row["user_id"],
            outcome=CancelOutcome(row["outcome"]),
            error=row["error"],
            created_at=from_db_time(row["created_at"]),
            updated_at=from_db_time(row["updated_at"]),
        )


class CancelRequestRepository:
    """SQL for the ``cancel_requests`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def insert_requesting(self, order_id: int, user_id: int) -> CancelRequestRow:
        """Record that a cancel is about to be asked for."""
        now = to_db_time(utc_now())
        rows = await self._session.execute_returning(
            "INSERT INTO cancel_requests (order_id, user_id, outcome, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING *",
            (order_id, user_id, CancelOutcome.REQUESTING.value, now, now),
        )
        return CancelRequestRow.from_row(rows[0])

    async def set_outcome(
        self, request_id: int, outcome: CancelOutcome, error: str | None = None
    ) -> bool:
        """Store the panel's answer to a request still ``requesting``."""
        changed = await self._session.execute(
            "UPDATE cancel_requests SET outcome = ?, error = ?, updated_at = ?"
            " WHERE id = ? AND outcome = ?",
            (
                CancelOutcome(outcome).value,
                error,
                to_db_time(utc_now()),
                request_id,
                CancelOutcome.REQUESTING.value,
            ),
        )
        return changed == 1

    async def latest_for_order(self, order_id: int) -> CancelRequestRow | None:
        """The order's newest cancel request, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM cancel_requests WHERE order_id = ? ORDER BY id DESC LIMIT 1",
            (order_id,),
        )
        return None if row is None else CancelRequestRow.from_row(row)

    async def was_accepted(self, order_id: int) -> bool:
        """True when the panel accepted a cancel of this order."""
        found = await self._session.fetch_value(
            "SELECT 1 FROM cancel_requests WHERE order_id = ? AND outcome = ? LIMIT 1",
            (order_id, CancelOutcome.ACCEPTED.value),
        )
        return found is not None

    async def for_order(self, order_id: int) -> list[CancelRequestRow]:
        """The order's cancel requests, newest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM cancel_requests WHERE order_id = ? ORDER BY id DESC", (order_id,)
        )
        return [CancelRequestRow.from_row(row) for row in rows]
