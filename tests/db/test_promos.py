"""The storage of promo codes: the migration that adds it, and the rules the schema itself
holds whatever the code above it does (the uses limit, one use per customer, one waiting
bonus per customer, codes in upper case)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from shop.storage import (
    MIGRATIONS,
    ConstraintError,
    Database,
    LedgerReason,
    NewPromoCode,
    PromoKind,
    utc_now,
)
from shop.storage.migrations import PROMO_CODES_VERSION

from .factories import add_user

NOW = utc_now()


def _code(
    code: str,
    kind: PromoKind = PromoKind.AMOUNT,
    *,
    value: Decimal | None = None,
    max_uses: int | None = None,
) -> NewPromoCode:
    default = Decimal("2.5") if kind is PromoKind.AMOUNT else Decimal("12.5")
    return NewPromoCode(code, kind, value or default, max_uses, expires_at=None, created_by=1)


async def test_the_promo_migration_keeps_what_was_there_and_adds_its_tables(
    db_path: Path,
) -> None:
    before = [m for m in MIGRATIONS if m.version < PROMO_CODES_VERSION]
    async with await Database.open(db_path, migrations=before) as old, old.transaction() as tx:
        await add_user(tx, 7, "alice")
        await tx.ledger.append(7, Decimal(5), LedgerReason.TOPUP, "topup:1")

    async with await Database.open(db_path) as upgraded:
        async with upgraded.transaction() as tx:
            made = await tx.promos.create(_code("SPRING", max_uses=3), NOW)
            await tx.promos.add_redemption("SPRING", 7, None, NOW)
        async with upgraded.read() as r:
            assert await r.ledger.balance(7) == Decimal(5)
            assert await r.promos.redemption("SPRING", 7) is not None

    assert made is not None
    assert (made.code, made.kind, made.value, made.max_uses, made.uses) == (
        "SPRING",
        PromoKind.AMOUNT,
        Decimal("2.5"),
        3,
        0,
    )
    with sqlite3.connect(db_path) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"promo_codes", "promo_redemptions", "promo_wrong_attempts"} <= tables


async def test_values_come_back_as_they_were_given(db: Database) -> None:
    async with db.transaction() as tx:
        voucher = await tx.promos.create(_code("CASH", value=Decimal("0.01")), NOW)
        percent = await tx.promos.create(_code("PCT", PromoKind.PERCENT, value=Decimal(100)), NOW)
        odd = await tx.promos.create(_code("ODD", PromoKind.PERCENT, value=Decimal("7.25")), NOW)
    assert voucher is not None
    assert percent is not None
    assert odd is not None
    assert [str(row.value) for row in (voucher, percent, odd)] == ["0.01", "100", "7.25"]


async def test_a_code_is_created_once_in_upper_case(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.promos.create(_code("ONE"), NOW) is not None
        assert await tx.promos.create(_code("ONE", PromoKind.PERCENT), NOW) is None
        with pytest.raises(ConstraintError):
            await tx.promos.create(_code("lower"), NOW)


async def test_no_use_is_taken_past_the_limit(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.promos.create(_code("TWO", max_uses=2), NOW)
        assert [await tx.promos.take_use("TWO") for _ in range(3)] == [True, True, False]
    async with db.read() as r:
        code = await r.promos.get("TWO")
    assert code is not None
    assert code.uses == 2


async def test_the_schema_refuses_a_use_past_the_limit_written_by_any_code(
    db_path: Path,
) -> None:
    async with await Database.open(db_path) as database, database.transaction() as tx:
        await tx.promos.create(_code("ONLY", max_uses=1), NOW)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE promo_codes SET uses = 1 WHERE code = 'ONLY'")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute("UPDATE promo_codes SET uses = 2 WHERE code = 'ONLY'")


async def test_a_customer_redeems_a_code_once_and_holds_one_waiting_bonus(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 7, "alice")
        for name in ("A", "B"):
            await tx.promos.create(_code(f"PCT-{name}", PromoKind.PERCENT), NOW)
    async with db.transaction() as tx:
        first = await tx.promos.add_redemption("PCT-A", 7, Decimal("12.5"), NOW)
    with pytest.raises(ConstraintError):
        async with db.transaction() as tx:
            await tx.promos.add_redemption("PCT-A", 7, None, NOW)
    with pytest.raises(ConstraintError):
        async with db.transaction() as tx:
            await tx.promos.add_redemption("PCT-B", 7, Decimal("12.5"), NOW)

    async with db.transaction() as tx:
        assert await tx.promos.mark_applied(first.id, "topup:stars:1", NOW)
        assert not await tx.promos.mark_applied(first.id, "topup:stars:2", NOW)
        # Once the first bonus went to a top-up, another may wait.
        await tx.promos.add_redemption("PCT-B", 7, Decimal(5), NOW)
        pending = await tx.promos.pending_bonus(7)
        applied = await tx.promos.applied_to("topup:stars:1")
    assert pending is not None
    assert (pending.code, pending.bonus_percent) == ("PCT-B", Decimal(5))
    assert applied is not None
    assert applied.id == first.id


async def test_wrong_attempts_are_counted_in_their_window_and_forgotten_after(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        for minutes in (30, 9, 1):
            await tx.promos.record_wrong_attempt(7, NOW - timedelta(minutes=minutes))
        await tx.promos.record_wrong_attempt(8, NOW)
    async with db.transaction() as tx:
        recent = await tx.promos.wrong_attempts_since(7, NOW - timedelta(minutes=10))
        forgotten = await tx.promos.forget_wrong_attempts(7, NOW - timedelta(minutes=10))
    assert recent == [NOW - timedelta(minutes=9), NOW - timedelta(minutes=1)]
    assert forgotten == 1
