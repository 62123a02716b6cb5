"""The catalogue of a shop selling from two panels: each panel synced on its own, the
shop's ids its own, categories of the same name one category, and a panel that is down
keeping its last good listing while the other's still arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from api import DefaultOrder
from api.sandbox import Fault, SandboxPanel
from bot.runtime import Runtime
from shop.catalogue import CatalogueSyncFailed, keep_catalogue_synced, sync_catalogue
from shop.ledger import credit
from shop.ordering import PlacementOutcome, place_order, quote_order
from shop.storage import MAIN_PANEL, LedgerReason, utc_now

from ..conftest import ADMIN_CHAT

#: The second panel's catalogue: its id 101 is another service than main's 101, in a
#: category main has too; 9001 is in a category only it has.
SECOND_CATALOGUE = (
    {"service": 101, "name": "Followers [Second panel]", "type": "Default",
     "category": "Instagram Followers", "rate": "0.70", "min": "10", "max": "5000"},
    {"service": 9001, "name": "Spotify Plays", "type": "Default",
     "category": "Spotify Plays", "rate": "0.35", "min": "100", "max": "100000"},
)  # fmt: skip


@pytest.fixture
def settings_overrides(two_panels: dict[str, object]) -> dict[str, object]:
    return two_panels


@pytest.fixture
def second_panel_services() -> Sequence[Mapping[str, object]]:
    return SECOND_CATALOGUE


async def sync_second(services: Runtime) -> None:
    await sync_catalogue(services.db, services.panels.client("second"), name="second")


async def test_a_second_panels_services_get_shop_ids_of_their_own(services: Runtime) -> None:
    await sync_second(services)

    async with services.db.read() as r:
        spotify = await r.listings.at("second", 9001)
        followers = await r.listings.at("second", 101)
        mains = await r.listings.at(MAIN_PANEL, 101)
    assert spotify is not None
    assert followers is not None
    assert mains is not None
    # 9001 was free; 101 is main's, so the second panel's 101 is sold under a new id.
    assert spotify.service_id == 9001
    assert mains.service_id == 101
    assert followers.service_id not in (101, 9001)
    offer = await services.catalogue.offer(followers.service_id)
    assert offer is not None
    assert offer.service.name == "Followers [Second panel]"
    assert offer.service.rate == Decimal("0.70")


async def test_categories_of_the_same_name_are_one_category(services: Runtime) -> None:
    before = {c.name: c.service_count for c in await services.catalogue.categories()}

    await sync_second(services)

    after = {c.name: c.service_count for c in await services.catalogue.categories()}
    assert after["Instagram Followers"] == before["Instagram Followers"] + 1
    assert after["Spotify Plays"] == 1
    assert len(after) == len(before) + 1


async def test_a_panel_that_fails_keeps_its_last_listing_and_the_others(
    services: Runtime, second_panel: SandboxPanel
) -> None:
    await sync_second(services)
    mains_before = await services.catalogue.categories()
    second_panel.faults.add(Fault.html_502(action="services"))

    with pytest.raises(CatalogueSyncFailed, match="panel second"):
        await sync_second(services)

    assert await services.catalogue.offer(9001) is not None
    assert await services.catalogue.categories() == mains_before


async def test_each_panel_is_synced_on_its_own_schedule(
    services: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    # Main is down throughout; the second panel's catalogue arrives all the same.
    panel.faults.add(Fault.html_502(action="services"))
    syncing = asyncio.create_task(keep_catalogue_synced(services.db, services.panels, 3600))
    try:
        for _ in range(200):
            if await services.catalogue.offer(9001) is not None:
                break
            await asyncio.sleep(0.02)
    finally:
        syncing.cancel()
        await asyncio.gather(syncing, return_exceptions=True)

    assert await services.catalogue.offer(9001) is not None
    # Main's last good catalogue is still on sale.
    assert await services.catalogue.offer(101) is not None
    assert [r.action for r in second_panel.requests] == ["services"]


async def test_a_panel_no_longer_configured_sells_nothing_more(
    services: Runtime, panel: SandboxPanel
) -> None:
    await sync_second(services)
    assert await services.catalogue.offer(9001) is not None
    panel.faults.add(Fault.html_502(action="services"))

    # The shop restarted with main alone.
    syncing = asyncio.create_task(keep_catalogue_synced(services.db, services.panels.first, 3600))
    try:
        for _ in range(200):
            if await services.catalogue.offer(9001) is None:
                break
            await asyncio.sleep(0.02)
    finally:
        syncing.cancel()
        await asyncio.gather(syncing, return_exceptions=True)

    assert await services.catalogue.offer(9001) is None
    assert await services.catalogue.offer(101) is not None


async def test_orders_running_at_a_panel_no_longer_configured_are_told_to_the_admins(
    services: Runtime,
) -> None:
    await sync_second(services)
    async with services.db.transaction() as tx:
        await tx.users.upsert(501, None, "Ann", "en")
        await credit(tx, 501, Decimal(100), LedgerReason.TOPUP, "topup:test:501")
    request = DefaultOrder(service=9001, link="https://instagram.com/p/gone", quantity=1000)
    quote = await quote_order(services.db, services.terms, 501, request)
    placed = await place_order(
        services.db, services.panels, services.alerts, 501, quote.id, terms=services.terms
    )
    assert (placed.outcome, placed.order.panel) == (PlacementOutcome.PLACED, "second")

    # The shop restarted with main alone, twice: told once.
    for _ in range(2):
        syncing = asyncio.create_task(
            keep_catalogue_synced(services.db, services.panels.first, 3600, services.alerts)
        )
        await asyncio.sleep(0.05)
        syncing.cancel()
        await asyncio.gather(syncing, return_exceptions=True)

    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 1000)
    alerts = [row.text for row in rows if row.chat_id == ADMIN_CHAT]
    assert alerts == [
        "⚠️ <b>1 order still runs at panel second</b>, which PANELS no longer names: nothing"
        " tracks them, so their customers are not told how they end. Put the panel back in"
        " PANELS until they are done."
    ]
