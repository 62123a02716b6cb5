"""Telegram objects bound the quick way are what aiogram's own binding makes: every object
read from Telegram's JSON knows the bot, one made by hand does not, and only classes whose
binding is aiogram's are changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)
from pydantic import PrivateAttr, ValidationError
from pydantic._internal import _model_construction

from bot import telegram_objects

TOKEN = "42:TEST"

TAP: dict[str, Any] = {
    "update_id": 7,
    "callback_query": {
        "id": "q1",
        "chat_instance": "c1",
        "data": "menu:orders",
        "from": {"id": 5, "is_bot": False, "first_name": "Ann <&>"},
        "message": {
            "message_id": 12,
            "date": 1_700_000_000,
            "chat": {"id": 5, "type": "private"},
            "text": "Pick one",
            "reply_markup": {
                "inline_keyboard": [
                    [{"text": "📦 Orders", "callback_data": "menu:orders"}],
                    [{"text": "💰 0.0045 USD", "callback_data": "svc:101"}],
                ]
            },
        },
    },
}


@pytest.fixture
def bound() -> Iterator[None]:
    """The classes bound the quick way for the test, and put back as they were after."""
    telegram_objects.unbind()
    telegram_objects.bind_quickly()
    yield
    telegram_objects.unbind()


@pytest.fixture
def wrapper_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every object pydantic's private attribute set-up runs for."""
    calls: list[object] = []
    original = _model_construction.init_private_attributes

    def counted(self: Any, context: Any, /) -> None:
        calls.append(self)
        original(self, context)

    monkeypatch.setattr(_model_construction, "init_private_attributes", counted)
    return calls


def _buttons(update: Update) -> list[InlineKeyboardButton]:
    assert update.callback_query is not None
    message = update.callback_query.message
    assert isinstance(message, Message)
    assert message.reply_markup is not None
    return [button for row in message.reply_markup.inline_keyboard for button in row]


@pytest.mark.usefixtures("bound")
async def test_every_object_read_from_telegram_knows_the_bot() -> None:
    bot = Bot(TOKEN)
    try:
        update = Update.model_validate(TAP, context={"bot": bot})
        query = update.callback_query
        assert isinstance(query, CallbackQuery)
        assert update.bot is bot
        assert query.bot is bot
        assert query.from_user.bot is bot
        assert isinstance(query.message, Message)
        assert query.message.bot is bot
        assert query.message.chat.bot is bot
        assert [(button.text, button.bot) for button in _buttons(update)] == [
            ("📦 Orders", bot),
            ("💰 0.0045 USD", bot),
        ]
        # What aiogram's methods on an object need: the bot, and the request they make.
        answer = query.answer("Done")
        assert answer.callback_query_id == "q1"
        assert answer.bot is bot
    finally:
        await bot.session.close()


@pytest.mark.usefixtures("bound")
async def test_an_object_made_by_hand_knows_no_bot_until_bound() -> None:
    bot = Bot(TOKEN)
    try:
        button = InlineKeyboardButton(text="Confirm", callback_data="confirm")
        markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
        assert button.bot is None
        assert markup.bot is None
        assert button == InlineKeyboardButton(text="Confirm", callback_data="confirm")
        assert button.as_(bot) is button
        assert button.bot is bot
        copied = button.model_copy(update={"text": "Cancel"})
        assert (copied.text, copied.bot) == ("Cancel", bot)
        assert InlineKeyboardButton.model_construct(text="x").bot is None
        update = Update.model_validate(TAP)
        with pytest.raises(ValidationError):
            update.update_id = 8
    finally:
        await bot.session.close()


def test_bound_quickly_an_update_skips_pydantics_private_set_up(
    bound: None, wrapper_calls: list[object]
) -> None:
    Update.model_validate(TAP, context={"bot": None})
    assert wrapper_calls == []


def test_unbound_pydantic_sets_up_every_object_as_before(wrapper_calls: list[object]) -> None:
    telegram_objects.unbind()
    update = Update.model_validate(TAP)
    # Each of the update's objects, once per class level pydantic wrapped.
    assert update in wrapper_calls
    assert all(button in wrapper_calls for button in _buttons(update))


class _Remembering(TelegramObject):
    """A Telegram object with a private attribute of its own besides the bot."""

    text: str
    _seen: int = PrivateAttr(default=3)


class _Counting(TelegramObject):
    """A Telegram object with a post-init of its own."""

    text: str

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        object.__setattr__(self, "__pydantic_extra__", {"counted": True})


@pytest.mark.usefixtures("bound")
def test_a_class_with_a_binding_of_its_own_is_left_as_it_is() -> None:
    assert "model_post_init" in _Remembering.__dict__
    assert _Remembering.__dict__["model_post_init"] is not telegram_objects._bind
    assert _Counting.__dict__["model_post_init"] is not telegram_objects._bind
    assert _Remembering(text="x")._seen == 3
    assert _Counting(text="x").model_extra == {"counted": True}


def test_binding_twice_and_unbinding_puts_aiogram_back() -> None:
    original = Message.__dict__["model_post_init"]
    try:
        telegram_objects.bind_quickly()
        telegram_objects.bind_quickly()
        assert Message.__dict__["model_post_init"] is telegram_objects._bind
        telegram_objects.unbind()
        assert Message.__dict__["model_post_init"] is original
    finally:
        telegram_objects.unbind()


class _Extended(InlineKeyboardButton):
    """A button with a private attribute of its own and a post-init going up to aiogram's."""

    _shown: int = PrivateAttr(default=5)

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)


@pytest.mark.usefixtures("bound")
async def test_a_subclass_keeps_its_own_private_attributes_under_a_bound_parent() -> None:
    bot = Bot(TOKEN)
    try:
        extended = _Extended.model_validate(
            {"text": "x", "callback_data": "y"}, context={"bot": bot}
        )
        assert (extended._shown, extended.bot) == (5, bot)
        assert _Extended(text="x", callback_data="y")._shown == 5
    finally:
        await bot.session.close()


async def test_a_class_defined_once_bound_binds_quickly_and_keeps_its_defaults(
    bound: None, wrapper_calls: list[object]
) -> None:
    class Later(InlineKeyboardButton):
        """Defined while the classes are bound."""

    class LaterWithDefault(InlineKeyboardButton):
        _shown: int = PrivateAttr(default=7)

    bot = Bot(TOKEN)
    try:
        with_default = LaterWithDefault.model_validate(
            {"text": "x", "callback_data": "y"}, context={"bot": bot}
        )
        assert (with_default._shown, with_default.bot) == (7, bot)

        telegram_objects.bind_quickly()
        assert Later.__dict__["model_post_init"] is telegram_objects._bind
        assert LaterWithDefault.__dict__["model_post_init"] is not telegram_objects._bind
        wrapper_calls.clear()
        later = Later.model_validate({"text": "x", "callback_data": "y"}, context={"bot": bot})
        assert later.bot is bot
        assert wrapper_calls == []
    finally:
        await bot.session.close()
