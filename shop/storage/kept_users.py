"""The latest customers read, kept in memory for reads outside a transaction.

Every update a customer sends reads their row (who they are, their language, a ban), and
the row almost never changes. Reads through ``db.read()`` take it from here once read;
any write to the ``users`` table, once its transaction is over (committed or rolled back),
makes every kept row stale, so the next read goes to the database again. A read that
raced a write (read before the commit, kept after it) is dropped the same way: a row is
kept only if no write ended between the moment its read began and the moment it is kept.

The bot is the only writer of its database (as for the conversation state, see
``bot.fsm_storage``): a write by another process would not be seen here until this process
writes a user itself.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from shop.storage.repositories.users import UserRow

#: How many customers (the most recently read) are kept.
KEPT: Final = 4096


class KeptUsers:
    """Customer rows by id, valid until a write to ``users`` ends."""

    def __init__(self, size: int = KEPT) -> None:
        self._size = size
        self._rows: OrderedDict[int, UserRow] = OrderedDict()
        self._written = False
        #: Advances each time a write to ``users`` ends.
        self.generation = 0

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, user_id: int) -> UserRow | None:
        """The kept row, or None when it must be read."""
        row = self._rows.get(user_id)
        if row is not None:
            self._rows.move_to_end(user_id)
        return row

    def keep(self, row: UserRow, read_at: int) -> None:
        """Keep ``row``, read from committed data when the generation was ``read_at``,
        unless a write has ended since."""
        if read_at != self.generation:
            return
        self._rows[row.id] = row
        self._rows.move_to_end(row.id)
        if len(self._rows) > self._size:
            self._rows.popitem(last=False)

    def written(self) -> None:
        """A write to ``users`` was made in the writer's turn: see :meth:`settle`."""
        self._written = True

    def settle(self) -> None:
        """The writer's turn is over (committed or rolled back): if it wrote users, every
        row read before is stale, and so is any read begun before."""
        if self._written:
            self._written = False
            self.generation += 1
            self._rows.clear()
