"""The bot's HTTP session with Telegram, and a fix for a cost hidden in it.

aiogram reads every answer with ``Response[<the method's result type>]``, a generic pydantic
model. Pydantic keeps such models in a cache of weak references, and a model class is only
freed by the cycle collector, so each collection empties the cache and the next answer
builds its model again: a schema build per call, a tenth of the bot's CPU under load.
:class:`KeepResponseModels` holds each model the bot has used, so the cache always hits.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class KeepResponseModels(BaseRequestMiddleware):
    """A request middleware keeping ``Response[T]`` alive for every result type ``T`` seen."""

    def __init__(self) -> None:
        self._models: dict[Any, type[Response[Any]]] = {}

    def __len__(self) -> int:
        return len(self._models)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._models:
            self._models[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
