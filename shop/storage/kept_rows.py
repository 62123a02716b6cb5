"""The latest rows read of the tables every update reads, kept in memory for reads outside a
transaction: customers (who they are, their language, a ban) and services (the one being
ordered, asked for at every step of the form).

Such rows almost never change. Reads through ``db.read()`` take them from here once read;
any write to their table, once its transaction is over (committed or rolled back), makes
every kept row of it stale, so the next read goes to the database again. A read that raced
a write (read before the commit, kept after it) is dropped the same way: a row is kept only
if no write ended between the moment its read began and the moment it is kept. Reads
inside a transaction always go to the database: they must see the transaction's own
writes.

The bot is the only writer of its database (as for the conversation state, see
``bot.fsm_storage``): a write by another process would not be seen here until this process
writes that table itself.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Final, Generic, Protocol, TypeVar

#: How many rows of a table (the most recently read) are kept.
KEPT: Final = 4096


class _Keyed(Protocol):
    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=_Keyed)


class KeptRows(Generic[RowT]):
    """Rows of one table by id, valid until a write to that table ends."""

    def __init__(self, size: int = KEPT) -> None:
        self._size = size
        self._rows: OrderedDict[int, RowT] = OrderedDict()
        self._written = False
        #: Advances each time a write to the table ends.
        self.generation = 0

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, row_id: int) -> RowT | None:
        """The kept row, or None when it must be read."""
        row = self._rows.get(row_id)
        if row is not None:
            self._rows.move_to_end(row_id)
        return row

    async def read_through(
        self, row_id: int, read: Callable[[], Awaitable[RowT | None]]
    ) -> RowT | None:
        """The kept row, else the one ``read`` reads (kept, unless a write ended while it
        was read)."""
        if (known := self.get(row_id)) is not None:
            return known
        read_at = self.generation
        row = await read()
        if row is not None:
            self.keep(row, read_at)
        return row

    def keep(self, row: RowT, read_at: int) -> None:
        """Keep ``row``, read from committed data when the generation was ``read_at``,
        unless a write has ended since."""
        if read_at != self.generation:
            return
        self._rows[row.id] = row
        self._rows.move_to_end(row.id)
        if len(self._rows) > self._size:
            self._rows.popitem(last=False)

    def written(self) -> None:
        """A write to the table was made in the writer's turn: see :meth:`settle`."""
        self._written = True

    def settle(self) -> None:
        """The writer's turn is over (committed or rolled back): if it wrote the table,
        every row read before is stale, and so is any read begun before."""
        if self._written:
            self._written = False
            self.generation += 1
            self._rows.clear()
