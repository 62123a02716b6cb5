"""A bare HTTP caller for the sandbox panel: form posts over real loopback sockets.

Deliberately independent of the project's panel client, so the sandbox is checked
against the wire format itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

KEY = "test-key-0123456789"


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """An HTTP answer as it came."""

    status: int
    text: str
    content_type: str

    def json(self) -> Any:
        return json.loads(self.text)


class SandboxAPI:
    """Posts API v2 forms to one sandbox URL with one key."""

    def __init__(self, session: aiohttp.ClientSession, url: URL, key: str = KEY) -> None:
        self.session = session
        self.url = url
        self.key = key

    async def raw(
        self,
        form: Mapping[str, str],
        *,
        method: str = "POST",
        timeout: float | None = None,
    ) -> RawAnswer:
        """Send ``form`` as it is (no key added) and return the answer unparsed."""
        client_timeout = aiohttp.ClientTimeout(total=timeout) if timeout else None
        if method == "GET":
            request = self.session.get(self.url, params=dict(form), timeout=client_timeout)
        else:
            request = self.session.post(self.url, data=dict(form), timeout=client_timeout)
        async with request as response:
            return RawAnswer(response.status, await response.text(), response.content_type)

    async def send(
        self,
        action: str,
        fields: Mapping[str, str] | None = None,
        *,
        timeout: float | None = None,
    ) -> RawAnswer:
        """``action`` with this caller's key and ``fields``, answer unparsed."""
        form = {"key": self.key, "action": action, **(fields or {})}
        return await self.raw(form, timeout=timeout)

    async def call(self, action: str, **fields: str) -> Any:
        """``action`` with this caller's key; the answer must be HTTP 200 JSON."""
        answer = await self.send(action, fields)
        assert answer.status == 200, answer
        assert answer.content_type == "application/json"
        return answer.json()

    async def error_of(self, action: str, **fields: str) -> str:
        """The ``error`` text of an answer that must be a refusal."""
        answer = await self.call(action, **fields)
        assert set(answer) == {"error"}, answer
        error: str = answer["error"]
        return error

    async def order(self, **fields: str) -> int:
        """Place an order that must be accepted; its id."""
        answer = await self.call("add", **fields)
        assert set(answer) == {"order"}, answer
        order_id: int = answer["order"]
        return order_id
