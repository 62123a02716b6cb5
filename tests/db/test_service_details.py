"""Descriptions and average times in storage: per listing, updated by each sync, the shown
listing's read with a shop service; the shop's own description on the shop service; a
database from before them upgraded with its services kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from api.models import Service
from shop.storage import (
    LATEST_VERSION,
    MAIN_PANEL,
    MIGRATIONS,
    SERVICE_DETAILS_VERSION,
    Database,
    SyncCounts,
    utc_now,
)

from .factories import panel_service


def described(
    service_id: int = 101, description: str | None = None, average_time: str | None = None
) -> Service:
    return panel_service(service_id).model_copy(
        update={"description": description, "average_time": average_time}
    )


async def test_a_sync_stores_them_per_listing_and_the_service_shows_its_listings(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([described(101, "Main's words.", "1 hour")], utc_now())
        await tx.services.upsert_many(
            [described(101, "Second's words.", "45")], utc_now(), panel="second"
        )
        await tx.listings.link("second", 101, 101)

    async with db.read() as r:
        shown = await r.listings.shown(101)
        second = await r.listings.at("second", 101)
    assert shown is not None and second is not None
    assert (shown.description, shown.average_time) == ("Main's words.", "1 hour")
    assert (second.description, second.average_time) == ("Second's words.", "45")

    async with db.transaction() as tx:
        await tx.listings.prefer(101, "second")
        shown = await tx.listings.shown(101)
    assert shown is not None
    assert (shown.panel, shown.description, shown.average_time) == (
        "second",
        "Second's words.",
        "45",
    )


async def test_a_changed_or_dropped_description_is_an_update(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([described(101, "Old.", "1 day")], utc_now())
    async with db.transaction() as tx:
        changed = await tx.services.upsert_many([described(101, "New.", "1 day")], utc_now())
        same = await tx.services.upsert_many([described(101, "New.", "1 day")], utc_now())
        dropped = await tx.services.upsert_many([described(101)], utc_now())
        listing = await tx.listings.at(MAIN_PANEL, 101)

    assert changed == SyncCounts(inserted=0, updated=1, unchanged=0)
    assert same == SyncCounts(inserted=0, updated=0, unchanged=1)
    assert dropped == SyncCounts(inserted=0, updated=1, unchanged=0)
    assert listing is not None
    assert (listing.description, listing.average_time) == (None, None)


async def test_the_own_description_is_set_and_removed_and_outlives_syncs(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([described(101, "Panel's.")], utc_now())
        assert await tx.services.set_own_description(101, "Ours <b>&</b>")
        assert not await tx.services.set_own_description(999, "Nobody's")
        await tx.services.upsert_many([described(101, "Panel's, changed.")], utc_now())
        kept = await tx.services.get(101)
        assert await tx.services.set_own_description(101, None)
        removed = await tx.services.get(101)
        listing = await tx.listings.at(MAIN_PANEL, 101)

    assert kept is not None and removed is not None and listing is not None
    assert kept.own_description == "Ours <b>&</b>"
    assert removed.own_description is None
    assert listing.description == "Panel's, changed."


async def test_a_database_from_before_is_upgraded_with_its_services_kept(db_path: Path) -> None:
    before = MIGRATIONS[: SERVICE_DETAILS_VERSION - 1]
    async with await Database.open(db_path, migrations=before):
        pass
    with sqlite3.connect(db_path) as conn:
        # Written as the code of the version before wrote them.
        for service_id in (101, 7):
            conn.execute(
                "INSERT INTO services (id, name, type, category, rate, min, max, synced_at)"
                " VALUES (?, 'Instagram Followers', 'Default', 'Instagram', '0.90', 10, 1000,"
                " '2025-01-01T00:00:00.000000+00:00')",
                (service_id,),
            )
            conn.execute(
                "INSERT INTO panel_services (panel, panel_service_id, service_id, name, type,"
                " category, rate, min, max, synced_at) SELECT 'main', id, id, name, type,"
                " category, rate, min, max, synced_at FROM services WHERE id = ?",
                (service_id,),
            )

    async with await Database.open(db_path) as upgraded, upgraded.read() as r:
        service = await r.services.get(101)
        listing = await r.listings.at(MAIN_PANEL, 7)

    assert service is not None and listing is not None
    assert service.name == "Instagram Followers"
    assert service.own_description is None
    assert (listing.description, listing.average_time) == (None, None)
    with sqlite3.connect(db_path) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
    assert SERVICE_DETAILS_VERSION in versions
    assert versions[-1] == LATEST_VERSION
