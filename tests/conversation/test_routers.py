"""The tree of routers: each module builds its own router, and what a module puts on its
router holds in the bot as it does in the module."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Annotated, Any

import pytest
from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED, SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from pydantic import ConfigDict, Field, ValidationError, field_validator

from bot.app import Runtime, create_dispatcher
from handlers import (
    account,
    admin,
    build_routers,
    callbacks,
    catalogue,
    confirm,
    fallback,
    menu,
    order_form,
    orders,
    payments,
)
from handlers.callbacks import ChoiceCb, LanguageCb, MenuCb
from handlers.gates import Gate, Gates, gate

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


def _tree(admin_chat_id: int | None, admin_ids: list[int]) -> Router:
    """The bot's routers under one root, as the Dispatcher holds them."""
    root = Router(name="root")
    root.include_routers(*build_routers(admin_chat_id, admin_ids))
    return root


def test_each_tree_is_new_and_holds_every_module() -> None:
    first, second = _tree(-100500, [7001]), _tree(-100500, [7001])

    names = {router.name for router in first.chain_tail}
    assert {"menu", "catalogue", "order_form", "orders", "fallback", "admin"} <= names
    assert not {id(router) for router in first.chain_tail} & {
        id(router) for router in second.chain_tail
    }


def test_the_dispatcher_holds_the_top_routers_itself(services: Runtime) -> None:
    # Each level of routers costs every update a pass through it. (The test shop has an
    # admin group and no admins: the staff's answers only.)
    dispatcher = create_dispatcher(services)

    assert [router.name for router in dispatcher.sub_routers] == ["staff (gate)", "storefront"]


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


async def test_the_services_reach_the_handler_not_every_filter_on_the_way(
    monkeypatch: pytest.MonkeyPatch, services: Runtime, bot: Bot
) -> None:
    # Every router and filter an update passes copies the handler data it is given.
    seen_by_filter: list[set[str]] = []
    built_by_menu = menu.router

    def menu_seen_by_a_filter() -> Router:
        router = built_by_menu()

        def record(_: Message, **data: Any) -> bool:
            seen_by_filter.append(set(data))
            return True

        router.message.filter(record)
        return router

    monkeypatch.setattr(menu, "router", menu_seen_by_a_filter)
    alice = BotClient(create_dispatcher(services), bot)

    requests = await alice.send("/cancel")  # Its handler asks for the order desk.

    assert requests.messages[0].text == "Cancelled. Nothing was ordered."
    [seen] = seen_by_filter
    assert {"services", "customer", "state", "i18n"} <= seen
    assert not {"catalogue", "customers", "wallet", "order_desk", "texts"} & seen


async def test_a_tap_is_unpacked_once_however_many_handlers_check_it(
    monkeypatch: pytest.MonkeyPatch, services: Runtime, bot: Bot
) -> None:
    # Several handlers check a main-menu tap (the balance screen's router has two).
    unpacked: list[tuple[str, str]] = []
    aiograms = CallbackData.unpack.__func__  # type: ignore[attr-defined]

    def counted(cls: type[CallbackData], value: str) -> CallbackData:
        data = aiograms(cls, value)
        unpacked.append((cls.__name__, value))
        return data  # type: ignore[no-any-return]

    monkeypatch.setattr(CallbackData, "unpack", classmethod(counted))
    monkeypatch.setattr(callbacks, "_unpacked", {})
    alice = BotClient(create_dispatcher(services), bot)
    await alice.send("/start")

    await alice.click("💰 Balance")
    await alice.click("🏠 Menu")
    await alice.click("💰 Balance")

    assert (alice.screen.last.text or "").startswith("💰 Your balance: 0.00 USD")
    assert unpacked.count(("MenuCb", "m:balance")) == 1
    with pytest.raises(ValidationError):
        MenuCb.unpack("m:balance").screen = "orders"  # type: ignore[misc]


def _routers(router: Router) -> list[Router]:
    return [router, *(inner for sub in router.sub_routers for inner in _routers(sub))]


def test_every_filter_and_handler_of_the_tree_runs_in_the_event_loop() -> None:
    """aiogram runs a plain function or a magic filter on a worker thread, a hand-over per
    update at every router it passes; the bot's tree has none."""
    on_a_thread = [
        f"{router.name}.{kind}: {callable_object.callback!r}"
        for router in _routers(_tree(-100500, [7001]))
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
    """The routers a tap with ``data`` in a private chat gets into (their gates and their
    own filters let it in, and their parent's)."""
    query = CallbackQuery.model_validate(_tap_fields(data))
    return await _entered(root, "callback_query", query, raw_state=None)


def _tap_fields(data: str) -> dict[str, Any]:
    """A tap with ``data`` on a bot's message in user 42's private chat, as JSON."""
    return {
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


async def _entered_by_message(
    root: Router,
    text: str,
    raw_state: str | None,
    *,
    in_group: int | None = None,
    replying_to: int | None = None,
) -> list[str]:
    """The routers a message ``text`` from user 42 gets into with the conversation at
    ``raw_state``: in a private chat, or in the group ``in_group``; a reply to the bot's
    message ``replying_to``, when given."""
    chat = (
        {"id": 42, "type": "private"}
        if in_group is None
        else {"id": in_group, "type": "supergroup", "title": "Staff"}
    )
    fields: dict[str, Any] = {
        "message_id": 10,
        "date": 0,
        "chat": chat,
        "from": {"id": 42, "is_bot": False, "first_name": "Alice"},
        "text": text,
    }
    if replying_to is not None:
        fields["reply_to_message"] = {
            "message_id": replying_to,
            "date": 0,
            "chat": chat,
            "text": "Our answer",
        }
    message = Message.model_validate(fields)
    return await _entered(root, "message", message, raw_state=raw_state)


async def _entered(
    root: Router, kind: str, event: CallbackQuery | Message, raw_state: str | None
) -> list[str]:
    chat = event.chat if isinstance(event, Message) else event.message.chat  # type: ignore[union-attr]
    # With what aiogram's user-context and FSM middlewares put in every update's data.
    data = {"event_chat": chat, "event_from_user": event.from_user, "raw_state": raw_state}

    async def entered(router: Router) -> list[str]:
        if isinstance(router, Gates):
            return [name for each in router.sub_routers for name in await entered(each)]
        if isinstance(router, Gate):
            return await entered(router.inner) if router.admits(kind, event, data) else []
        passed, _ = await router.observers[kind].check_root_filters(event, **data)
        if not passed:
            return []
        inner = [name for sub in router.sub_routers for name in await entered(sub)]
        return [router.name, *inner]

    return await entered(root)


@pytest.mark.parametrize(
    ("screen", "module"),
    [
        ("new", "catalogue"),
        ("main", "menu"),
        ("help", "menu"),
        ("language", "menu"),
        ("orders", "orders"),
        ("balance", "account"),
        ("support", "handlers.support"),
        ("promo", "promo_codes"),
        ("topup", "payments"),
        ("topup-new", "payments"),
        ("referral", "payments"),
    ],
)
async def test_a_main_menu_tap_enters_only_the_router_of_its_screen(
    screen: str, module: str
) -> None:
    entered = await _entered_by_tap(_tree(-100500, [7001]), MenuCb(screen=screen).pack())

    # Seven modules have a screen of the main menu; the fallback answers any tap.
    assert entered == ["root", "storefront", module, "fallback"]


async def test_a_main_menu_tap_nobody_handles_reaches_the_fallback_alone() -> None:
    for data in ("m:stats", "m:new:1", "m:", "m"):
        entered = await _entered_by_tap(_tree(-100500, [7001]), data)

        assert entered == ["root", "storefront", "fallback"], data


async def test_a_kind_filtered_other_than_by_one_text_is_let_in_by_its_prefix() -> None:
    """Only ``F.<its one text field> == "text"`` names one button; any other rule, or a
    kind of more fields, lets in every tap of the kind, as the handler may take any."""
    router = Router(name="kinds")
    router.callback_query.register(_any_tap, MenuCb.filter(F.screen != "main"))
    router.callback_query.register(_any_tap, LanguageCb.filter(F.code.in_({"en", "ru"})))
    router.callback_query.register(_any_tap, ChoiceCb.filter(F.field == "link"))
    router.callback_query.register(_any_tap, _PipedCb.filter(F.value == "a|b"))
    gated = gate(router)

    assert gated.taps is not None
    assert gated.taps.exact == frozenset()
    for data in ("m:orders", "lang:ru", ChoiceCb(field="link", value="x").pack(), "piped|x"):
        assert await _entered_by_tap(gated, data) == ["kinds"], data


class _DefaultCb(CallbackData, prefix="dflt"):
    screen: str = "main"


class _StrippedCb(CallbackData, prefix="strip"):
    screen: str

    @field_validator("screen")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()


class _LowerCb(CallbackData, prefix="low"):
    model_config = ConfigDict(str_to_lower=True)

    screen: str


class _ShortCb(CallbackData, prefix="short"):
    screen: Annotated[str, Field(max_length=8)]


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (_DefaultCb, "dflt:"),
        (_StrippedCb, "strip: main"),
        (_LowerCb, "low:MAIN"),
        (_ShortCb, "short:main"),
    ],
    ids=["default", "validator", "setting", "constraint"],
)
async def test_a_text_read_other_than_as_packed_is_let_in_by_its_prefix(
    kind: type[CallbackData], data: str
) -> None:
    """A default, a validator, a text setting or a constraint may read other data as the
    handler's text: the gate cannot name one button, so it lets in the kind."""
    check = kind.filter(F.screen == "main")
    router = Router(name="kinds")
    router.callback_query.register(_any_tap, check)
    gated = gate(router)

    # The handler takes this tap...
    assert await check(CallbackQuery.model_validate(_tap_fields(data)))
    # ...so the gate lets it in.
    assert gated.taps is not None
    assert gated.taps.exact == frozenset()
    assert await _entered_by_tap(gated, data) == ["kinds"]


async def test_one_screen_is_let_in_beside_the_kinds_of_the_same_router() -> None:
    router = Router(name="mixed")
    router.callback_query.register(_any_tap, MenuCb.filter(F.screen == "orders"))
    router.callback_query.register(_any_tap, ChoiceCb.filter())
    gated = gate(router)

    assert gated.taps is not None
    assert gated.taps.exact == frozenset({"m:orders"})
    for data in ("m:orders", ChoiceCb(field="link", value="x").pack()):
        assert await _entered_by_tap(gated, data) == ["mixed"], data
    for data in ("m:new", "m:orders:1", "m:Orders"):
        assert await _entered_by_tap(gated, data) == [], data


async def test_a_tap_of_a_form_button_skips_the_menu_and_catalogue() -> None:
    data = ChoiceCb(field="dripfeed", value="no").pack()

    entered = await _entered_by_tap(_tree(-100500, [7001]), data)

    assert entered == ["root", "storefront", "order_form", "fallback"]


async def test_a_router_with_a_handler_for_any_tap_is_not_gated() -> None:
    router = Router(name="any")
    router.callback_query.register(_any_tap)
    inner = Router(name="inner")
    inner.callback_query.register(_any_tap, MenuCb.filter())
    router.include_router(inner)

    gated = gate(router)

    assert gated.taps is None
    assert await _entered_by_tap(gated, "anything:at:all") == ["any", "inner"]


async def test_a_gated_router_lets_in_the_buttons_of_its_sub_routers_too() -> None:
    router = Router(name="outer")
    router.callback_query.register(_any_tap, MenuCb.filter())
    inner = Router(name="inner")
    inner.callback_query.register(_any_tap, ChoiceCb.filter())
    router.include_router(inner)
    gated = gate(router)

    for data in ("m:new", ChoiceCb(field="link", value="x").pack(), "m"):
        assert await _entered_by_tap(gated, data) == ["outer", "inner"]
    assert await _entered_by_tap(gated, "buy:1") == []
    assert await _entered_by_tap(gated, "") == []


async def _any_tap(callback: CallbackQuery) -> None:
    await callback.answer()


async def test_gates_call_only_the_routers_their_gates_admit_in_order() -> None:
    handled: list[str] = []
    called: list[str] = []

    def router(name: str, *filters: Any, skip: bool = False) -> Router:
        async def take(callback: CallbackQuery) -> str:
            handled.append(name)
            if skip:
                raise SkipHandler
            return name

        built = Router(name=name)
        built.callback_query.register(take, *filters)
        return built

    gates = Gates(
        [
            router("skips", MenuCb.filter(), skip=True),
            router("choices", ChoiceCb.filter()),
            router("menu", MenuCb.filter()),
            router("any"),
        ]
    )
    for each in gates.sub_routers:
        assert isinstance(each, Gate)
        propagate = each.inner.propagate_event

        async def spy(
            *args: Any, _name: str = each.inner.name, _go: Any = propagate, **kwargs: Any
        ) -> Any:
            called.append(_name)
            return await _go(*args, **kwargs)

        each.inner.propagate_event = spy  # type: ignore[method-assign]

    async def tap(data: str) -> Any:
        handled.clear()
        called.clear()
        query = CallbackQuery.model_validate(_tap_fields(data))
        return await gates.propagate_event("callback_query", query)

    # Unhandled by the first router it enters, it goes on to the next that admits it.
    assert await tap("m:new") == "menu"
    assert handled == called == ["skips", "menu"]
    assert await tap(ChoiceCb(field="link", value="x").pack()) == "choices"
    assert handled == called == ["choices"]
    assert await tap("buy:1") == "any"
    assert handled == called == ["any"]
    # Nothing but taps has a handler: a message is let into no router at all.
    message = Message.model_validate(
        {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "hi"}
    )
    called.clear()
    assert await gates.propagate_event("message", message) is UNHANDLED
    assert called == []


async def test_gates_try_a_router_included_later_and_honour_their_own_filter() -> None:
    handled: list[str] = []

    def router(name: str, *filters: Any) -> Router:
        async def take(callback: CallbackQuery) -> str:
            handled.append(name)
            return name

        built = Router(name=name)
        built.callback_query.register(take, *filters)
        return built

    gates = Gates([router("menu", MenuCb.filter())])
    gates.include_router(router("late"))
    query = CallbackQuery.model_validate(_tap_fields("buy:1"))

    # Behind no gate, the router included later is tried as any sub-router is.
    assert await gates.propagate_event("callback_query", query) == "late"
    # A filter on Gates itself holds: what it turns away reaches none of its routers.
    gates.callback_query.filter(F.data.startswith("m:"))
    handled.clear()
    assert await gates.propagate_event("callback_query", query) is UNHANDLED
    assert handled == []
    tap = CallbackQuery.model_validate(_tap_fields("m:new"))
    assert await gates.propagate_event("callback_query", tap) == "menu"


class _PipedCb(CallbackData, prefix="piped", sep="|"):
    value: str


async def test_a_gated_router_lets_in_taps_of_callback_data_with_its_own_separator() -> None:
    router = Router(name="piped")
    router.callback_query.register(_any_tap, _PipedCb.filter())
    gated = gate(router)

    assert await _entered_by_tap(gated, _PipedCb(value="a:b").pack()) == ["piped"]
    assert await _entered_by_tap(gated, "piped:a") == []


async def test_a_typed_answer_enters_only_the_routers_asking_for_its_state() -> None:
    root = _tree(-100500, [7001])

    # The form's field.
    entered = await _entered_by_message(root, "https://t.me/shop", "DefaultForm:link")
    assert entered == ["root", "storefront", "order_form"]
    # Outside any form, words are a catalogue search.
    entered = await _entered_by_message(root, "likes", None)
    assert entered == ["root", "storefront", "catalogue"]


async def test_a_reply_enters_the_support_router_too_whatever_the_state() -> None:
    """A reply may answer the staff: the support router takes it, in a form or not."""
    root = _tree(-100500, [7001])

    entered = await _entered_by_message(root, "thanks", "DefaultForm:link", replying_to=5)
    assert entered == ["root", "storefront", "handlers.support", "order_form"]
    entered = await _entered_by_message(root, "thanks", None, replying_to=5)
    assert entered == ["root", "storefront", "handlers.support", "catalogue"]


async def test_a_command_enters_the_routers_with_commands() -> None:
    entered = await _entered_by_message(_tree(-100500, [7001]), "/start", None)

    assert entered == [
        "root",
        "storefront",
        "menu",
        "handlers.support",
        "exports",
        # Outside a form, any text is let into the catalogue search, which leaves commands.
        "catalogue",
        "fallback",
    ]


@pytest.mark.parametrize("space", [" ", "\n", "\u00a0", "\u3000"], ids=repr)
async def test_a_command_after_whitespace_is_still_let_in(space: str) -> None:
    # aiogram's Command reads the first word, whatever whitespace comes before it.
    root = _tree(-100500, [7001])

    assert "menu" in await _entered_by_message(root, f"{space}/start", None)
    assert "menu" in await _entered_by_message(root, f"{space}/cancel", "DefaultForm:link")


async def _any_message(message: Message) -> None:
    await message.answer("seen")


class _Form(StatesGroup):
    first = State()
    second = State()


async def test_a_router_of_states_and_commands_lets_in_only_those() -> None:
    router = Router(name="form")
    router.message.register(_any_message, StateFilter(_Form.first, "Other:step"))
    router.message.register(_any_message, StateFilter(_Form))
    router.message.register(_any_message, Command("go", prefix="/!"))
    gated = gate(router)

    for text, state in (
        ("hi", "_Form:first"),
        ("hi", "_Form:second"),
        ("hi", "Other:step"),
        ("/go", None),
        ("!go", "Else:where"),
    ):
        assert await _entered_by_message(gated, text, state) == ["form"], (text, state)
    assert await _entered_by_message(gated, "hi", None) == []
    assert await _entered_by_message(gated, "hi", "Else:where") == []


@pytest.mark.parametrize(
    "register",
    [
        lambda router: router.message.register(_any_message, StateFilter("*")),
        lambda router: router.message.register(_any_message, F.text == "hi"),
        lambda router: router.message.outer_middleware(_pass_through),
    ],
    ids=["any state", "a filter on the text", "an outer middleware"],
)
async def test_a_router_that_may_take_any_message_is_always_entered(
    register: Callable[[Router], object],
) -> None:
    router = Router(name="open")
    router.message.register(_any_message, StateFilter(None))
    register(router)
    gated = gate(router)

    assert gated.messages is None
    assert await _entered_by_message(gated, "hello", "Some:state") == ["open"]


async def _pass_through(
    handler: Callable[[Message, dict[str, Any]], Awaitable[Any]],
    event: Message,
    data: dict[str, Any],
) -> Any:
    return await handler(event, data)


async def test_a_router_is_never_entered_by_updates_it_has_no_handler_for() -> None:
    router = Router(name="buttons")
    router.callback_query.register(_any_tap)
    gated = gate(router)

    assert await _entered_by_message(gated, "/start", None) == []
    assert await _entered_by_tap(gated, "m:new") == ["buttons"]


async def test_the_admin_groups_routers_are_entered_only_from_that_group() -> None:
    root = _tree(-100500, [42])

    command = await _entered_by_message(root, "/orders", None, in_group=-100500)
    assert command[:3] == ["root", "admin_group", "admin"]
    assert "handlers.admin.orders" in command
    answer = await _entered_by_message(root, "thanks", None, in_group=-100500)
    assert answer == ["root", "staff", "handlers.support_staff"]
    for text in ("/orders", "thanks"):
        assert await _entered_by_message(root, text, None, in_group=-100777) == ["root"], text
        private = await _entered_by_message(root, text, None)
        assert not {"admin_group", "admin", "staff"} & set(private), text
    # Turned away at their gates, before any of their filters runs.
    customer = Message.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "Alice"},
            "text": "/orders",
        }
    )
    data = {"event_chat": customer.chat, "event_from_user": customer.from_user, "raw_state": None}
    group_gates = [sub for sub in root.sub_routers if isinstance(sub, Gate)]
    assert [sub.inner.name for sub in group_gates] == ["admin_group", "staff"]
    assert not any(sub.admits("message", customer, data) for sub in group_gates)
