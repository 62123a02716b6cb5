"""Commands and buttons of the admin group, by topic. The routers are only ever reached
from ``ADMIN_CHAT_ID`` by a user in ``ADMIN_IDS`` (the parent built in
:func:`handlers.build_routers` filters once); anyone else gets nothing."""

from __future__ import annotations

from aiogram import Router

from handlers.admin import (
    bans,
    broadcast,
    catalogue,
    customers,
    exports,
    manual_payments,
    orders,
    promo,
    shop_state,
    support,
    usage,
)
from handlers.admin.usage import COMMANDS

__all__ = ["COMMANDS", "router"]


def router() -> Router:
    """A new tree of the admin routers on each call (a Router joins one parent only)."""
    admin = Router(name="admin")
    admin.include_routers(
        shop_state.router(),
        orders.router(),
        customers.router(),
        bans.router(),
        exports.router(),
        catalogue.router(),
        broadcast.router(),
        manual_payments.router(),
        promo.router(),
        support.router(),
        # Last: what none of the others took.
        usage.router(),
    )
    return admin
