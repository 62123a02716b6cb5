"""A SQLite connection for the event loop: each statement runs at once, in the loop's thread.

The shop's statements are small (a row by its key, a page of a hundred, an index scan),
taking a few microseconds each in SQLite. Run on a worker thread (as :mod:`aiosqlite`
does), each one also paid a hand-over to that thread and back, about a hundred
microseconds, fifty times the statement itself, and under load more, since the two
threads then wait for each other's turn at the interpreter. So statements run inline.

What could make an inline statement wait is a lock held by another process: SQLite's own
busy handler would then sleep inside the event loop. It is off (``busy_timeout = 0``);
a statement that finds the database locked outside a transaction (``BEGIN IMMEDIATE``
among them) is tried again after an asynchronous sleep, for up to :data:`BUSY_SECONDS`,
so the loop goes on serving while another process writes. Inside a transaction the shop
holds the write lock already, and WAL readers never wait for the writer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

T = TypeVar("T")

#: How long a statement waits for another process's lock before it fails "locked".
BUSY_SECONDS: Final = 5.0
_FIRST_WAIT: Final = 0.001
_LONGEST_WAIT: Final = 0.05


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == sqlite3.SQLITE_BUSY)
    return "database is locked" in str(exc)


class Connection:
    """One ``sqlite3`` connection in autocommit mode (the caller issues ``BEGIN`` and
    ``COMMIT``), its rows as :class:`sqlite3.Row`."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    @classmethod
    def open(cls, target: str) -> Connection:
        """Open ``target`` (a path, or ``":memory:"``)."""
        # isolation_level=None: the sqlite3 module issues no BEGIN/COMMIT of its own.
        raw = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        raw.row_factory = sqlite3.Row
        raw.execute("PRAGMA busy_timeout = 0")
        return cls(raw)

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open on this connection."""
        return self._raw.in_transaction

    async def _run(self, call: Callable[[], T]) -> T:
        waited = 0.0
        wait = _FIRST_WAIT
        while True:
            try:
                return call()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or self._raw.in_transaction or waited >= BUSY_SECONDS:
                    raise
            await asyncio.sleep(wait)
            waited += wait
            wait = min(wait * 2, _LONGEST_WAIT)

    async def execute(self, sql: str, params: Any = ()) -> int:
        """Run one statement; the number of rows it changed."""

        def run() -> int:
            cursor = self._raw.execute(sql, params)
            try:
                return cursor.rowcount
            finally:
                cursor.close()

        return await self._run(run)

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run one statement; all the rows it returned."""
        return await self._run(lambda: self._raw.execute(sql, params).fetchall())

    async def executemany(self, sql: str, rows: Iterable[Any]) -> int:
        """Run one statement for each parameter set; the rows changed in all."""
        # The rows may be a generator: taken once, so a retry after "locked" has them all.
        taken = list(rows)

        def run() -> int:
            cursor = self._raw.executemany(sql, taken)
            try:
                return cursor.rowcount
            finally:
                cursor.close()

        return await self._run(run)

    def create_function(
        self, name: str, arguments: int, function: Callable[..., Any], *, deterministic: bool
    ) -> None:
        """Make ``function`` callable from SQL as ``name``."""
        self._raw.create_function(name, arguments, function, deterministic=deterministic)

    async def close(self) -> None:
        """Close the connection."""
        self._raw.close()
