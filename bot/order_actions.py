"""What a customer (or an admin) can ask of a placed order: a refill, a cancel.

Each request is recorded with the panel's answer. Money does not move here: a cancel the
panel accepts shows up as a Canceled or Partial status, which the tracker refunds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from api import PanelClient, PanelError
from bot.db import (
    ACTIVE_ORDER_STATES,
    CancelOutcome,
    CancelRequestRow,
    Database,
    OrderRow,
    OrderState,
    RefillRow,
    Repositories,
)

#: States of an order the panel accepts a refill for.
REFILLABLE_STATES = frozenset({OrderState.COMPLETED, OrderState.PARTIAL})


class ActionProblem(enum.StrEnum):
    """Why a refill or cancel cannot be asked for."""

    NOT_FOUND = "not_found"
    NOT_OFFERED = "not_offered"
    NOT_NOW = "not_now"
    ALREADY_REQUESTED = "already_requested"


class ActionRefused(Exception):
    """The refill or cancel was not sent to the panel; ``problem`` says why."""

    def __init__(self, problem: ActionProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class RefillResult:
    """A refill request and how the panel took it (``refill.error`` holds its refusal)."""

    refill: RefillRow
    accepted: bool
    #: True when the panel's answer was lost; asking again later is safe.
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class CancelResult:
    """A cancel request and how the panel took it."""

    request: CancelRequestRow
    order: OrderRow


async def _order_of(tx: Repositories, order_id: int, user_id: int | None) -> OrderRow:
    """The order, if ``user_id`` owns it (None: an admin, who may act on any order)."""
    order = (
        await tx.orders.get(order_id)
        if user_id is None
        else await tx.orders.get_for_user(order_id, user_id)
    )
    if order is None:
        raise ActionRefused(ActionProblem.NOT_FOUND)
    return order


async def can_refill(repos: Repositories, order: OrderRow) -> bool:
    """True when the order's service offers refills and the order is in a state for one."""
    service = await repos.services.get(order.service_id)
    return (
        service is not None
        and service.refill
        and order.state in REFILLABLE_STATES
        and order.panel_order_id is not None
    )


async def can_cancel(repos: Repositories, order: OrderRow) -> bool:
    """True when the order's service allows cancels and the panel is still working on it."""
    service = await repos.services.get(order.service_id)
    return (
        service is not None
        and service.cancel
        and order.state in ACTIVE_ORDER_STATES
        and order.panel_order_id is not None
    )


async def request_refill(
    db: Database, panel: PanelClient, order_id: int, user_id: int | None
) -> RefillResult:
    """Ask the panel to refill an order; one unfinished refill per order at most."""
    async with db.transaction() as tx:
        order = await _order_of(tx, order_id, user_id)
        service = await tx.services.get(order.service_id)
        if service is None or not service.refill:
            raise ActionRefused(ActionProblem.NOT_OFFERED)
        if not await can_refill(tx, order):
            raise ActionRefused(ActionProblem.NOT_NOW)
        refill = await tx.refills.insert_requesting(order.id, order.user_id)
        if refill is None:
            raise ActionRefused(ActionProblem.ALREADY_REQUESTED)
    assert order.panel_order_id is not None
    try:
        panel_refill_id = await panel.refill(order.panel_order_id)
    except PanelError as exc:
        async with db.transaction() as tx:
            await tx.refills.set_refused(refill.id, exc.message)
            refused = await tx.refills.get(refill.id)
        assert refused is not None
        return RefillResult(refused, accepted=False, ambiguous=exc.ambiguous)
    async with db.transaction() as tx:
        await tx.refills.set_created(refill.id, panel_refill_id)
        created = await tx.refills.get(refill.id)
    assert created is not None
    return RefillResult(created, accepted=True)


async def request_cancel(
    db: Database, panel: PanelClient, order_id: int, user_id: int | None
) -> CancelResult:
    """Ask the panel to cancel an order it is still working on."""
    async with db.transaction() as tx:
        order = await _order_of(tx, order_id, user_id)
        service = await tx.services.get(order.service_id)
        if service is None or not service.cancel:
            raise ActionRefused(ActionProblem.NOT_OFFERED)
        if not await can_cancel(tx, order):
            raise ActionRefused(ActionProblem.NOT_NOW)
        request = await tx.cancels.insert_requesting(order.id, order.user_id)
    assert order.panel_order_id is not None
    outcome, error = CancelOutcome.ACCEPTED, None
    try:
        await panel.cancel_one(order.panel_order_id)
    except PanelError as exc:
        outcome = CancelOutcome.UNKNOWN if exc.ambiguous else CancelOutcome.REFUSED
        error = exc.message
    async with db.transaction() as tx:
        await tx.cancels.set_outcome(request.id, outcome, error)
        [recorded, *_] = await tx.cancels.for_order(order.id)
    return CancelResult(recorded, order)


@dataclass(frozen=True, slots=True)
class OrderView:
    """What a customer's order card shows, and which actions it offers."""

    order: OrderRow
    service_name: str
    refills: list[RefillRow]
    can_refill: bool
    can_cancel: bool


async def view_order(db: Database, order_id: int, user_id: int) -> OrderView | None:
    """The customer's own order as a card, or None (also for another customer's order)."""
    async with db.read() as r:
        order = await r.orders.get_for_user(order_id, user_id)
        if order is None:
            return None
        service = await r.services.get(order.service_id)
        return OrderView(
            order=order,
            service_name=service.name if service else str(order.service_id),
            refills=await r.refills.for_order(order.id),
            can_refill=await can_refill(r, order),
            can_cancel=await can_cancel(r, order),
        )


async def own_order(db: Database, order_id: int, user_id: int) -> OrderRow | None:
    """The order if it belongs to the customer, else None."""
    async with db.read() as r:
        return await r.orders.get_for_user(order_id, user_id)
