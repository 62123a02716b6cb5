"""/sync, /service, /price and /markup from an admin in the admin group, and what a
customer sees and is quoted afterwards."""

from __future__ import annotations

from decimal import Decimal

from api.sandbox import Fault, SandboxPanel
from bot.runtime import Runtime

from ..conversation.conftest import top_up
from ..support.telegram import BotClient
from .shop import FOLLOWERS, HQ_FOLLOWERS, group_alerts

FOLLOWERS_NAME = "Instagram Followers [Real] [30 days refill]"
HQ_NAME = "Instagram Followers [HQ] [No refill]"
PREMIUM_NAME = "Instagram Followers [Premium] [Lifetime refill]"


async def categories(customer: BotClient) -> list[str]:
    """The category buttons of the first page of New order."""
    await customer.send("/start")
    await customer.click("New order")
    return [label for label in customer.screen.last.labels if "(" in label]


async def followers_page(customer: BotClient) -> list[str]:
    """The service buttons of Instagram Followers, as a customer sees them."""
    await customer.send("/start")
    await customer.click("New order")
    await customer.click("Instagram Followers")
    return [label for label in customer.screen.last.labels if "—" in label]


async def quoted_price(customer: BotClient, panel: SandboxPanel, service_id: int) -> str:
    """The price on the summary of an order of 1000 of the service, reached as a customer
    does: New order, the category, the service, Order, the link and the quantity."""
    service = panel.service(service_id)
    await customer.send("/start")
    await customer.click("New order")
    await customer.click(service.category)
    await customer.click(service.name)
    await customer.click("Order")
    await customer.send("https://instagram.com/shop.alice")
    await customer.send("1000")
    if service.dripfeed:
        await customer.click("No")
    summary = customer.screen.last.text or ""
    [line] = [line for line in summary.split("\n") if line.startswith("💵 Price: ")]
    await customer.click("Cancel")
    return line.removeprefix("💵 Price: ")


async def test_sync_takes_the_panels_catalogue_now_and_says_what_changed(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    assert "Facebook Page Likes (1)" in await categories(alice)
    rows = [dict(row) for row in panel.services if row["service"] != 601]
    for row in rows:
        if row["service"] == FOLLOWERS:
            row["rate"] = "1.20"
    rows.append({**rows[0], "service": 999, "name": "Instagram Followers [New] [Fast]"})
    panel.set_services(rows)

    await owner.send("/sync")

    assert owner.screen.last.text == (
        "✅ Catalogue taken: 1 new, 1 changed, 32 unchanged, 1 gone."
    )
    assert "Facebook Page Likes (1)" not in await categories(alice)
    assert await followers_page(alice) == [
        f"{FOLLOWERS_NAME} — 1.56 USD",
        f"{HQ_NAME} — 0.59 USD",
        f"{PREMIUM_NAME} — 2.80 USD",
        "Instagram Followers [New] [Fast] — 1.56 USD",
    ]
    await owner.send("/sync")
    assert owner.screen.last.text == (
        "✅ Catalogue taken: 0 new, 0 changed, 34 unchanged, 0 gone."
    )


async def test_sync_hides_a_free_service_and_tells_the_group_once(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    rows = [dict(row) for row in panel.services]
    for row in rows:
        if row["service"] == FOLLOWERS:
            row["rate"] = "0.0000"
    panel.set_services(rows)

    await owner.send("/sync")
    await owner.send("/sync")

    assert await followers_page(alice) == [f"{HQ_NAME} — 0.59 USD", f"{PREMIUM_NAME} — 2.80 USD"]
    assert [alert.text for alert in await group_alerts(services)] == [
        f"🚫 <b>Service {FOLLOWERS} is not for sale</b>: {FOLLOWERS_NAME}\n"
        "The panel lists it at a rate of 0.0000, so it cannot be priced. Customers do not see "
        "it until the panel gives it a rate above zero."
    ]


async def test_a_failed_sync_keeps_the_last_catalogue(
    owner: BotClient, alice: BotClient, panel: SandboxPanel
) -> None:
    panel.faults.add(Fault.html_502(action="services", times=1))
    await owner.send("/sync")
    text = owner.screen.last.text or ""
    assert text.startswith("⚠️ The catalogue could not be taken (")
    assert text.endswith("); the last one stays.")
    assert len(await followers_page(alice)) == 3


async def test_service_off_takes_a_service_off_sale_and_on_puts_it_back(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await owner.send(f"/service {FOLLOWERS} off")
    assert owner.screen.last.text == f"✅ Service {FOLLOWERS} is not for sale any more."
    assert "Instagram Followers (2)" in await categories(alice)
    assert await followers_page(alice) == [f"{HQ_NAME} — 0.59 USD", f"{PREMIUM_NAME} — 2.80 USD"]
    # Typing its number finds nothing to order either.
    assert await services.catalogue.offer(FOLLOWERS) is None

    await owner.send(f"/service {FOLLOWERS} ON")
    assert owner.screen.last.text == f"✅ Service {FOLLOWERS} is for sale."
    assert "Instagram Followers (3)" in await categories(alice)
    assert len(await followers_page(alice)) == 3

    await owner.send("/service 998 off")
    assert owner.screen.last.text == "No service 998."


async def test_price_and_markup_change_what_a_customer_is_quoted(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    # 1000 followers at 0.90 and 0.45 per 1000, with the default 30 %.
    assert await quoted_price(alice, panel, FOLLOWERS) == "1.17 USD"
    assert f"{FOLLOWERS_NAME} — 1.17 USD" in await followers_page(alice)

    await owner.send(f"/price {FOLLOWERS} 50")
    assert owner.screen.last.text == f"✅ Service {FOLLOWERS} now has a markup of 50%."
    assert await quoted_price(alice, panel, FOLLOWERS) == "1.35 USD"
    # The list shows the new price too, though nothing else on it changed.
    assert f"{FOLLOWERS_NAME} — 1.35 USD" in await followers_page(alice)
    assert await quoted_price(alice, panel, HQ_FOLLOWERS) == "0.59 USD"

    await owner.send("/markup 100%")
    assert owner.screen.last.text == "✅ The default markup is 100%."
    assert await quoted_price(alice, panel, HQ_FOLLOWERS) == "0.90 USD"
    # The service's own markup stands above the default.
    assert await quoted_price(alice, panel, FOLLOWERS) == "1.35 USD"
    assert f"{FOLLOWERS_NAME} — 1.35 USD" in await followers_page(alice)

    await owner.send(f"/price {FOLLOWERS} reset")
    assert owner.screen.last.text == f"✅ Service {FOLLOWERS} uses the default markup again."
    assert await quoted_price(alice, panel, FOLLOWERS) == "1.80 USD"

    await owner.send(f"/price {FOLLOWERS} 12.5")
    assert owner.screen.last.text == f"✅ Service {FOLLOWERS} now has a markup of 12.5%."
    # 0.90 x 1.125 = 1.0125, rounded up to the cent.
    assert await quoted_price(alice, panel, FOLLOWERS) == "1.02 USD"
    await owner.send("/markup 0")
    assert owner.screen.last.text == "✅ The default markup is 0%."
    assert await quoted_price(alice, panel, HQ_FOLLOWERS) == "0.45 USD"

    await owner.send("/price 998 10")
    assert owner.screen.last.text == "No service 998."
