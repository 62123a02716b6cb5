"""aiogram routers, one module per feature, assembled in one place."""

from __future__ import annotations

from collections.abc import Collection

from aiogram import F, Router
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from handlers import (
    account,
    admin,
    catalog,
    confirm,
    fallback,
    menu,
    order_form,
    orders,
    payments,
)


def _own_copy(template: Router) -> Router:
    """A new router with the handlers (and middlewares) of a module's router.

    A Router joins one parent only, and each Dispatcher needs a tree of its own (a restart
    within the process, every test), so the module routers are templates, never attached.
    Filters for the whole storefront go on the parent built in :func:`build_router`.
    """
    router = Router(name=template.name)
    for event, observer in template.observers.items():
        copied = router.observers[event]
        copied.handlers.extend(observer.handlers)
        for middleware in observer.outer_middleware:
            copied.outer_middleware.register(middleware)
        for middleware in observer.middleware:
            copied.middleware.register(middleware)
    return router


def build_router(admin_chat_id: int | None, admin_ids: Collection[int]) -> Router:
    """The bot's routers, a new tree on each call. The storefront answers private chats
    only; the admin commands answer only admins in the admin group, and nobody else."""
    root = Router(name="root")
    if admin_chat_id is not None and admin_ids:
        staff = admin.router()
        admins = frozenset(admin_ids)
        staff.message.filter(F.chat.id == admin_chat_id, F.from_user.id.in_(admins))
        staff.callback_query.filter(F.message.chat.id == admin_chat_id, F.from_user.id.in_(admins))
        # The admin group's buttons set their toast on ``callback_answer``; this answers them.
        staff.callback_query.middleware(CallbackAnswerMiddleware())
        root.include_router(staff)
    storefront = Router(name="storefront")
    storefront.message.filter(F.chat.type == "private")
    storefront.callback_query.filter(F.message.chat.type == "private")
    # Commands first; free text falls through to the form, then to the catalogue search; a
    # button no handler takes (stale or forged) is answered last.
    storefront.include_routers(
        *(
            _own_copy(module.router)
            for module in (menu, confirm, order_form, orders, account, payments, catalog, fallback)
        )
    )
    root.include_router(storefront)
    return root
