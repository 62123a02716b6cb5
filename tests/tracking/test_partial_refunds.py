"""What a Partial end gives back: only what the final answer itself shows was not delivered,
from its ``remains``, else from its ``charge``, else nothing until an admin decides. Never
more than that, whatever the panel said before."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api import CustomCommentsPackageOrder, OrderRequest, PackageOrder
from shop.ordering import PlacementOutcome, place_order, quote_order
from shop.storage import LedgerReason, LedgerRow, OrderRow, OrderState

from .conftest import ADMIN_CHAT, FUNDS, LINK, USD, Shopfront, order_button

#: Instagram Likes Package [1000 likes]: 0.65 a package, sold at 0.85.
PACKAGE = 113
#: Instagram Custom Comments Package [10 comments]: 2.40 a package, sold at 3.12.
COMMENTS_PACKAGE = 123
SERVICE_NAMES = {
    101: "Instagram Followers [Real] [30 days refill]",
    PACKAGE: "Instagram Likes Package [1000 likes]",
    COMMENTS_PACKAGE: "Instagram Custom Comments Package [10 comments]",
}
BUTTON = "📦 View order"


def usd(amount: Decimal | str) -> str:
    return USD.format(Decimal(amount))


async def place_request(front: Shopfront, user_id: int, request: OrderRequest) -> OrderRow:
    quote = await quote_order(front.db, front.shop, user_id, request)
    placement = await place_order(
        front.db, front.client, front.alerts, user_id, quote.id, terms=front.shop
    )
    assert placement.outcome is PlacementOutcome.PLACED
    return placement.order


async def place_package(front: Shopfront, user_id: int, service: int) -> OrderRow:
    if service == PACKAGE:
        return await place_request(front, user_id, PackageOrder(service=service, link=LINK))
    request = CustomCommentsPackageOrder(service=service, link=LINK, comments=["Nice!", "Wow"])
    return await place_request(front, user_id, request)


def panel_id(order: OrderRow) -> int:
    assert order.panel_order_id is not None
    return order.panel_order_id


async def last_notice(front: Shopfront, user_id: int) -> tuple[str, object]:
    row = (await front.notices(user_id))[-1]
    return row.text, row.reply_markup


def told(order_id: int, text: str) -> tuple[str, object]:
    button = {"text": BUTTON, "callback_data": order_button(order_id)}
    return text, {"inline_keyboard": [[button]]}


async def test_a_final_partial_without_remains_refunds_from_its_charge_not_an_older_remains(
    front: Shopfront,
) -> None:
    await front.customer(1)
    order = await front.place(1, f"{LINK}/half", quantity=1000)
    # 1,000 followers at 0.90 per 1000 with 30 % on top.
    assert (order.price, order.cost) == (Decimal("1.17"), Decimal("0.9"))
    front.panel.force_outcome(panel_id(order), "partial", remains=300)
    front.to_start()
    front.clock.advance(front.panel.progress_seconds / 2 - 1)
    await front.poll()
    # Half-way through, 650 were still to come: a figure the final answer must not reuse.
    assert (await front.order(order.id)).remains == 650

    front.panel.override_status(panel_id(order), remains=None)
    front.to_end()
    [change] = (await front.poll()).order_changes

    # The panel kept 0.63 of 0.90: 0.27 / 0.90 of the price comes back, 0.351 -> 0.35.
    assert front.panel.orders[panel_id(order)].charge == Decimal("0.63")
    assert (change.order.state, change.refund) == (OrderState.PARTIAL, Decimal("0.35"))
    assert [r.amount for r in await front.refunds(order.id)] == [Decimal("0.35")]
    balance = FUNDS - order.price + Decimal("0.35")
    assert await front.balance(1) == balance
    assert await last_notice(front, 1) == told(
        order.id,
        f"◐ <b>Order #{order.id} was partly delivered</b>\n{SERVICE_NAMES[101]}\n"
        f"Refunded for what was not delivered: 0.35 USD. Your balance: {usd(balance)}",
    )
    assert await front.alerts_queued() == []


@pytest.mark.parametrize(
    ("service", "charge", "refund"),
    [
        # 0.85 x (0.65 - 0.26) / 0.65 = 0.51
        (PACKAGE, "0.26", "0.51"),
        # The panel kept all it charged: nothing comes back, whatever its remains says.
        (PACKAGE, "0.65", "0"),
        (PACKAGE, "0.9", "0"),
        # 3.12 x (2.40 - 0.50) / 2.40 = 2.47
        (COMMENTS_PACKAGE, "0.5", "2.47"),
    ],
)
async def test_a_partial_package_is_refunded_from_the_panels_charge_not_in_full(
    front: Shopfront, service: int, charge: str, refund: str
) -> None:
    await front.customer(1)
    order = await place_package(front, 1, service)
    assert order.quantity == 1
    front.panel.override_status(panel_id(order), status="Partial", remains="1", charge=charge)
    front.to_start()
    [change] = (await front.poll()).order_changes

    assert (change.order.state, change.refund) == (OrderState.PARTIAL, Decimal(refund))
    assert [r.amount for r in await front.refunds(order.id)] == (
        [Decimal(refund)] if Decimal(refund) else []
    )
    assert await front.balance(1) == FUNDS - order.price + Decimal(refund)
    assert change.order.refund_held_at is None
    assert await front.alerts_queued() == []


@pytest.mark.parametrize("service", [PACKAGE, COMMENTS_PACKAGE, 101])
async def test_a_partial_with_nothing_to_refund_from_is_held_for_the_admins_and_alerted_once(
    front: Shopfront, service: int
) -> None:
    await front.customer(1)
    if service == 101:
        order = await front.place(1, f"{LINK}/held", quantity=1000)
        fields: dict[str, str | None] = {"remains": None, "charge": None}
    else:
        order = await place_package(front, 1, service)
        fields = {"remains": "1", "charge": None}
    front.panel.override_status(panel_id(order), status="Partial", **fields)
    front.to_start()
    [change] = (await front.poll()).order_changes

    # The order ends, no refund is written, the money is not guessed: an admin decides.
    assert await front.refunds(order.id) == []
    assert change.refund == 0
    held = await front.order(order.id)
    assert held.state is OrderState.PARTIAL
    assert held.refund_held_at is not None
    assert await front.balance(1) == FUNDS - order.price
    assert await last_notice(front, 1) == told(
        order.id,
        f"◐ <b>Order #{order.id} was partly delivered</b>\n{SERVICE_NAMES[service]}\n"
        "We are checking with the provider how much was not delivered, and will tell you"
        " what comes back to your balance.",
    )
    remains = "—" if service == 101 else "1"
    [alert] = await front.alerts_queued()
    assert alert.chat_id == ADMIN_CHAT
    assert alert.text == (
        f"⏸ <b>Order #{order.id} ended Partial; its refund waits for an admin</b>\n"
        f"Customer 1 paid {usd(order.price)}. The panel said: remains {remains}, charge —."
        " That does not tell what was not delivered, so nothing was refunded.\n"
        f"Check it at the panel, then: <code>/refund {order.id} AMOUNT</code>"
        f" (from 0 to {usd(order.price)}; 0 if nothing is owed)."
    )
    for _ in range(3):
        assert (await front.poll()).order_changes == []
    assert len(await front.alerts_queued()) == 1
    ledger = [row.reason for row in await ledger_of(front, order.id)]
    assert ledger == [LedgerReason.ORDER_CHARGE]


async def ledger_of(front: Shopfront, order_id: int) -> list[LedgerRow]:
    async with front.db.read() as r:
        return list(await r.ledger.rows_for_order(order_id))
