"""Small builders of stored rows, so each test states only what it is about."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from api.models import Service
from shop.storage import (
    MAIN_PANEL,
    Destination,
    NewQuote,
    OrderRow,
    QuoteRow,
    Repositories,
    utc_now,
)


def panel_service(
    service_id: int = 101,
    *,
    name: str = "Instagram Followers",
    category: str = "Instagram",
    rate: str = "0.90",
    min_units: int = 10,
    max_units: int = 10_000,
    refill: bool = False,
) -> Service:
    return Service.model_validate(
        {
            "service": service_id,
            "name": name,
            "type": "Default",
            "category": category,
            "rate": rate,
            "min": min_units,
            "max": max_units,
            "refill": refill,
        }
    )


async def add_user(tx: Repositories, user_id: int = 1, username: str | None = None) -> None:
    await tx.users.upsert(user_id, username, f"User {user_id}", "en")


async def add_service(tx: Repositories, service_id: int = 101) -> None:
    await tx.services.upsert_many([panel_service(service_id)], utc_now())


async def add_quote(
    tx: Repositories,
    *,
    user_id: int = 1,
    service_id: int = 101,
    price: Decimal = Decimal("1.50"),
    expires_in: timedelta = timedelta(minutes=10),
) -> QuoteRow:
    return await tx.quotes.create(
        NewQuote(
            user_id=user_id,
            service_id=service_id,
            order_type="Default",
            fields={"link": "https://instagram.com/shop", "quantity": 1000},
            units=1000,
            price=price,
            cost=Decimal("0.90"),
            expires_at=utc_now() + expires_in,
        )
    )


async def add_order(
    tx: Repositories,
    *,
    user_id: int = 1,
    service_id: int = 101,
    quantity: int = 1000,
    panel: str = MAIN_PANEL,
) -> OrderRow:
    """An order in ``submitting`` at ``panel``, with the user, service and quote it needs."""
    if await tx.users.get(user_id) is None:
        await add_user(tx, user_id)
    if await tx.services.get(service_id) is None:
        await add_service(tx, service_id)
    quote = await add_quote(tx, user_id=user_id, service_id=service_id)
    return await tx.orders.insert_submitting(
        quote,
        destination=Destination(panel, service_id, "https://instagram.com/shop", quantity),
        price=quote.price,
        cost=quote.cost,
    )
