"""The refund of an order's end, as a rule: never negative, never above the price, exact
to the minor unit, and held rather than guessed when the final answer shows nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from api import OrderType
from shop.money import Currency
from shop.refunds import RefundBasis, refund_due
from shop.storage import OrderRow, OrderState

USD = Currency("USD", 2)
AT = datetime(2026, 1, 1, tzinfo=UTC)


def an_order(order_type: str, quantity: int, price: Decimal, cost: Decimal) -> OrderRow:
    return OrderRow(
        id=1, user_id=1, quote_id="q", service_id=101, order_type=order_type, link=None,
        quantity=quantity, fields={}, price=price, cost=cost, state=OrderState.IN_PROGRESS,
        panel="main", panel_service_id=101, panel_order_id=5, panel_status=None,
        start_count=None, remains=None, panel_charge=None,
        error=None, item_errors=0, created_at=AT, updated_at=AT, last_polled_at=None,
        refund_held_at=None,
    )  # fmt: skip


money = st.decimals(min_value=0, max_value=10_000, places=2)
figures = st.none() | st.integers(min_value=-(10**12), max_value=10**12)
charges = st.none() | st.decimals(min_value=-1000, max_value=10**6, places=5)


@given(
    order_type=st.sampled_from([t.value for t in OrderType]),
    quantity=st.integers(min_value=0, max_value=10**7),
    price=money,
    cost=money,
    state=st.sampled_from(list(OrderState)),
    remains=figures,
    charge=charges,
)
def test_a_refund_is_between_nothing_and_the_price_and_exact(
    order_type: str,
    quantity: int,
    price: Decimal,
    cost: Decimal,
    state: OrderState,
    remains: int | None,
    charge: Decimal | None,
) -> None:
    order = an_order(order_type, quantity, price, cost)
    refund = refund_due(order, state, remains, charge, USD)
    assert 0 <= refund.amount <= price
    assert USD.is_exact(refund.amount)
    if refund.held:
        assert (state, refund.amount) == (OrderState.PARTIAL, 0)
        assert charge is None or cost == 0


def test_which_figure_a_partial_is_refunded_from() -> None:
    default = an_order(OrderType.DEFAULT.value, 1000, Decimal("1.17"), Decimal("0.9"))
    package = an_order(OrderType.PACKAGE.value, 1, Decimal("0.85"), Decimal("0.65"))
    partial = OrderState.PARTIAL
    cases = [
        (default, 300, Decimal("0.63"), Decimal("0.35"), RefundBasis.REMAINS),
        (default, 5000, None, Decimal("1.17"), RefundBasis.REMAINS),  # at most the price
        (default, None, Decimal("0.63"), Decimal("0.35"), RefundBasis.CHARGE),
        (default, None, Decimal("2"), Decimal(0), RefundBasis.CHARGE),  # charged all: none
        (default, None, None, Decimal(0), RefundBasis.HELD),
        (package, 1, Decimal("0.26"), Decimal("0.51"), RefundBasis.CHARGE),
        (package, 1, None, Decimal(0), RefundBasis.HELD),
    ]
    for order, remains, charge, amount, basis in cases:
        refund = refund_due(order, partial, remains, charge, USD)
        assert (refund.amount, refund.basis) == (amount, basis), (order.order_type, remains)
    assert refund_due(package, OrderState.CANCELED, None, None, USD).amount == Decimal("0.85")
    assert refund_due(package, OrderState.COMPLETED, 1, None, USD).basis is RefundBasis.NONE
