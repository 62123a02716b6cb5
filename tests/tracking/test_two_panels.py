"""A shop selling from two panels: each order is placed at the panel of the listing it was
sold from and recorded there; its status, refill and cancel go to that panel only; the
tracker asks each panel for its own orders, 100 a call, and a slow or failing panel delays
nobody else's orders."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from api import DefaultOrder
from api.sandbox import Fault, ManualClock, SandboxPanel
from bot.runtime import Runtime
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.order_actions import request_cancel, request_refill
from shop.ordering import PlacementOutcome, place_order, quote_order
from shop.storage import LedgerReason, OrderRow, OrderState

LINK = "https://instagram.com/p/two-panels"
#: Main's Instagram Followers [Real] (refill and cancel).
AT_MAIN = 101
#: The second panel's only service: its own id 101, sold under another shop id.
SECOND_CATALOGUE = (
    {"service": 101, "name": "Followers [Second panel]", "type": "Default",
     "category": "Instagram Followers", "rate": "0.70", "min": "10", "max": "5000",
     "refill": True, "cancel": True},
)  # fmt: skip


@pytest.fixture
def settings_overrides(two_panels: dict[str, object]) -> dict[str, object]:
    return two_panels


@pytest.fixture
def second_panel_services() -> Sequence[Mapping[str, object]]:
    return SECOND_CATALOGUE


@pytest.fixture
async def at_second(services: Runtime) -> int:
    """The shop id of the second panel's service, once its catalogue is synced."""
    await sync_catalogue(services.db, services.panels.client("second"), name="second")
    async with services.db.read() as r:
        listing = await r.listings.at("second", 101)
    assert listing is not None
    return listing.service_id


async def customer(services: Runtime, user_id: int = 1) -> None:
    async with services.db.transaction() as tx:
        await tx.users.upsert(user_id, None, "Customer", "en")
        await credit(tx, user_id, Decimal(10_000), LedgerReason.TOPUP, f"topup:{user_id}")


async def place(services: Runtime, service_id: int, link: str = LINK) -> OrderRow:
    request = DefaultOrder(service=service_id, link=link, quantity=100)
    quote = await quote_order(services.db, services.terms, 1, request)
    placement = await place_order(
        services.db, services.panels, services.alerts, 1, quote.id, terms=services.terms
    )
    assert placement.outcome is PlacementOutcome.PLACED, placement
    return placement.order


def forms(panel: SandboxPanel, action: str) -> list[dict[str, str]]:
    return [r.fields for r in panel.requests if r.action == action]


async def test_an_order_goes_to_the_panel_of_its_listing_under_that_panels_id(
    services: Runtime, at_second: int, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await customer(services)
    panel.requests.clear()

    order = await place(services, at_second)

    assert forms(second_panel, "add") == [{"service": "101", "link": LINK, "quantity": "100"}]
    assert forms(panel, "add") == []
    assert (order.panel, order.service_id, order.panel_service_id) == ("second", at_second, 101)
    assert order.panel_order_id in second_panel.orders


async def test_both_panels_may_use_the_same_order_id(
    services: Runtime, at_second: int, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await customer(services)

    at_main = await place(services, AT_MAIN)
    elsewhere = await place(services, at_second)

    # Two sandboxes number their orders alike: the ids clash, the orders do not.
    assert at_main.panel_order_id == elsewhere.panel_order_id
    assert (at_main.panel, elsewhere.panel) == ("main", "second")


async def test_the_tracker_asks_each_panel_for_its_own_orders_100_a_call(
    services: Runtime,
    at_second: int,
    panel: SandboxPanel,
    second_panel: SandboxPanel,
    clock: ManualClock,
) -> None:
    await customer(services)
    at_main = [await place(services, AT_MAIN, f"{LINK}/{n}") for n in range(2)]
    elsewhere = [await place(services, at_second, f"{LINK}/{n}") for n in range(101)]
    panel.requests.clear()
    second_panel.requests.clear()
    clock.advance(second_panel.pending_seconds + 1)

    report = await services.tracker.poll_once()

    main_calls, second_calls = forms(panel, "status"), forms(second_panel, "status")
    assert [sorted(map(int, c["orders"].split(","))) for c in main_calls] == [
        sorted(o.panel_order_id or 0 for o in at_main)
    ]
    assert [len(c["orders"].split(",")) for c in second_calls] == [100, 1]
    assert report.orders_polled == 103
    async with services.db.read() as r:
        stored = [await r.orders.get(o.id) for o in at_main + elsewhere]
    states = {o.state for o in stored if o is not None}
    assert len(stored) == 103
    assert states == {OrderState.IN_PROGRESS}


async def test_refill_and_cancel_go_to_the_orders_panel(
    services: Runtime,
    at_second: int,
    panel: SandboxPanel,
    second_panel: SandboxPanel,
    clock: ManualClock,
) -> None:
    await customer(services)
    to_cancel = await place(services, at_second, f"{LINK}/cancel")
    to_refill = await place(services, at_second, f"{LINK}/refill")
    second_panel.force_outcome(to_refill.panel_order_id or 0, "completed")
    panel.requests.clear()

    await request_cancel(services.db, services.panels, to_cancel.id, None)
    clock.advance(second_panel.pending_seconds + second_panel.progress_seconds + 1)
    await services.tracker.poll_once()
    refill = await request_refill(services.db, services.panels, to_refill.id, None)
    clock.advance(second_panel.refill_pending_seconds + 1)
    await services.tracker.poll_once()

    assert forms(second_panel, "cancel") == [{"orders": str(to_cancel.panel_order_id)}]
    assert forms(second_panel, "refill") == [{"order": str(to_refill.panel_order_id)}]
    assert refill.accepted
    assert refill.refill.panel == "second"
    assert forms(second_panel, "refill_status") == [
        {"refills": str(refill.refill.panel_refill_id)}
    ]
    assert [r.action for r in panel.requests] == []


async def test_a_failing_panel_delays_nobody_elses_orders(
    services: Runtime,
    at_second: int,
    panel: SandboxPanel,
    second_panel: SandboxPanel,
    clock: ManualClock,
) -> None:
    await customer(services)
    at_main = await place(services, AT_MAIN)
    elsewhere = await place(services, at_second)
    clock.advance(second_panel.pending_seconds + 1)
    panel.faults.add(Fault.html_502(action="status"))

    with pytest.raises(Exception, match="502"):
        await services.tracker.poll_once()

    async with services.db.read() as r:
        moved = await r.orders.get(elsewhere.id)
        stuck = await r.orders.get(at_main.id)
    assert moved is not None
    assert moved.state is OrderState.IN_PROGRESS
    assert stuck is not None
    assert stuck.state is OrderState.PENDING


async def test_a_slow_panel_does_not_hold_back_the_others_loop(
    services: Runtime,
    at_second: int,
    panel: SandboxPanel,
    second_panel: SandboxPanel,
    clock: ManualClock,
) -> None:
    await customer(services)
    at_main = await place(services, AT_MAIN)
    elsewhere = await place(services, at_second)
    panel.faults.add(Fault.latency(30, action="status"))
    loop = asyncio.create_task(services.tracker.run(0.05))
    try:
        # The second panel is polled again and again while main's first answer hangs.
        deadline = time.monotonic() + 5
        while len(forms(second_panel, "status")) < 3:
            assert time.monotonic() < deadline, "the second panel was not polled on its own"
            await asyncio.sleep(0.01)
        clock.advance(second_panel.pending_seconds + 1)
        while True:
            async with services.db.read() as r:
                moved = await r.orders.get(elsewhere.id)
            assert moved is not None
            if moved.state is OrderState.IN_PROGRESS:
                break
            assert time.monotonic() < deadline, "the second panel's order did not move"
            await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)

    assert len(forms(panel, "status")) == 1
    async with services.db.read() as r:
        stuck = await r.orders.get(at_main.id)
    assert stuck is not None
    assert stuck.state is OrderState.PENDING
