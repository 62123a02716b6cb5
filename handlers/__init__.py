"""aiogram routers, one module per feature, assembled in one place.

Each module builds its router with ``router()``, a new one on each call: a Router joins one
parent only, and each Dispatcher needs a tree of its own (a restart within the process,
every test). Filters for a whole chat kind go once on its parent router here.
"""

from __future__ import annotations

from collections.abc import Collection

from aiogram import Router

from handlers import (
    account,
    admin,
    banned,
    catalogue,
    channel,
    confirm,
    crypto_topups,
    exports,
    fallback,
    manual_payments,
    menu,
    order_form,
    orders,
    payments,
    promo_codes,
    support,
    support_staff,
)
from handlers.filters import InChat, PrivateChat
from handlers.gates import Gates, gate


def build_routers(admin_chat_id: int | None, admin_ids: Collection[int]) -> list[Router]:
    """The bot's routers, new ones on each call, for the Dispatcher to hold directly (each
    level of routers costs every update a pass). The storefront answers private chats
    only; the admin commands answer only admins in the admin group, and nobody else; what
    any member of the admin group writes to a customer's conversation goes to them."""
    routers: list[Router] = []
    if admin_chat_id is not None and admin_ids:
        routers.append(
            gate(_admin_group(admin_chat_id, frozenset(admin_ids)), chat_id=admin_chat_id)
        )
    if admin_chat_id is not None:
        routers.append(gate(_staff(admin_chat_id), chat_id=admin_chat_id))
    routers.append(_storefront())
    return routers


def _admin_group(admin_chat_id: int, admins: frozenset[int]) -> Router:
    """The admin commands, for the admins in the admin group."""
    group = Router(name="admin_group")
    group.message.filter(InChat(admin_chat_id, admins))
    group.callback_query.filter(InChat(admin_chat_id, admins))
    group.include_router(admin.router())
    return group


def _staff(admin_chat_id: int) -> Router:
    """The staff's answers to customers: from any member of the admin group."""
    staff = Router(name="staff")
    staff.message.filter(InChat(admin_chat_id))
    staff.include_router(support_staff.router())
    return staff


def _storefront() -> Router:
    """The customers' side, in private chats."""
    storefront = Router(name="storefront")
    storefront.message.filter(PrivateChat())
    storefront.callback_query.filter(PrivateChat())
    banned.guard(storefront)
    channel.guard(storefront)
    # Commands first (also in the middle of a form or with a quote waiting, which take any
    # text as an answer); free text falls through to the form, then to the catalogue
    # search; a button no handler takes (stale or forged) is answered last.
    storefront.include_router(
        Gates(
            module.router()
            for module in (
                menu,
                channel,
                support,
                exports,
                confirm,
                order_form,
                orders,
                account,
                promo_codes,
                payments,
                crypto_topups,
                manual_payments,
                catalogue,
                fallback,
            )
        )
    )
    return storefront
