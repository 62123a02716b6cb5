"""The money invariants every scenario must leave true."""

from __future__ import annotations

from decimal import Decimal

from shop.money import Currency
from shop.refunds import FULL_REFUND_STATES
from shop.storage import Database, LedgerReason, OrderState

NO_REFUND_STATES = {
    OrderState.SUBMITTING,
    OrderState.UNKNOWN,
    OrderState.PENDING,
    OrderState.IN_PROGRESS,
    OrderState.PROCESSING,
    OrderState.COMPLETED,
}


async def assert_ledger_consistent(db: Database, currency: Currency) -> None:
    """No balance below zero; each order charged exactly its price once; refunds only
    where the order's end calls for one, never more than its price, never twice."""
    async with db.read() as r:
        balances = await r.ledger.totals_by_user()
        assert all(balance >= 0 for balance in balances.values()), balances
        for user_id, total in balances.items():
            assert await r.ledger.balance(user_id) == total
        order_ids: list[int] = []
        for user_id in balances:
            count = await r.orders.count_for_user(user_id)
            order_ids += [o.id for o in await r.orders.list_for_user(user_id, 0, count)]
        for order_id in order_ids:
            order = await r.orders.get(order_id)
            assert order is not None
            rows = await r.ledger.rows_for_order(order_id)
            charges = [row for row in rows if row.reason is LedgerReason.ORDER_CHARGE]
            refunds = [row for row in rows if row.reason is LedgerReason.REFUND]
            assert [row.amount for row in charges] == [-order.price], order
            assert len(refunds) <= 1, order
            refunded = refunds[0].amount if refunds else Decimal(0)
            assert 0 <= refunded <= order.price
            if order.state in FULL_REFUND_STATES:
                assert refunded == order.price, order
            elif order.state in NO_REFUND_STATES:
                assert refunded == 0, order
            else:
                assert order.state is OrderState.PARTIAL
                assert currency.is_exact(refunded)
