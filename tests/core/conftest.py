"""The shop's core against the sandbox panel over loopback HTTP and a real SQLite file: the
shared panel fixtures (``tests/conftest.py``) with the shop's database, terms and texts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from api import PanelClient
from shop.alerts import Alerts
from shop.money import Currency
from shop.notices import Notices
from shop.storage import Database
from shop.terms import Terms
from shop.texts import Texts
from shop.tracking import PollReport, Tracker

from ..conftest import ADMIN_CHAT, PANEL_KEY
from ..support.ledger import assert_ledger_consistent

__all__ = ["ADMIN_CHAT", "PANEL_KEY"]


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
async def db(database_path: Path) -> AsyncIterator[Database]:
    """The shop's database, the sandbox's catalogue synced into it."""
    database = await Database.open(database_path)
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
