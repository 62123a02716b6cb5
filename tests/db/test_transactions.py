"""The unit of work: commit, rollback, read-only reads, and many writers at once."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal
from pathlib import Path

import pytest

from shop.storage import (
    ClosedError,
    ConstraintError,
    Database,
    LedgerReason,
    NestedTransactionError,
    ReadOnlyError,
)

from .factories import add_quote, add_service, add_user


async def test_transaction_commits_on_normal_exit(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
    async with db.read() as r:
        assert await r.users.get(1) is not None


async def test_transaction_rolls_back_on_exception_and_reraises_it(db: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as tx:
            await add_user(tx, 1)
            raise RuntimeError("boom")
    async with db.read() as r:
        assert await r.users.get(1) is None


async def test_a_cancelled_transaction_rolls_back_and_frees_the_writer(db: Database) -> None:
    inside = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as tx:
            await add_user(tx, 1)
            inside.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(slow_writer())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async with db.transaction() as tx:
        await add_user(tx, 2)
    async with db.read() as r:
        assert await r.users.get(1) is None
        assert await r.users.get(2) is not None


async def test_broken_constraint_rolls_back_the_whole_transaction(db: Database) -> None:
    with pytest.raises(ConstraintError):
        async with db.transaction() as tx:
            await add_user(tx, 1)
            # A quote for a service that does not exist breaks a foreign key.
            await add_quote(tx, user_id=1, service_id=999)
    async with db.read() as r:
        assert await r.users.count() == 0


async def test_a_failed_savepoint_undoes_only_its_own_writes(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
        for user_id in (2, 3, 4):
            with contextlib.suppress(RuntimeError, ConstraintError):
                async with tx.savepoint():
                    await add_user(tx, user_id)
                    if user_id == 3:
                        raise RuntimeError("this one cannot be stored")
                    if user_id == 4:
                        await add_quote(tx, user_id=4, service_id=999)
        async with tx.savepoint(), tx.savepoint():
            await add_user(tx, 5)
    async with db.read() as r:
        assert [user_id for user_id in range(1, 6) if await r.users.get(user_id)] == [1, 2, 5]


async def test_repositories_refuse_use_after_their_transaction_ended(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
    with pytest.raises(ClosedError):
        await tx.users.get(1)


async def test_read_block_refuses_writes(db: Database) -> None:
    async with db.read() as r:
        with pytest.raises(ReadOnlyError):
            await r.meta.set("name", "value")


@pytest.mark.parametrize("kind", ["memory", "file"])
async def test_nested_blocks_in_one_task_raise_instead_of_deadlocking(
    kind: str, db_path: Path
) -> None:
    async with (
        await Database.open(":memory:" if kind == "memory" else db_path) as database,
        database.transaction(),
    ):
        with pytest.raises(NestedTransactionError):
            async with database.transaction():
                pass
        with pytest.raises(NestedTransactionError):
            async with database.read():
                pass


async def test_a_transaction_may_start_inside_a_read_block(db: Database) -> None:
    async with db.read() as r:
        assert await r.users.get(1) is None
        async with db.transaction() as tx:
            await add_user(tx, 1)
        assert await r.users.get(1) is not None


async def test_reader_sees_committed_data_only(file_db: Database) -> None:
    async def read_user() -> bool:
        async with file_db.read() as r:
            return await r.users.get(1) is not None

    async with file_db.transaction() as tx:
        await add_user(tx, 1)
        # Another task reads while the write is open, through the reader connection.
        seen_before_commit = await asyncio.create_task(read_user())
    assert seen_before_commit is False
    assert await read_user() is True


async def test_in_memory_reads_wait_for_the_open_transaction(db: Database) -> None:
    async def read_user() -> bool:
        async with db.read() as r:
            return await r.users.get(1) is not None

    async with db.transaction() as tx:
        await add_user(tx, 1)
        reader = asyncio.create_task(read_user())
        await asyncio.sleep(0.05)
        assert not reader.done()
    assert await reader is True


async def test_closed_database_refuses_new_blocks(db_path: Path) -> None:
    database = await Database.open(db_path)
    await database.close()
    with pytest.raises(ClosedError):
        async with database.transaction():
            pass
    with pytest.raises(ClosedError):
        async with database.read():
            pass


async def test_300_concurrent_transactions_lose_no_write(file_db: Database) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx, 1)
        await tx.meta.set("counter", "0")

    async def top_up(n: int) -> None:
        async with file_db.transaction() as tx:
            await tx.ledger.append(1, Decimal("0.01"), LedgerReason.TOPUP, f"topup:{n}")
            # A read-modify-write: any interleaving of two transactions would lose a count.
            counter = int(await tx.meta.get("counter") or "0")
            await asyncio.sleep(0)
            await tx.meta.set("counter", str(counter + 1))

    async def read_balance() -> Decimal:
        async with file_db.read() as r:
            return await r.ledger.balance(1)

    results = await asyncio.gather(
        *(top_up(n) for n in range(300)), *(read_balance() for _ in range(100))
    )

    assert all(isinstance(b, Decimal) for b in results[300:])
    async with file_db.read() as r:
        assert await r.ledger.balance(1) == Decimal("3.00")
        assert len(await r.ledger.history(1, limit=1000)) == 300
        assert await r.meta.get("counter") == "300"


async def test_two_processes_writing_one_file_never_see_a_locked_database(
    db_path: Path,
) -> None:
    async with await Database.open(db_path) as setup, setup.transaction() as tx:
        await add_user(tx, 1)
        await add_service(tx)

    async def top_ups(database: Database, prefix: str) -> None:
        async def one(n: int) -> None:
            async with database.transaction() as tx:
                await tx.ledger.append(1, Decimal(1), LedgerReason.TOPUP, f"{prefix}:{n}")

        await asyncio.gather(*(one(n) for n in range(100)))

    # Two Database objects stand for two processes: only SQLite's own locking and the
    # busy timeout keep them apart.
    async with await Database.open(db_path) as first, await Database.open(db_path) as second:
        await asyncio.gather(top_ups(first, "a"), top_ups(second, "b"))
        async with first.read() as r:
            assert await r.ledger.balance(1) == Decimal(200)


async def test_meta_values_are_replaced_and_deleted(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.meta.set("last_sync_at", "one")
        await tx.meta.set("last_sync_at", "two")
    async with db.read() as r:
        assert await r.meta.get("last_sync_at") == "two"
    async with db.transaction() as tx:
        assert await tx.meta.delete("last_sync_at") is True
        assert await tx.meta.get("last_sync_at") is None


async def test_an_autocommit_statement_is_seen_at_once_and_an_error_undoes_only_itself(
    file_db: Database,
) -> None:
    async def read_user(user_id: int) -> bool:
        async with file_db.read() as r:
            return await r.users.get(user_id) is not None

    with pytest.raises(RuntimeError, match="boom"):
        async with file_db.autocommit() as w:
            await add_user(w, 1)
            # Committed already: another task, through the reader connection, sees it.
            assert await asyncio.create_task(read_user(1)) is True
            raise RuntimeError("boom")
    assert await read_user(1) is True
    async with file_db.autocommit() as w:
        await add_user(w, 2)
    assert await read_user(2) is True


async def test_autocommit_takes_its_turn_with_transactions(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1)
        writer = asyncio.create_task(_add_user_by_autocommit(db, 2))
        await asyncio.sleep(0.05)
        assert not writer.done()
    await writer
    async with db.read() as r:
        assert await r.users.get(2) is not None


async def _add_user_by_autocommit(db: Database, user_id: int) -> None:
    async with db.autocommit() as w:
        await add_user(w, user_id)
