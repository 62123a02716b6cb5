"""Building and running the bot: the composition root, where the shop's services, the Bot,
the Dispatcher and the handlers meet."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiogram_i18n import I18nMiddleware
from aiohttp import web
from pydantic import SecretStr

from api import PanelError
from bot.config import Settings
from bot.db.fsm import SQLiteStorage
from bot.embedded_sandbox import embedded_sandbox
from bot.middlewares import CustomerLocaleManager, CustomerMiddleware, InFlightMiddleware
from bot.ordering import recover_interrupted
from bot.services import ShopServices
from bot.telegram_session import KeepResponseModels
from handlers import build_router
from handlers.callbacks import OrderCb
from handlers.menu import register_commands

logger = logging.getLogger(__name__)


async def open_services(settings: Settings, *, sandbox: bool = False) -> ShopServices:
    """The shop's services, with notices whose button opens the order's card."""
    return await ShopServices.open(
        settings, lambda order_id: OrderCb(order_id=order_id, page=0).pack(), sandbox=sandbox
    )


def create_bot(settings: Settings) -> Bot:
    """A Bot speaking HTML, pointed at ``TELEGRAM_API_URL`` when that is set."""
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    session.middleware(KeepResponseModels())
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
        tracker=services.tracker,
        topup=services.topup,
    )
    default_locale = services.settings.default_locale
    in_flight = InFlightMiddleware()
    dispatcher["in_flight"] = in_flight
    dispatcher.update.outer_middleware(in_flight)
    # The customer is looked up first, so the translations can follow their language.
    dispatcher.update.outer_middleware(CustomerMiddleware(services.db, default_locale))
    I18nMiddleware(
        core=services.texts.core,
        manager=CustomerLocaleManager(services.db, default_locale),
        default_locale=default_locale,
    ).setup(dispatcher)
    dispatcher.include_router(
        build_router(services.settings.admin_chat_id, services.settings.admin_ids)
    )
    dispatcher.startup.register(_on_startup)
    dispatcher.shutdown.register(_on_shutdown)
    return dispatcher


#: How long a shutdown waits for the updates being handled.
DRAIN_SECONDS = 20.0


async def _on_startup(bot: Bot, services: ShopServices) -> None:
    await register_commands(bot, services.texts)
    me = await bot.get_me()
    logger.info("bot @%s started; panel at %s", me.username, services.panel.url)
    if services.sandbox:
        logger.warning("SANDBOX MODE: orders go to a sandbox panel in this process; no real money")
    await recover_interrupted(services.db, services.alerts)
    try:
        balance = await services.panel.balance()
    except PanelError as exc:
        logger.error("the panel does not answer as expected: %s", exc)
    else:
        logger.info("panel balance: %s %s", balance.balance, balance.currency)
    services.start(bot)


async def _on_shutdown(services: ShopServices, in_flight: InFlightMiddleware) -> None:
    # Updates being handled finish first; then, while the bot can still send, the loops
    # stop and the notifier sends what is due.
    if not await in_flight.wait_idle(DRAIN_SECONDS):
        logger.warning("stopping with updates still being handled")
    await services.stop()


async def run(settings: Settings) -> None:
    """Run the bot until SIGTERM or SIGINT: long polling, or a webhook when WEBHOOK_URL is
    set; on an embedded sandbox panel when PANEL_API_URL is ``sandbox``."""
    async with contextlib.AsyncExitStack() as stack:
        sandbox = settings.uses_sandbox
        if sandbox:
            url, key = await stack.enter_async_context(embedded_sandbox(settings.sandbox_speed))
            settings = settings.model_copy(
                update={"panel_api_url": url, "panel_api_key": SecretStr(key)}
            )
        services = await open_services(settings, sandbox=sandbox)
        stack.push_async_callback(services.aclose)
        bot = create_bot(settings)
        dispatcher = create_dispatcher(services)
        if settings.webhook_url:
            await _serve_webhook(dispatcher, bot, settings)
        else:
            await bot.delete_webhook()
            await dispatcher.start_polling(bot)


async def _serve_webhook(dispatcher: Dispatcher, bot: Bot, settings: Settings) -> None:
    """Take updates on ``WEBHOOK_HOST:WEBHOOK_PORT`` + ``WEBHOOK_PATH``; requests without
    the secret token are refused."""
    assert settings.webhook_url is not None
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dispatcher, bot=bot)

    async def close_bot(_: web.Application) -> None:
        await bot.session.close()

    app.on_cleanup.append(close_bot)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        await bot.set_webhook(
            url=settings.webhook_url.rstrip("/") + settings.webhook_path,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
        logger.info("taking updates by webhook on port %d", settings.webhook_port)
        await _until_stopped()
    finally:
        await runner.cleanup()


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()
