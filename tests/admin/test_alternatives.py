"""/link, /unlink and /prefer: the admins sell a service of a second panel as an
alternative of a shop service, choose the panel it is sold from (or the cheapest), and
unlink it again; customers are quoted, and orders placed, accordingly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from api import DefaultOrder
from api.sandbox import Fault, SandboxPanel
from bot.runtime import Runtime
from shop.catalogue import sync_catalogue
from shop.ordering import PlacementOutcome, place_order, quote_order

from ..conversation.conftest import top_up
from ..support.telegram import BotClient
from .shop import FOLLOWERS, add_customer, last_text

#: The second panel: the same followers cheaper (its own id 101 as well), and a package.
SECOND_CATALOGUE = (
    {"service": 101, "name": "Followers [Second panel]", "type": "Default",
     "category": "Instagram Followers", "rate": "0.50", "min": "10", "max": "5000"},
    {"service": 9001, "name": "Likes Package", "type": "Package",
     "category": "Instagram Likes", "rate": "0.40", "min": "1", "max": "1"},
)  # fmt: skip


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, object], two_panels: dict[str, object]
) -> dict[str, object]:
    return {**settings_overrides, **two_panels}


@pytest.fixture
def second_panel_services() -> Sequence[Mapping[str, object]]:
    return SECOND_CATALOGUE


@pytest.fixture
async def second_synced(services: Runtime) -> int:
    """The second panel's catalogue is in the shop; the shop id its 101 first got."""
    await sync_catalogue(services.db, services.panels.client("second"), name="second")
    async with services.db.read() as r:
        listing = await r.listings.at("second", 101)
    assert listing is not None
    return listing.service_id


async def quoted(services: Runtime, user_id: int) -> Decimal:
    request = DefaultOrder(service=FOLLOWERS, link="https://instagram.com/a", quantity=1000)
    return (await quote_order(services.db, services.terms, user_id, request)).price


async def test_a_linked_alternative_is_sold_when_preferred(
    owner: BotClient,
    alice: BotClient,
    services: Runtime,
    second_synced: int,
    panel: SandboxPanel,
    second_panel: SandboxPanel,
) -> None:
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))

    await owner.send(f"/link {FOLLOWERS} second:101")
    assert owner.screen.last.text == (
        f"✅ Service {FOLLOWERS} is also sold as service 101 of panel second. Sold from: main."
    )
    # The service the second panel's 101 was sold as until now has nothing left to sell.
    assert await services.catalogue.offer(second_synced) is None
    assert await quoted(services, alice.user.id) == Decimal("1.17")

    await owner.send(f"/prefer {FOLLOWERS} cheapest")
    assert owner.screen.last.text == (
        f"✅ Service {FOLLOWERS} is sold from cheapest: now service 101 of panel second,"
        " at 0.50 per 1000."
    )
    # 1000 at 0.50 per 1000 with the 30 % markup.
    assert await quoted(services, alice.user.id) == Decimal("0.65")
    panel.requests.clear()
    request = DefaultOrder(service=FOLLOWERS, link="https://instagram.com/a", quantity=1000)
    quote = await quote_order(services.db, services.terms, alice.user.id, request)
    placed = await place_order(
        services.db, services.panels, services.alerts, alice.user.id, quote.id,
        terms=services.terms,
    )  # fmt: skip
    assert placed.outcome is PlacementOutcome.PLACED
    assert [r.fields["service"] for r in second_panel.requests if r.action == "add"] == ["101"]
    assert [r for r in panel.requests if r.action == "add"] == []
    await owner.send(f"/order {placed.order.id}")
    panel_id = placed.order.panel_order_id
    assert f"<b>Order #{placed.order.id}</b> (panel second: {panel_id})" in (
        owner.screen.last.html or ""
    )

    await owner.send(f"/prefer {FOLLOWERS} main")
    assert await quoted(services, alice.user.id) == Decimal("1.17")


async def test_unlink_makes_an_alternative_a_service_of_its_own(
    owner: BotClient, services: Runtime, second_synced: int
) -> None:
    await owner.send(f"/link {FOLLOWERS} second:101")

    await owner.send("/unlink second:101")

    async with services.db.read() as r:
        listing = await r.listings.at("second", 101)
    assert listing is not None
    assert listing.service_id not in (FOLLOWERS, second_synced)
    assert owner.screen.last.text == (
        f"✅ Service 101 of panel second is a service of its own again: {listing.service_id}."
    )
    offer = await services.catalogue.offer(listing.service_id)
    assert offer is not None
    assert offer.service.name == "Followers [Second panel]"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (f"/link {FOLLOWERS} second:9001",
         f"Service 9001 of panel second takes another kind of order than service {FOLLOWERS}:"
         " it cannot be an alternative of it."),
        (f"/link {FOLLOWERS} elsewhere:101", "No panel is named elsewhere."),
        (f"/link {FOLLOWERS} second:777", "Panel second lists no such service."),
        ("/link 998 second:101", "No service 998."),
        (f"/unlink main:{FOLLOWERS}",
         f"Service {FOLLOWERS} of panel main is the only way its service is sold:"
         " there is nothing to unlink."),
        (f"/prefer {FOLLOWERS} second", "Panel second lists no such service."),
        ("/prefer 998 main", "No service 998."),
    ],
)  # fmt: skip
async def test_a_change_that_cannot_be_made_is_refused_in_plain_words(
    owner: BotClient, services: Runtime, second_synced: int, command: str, answer: str
) -> None:
    await owner.send(command)

    assert owner.screen.last.text == answer


async def test_a_service_sold_at_a_panel_already_takes_no_second_listing_there(
    owner: BotClient, services: Runtime, second_synced: int
) -> None:
    # Main's 102 is another service of main's: one listing per panel and service.
    await owner.send(f"/link {FOLLOWERS} main:102")

    assert owner.screen.last.text == (
        f"Service {FOLLOWERS} is sold at panel main already: /unlink that first."
    )


async def test_a_listing_that_does_not_read_gets_the_usage(owner: BotClient) -> None:
    await owner.send(f"/link {FOLLOWERS} second-101")

    assert owner.screen.last.text == (
        "Usage: /link <service> <panel>:<panel service>"
        " — sell a panel's service as an alternative of a service"
    )


async def test_help_lists_the_commands_of_alternatives_when_there_are_panels(
    owner: BotClient,
) -> None:
    await owner.send("/help")

    text = owner.screen.last.text or ""
    assert "\n/link <service> <panel>:<panel service>" in text
    assert "\n/prefer <service> <panel>|cheapest" in text


async def test_panels_shows_each_panel_its_balance_services_and_orders(
    owner: BotClient,
    services: Runtime,
    second_synced: int,
    second_panel: SandboxPanel,
) -> None:
    request = DefaultOrder(service=FOLLOWERS, link="https://instagram.com/a", quantity=1000)
    await add_customer(services, 501, funds=Decimal(100))
    quote = await quote_order(services.db, services.terms, 501, request)
    placed = await place_order(
        services.db, services.panels, services.alerts, 501, quote.id, terms=services.terms
    )
    assert placed.outcome is PlacementOutcome.PLACED
    second_panel.faults.add(Fault.html_502(action="balance"))

    await owner.send("/panels")

    lines = (owner.screen.last.text or "").split("\n")
    assert lines[0] == "Panels"
    assert lines[1].startswith("main http://127.0.0.1:")
    assert lines[2].startswith("Balance: ")
    assert lines[2].endswith(" · services for sale: 34 (of 34 known) · active orders: 1")
    assert lines[3].startswith("second http://127.0.0.1:")
    assert lines[4].startswith("Balance: not available (")
    assert lines[4].endswith(" · services for sale: 2 (of 2 known) · active orders: 0")

    # /stats splits revenue, cost and margin by panel: 1000 followers at main, 1.17 USD
    # (0.90 per 1000 with the 30 % markup), nothing at the second panel.
    await owner.send("/stats today")
    text = last_text(owner)
    assert text.endswith("\nPanel main: revenue 1.17 USD · cost 0.90 USD · margin 0.27 USD"), text


async def test_service_shows_where_it_is_sold_from_and_its_alternatives(
    owner: BotClient, second_synced: int
) -> None:
    await owner.send(f"/link {FOLLOWERS} second:101")
    await owner.send(f"/service {FOLLOWERS}")

    lines = (owner.screen.last.text or "").split("\n")
    assert lines[0].startswith(f"Service {FOLLOWERS} ")
    assert lines[1] == "Sold from: main (chosen: main)"
    assert lines[2] == "Description: the panel's description"
    assert sorted(lines[3:]) == [
        f"· main:{FOLLOWERS} · 0.90 per 1000 · min 50, max 10,000 · listed by its panel",
        "· second:101 · 0.50 per 1000 · min 10, max 5,000 · listed by its panel",
    ]

    await owner.send(f"/prefer {FOLLOWERS} cheapest")
    await owner.send(f"/service {FOLLOWERS}")
    assert (owner.screen.last.text or "").split("\n")[1] == (
        "Sold from: second (chosen: cheapest)"
    )
    await owner.send("/service 999999")
    assert owner.screen.last.text == "No service 999999."
