"""The shop's SQLite database: one writer behind a lock, one reader, and migrations.

Writes are serialised in the process by an :class:`asyncio.Lock` and, against other
processes, by ``BEGIN IMMEDIATE``, tried again while another process holds the lock (see
:mod:`shop.storage.connection`: statements run in the loop's thread), so many concurrent
transactions neither lose a write nor fail with "database is locked". In WAL mode the
separate reader connection sees committed data while a write is open. An in-memory database
(tests) has one connection for both; its reads then wait for the writer's lock, statement by
statement, so they too see committed data only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from shop.storage.connection import Connection
from shop.storage.errors import ClosedError, DatabaseError, NestedTransactionError
from shop.storage.kept_rows import KeptRows
from shop.storage.migrations import MIGRATIONS, Migration, migrate
from shop.storage.repositories import Repositories, ServiceRow, UserRow
from shop.storage.session import Session

logger = logging.getLogger(__name__)

MEMORY: Final = ":memory:"
#: Each connection's page cache, in KiB (SQLite's default: 2,000). Pages missing from it
#: come from the operating system's file cache in microseconds, and every commit of the
#: writer empties the reader's anyway.
CACHE_KIB: Final = 512


def _casefold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


async def _connect(target: str, *, read_only: bool) -> Connection:
    conn = Connection.open(target)
    try:
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if target != MEMORY:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
        if read_only:
            await conn.execute("PRAGMA query_only = ON")
        # SQLite's own lower()/LIKE fold ASCII only; catalogue search needs Cyrillic too.
        conn.create_function("casefold", 1, _casefold, deterministic=True)
    except BaseException:
        await conn.close()
        raise
    return conn


class Database:
    """The shop's database. Open with :meth:`open`; use as ``async with`` to close it.

    ``async with db.transaction() as tx`` writes; ``async with db.read() as r`` reads.
    """

    def __init__(self, location: str, writer: Connection, reader: Connection) -> None:
        self._location = location
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        # The task holding the write lock: waiting for the lock again from that task would
        # deadlock, so that mistake raises NestedTransactionError instead.
        self._writer_task: asyncio.Task[object] | None = None
        self._closed = False
        #: The latest customers and services read (see :mod:`shop.storage.kept_rows`).
        self.kept_users: KeptRows[UserRow] = KeptRows()
        self.kept_services: KeptRows[ServiceRow] = KeptRows()

    @classmethod
    async def open(
        cls, path: str | Path, *, migrations: Sequence[Migration] = MIGRATIONS
    ) -> Database:
        """Open (creating it and its folder if missing) and migrate the database at ``path``.

        ``":memory:"`` gives a private in-memory database. ``migrations`` are the ones to
        apply (tests pass a prefix to build an older database). Raises
        :class:`~shop.storage.errors.SchemaTooNew` for a database written by a newer bot.
        """
        target = str(path)
        try:
            if target != MEMORY:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            writer = await _connect(target, read_only=False)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(f"cannot open the database at {target}: {exc}") from exc
        try:
            applied = await migrate(writer, target, migrations)
            reader = writer if target == MEMORY else await _connect(target, read_only=True)
        except sqlite3.Error as exc:
            await writer.close()
            raise DatabaseError(f"cannot open the database at {target}: {exc}") from exc
        except BaseException:
            await writer.close()
            raise
        if applied:
            logger.info("database %s migrated to schema %d", target, applied[-1])
        return cls(target, writer, reader)

    @property
    def location(self) -> str:
        """The path the database was opened with (or ``":memory:"``)."""
        return self._location

    async def close(self) -> None:
        """Wait for the running transaction, then close both connections."""
        if self._closed:
            return
        self._check_usable("db.close()")
        async with self._write_lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(sqlite3.Error):
                # Keeps the query planner's statistics fresh; cheap, and best done at close.
                await self._writer.execute("PRAGMA optimize")
            if self._reader is not self._writer:
                await self._reader.close()
            await self._writer.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def _check_usable(self, what: str) -> None:
        if self._closed:
            raise ClosedError(f"the database at {self._location} is closed")
        if self._writer_task is not None and self._writer_task is asyncio.current_task():
            raise NestedTransactionError(
                f"{what} inside a db.transaction() block of the same task; "
                "use the repositories of that transaction instead"
            )

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """A unit of work: ``BEGIN IMMEDIATE`` on entry, ``COMMIT`` on a normal exit,
        ``ROLLBACK`` on any exception (which is re-raised).

        Transactions run one at a time, in the order they asked; keep them short, and never
        wait on the network inside one. A task cancelled while committing may have committed.
        """
        self._check_usable("db.transaction()")
        async with self._writer_turn() as session:
            try:
                await self._control("BEGIN IMMEDIATE")
                yield Repositories(session, self.kept_users, self.kept_services)
                session.end()
                await self._control("COMMIT")
            except BaseException:
                session.end()
                await self._rollback()
                raise
        # Statements run in the loop's thread and do not wait: a task writing one
        # transaction after another lets the others have their turn in between.
        await asyncio.sleep(0)

    @contextlib.asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Repositories]:
        """Repositories whose every statement commits by itself, in its turn among the
        transactions: for a write of one statement, which is atomic as it is, it saves the
        ``BEGIN`` and ``COMMIT`` round trips to SQLite's thread, and so the time others
        wait. Where two writes must stand or fall together, use :meth:`transaction`.
        """
        self._check_usable("db.autocommit()")
        async with self._writer_turn() as session:
            yield Repositories(session, self.kept_users, self.kept_services)

    @contextlib.asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[Session]:
        """The writer connection for this task alone, in its turn; ended on leaving."""
        async with self._write_lock:
            if self._closed:
                raise ClosedError(f"the database at {self._location} is closed")
            self._writer_task = asyncio.current_task()
            session = Session(self._writer, writable=True)
            try:
                yield session
            finally:
                session.end()
                self._writer_task = None
                # After the COMMIT or ROLLBACK: what was read before a write is stale.
                self.kept_users.settle()
                self.kept_services.settle()

    def kept_user(self, user_id: int) -> UserRow | None:
        """The customer as last read outside a transaction, while no write to ``users`` has
        ended since; None when they must be read (see :mod:`shop.storage.kept_rows`)."""
        self._check_usable("db.kept_user()")
        return self.kept_users.get(user_id)

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[Repositories]:
        """Repositories for reading committed data; each statement sees the latest commit.

        Writing through them raises :class:`~shop.storage.errors.ReadOnlyError`.
        """
        self._check_usable("db.read()")
        if self._reader is self._writer:
            session = Session(self._writer, writable=False, gate=self._shared_connection_turn)
        else:
            session = Session(self._reader, writable=False)
        try:
            yield Repositories(session, self.kept_users, self.kept_services)
        finally:
            session.end()

    @contextlib.asynccontextmanager
    async def _shared_connection_turn(self) -> AsyncIterator[None]:
        self._check_usable("reading through db.read()")
        async with self._write_lock:
            yield

    async def _control(self, statement: str) -> None:
        try:
            await self._writer.execute(statement)
        except sqlite3.Error as exc:
            raise DatabaseError(f"{statement} failed: {exc}") from exc

    async def _rollback(self) -> None:
        # The connection runs statements in order, so this ROLLBACK comes after anything a
        # cancelled statement left queued. It fails harmlessly when no transaction is open
        # (BEGIN failed, or SQLite already rolled back).
        with contextlib.suppress(sqlite3.OperationalError):
            await self._writer.execute("ROLLBACK")
