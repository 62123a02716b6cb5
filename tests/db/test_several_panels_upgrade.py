"""A one-panel shop's database upgrades in place to several panels: every order, refill,
price override and disabled service keeps working, attributed to ``main``.

``data/one_panel_release.sql`` is a database the release before several panels wrote
(schema 11, through its own repositories), dumped with sqlite3's ``iterdump``; each test
loads a copy of it and opens it with every migration.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from shop.storage import (
    MAIN_PANEL,
    MIGRATIONS,
    SEVERAL_PANELS_VERSION,
    ConstraintError,
    Database,
    Destination,
    OrderState,
    RefillState,
    utc_now,
)

from .factories import add_quote, panel_service

RELEASE_DUMP = Path(__file__).parent / "data" / "one_panel_release.sql"


@pytest.fixture
def release_db(db_path: Path) -> Path:
    """A copy of the release's database, not yet upgraded."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db_path) as conn:
        conn.executescript(RELEASE_DUMP.read_text(encoding="utf-8"))
    with sqlite3.connect(db_path) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
    # Written at schema 11; the upgrade runs every migration after it (12 and 13 came
    # between the release and several panels).
    assert max(versions) == RELEASE_SCHEMA < SEVERAL_PANELS_VERSION
    return db_path


#: The schema version of the database the dump was taken from.
RELEASE_SCHEMA = 11


def schema_objects(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        return {(kind, name) for kind, name in rows}


async def test_every_order_and_refill_is_attributed_to_main_with_its_ids_kept(
    release_db: Path,
) -> None:
    async with await Database.open(release_db) as db, db.read() as r:
        orders = [await r.orders.get(order_id) for order_id in (1, 2, 3)]
        refill = await r.refills.latest_for_order(1)
        in_progress = await r.orders.active_with_panel_id(panel=MAIN_PANEL)
        polled_refills = await r.refills.active_with_panel_id(panel=MAIN_PANEL)
        found = await r.orders.get_by_panel_id(5002, panel=MAIN_PANEL)

    assert [
        (o.panel, o.service_id, o.panel_service_id, o.panel_order_id, o.state)
        for o in orders
        if o is not None
    ] == [
        (MAIN_PANEL, 101, 101, 5001, OrderState.COMPLETED),
        (MAIN_PANEL, 101, 101, 5002, OrderState.IN_PROGRESS),
        (MAIN_PANEL, 103, 103, None, OrderState.UNKNOWN),
    ]
    assert refill is not None
    assert (refill.panel, refill.panel_refill_id, refill.state) == (
        MAIN_PANEL,
        77,
        RefillState.PENDING,
    )
    assert [o.id for o in in_progress] == [2]
    assert [x.id for x in polled_refills] == [refill.id]
    assert found is not None
    assert found.id == 2


async def test_every_service_keeps_its_id_switches_and_override_as_mains_listing(
    release_db: Path,
) -> None:
    async with await Database.open(release_db) as db, db.read() as r:
        services = {sid: await r.services.get(sid) for sid in (101, 102, 103, 104)}
        listings = {sid: await r.listings.of_service(sid) for sid in (101, 102, 103, 104)}
        shown = await r.listings.shown(101)

    assert all(service is not None for service in services.values())
    assert services[101] is not None
    assert services[101].markup_override == Decimal("12.5")
    assert services[102] is not None
    assert services[102].enabled is False
    assert services[104] is not None
    assert services[104].on_panel is False
    for service_id, rows in listings.items():
        assert [(x.panel, x.panel_service_id, x.service_id) for x in rows] == [
            (MAIN_PANEL, service_id, service_id)
        ]
    assert [x.on_panel for rows in listings.values() for x in rows] == [True, True, True, False]
    assert shown is not None
    assert (shown.panel, shown.panel_service_id, shown.rate) == (MAIN_PANEL, 101, Decimal("0.9"))


async def test_the_books_counters_indexes_and_triggers_survive(release_db: Path) -> None:
    before = schema_objects(release_db)

    async with await Database.open(release_db) as db:
        async with db.read() as r:
            balance = await r.ledger.balance(7)
        async with db.transaction() as tx:
            quote = await add_quote(tx, user_id=7, service_id=103)
            order = await tx.orders.insert_submitting(
                quote,
                destination=Destination(MAIN_PANEL, 103, "https://t.me/x", 1000),
                price=quote.price,
                cost=quote.cost,
            )

    assert balance == Decimal(50) - 3 * Decimal("1.17")
    # AUTOINCREMENT counters kept: no id is given twice.
    assert order.id == 4
    assert before <= schema_objects(release_db)
    with sqlite3.connect(release_db) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE ledger SET amount = 1")


async def test_references_are_enforced_again_after_the_upgrade(release_db: Path) -> None:
    async with await Database.open(release_db) as db:
        with pytest.raises(ConstraintError, match="FOREIGN KEY"):
            async with db.transaction() as tx:
                await tx.orders.record_transition(999, OrderState.PENDING, OrderState.COMPLETED)


async def test_a_panel_order_id_is_unique_at_its_panel_only(release_db: Path) -> None:
    async with await Database.open(release_db) as db:
        async with db.transaction() as tx:
            quote = await add_quote(tx, user_id=7, service_id=103)
            elsewhere = await tx.orders.insert_submitting(
                quote,
                destination=Destination("second", 9, "https://t.me/x", 1000),
                price=quote.price,
                cost=quote.cost,
            )
            # Panel "second" numbers its orders on its own: 5001 is free there.
            assert await tx.orders.set_placed(elsewhere.id, 5001) is True
        with pytest.raises(ConstraintError, match="UNIQUE"):
            async with db.transaction() as tx:
                quote = await add_quote(tx, user_id=7, service_id=103)
                again = await tx.orders.insert_submitting(
                    quote,
                    destination=Destination("second", 9, "https://t.me/x", 1000),
                    price=quote.price,
                    cost=quote.cost,
                )
                await tx.orders.set_placed(again.id, 5001)
        async with db.read() as r:
            at_main = await r.orders.get_by_panel_id(5001, panel=MAIN_PANEL)
            at_second = await r.orders.get_by_panel_id(5001, panel="second")
    assert at_main is not None
    assert at_second is not None
    assert (at_main.id, at_second.id) == (1, elsewhere.id)


async def test_the_next_sync_of_main_keeps_every_shop_id(release_db: Path) -> None:
    async with await Database.open(release_db) as db:
        async with db.transaction() as tx:
            await tx.services.upsert_many(
                [panel_service(101, rate="0.95"), panel_service(103), panel_service(105)],
                utc_now(),
                panel=MAIN_PANEL,
            )
        async with db.read() as r:
            repriced = await r.services.get(101)
            new = await r.services.get(105)
    assert repriced is not None
    assert repriced.rate == Decimal("0.95")
    assert repriced.markup_override == Decimal("12.5")
    assert new is not None
    assert new.prefer == MAIN_PANEL


def test_the_upgrade_is_the_migration_named_for_several_panels() -> None:
    assert MIGRATIONS[SEVERAL_PANELS_VERSION - 1].version == SEVERAL_PANELS_VERSION
    assert MIGRATIONS[SEVERAL_PANELS_VERSION - 1].rebuilds_referenced_tables
