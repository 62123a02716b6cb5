"""Screens are edited in place or sent anew, and Telegram's copy of them is not read back
into objects: the requests are what aiogram's own calls make, the answers cost nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    User,
)

from handlers.screens import send, show

from ..support.telegram.bot_api import BotApiDouble
from ..support.telegram.failures import bad_request
from ..support.telegram.shop_bot import shop_bot_on

CUSTOMER = 7
FORUM = -1001234567890
TOPIC = 42


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[BotApiDouble, Bot]]:
    """The Bot API double on loopback, and the bot as the shop makes it."""
    double = BotApiDouble()
    double.topics[FORUM] = {TOPIC}
    async with shop_bot_on(double) as bot:
        yield double, bot


@pytest.fixture
def buttons_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every keyboard button aiogram builds from now on (from an answer or by
    hand)."""
    built: list[str] = []
    post_init: Callable[..., None] = InlineKeyboardButton.model_post_init

    def counting(self: InlineKeyboardButton, context: Any) -> None:
        built.append(self.text)
        post_init(self, context)

    monkeypatch.setattr(InlineKeyboardButton, "model_post_init", counting)
    return built


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=f"svc:{n}")]
            for n, label in enumerate(labels)
        ]
    )


def _tap_on(message: Message, bot: Bot) -> CallbackQuery:
    return CallbackQuery(
        id="1",
        from_user=User(id=CUSTOMER, is_bot=False, first_name="Ann"),
        chat_instance="1",
        message=message,
        data="svc:0",
    ).as_(bot)


async def test_a_tap_edits_its_screen_and_the_answer_builds_no_buttons(
    telegram: tuple[BotApiDouble, Bot], buttons_read: list[str]
) -> None:
    double, bot = telegram
    first = await bot.send_message(CUSTOMER, "Pick a category", reply_markup=_keyboard("A", "B"))
    # Telegram answers with the message and its keyboard, read back as aiogram reads it.
    assert buttons_read == ["A", "B", "A", "B"]
    page = _keyboard('Followers <Real> & "HQ" — $0.0045', "◀", "▶")
    buttons_read.clear()

    await show(_tap_on(first, bot), "Pick a service", page)

    edit = double.calls[-1]
    assert edit.method == "editMessageText"
    assert edit.params["chat_id"] == CUSTOMER
    assert edit.params["message_id"] == first.message_id
    assert edit.params["text"] == "Pick a service"
    assert edit.params["parse_mode"] == "HTML"
    assert edit.params["reply_markup"] == page.model_dump(mode="json", exclude_none=True)
    assert edit.result["reply_markup"] == edit.params["reply_markup"]
    assert buttons_read == []  # the three buttons in Telegram's answer stayed JSON


async def test_aiogram_alone_reads_every_button_of_the_answer_back(
    telegram: tuple[BotApiDouble, Bot], buttons_read: list[str]
) -> None:
    """The cost ``show`` leaves out, shown: the same edit made by ``edit_text``."""
    _, bot = telegram
    first = await bot.send_message(CUSTOMER, "Pick a category")
    page = _keyboard("one", "two", "three")
    buttons_read.clear()

    edited = await first.edit_text("Pick a service", reply_markup=page)

    assert isinstance(edited, Message)
    assert buttons_read == ["one", "two", "three"]


async def test_a_screen_telegram_will_not_edit_comes_as_a_new_message(
    telegram: tuple[BotApiDouble, Bot], buttons_read: list[str]
) -> None:
    double, bot = telegram
    first = await bot.send_message(CUSTOMER, "Your order")
    double.fail_method("editMessageText", bad_request("message can't be edited"))
    menu = _keyboard("New order", "Balance")
    buttons_read.clear()

    await show(_tap_on(first, bot), "Main menu", menu)

    assert double.methods()[-2:] == ["editMessageText", "sendMessage"]
    sent = double.calls[-1]
    assert sent.params["chat_id"] == CUSTOMER
    assert sent.params["text"] == "Main menu"
    assert sent.params["reply_markup"] == menu.model_dump(mode="json", exclude_none=True)
    assert "message_thread_id" not in sent.params
    assert buttons_read == []


async def test_a_screen_that_did_not_change_is_left_as_it_is(
    telegram: tuple[BotApiDouble, Bot],
) -> None:
    double, bot = telegram
    menu = _keyboard("New order")
    first = await bot.send_message(CUSTOMER, "Main menu", reply_markup=menu)

    await show(_tap_on(first, bot), "Main menu", menu)

    assert double.methods() == ["sendMessage", "editMessageText"]
    assert double.calls[-1].result is None  # refused: "message is not modified"


async def test_other_refusals_of_an_edit_reach_the_handler(
    telegram: tuple[BotApiDouble, Bot],
) -> None:
    double, bot = telegram
    first = await bot.send_message(CUSTOMER, "Main menu")
    double.fail_method("editMessageText", bad_request("message to edit not found"))
    double.fail_method("sendMessage", bad_request("chat not found"))

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await show(_tap_on(first, bot), "Balance")


async def test_a_new_screen_goes_to_the_chat_and_topic_of_the_message(
    telegram: tuple[BotApiDouble, Bot], buttons_read: list[str]
) -> None:
    double, bot = telegram
    in_topic = Message(
        message_id=9,
        date=datetime.now(UTC),
        chat=Chat(id=FORUM, type="supergroup", is_forum=True),
        message_thread_id=TOPIC,
        is_topic_message=True,
        text="/orders",
    ).as_(bot)
    in_private = Message(
        message_id=10, date=datetime.now(UTC), chat=Chat(id=CUSTOMER, type="private"), text="hi"
    ).as_(bot)
    step = _keyboard("Cancel")
    buttons_read.clear()

    await send(in_topic, "Orders of the day", step)
    await send(in_private, "Send the link")

    topic_call, private_call = double.calls
    assert topic_call.method == private_call.method == "sendMessage"
    assert topic_call.params["chat_id"] == FORUM
    assert topic_call.params["message_thread_id"] == TOPIC
    assert topic_call.params["reply_markup"] == step.model_dump(mode="json", exclude_none=True)
    assert private_call.params["chat_id"] == CUSTOMER
    assert private_call.params["text"] == "Send the link"
    assert "message_thread_id" not in private_call.params
    assert "reply_markup" not in private_call.params
    assert buttons_read == []
