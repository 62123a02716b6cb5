"""Building and running the bot: Bot, Dispatcher, shared clients and their lifecycle."""

from __future__ import annotations

import logging

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from api import PanelClient, PanelError
from bot.config import Settings

logger = logging.getLogger(__name__)


def create_bot(settings: Settings) -> Bot:
    """A Bot speaking HTML, pointed at ``TELEGRAM_API_URL`` when that is set."""
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_dispatcher(settings: Settings) -> Dispatcher:
    """The Dispatcher with the shop's shared objects and its start-up and shutdown hooks."""
    dispatcher = Dispatcher(settings=settings)
    dispatcher.startup.register(_on_startup)
    dispatcher.shutdown.register(_on_shutdown)
    return dispatcher


async def _on_startup(dispatcher: Dispatcher, bot: Bot, settings: Settings) -> None:
    http = aiohttp.ClientSession()
    panel = PanelClient(settings.panel_api_url, settings.panel_api_key, session=http)
    dispatcher["http"] = http
    dispatcher["panel"] = panel
    me = await bot.get_me()
    logger.info("bot @%s started; panel at %s", me.username, settings.panel_api_url)
    try:
        balance = await panel.balance()
    except PanelError as exc:
        logger.error("the panel does not answer as expected: %s", exc)
    else:
        logger.info("panel balance: %s %s", balance.balance, balance.currency)


async def _on_shutdown(dispatcher: Dispatcher) -> None:
    http: aiohttp.ClientSession | None = dispatcher.workflow_data.get("http")
    if http is not None:
        await http.close()


async def run_polling(settings: Settings) -> None:
    """Run the bot with long polling until it is stopped by a signal."""
    bot = create_bot(settings)
    dispatcher = create_dispatcher(settings)
    await dispatcher.start_polling(bot)
