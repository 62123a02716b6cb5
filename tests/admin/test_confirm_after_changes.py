"""A quote holds for 15 minutes, but not against the shop's changes: Confirm checks the
service is still on sale and prices it again. Off sale: nothing is placed or charged. Dearer:
nothing is placed or charged, and the new price is shown to confirm. Same or cheaper: placed
at the lower price."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api import OrderType
from api.sandbox import SandboxPanel
from bot.runtime import Runtime
from shop.storage import LedgerReason

from ..conversation.conftest import top_up
from ..conversation.shopping import (
    MENU,
    add_requests,
    reach_summary,
    row_count,
    service_of_type,
)
from ..support.telegram import BotClient
from .shop import FOLLOWERS, ledger_rows, order

NAME = "Instagram Followers [Real] [30 days refill]"
LINK = "https://instagram.com/shop.alice"


def summary(price: str, balance: str = "10.00 USD") -> str:
    return (
        f"🧾 Your order\n{NAME}\nLink: {LINK}\nQuantity: 1000\n\n"
        f"Units: 1,000\n💵 Price: {price}\n💰 Your balance: {balance}"
    )


async def ledger(services: Runtime, user_id: int) -> list[tuple[LedgerReason, Decimal]]:
    return [(row.reason, row.amount) for row in await ledger_rows(services, user_id)]


async def followers_summary(alice: BotClient, panel: SandboxPanel, services: Runtime) -> str:
    """Alice, with 10.00 USD, at the summary of 1000 followers at 1.17 USD; the data of its
    Confirm button."""
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    service = service_of_type(panel, OrderType.DEFAULT)
    assert service.id == FOLLOWERS
    await reach_summary(alice, panel, service)
    assert alice.screen.last.text == summary("1.17 USD")
    data = alice.screen.find_button("Confirm").callback_data
    assert data is not None
    return data


async def test_confirm_after_the_service_went_off_sale_places_and_charges_nothing(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    confirm = await followers_summary(alice, panel, services)
    await owner.send(f"/service {FOLLOWERS} off")

    await alice.click("Confirm")

    assert alice.screen.last.text == "This service is not available any more."
    assert alice.screen.last.buttons == MENU
    assert add_requests(panel) == []
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal(10))]
    assert row_count(services, "orders") == 0
    # The quote is used up: back on sale, the old Confirm still places nothing.
    await owner.send(f"/service {FOLLOWERS} on")
    await alice.click_data(confirm)
    assert alice.screen.last.text == (
        "⌛ This price has expired. Please order again to get a fresh price."
    )
    assert add_requests(panel) == []


@pytest.mark.parametrize(
    ("command", "price"),
    [("/markup 50", "1.35 USD"), (f"/price {FOLLOWERS} 80", "1.62 USD")],
)
async def test_confirm_after_a_markup_rise_shows_the_new_price_to_confirm(
    owner: BotClient,
    alice: BotClient,
    panel: SandboxPanel,
    services: Runtime,
    command: str,
    price: str,
) -> None:
    old_confirm = await followers_summary(alice, panel, services)
    await owner.send(command)

    await alice.click("Confirm")

    assert alice.screen.last.text == (
        f"⚠️ The price has changed from 1.17 USD to {price}. Check your order and confirm "
        f"again.\n\n{summary(price)}"
    )
    assert alice.screen.last.buttons == [["✅ Confirm", "✖ Cancel"]]
    assert add_requests(panel) == []
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal(10))]
    assert row_count(services, "orders") == 0

    # The new price can be confirmed; the old one cannot any more.
    await alice.click("Confirm")
    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")
    await alice.click_data(old_confirm)
    assert alice.screen.last.text == (
        "⌛ This price has expired. Please order again to get a fresh price."
    )
    assert len(add_requests(panel)) == 1
    amount = Decimal(price.removesuffix(" USD"))
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, -amount),
    ]


async def test_confirm_after_the_panel_raised_its_rate_shows_the_new_price_to_confirm(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await followers_summary(alice, panel, services)
    rows = [dict(row) for row in panel.services]
    for row in rows:
        if row["service"] == FOLLOWERS:
            row["rate"] = "1.2345"
    panel.set_services(rows)
    await owner.send("/sync")

    await alice.click("Confirm")

    # 1.2345 x 1000 / 1000 x 1.3 = 1.60485, up to the cent.
    assert alice.screen.last.text == (
        "⚠️ The price has changed from 1.17 USD to 1.61 USD. Check your order and confirm "
        f"again.\n\n{summary('1.61 USD')}"
    )
    assert add_requests(panel) == []
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal(10))]


async def test_a_rise_past_the_balance_offers_a_top_up_with_the_new_price(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await followers_summary(alice, panel, services)
    await owner.send("/markup 1000")

    await alice.click("Confirm")

    # 0.90 x 11 = 9.90: still within the 10.00 USD; at 2000 % it would not be.
    assert (alice.screen.last.text or "").startswith(
        "⚠️ The price has changed from 1.17 USD to 9.90 USD."
    )
    await owner.send("/markup 2000")
    await alice.click("Confirm")
    assert alice.screen.last.text == (
        "⚠️ The price has changed from 9.90 USD to 18.90 USD. Check your order and confirm "
        f"again.\n\n{summary('18.90 USD')}\n\n"
        "⚠️ Your balance is short by 8.90 USD. Top up, then confirm."
    )
    assert alice.screen.last.buttons == [["💰 Top up"], ["✅ Confirm", "✖ Cancel"]]
    assert add_requests(panel) == []
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal(10))]


async def test_confirm_after_a_price_cut_charges_the_lower_price_and_the_current_cost(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await followers_summary(alice, panel, services)
    await owner.send("/markup 10")

    await alice.click("Confirm")

    text = alice.screen.last.text or ""
    assert text.startswith("✅ Order #1 placed")
    assert "Charged: 0.99 USD" in text
    assert len(add_requests(panel)) == 1
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, Decimal("-0.99")),
    ]
    placed = await order(services, 1)
    assert (placed.price, placed.cost) == (Decimal("0.99"), Decimal("0.9"))


async def test_confirm_at_an_unchanged_price_places_the_order(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await followers_summary(alice, panel, services)
    await owner.send("/markup 30")
    await owner.send("/sync")

    await alice.click("Confirm")

    assert "Charged: 1.17 USD" in (alice.screen.last.text or "")
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, Decimal("-1.17")),
    ]
