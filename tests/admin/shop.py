"""What the admin tests need to set up and read back: customers with money, orders placed
the way a confirmation places them, the ledger and the alerts queued for the group."""

from __future__ import annotations

import re
from decimal import Decimal

import aiohttp

from api import DefaultOrder, PanelClient
from api.sandbox import Fault, SandboxPanel
from bot.runtime import Runtime
from shop.alerts import ALERT_KIND
from shop.ledger import credit
from shop.ordering import Placement, PlacementOutcome, place_order, quote_order
from shop.storage import LedgerReason, LedgerRow, OrderRow, OutboxRow, utc_now

from ..support.telegram import BotClient
from .conftest import PANEL_KEY

#: Instagram Followers [Real]: rate 0.90 per 1000, refills and cancels offered.
FOLLOWERS = 101
#: Instagram Followers [HQ]: rate 0.45 per 1000, cancels but no refills.
HQ_FOLLOWERS = 102
LINK = "https://instagram.com/shop.alice"


def usd(amount: Decimal | int | str) -> str:
    """Money as the shop writes it: ``1.17 USD``."""
    return f"{Decimal(amount).quantize(Decimal('0.01')):f} USD"


async def add_customer(
    services: Runtime,
    user_id: int,
    *,
    username: str | None = None,
    first_name: str | None = None,
    language: str = "en",
    funds: Decimal = Decimal(0),
    blocked: bool = False,
) -> None:
    """A customer the shop knows, with ``funds`` topped up."""
    async with services.db.transaction() as tx:
        await tx.users.upsert(user_id, username, first_name or f"Customer {user_id}", language)
        if blocked:
            await tx.users.set_blocked(user_id, True)
        if funds:
            await credit(tx, user_id, funds, LedgerReason.TOPUP, f"topup:test:{user_id}")


async def place(
    services: Runtime,
    user_id: int,
    *,
    service_id: int = FOLLOWERS,
    quantity: int = 1000,
    link: str = LINK,
    panel: PanelClient | None = None,
) -> Placement:
    """Quote and confirm a Default order, as the customer's Confirm does."""
    request = DefaultOrder(service=service_id, link=link, quantity=quantity)
    quote = await quote_order(services.db, services.terms, user_id, request)
    return await place_order(
        services.db,
        panel or services.panel,
        services.alerts,
        user_id,
        quote.id,
        terms=services.terms,
    )


async def ledger_rows(services: Runtime, user_id: int) -> list[LedgerRow]:
    """The customer's ledger, oldest first."""
    async with services.db.read() as r:
        return list(reversed(await r.ledger.history(user_id, limit=1000)))


async def balance(services: Runtime, user_id: int) -> Decimal:
    async with services.db.read() as r:
        return await r.ledger.balance(user_id)


async def order(services: Runtime, order_id: int) -> OrderRow:
    async with services.db.read() as r:
        found = await r.orders.get(order_id)
    assert found is not None
    return found


async def group_alerts(services: Runtime) -> list[OutboxRow]:
    """The alerts queued for the admin group, oldest first."""
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 10_000)
    return [row for row in rows if row.kind == ALERT_KIND]


def last_text(client: BotClient) -> str:
    """The bot's latest text message in ``client``'s chat, whatever picture came after it
    (/stats sends its chart after its text)."""
    texts = [message for message in client.screen.bot_messages if message.kind == "text"]
    assert texts, client.screen.transcript()
    return texts[-1].text or ""


_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def undated(text: str | None) -> str:
    """``text`` with every ``YYYY-MM-DD HH:MM`` replaced by ``<at>``."""
    return _MOMENT.sub("<at>", text or "")


async def uncertain_order(
    services: Runtime,
    panel: SandboxPanel,
    user_id: int,
    *,
    quantity: int = 1000,
    link: str = LINK,
) -> Placement:
    """An order whose ``add`` the panel applied but never answered: a timeout after the
    panel took it. Placed through a client that gives up after half a second."""
    panel.faults.add(Fault.timeout(action="add", after_apply=True, times=1))
    async with PanelClient(
        services.settings.panel_api_url,
        PANEL_KEY,
        timeouts=aiohttp.ClientTimeout(total=0.5),
    ) as impatient:
        placement = await place(services, user_id, quantity=quantity, link=link, panel=impatient)
    assert placement.outcome is PlacementOutcome.HELD
    return placement
