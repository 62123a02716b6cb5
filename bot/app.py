"""Building and running the bot: the composition root, where the shop's services, the Bot,
the Dispatcher and the handlers meet."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable, Iterator
from typing import Final, TypeVar

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from aiogram_i18n import I18nMiddleware
from pydantic import SecretStr

from api import PanelClient, PanelError
from api.client import caller_reports_failures
from bot import heap, telegram_objects
from bot.config import Settings
from bot.fsm_storage import SQLiteStorage
from bot.middlewares import (
    CustomerLocaleManager,
    CustomerMiddleware,
    InFlightMiddleware,
    ServicesMiddleware,
)
from bot.panel_settings import PanelSettings
from bot.runtime import Runtime
from bot.telegram_session import KeepResponseModels
from handlers import build_routers
from handlers.callbacks import OrderCb
from handlers.channel import TelegramMembers
from handlers.menu import register_commands
from shop.ordering import recover_interrupted
from shop.supervisor import Backoff

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The waits between attempts to reach Telegram at start: 1, 2, 4... up to 60 seconds.
TELEGRAM_BACKOFF: Final = Backoff(1.0, 60.0)
#: How long one attempt at start may take before it counts as unanswered.
TELEGRAM_ATTEMPT_SECONDS: Final = 30.0


class TelegramRefused(Exception):
    """Telegram refused a setting outright (the token, the webhook's address): trying again
    cannot help. The message is one line for the owner, naming the setting."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting} was refused by Telegram ({reason})")


class _StopRequested(Exception):
    """SIGTERM or SIGINT came while the bot was still starting."""


async def open_runtime(settings: Settings, *, sandbox: bool = False) -> Runtime:
    """The shop's services, with notices whose button opens the order's card."""
    return await Runtime.open(
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


def create_dispatcher(services: Runtime) -> Dispatcher:
    """The Dispatcher, with the shop's runtime (``services``) in its workflow data and its
    FSM state kept in the shop's database, so a conversation survives a restart.

    Handlers ask for the services they use by name (handed to them by
    :class:`~bot.middlewares.ServicesMiddleware`): ``catalogue``, ``order_desk``,
    ``wallet``, ``customers``, ``admin_desk``, ``manual_payments``, ``promos``,
    ``membership``, ``exports``, ``support_desk``, ``texts``, ``support_contact``, and the
    running bot's ``background`` work and ``sandbox`` flag.
    Callback queries are answered once each handler is done; a handler sets the answer's
    text on ``callback_answer``.
    """
    # The services filters read are in the workflow data; the others reach the handler
    # that runs, and only it: every router, filter and middleware an update passes on its
    # way copies the handler data.
    dispatcher = Dispatcher(
        storage=SQLiteStorage(services.db),
        services=services,
        admin_desk=services.admin_desk,
        support_desk=services.support_desk,
    )
    by_name = ServicesMiddleware(
        texts=services.texts,
        support_contact=services.settings.support_contact,
        catalogue=services.catalogue,
        order_desk=services.order_desk,
        wallet=services.wallet,
        customers=services.customers,
        manual_payments=services.manual_payments,
        promos=services.promos,
        membership=services.membership,
        exports=services.exports,
        background=services,
        sandbox=services.sandbox,
    )
    for kind, observer in dispatcher.observers.items():
        if kind != "update":
            observer.middleware(by_name)
    default_locale = services.settings.default_locale
    in_flight = InFlightMiddleware()
    dispatcher.update.outer_middleware(in_flight)
    # The customer is looked up first, so the translations can follow their language.
    dispatcher.update.outer_middleware(CustomerMiddleware(services.customers))
    I18nMiddleware(
        core=services.texts.core,
        manager=CustomerLocaleManager(services.customers, default_locale),
        default_locale=default_locale,
    ).setup(dispatcher)
    # Every callback query is answered, once, after its handler: Telegram shows a spinner
    # until it is.
    dispatcher.callback_query.middleware(CallbackAnswerMiddleware())
    dispatcher.include_routers(
        *build_routers(services.settings.admin_chat_id, services.settings.admin_ids)
    )
    dispatcher.startup.register(_on_startup)
    dispatcher.shutdown.register(functools.partial(_on_shutdown, in_flight=in_flight))
    return dispatcher


#: How long a shutdown waits for the updates being handled.
DRAIN_SECONDS = 20.0


async def _on_startup(bot: Bot, services: Runtime) -> None:
    await register_commands(bot, services.texts)
    me = await bot.me()
    logger.info("bot @%s started; panel at %s", me.username, services.panel.url)
    if services.sandbox:
        logger.warning(
            "SANDBOX MODE: orders go to a sandbox panel and crypto top-ups to a Crypto Pay"
            " double in this process; no real money"
        )
    elif services.crypto is not None:
        logger.info("crypto top-ups by Crypto Pay at %s", services.settings.crypto_pay_api_url)
    await recover_interrupted(services.db, services.alerts)
    # In the background: customers are served while a panel out of reach keeps it waiting.
    services.spawn(_report_panel_balance(services.panel), name="panel-balance")
    services.spawn(services.membership.check_setup(TelegramMembers(bot)), name="channel-check")
    services.start(bot)


async def _report_panel_balance(panel: PanelClient) -> None:
    try:
        with caller_reports_failures():
            balance = await panel.balance()
    except PanelError as exc:
        logger.error("the panel does not answer as expected: %s", exc)
    else:
        logger.info("panel balance: %s %s", balance.balance, balance.currency)


async def _on_shutdown(services: Runtime, in_flight: InFlightMiddleware) -> None:
    # Updates being handled finish first; then, while the bot can still send, the loops
    # stop and the notifier sends what is due.
    if not await in_flight.wait_idle(DRAIN_SECONDS):
        logger.warning("stopping with updates still being handled")
    await services.stop()


async def run(settings: Settings) -> None:
    """Run the bot until SIGTERM or SIGINT: long polling, or a webhook when WEBHOOK_URL is
    set; on an embedded sandbox panel when PANEL_API_URL is ``sandbox``.

    Telegram is asked first who the bot is: a token it refuses raises
    :class:`TelegramRefused` before anything else is opened. While Telegram does not
    answer, start-up waits for it (see :func:`until_telegram_answers`); a signal meanwhile
    stops the bot cleanly.
    """
    with _stop_on_signals() as stopping:
        try:
            await _run(settings, stopping)
        except _StopRequested:
            logger.info("stopped before start-up finished")


async def _run(settings: Settings, stopping: asyncio.Event) -> None:
    async with contextlib.AsyncExitStack() as stack:
        bot = create_bot(settings)
        # Closed last: the services still send through it as they stop.
        stack.push_async_callback(bot.session.close)
        await until_telegram_answers(bot.me, "getMe", stopping)
        sandbox = settings.uses_sandbox
        if sandbox:
            # Loaded only here: a shop on a real panel never needs the sandboxes in memory.
            from bot.embedded_sandbox import SECOND_PANEL, embedded_sandbox  # noqa: PLC0415

            # So the owner can try transfers too, with play money.
            settings = settings.with_sandbox_payments
            embedded = await stack.enter_async_context(embedded_sandbox(settings.sandbox_speed))
            # Play money only: crypto top-ups go to the double, whatever token is set.
            settings = settings.model_copy(
                update={
                    "panel_api_url": embedded.panel_url,
                    "panel_api_key": SecretStr(embedded.panel_key),
                    "crypto_pay_api_url": embedded.crypto_pay_url,
                    "crypto_pay_token": SecretStr(embedded.crypto_pay_token),
                    # Play panels only: the second one in place of any the owner named.
                    "extra_panels": (
                        PanelSettings(
                            SECOND_PANEL,
                            embedded.second_panel_url,
                            SecretStr(embedded.second_panel_key),
                        ),
                    ),
                }
            )
            if settings.webhook_url:
                # The double posts its webhooks to this bot's own webhook server.
                embedded.crypto_pay.webhook_url = (
                    f"http://127.0.0.1:{settings.webhook_port}{settings.crypto_pay_webhook_path}"
                )
        services = await open_runtime(settings, sandbox=sandbox)
        stack.push_async_callback(services.aclose)
        dispatcher = create_dispatcher(services)
        heap.settle()
        telegram_objects.bind_quickly()
        if settings.webhook_url:
            await _serve_webhook(dispatcher, bot, settings, stopping)
        else:
            await _poll(dispatcher, bot, stopping)


async def until_telegram_answers(
    call: Callable[[], Awaitable[T]],
    what: str,
    stopping: asyncio.Event,
    *,
    bad_request_blames: str | None = None,
) -> T:
    """``call``'s answer, asking again until Telegram gives one.

    No connection, a 5xx, a page that is not the Bot API's, no answer within
    :data:`TELEGRAM_ATTEMPT_SECONDS`: one log line, and another attempt after 1, 2, 4...
    up to 60 seconds (or the wait a 429 names). A refused token (401, or 404 for one
    Telegram cannot read) raises :class:`TelegramRefused` naming BOT_TOKEN; so does a 400
    naming ``bad_request_blames``, when given. Raises :class:`_StopRequested` once
    ``stopping`` is set.
    """
    failures = 0
    while True:
        try:
            return await _unless_stopped(call, stopping)
        except (TelegramUnauthorizedError, TelegramNotFound) as exc:
            raise TelegramRefused("BOT_TOKEN", exc.message) from None
        except TelegramBadRequest as exc:
            if bad_request_blames is None:
                raise
            raise TelegramRefused(bad_request_blames, exc.message) from None
        except (
            TelegramAPIError,
            ClientDecodeError,
            aiohttp.ClientError,
            OSError,
            TimeoutError,
        ) as exc:
            failures += 1
            wait = (
                float(exc.retry_after)
                if isinstance(exc, TelegramRetryAfter)
                else TELEGRAM_BACKOFF.after(failures)
            )
            logger.warning(
                "Telegram did not answer %s (%s); trying again in %g s", what, _why(exc), wait
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), wait)
        if stopping.is_set():
            raise _StopRequested


async def _unless_stopped(call: Callable[[], Awaitable[T]], stopping: asyncio.Event) -> T:
    """``call``'s answer within :data:`TELEGRAM_ATTEMPT_SECONDS`, unless ``stopping`` is
    set first: then it is abandoned and :class:`_StopRequested` raised."""
    attempt = asyncio.ensure_future(asyncio.wait_for(call(), TELEGRAM_ATTEMPT_SECONDS))
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({attempt, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not attempt.done():
            attempt.cancel()
            await asyncio.gather(attempt, return_exceptions=True)
    if attempt.cancelled():
        raise _StopRequested
    return attempt.result()


def _why(exc: BaseException) -> str:
    """What went wrong, briefly: a proxy's HTML page can be long."""
    text = getattr(exc, "message", None) or str(exc) or "no answer in time"
    return f"{type(exc).__name__}: {text}"[:300]


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[asyncio.Event]:
    """An event set by SIGTERM or SIGINT, from start-up to the end."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []

    def stop(signum: signal.Signals) -> None:
        logger.info("%s received: stopping", signum.name)
        stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop, signum)
            handled.append(signum)
    try:
        yield stopping
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


async def _poll(dispatcher: Dispatcher, bot: Bot, stopping: asyncio.Event) -> None:
    """Take updates by long polling until ``stopping`` is set."""
    await until_telegram_answers(bot.delete_webhook, "deleteWebhook", stopping)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({polling, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
    if not polling.done():
        # Updates being handled finish, then the shutdown hook runs (see _on_shutdown).
        await dispatcher.stop_polling()
    await polling


async def _serve_webhook(
    dispatcher: Dispatcher, bot: Bot, settings: Settings, stopping: asyncio.Event
) -> None:
    """Take updates on ``WEBHOOK_HOST:WEBHOOK_PORT`` + ``WEBHOOK_PATH`` until ``stopping``
    is set; requests without the secret token are refused. With Crypto Pay on, its webhook
    is served at ``CRYPTO_PAY_WEBHOOK_PATH`` on the same server."""
    # Loaded only here: a bot on long polling never needs a web server in memory.
    from aiogram.webhook.aiohttp_server import (  # noqa: PLC0415
        SimpleRequestHandler,
        setup_application,
    )
    from aiohttp import web  # noqa: PLC0415

    from bot.cryptopay_webhook import add_crypto_pay_route  # noqa: PLC0415

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
    services: Runtime = dispatcher["services"]
    if services.crypto is not None and settings.crypto_pay_token is not None:
        add_crypto_pay_route(
            app, settings.crypto_pay_webhook_path, settings.crypto_pay_token, services.crypto
        )
    setup_application(app, dispatcher, bot=bot)

    async def close_bot(_: web.Application) -> None:
        await bot.session.close()

    app.on_cleanup.append(close_bot)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        url = settings.webhook_url.rstrip("/") + settings.webhook_path
        await until_telegram_answers(
            lambda: bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=dispatcher.resolve_used_update_types(),
            ),
            "setWebhook",
            stopping,
            bad_request_blames="WEBHOOK_URL",
        )
        logger.info("taking updates by webhook on port %d", settings.webhook_port)
        await stopping.wait()
    finally:
        await runner.cleanup()
