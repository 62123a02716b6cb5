"""A Bot API double served over loopback HTTP: it answers the methods the bot calls,
records every call, and hands out the updates a test queues."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Shop", "username": "shop_bot"}


@dataclass
class BotApiCall:
    """One request the bot made: the method and its parameters (JSON-decoded)."""

    method: str
    params: dict[str, Any]


@dataclass
class BotApiDouble:
    """State of the double: the calls seen and the updates waiting for getUpdates."""

    calls: list[BotApiCall] = field(default_factory=list)
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def queue_update(self, update: Mapping[str, Any]) -> None:
        self.updates.put_nowait({"update_id": next(self._update_ids), **update})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        timeout = min(float(params.get("timeout") or 0), 0.5)
        try:
            first = await asyncio.wait_for(self.updates.get(), timeout) if timeout else None
        except TimeoutError:
            return []
        batch = [] if first is None else [first]
        while not self.updates.empty():
            batch.append(self.updates.get_nowait())
        return batch

    async def answer(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of a successful call of ``method``."""
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getMe":
            return BOT_USER
        if method in {"sendMessage", "editMessageText"}:
            return {
                "message_id": next(self._message_ids),
                "date": 0,
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "text": params.get("text", ""),
            }
        return True


def _decode(form: Mapping[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in form.items():
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def create_bot_api_app(double: BotApiDouble) -> web.Application:
    """``/bot<token>/<method>`` as the Bot API serves it."""

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = _decode(await request.post())
        double.calls.append(BotApiCall(method, params))
        result = await double.answer(method, params)
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    return app
