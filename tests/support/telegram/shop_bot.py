"""The shop's own bot (``bot.app.create_bot``: its HTTP session and request middlewares)
talking to the Bot API double over loopback."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiogram import Bot
from aiohttp.test_utils import TestServer

from bot.app import create_bot
from bot.config import Settings

from .bot_api import BotApiDouble, create_bot_api_app

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"


@contextlib.asynccontextmanager
async def shop_bot_on(double: BotApiDouble) -> AsyncIterator[Bot]:
    """The bot as the shop makes it, its Bot API ``double`` served on 127.0.0.1."""
    server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await server.start_server()
    settings = Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        panel_api_key="key",  # type: ignore[arg-type]
        telegram_api_url=str(server.make_url("")),
    )
    bot = create_bot(settings)
    try:
        yield bot
    finally:
        await bot.session.close()
        await server.close()
