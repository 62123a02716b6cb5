"""Listings: each panel's services, linked to the shop services they sell as; shop ids are
the shop's own and stay put across syncs of any panel."""

from __future__ import annotations

from decimal import Decimal

from shop.storage import CHEAPEST, MAIN_PANEL, Database, SyncCounts, utc_now

from .factories import panel_service


async def shop_ids_of(db: Database, panel: str, panel_ids: list[int]) -> list[int | None]:
    async with db.read() as r:
        listings = [await r.listings.at(panel, panel_id) for panel_id in panel_ids]
    return [None if x is None else x.service_id for x in listings]


async def test_a_first_seen_service_keeps_its_panel_id_as_shop_id_when_free(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many(
            [panel_service(101), panel_service(102)], utc_now(), panel=MAIN_PANEL
        )
        counts = await tx.services.upsert_many(
            [panel_service(102, name="Other panel's 102"), panel_service(7)],
            utc_now(),
            panel="second",
        )

    assert counts == SyncCounts(inserted=2, updated=0, unchanged=0)
    assert await shop_ids_of(db, MAIN_PANEL, [101, 102]) == [101, 102]
    # 7 is free; 102 is main's, so second's 102 gets the next id above every shop id.
    assert await shop_ids_of(db, "second", [7, 102]) == [7, 103]


async def test_shop_ids_stay_put_across_syncs_of_every_panel(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(5)], utc_now(), panel="second")
        await tx.services.upsert_many([panel_service(5)], utc_now(), panel=MAIN_PANEL)
    before = await shop_ids_of(db, MAIN_PANEL, [5]) + await shop_ids_of(db, "second", [5])

    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(5, rate="2")], utc_now(), panel=MAIN_PANEL)
        await tx.services.mark_missing_off_panel([], utc_now(), panel="second")
        await tx.services.upsert_many([panel_service(5)], utc_now(), panel="second")

    assert before == [6, 5]
    assert await shop_ids_of(db, MAIN_PANEL, [5]) + await shop_ids_of(db, "second", [5]) == [6, 5]


async def test_a_panel_that_drops_a_service_changes_only_its_own_listing(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(1), panel_service(2)], utc_now())
        await tx.services.upsert_many([panel_service(30)], utc_now(), panel="second")
        gone = await tx.services.mark_missing_off_panel([2], utc_now(), panel=MAIN_PANEL)
        none_gone = await tx.services.mark_missing_off_panel([30], utc_now(), panel="second")
        first = await tx.services.get(1)
        other = await tx.services.get(30)

    assert (gone, none_gone) == (1, 0)
    assert first is not None
    assert first.on_panel is False
    assert other is not None
    assert other.on_panel is True


async def test_a_service_shows_its_preferred_panels_listing_or_the_cheapest(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(1, rate="0.90")], utc_now())
        # The same service at a second panel, linked as an alternative of shop service 1.
        await tx.services.upsert_many([panel_service(40, rate="0.50")], utc_now(), panel="b")
        await tx.listings.link("b", 40, 1)
        preferred = await tx.listings.shown(1)
        await tx.listings.prefer(1, CHEAPEST)
        cheapest = await tx.listings.shown(1)
        service = await tx.services.get(1)

    assert preferred is not None
    assert (preferred.panel, preferred.rate) == (MAIN_PANEL, Decimal("0.90"))
    assert cheapest is not None
    assert (cheapest.panel, cheapest.panel_service_id) == ("b", 40)
    assert service is not None
    assert service.rate == Decimal("0.50")
