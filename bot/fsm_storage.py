"""aiogram FSM storage in the shop's database, so a conversation survives a restart.

Every update reads its conversation's state (aiogram's FSM middleware) and most read the
data too, a statement each; the bot is the only writer of the ``fsm`` table, so the latest
conversations are also kept in memory and read from there. Every write goes to the
database first and to memory once it is stored; a write that would store what is stored
already is not made (``clear()`` of a conversation with nothing, the same state again).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from shop.storage import Repositories
from shop.storage.database import Database

#: How many conversations (the most recently used) are kept in memory as well.
KEPT: Final = 4096
#: The data of a conversation with none, as stored.
EMPTY: Final = "{}"


class _Unchanged:
    """The part of a conversation a write leaves as it is."""


UNCHANGED: Final = _Unchanged()


def storage_key(key: StorageKey) -> str:
    """The ``fsm`` table key of an aiogram storage key: every part, unambiguously."""
    return json.dumps(
        [
            key.bot_id,
            key.chat_id,
            key.user_id,
            key.thread_id,
            key.business_connection_id,
            key.destiny,
        ],
        separators=(",", ":"),
    )


def _as_json(data: Mapping[str, Any]) -> str:
    """A conversation's data as stored; data that is not a dict is refused, as aiogram's
    storages refuse it."""
    if not isinstance(data, dict):
        raise DataNotDictLikeError(
            f"Data must be a dict or dict-like object, got {type(data).__name__}"
        )
    return json.dumps(data, ensure_ascii=False)


class SQLiteStorage(BaseStorage):
    """FSM state and data in the ``fsm`` table of a :class:`Database`, the latest ``kept``
    conversations in memory as well (the table is this storage's alone).

    Data must be JSON-serialisable. :meth:`close` leaves the database open: it is shared with
    the rest of the bot, whose shutdown closes it.
    """

    def __init__(self, db: Database, kept: int = KEPT) -> None:
        self._db = db
        self._limit = kept
        # Storage key -> (state, data as JSON): each read hands out a fresh copy of the data.
        self._kept: OrderedDict[str, tuple[str | None, str]] = OrderedDict()

    @property
    def in_memory(self) -> int:
        """How many conversations are kept in memory. (Not ``__len__``: aiogram takes a
        storage that tests false for none at all.)"""
        return len(self._kept)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Store the conversation's state (a State, its name, or None to clear it)."""
        name = state.state if isinstance(state, State) else state
        stored = storage_key(key)
        await self._write(stored, lambda tx: tx.fsm.set_state(stored, name), state=name)

    async def get_state(self, key: StorageKey) -> str | None:
        """The conversation's state name, or None."""
        state, _ = await self._get(storage_key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the conversation's data."""
        stored = storage_key(key)
        text = _as_json(data)
        await self._write(stored, lambda tx: tx.fsm.set_data(stored, data), data=text)

    async def set_state_and_data(
        self, key: StorageKey, state: StateType, data: Mapping[str, Any]
    ) -> None:
        """Store the conversation's state and data together, in one write (None and no
        data: the conversation is forgotten)."""
        name = state.state if isinstance(state, State) else state
        stored = storage_key(key)
        text = _as_json(data)
        await self._write(stored, lambda tx: tx.fsm.set(stored, name, text), state=name, data=text)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """The conversation's data (a fresh copy)."""
        _, data = await self._get(storage_key(key))
        loaded: dict[str, Any] = json.loads(data)
        return loaded

    async def close(self) -> None:
        """Nothing to release: the shared database is closed by whoever opened it."""

    async def _get(self, stored: str) -> tuple[str | None, str]:
        known = self._kept.get(stored)
        if known is not None:
            self._kept.move_to_end(stored)
            return known
        async with self._db.read() as r:
            state, data = await r.fsm.get(stored)
        text = json.dumps(data, ensure_ascii=False)
        # A write may have come first while the row was read: then it is the one to keep.
        if stored not in self._kept:
            self._keep(stored, state, text)
        return state, text

    async def _write(
        self,
        stored: str,
        write: Callable[[Repositories], Awaitable[None]],
        *,
        state: str | None | _Unchanged = UNCHANGED,
        data: str | _Unchanged = UNCHANGED,
    ) -> None:
        """Store a new state or data with ``write``, in the writer's turn. For a known
        conversation, a write of what is stored already is not made and one that leaves
        nothing is a delete. Whatever a read kept while the write waited for another
        process's lock is dropped: that read may have come before the write."""
        async with self._db.autocommit() as tx:
            known = self._kept.pop(stored, None)
            if known is None:
                if (state, data) == (None, EMPTY):
                    await tx.fsm.forget(stored)
                else:
                    await write(tx)
                self._kept.pop(stored, None)
                return
            after = (
                known[0] if isinstance(state, _Unchanged) else state,
                known[1] if isinstance(data, _Unchanged) else data,
            )
            if after != known:
                if after == (None, EMPTY):
                    await tx.fsm.forget(stored)
                else:
                    await write(tx)
                self._kept.pop(stored, None)
            self._keep(stored, *after)

    def _keep(self, stored: str, state: str | None, data: str) -> None:
        self._kept[stored] = (state, data)
        if len(self._kept) > self._limit:
            self._kept.popitem(last=False)
