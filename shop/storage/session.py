"""The one door between repositories and a SQLite connection.

Repositories never touch the connection directly: a :class:`Session` binds every parameter,
refuses writes on a read-only session, refuses use after its block has ended, and turns
:mod:`sqlite3` errors into :mod:`shop.storage.errors`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeAlias

from shop.storage.connection import Connection
from shop.storage.errors import ClosedError, ConstraintError, DatabaseError, ReadOnlyError

SqlValue: TypeAlias = int | float | str | bytes | None
Params: TypeAlias = Sequence[SqlValue] | Mapping[str, SqlValue]
Row: TypeAlias = sqlite3.Row


@contextlib.contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise ConstraintError(str(exc)) from exc
    except sqlite3.Error as exc:
        raise DatabaseError(str(exc)) from exc


def json_list(values: Iterable[SqlValue]) -> str:
    """One bound parameter holding many values, for ``IN (SELECT value FROM json_each(?))``."""
    return json.dumps(list(values))


class Session:
    """A connection as the repositories of one transaction or read block see it.

    ``gate``, when given, is entered around every statement; a read session on a connection
    shared with the writer uses it to wait for the writer's lock, so it never sees a write
    that is not committed yet.
    """

    def __init__(
        self,
        conn: Connection,
        *,
        writable: bool,
        gate: Callable[[], AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        self._conn = conn
        self._writable = writable
        self._gate = gate
        self._ended = False
        self._savepoints = itertools.count(1)

    @property
    def writable(self) -> bool:
        """True for a transaction's session, False for a read block's."""
        return self._writable

    def end(self) -> None:
        """Refuse every further statement: the block this session belonged to is over."""
        self._ended = True

    def _check(self, *, write: bool) -> None:
        if self._ended:
            raise ClosedError(
                "this transaction or read block has ended; open a new one to use the database"
            )
        if write and not self._writable:
            raise ReadOnlyError("db.read() is for reading; write inside db.transaction()")

    async def _fetch(self, sql: str, params: Params) -> list[Row]:
        if self._gate is None:
            with _translated_errors():
                return list(await self._conn.execute_fetchall(sql, params))
        async with self._gate():
            with _translated_errors():
                return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows of a query."""
        self._check(write=False)
        return await self._fetch(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row of a query, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a write; the number of rows it changed."""
        self._check(write=True)
        with _translated_errors():
            return await self._conn.execute(sql, params)

    async def execute_returning(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a write with a ``RETURNING`` clause; the rows it returned."""
        self._check(write=True)
        return await self._fetch(sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one write for each parameter set; the total number of rows changed."""
        self._check(write=True)
        with _translated_errors():
            return await self._conn.executemany(sql, rows)

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the open transaction that an error undoes on its own: on an exception
        its writes are rolled back (the exception is re-raised) and the transaction goes on
        with everything written before it. Savepoints nest."""
        self._check(write=True)
        name = f"part_{next(self._savepoints)}"
        await self._control(f"SAVEPOINT {name}")
        try:
            yield
        except Exception:
            await self._control(f"ROLLBACK TO {name}")
            await self._control(f"RELEASE {name}")
            raise
        # A cancellation is not caught above: the transaction around it rolls back whole.
        await self._control(f"RELEASE {name}")

    async def _control(self, statement: str) -> None:
        self._check(write=True)
        with _translated_errors():
            await self._conn.execute(statement)
