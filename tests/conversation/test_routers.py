"""The tree of routers: each module builds its own router, and what a module puts on its
router holds in the bot as it does in the module."""

from __future__ import annotations

from types import ModuleType

import pytest
from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery

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
from handlers.callbacks import ChoiceCb, MenuCb
from handlers.filters import gate_callbacks

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


def _routers(router: Router) -> list[Router]:
    return [router, *(inner for sub in router.sub_routers for inner in _routers(sub))]


def test_every_filter_and_handler_of_the_tree_runs_in_the_event_loop() -> None:
    """aiogram runs a plain function or a magic filter on a worker thread, a hand-over per
    update at every router it passes; the bot's tree has none."""
    on_a_thread = [
        f"{router.name}.{kind}: {callable_object.callback!r}"
        for router in _routers(build_router(-100500, [7001]))
        for kind, observer in router.observers.items()
        for callable_object in (
            # A router's own filters are kept on a handler object of its observer.
            *(observer._handler.filters or ()),
            *observer.handlers,
            *(f for handler in observer.handlers for f in handler.filters or ()),
        )
        if not callable_object.awaitable
    ]
    assert on_a_thread == []


async def _entered_by_tap(root: Router, data: str) -> list[str]:
    """The routers a tap with ``data`` in a private chat gets into (their own filters
    pass, and their parent's)."""
    query = CallbackQuery.model_validate(
        {
            "id": "1",
            "from": {"id": 42, "is_bot": False, "first_name": "Alice"},
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 42, "type": "private"},
                "text": "menu",
            },
        }
    )

    async def entered(router: Router) -> list[str]:
        # With what aiogram's user-context middleware puts in every update's data.
        passed, _ = await router.callback_query.check_root_filters(
            query,
            event_chat=query.message.chat if query.message else None,
            event_from_user=query.from_user,
        )
        if not passed:
            return []
        inner = [name for sub in router.sub_routers for name in await entered(sub)]
        return [router.name, *inner]

    return await entered(root)


async def test_a_tap_enters_only_the_routers_with_a_handler_for_its_button() -> None:
    entered = await _entered_by_tap(build_router(-100500, [7001]), MenuCb(screen="new").pack())

    # Every module with a main-menu button, and the fallback that answers any tap.
    assert entered == [
        "root",
        "storefront",
        "menu",
        "handlers.support",
        "orders",
        "account",
        "promo_codes",
        "payments",
        "catalogue",
        "fallback",
    ]


async def test_a_tap_of_a_form_button_skips_the_menu_and_catalogue() -> None:
    data = ChoiceCb(field="dripfeed", value="no").pack()

    entered = await _entered_by_tap(build_router(-100500, [7001]), data)

    assert entered == ["root", "storefront", "order_form", "fallback"]


async def test_a_router_with_a_handler_for_any_tap_is_not_gated() -> None:
    router = Router(name="any")
    router.callback_query.register(_any_tap)
    inner = Router(name="inner")
    inner.callback_query.register(_any_tap, MenuCb.filter())
    router.include_router(inner)

    assert gate_callbacks(router) is router
    assert await _entered_by_tap(router, "anything:at:all") == ["any", "inner"]


async def test_a_gated_router_lets_in_the_buttons_of_its_sub_routers_too() -> None:
    router = Router(name="outer")
    router.callback_query.register(_any_tap, MenuCb.filter())
    inner = Router(name="inner")
    inner.callback_query.register(_any_tap, ChoiceCb.filter())
    router.include_router(inner)
    gate_callbacks(router)

    for data in ("m:new", ChoiceCb(field="link", value="x").pack(), "m"):
        assert await _entered_by_tap(router, data) == ["outer", "inner"]
    assert await _entered_by_tap(router, "buy:1") == []
    assert await _entered_by_tap(router, "") == []


async def _any_tap(callback: CallbackQuery) -> None:
    await callback.answer()


class _PipedCb(CallbackData, prefix="piped", sep="|"):
    value: str


async def test_a_gated_router_lets_in_taps_of_callback_data_with_its_own_separator() -> None:
    router = Router(name="piped")
    router.callback_query.register(_any_tap, _PipedCb.filter())
    gate_callbacks(router)

    assert await _entered_by_tap(router, _PipedCb(value="a:b").pack()) == ["piped"]
    assert await _entered_by_tap(router, "piped:a") == []
