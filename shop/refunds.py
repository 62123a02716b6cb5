"""What an order's end gives back to the customer, and the refunds an admin decides.

The rule (DESIGN.md, "Money and orders"): Canceled, Refunded or Failed at the panel give
the whole price back. Partial gives back only what the final answer itself shows was not
delivered: ``price x remains / quantity`` from its own ``remains``; where it has none, or
for a package (one unit, so ``remains`` is no measure), ``price x (cost - charge) / cost``
from its own ``charge``; where it has neither, nothing is written and the refund is held
for an admin, who settles it with ``/refund <order> <amount>``. Amounts round down to the
minor unit and never exceed the price: the shop never guesses upward.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from api import OrderType
from shop.ledger import credit
from shop.money import Currency
from shop.notices import Notices
from shop.ordering import refund_key
from shop.storage import Database, LedgerReason, OrderRow, OrderState

logger = logging.getLogger(__name__)

#: Final states in which the panel gave the whole price back.
FULL_REFUND_STATES: Final = frozenset(
    {OrderState.CANCELED, OrderState.REFUNDED, OrderState.FAILED}
)
#: Order types sold as one unit, whose ``remains`` is no measure of what was delivered.
PACKAGE_TYPES: Final = frozenset(
    {OrderType.PACKAGE.value, OrderType.CUSTOM_COMMENTS_PACKAGE.value}
)


class RefundBasis(enum.StrEnum):
    """What a refund was worked out from."""

    #: The end calls for no refund (completed, or a price of nothing).
    NONE = "none"
    #: Canceled, refunded or failed at the panel: the whole price.
    FULL = "full"
    #: The final answer's own ``remains``.
    REMAINS = "remains"
    #: The final answer's own ``charge`` against the order's cost.
    CHARGE = "charge"
    #: Neither figure: nothing is refunded until an admin decides.
    HELD = "held"


@dataclass(frozen=True, slots=True)
class Refund:
    """The refund an end brings: ``amount`` (0 when held) and what it was worked out from."""

    amount: Decimal
    basis: RefundBasis

    @property
    def held(self) -> bool:
        """True when nothing is refunded until an admin decides."""
        return self.basis is RefundBasis.HELD


def refund_due(
    order: OrderRow,
    state: OrderState,
    remains: int | None,
    charge: Decimal | None,
    currency: Currency,
) -> Refund:
    """What the customer gets back when ``order`` ends in ``state``, ``remains`` and
    ``charge`` being the final answer's own figures (None where it gave none)."""
    if state in FULL_REFUND_STATES:
        return Refund(order.price, RefundBasis.FULL)
    if state is not OrderState.PARTIAL or order.price <= 0:
        return Refund(Decimal(0), RefundBasis.NONE)
    if order.order_type not in PACKAGE_TYPES and remains is not None and order.quantity > 0:
        undelivered = min(max(remains, 0), order.quantity)
        amount = currency.round_down(order.price * undelivered / order.quantity)
        return Refund(amount, RefundBasis.REMAINS)
    if charge is not None and order.cost > 0:
        kept_back = max(order.cost - charge, Decimal(0))
        amount = currency.round_down(order.price * kept_back / order.cost)
        return Refund(min(amount, order.price), RefundBasis.CHARGE)
    return Refund(Decimal(0), RefundBasis.HELD)


class HeldRefundProblem(enum.StrEnum):
    """Why an admin's decision on a held refund was not applied."""

    NOT_HELD = "not_held"
    ABOVE_PRICE = "above_price"


class HeldRefundRefused(Exception):
    """The decision was not applied; ``order`` is the order, where there is one."""

    def __init__(self, problem: HeldRefundProblem, order: OrderRow | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.order = order


@dataclass(frozen=True, slots=True)
class SettledRefund:
    """A held refund an admin decided: the order, the amount given back, the balance."""

    order: OrderRow
    amount: Decimal
    balance: Decimal


async def settle_held_refund(
    db: Database, order_id: int, amount: Decimal, notices: Notices
) -> SettledRefund:
    """An admin decided a held refund: credit ``amount`` (0 to the price; 0 is "nothing is
    owed") under the order's one refund key, clear the hold and tell the customer, in one
    transaction. Raises :class:`HeldRefundRefused` for an order whose refund is not held
    (so deciding twice refunds once) or an amount above its price."""
    async with db.transaction() as tx:
        order = await tx.orders.get(order_id)
        if order is None or order.refund_held_at is None:
            raise HeldRefundRefused(HeldRefundProblem.NOT_HELD, order)
        if not 0 <= amount <= order.price:
            raise HeldRefundRefused(HeldRefundProblem.ABOVE_PRICE, order)
        if not await tx.orders.release_refund(order_id):
            raise HeldRefundRefused(HeldRefundProblem.NOT_HELD, order)
        if amount > 0:
            await credit(
                tx,
                order.user_id,
                amount,
                LedgerReason.REFUND,
                refund_key(order_id),
                order_id=order_id,
                note="held refund settled by an admin",
            )
        balance = await tx.ledger.balance(order.user_id)
        settled = await tx.orders.get(order_id)
        assert settled is not None
        await notices.refund_settled(tx, settled, amount, balance)
    logger.info("held refund of order %d settled by an admin: %s", order_id, amount)
    return SettledRefund(settled, amount, balance)
