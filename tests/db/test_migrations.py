"""Migrations: a new database gets the whole schema, an old one is upgraded in place."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from shop.storage import (
    LATEST_VERSION,
    MIGRATIONS,
    Database,
    DatabaseError,
    LedgerReason,
    SchemaTooNew,
    utc_now,
)
from shop.storage.times import to_db_time

from .factories import add_user


def recorded_versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]


def index_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {row[0] for row in rows}


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[-1].version == LATEST_VERSION


async def test_empty_database_is_migrated_to_the_latest_version(db_path: Path) -> None:
    async with await Database.open(db_path):
        pass
    assert recorded_versions(db_path) == [m.version for m in MIGRATIONS]
    with sqlite3.connect(db_path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {
        "users",
        "services",
        "quotes",
        "orders",
        "order_transitions",
        "refills",
        "ledger",
        "outbox",
        "fsm",
        "meta",
    } <= tables


async def test_open_creates_the_missing_folder_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "bot.sqlite3"
    async with await Database.open(path):
        pass
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_database_at_version_one_is_upgraded_with_its_data_kept(db_path: Path) -> None:
    async with (
        await Database.open(db_path, migrations=MIGRATIONS[:1]) as old,
        old.transaction() as tx,
    ):
        await add_user(tx, 7, "alice")
        await tx.ledger.append(7, Decimal("12.5"), LedgerReason.TOPUP, "topup:1")
    assert recorded_versions(db_path) == [1]
    assert "orders_by_user_newest" not in index_names(db_path)

    async with await Database.open(db_path) as upgraded, upgraded.read() as r:
        user = await r.users.get(7)
        balance = await r.ledger.balance(7)

    assert recorded_versions(db_path) == [m.version for m in MIGRATIONS]
    assert {"orders_by_user_newest", "outbox_due", "cancel_requests_by_order"} <= index_names(
        db_path
    )
    assert user is not None
    assert user.username == "alice"
    assert balance == Decimal("12.5")


async def test_reopening_an_up_to_date_database_applies_nothing(db_path: Path) -> None:
    async with await Database.open(db_path):
        pass
    with sqlite3.connect(db_path) as conn:
        first = conn.execute("SELECT * FROM schema_migrations ORDER BY version").fetchall()
    async with await Database.open(db_path):
        pass
    with sqlite3.connect(db_path) as conn:
        again = conn.execute("SELECT * FROM schema_migrations ORDER BY version").fetchall()
    assert again == first


async def test_database_from_a_newer_bot_is_refused_with_a_clear_message(
    db_path: Path,
) -> None:
    async with await Database.open(db_path):
        pass
    newer = LATEST_VERSION + 3
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?, '2099-01-01')",
            (newer,),
        )

    with pytest.raises(SchemaTooNew) as caught:
        await Database.open(db_path)

    assert str(caught.value) == (
        f"the database at {db_path} was written by a newer version of the bot "
        f"(schema {newer}, this version knows up to {LATEST_VERSION}); upgrade the bot"
    )


async def test_code_that_knows_fewer_migrations_refuses_an_upgraded_database(
    db_path: Path,
) -> None:
    async with await Database.open(db_path):
        pass
    with pytest.raises(SchemaTooNew, match="this version knows up to 1"):
        await Database.open(db_path, migrations=MIGRATIONS[:1])


def test_a_trigger_body_stays_one_statement() -> None:
    statements = list(MIGRATIONS[0].statements())
    triggers = [s for s in statements if "CREATE TRIGGER" in s]
    assert len(triggers) == 2
    assert all(s.endswith("END;") for s in triggers)


async def test_a_file_that_is_not_a_database_gives_one_clear_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    with pytest.raises(DatabaseError, match=f"cannot open the database at {db_path}"):
        await Database.open(db_path)


def trigger_names(path: Path) -> set[str]:
    """The ledger's triggers."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger'"
        )
        return {row[0] for row in rows}


async def test_version_seven_widens_the_ledger_keeping_rows_ids_indexes_and_triggers(
    db_path: Path,
) -> None:
    before = [m for m in MIGRATIONS if m.version < 7]
    created = utc_now() - timedelta(days=7)
    async with await Database.open(db_path, migrations=before) as old, old.transaction() as tx:
        await add_user(tx, 7, "alice")
        await tx.ledger.append(7, Decimal("12.5"), LedgerReason.TOPUP, "topup:1")
        await tx.ledger.append(7, Decimal(-2), LedgerReason.ORDER_CHARGE, "charge:1")
    with sqlite3.connect(db_path) as conn:
        # An invoice as version 4 stored it, a week old.
        conn.execute(
            "INSERT INTO star_invoices (id, user_id, stars, amount, created_at)"
            " VALUES ('old', 7, 770, 10010000, ?)",
            (to_db_time(created),),
        )
    ledger_indexes = {"ledger_by_user", "ledger_by_order", "ledger_by_reason_time"}
    assert ledger_indexes <= index_names(db_path)
    assert trigger_names(db_path) == {"ledger_rows_are_not_updated", "ledger_rows_are_not_deleted"}

    async with await Database.open(db_path) as upgraded:
        async with upgraded.read() as r:
            rows = await r.ledger.history(7)
            invoice = await r.invoices.get("old")
        async with upgraded.transaction() as tx:
            reversal = await tx.ledger.append(
                7, Decimal(-1), LedgerReason.REFERRAL_REVERSAL, "referral-reversal:1"
            )

    assert [(row.id, row.key, row.amount) for row in rows] == [
        (2, "charge:1", Decimal(-2)),
        (1, "topup:1", Decimal("12.5")),
    ]
    assert reversal is not None
    assert reversal.id == 3
    assert invoice is not None
    assert invoice.expires_at == created + timedelta(hours=1)
    assert ledger_indexes <= index_names(db_path)
    assert trigger_names(db_path) == {"ledger_rows_are_not_updated", "ledger_rows_are_not_deleted"}
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")  # as the shop opens it
        assert conn.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ledger_new'"
        ).fetchone() == (0,)
        for statement in ("UPDATE ledger SET amount = 1", "DELETE FROM ledger"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement)
        # Refused by the CHECK of version 7, by the table of reasons since version 8.
        with pytest.raises(sqlite3.IntegrityError, match="CHECK|FOREIGN KEY"):
            conn.execute(
                "INSERT INTO ledger (user_id, amount, reason, key, created_at)"
                " VALUES (7, 1, 'gift', 'gift:1', '2025-01-01')"
            )


async def test_version_eight_keeps_the_ledger_and_takes_exactly_the_shops_reasons(
    db_path: Path,
) -> None:
    before = [m for m in MIGRATIONS if m.version < 8]
    async with await Database.open(db_path, migrations=before) as old, old.transaction() as tx:
        await add_user(tx, 7, "alice")
        await tx.ledger.append(7, Decimal("12.5"), LedgerReason.TOPUP, "topup:1")
        await tx.ledger.append(7, Decimal(-2), LedgerReason.ORDER_CHARGE, "charge:1")

    async with await Database.open(db_path) as upgraded:
        async with upgraded.transaction() as tx:
            written = [
                await tx.ledger.append(7, Decimal(1), reason, f"{reason.value}:new")
                for reason in (
                    LedgerReason.CRYPTO_TOPUP,
                    LedgerReason.MANUAL_TOPUP,
                    LedgerReason.PROMO_VOUCHER,
                    LedgerReason.PROMO_BONUS,
                )
            ]
        async with upgraded.read() as r:
            rows = await r.ledger.history(7)

    assert [row.id for row in written if row is not None] == [3, 4, 5, 6]
    assert [(row.id, row.key) for row in rows][-2:] == [(2, "charge:1"), (1, "topup:1")]
    assert trigger_names(db_path) == {"ledger_rows_are_not_updated", "ledger_rows_are_not_deleted"}
    with sqlite3.connect(db_path) as conn:
        stored = {name for (name,) in conn.execute("SELECT name FROM ledger_reasons")}
        conn.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute(
                "INSERT INTO ledger (user_id, amount, reason, key, created_at)"
                " VALUES (7, 1, 'gift', 'gift:1', '2025-01-01')"
            )
    # Every reason the code writes is one the database takes, and no other.
    assert stored == {reason.value for reason in LedgerReason}


async def test_every_change_to_the_services_moves_the_catalogue_generation(
    db_path: Path,
) -> None:
    async with await Database.open(db_path) as db, db.read() as r:
        start = await r.services.generation()
    # Written as any other process or tool would, not through the shop's repositories.
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO services (id, name, category, type, rate, min, max, synced_at)"
            " VALUES (1, 'Likes', 'Instagram', 'Default', 1000, 10, 100, '2026-01-01')"
        )
        conn.execute("UPDATE services SET enabled = 0 WHERE id = 1")
        conn.execute("DELETE FROM services WHERE id = 1")
        conn.commit()
    async with await Database.open(db_path) as db, db.read() as r:
        assert await r.services.generation() == start + 3
