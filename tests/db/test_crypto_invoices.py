"""The store of Crypto Pay invoices: its migration, and the marks that make a payment count
once."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from shop.storage import (
    CRYPTO_INVOICES_VERSION,
    MIGRATIONS,
    ConstraintError,
    CryptoInvoiceStatus,
    Database,
    utc_now,
)

from .factories import add_user

HOUR = timedelta(hours=1)


async def test_the_migration_adds_the_table_to_a_database_of_the_version_before(
    db_path: Path,
) -> None:
    before = [m for m in MIGRATIONS if m.version < CRYPTO_INVOICES_VERSION]
    async with await Database.open(db_path, migrations=before):
        pass
    with sqlite3.connect(db_path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "crypto_invoices" not in tables
    async with await Database.open(db_path) as db, db.transaction() as tx:
        await add_user(tx)
        row = await tx.crypto_invoices.create(1, Decimal("12.5"), "USD", HOUR)
    assert (row.status, row.amount, row.invoice_id) == (
        CryptoInvoiceStatus.CREATING,
        Decimal("12.5"),
        None,
    )


async def test_an_invoice_is_paid_once_and_its_ids_are_unique(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx)
        first = await tx.crypto_invoices.create(1, Decimal(10), "USD", HOUR)
        second = await tx.crypto_invoices.create(1, Decimal(10), "USD", HOUR)
        assert first.key != second.key
        assert await tx.crypto_invoices.attach(first.id, 77, "https://pay.example/77")
        # Another id for the same invoice is refused; the same one again changes nothing.
        assert not await tx.crypto_invoices.attach(first.id, 78, "https://pay.example/78")
        assert await tx.crypto_invoices.attach(first.id, 77, "https://pay.example/77")
        assert await tx.crypto_invoices.any_open()
        paid = ("TON", "2.50000000", utc_now())
        assert await tx.crypto_invoices.mark_paid(first.id, 77, paid)
        assert not await tx.crypto_invoices.mark_paid(first.id, 77, paid)
        assert not await tx.crypto_invoices.mark(first.id, CryptoInvoiceStatus.EXPIRED)
        stored = await tx.crypto_invoices.get_by_invoice_id(77)
        assert stored is not None
        assert (stored.status, stored.paid_asset, stored.paid_amount) == (
            CryptoInvoiceStatus.PAID,
            "TON",
            "2.50000000",
        )
        assert [row.id for row in await tx.crypto_invoices.creating(utc_now())] == [second.id]
    with pytest.raises(ConstraintError):
        async with db.transaction() as tx:
            await tx.crypto_invoices.attach(second.id, 77, "https://pay.example/77")
