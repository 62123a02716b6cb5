"""aiogram routers, one module per feature, assembled in one place."""

from __future__ import annotations

from aiogram import F, Router

from handlers import account, catalog, confirm, menu, order_form


def build_router() -> Router:
    """The bot's routers. The storefront answers private chats only."""
    storefront = Router(name="storefront")
    storefront.message.filter(F.chat.type == "private")
    storefront.callback_query.filter(F.message.chat.type == "private")
    # Commands first; free text falls through to the form, then to the catalogue search.
    storefront.include_routers(
        menu.router, confirm.router, order_form.router, account.router, catalog.router
    )
    return storefront
