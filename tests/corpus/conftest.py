"""The shop on a catalogue shaped like real panels': the sandbox serves
:func:`~api.sandbox.real_world_catalogue` over loopback HTTP, the shop runs with its real
Dispatcher, a recording Telegram session and a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiohttp.test_utils import TestServer

from api.sandbox import ManualClock, SandboxPanel, create_app, real_world_catalogue
from bot.app import Runtime, create_dispatcher, open_runtime
from bot.config import load_settings

from ..support.telegram import RecordingSession, make_bot

PANEL_KEY = "real-world-panel-key"
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
ADMIN_CHAT = -100777
#: The catalogue every test here sells from.
CORPUS = real_world_catalogue()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def panel(clock: ManualClock) -> SandboxPanel:
    sandbox = SandboxPanel(clock=clock, services=CORPUS)
    # Enough for an order of every service at its largest quantity.
    sandbox.add_account(PANEL_KEY, Decimal(10) ** 12)
    return sandbox


@pytest.fixture
async def services(tmp_path: Path, panel: SandboxPanel) -> AsyncIterator[Runtime]:
    server = TestServer(create_app(panel), host="127.0.0.1")
    await server.start_server()
    settings = load_settings(
        env_file=None,
        bot_token=TOKEN,
        panel_api_key=PANEL_KEY,
        panel_api_url=str(server.make_url("/api/v2")),
        database_path=tmp_path / "shop.sqlite3",
        admin_chat_id=ADMIN_CHAT,
    )
    shop_services = await open_runtime(settings)
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
