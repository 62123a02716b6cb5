"""Figures for the shop's owner: sales, costs, refunds, customers, best sellers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from shop.money import from_micros
from shop.storage.enums import LedgerReason, OrderState
from shop.storage.session import Session, json_list
from shop.storage.times import to_db_time

#: Orders that cost the shop nothing at the panel.
_NOT_DELIVERED = [
    OrderState.FAILED.value,
    OrderState.CANCELED.value,
    OrderState.REFUNDED.value,
]

#: A stored moment's day in UTC (moments are stored in UTC, ``YYYY-MM-DDTHH:...``).
_DAY = "substr(created_at, 1, 10)"

#: What an order cost at the panel: a partly delivered order its delivered part only (in
#: whole micro-units, rounded down order by order, so the days add up to the period).
_PANEL_COST = (
    "CASE WHEN state = ? AND remains IS NOT NULL AND quantity > 0"
    " THEN cost * (quantity - MIN(MAX(remains, 0), quantity)) / quantity ELSE cost END"
)

#: The credits the owner's figures count apart: each way to top up, and promo codes.
CREDIT_REASONS: Final = (
    LedgerReason.TOPUP,
    LedgerReason.CRYPTO_TOPUP,
    LedgerReason.MANUAL_TOPUP,
    LedgerReason.PROMO_VOUCHER,
    LedgerReason.PROMO_BONUS,
)


@dataclass(frozen=True, slots=True)
class PanelFigures:
    """What one panel's orders brought and cost."""

    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True, slots=True)
class SalesFigures:
    """What happened since a moment."""

    orders: int
    charged: Decimal
    refunded: Decimal
    panel_cost: Decimal
    new_customers: int
    #: (service id, service name, orders), most ordered first.
    top_services: list[tuple[int, str, int]]
    #: What each kind of credit (a way to top up, a promo code) added, by ledger reason;
    #: a reason with none is left out.
    credits: Mapping[LedgerReason, Decimal] = field(default_factory=dict)
    #: Revenue and cost by the panel the orders were placed at.
    by_panel: Mapping[str, PanelFigures] = field(default_factory=dict)

    @property
    def revenue(self) -> Decimal:
        """What customers paid, less what went back to them."""
        return self.charged - self.refunded

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.panel_cost

    @property
    def promo_credits(self) -> Decimal:
        """What promo codes added: vouchers and bonuses on top-ups."""
        promo = (LedgerReason.PROMO_VOUCHER, LedgerReason.PROMO_BONUS)
        return sum((self.credits.get(reason, Decimal(0)) for reason in promo), Decimal(0))


@dataclass(frozen=True, slots=True)
class DailySales:
    """What each day (UTC) brought, by the same rules as :class:`SalesFigures`; a day
    with nothing is left out of each mapping."""

    charged: Mapping[date, Decimal]
    refunded: Mapping[date, Decimal]
    panel_cost: Mapping[date, Decimal]
    #: Each day's credits of each reason of :data:`CREDIT_REASONS`.
    credits: Mapping[date, Mapping[LedgerReason, Decimal]]


class StatsRepository:
    """Aggregate queries over orders, ledger and users."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def _ledger_sum(self, reason: LedgerReason, moment: str) -> Decimal:
        micros = await self._session.fetch_value(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE reason = ? AND created_at >= ?",
            (reason.value, moment),
        )
        return from_micros(int(micros))

    async def credits_since(
        self, moment: str, reasons: Sequence[LedgerReason]
    ) -> dict[LedgerReason, Decimal]:
        """What the ledger's credits of each of ``reasons`` added from ``moment`` on."""
        rows = await self._session.fetch_all(
            "SELECT reason, SUM(amount) AS total FROM ledger"
            " WHERE reason IN (SELECT value FROM json_each(?)) AND created_at >= ?"
            " GROUP BY reason",
            (json_list([reason.value for reason in reasons]), moment),
        )
        return {LedgerReason(row["reason"]): from_micros(int(row["total"])) for row in rows}

    async def sales_since(self, since: datetime, top: int = 5) -> SalesFigures:
        """Figures for everything from ``since`` on. The panel cost of a partly delivered
        order counts the delivered part only; orders not delivered cost nothing."""
        moment = to_db_time(since)
        charged = -await self._ledger_sum(LedgerReason.ORDER_CHARGE, moment)
        refunded = await self._ledger_sum(LedgerReason.REFUND, moment)
        orders = int(
            await self._session.fetch_value(
                "SELECT COUNT(*) FROM orders WHERE created_at >= ? AND state <> ?",
                (moment, OrderState.FAILED.value),
            )
        )
        costs = await self._costs_by_panel(moment)
        customers = int(
            await self._session.fetch_value(
                "SELECT COUNT(*) FROM users WHERE created_at >= ?", (moment,)
            )
        )
        rows = await self._session.fetch_all(
            "SELECT o.service_id, COALESCE(s.name, '') AS name, COUNT(*) AS n"
            " FROM orders AS o LEFT JOIN services AS s ON s.id = o.service_id"
            " WHERE o.created_at >= ? AND o.state <> ?"
            " GROUP BY o.service_id ORDER BY n DESC, o.service_id LIMIT ?",
            (moment, OrderState.FAILED.value, top),
        )
        return SalesFigures(
            orders=orders,
            charged=charged,
            refunded=refunded,
            panel_cost=sum(costs.values(), Decimal(0)),
            new_customers=customers,
            top_services=[(int(r["service_id"]), str(r["name"]), int(r["n"])) for r in rows],
            credits=await self.credits_since(moment, CREDIT_REASONS),
            by_panel=await self._by_panel(moment, costs),
        )

    async def _costs_by_panel(self, moment: str) -> dict[str, Decimal]:
        return {
            str(key): cost for key, cost in (await self._costs_grouped(moment, "panel")).items()
        }

    async def _costs_grouped(self, moment: str, key: str) -> dict[object, Decimal]:
        """The panel cost of the orders created from ``moment`` on, summed by the SQL
        expression ``key`` (one of this module's, never a caller's text)."""
        rows = await self._session.fetch_all(
            f"SELECT {key} AS key, SUM({_PANEL_COST}) AS cost FROM orders"
            " WHERE created_at >= ? AND state NOT IN (SELECT value FROM json_each(?))"
            " GROUP BY key",
            (OrderState.PARTIAL.value, moment, json_list(_NOT_DELIVERED)),
        )
        return {row["key"]: from_micros(int(row["cost"] or 0)) for row in rows}

    async def sales_by_day(self, since: datetime) -> DailySales:
        """What each day (UTC) from ``since`` on brought: charges, refunds, panel cost and
        credits, counted as :meth:`sales_since` counts them, so the days add up to its
        figures."""
        moment = to_db_time(since)
        reasons = [LedgerReason.ORDER_CHARGE, LedgerReason.REFUND, *CREDIT_REASONS]
        rows = await self._session.fetch_all(
            f"SELECT {_DAY} AS day, reason, SUM(amount) AS total FROM ledger"
            " WHERE reason IN (SELECT value FROM json_each(?)) AND created_at >= ?"
            " GROUP BY day, reason",
            (json_list([reason.value for reason in reasons]), moment),
        )
        charged: dict[date, Decimal] = {}
        refunded: dict[date, Decimal] = {}
        credited: dict[date, dict[LedgerReason, Decimal]] = {}
        for row in rows:
            day, reason = date.fromisoformat(row["day"]), LedgerReason(row["reason"])
            total = from_micros(int(row["total"]))
            if reason is LedgerReason.ORDER_CHARGE:
                charged[day] = -total
            elif reason is LedgerReason.REFUND:
                refunded[day] = total
            else:
                credited.setdefault(day, {})[reason] = total
        costs = await self._costs_grouped(moment, _DAY)
        return DailySales(
            charged=charged,
            refunded=refunded,
            panel_cost={date.fromisoformat(str(day)): cost for day, cost in costs.items()},
            credits=credited,
        )

    async def _by_panel(
        self, moment: str, costs: Mapping[str, Decimal]
    ) -> dict[str, PanelFigures]:
        """Revenue (charges less refunds, from ``moment`` on) and cost of each panel's
        orders."""
        rows = await self._session.fetch_all(
            "SELECT o.panel, SUM(l.amount) AS total FROM ledger AS l"
            " JOIN orders AS o ON o.id = l.order_id"
            " WHERE l.reason IN (?, ?) AND l.created_at >= ? GROUP BY o.panel",
            (LedgerReason.ORDER_CHARGE.value, LedgerReason.REFUND.value, moment),
        )
        revenue = {str(row["panel"]): -from_micros(int(row["total"])) for row in rows}
        return {
            panel: PanelFigures(revenue.get(panel, Decimal(0)), costs.get(panel, Decimal(0)))
            for panel in sorted(set(revenue) | set(costs))
        }
