"""aiogram FSM storage in the shop's database, so a conversation survives a restart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from shop.storage.database import Database


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


class SQLiteStorage(BaseStorage):
    """FSM state and data in the ``fsm`` table of a :class:`Database`.

    Data must be JSON-serialisable. :meth:`close` leaves the database open: it is shared with
    the rest of the bot, whose shutdown closes it.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Store the conversation's state (a State, its name, or None to clear it)."""
        name = state.state if isinstance(state, State) else state
        async with self._db.autocommit() as tx:
            await tx.fsm.set_state(storage_key(key), name)

    async def get_state(self, key: StorageKey) -> str | None:
        """The conversation's state name, or None."""
        async with self._db.read() as r:
            state, _ = await r.fsm.get(storage_key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the conversation's data."""
        if not isinstance(data, dict):
            raise DataNotDictLikeError(
                f"Data must be a dict or dict-like object, got {type(data).__name__}"
            )
        async with self._db.autocommit() as tx:
            await tx.fsm.set_data(storage_key(key), data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """The conversation's data (a fresh copy)."""
        async with self._db.read() as r:
            _, data = await r.fsm.get(storage_key(key))
        return data

    async def close(self) -> None:
        """Nothing to release: the shared database is closed by whoever opened it."""
