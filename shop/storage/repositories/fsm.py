"""Conversation state of aiogram's finite-state machine, one row per storage key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shop.storage.session import Session


class FsmRepository:
    """SQL for the ``fsm`` table. A row with no state and no data is not kept."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        """``(state, data)`` stored under ``key``; ``(None, {})`` when nothing is."""
        row = await self._session.fetch_one("SELECT state, data FROM fsm WHERE key = ?", (key,))
        if row is None:
            return None, {}
        data: dict[str, Any] = json.loads(row["data"])
        return row["state"], data

    async def set_state(self, key: str, state: str | None) -> None:
        """Store the state under ``key`` (None clears it), keeping the data."""
        await self._session.execute(
            "INSERT INTO fsm (key, state) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state",
            (key, state),
        )
        # A row with a state is not empty: only clearing it can leave nothing to keep. Every
        # statement saved here is one less turn of the event loop under the write lock.
        if state is None:
            await self._drop_if_empty(key)

    async def set_data(self, key: str, data: Mapping[str, Any]) -> None:
        """Store the data under ``key`` (an empty mapping clears it), keeping the state."""
        await self._session.execute(
            "INSERT INTO fsm (key, data) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            (key, json.dumps(dict(data), ensure_ascii=False)),
        )
        if not data:
            await self._drop_if_empty(key)

    async def set(self, key: str, state: str | None, data: str) -> None:
        """Store the state and the data (as JSON) under ``key`` together."""
        await self._session.execute(
            "INSERT INTO fsm (key, state, data) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data",
            (key, state, data),
        )

    async def forget(self, key: str) -> None:
        """Remove what is stored under ``key``."""
        await self._session.execute("DELETE FROM fsm WHERE key = ?", (key,))

    async def _drop_if_empty(self, key: str) -> None:
        await self._session.execute(
            "DELETE FROM fsm WHERE key = ? AND state IS NULL AND data = '{}'", (key,)
        )
