"""What a conversation test needs to know about the shop as a customer sees it: the labels
of the catalogue's buttons, the prices, and a customer's way to a service's order form.

Expectations are computed from the sandbox panel's catalogue (the panel's rate and limits)
and the shop's terms (30 % markup, prices in USD rounded up to the cent), never read back
from the bot.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal
from typing import Any

from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Message, PhotoSize, Sticker, Update

from api import OrderType, Service
from api.sandbox import SandboxPanel
from bot.app import Runtime
from shop.storage import LedgerReason, LedgerRow

from ..support.telegram import BotClient, ScreenMessage

MARKUP = Decimal("1.30")
#: Telegram shows long button labels cut; the shop cuts them itself at this length.
MAX_LABEL = 60
FIRST_PANEL_ORDER = 23501


def usd(amount: Decimal) -> str:
    """Money as the shop writes it: ``1.17 USD``."""
    return f"{amount.quantize(Decimal('0.01')):f} USD"


def shop_price(panel_cost: Decimal) -> Decimal:
    """The customer's price for what the panel charges: +30 %, rounded up to the cent."""
    return (panel_cost * MARKUP).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def order_price(service: Service, units: int) -> Decimal:
    """Price of ``units`` of a service sold per 1000 (packages: ``units`` = 1 at the rate)."""
    per = 1 if service.order_type in PACKAGES else 1000
    return shop_price(service.rate * units / per)


PACKAGES = frozenset({OrderType.PACKAGE, OrderType.CUSTOM_COMMENTS_PACKAGE})


def grouped(number: int) -> str:
    """A number as the English texts show it: ``10,000``."""
    return f"{number:,}"


def fitted(name: str, tail: str) -> str:
    """A button label ``name + tail`` as shown: a long name is cut with "…", never the tail."""
    label = name + tail
    if len(label) <= MAX_LABEL:
        return label
    return f"{name[: MAX_LABEL - len(tail) - 1]}…{tail}"


def service_label(service: Service) -> str:
    """The service's button: name and price per 1000 (or per package)."""
    return fitted(service.name, f" — {usd(shop_price(service.rate))}")


def category_label(panel: SandboxPanel, category: str) -> str:
    """The category's button: its name and how many services it offers."""
    count = sum(
        1
        for row in panel.services
        if row["category"] == category and int(row["service"]) not in panel.disabled_services
    )
    return fitted(category, f" ({count})")


def service_of_type(
    panel: SandboxPanel,
    order_type: OrderType,
    where: Callable[[Service], bool] = lambda service: True,
) -> Service:
    """The first service of the sandbox catalogue of ``order_type`` (matching ``where``)."""
    for row in panel.services:
        service = panel.service(int(row["service"]))
        if service.order_type is order_type and where(service):
            return service
    raise LookupError(f"no {order_type} service in the sandbox catalogue")


async def click_through_pages(client: BotClient, label: str) -> None:
    """Tap ``label`` on the current list, paging forward with ▶ until it shows up."""
    for _ in range(50):
        if label in client.screen.last.labels:
            await client.click(label)
            return
        await client.click("▶")
    raise AssertionError(f"{label!r} is on no page\n{client.screen.transcript()}")


async def open_service(client: BotClient, panel: SandboxPanel, service: Service) -> ScreenMessage:
    """From the main menu: New order, the service's category, the service. Its card."""
    await client.click("New order")
    await click_through_pages(client, category_label(panel, service.category))
    await click_through_pages(client, service_label(service))
    return client.screen.last


async def start_order(client: BotClient, panel: SandboxPanel, service: Service) -> None:
    """/start, then the way to the service's card, then Order: the form's first question."""
    await client.send("/start")
    await open_service(client, panel, service)
    await client.click("Order")


async def ledger(services: Runtime, user_id: int) -> list[tuple[LedgerReason, Decimal]]:
    """The customer's ledger, oldest first, as (reason, amount)."""
    rows: list[LedgerRow]
    async with services.db.read() as r:
        rows = await r.ledger.history(user_id, limit=1000)
    return [(row.reason, row.amount) for row in reversed(rows)]


def row_count(services: Runtime, table: str) -> int:
    """Rows in a table of the shop's database, read as another process would."""
    with sqlite3.connect(services.settings.database_path) as connection:
        (count,) = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
    return int(count)


def add_requests(panel: SandboxPanel) -> list[dict[str, str]]:
    """The fields of every ``add`` the panel received."""
    return [request.fields for request in panel.requests if request.action == "add"]


async def reach_summary(
    client: BotClient,
    panel: SandboxPanel,
    service: Service,
    *,
    link: str = "https://instagram.com/shop.alice",
    quantity: int = 1000,
) -> ScreenMessage:
    """/start and a Default order of ``service`` up to its summary (no drip-feed)."""
    await start_order(client, panel, service)
    await client.send(link)
    await client.send(str(quantity))
    if service.dripfeed:
        await client.click("No")
    return client.screen.last


def answered_callbacks(client: BotClient) -> set[str]:
    """Ids of the callback queries the bot answered."""
    return {
        call.method.callback_query_id
        for call in client.session.calls
        if call.ok and isinstance(call.method, AnswerCallbackQuery)
    }


def unanswered_callbacks(client: BotClient) -> set[str]:
    """The user's callback queries the bot left unanswered (Telegram keeps a spinner)."""
    # The client keeps the ids it issued; the harness has no public view of them.
    return set(client._callback_ids) - answered_callbacks(client)


def non_text_update(client: BotClient, kind: str) -> Update:
    """The user sends a photo or a sticker instead of text."""
    message_id = client.screen.next_message_id()
    media: dict[str, Any] = (
        {"photo": [PhotoSize(file_id="photo", file_unique_id="p1", width=90, height=90)]}
        if kind == "photo"
        else {
            "sticker": Sticker(
                file_id="sticker",
                file_unique_id="s1",
                type="regular",
                width=512,
                height=512,
                is_animated=False,
                is_video=False,
            )
        }
    )
    message = Message(
        message_id=message_id,
        date=dt.datetime.now(dt.UTC),
        chat=client.chat,
        from_user=client.user,
        **media,
    )
    return Update(update_id=client.session.next_update_id(), message=message)


#: The main menu's buttons.
MENU = [
    ["🛒 New order"],
    ["📦 My orders", "💰 Balance"],
    ["💬 Support", "❓ Help"],
    ["🌐 Language"],
]
