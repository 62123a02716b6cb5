"""The shop's core against a sandbox panel over loopback HTTP and a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api import PanelClient
from api.sandbox import ManualClock, SandboxPanel, create_app
from shop.alerts import Alerts
from shop.catalogue import sync_catalogue
from shop.money import Currency
from shop.notices import Notices
from shop.storage import Database
from shop.terms import Terms
from shop.texts import Texts
from shop.tracking import PollReport, Tracker

from .ledger_check import assert_ledger_consistent

PANEL_KEY = "core-test-key-81b2"
ADMIN_CHAT = -1001


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def panel(clock: ManualClock) -> SandboxPanel:
    sandbox = SandboxPanel(clock=clock)
    sandbox.add_account(PANEL_KEY, Decimal(100_000))
    return sandbox


@pytest.fixture
async def panel_client(panel: SandboxPanel) -> AsyncIterator[PanelClient]:
    server = TestServer(create_app(panel), host="127.0.0.1")
    await server.start_server()
    async with PanelClient(
        str(server.make_url("/api/v2")), PANEL_KEY, timeouts=aiohttp.ClientTimeout(total=1)
    ) as client:
        yield client
    await server.close()


@pytest.fixture
def shop() -> Terms:
    return Terms(currency=Currency("USD", 2), markup_percent=Decimal(30), admin_chat_id=ADMIN_CHAT)


@pytest.fixture
async def texts() -> Texts:
    return await Texts.load("en")


@pytest.fixture
def alerts(shop: Terms, texts: Texts) -> Alerts:
    return Alerts(shop, texts)


@pytest.fixture
async def db(tmp_path: Path, panel_client: PanelClient) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "shop.sqlite3")
    await sync_catalogue(database, panel_client)
    yield database
    # Every scenario ends with the books in order.
    await assert_ledger_consistent(database, Currency("USD", 2))
    await database.close()


def order_button(order_id: int) -> str:
    return f"o:{order_id}:0"


async def poll_once(db: Database, panel_client: PanelClient, currency: Currency) -> PollReport:
    """One poll by a tracker that queues its notices and alerts as the bot's would."""
    shop = Terms(currency=currency, markup_percent=Decimal(30), admin_chat_id=ADMIN_CHAT)
    texts = await Texts.load("en")
    tracker = Tracker(
        db, panel_client, currency, Notices(shop, texts, order_button), Alerts(shop, texts)
    )
    return await tracker.poll_once()
