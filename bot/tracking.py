"""Following orders and refills at the panel, and refunding what the panel did not deliver.

One poll asks for every active order with multi-status (100 ids a call) and every active
refill with multi refill status. Each change of state is stored once, and a refund is
written in the same transaction under the order's one refund key, so repeated polls,
repeated answers and restarts can never refund twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from api import ItemError, OrderStatus, PanelClient, RefillStatus
from api.models import RefillStatusInfo, StatusInfo
from bot.accounts import credit
from bot.db import (
    Database,
    LedgerReason,
    OrderRow,
    OrderState,
    RefillRow,
    RefillState,
    utc_now,
)
from bot.money import Currency
from bot.ordering import refund_key

logger = logging.getLogger(__name__)

#: Final states in which the panel gave the whole price back.
FULL_REFUND_STATES = frozenset({OrderState.CANCELED, OrderState.REFUNDED, OrderState.FAILED})
_PAGE = 100


def refund_due(
    order: OrderRow, state: OrderState, remains: int | None, currency: Currency
) -> Decimal:
    """What the customer gets back when ``order`` ends in ``state``.

    Canceled (or refunded, or failed at the panel): the full price. Partial: the price of
    the part not delivered, ``price x remains / quantity``, rounded down to the minor unit.
    """
    if state in FULL_REFUND_STATES:
        return order.price
    if state is OrderState.PARTIAL and remains is not None and order.quantity > 0:
        undelivered = min(max(remains, 0), order.quantity)
        return currency.round_down(order.price * undelivered / order.quantity)
    return Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderChange:
    """An order whose state changed in this poll, with the refund it brought."""

    order: OrderRow
    old_state: OrderState
    refund: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class RefillChange:
    """A refill whose state changed in this poll."""

    refill: RefillRow
    old_state: RefillState


@dataclass(slots=True)
class PollReport:
    """What one poll saw."""

    orders_polled: int = 0
    refills_polled: int = 0
    order_changes: list[OrderChange] = field(default_factory=list)
    refill_changes: list[RefillChange] = field(default_factory=list)
    #: Orders the panel answered with an error, and how many polls in a row it did.
    order_errors: dict[int, int] = field(default_factory=dict)


async def _active_orders(db: Database) -> list[OrderRow]:
    orders: list[OrderRow] = []
    async with db.read() as r:
        while page := await r.orders.active_with_panel_id(orders[-1].id if orders else 0, 500):
            orders.extend(page)
    return orders


async def _active_refills(db: Database) -> list[RefillRow]:
    refills: list[RefillRow] = []
    async with db.read() as r:
        while page := await r.refills.active_with_panel_id(refills[-1].id if refills else 0, 500):
            refills.extend(page)
    return refills


async def poll_orders(
    db: Database, panel: PanelClient, currency: Currency, report: PollReport
) -> None:
    """Ask the panel for every active order and store what changed (see the module)."""
    orders = await _active_orders(db)
    report.orders_polled = len(orders)
    if not orders:
        return
    by_panel_id = {order.panel_order_id: order for order in orders if order.panel_order_id}
    answers = await panel.multi_status(by_panel_id)
    items = list(answers.items())
    for start in range(0, len(items), _PAGE):
        await _store_order_answers(db, currency, report, items[start : start + _PAGE], by_panel_id)


async def _store_order_answers(
    db: Database,
    currency: Currency,
    report: PollReport,
    answers: Iterable[tuple[int, StatusInfo | ItemError]],
    by_panel_id: dict[int, OrderRow],
) -> None:
    now = utc_now()
    async with db.transaction() as tx:
        for panel_id, answer in answers:
            order = by_panel_id[panel_id]
            if isinstance(answer, ItemError):
                report.order_errors[order.id] = await tx.orders.bump_item_errors(order.id, now)
                continue
            if answer.status is OrderStatus.UNRECOGNISED:
                logger.warning("order %d: unknown panel status %r", order.id, answer.status_raw)
                continue
            state = OrderState.of(answer.status)
            changed = await tx.orders.apply_status(
                order.id,
                state=state,
                panel_status=answer.status_raw,
                start_count=answer.start_count,
                remains=answer.remains,
                charge=answer.charge,
                now=now,
            )
            if not changed:
                continue
            refund = refund_due(order, state, answer.remains, currency)
            if refund > 0:
                await credit(
                    tx,
                    order.user_id,
                    refund,
                    LedgerReason.REFUND,
                    refund_key(order.id),
                    order_id=order.id,
                )
            updated = await tx.orders.get(order.id)
            assert updated is not None
            report.order_changes.append(
                OrderChange(updated, order.state, refund, await tx.ledger.balance(order.user_id))
            )


async def poll_refills(db: Database, panel: PanelClient, report: PollReport) -> None:
    """Ask the panel for every active refill and store what changed."""
    refills = await _active_refills(db)
    report.refills_polled = len(refills)
    if not refills:
        return
    by_panel_id = {refill.panel_refill_id: refill for refill in refills if refill.panel_refill_id}
    answers = await panel.multi_refill_status(by_panel_id)
    now = utc_now()
    async with db.transaction() as tx:
        for panel_id, answer in answers.items():
            refill = by_panel_id[panel_id]
            if not isinstance(answer, RefillStatusInfo):
                continue
            if answer.status is RefillStatus.UNRECOGNISED:
                logger.warning("refill %d: unknown panel status %r", refill.id, answer.status_raw)
                continue
            state = RefillState.of(answer.status)
            if await tx.refills.apply_status(
                refill.id, state=state, panel_status=answer.status_raw, now=now
            ):
                updated = await tx.refills.get(refill.id)
                assert updated is not None
                report.refill_changes.append(RefillChange(updated, refill.state))


async def poll_once(db: Database, panel: PanelClient, currency: Currency) -> PollReport:
    """One poll of every active order and refill."""
    report = PollReport()
    await poll_orders(db, panel, currency, report)
    await poll_refills(db, panel, report)
    return report
