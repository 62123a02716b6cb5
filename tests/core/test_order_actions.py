"""Refill and cancel requests, each recorded with the panel's answer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from api import DefaultOrder, OrderType, PanelClient
from api.sandbox import REFILL_REJECT_MARKER, Fault, ManualClock, SandboxPanel
from shop.alerts import Alerts
from shop.order_actions import (
    ACTION_COOL_DOWN,
    ActionProblem,
    ActionRefused,
    request_cancel,
    request_refill,
)
from shop.ordering import PlacementOutcome, place_order, quote_order
from shop.storage import CancelOutcome, Database, OrderState, RefillState, utc_now
from shop.terms import Terms

from .conftest import poll_once
from .test_ordering import LINK, balance, customer, service_of


async def _place(
    db: Database,
    shop: Terms,
    client: PanelClient,
    alerts: Alerts,
    panel: SandboxPanel,
    link: str = LINK,
    **flags: bool,
) -> int:
    service = service_of(panel, OrderType.DEFAULT, **flags)
    request = DefaultOrder(service=service.id, link=link, quantity=service.min)
    quote = await quote_order(db, shop, 1, request)
    placement = await place_order(db, client, alerts, 1, quote.id, terms=shop)
    assert placement.outcome is PlacementOutcome.PLACED
    return placement.order.id


async def _finish(
    db: Database, shop: Terms, client: PanelClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    clock.advance(panel.pending_seconds + panel.progress_seconds + 5)
    await poll_once(db, client, shop.currency)


async def test_refill_of_a_completed_order_is_tracked_to_completion(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1)
    order_id = await _place(db, shop, panel_client, alerts, panel, refill=True)
    with pytest.raises(ActionRefused) as early:
        await request_refill(db, panel_client, order_id, 1)
    assert early.value.problem is ActionProblem.NOT_NOW
    await _finish(db, shop, panel_client, panel, clock)

    result = await request_refill(db, panel_client, order_id, 1)
    assert result.accepted
    assert result.refill.state is RefillState.PENDING
    assert result.refill.panel_refill_id in panel.refills
    with pytest.raises(ActionRefused) as twice:
        await request_refill(db, panel_client, order_id, 1)
    assert twice.value.problem is ActionProblem.ALREADY_REQUESTED

    clock.advance(panel.refill_pending_seconds + panel.refill_progress_seconds + 5)
    report = await poll_once(db, panel_client, shop.currency)
    [change] = report.refill_changes
    assert (change.old_state, change.refill.state) == (RefillState.PENDING, RefillState.COMPLETED)
    assert (await poll_once(db, panel_client, shop.currency)).refill_changes == []


async def test_a_rejected_refill_is_recorded(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1)
    order_id = await _place(
        db, shop, panel_client, alerts, panel, f"{LINK}?{REFILL_REJECT_MARKER}", refill=True
    )
    await _finish(db, shop, panel_client, panel, clock)
    await request_refill(db, panel_client, order_id, 1)
    clock.advance(3600)
    [change] = (await poll_once(db, panel_client, shop.currency)).refill_changes
    assert change.refill.state is RefillState.REJECTED


async def test_refill_refusals_are_kept_with_the_panels_words(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1)
    order_id = await _place(db, shop, panel_client, alerts, panel, refill=True)
    await _finish(db, shop, panel_client, panel, clock)
    panel.faults.add(Fault.error("Order not eligible for refill", action="refill", times=1))
    result = await request_refill(db, panel_client, order_id, 1)
    assert not result.accepted
    assert result.refill.state is RefillState.REFUSED
    assert result.refill.error == "Order not eligible for refill"
    # A refused request does not block the next one, once the cool-down is over.
    later = utc_now() + ACTION_COOL_DOWN + timedelta(seconds=1)
    assert (await request_refill(db, panel_client, order_id, 1, now=later)).accepted


@pytest.mark.parametrize("answer", ['{"refill": 0}', '{"refill": "-3"}'])
async def test_a_refill_answered_with_an_id_that_is_not_positive_is_ambiguous_not_created(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
    answer: str,
) -> None:
    await customer(db, 1)
    order_id = await _place(db, shop, panel_client, alerts, panel, refill=True)
    await _finish(db, shop, panel_client, panel, clock)
    panel.faults.add(Fault.http_status(200, answer, action="refill", times=1))
    result = await request_refill(db, panel_client, order_id, 1)
    assert (result.accepted, result.ambiguous) == (False, True)
    assert result.refill.state is RefillState.REFUSED
    assert result.refill.panel_refill_id is None
    assert result.refill.error is not None
    assert "is not a positive id" in result.refill.error
    # Nothing to follow, and nothing blocks a later request.
    report = await poll_once(db, panel_client, shop.currency)
    assert (report.refills_polled, report.refill_changes) == (0, [])
    later = await request_refill(db, panel_client, order_id, None)
    assert later.accepted


async def test_refill_only_where_the_service_offers_it_and_only_for_the_owner(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1)
    await customer(db, 2)
    order_id = await _place(db, shop, panel_client, alerts, panel, refill=False)
    await _finish(db, shop, panel_client, panel, clock)
    with pytest.raises(ActionRefused) as not_offered:
        await request_refill(db, panel_client, order_id, 1)
    assert not_offered.value.problem is ActionProblem.NOT_OFFERED
    with pytest.raises(ActionRefused) as foreign:
        await request_refill(db, panel_client, order_id, 2)
    assert foreign.value.problem is ActionProblem.NOT_FOUND
    assert not [r for r in panel.requests if r.action == "refill"]


async def test_cancel_accepted_then_refunded_by_the_tracker(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
) -> None:
    await customer(db, 1)
    order_id = await _place(db, shop, panel_client, alerts, panel, cancel=True)
    result = await request_cancel(db, panel_client, order_id, 1)
    assert result.request.outcome is CancelOutcome.ACCEPTED
    [change] = (await poll_once(db, panel_client, shop.currency)).order_changes
    assert change.order.state is OrderState.CANCELED
    assert change.refund == change.order.price
    assert await balance(db, 1) == Decimal(100)
    with pytest.raises(ActionRefused) as after:
        await request_cancel(db, panel_client, order_id, 1)
    assert after.value.problem is ActionProblem.NOT_NOW


async def test_a_customer_asks_the_panel_once_per_cool_down_and_an_accepted_cancel_once(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1)
    to_refill = await _place(db, shop, panel_client, alerts, panel, f"{LINK}/r", refill=True)
    await _finish(db, shop, panel_client, panel, clock)
    to_cancel = await _place(db, shop, panel_client, alerts, panel, f"{LINK}/c", cancel=True)
    panel.faults.add(Fault.error("Cancel is not available for this order", action="cancel"))
    panel.faults.add(Fault.error("Order not eligible for refill", action="refill", times=1))
    almost = utc_now() + ACTION_COOL_DOWN - timedelta(seconds=5)
    after = utc_now() + ACTION_COOL_DOWN + timedelta(seconds=1)

    assert (await request_cancel(db, panel_client, to_cancel, 1)).request.outcome is (
        CancelOutcome.REFUSED
    )
    assert not (await request_refill(db, panel_client, to_refill, 1)).accepted
    for ask in (
        request_cancel(db, panel_client, to_cancel, 1),
        request_cancel(db, panel_client, to_cancel, 1, now=almost),
        request_refill(db, panel_client, to_refill, 1),
        request_refill(db, panel_client, to_refill, 1, now=almost),
    ):
        with pytest.raises(ActionRefused) as soon:
            await ask
        assert soon.value.problem is ActionProblem.TOO_SOON
    assert [r.action for r in panel.requests].count("cancel") == 1
    assert [r.action for r in panel.requests].count("refill") == 1

    # Past the cool-down the panel is asked again; a cancel it accepted is never re-sent.
    panel.faults.clear()
    accepted = await request_cancel(db, panel_client, to_cancel, 1, now=after)
    assert accepted.request.outcome is CancelOutcome.ACCEPTED
    assert (await request_refill(db, panel_client, to_refill, 1, now=after)).accepted
    for days in (0, 1, 30):
        with pytest.raises(ActionRefused) as again:
            await request_cancel(db, panel_client, to_cancel, 1, now=after + timedelta(days))
        assert again.value.problem is ActionProblem.ALREADY_ASKED
    assert [r.action for r in panel.requests].count("cancel") == 2
    async with db.read() as r:
        assert len(await r.cancels.for_order(to_cancel)) == 2
        assert len(await r.refills.for_order(to_refill)) == 2


async def test_cancel_refused_where_the_service_does_not_allow_it(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
) -> None:
    await customer(db, 1)
    order_id = await _place(db, shop, panel_client, alerts, panel, cancel=False)
    with pytest.raises(ActionRefused) as caught:
        await request_cancel(db, panel_client, order_id, 1)
    assert caught.value.problem is ActionProblem.NOT_OFFERED
    assert not [r for r in panel.requests if r.action == "cancel"]


async def test_a_cancel_the_panel_refuses_is_recorded_with_its_reason(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
) -> None:
    await customer(db, 1)
    order_id = await _place(db, shop, panel_client, alerts, panel, cancel=True)
    panel.faults.add(Fault.html_502(action="cancel", times=1))
    result = await request_cancel(db, panel_client, order_id, 1)
    assert result.request.outcome is CancelOutcome.UNKNOWN
    result = await request_cancel(db, panel_client, order_id, None)
    assert result.request.outcome is CancelOutcome.ACCEPTED
    async with db.read() as r:
        outcomes = [c.outcome for c in await r.cancels.for_order(order_id)]
    assert outcomes == [CancelOutcome.ACCEPTED, CancelOutcome.UNKNOWN]
