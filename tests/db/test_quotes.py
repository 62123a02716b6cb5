"""Quotes: a confirmation can use a quote once, and only before it expires."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from shop.storage import Database, utc_now

from .factories import add_order, add_quote, add_service, add_user


async def test_quote_keeps_its_form_and_exact_money(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx)
        await add_service(tx)
        quote = await add_quote(tx, price=Decimal("1.234567"))
    async with db.read() as r:
        stored = await r.quotes.get(quote.id)
    assert stored == quote
    assert stored.price == Decimal("1.234567")
    assert stored.fields == {"link": "https://instagram.com/shop", "quantity": 1000}
    assert len(quote.id) <= 20


async def test_only_one_of_50_concurrent_consumers_wins(file_db: Database) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx)
        await add_service(tx)
        quote = await add_quote(tx)

    async def confirm() -> bool:
        async with file_db.transaction() as tx:
            return await tx.quotes.consume(quote.id, utc_now())

    results = await asyncio.gather(*(confirm() for _ in range(50)))

    assert results.count(True) == 1
    async with file_db.read() as r:
        stored = await r.quotes.get(quote.id)
    assert stored is not None
    assert stored.consumed_at is not None


async def test_expired_quote_cannot_be_consumed(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx)
        await add_service(tx)
        quote = await add_quote(tx, expires_in=timedelta(seconds=30))
        assert await tx.quotes.consume(quote.id, utc_now() + timedelta(minutes=1)) is False
        assert await tx.quotes.consume("no-such-quote", utc_now()) is False


async def test_purge_removes_only_unused_expired_quotes(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        expired = await add_quote(tx, expires_in=timedelta(seconds=-5))
        fresh = await add_quote(tx)
        purged_now = await tx.quotes.purge_expired(utc_now())
        assert await tx.quotes.get(expired.id) is None
        assert await tx.quotes.get(fresh.id) is not None

        # An hour later every quote has expired, but an ordered one is kept for its order.
        purged_later = await tx.quotes.purge_expired(utc_now() + timedelta(hours=1))
        assert await tx.quotes.get(fresh.id) is None
        assert await tx.quotes.get(order.quote_id) is not None
    assert (purged_now, purged_later) == (1, 1)


async def test_purge_removes_dropped_quotes_but_keeps_ordered_ones(db: Database) -> None:
    """A quote the customer dropped was consumed without an order: nothing refers to it once
    it has expired. A quote that became an order stays, whatever its age."""
    async with db.transaction() as tx:
        order = await add_order(tx)
        await tx.quotes.consume(order.quote_id, utc_now())
        dropped = await add_quote(tx, expires_in=timedelta(seconds=-5))
        assert await tx.quotes.consume(dropped.id, utc_now() - timedelta(seconds=10))
        purged = await tx.quotes.purge_expired(utc_now() + timedelta(days=365))
        assert await tx.quotes.get(dropped.id) is None
        assert await tx.quotes.get(order.quote_id) is not None
    assert purged == 1


async def test_purge_takes_at_most_its_limit_of_quotes(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx)
        await add_service(tx)
        for _ in range(5):
            await add_quote(tx, expires_in=timedelta(seconds=-5))
        first = await tx.quotes.purge_expired(utc_now(), limit=3)
        second = await tx.quotes.purge_expired(utc_now(), limit=3)
    assert (first, second) == (3, 2)
