"""Customers and services read outside a transaction are kept, and never outlive a write:
every change to a customer or a service (the owner's, a catalogue sync's) reads back at
once, a rolled-back one never shows, a read that raced a commit is not kept, and a
transaction sees its own writes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shop.customers import find_customer
from shop.storage import Database, ServiceRow
from shop.storage.kept_rows import KeptRows

from .factories import add_service, add_user, panel_service

_NOW = datetime(2026, 12, 3, tzinfo=UTC)


async def _customer_language(db: Database, user_id: int) -> str:
    customer = await find_customer(db, user_id)
    assert customer is not None
    return customer.language


async def test_a_customer_read_again_is_not_read_from_the_database(
    file_db: Database, db_path: Path
) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx, 5)
    assert await _customer_language(file_db, 5) == "en"

    # Changed behind the bot's back (the bot is its database's only writer): the kept row
    # is what the bot reads.
    with sqlite3.connect(db_path) as other:
        other.execute("UPDATE users SET language = 'ru' WHERE id = 5")

    assert await _customer_language(file_db, 5) == "en"
    assert len(file_db.kept_users) == 1


@pytest.fixture(params=["in memory", "in a file"])
async def db_either(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[Database]:
    """A database in memory (one connection for reads and writes) and one in a file."""
    target = ":memory:" if request.param == "in memory" else db_path
    async with await Database.open(target) as database:
        yield database


async def test_every_change_to_a_customer_reads_back_at_once(db_either: Database) -> None:
    db = db_either
    async with db.transaction() as tx:
        await add_user(tx, 5)
        await add_user(tx, 6)
    for user_id in (5, 6):
        await find_customer(db, user_id)

    async with db.transaction() as tx:
        await tx.users.set_language(5, "ru")
    assert await _customer_language(db, 5) == "ru"

    async with db.autocommit() as tx:
        await tx.users.set_blocked(5, True)
    customer = await find_customer(db, 5)
    assert customer is not None
    assert customer.blocked

    async with db.transaction() as tx:
        await tx.users.ban(6, "spam", datetime(2026, 12, 3, tzinfo=UTC))
    banned = await find_customer(db, 6)
    assert banned is not None
    assert (banned.banned, banned.ban_reason) == (True, "spam")

    async with db.transaction() as tx:
        await tx.users.upsert(6, "ann", "Ann <&>", "ru")
    renamed = await find_customer(db, 6)
    assert renamed is not None
    assert (renamed.username, renamed.first_name) == ("ann", "Ann <&>")


async def test_a_rolled_back_change_never_shows(file_db: Database) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx, 5)
    await find_customer(file_db, 5)

    with pytest.raises(RuntimeError):
        async with file_db.transaction() as tx:
            await tx.users.set_language(5, "ru")
            raise RuntimeError("the order failed")

    assert await _customer_language(file_db, 5) == "en"


async def test_a_read_racing_a_commit_is_not_kept(file_db: Database) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx, 5)
    written = asyncio.Event()
    read = asyncio.Event()

    async def change_language() -> None:
        async with file_db.transaction() as tx:
            await tx.users.set_language(5, "ru")
            written.set()
            await read.wait()

    changing = asyncio.create_task(change_language())
    await written.wait()
    # The change is not committed: the committed row is read, while the write is open.
    assert await _customer_language(file_db, 5) == "en"
    read.set()
    await changing

    assert await _customer_language(file_db, 5) == "ru"


async def test_a_transaction_reads_its_own_write_not_the_kept_row(file_db: Database) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx, 5)
    await find_customer(file_db, 5)

    async with file_db.transaction() as tx:
        await tx.users.set_language(5, "ru")
        inside = await tx.users.get(5)

    assert inside is not None
    assert inside.language == "ru"


async def test_the_latest_customers_are_kept_up_to_the_limit(file_db: Database) -> None:
    file_db.kept_users = KeptRows(size=2)
    async with file_db.transaction() as tx:
        for user_id in (1, 2, 3):
            await add_user(tx, user_id)
    for user_id in (1, 2, 1, 3):
        await find_customer(file_db, user_id)

    assert len(file_db.kept_users) == 2
    assert file_db.kept_users.get(2) is None
    assert [kept.id for kept in map(file_db.kept_users.get, (1, 3)) if kept] == [1, 3]
    assert await find_customer(file_db, 4) is None
    assert len(file_db.kept_users) == 2


async def _service(db: Database, service_id: int = 101) -> ServiceRow:
    async with db.read() as r:
        service = await r.services.get(service_id)
    assert service is not None
    return service


async def test_a_service_read_again_is_not_read_from_the_database(
    file_db: Database, db_path: Path
) -> None:
    async with file_db.transaction() as tx:
        await add_service(tx)
    assert (await _service(file_db)).rate == Decimal("0.90")

    with sqlite3.connect(db_path) as other:
        other.execute("UPDATE services SET rate = '0.0045' WHERE id = 101")

    assert (await _service(file_db)).rate == Decimal("0.90")
    assert len(file_db.kept_services) == 1


async def test_every_change_to_a_service_reads_back_at_once(db_either: Database) -> None:
    db = db_either
    async with db.transaction() as tx:
        await add_service(tx)
    await _service(db)

    async with db.transaction() as tx:
        await tx.services.set_markup_override(101, Decimal("12.5"))
    assert (await _service(db)).markup_override == Decimal("12.5")

    async with db.transaction() as tx:
        await tx.services.set_enabled(101, False)
    assert not (await _service(db)).enabled

    async with db.transaction() as tx:
        await tx.services.set_own_description(101, 'Real <b>"followers"</b> & more')
    assert (await _service(db)).own_description == 'Real <b>"followers"</b> & more'

    # The panel's next catalogue: a new rate and a long name full of markup.
    renamed = 'Instagram Followers <HQ> & "Real" ' + "x" * 200
    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(name=renamed, rate="0.0045")], _NOW)
    synced = await _service(db)
    assert (synced.name, synced.rate) == (renamed, Decimal("0.0045"))

    async with db.transaction() as tx:
        await tx.services.mark_missing_off_panel([], _NOW)
    assert not (await _service(db)).on_panel


async def test_a_transaction_reads_its_own_service_write_not_the_kept_row(
    file_db: Database,
) -> None:
    async with file_db.transaction() as tx:
        await add_service(tx)
    await _service(file_db)

    async with file_db.transaction() as tx:
        await tx.services.set_enabled(101, False)
        inside = await tx.services.get(101)

    assert inside is not None
    assert not inside.enabled
