"""Quotes: a priced order form shown to the customer, which one confirmation may consume."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shop.money import from_micros, to_micros
from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


def dump_fields(fields: Mapping[str, Any]) -> str:
    """The stored JSON of an order form's fields."""
    return json.dumps(dict(fields), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """A priced order form. ``price`` is what the customer pays; ``cost`` what the panel
    will charge, to the micro-unit (rounded up). ``consumed_at`` is set once, by the
    confirmation that used it."""

    id: str
    user_id: int
    service_id: int
    order_type: str
    fields: dict[str, Any]
    units: int
    price: Decimal
    cost: Decimal
    created_at: datetime
    expires_at: datetime
    consumed_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> QuoteRow:
        """The quote stored in ``row``."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            service_id=row["service_id"],
            order_type=row["order_type"],
            fields=json.loads(row["fields"]),
            units=row["units"],
            price=from_micros(row["price"]),
            cost=from_micros(row["cost"]),
            created_at=from_db_time(row["created_at"]),
            expires_at=from_db_time(row["expires_at"]),
            consumed_at=optional_from_db_time(row["consumed_at"]),
        )


@dataclass(frozen=True, slots=True)
class NewQuote:
    """A quote to store: a customer's order form, its price, and until when it holds."""

    user_id: int
    service_id: int
    order_type: str
    fields: Mapping[str, Any]
    units: int
    price: Decimal
    cost: Decimal
    expires_at: datetime


class QuoteRepository:
    """SQL for the ``quotes`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def create(self, quote: NewQuote) -> QuoteRow:
        """Store a new quote under a random, unguessable id (short enough for callback data)."""
        rows = await self._session.execute_returning(
            "INSERT INTO quotes (id, user_id, service_id, order_type, fields, units, price,"
            " cost, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (
                secrets.token_urlsafe(12),
                quote.user_id,
                quote.service_id,
                str(quote.order_type),
                dump_fields(quote.fields),
                quote.units,
                to_micros(quote.price),
                to_micros(quote.cost),
                to_db_time(utc_now()),
                to_db_time(quote.expires_at),
            ),
        )
        return QuoteRow.from_row(rows[0])

    async def get(self, quote_id: str) -> QuoteRow | None:
        """The quote with this id, or None."""
        row = await self._session.fetch_one("SELECT * FROM quotes WHERE id = ?", (quote_id,))
        return None if row is None else QuoteRow.from_row(row)

    async def consume(self, quote_id: str, now: datetime) -> bool:
        """Use the quote up; True only for the one caller that did (unused and not expired)."""
        changed = await self._session.execute(
            "UPDATE quotes SET consumed_at = ?"
            " WHERE id = ? AND consumed_at IS NULL AND expires_at > ?",
            (to_db_time(now), quote_id, to_db_time(now)),
        )
        return changed == 1

    async def purge_expired(self, before: datetime, limit: int = 500) -> int:
        """Delete up to ``limit`` quotes that expired before ``before`` and became no order:
        unused ones and ones the customer dropped. A quote an order was placed from stays
        with its order. How many were deleted."""
        return await self._session.execute(
            "DELETE FROM quotes WHERE id IN (SELECT id FROM quotes AS q WHERE expires_at < ?"
            " AND NOT EXISTS (SELECT 1 FROM orders WHERE orders.quote_id = q.id) LIMIT ?)",
            (to_db_time(before), limit),
        )
