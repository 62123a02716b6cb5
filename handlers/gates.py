"""Gates in front of the feature routers: an update goes only into a router with a handler
that could take it.

aiogram passes every update through each router in turn until one handles it, and a pass
costs even when nothing in the router can take the update: its observer, its outer
middlewares, its filters and every handler's filters, with the handler data copied at each
step. Under load that walk was a fifth of the bot's work, most of it in routers that could
never have taken the update. A :class:`Gate` stands in front of a router and turns an update
away at once when the router's handlers show it cannot be theirs:

- a tap, when every button handler names its callback data and the tap's data is none of
  them: of its kind (its prefix), or the very data, for a handler of one screen of the main
  menu (a kind of one text field, filtered by ``F.<field> == "text"``), so a tap on New
  order no longer walks every router that has a screen of that menu;
- a message, when every message handler asks for a command or for a conversation state and
  the message is not a command and the customer is in none of those states;
- any update of a kind the router has no handler for;
- with ``chat_id``, an update from any other chat (the admin group's routers).

A router with an outer middleware for a kind of update is always entered by that kind: the
middleware may act whatever the handlers say. A gate only ever turns away what the router
would have let pass unhandled, so the bot answers exactly as it did without it.

Routers side by side go behind :class:`Gates`, which asks each gate and calls only the
routers it admits: a gate of its own, even turning the update away at once, was a call with
the handler data copied, for each of the storefront's fourteen routers on every update.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject
from magic_filter import MagicFilter
from magic_filter.operations import ComparatorOperation, GetAttributeOperation
from pydantic.fields import FieldInfo

from handlers.filters import Has, Slash

#: The update kinds whose handlers a gate reads.
TAPS = "callback_query"
MESSAGES = "message"


@dataclass(frozen=True)
class TapKeys:
    """The callback data a router's buttons take: ``(prefix, separator)`` pairs, as
    callback data classes pack them, and ``exact`` data, each taken by a handler of that
    button alone."""

    prefixes: frozenset[tuple[str, str]]
    exact: frozenset[str] = frozenset()

    @cached_property
    def by_separator(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """The prefixes by separator (all the bot's kinds have the same): a tap's data is
        cut once per separator, not once per prefix."""
        separators = {separator for _, separator in self.prefixes}
        return tuple(
            (separator, frozenset(p for p, s in self.prefixes if s == separator))
            for separator in separators
        )

    def admit(self, query: CallbackQuery) -> bool:
        data = query.data
        return data is not None and (
            data in self.exact
            or any(data.split(separator, 1)[0] in kinds for separator, kinds in self.by_separator)
        )


@dataclass(frozen=True)
class MessageKeys:
    """What a router's message handlers ask for: a command (a text or caption starting with
    one of ``prefixes``), one of the conversation ``states`` (None: no state), or one of the
    message's ``fields`` (``successful_payment``)."""

    prefixes: frozenset[str]
    states: frozenset[str | None]
    fields: frozenset[str]

    def admit(self, message: Message, data: dict[str, Any]) -> bool:
        if "raw_state" not in data or data["raw_state"] in self.states:
            return True
        # As aiogram's Command reads it: the first word, whatever whitespace comes before.
        text = (message.text or message.caption or "").lstrip()
        if text and text[0] in self.prefixes:
            return True
        return any(getattr(message, name, None) is not None for name in self.fields)


class Gate(Router):
    """Stands in front of ``inner`` and lets in only the updates its handlers could take;
    with ``chat_id``, only those from that chat (as aiogram's ``event_chat`` names it)."""

    def __init__(self, inner: Router, chat_id: int | None = None) -> None:
        super().__init__(name=f"{inner.name} (gate)")
        self.include_router(inner)
        self.inner = inner
        self.chat_id = chat_id
        self.kinds = frozenset(_kinds_handled(inner))
        self.taps = _tap_keys(inner)
        self.messages = _message_keys(inner)

    def admits(self, update_type: str, event: TelegramObject, data: dict[str, Any]) -> bool:
        """Whether ``event`` may reach one of the inner router's handlers."""
        if update_type not in self.kinds:
            return False
        if self.chat_id is not None:
            chat = data.get("event_chat")
            if chat is None or chat.id != self.chat_id:
                return False
        if update_type == TAPS and self.taps is not None and isinstance(event, CallbackQuery):
            return self.taps.admit(event)
        if update_type == MESSAGES and self.messages is not None and isinstance(event, Message):
            return self.messages.admit(event, data)
        return True

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        if not self.admits(update_type, event, kwargs):
            return UNHANDLED
        return await self.inner.propagate_event(update_type, event, **kwargs)


class Gates(Router):
    """``routers``, each behind its :class:`Gate`, tried in order as sub-routers are: an
    update enters the first whose gate admits it, then the next if it went unhandled. Those
    whose gates turn it away are only asked, not called. A router included later is tried
    too (behind no gate unless it is one). Should a handler, a filter or an outer middleware
    be put on ``Gates`` itself, its kind of update takes aiogram's own pass, gate by gate."""

    def __init__(self, routers: Iterable[Router]) -> None:
        super().__init__(name="gates")
        self.include_routers(*(Gate(router) for router in routers))

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        observer = self.observers.get(update_type)
        if observer is not None and (
            observer.handlers or observer._handler.filters or len(observer.outer_middleware)
        ):
            return await super().propagate_event(update_type, event, **kwargs)
        for router in self.sub_routers:
            if not isinstance(router, Gate):
                response = await router.propagate_event(update_type, event, **kwargs)
            elif router.admits(update_type, event, kwargs):
                response = await router.inner.propagate_event(update_type, event, **kwargs)
            else:
                continue
            if response is not UNHANDLED:
                return response
        return UNHANDLED


def gate(router: Router, chat_id: int | None = None) -> Gate:
    """``router`` behind a gate (for ``chat_id`` only, when given: a router whose every
    handler is for that chat). Call it once the router has all its handlers, sub-routers
    and middlewares."""
    return Gate(router, chat_id)


def _tree(router: Router) -> Iterator[Router]:
    yield router
    for sub_router in router.sub_routers:
        yield from _tree(sub_router)


def _kinds_handled(router: Router) -> Iterator[str]:
    """The update kinds some router of the tree has a handler or an outer middleware for."""
    for member in _tree(router):
        for kind, observer in member.observers.items():
            if observer.handlers or len(observer.outer_middleware):
                yield kind


def _has_outer_middleware(router: Router, kind: str) -> bool:
    return any(len(member.observers[kind].outer_middleware) for member in _tree(router))


def _handlers(router: Router, kind: str) -> list[HandlerObject]:
    return [handler for member in _tree(router) for handler in member.observers[kind].handlers]


def _tap_keys(router: Router) -> TapKeys | None:
    """The callback data of every button handler of the tree; None when one takes any tap,
    or an outer middleware sees every tap."""
    if _has_outer_middleware(router, TAPS):
        return None
    prefixes = set()
    exact = set()
    for handler in _handlers(router, TAPS):
        named = [
            f.callback
            for f in handler.filters or ()
            if isinstance(f.callback, CallbackQueryFilter)
        ]
        if not named:
            return None
        if (data := _exact_data(named[0])) is not None:
            exact.add(data)
        else:
            kind = named[0].callback_data
            prefixes.add((kind.__prefix__, kind.__separator__))
    return TapKeys(frozenset(prefixes), frozenset(exact))


def _exact_data(check: CallbackQueryFilter) -> str | None:
    """The one callback data ``check`` lets through, when it names one: a kind whose only
    field is a plain required text (no default, constraint, validator or text setting, so
    it unpacks exactly as it was packed), filtered by ``F.<that field> == "text"``; else
    None, and the kind is let in by its prefix."""
    kind = check.callback_data
    rule = check.rule
    fields = kind.model_fields
    if not isinstance(rule, MagicFilter) or len(fields) != 1:
        return None
    [(name, field)] = fields.items()
    operations: tuple[Any, ...] = getattr(rule, "_operations", ())
    if not _plain_text(kind, field) or len(operations) != 2:
        return None
    get, compare = operations
    if not (
        isinstance(get, GetAttributeOperation)
        and get.name == name
        and isinstance(compare, ComparatorOperation)
        and compare.comparator is operator.eq
        and isinstance(compare.right, str)
    ):
        return None
    try:
        data = kind(**{name: compare.right}).pack()
        unpacked = kind.unpack(data)
    except ValueError:
        # A text no button can carry (the separator in it, too long): the prefix lets it
        # in, and the handler turns it away as before.
        return None
    return data if getattr(unpacked, name) == compare.right else None


def _plain_text(kind: type[CallbackData], field: FieldInfo) -> bool:
    """Whether ``field`` of ``kind`` takes a text as it comes, and only as it was given."""
    decorators = kind.__pydantic_decorators__
    config = kind.model_config
    return (
        field.annotation is str
        and field.is_required()
        and not field.metadata
        and not (decorators.validators or decorators.field_validators)
        and not (decorators.root_validators or decorators.model_validators)
        and not any(config.get(name) for name in _TEXT_SETTINGS)
    )


#: Model settings that change a text as it is read.
_TEXT_SETTINGS: Final = (
    "str_to_lower",
    "str_to_upper",
    "str_strip_whitespace",
    "str_max_length",
    "str_min_length",
)


def _message_keys(router: Router) -> MessageKeys | None:
    """What every message handler of the tree asks for; None when one asks for neither a
    command, a state nor a field, or an outer middleware sees every message."""
    if _has_outer_middleware(router, MESSAGES):
        return None
    keys: dict[str, set[Any]] = {"prefixes": set(), "states": set(), "fields": set()}
    for handler in _handlers(router, MESSAGES):
        key = _message_key(handler)
        if key is None:
            return None
        kind, values = key
        keys[kind].update(values)
    return MessageKeys(**{kind: frozenset(values) for kind, values in keys.items()})


def _message_key(handler: HandlerObject) -> tuple[str, Collection[Any]] | None:
    """The first condition among the handler's filters a message must meet: command
    prefixes, states or fields (``MessageKeys``'s names), with their values; None if none
    is."""
    for filter_object in handler.filters or ():
        check = filter_object.callback
        if isinstance(check, Command):
            return "prefixes", check.prefix
        if isinstance(check, Slash):
            return "prefixes", "/"
        if isinstance(check, Has):
            return "fields", check.fields
        if isinstance(check, StateFilter):
            states = _state_names(check)
            if states is not None:
                return "states", states
    return None


def _state_names(check: StateFilter) -> frozenset[str | None] | None:
    """The raw states ``check`` lets through; None when it lets any through."""
    names: set[str | None] = set()
    for given in check.states:
        allowed = given.state if isinstance(given, State) else given
        if isinstance(allowed, StatesGroup):
            names.update(type(allowed).__all_states_names__)
        elif isinstance(allowed, type) and issubclass(allowed, StatesGroup):
            names.update(allowed.__all_states_names__)
        elif allowed == "*":
            return None
        else:
            names.add(allowed)
    return frozenset(names)
