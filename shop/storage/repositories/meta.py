"""Small named settings and marks of the shop (last sync time, default markup and such)."""

from __future__ import annotations

from shop.storage.session import Session


class MetaRepository:
    """SQL for the ``meta`` table: text values by name."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, name: str) -> str | None:
        """The value stored under ``name``, or None."""
        value = await self._session.fetch_value("SELECT value FROM meta WHERE name = ?", (name,))
        return None if value is None else str(value)

    async def set(self, name: str, value: str) -> None:
        """Store ``value`` under ``name``, replacing any previous value."""
        await self._session.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    async def delete(self, name: str) -> bool:
        """Forget the value stored under ``name``; False when there was none."""
        return await self._session.execute("DELETE FROM meta WHERE name = ?", (name,)) == 1
