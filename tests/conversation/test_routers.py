"""The tree of routers: each module builds its own router, and what a module puts on its
router holds in the bot as it does in the module."""

from __future__ import annotations

from types import ModuleType

import pytest
from aiogram import Bot, F, Router

from bot.app import Runtime, create_dispatcher
from handlers import (
    account,
    admin,
    build_router,
    catalogue,
    confirm,
    fallback,
    menu,
    order_form,
    orders,
    payments,
)

from ..support.telegram import BotClient

MODULES = (account, admin, catalogue, confirm, fallback, menu, order_form, orders, payments)
UNKNOWN_COMMAND = (
    "I don't know that command. /start opens the menu, /help tells how ordering works, "
    "/cancel stops an order."
)


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_each_module_builds_a_new_router_on_each_call(module: ModuleType) -> None:
    first, second = module.router(), module.router()
    assert isinstance(first, Router)
    assert first is not second


def test_each_tree_is_new_and_holds_every_module() -> None:
    first, second = build_router(-100500, [7001]), build_router(-100500, [7001])

    names = {router.name for router in first.chain_tail}
    assert {"menu", "catalogue", "order_form", "orders", "fallback", "admin"} <= names
    assert not {id(router) for router in first.chain_tail} & {
        id(router) for router in second.chain_tail
    }


async def test_a_filter_on_a_module_router_holds_in_the_bot(
    monkeypatch: pytest.MonkeyPatch, services: Runtime, bot: Bot
) -> None:
    built_by_menu = menu.router

    def menu_without_help() -> Router:
        router = built_by_menu()
        router.message.filter(F.text != "/help")
        return router

    monkeypatch.setattr(menu, "router", menu_without_help)
    alice = BotClient(create_dispatcher(services), bot)

    await alice.send("/help")
    assert alice.screen.last.text == UNKNOWN_COMMAND
    await alice.send("/start")
    assert (alice.screen.last.text or "").startswith("👋 Hello, Alice!")
