"""The ledger: exact, idempotent, append-only."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.storage import Database, LedgerReason, from_micros, to_micros

from .factories import add_order, add_user


async def test_same_key_twice_writes_one_row(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
        first = await tx.ledger.append(1, Decimal("5"), LedgerReason.TOPUP, "topup:abc")
        second = await tx.ledger.append(1, Decimal("5"), LedgerReason.TOPUP, "topup:abc")
    assert first is not None
    assert first.amount == Decimal(5)
    assert second is None
    async with db.read() as r:
        assert await r.ledger.balance(1) == Decimal(5)
        assert await r.ledger.has_key("topup:abc")
        assert not await r.ledger.has_key("topup:other")
        assert await r.ledger.get_by_key("topup:abc") == first


async def test_balance_is_the_exact_decimal_sum(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
        await tx.ledger.append(1, Decimal("0.1"), LedgerReason.TOPUP, "t:1")
        await tx.ledger.append(1, Decimal("0.2"), LedgerReason.TOPUP, "t:2")
    async with db.read() as r:
        balance = await r.ledger.balance(1)
    assert isinstance(balance, Decimal)
    assert balance == Decimal("0.3")
    assert str(balance) == "0.3"


async def test_balance_of_a_user_without_entries_is_zero(db: Database) -> None:
    async with db.read() as r:
        assert await r.ledger.balance(42) == Decimal(0)


async def test_amount_with_more_than_six_decimals_is_refused(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
        with pytest.raises(ValueError, match="more than 6 decimals"):
            await tx.ledger.append(1, Decimal("0.0000001"), LedgerReason.TOPUP, "t:1")


async def test_zero_amount_is_refused(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
        with pytest.raises(ValueError, match="cannot be zero"):
            await tx.ledger.append(1, Decimal("0.000"), LedgerReason.TOPUP, "t:1")


async def test_ledger_rows_cannot_be_updated_or_deleted(file_db: Database, db_path: Path) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx, 1)
        await tx.ledger.append(1, Decimal(5), LedgerReason.TOPUP, "t:1")

    with sqlite3.connect(db_path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE ledger SET amount = 999")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM ledger")

    async with file_db.read() as r:
        assert await r.ledger.balance(1) == Decimal(5)


async def test_history_rows_for_order_and_totals(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx, user_id=1)
        await add_user(tx, 2)
        await tx.ledger.append(1, Decimal(10), LedgerReason.TOPUP, "t:1")
        await tx.ledger.append(
            1,
            -order.price,
            LedgerReason.ORDER_CHARGE,
            f"charge:order:{order.id}",
            order_id=order.id,
        )
        await tx.ledger.append(
            1,
            Decimal("0.75"),
            LedgerReason.REFUND,
            f"refund:order:{order.id}",
            order_id=order.id,
            note="partial",
        )
        await tx.ledger.append(2, Decimal(3), LedgerReason.ADMIN_ADJUSTMENT, "adj:1")

    async with db.read() as r:
        history = await r.ledger.history(1, limit=2)
        for_order = await r.ledger.rows_for_order(order.id)
        totals = await r.ledger.totals_by_user()

    assert [row.reason for row in history] == [LedgerReason.REFUND, LedgerReason.ORDER_CHARGE]
    assert history[0].note == "partial"
    assert [row.amount for row in for_order] == [Decimal("-1.5"), Decimal("0.75")]
    assert totals == {1: Decimal("9.25"), 2: Decimal(3)}


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False)
)
def test_micros_round_trip_exactly(amount: Decimal) -> None:
    assert from_micros(to_micros(amount)) == amount


def test_micros_refuse_floats_and_infinities() -> None:
    with pytest.raises(TypeError):
        to_micros(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        to_micros(Decimal("Infinity"))
    with pytest.raises(ValueError, match="out of range"):
        to_micros(Decimal("1e13"))


def test_from_micros_reads_naturally() -> None:
    assert str(from_micros(100_000_000)) == "100"
    assert str(from_micros(1_250_000)) == "1.25"
    assert str(from_micros(-1)) == "-0.000001"
