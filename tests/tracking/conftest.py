"""Following orders after they are placed: the tracker against the sandbox panel over
loopback HTTP with its driven clock (the shared fixtures of ``tests/conftest.py``), the
notifier against a Bot API double that enforces Telegram's limits, and "My orders" through
the real Dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from api import DefaultOrder, OrderType, PanelClient
from api.sandbox import ManualClock, RecordedRequest, SandboxPanel
from handlers.callbacks import OrderCb
from shop.alerts import ALERT_KIND, Alerts
from shop.ledger import credit
from shop.money import Currency
from shop.notices import Notices
from shop.ordering import PlacementOutcome, place_order, quote_order
from shop.storage import (
    Database,
    LedgerReason,
    LedgerRow,
    OrderRow,
    OutboxRow,
    TransitionRow,
    utc_now,
)
from shop.terms import Terms
from shop.texts import Texts
from shop.tracking import PollReport, Tracker

from ..conftest import ADMIN_CHAT, PANEL_KEY, TOKEN
from ..support.ledger import assert_ledger_consistent

USD = Currency("USD", 2)
LINK = "https://instagram.com/p/tracked-post"
#: The customer's starting balance in every scenario.
FUNDS = Decimal(500)
#: A service that offers refills and cancels (Instagram Followers [Real] [30 days refill]).
REFILL_AND_CANCEL = 101
#: Cancels but no refill (Instagram Followers [HQ] [No refill]).
CANCEL_ONLY = 102
#: Refills but no cancel ([Premium] [Lifetime refill]).
REFILL_ONLY = 103

__all__ = ["ADMIN_CHAT", "PANEL_KEY", "TOKEN"]


def order_button(order_id: int) -> str:
    """The callback data of an order card, as the bot wires it."""
    return OrderCb(order_id=order_id, page=0).pack()


@dataclass
class Shopfront:
    """The shop's core as the bot wires it, over a real SQLite file and a sandbox panel
    reached over loopback HTTP. :meth:`restart` closes the database and opens it again
    with new services, as a restarted process would."""

    path: Path
    panel: SandboxPanel
    clock: ManualClock
    client: PanelClient
    shop: Terms
    texts: Texts
    db: Database
    alerts: Alerts
    tracker: Tracker

    @classmethod
    async def open(
        cls, path: Path, panel: SandboxPanel, clock: ManualClock, client: PanelClient
    ) -> Shopfront:
        shop = Terms(currency=USD, markup_percent=Decimal(30), admin_chat_id=ADMIN_CHAT)
        texts = await Texts.load("en")
        db = await Database.open(path)
        alerts = Alerts(shop, texts)
        tracker = Tracker(db, client, USD, Notices(shop, texts, order_button), alerts)
        return cls(path, panel, clock, client, shop, texts, db, alerts, tracker)

    def another_tracker(self, client: PanelClient | None = None) -> Tracker:
        """A second tracker on the same database, asking the panel through ``client``
        (default: the same client)."""
        notices = Notices(self.shop, self.texts, order_button)
        return Tracker(self.db, client or self.client, USD, notices, self.alerts)

    async def restart(self) -> None:
        await self.db.close()
        reopened = await Shopfront.open(self.path, self.panel, self.clock, self.client)
        self.db, self.alerts, self.tracker = reopened.db, reopened.alerts, reopened.tracker

    # --- set-up ---------------------------------------------------------------------------

    async def customer(self, user_id: int, language: str = "en", funds: Decimal = FUNDS) -> None:
        async with self.db.transaction() as tx:
            await tx.users.upsert(user_id, f"user{user_id}", f"Customer {user_id}", language)
            await credit(tx, user_id, funds, LedgerReason.TOPUP, f"topup:test:{user_id}")

    async def place(
        self,
        user_id: int,
        link: str = LINK,
        service: int = REFILL_AND_CANCEL,
        quantity: int | None = None,
    ) -> OrderRow:
        """A customer quotes and confirms an order; the panel takes it."""
        entry = self.panel.service(service)
        assert entry.order_type is OrderType.DEFAULT
        request = DefaultOrder(service=service, link=link, quantity=quantity or entry.min * 2)
        quote = await quote_order(self.db, self.shop, user_id, request)
        placement = await place_order(
            self.db, self.client, self.alerts, user_id, quote.id, terms=self.shop
        )
        assert placement.outcome is PlacementOutcome.PLACED, placement
        return placement.order

    async def place_many(self, orders: list[tuple[int, str]], at_once: int = 8) -> list[OrderRow]:
        """Place ``(customer, link)`` orders, a few at a time as customers would."""
        gate = asyncio.Semaphore(at_once)

        async def one(user_id: int, link: str) -> OrderRow:
            async with gate:
                return await self.place(user_id, link)

        return list(await asyncio.gather(*(one(user, link) for user, link in orders)))

    # --- the panel's clock ----------------------------------------------------------------

    def to_start(self) -> None:
        """Past the pending phase of the orders placed now: they run (or are canceled)."""
        self.clock.advance(self.panel.pending_seconds + 1)

    def to_end(self) -> None:
        """Past the end of every order placed before :meth:`to_start`."""
        self.clock.advance(self.panel.progress_seconds + 1)

    # --- looking -------------------------------------------------------------------------

    async def poll(self) -> PollReport:
        return await self.tracker.poll_once()

    async def order(self, order_id: int) -> OrderRow:
        async with self.db.read() as r:
            order = await r.orders.get(order_id)
        assert order is not None
        return order

    async def transitions(self, order_id: int) -> list[TransitionRow]:
        async with self.db.read() as r:
            return await r.orders.transitions(order_id)

    async def balance(self, user_id: int) -> Decimal:
        async with self.db.read() as r:
            return await r.ledger.balance(user_id)

    async def refunds(self, order_id: int) -> list[LedgerRow]:
        async with self.db.read() as r:
            rows = await r.ledger.rows_for_order(order_id)
        return [row for row in rows if row.reason is LedgerReason.REFUND]

    async def outbox(self) -> list[OutboxRow]:
        """Every message queued and not yet sent, oldest first."""
        async with self.db.read() as r:
            return await r.outbox.due(utc_now(), 100_000)

    async def notices(self, chat_id: int) -> list[OutboxRow]:
        return [row for row in await self.outbox() if row.chat_id == chat_id]

    async def alerts_queued(self) -> list[OutboxRow]:
        return [row for row in await self.outbox() if row.kind == ALERT_KIND]

    def calls(self, action: str) -> list[RecordedRequest]:
        return [request for request in self.panel.requests if request.action == action]


@pytest.fixture
def panel_funds() -> Decimal:
    return Decimal(1_000_000)


@pytest.fixture
async def front(
    database_path: Path, panel: SandboxPanel, clock: ManualClock, panel_client: PanelClient
) -> AsyncIterator[Shopfront]:
    """The shop's core over its database, the sandbox's catalogue synced into it."""
    shopfront = await Shopfront.open(database_path, panel, clock, panel_client)
    yield shopfront
    # Every scenario ends with the books in order.
    await assert_ledger_consistent(shopfront.db, USD)
    await shopfront.db.close()
