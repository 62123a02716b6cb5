"""The real Dispatcher of the bot, a recording Telegram session, a sandbox panel over
loopback HTTP and a real SQLite file: conversations as a customer has them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiohttp.test_utils import TestServer

from api.sandbox import ManualClock, SandboxPanel, create_app
from bot.app import Runtime, create_dispatcher, open_runtime
from bot.config import load_settings
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.storage import LedgerReason
from shop.texts import LOCALES_DIR, Texts

from ..support.telegram import BotClient, RecordingSession, make_bot

PANEL_KEY = "conversation-panel-key"
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"


_READ_CATALOGUES: dict[tuple[str, Path], Texts] = {}
_read_catalogues = Texts.load


@pytest.fixture(autouse=True)
def _catalogues_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing the Fluent catalogues is most of a shop's opening time, and they do not change
    during the run: every test's shop gets the same, really loaded, translations."""

    async def load(default_locale: str, path: Path = LOCALES_DIR) -> Texts:
        key = (default_locale, path)
        if key not in _READ_CATALOGUES:
            _READ_CATALOGUES[key] = await _read_catalogues(default_locale, path)
        return _READ_CATALOGUES[key]

    monkeypatch.setattr(Texts, "load", staticmethod(load))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def panel(clock: ManualClock) -> SandboxPanel:
    sandbox = SandboxPanel(clock=clock)
    sandbox.add_account(PANEL_KEY, Decimal(100_000))
    return sandbox


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Settings a test module sets for its shop (override this fixture)."""
    return {}


@pytest.fixture
async def services(
    tmp_path: Path, panel: SandboxPanel, settings_overrides: dict[str, object]
) -> AsyncIterator[Runtime]:
    server = TestServer(create_app(panel), host="127.0.0.1")
    await server.start_server()
    settings = load_settings(
        env_file=None,
        bot_token=TOKEN,
        panel_api_key=PANEL_KEY,
        panel_api_url=str(server.make_url("/api/v2")),
        database_path=tmp_path / "shop.sqlite3",
        admin_chat_id=-100500,
        **settings_overrides,
    )
    shop_services = await open_runtime(settings)
    await sync_catalogue(shop_services.db, shop_services.panel)
    yield shop_services
    await shop_services.aclose()
    await server.close()


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
def alice(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client()


async def top_up(services: Runtime, user_id: int, amount: Decimal) -> None:
    async with services.db.transaction() as tx:
        await credit(tx, user_id, amount, LedgerReason.TOPUP, f"topup:test:{user_id}:{amount}")
