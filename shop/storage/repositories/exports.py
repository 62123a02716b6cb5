"""Reading whole tables for the CSV exports, a chunk at a time.

Each reader walks its table by id (keyset pagination: ``id > last seen``, in id order), so
one chunk is held in memory at a time however large the table, each query starts where the
last ended, and no query holds the database for long. Rows written after the export began
(a higher id than the table's largest at its start) are left out, so the row count an
export reports is the rows it wrote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final, TypeVar

from shop.money import from_micros
from shop.storage.enums import LedgerReason, OrderState
from shop.storage.repositories.ledger import LedgerRow
from shop.storage.session import Params, Row, Session, SqlValue
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time

#: Rows read by one query.
EXPORT_CHUNK: Final = 1000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rows an export takes: one customer's (``user_id``) or everyone's, created from
    ``since`` (inclusive) until ``until`` (exclusive); None leaves that side open."""

    user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderLine:
    """An order as the exports show it, with its service's name and what was refunded."""

    id: int
    created_at: datetime
    user_id: int
    service_id: int
    #: None when the service is no longer in the shop's catalogue.
    service_name: str | None
    panel: str
    panel_service_id: int | None
    panel_order_id: int | None
    link: str | None
    quantity: int
    state: OrderState
    panel_status: str | None
    price: Decimal
    cost: Decimal
    refunded: Decimal

    @classmethod
    def from_row(cls, row: Row) -> OrderLine:
        """The order stored in ``row`` (of :meth:`ExportRepository.orders`)."""
        return cls(
            id=row["id"],
            created_at=from_db_time(row["created_at"]),
            user_id=row["user_id"],
            service_id=row["service_id"],
            service_name=row["service_name"],
            panel=row["panel"],
            panel_service_id=row["panel_service_id"],
            panel_order_id=row["panel_order_id"],
            link=row["link"],
            quantity=row["quantity"],
            state=OrderState(row["state"]),
            panel_status=row["panel_status"],
            price=from_micros(row["price"]),
            cost=from_micros(row["cost"]),
            refunded=from_micros(int(row["refunded"])),
        )


@dataclass(frozen=True, slots=True)
class CustomerLine:
    """A customer as the exports show them, with their balance, orders and spending."""

    id: int
    username: str | None
    first_name: str | None
    language: str
    created_at: datetime
    banned_at: datetime | None
    blocked: bool
    balance: Decimal
    orders: int
    #: Order charges less their refunds.
    spent: Decimal

    @classmethod
    def from_row(cls, row: Row) -> CustomerLine:
        """The customer stored in ``row`` (of :meth:`ExportRepository.customers`)."""
        return cls(
            id=row["id"],
            username=row["username"],
            first_name=row["first_name"],
            language=row["language"],
            created_at=from_db_time(row["created_at"]),
            banned_at=optional_from_db_time(row["banned_at"]),
            blocked=bool(row["blocked"]),
            balance=from_micros(int(row["balance"])),
            orders=int(row["orders"]),
            spent=from_micros(int(row["spent"])),
        )


_ORDERS: Final = (
    "SELECT o.id, o.created_at, o.user_id, o.service_id, s.name AS service_name, o.panel,"
    " o.panel_service_id, o.panel_order_id, o.link, o.quantity, o.state, o.panel_status,"
    " o.price, o.cost,"
    " (SELECT COALESCE(SUM(l.amount), 0) FROM ledger l"
    f"  WHERE l.order_id = o.id AND l.reason = '{LedgerReason.REFUND.value}') AS refunded"
    " FROM orders o LEFT JOIN services s ON s.id = o.service_id"
)

_CUSTOMERS: Final = (
    "SELECT u.id, u.username, u.first_name, u.language, u.created_at, u.banned_at, u.blocked,"
    " (SELECT COALESCE(SUM(l.amount), 0) FROM ledger l WHERE l.user_id = u.id) AS balance,"
    " (SELECT COUNT(*) FROM orders o WHERE o.user_id = u.id) AS orders,"
    " (SELECT COALESCE(-SUM(l.amount), 0) FROM ledger l WHERE l.user_id = u.id"
    f"  AND l.reason IN ('{LedgerReason.ORDER_CHARGE.value}', '{LedgerReason.REFUND.value}'))"
    " AS spent"
    " FROM users u"
)


class ExportRepository:
    """SQL of the exports: the orders, the ledger and the customers, in chunks by id."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def orders(self, selection: Selection) -> AsyncIterator[list[OrderLine]]:
        """The selected orders, oldest first, in chunks of :data:`EXPORT_CHUNK`."""
        return self._chunks("orders", "o", _ORDERS, selection, OrderLine.from_row)

    def ledger(self, selection: Selection) -> AsyncIterator[list[LedgerRow]]:
        """The selected balance changes, oldest first, in chunks of :data:`EXPORT_CHUNK`."""
        return self._chunks("ledger", "l", "SELECT * FROM ledger l", selection, LedgerRow.from_row)

    def customers(self, selection: Selection) -> AsyncIterator[list[CustomerLine]]:
        """The customers who joined in the selection's period, by id, in chunks of
        :data:`EXPORT_CHUNK` (``selection.user_id`` is not used)."""
        everyone = Selection(since=selection.since, until=selection.until)
        return self._chunks("users", "u", _CUSTOMERS, everyone, CustomerLine.from_row)

    async def _chunks(
        self,
        table: str,
        alias: str,
        select: str,
        selection: Selection,
        read: Callable[[Row], T],
    ) -> AsyncIterator[list[T]]:
        last = await self._session.fetch_value(f"SELECT MAX(id) FROM {table}")
        if last is None:
            return
        conditions = [f"{alias}.id > ?", f"{alias}.id <= ?"]
        values: list[SqlValue] = [int(last)]
        if selection.user_id is not None:
            conditions.append(f"{alias}.user_id = ?")
            values.append(selection.user_id)
        if selection.since is not None:
            conditions.append(f"{alias}.created_at >= ?")
            values.append(to_db_time(selection.since))
        if selection.until is not None:
            conditions.append(f"{alias}.created_at < ?")
            values.append(to_db_time(selection.until))
        sql = f"{select} WHERE {' AND '.join(conditions)} ORDER BY {alias}.id LIMIT ?"
        after = 0
        while True:
            params: Params = (after, *values, EXPORT_CHUNK)
            rows = await self._session.fetch_all(sql, params)
            if not rows:
                return
            yield [read(row) for row in rows]
            if len(rows) < EXPORT_CHUNK:
                return
            after = int(rows[-1]["id"])
