"""Building and running the bot: the shop's services, the Bot, the Dispatcher, their lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram_i18n import I18nMiddleware

from api import PanelClient, PanelError
from bot.alerts import Alerts
from bot.catalog import Catalogue, keep_catalogue_synced
from bot.config import Settings
from bot.db import Database
from bot.db.fsm import SQLiteStorage
from bot.i18n import Texts
from bot.middlewares import CustomerLocaleManager, CustomerMiddleware
from bot.ordering import recover_interrupted
from bot.shop import Shop
from handlers import build_router
from handlers.menu import register_commands

logger = logging.getLogger(__name__)


@dataclass
class ShopServices:
    """Everything the handlers and background tasks share; closed once, at shutdown."""

    settings: Settings
    db: Database
    http: aiohttp.ClientSession
    panel: PanelClient
    texts: Texts
    shop: Shop
    alerts: Alerts
    catalogue: Catalogue
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def open(cls, settings: Settings) -> ShopServices:
        """Open the database (migrating it) and the panel client; load the translations."""
        db = await Database.open(settings.database_path)
        http = aiohttp.ClientSession()
        shop = Shop.from_settings(settings)
        texts = await Texts.load(settings.default_locale)
        return cls(
            settings=settings,
            db=db,
            http=http,
            panel=PanelClient(settings.panel_api_url, settings.panel_api_key, session=http),
            texts=texts,
            shop=shop,
            alerts=Alerts(shop, texts),
            catalogue=Catalogue(db, shop),
        )

    def start(self) -> None:
        """Start the background tasks; a reference to each is kept so shutdown can stop it."""
        self.tasks.append(
            asyncio.create_task(
                keep_catalogue_synced(
                    self.db, self.panel, self.settings.catalogue_sync_minutes * 60
                ),
                name="catalogue-sync",
            )
        )

    async def aclose(self) -> None:
        """Stop the background tasks, then close the panel client and the database."""
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        await self.http.close()
        await self.db.close()


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


def create_dispatcher(services: ShopServices) -> Dispatcher:
    """The Dispatcher, with the shop's services in its workflow data and its FSM state kept
    in the shop's database, so a conversation survives a restart."""
    dispatcher = Dispatcher(
        storage=SQLiteStorage(services.db),
        services=services,
        settings=services.settings,
        db=services.db,
        panel=services.panel,
        texts=services.texts,
        shop=services.shop,
        alerts=services.alerts,
        catalogue=services.catalogue,
    )
    default_locale = services.settings.default_locale
    # The customer is looked up first, so the translations can follow their language.
    dispatcher.update.outer_middleware(CustomerMiddleware(services.db, default_locale))
    I18nMiddleware(
        core=services.texts.core,
        manager=CustomerLocaleManager(services.db, default_locale),
        default_locale=default_locale,
    ).setup(dispatcher)
    dispatcher.include_router(build_router())
    dispatcher.startup.register(_on_startup)
    return dispatcher


async def _on_startup(bot: Bot, services: ShopServices) -> None:
    await register_commands(bot, services.texts)
    me = await bot.get_me()
    logger.info("bot @%s started; panel at %s", me.username, services.settings.panel_api_url)
    await recover_interrupted(services.db, services.alerts)
    try:
        balance = await services.panel.balance()
    except PanelError as exc:
        logger.error("the panel does not answer as expected: %s", exc)
    else:
        logger.info("panel balance: %s %s", balance.balance, balance.currency)
    services.start()


async def run_polling(settings: Settings) -> None:
    """Run the bot with long polling until it is stopped by a signal."""
    services = await ShopServices.open(settings)
    try:
        bot = create_bot(settings)
        await create_dispatcher(services).start_polling(bot)
    finally:
        await services.aclose()
