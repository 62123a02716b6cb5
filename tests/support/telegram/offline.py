"""The part every in-memory Bot API session shares: no connection to open or close, no file
to download. Only aiogram is imported, so a benchmark's bare echo bot can use it too."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from aiogram.client.session.base import BaseSession


class OfflineSession(BaseSession):
    """A session answering from memory; subclasses answer the requests (``make_request``)."""

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""
