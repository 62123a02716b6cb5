"""Orders placed at the panel on a customer's behalf, and the record of their state changes."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from shop.money import from_micros, to_micros
from shop.storage.enums import ACTIVE_ORDER_STATES, OrderState
from shop.storage.repositories.quotes import QuoteRow, dump_fields
from shop.storage.session import Row, Session, SqlValue, json_list
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


def _optional_decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


@dataclass(frozen=True, slots=True)
class Destination:
    """Where and what an order is sent: the panel, its service id there, and the order's
    link and quantity."""

    panel: str
    panel_service_id: int
    link: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order. ``price`` and ``cost`` are exact shop money; ``panel_charge`` is what the
    panel last reported charging, in the panel's currency; ``panel_status`` is its raw text."""

    id: int
    user_id: int
    quote_id: str
    service_id: int
    order_type: str
    link: str | None
    quantity: int
    fields: dict[str, Any]
    price: Decimal
    cost: Decimal
    state: OrderState
    #: The panel the order was placed at: every later call for it goes there.
    panel: str
    #: The service's id at that panel (what ``add`` was sent).
    panel_service_id: int | None
    panel_order_id: int | None
    panel_status: str | None
    start_count: int | None
    remains: int | None
    panel_charge: Decimal | None
    error: str | None
    item_errors: int
    created_at: datetime
    updated_at: datetime
    last_polled_at: datetime | None
    #: Set while the refund of a final order waits for an admin's decision.
    refund_held_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> OrderRow:
        """The order stored in ``row``."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            quote_id=row["quote_id"],
            service_id=row["service_id"],
            order_type=row["order_type"],
            link=row["link"],
            quantity=row["quantity"],
            fields=json.loads(row["fields"]),
            price=from_micros(row["price"]),
            cost=from_micros(row["cost"]),
            state=OrderState(row["state"]),
            panel=row["panel"],
            panel_service_id=row["panel_service_id"],
            panel_order_id=row["panel_order_id"],
            panel_status=row["panel_status"],
            start_count=row["start_count"],
            remains=row["remains"],
            panel_charge=_optional_decimal(row["panel_charge"]),
            error=row["error"],
            item_errors=row["item_errors"],
            created_at=from_db_time(row["created_at"]),
            updated_at=from_db_time(row["updated_at"]),
            last_polled_at=optional_from_db_time(row["last_polled_at"]),
            refund_held_at=optional_from_db_time(row["refund_held_at"]),
        )


class Figures(TypedDict):
    """The figures the panel reports for an order: None where it left one out."""

    start_count: int | None
    remains: int | None
    charge: Decimal | None


@dataclass(frozen=True, slots=True)
class FigureReport:
    """What the panel reported for an order that stays in ``state``."""

    order_id: int
    state: OrderState
    panel_status: str
    start_count: int | None
    remains: int | None
    charge: Decimal | None


@dataclass(frozen=True, slots=True)
class TransitionRow:
    """One recorded change of an order's state, with the panel's figures at that moment."""

    id: int
    order_id: int
    old_state: OrderState
    new_state: OrderState
    remains: int | None
    charge: Decimal | None
    at: datetime

    @classmethod
    def from_row(cls, row: Row) -> TransitionRow:
        """The transition stored in ``row``."""
        return cls(
            id=row["id"],
            order_id=row["order_id"],
            old_state=OrderState(row["old_state"]),
            new_state=OrderState(row["new_state"]),
            remains=row["remains"],
            charge=_optional_decimal(row["charge"]),
            at=from_db_time(row["at"]),
        )


class OrderRepository:
    """SQL for the ``orders`` and ``order_transitions`` tables.

    Every method that changes an order's state also records the transition, once per
    ``(order, old state, new state)``.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    async def insert_submitting(
        self,
        quote: QuoteRow,
        *,
        destination: Destination,
        price: Decimal,
        cost: Decimal,
    ) -> OrderRow:
        """Insert the order of ``quote`` (its customer, service and form), about to be sent
        at ``price`` to the panel and as the panel service ``destination`` names (recorded
        before the panel is asked, so every later call for it finds that panel);
        ConstraintError if the quote already has an order."""
        now = to_db_time(utc_now())
        link, quantity = destination.link, destination.quantity
        rows = await self._session.execute_returning(
            "INSERT INTO orders (user_id, quote_id, service_id, order_type, link, quantity,"
            " fields, price, cost, state, panel, panel_service_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (
                quote.user_id,
                quote.id,
                quote.service_id,
                str(quote.order_type),
                link,
                quantity,
                dump_fields(quote.fields),
                to_micros(price),
                to_micros(cost),
                OrderState.SUBMITTING.value,
                destination.panel,
                destination.panel_service_id,
                now,
                now,
            ),
        )
        return OrderRow.from_row(rows[0])

    async def redirect(
        self, order_id: int, panel: str, panel_service_id: int, cost: Decimal
    ) -> bool:
        """Send an order still ``submitting`` elsewhere: its panel, its service id there, and
        what it costs there. Recorded before that panel is asked, so every later call for
        the order (and a restart's recovery) finds it. False when the order is not
        ``submitting`` (nothing changes)."""
        changed = await self._session.execute(
            "UPDATE orders SET panel = ?, panel_service_id = ?, cost = ?, updated_at = ?"
            " WHERE id = ? AND state = ?",
            (
                panel,
                panel_service_id,
                to_micros(cost),
                to_db_time(utc_now()),
                order_id,
                OrderState.SUBMITTING.value,
            ),
        )
        return changed == 1

    async def get(self, order_id: int) -> OrderRow | None:
        """The order with this id, or None."""
        row = await self._session.fetch_one("SELECT * FROM orders WHERE id = ?", (order_id,))
        return None if row is None else OrderRow.from_row(row)

    async def get_for_user(self, order_id: int, user_id: int) -> OrderRow | None:
        """The order if it belongs to this user, else None."""
        row = await self._session.fetch_one(
            "SELECT * FROM orders WHERE id = ? AND user_id = ?", (order_id, user_id)
        )
        return None if row is None else OrderRow.from_row(row)

    async def get_by_quote(self, quote_id: str) -> OrderRow | None:
        """The order placed from this quote, or None."""
        row = await self._session.fetch_one("SELECT * FROM orders WHERE quote_id = ?", (quote_id,))
        return None if row is None else OrderRow.from_row(row)

    async def get_by_panel_id(
        self, panel_order_id: int, *, panel: str | None = None
    ) -> OrderRow | None:
        """The order with this panel order id at ``panel`` (None: at any panel, the oldest
        such order), or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM orders WHERE panel_order_id = ? AND (? IS NULL OR panel = ?)"
            " ORDER BY id LIMIT 1",
            (panel_order_id, panel, panel),
        )
        return None if row is None else OrderRow.from_row(row)

    async def _state_of(self, order_id: int) -> OrderState | None:
        state = await self._session.fetch_value(
            "SELECT state FROM orders WHERE id = ?", (order_id,)
        )
        return None if state is None else OrderState(state)

    async def set_placed(
        self, order_id: int, panel_order_id: int, now: datetime | None = None
    ) -> bool:
        """The panel accepted the order: ``submitting``/``unknown`` -> ``pending`` with the
        panel's id. False when the order is in another state (nothing changes)."""
        at = now or utc_now()
        old = await self._state_of(order_id)
        if old is None or old not in (OrderState.SUBMITTING, OrderState.UNKNOWN):
            return False
        await self._session.execute(
            "UPDATE orders SET state = ?, panel_order_id = ?, updated_at = ?"
            " WHERE id = ? AND state = ?",
            (OrderState.PENDING.value, panel_order_id, to_db_time(at), order_id, old.value),
        )
        await self.record_transition(order_id, old, OrderState.PENDING, at=at)
        return True

    async def set_state(
        self,
        order_id: int,
        new_state: OrderState,
        *,
        expected_states: Collection[OrderState],
        error: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Compare-and-set: move the order to ``new_state`` only from one of
        ``expected_states``; True when it moved. ``error`` (if given) is stored with it."""
        at = now or utc_now()
        old = await self._state_of(order_id)
        if old is None or old not in expected_states:
            return False
        await self._session.execute(
            "UPDATE orders SET state = ?, error = COALESCE(?, error), updated_at = ?"
            " WHERE id = ? AND state = ?",
            (OrderState(new_state).value, error, to_db_time(at), order_id, old.value),
        )
        if old != new_state:
            await self.record_transition(order_id, old, new_state, at=at)
        return True

    async def mark_submitting_unknown(self, now: datetime | None = None) -> list[OrderRow]:
        """At start-up: every order left in ``submitting`` becomes ``unknown``; those orders.

        A process that stopped between debiting and hearing back from the panel cannot know
        whether the panel took the order, so the money stays held until an admin decides.
        """
        at = now or utc_now()
        rows = await self._session.execute_returning(
            "UPDATE orders SET state = ?, updated_at = ? WHERE state = ? RETURNING *",
            (OrderState.UNKNOWN.value, to_db_time(at), OrderState.SUBMITTING.value),
        )
        orders = sorted((OrderRow.from_row(row) for row in rows), key=lambda o: o.id)
        for order in orders:
            await self.record_transition(
                order.id, OrderState.SUBMITTING, OrderState.UNKNOWN, at=at
            )
        return orders

    async def last_id(self) -> int:
        """The id of the newest order; 0 when there is none."""
        return int(await self._session.fetch_value("SELECT COALESCE(MAX(id), 0) FROM orders"))

    async def active_with_panel_id(
        self,
        after_id: int = 0,
        limit: int = 100,
        *,
        panel: str | None = None,
        upto_id: int | None = None,
    ) -> list[OrderRow]:
        """A page of orders a panel is still working on, by id, after ``after_id`` (and up
        to ``upto_id`` when given): those of ``panel``, or of every panel when it is None."""
        # One index walk per state, each stopping after ``limit`` rows: the indexes on
        # (state) and on (panel, state) keep a state's rows by id, so a page costs its own
        # rows, not every active order after it, and paging through 100,000 of them stays
        # linear. The bounds given are written in, so that the walk can use them.
        where = ["state = ?", "id > ?", "panel_order_id IS NOT NULL"]
        bounds: list[SqlValue] = [after_id]
        if upto_id is not None:
            where.append("id <= ?")
            bounds.append(upto_id)
        if panel is not None:
            where.append("panel = ?")
            bounds.append(panel)
        one_state = (
            f"SELECT * FROM (SELECT * FROM orders WHERE {' AND '.join(where)} ORDER BY id LIMIT ?)"
        )
        states = sorted(ACTIVE_ORDER_STATES)
        params: list[SqlValue] = []
        for state in states:
            params += [state, *bounds, limit]
        rows = await self._session.fetch_all(
            f"SELECT * FROM ({' UNION ALL '.join([one_state] * len(states))}) ORDER BY id LIMIT ?",
            (*params, limit),
        )
        return [OrderRow.from_row(row) for row in rows]

    async def apply_status(
        self,
        order_id: int,
        *,
        state: OrderState,
        panel_status: str,
        now: datetime,
        **figures: Unpack[Figures],
    ) -> bool:
        """Store what the panel reported for an active order; True when this changed its
        state and the transition was recorded for the first time.

        Orders no longer active are left alone, so a late poll cannot undo a final state.
        Figures the panel left out keep their last known value; the per-item error count is
        reset because the panel answered for this order.
        """
        old = await self._state_of(order_id)
        if old is None or old not in ACTIVE_ORDER_STATES:
            return False
        remains, charge = figures["remains"], figures["charge"]
        at = to_db_time(now)
        await self._session.execute(
            "UPDATE orders SET state = ?, panel_status = ?,"
            " start_count = COALESCE(?, start_count), remains = COALESCE(?, remains),"
            " panel_charge = COALESCE(?, panel_charge), item_errors = 0, last_polled_at = ?,"
            " updated_at = CASE WHEN state = ? THEN updated_at ELSE ? END"
            " WHERE id = ? AND state = ?",
            (
                OrderState(state).value,
                panel_status,
                figures["start_count"],
                remains,
                _decimal_text(charge),
                at,
                OrderState(state).value,
                at,
                order_id,
                old.value,
            ),
        )
        if old == state:
            return False
        return await self.record_transition(
            order_id, old, state, remains=remains, charge=charge, at=now
        )

    async def apply_figures(self, reports: Iterable[FigureReport], now: datetime) -> None:
        """Store, in one statement, what the panel reported for active orders whose state
        it did not change: status text, figures, the poll time; the per-item error count
        is reset. An order whose state moved since it was read is left alone (the next
        poll sees it), so this can never undo a transition."""
        at = to_db_time(now)
        await self._session.execute_many(
            "UPDATE orders SET panel_status = ?,"
            " start_count = COALESCE(?, start_count), remains = COALESCE(?, remains),"
            " panel_charge = COALESCE(?, panel_charge), item_errors = 0, last_polled_at = ?"
            " WHERE id = ? AND state = ?",
            [
                (
                    report.panel_status,
                    report.start_count,
                    report.remains,
                    _decimal_text(report.charge),
                    at,
                    report.order_id,
                    OrderState(report.state).value,
                )
                for report in reports
            ],
        )

    async def record_transition(
        self,
        order_id: int,
        old_state: OrderState,
        new_state: OrderState,
        *,
        remains: int | None = None,
        charge: Decimal | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Record a state change; False when this same change was recorded before."""
        changed = await self._session.execute(
            "INSERT INTO order_transitions (order_id, old_state, new_state, remains, charge, at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (order_id, old_state, new_state) DO NOTHING",
            (
                order_id,
                OrderState(old_state).value,
                OrderState(new_state).value,
                remains,
                _decimal_text(charge),
                to_db_time(at or utc_now()),
            ),
        )
        return changed == 1

    async def transitions(self, order_id: int) -> list[TransitionRow]:
        """The order's recorded state changes, oldest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM order_transitions WHERE order_id = ? ORDER BY id", (order_id,)
        )
        return [TransitionRow.from_row(row) for row in rows]

    async def list_for_user(
        self, user_id: int, offset: int = 0, limit: int = 10
    ) -> list[OrderRow]:
        """A page of the user's orders, newest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [OrderRow.from_row(row) for row in rows]

    async def count_for_user(self, user_id: int) -> int:
        """Number of the user's orders."""
        return int(
            await self._session.fetch_value(
                "SELECT COUNT(*) FROM orders WHERE user_id = ?", (user_id,)
            )
        )

    async def in_states(
        self, states: Collection[OrderState], after_id: int = 0, limit: int = 100
    ) -> list[OrderRow]:
        """A page of orders in any of ``states``, by id, after ``after_id``."""
        rows = await self._session.fetch_all(
            "SELECT * FROM orders WHERE id > ? AND state IN (SELECT value FROM json_each(?))"
            " ORDER BY id LIMIT ?",
            (after_id, json_list(OrderState(state).value for state in states), limit),
        )
        return [OrderRow.from_row(row) for row in rows]

    async def counts_by_state(self) -> dict[OrderState, int]:
        """Number of orders in each state that has any."""
        rows = await self._session.fetch_all(
            "SELECT state, COUNT(*) AS n FROM orders GROUP BY state ORDER BY state"
        )
        return {OrderState(row["state"]): int(row["n"]) for row in rows}

    async def active_by_panel(self, states: Collection[OrderState]) -> dict[str, int]:
        """Number of orders in ``states`` at each panel that has any."""
        marks = ", ".join("?" for _ in states)
        rows = await self._session.fetch_all(
            f"SELECT panel, COUNT(*) AS n FROM orders WHERE state IN ({marks}) GROUP BY panel",
            tuple(state.value for state in states),
        )
        return {str(row["panel"]): int(row["n"]) for row in rows}

    async def bump_item_errors(self, order_id: int, now: datetime | None = None) -> int:
        """The panel answered with an error for this order: count it; the new count in a row
        (0 when there is no such order)."""
        count = await self._session.execute_returning(
            "UPDATE orders SET item_errors = item_errors + 1, last_polled_at = ?"
            " WHERE id = ? RETURNING item_errors",
            (to_db_time(now or utc_now()), order_id),
        )
        return int(count[0]["item_errors"]) if count else 0

    async def hold_refund(self, order_id: int, now: datetime | None = None) -> bool:
        """Mark the order's refund as waiting for an admin; False if it already was."""
        changed = await self._session.execute(
            "UPDATE orders SET refund_held_at = ? WHERE id = ? AND refund_held_at IS NULL",
            (to_db_time(now or utc_now()), order_id),
        )
        return changed == 1

    async def release_refund(self, order_id: int) -> bool:
        """An admin decided the held refund: clear the mark; False if it was not held (so
        of two admins deciding at once, only one goes on)."""
        changed = await self._session.execute(
            "UPDATE orders SET refund_held_at = NULL WHERE id = ? AND refund_held_at IS NOT NULL",
            (order_id,),
        )
        return changed == 1

    async def reset_item_errors(self, order_id: int) -> None:
        """Forget the order's consecutive per-item errors."""
        await self._session.execute("UPDATE orders SET item_errors = 0 WHERE id = ?", (order_id,))
