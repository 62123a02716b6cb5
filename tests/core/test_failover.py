"""Failover: when the order's panel refuses ``add`` definitely and for a reason of the
shop's (no funds there, the service off, the panel not reachable), the order goes to its
service's next alternative listing whose cost stays below the customer's price, with the
same quote and the one charge; the order records that panel before it is asked. A refusal
caused by the customer's input, or an ambiguous failure, never fails over."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Mapping, Sequence
from decimal import Decimal

import aiohttp
import pytest

from api import DefaultOrder, OrderRequest, PanelClient
from api.sandbox import Fault, SandboxPanel
from api.sandbox.messages import INCORRECT_LINK, NOT_ENOUGH_FUNDS
from bot.runtime import Runtime
from shop.alerts import ALERT_KIND
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.ordering import Placement, PlacementOutcome, place_order, quote_order
from shop.panels import Panels
from shop.refusals import RefusalReason
from shop.storage import LedgerReason, LedgerRow, OrderState, OutboxRow, utc_now

from ..conftest import PANEL_KEY, SECOND_PANEL_KEY

LINK = "https://instagram.com/p/failover"
#: Main's Instagram Followers [Real]: 0.90 per 1000, so 100 cost 0.09 and sell for 0.12.
AT_MAIN = 101
QUANTITY = 100
PRICE = Decimal("0.12")
#: The second panel's followers: cheaper than the price (0.08 for 100), under an id of its
#: own; and dearer followers, whose cost (0.15) is above the price.
CHEAP, DEAR = 7101, 7202
SECOND_CATALOGUE = (
    {"service": CHEAP, "name": "Followers [Second panel]", "type": "Default",
     "category": "Instagram Followers", "rate": "0.80", "min": "10", "max": "5000"},
    {"service": DEAR, "name": "Followers [Dear]", "type": "Default",
     "category": "Instagram Followers", "rate": "1.50", "min": "10", "max": "5000"},
)  # fmt: skip
USER = 1
FUNDS = Decimal(10)


@pytest.fixture
def settings_overrides(two_panels: dict[str, object]) -> dict[str, object]:
    # A timed-out add is given up after a second.
    return {**two_panels, "panel_timeout_seconds": 1}


@pytest.fixture
def second_panel_services() -> Sequence[Mapping[str, object]]:
    return SECOND_CATALOGUE


@pytest.fixture
async def shop(services: Runtime, panel: SandboxPanel, second_panel: SandboxPanel) -> Runtime:
    """The shop with the second panel's catalogue synced and a customer with funds; the
    panels' recorded requests cleared."""
    await sync_catalogue(services.db, services.panels.client("second"), name="second")
    async with services.db.transaction() as tx:
        await tx.users.upsert(USER, None, "Customer", "en")
        await credit(tx, USER, FUNDS, LedgerReason.TOPUP, f"topup:{USER}")
    panel.requests.clear()
    second_panel.requests.clear()
    return services


async def link(shop: Runtime, panel_service_id: int) -> None:
    """Sell the second panel's ``panel_service_id`` as an alternative of main's followers
    (still sold from main)."""
    async with shop.db.transaction() as tx:
        assert await tx.listings.link("second", panel_service_id, AT_MAIN)
        shown = await tx.listings.shown(AT_MAIN)
    assert shown is not None
    assert shown.panel == "main"


async def place(shop: Runtime, panels: Panels | None = None) -> Placement:
    request = DefaultOrder(service=AT_MAIN, link=LINK, quantity=QUANTITY)
    quote = await quote_order(shop.db, shop.terms, USER, request)
    assert quote.price == PRICE
    return await place_order(
        shop.db, panels or shop.panels, shop.alerts, USER, quote.id, terms=shop.terms
    )


def adds(panel: SandboxPanel) -> list[dict[str, str]]:
    return [r.fields for r in panel.requests if r.action == "add"]


def added(panel_service_id: int) -> dict[str, str]:
    return {"service": str(panel_service_id), "link": LINK, "quantity": str(QUANTITY)}


async def ledger_of(shop: Runtime, order_id: int) -> list[tuple[LedgerReason, Decimal]]:
    async with shop.db.read() as r:
        rows: list[LedgerRow] = await r.ledger.rows_for_order(order_id)
    return [(row.reason, row.amount) for row in rows]


async def balance(shop: Runtime) -> Decimal:
    async with shop.db.read() as r:
        return await r.ledger.balance(USER)


async def admin_alerts(shop: Runtime) -> list[OutboxRow]:
    async with shop.db.read() as r:
        return [row for row in await r.outbox.due(utc_now(), 1000) if row.kind == ALERT_KIND]


def closed_port_url() -> str:
    """A loopback address nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v2"


@pytest.fixture
async def unreachable_main(shop: Runtime) -> AsyncIterator[Panels]:
    """The shop's panels with main's address a closed port."""
    async with PanelClient(
        closed_port_url(), PANEL_KEY, timeouts=aiohttp.ClientTimeout(total=1)
    ) as client:
        yield Panels({"main": client, "second": shop.panels.client("second")})


# --- failing over ---------------------------------------------------------------------------


async def assert_placed_at_second(
    shop: Runtime, placement: Placement, second_panel: SandboxPanel, why: str
) -> None:
    """One order, placed at the second panel under its id, charged once, one alert line."""
    assert placement.outcome is PlacementOutcome.PLACED, placement
    order = placement.order
    assert (order.state, order.panel, order.panel_service_id) == (
        OrderState.PENDING,
        "second",
        CHEAP,
    )
    assert order.panel_order_id in second_panel.orders
    assert (order.price, order.cost) == (PRICE, Decimal("0.08"))
    assert adds(second_panel) == [added(CHEAP)]
    assert await ledger_of(shop, order.id) == [(LedgerReason.ORDER_CHARGE, -PRICE)]
    assert placement.balance == await balance(shop) == FUNDS - PRICE
    async with shop.db.read() as r:
        assert await r.orders.count_for_user(USER) == 1
    [alert] = await admin_alerts(shop)
    assert len(alert.text.splitlines()) == 1
    assert f"Order #{order.id}" in alert.text
    assert "panel main refused it" in alert.text
    assert why in alert.text
    assert "sent to panel second" in alert.text


async def test_main_out_of_funds_places_the_order_at_the_second_panel(
    shop: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await link(shop, CHEAP)
    panel.add_account(PANEL_KEY, Decimal("0.01"))

    placement = await place(shop)

    assert adds(panel) == [added(AT_MAIN)]
    await assert_placed_at_second(shop, placement, second_panel, NOT_ENOUGH_FUNDS)


async def test_a_service_off_at_main_places_the_order_at_the_second_panel(
    shop: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await link(shop, CHEAP)
    panel.disable_service(AT_MAIN)

    placement = await place(shop)

    assert adds(panel) == [added(AT_MAIN)]
    await assert_placed_at_second(shop, placement, second_panel, "Incorrect service ID")


async def test_main_unreachable_places_the_order_at_the_second_panel(
    shop: Runtime, unreachable_main: Panels, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await link(shop, CHEAP)

    placement = await place(shop, unreachable_main)

    assert adds(panel) == []
    await assert_placed_at_second(shop, placement, second_panel, "cannot connect")


class Watched(PanelClient):
    """A panel client that notes the order as the shop has it when ``add`` is sent."""

    def __init__(self, url: str, key: str, shop: Runtime) -> None:
        super().__init__(url, key, timeouts=aiohttp.ClientTimeout(total=1))
        self._shop = shop
        self.seen: list[tuple[OrderState, str, int | None, Decimal]] = []

    async def add(self, request: OrderRequest) -> int:
        async with self._shop.db.read() as r:
            [order] = await r.orders.list_for_user(USER, 0, 10)
        self.seen.append((order.state, order.panel, order.panel_service_id, order.cost))
        return await super().add(request)


async def test_the_order_records_the_second_panel_before_it_is_asked(
    shop: Runtime, panel: SandboxPanel, second_panel_url: str
) -> None:
    """A stop between the two attempts leaves the order ``submitting`` at the second panel:
    recovered as uncertain there, never sent to main again."""
    await link(shop, CHEAP)
    panel.add_account(PANEL_KEY, Decimal("0.01"))
    async with Watched(second_panel_url, SECOND_PANEL_KEY, shop) as second:
        panels = Panels({"main": shop.panels.client("main"), "second": second})
        placement = await place(shop, panels)

    assert placement.outcome is PlacementOutcome.PLACED
    assert second.seen == [(OrderState.SUBMITTING, "second", CHEAP, Decimal("0.08"))]


async def test_an_ambiguous_failure_at_the_alternative_holds_the_order_there(
    shop: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    """An ambiguous failure at the second panel holds the order as sent there: an admin
    finds the panel that may have it."""
    await link(shop, CHEAP)
    panel.add_account(PANEL_KEY, Decimal("0.01"))
    second_panel.faults.add(Fault.html_502(action="add", after_apply=True))

    placement = await place(shop)

    assert placement.outcome is PlacementOutcome.HELD
    order = placement.order
    assert (order.state, order.panel, order.panel_service_id) == (
        OrderState.UNKNOWN,
        "second",
        CHEAP,
    )
    assert (len(adds(panel)), adds(second_panel)) == (1, [added(CHEAP)])
    assert await ledger_of(shop, order.id) == [(LedgerReason.ORDER_CHARGE, -PRICE)]
    texts = [alert.text for alert in await admin_alerts(shop)]
    assert len(texts) == 2
    assert "sent to panel second" in texts[0]
    assert f"/attach {order.id}" in texts[1]


# --- not failing over -----------------------------------------------------------------------


async def assert_refunded(shop: Runtime, placement: Placement, reason: RefusalReason) -> None:
    assert placement.outcome is PlacementOutcome.REFUSED, placement
    assert placement.reason is reason
    order = placement.order
    assert (order.state, order.panel, order.panel_service_id) == (
        OrderState.FAILED,
        "main",
        AT_MAIN,
    )
    assert await ledger_of(shop, order.id) == [
        (LedgerReason.ORDER_CHARGE, -PRICE),
        (LedgerReason.REFUND, PRICE),
    ]
    assert placement.balance == await balance(shop) == FUNDS


async def test_a_bad_link_is_refused_and_refunded_without_asking_the_second_panel(
    shop: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await link(shop, CHEAP)
    panel.faults.add(Fault.error(INCORRECT_LINK, action="add"))

    placement = await place(shop)

    await assert_refunded(shop, placement, RefusalReason.BAD_LINK)
    assert placement.panel_message == INCORRECT_LINK
    assert adds(panel) == [added(AT_MAIN)]
    assert adds(second_panel) == []
    assert await admin_alerts(shop) == []


async def test_a_timed_out_add_is_held_without_asking_the_second_panel(
    shop: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await link(shop, CHEAP)
    panel.faults.add(Fault.timeout(action="add"))

    placement = await place(shop)

    assert placement.outcome is PlacementOutcome.HELD
    order = placement.order
    assert (order.state, order.panel, order.panel_service_id) == (
        OrderState.UNKNOWN,
        "main",
        AT_MAIN,
    )
    assert adds(panel) == [added(AT_MAIN)]
    assert adds(second_panel) == []
    assert await ledger_of(shop, order.id) == [(LedgerReason.ORDER_CHARGE, -PRICE)]
    assert placement.balance == await balance(shop) == FUNDS - PRICE
    [alert] = await admin_alerts(shop)
    assert f"/attach {order.id}" in alert.text


async def test_an_alternative_costing_more_than_the_price_is_not_tried(
    shop: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await link(shop, DEAR)
    panel.add_account(PANEL_KEY, Decimal("0.01"))

    placement = await place(shop)

    await assert_refunded(shop, placement, RefusalReason.SHOP_SIDE)
    assert placement.panel_message == NOT_ENOUGH_FUNDS
    assert adds(panel) == [added(AT_MAIN)]
    assert adds(second_panel) == []
    # As today: the shop's problem is told to the admins, once.
    [alert] = await admin_alerts(shop)
    assert NOT_ENOUGH_FUNDS in alert.text


async def test_when_every_alternative_refuses_the_order_fails_and_is_refunded(
    shop: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    await link(shop, CHEAP)
    panel.disable_service(AT_MAIN)
    second_panel.add_account(SECOND_PANEL_KEY, Decimal("0.01"))

    placement = await place(shop)

    assert placement.outcome is PlacementOutcome.REFUSED, placement
    assert (placement.panel_message, placement.reason) == (
        NOT_ENOUGH_FUNDS,
        RefusalReason.SHOP_SIDE,
    )
    order = placement.order
    assert (order.state, order.panel, order.panel_service_id) == (
        OrderState.FAILED,
        "second",
        CHEAP,
    )
    assert (adds(panel), adds(second_panel)) == ([added(AT_MAIN)], [added(CHEAP)])
    assert await ledger_of(shop, order.id) == [
        (LedgerReason.ORDER_CHARGE, -PRICE),
        (LedgerReason.REFUND, PRICE),
    ]
    assert placement.balance == await balance(shop) == FUNDS
    texts = [alert.text for alert in await admin_alerts(shop)]
    # The failover's line, then the refusal of the shop's as today.
    assert len(texts) == 2
    assert "Incorrect service ID" in texts[0]
    assert "sent to panel second" in texts[0]
    assert NOT_ENOUGH_FUNDS in texts[1]
