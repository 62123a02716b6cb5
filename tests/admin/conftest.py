"""The real Dispatcher with the admin group configured: a recording Telegram session, a
sandbox panel over loopback HTTP and a real SQLite file.

``ADMIN_CHAT`` is the admin group; ``OWNER`` and ``STAFF`` are in ``ADMIN_IDS``;
``STRANGER`` is a member of the group who is not an admin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiohttp.test_utils import TestServer

from api.sandbox import ManualClock, SandboxPanel, create_app
from bot.app import create_dispatcher, open_runtime
from bot.config import load_settings
from bot.runtime import Runtime
from shop.catalogue import sync_catalogue

from ..core.ledger_check import assert_ledger_consistent
from ..support.telegram import BotClient, RecordingSession, make_bot

PANEL_KEY = "admin-panel-key"
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
ADMIN_CHAT = -100500
OWNER = 7001
STAFF = 7002
STRANGER = 7003
#: Orders at or above this price are reported to the group.
LARGE_ORDER_ALERT = Decimal(10)
#: The group is told when the panel's balance falls below this.
PANEL_BALANCE_ALERT = Decimal(50)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def panel(clock: ManualClock) -> SandboxPanel:
    sandbox = SandboxPanel(clock=clock)
    sandbox.add_account(PANEL_KEY, Decimal(100_000))
    return sandbox


@pytest.fixture
async def panel_server(panel: SandboxPanel) -> AsyncIterator[TestServer]:
    server = TestServer(create_app(panel), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
async def services(tmp_path: Path, panel_server: TestServer) -> AsyncIterator[Runtime]:
    settings = load_settings(
        env_file=None,
        bot_token=TOKEN,
        panel_api_key=PANEL_KEY,
        panel_api_url=str(panel_server.make_url("/api/v2")),
        database_path=tmp_path / "shop.sqlite3",
        admin_chat_id=ADMIN_CHAT,
        admin_ids=(OWNER, STAFF),
        large_order_alert=LARGE_ORDER_ALERT,
        panel_balance_alert=PANEL_BALANCE_ALERT,
    )
    shop_services = await open_runtime(settings)
    await sync_catalogue(shop_services.db, shop_services.panel)
    yield shop_services
    # Whatever the admins did, the books are in order.
    await assert_ledger_consistent(shop_services.db, shop_services.terms.currency)
    await shop_services.aclose()


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def bot(session: RecordingSession) -> Bot:
    return make_bot(session)


@pytest.fixture
def dispatcher(services: Runtime) -> Dispatcher:
    return create_dispatcher(services)


@pytest.fixture
def make_client(dispatcher: Dispatcher, bot: Bot) -> Callable[..., BotClient]:
    def build(**options: object) -> BotClient:
        return BotClient(dispatcher, bot, **options)  # type: ignore[arg-type]

    return build


@pytest.fixture
def owner(make_client: Callable[..., BotClient]) -> BotClient:
    """The owner, in the admin group."""
    return make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga", username="olga")


@pytest.fixture
def stranger(make_client: Callable[..., BotClient]) -> BotClient:
    """A member of the admin group who is not in ADMIN_IDS."""
    return make_client(user_id=STRANGER, chat_id=ADMIN_CHAT, first_name="Sam", username="sam")


@pytest.fixture
def owner_in_private(make_client: Callable[..., BotClient]) -> BotClient:
    """The owner, writing to the bot in a private chat."""
    return make_client(user_id=OWNER, first_name="Olga", username="olga")


@pytest.fixture
def alice(make_client: Callable[..., BotClient]) -> BotClient:
    """A customer, in her private chat."""
    return make_client(user_id=111, first_name="Alice", username="alice")
