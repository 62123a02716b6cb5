"""Stars invoices: kept once paid (a refund needs them); unpaid ones go when old."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from shop.storage import Database, utc_now

from .factories import add_user

#: The lifetime of the invoices made here.
HOUR = timedelta(hours=1)


async def test_purge_removes_old_unpaid_invoices_and_keeps_paid_ones(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx)
        unpaid = await tx.invoices.create(1, 770, Decimal(10), HOUR)
        paid = await tx.invoices.create(1, 770, Decimal(10), HOUR)
        refunded = await tx.invoices.create(1, 385, Decimal(5), HOUR)
        await tx.invoices.mark_paid(paid.id, "charge-paid")
        await tx.invoices.mark_paid(refunded.id, "charge-refunded")
        await tx.invoices.mark_refunded(refunded.id, "attempt-1")
        kept_now = await tx.invoices.purge_unpaid(utc_now() - timedelta(days=1))
        assert await tx.invoices.get(unpaid.id) is not None
        purged = await tx.invoices.purge_unpaid(utc_now() + timedelta(seconds=1))
        assert await tx.invoices.get(unpaid.id) is None
        assert await tx.invoices.get_by_charge("charge-paid") is not None
        assert await tx.invoices.get_by_charge("charge-refunded") is not None
    assert (kept_now, purged) == (0, 1)


async def test_purge_takes_at_most_its_limit_of_invoices(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx)
        for _ in range(3):
            await tx.invoices.create(1, 100, Decimal("1.30"), HOUR)
        later = utc_now() + timedelta(seconds=1)
        counts = [await tx.invoices.purge_unpaid(later, limit=2) for _ in range(3)]
    assert counts == [2, 1, 0]
