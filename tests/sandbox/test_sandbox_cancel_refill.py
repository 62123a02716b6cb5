"""``cancel``, ``refill`` and ``refill_status``: who may, when, and what it costs."""

from __future__ import annotations

from decimal import Decimal

from api.models import OrderStatus, RefillStatus
from api.sandbox import ManualClock, SandboxPanel

from .sandbox_http import KEY, SandboxAPI

LINK = "https://instagram.com/p/abc"
CANCEL_NOT_AVAILABLE = {"error": "Cancel is not available for this order"}
NOT_ELIGIBLE = {"error": "Order not eligible for refill"}


async def test_cancel_pending_refunds_everything(api: SandboxAPI, panel: SandboxPanel) -> None:
    order_id = await api.order(service="101", link=LINK, quantity="1000")
    assert panel.balance_of(KEY) == Decimal("99.10")
    assert await api.call("cancel", orders=str(order_id)) == [{"order": order_id, "cancel": 1}]
    status = await api.call("status", order=str(order_id))
    assert status["status"] == "Canceled"
    assert status["remains"] == "1000"
    assert panel.balance_of(KEY) == Decimal(100)
    # Final now: a second cancel is refused and refunds nothing more.
    assert await api.call("cancel", orders=str(order_id)) == [
        {"order": order_id, "cancel": CANCEL_NOT_AVAILABLE}
    ]
    assert panel.balance_of(KEY) == Decimal(100)


async def test_cancel_in_progress_ends_partial(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    order_id = await api.order(service="101", link=LINK, quantity="1000")
    clock.advance(60 + 75)  # a quarter delivered
    assert await api.call("cancel", orders=str(order_id)) == [{"order": order_id, "cancel": 1}]
    status = await api.call("status", order=str(order_id))
    assert (status["status"], status["remains"], status["charge"]) == ("Partial", "750", "0.22500")
    assert panel.balance_of(KEY) == Decimal("99.775")
    clock.advance(1000)
    assert (await api.call("status", order=str(order_id)))["status"] == "Partial"
    assert panel.balance_of(KEY) == Decimal("99.775")


async def test_cancel_refusals(api: SandboxAPI, clock: ManualClock, panel: SandboxPanel) -> None:
    no_cancel = await api.order(service="103", link=LINK, quantity="100")  # cancel: false
    done = await api.order(service="101", link=LINK, quantity="100")
    panel.add_account("other")
    foreign = panel.respond("other", "add", {"service": "101", "link": "x", "quantity": "100"})
    assert foreign == {"order": 23503}
    clock.advance(400)
    answer = await api.call("cancel", orders=f"{no_cancel},{done},23503,77,zz")
    assert answer == [
        {"order": no_cancel, "cancel": CANCEL_NOT_AVAILABLE},
        {"order": done, "cancel": CANCEL_NOT_AVAILABLE},
        {"order": 23503, "cancel": {"error": "Incorrect order ID"}},
        {"order": 77, "cancel": {"error": "Incorrect order ID"}},
        {"order": "zz", "cancel": {"error": "Incorrect order ID"}},
    ]
    assert panel.orders[23503].status is OrderStatus.COMPLETED
    assert await api.error_of("cancel") == "Incorrect request"
    too_many = ",".join(str(i) for i in range(1, 102))
    assert await api.error_of("cancel", orders=too_many) == "Incorrect request"


async def test_refill_lifecycle(api: SandboxAPI, clock: ManualClock, panel: SandboxPanel) -> None:
    order_id = await api.order(service="101", link=LINK, quantity="100")
    clock.advance(360)
    assert await api.call("refill", order=str(order_id)) == {"refill": "1"}
    assert panel.refills[1].order_id == order_id
    assert await api.call("refill_status", refill="1") == {"status": "Pending"}
    clock.advance(60)
    assert await api.call("refill_status", refill="1") == {"status": "In progress"}
    clock.advance(120)
    assert await api.call("refill_status", refill="1") == {"status": "Completed"}
    # Refills do not touch the money.
    assert panel.balance_of(KEY) == Decimal("99.91")
    assert await api.call("refill", order=str(order_id)) == {"refill": "2"}


async def test_refill_of_a_partial_order_and_rejection(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    partial = await api.order(service="101", link=LINK + "?sandbox=partial", quantity="300")
    rejected = await api.order(service="101", link=LINK + "?sandbox=refill-reject", quantity="300")
    clock.advance(360)
    answer = await api.call("refill", orders=f"{partial},{rejected}")
    assert answer == [{"order": partial, "refill": 1}, {"order": rejected, "refill": 2}]
    clock.advance(60)
    assert await api.call("refill_status", refills="1,2,3,x") == [
        {"refill": 1, "status": "In progress"},
        {"refill": 2, "status": "Rejected"},
        {"refill": 3, "status": {"error": "Refill not found"}},
        {"refill": "x", "status": {"error": "Refill not found"}},
    ]
    assert panel.refills[2].status is RefillStatus.REJECTED
    # Once the rejection is final another refill may be asked for.
    assert await api.call("refill", order=str(rejected)) == {"refill": "3"}


async def test_refill_refusals(api: SandboxAPI, clock: ManualClock, panel: SandboxPanel) -> None:
    no_refill = await api.order(service="102", link=LINK, quantity="100")  # refill: false
    running = await api.order(service="101", link=LINK, quantity="100")
    assert await api.error_of("refill", order=str(running)) == NOT_ELIGIBLE["error"]
    clock.advance(360)
    canceled = await api.order(service="101", link=LINK + "?sandbox=cancel", quantity="100")
    clock.advance(60)
    first = await api.call("refill", orders=f"{running},{running},{no_refill},{canceled},9,q")
    assert first == [
        {"order": running, "refill": 1},
        {"order": running, "refill": NOT_ELIGIBLE},
        {"order": no_refill, "refill": NOT_ELIGIBLE},
        {"order": canceled, "refill": NOT_ELIGIBLE},
        {"order": 9, "refill": {"error": "Incorrect order ID"}},
        {"order": "q", "refill": {"error": "Incorrect order ID"}},
    ]
    assert await api.error_of("refill", order="9") == "Incorrect order ID"
    assert await api.error_of("refill") == "Incorrect request"
    assert await api.error_of("refill_status", refill="99") == "Refill not found"
    assert await api.error_of("refill_status") == "Incorrect request"


async def test_refills_are_private_to_their_key(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    order_id = await api.order(service="101", link=LINK, quantity="100")
    clock.advance(360)
    await api.call("refill", order=str(order_id))
    panel.add_account("other")
    assert panel.respond("other", "refill_status", {"refill": "1"}) == {
        "error": "Refill not found"
    }
    assert panel.respond("other", "refill", {"order": str(order_id)}) == {
        "error": "Incorrect order ID"
    }
