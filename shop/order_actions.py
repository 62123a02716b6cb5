"""What a customer (or an admin) can ask of a placed order: a refill, a cancel.

Each request is recorded with the panel's answer. Money does not move here: a cancel the
panel accepts shows up as a Canceled or Partial status, which the tracker refunds.

A customer's taps reach the panel at most once per order and action per
:data:`ACTION_COOL_DOWN`, and a cancel the panel accepted is never sent again while the
order runs: further taps are answered without a call and without a new request row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from api import PanelClient, PanelError
from shop.panels import Panels, UnknownPanel
from shop.storage import (
    ACTIVE_ORDER_STATES,
    ACTIVE_REFILL_STATES,
    CancelOutcome,
    CancelRequestRow,
    Database,
    OrderRow,
    OrderState,
    RefillRow,
    Repositories,
    utc_now,
)

#: States of an order the panel accepts a refill for.
REFILLABLE_STATES = frozenset({OrderState.COMPLETED, OrderState.PARTIAL})
#: How long after a customer's cancel or refill request the panel is not asked again for
#: the same order: its answer would hardly change, and every call counts at the panel.
#: Long enough to absorb a burst of taps and a hasty retry; short enough that "try again
#: in a few minutes" holds. Admins (``user_id`` None) are not held to it.
ACTION_COOL_DOWN: Final = timedelta(minutes=5)


class ActionProblem(enum.StrEnum):
    """Why a refill or cancel cannot be asked for."""

    NOT_FOUND = "not_found"
    NOT_OFFERED = "not_offered"
    NOT_NOW = "not_now"
    ALREADY_REQUESTED = "already_requested"
    #: A cancel is under way, or was accepted: the order's next status tells.
    ALREADY_ASKED = "already_asked"
    #: The panel said no, or did not answer, a moment ago: within the cool-down.
    TOO_SOON = "too_soon"


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


def _recent(at: datetime, now: datetime) -> bool:
    return now - at < ACTION_COOL_DOWN


async def request_refill(
    db: Database,
    panels: Panels | PanelClient,
    order_id: int,
    user_id: int | None,
    *,
    now: datetime | None = None,
) -> RefillResult:
    """Ask the order's panel to refill it; one unfinished refill per order at most, and for
    a customer one request per :data:`ACTION_COOL_DOWN` (``now``: the moment of asking)."""
    now = now or utc_now()
    async with db.transaction() as tx:
        order = await _order_of(tx, order_id, user_id)
        panel = _panel_of(panels, order)
        if not await _offered(tx, order, refill=True):
            raise ActionRefused(ActionProblem.NOT_OFFERED)
        if not await can_refill(tx, order):
            raise ActionRefused(ActionProblem.NOT_NOW)
        latest = await tx.refills.latest_for_order(order.id) if user_id is not None else None
        if (
            latest is not None
            and latest.state not in ACTIVE_REFILL_STATES
            and _recent(latest.created_at, now)
        ):
            raise ActionRefused(ActionProblem.TOO_SOON)
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


def _panel_of(panels: Panels | PanelClient, order: OrderRow) -> PanelClient:
    """The client of the panel the order was placed at; a panel no longer configured offers
    nothing."""
    try:
        return Panels.of(panels).client(order.panel)
    except UnknownPanel:
        raise ActionRefused(ActionProblem.NOT_OFFERED) from None


async def _offered(tx: Repositories, order: OrderRow, *, refill: bool) -> bool:
    """Whether the service the order was placed as, at its panel, offers refills (or
    cancels): its listing there says so, or for an order without one, the shop service."""
    listing = (
        None
        if order.panel_service_id is None
        else await tx.listings.at(order.panel, order.panel_service_id)
    )
    source = listing or await tx.services.get(order.service_id)
    if source is None:
        return False
    return source.refill if refill else source.cancel


async def _check_cancel_throttle(tx: Repositories, order: OrderRow, now: datetime) -> None:
    """A customer's cancel goes to the panel once it accepted none, and once per cool-down."""
    if await tx.cancels.was_accepted(order.id):
        raise ActionRefused(ActionProblem.ALREADY_ASKED)
    latest = await tx.cancels.latest_for_order(order.id)
    if latest is None or not _recent(latest.created_at, now):
        return
    if latest.outcome is CancelOutcome.REFUSED:
        raise ActionRefused(ActionProblem.TOO_SOON)
    # Being asked right now, or asked with the answer lost: the order's status will tell.
    raise ActionRefused(ActionProblem.ALREADY_ASKED)


async def request_cancel(
    db: Database,
    panels: Panels | PanelClient,
    order_id: int,
    user_id: int | None,
    *,
    now: datetime | None = None,
) -> CancelResult:
    """Ask the order's panel to cancel an order it is still working on; for a customer, not
    again once the panel accepted a cancel, and at most once per :data:`ACTION_COOL_DOWN`
    (``now``: the moment of asking)."""
    async with db.transaction() as tx:
        order = await _order_of(tx, order_id, user_id)
        panel = _panel_of(panels, order)
        if not await _offered(tx, order, refill=False):
            raise ActionRefused(ActionProblem.NOT_OFFERED)
        if not await can_cancel(tx, order):
            raise ActionRefused(ActionProblem.NOT_NOW)
        if user_id is not None:
            await _check_cancel_throttle(tx, order, now or utc_now())
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
            # A cancel the panel accepted is on its way: it is not offered twice.
            can_cancel=await can_cancel(r, order) and not await r.cancels.was_accepted(order.id),
        )


async def own_order(db: Database, order_id: int, user_id: int) -> OrderRow | None:
    """The order if it belongs to the customer, else None."""
    async with db.read() as r:
        return await r.orders.get_for_user(order_id, user_id)
